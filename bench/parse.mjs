// `npm run bench:parse`: parse throughput of @sandlua/lua beside luaparse (locations, ranges and
// comments on, Lua 5.3 mode) in the same run, on the same corpus, and the time to parse one
// 10,000-line file. Prints figures and ratios; it asserts nothing (machines here are noisy).
import { createRequire } from 'module';
import { readFileSync, readdirSync, statSync, existsSync } from 'fs';
import { join, dirname } from 'path';
import { fileURLToPath } from 'url';
import { performance } from 'perf_hooks';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { parse } = require(join(root, 'lua/out/index.js'));
const luaparse = require('luaparse');
const LUAPARSE_OPTIONS = { locations: true, ranges: true, comments: true, luaVersion: '5.3', scope: false };

function luaFiles(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    const stat = statSync(full);
    if (stat.isDirectory()) luaFiles(full, out);
    else if (name.endsWith('.lua')) out.push(full);
  }
  return out;
}

// A synthetic program that uses most of the grammar; `lines` lines long.
function generated(lines) {
  const parts = [];
  let n = 0;
  for (;;) {
    n++;
    const unit = [
      `local function f${n}(a, b, ...)`,
      `  local t = { x = a, y = b, [${n}] = "s${n}\\n", 0x${n.toString(16)}, ${n}.5e-3, ... }`,
      `  if a < b and not (a == b) or #t > 2 then`,
      `    for i = 1, #t, 2 do t[i] = (t[i] or 0) // 2 + i % 3 ^ 2 end`,
      `  elseif a ~= b then`,
      `    while a > 0 do a = a - 1; b = b .. tostring(a) end`,
      `  else`,
      `    repeat local c = a & 0xff | b ~ 3 << 1 until c >= 0`,
      `  end`,
      `  -- comment ${n}`,
      `  for k, v in pairs(t) do print(k, v, t.x:upper(), string.format("%d", ${n})) end`,
      `  return setmetatable(t, { __index = function(_, key) return key end }), [[long ${n}]]`,
      `end`,
    ];
    if (parts.length + unit.length > lines) break;
    parts.push(...unit);
  }
  while (parts.length < lines) parts.push(`local v${parts.length} = ${parts.length}`);
  return parts.join('\n') + '\n';
}

const sources = [];
for (const file of [...luaFiles('/usr/share/lua'), ...luaFiles(join(root, 'examples'))]) {
  const text = readFileSync(file, 'latin1');
  try {
    luaparse.parse(text, LUAPARSE_OPTIONS);
  } catch {
    continue; // keep only files both parsers accept, so both do the same work
  }
  sources.push(text);
}
sources.push(generated(20000));
const bytes = sources.reduce((sum, s) => sum + s.length, 0);

function throughput(parseOne, rounds) {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (const s of sources) parseOne(s);
    best = Math.min(best, performance.now() - t0);
  }
  return bytes / 1e6 / (best / 1000);
}

function medianTime(parseOne, source, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    parseOne(source);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

const ours = (s) => parse(s, { name: 'bench' });
const theirs = (s) => luaparse.parse(s, LUAPARSE_OPTIONS);

// Warm up both, then alternate rounds so that both see the same machine noise.
throughput(ours, 3);
throughput(theirs, 3);
let oursMBs = 0;
let theirsMBs = 0;
for (let i = 0; i < 3; i++) {
  oursMBs = Math.max(oursMBs, throughput(ours, 3));
  theirsMBs = Math.max(theirsMBs, throughput(theirs, 3));
}

const tenK = generated(10000);
const oursMs = medianTime(ours, tenK, 31);
const theirsMs = medianTime(theirs, tenK, 31);

const fmt = (x, d = 1) => x.toFixed(d).padStart(8);
console.log(`corpus: ${sources.length} files, ${(bytes / 1e6).toFixed(2)} MB (/usr/share/lua, examples/, a generated 20,000-line file)`);
console.log('');
console.log('                     MB/s   10,000-line file (ms, median of 31)');
console.log(`@sandlua/lua     ${fmt(oursMBs)}   ${fmt(oursMs, 2)}`);
console.log(`luaparse 0.3     ${fmt(theirsMBs)}   ${fmt(theirsMs, 2)}`);
console.log(`ratio            ${fmt(oursMBs / theirsMBs, 2)}x  ${fmt(theirsMs / oursMs, 2)}x faster`);
console.log('');
console.log(`targets: >= 3x luaparse's throughput; the 10,000-line file in < 30 ms (${(tenK.length / 1e3).toFixed(0)} kB)`);
