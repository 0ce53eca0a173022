// The standard library against the reference: every Lua program under lua/test/stdlib/ runs in
// lua5.3 and in our engine, and what they print must be the same, byte for byte. Seeded random
// programs (patterns against subjects, format specifications against values, pack formats) are
// compared the same way.
//
// Programs are compiled by our compiler when it exists, else by luac5.3 and loaded with undump
// (STDLIB_TEST_COMPILER=luac forces luac, to tell a library failure from a compiler one).

import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Proto } from '../vm/proto';
import { Compiler, LuaState, StateOptions } from '../vm/state';
import { undump } from '../vm/undump';
import { LuaError } from '../vm/value';
import type { Clock } from './os';

const PROGRAMS = path.join(__dirname, '..', '..', 'test', 'stdlib');
const haveLua = spawnSync('lua5.3', ['-v']).status === 0 && spawnSync('luac5.3', ['-v']).status === 0;
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-stdlib-'));

/** A clock in a named time zone (for comparing local dates with lua5.3 run under TZ=zone). */
function zoneClock(zone: string): Clock {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  const names = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' });
  return {
    now: () => Date.now(),
    cpu: () => process.cpuUsage().user / 1e6,
    timezoneOffset(ms: number): number {
      // Before 1800 every zone keeps its local mean time: the offset of 1800 holds (and Intl's
      // years need no era).
      const d = new Date(Math.max(Math.floor(ms / 1000) * 1000, -5364662400000));
      const p: Record<string, number> = {};
      for (const part of parts.formatToParts(d)) if (part.type !== 'literal') p[part.type] = Number(part.value);
      const local = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
      return (d.getTime() - local) / 60000;
    },
    timezoneName(ms: number): string {
      return names.formatToParts(new Date(ms)).find((q) => q.type === 'timeZoneName')?.value ?? 'UTC';
    },
  };
}

function setSource(proto: Proto, source: string): void {
  proto.source = source;
  for (const p of proto.protos) setSource(p, source);
}

/** Compiles with luac5.3 in a scratch directory; the chunk keeps the name it was given. */
const luacCompiler: Compiler = (source, chunkName) => {
  const file = path.join(workDir, 'chunk.lua');
  const out = path.join(workDir, 'chunk.luac');
  fs.writeFileSync(file, Buffer.from(source, 'latin1'));
  const result = spawnSync('luac5.3', ['-o', out, 'chunk.lua'], { cwd: workDir });
  if (result.status !== 0) return result.stderr.toString('latin1').replace(/^luac5\.3: /, '').replace(/chunk\.lua/g, chunkName.replace(/^[@=]/, '')).trim();
  const proto = undump(new Uint8Array(fs.readFileSync(out)), chunkName);
  setSource(proto, chunkName);
  return proto;
};

let chosen: Compiler | undefined;

/**
 * Our compiler (lua/src/compiler/compile.ts, `luaCompiler`) once it exists, else luac5.3 +
 * undump. STDLIB_TEST_COMPILER=luac or =sandlua forces one.
 */
function compiler(): Compiler {
  if (chosen !== undefined) return chosen;
  chosen = luacCompiler;
  const choice = process.env.STDLIB_TEST_COMPILER;
  const file = path.join(__dirname, '..', 'compiler', 'compile.js');
  if (choice === 'sandlua' || (choice !== 'luac' && fs.existsSync(file))) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(file) as { luaCompiler?: Compiler };
    if (typeof mod.luaCompiler === 'function') chosen = mod.luaCompiler;
    else if (choice === 'sandlua') throw new Error(`${file} has no luaCompiler`);
  }
  return chosen;
}

/** Runs a program in our engine; returns what it printed (and the error, if it failed). */
function runOurs(source: string, chunkName: string, options: Partial<StateOptions> = {}): string {
  const lines: string[] = [];
  const state = new LuaState({ compile: compiler(), print: (line) => lines.push(line), ...options });
  let failure = '';
  try {
    state.run(source, chunkName);
  } catch (e) {
    failure = `ERROR: ${e instanceof LuaError ? e.message : String(e)}\n`;
  }
  return lines.map((l) => l + '\n').join('') + failure;
}

/** Runs a program file in lua5.3 from its directory; returns what it printed. */
function runReference(dir: string, file: string, env: Record<string, string> = {}): string {
  const result = spawnSync('lua5.3', [file], { cwd: dir, env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  let out = result.stdout.toString('latin1');
  if (result.status !== 0) {
    const first = result.stderr.toString('latin1').split('\n')[0].replace(/^lua5\.3: /, '');
    out += `ERROR: ${first}\n`;
  }
  return out;
}

/** Asserts equal outputs, reporting the first differing line with its neighbours. */
function assertSameOutput(ours: string, reference: string, what: string): void {
  if (ours === reference) return;
  const a = ours.split('\n');
  const b = reference.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const context = (lines: string[]) => lines.slice(Math.max(0, i - 2), i + 3).map((l) => JSON.stringify(l)).join('\n    ');
  assert.fail(`${what}: output differs at line ${i + 1}\n  ours:\n    ${context(a)}\n  lua5.3:\n    ${context(b)}`);
}

function requireLua(): void {
  if (!haveLua) {
    if (process.env.CI === 'true') assert.fail('lua5.3 and luac5.3 are required (apt-get install lua5.3)');
  }
}

describe('stdlib: Lua programs compared with lua5.3', function () {
  before(requireLua);
  const files = fs.existsSync(PROGRAMS) ? fs.readdirSync(PROGRAMS).filter((f) => f.endsWith('.lua')).sort() : [];
  it('has programs to run', () => {
    assert.ok(files.length >= 8, `expected the programs in ${PROGRAMS}`);
  });
  for (const file of files) {
    it(file, function () {
      if (!haveLua) this.skip();
      const source = fs.readFileSync(path.join(PROGRAMS, file), 'latin1');
      // Local dates are compared in a zone with daylight saving time.
      const zone = 'America/New_York';
      const reference = runReference(PROGRAMS, file, { TZ: zone });
      const ours = runOurs(source, '@' + file, { clock: zoneClock(zone) });
      assert.ok(reference.length > 0, 'lua5.3 printed nothing');
      assertSameOutput(ours, reference, file);
    });
  }
});

// ---- seeded random programs ------------------------------------------------------------------

/** A small deterministic generator (mulberry32) for reproducible random programs. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Lua string literal for any bytes. */
function luaString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 32 && c < 127 && c !== 34 && c !== 92) out += s[i];
    else out += '\\' + String(c).padStart(3, '0');
  }
  return out + '"';
}

/** Runs a generated program in both engines and compares the outputs. */
function compareGenerated(name: string, source: string): void {
  const file = path.join(workDir, name);
  fs.writeFileSync(file, Buffer.from(source, 'latin1'));
  const reference = runReference(workDir, name);
  const ours = runOurs(source, '@' + name);
  assertSameOutput(ours, reference, name);
}

/** The printing helper of generated programs: results of a pcall, strings quoted. */
const PRELUDE = `
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    local v = t[i]
    if type(v) == 'string' then t[i] = string.format('%q', v) else t[i] = tostring(v) end
  end
  print(table.concat(t, ' '))
end
`;

/** STDLIB_FUZZ_SCALE multiplies the number of random cases, STDLIB_FUZZ_SEED changes them (for deeper local runs). */
const SCALE = Math.max(1, Number(process.env.STDLIB_FUZZ_SCALE ?? 1));
const SEED = Number(process.env.STDLIB_FUZZ_SEED ?? 0);

describe('stdlib: random programs compared with lua5.3', function () {
  before(requireLua);

  const ALPHABET = ['a', 'b', 'c', 'a', 'b', ' ', '1', '2', 'X', 'Y', '(', ')', '.', ',', '%', '-', '[', ']', '\0', '\xe9', '_', '\n'];
  const CLASSES = ['%a', '%d', '%s', '%w', '%p', '%l', '%u', '%x', '%c', '%g', '%A', '%D', '%S', '%W', '%P', '%z', '%.', '%%', '%(', '.'];

  function randomSubject(r: () => number): string {
    const n = Math.floor(r() * 20);
    let s = '';
    // Mostly a few letters, so that patterns find something.
    for (let i = 0; i < n; i++) s += r() < 0.6 ? 'ab a('[Math.floor(r() * 5)] : ALPHABET[Math.floor(r() * ALPHABET.length)];
    return s;
  }

  function randomSet(r: () => number): string {
    let s = r() < 0.3 ? '[^' : '[';
    const n = 1 + Math.floor(r() * 3);
    for (let i = 0; i < n; i++) {
      const k = r();
      if (k < 0.3) s += CLASSES[Math.floor(r() * CLASSES.length)].replace('.', 'a');
      else if (k < 0.5) s += ['a-c', '0-9', 'X-Z', '%a-z', 'a-'][Math.floor(r() * 5)];
      else s += ['a', 'b', ']', '-', '^', '(', '%]', ' '][Math.floor(r() * 8)];
    }
    return s + ']';
  }

  function randomItem(r: () => number, depth: number): string {
    const k = r();
    let item: string;
    if (k < 0.3) item = r() < 0.6 ? 'ab a'[Math.floor(r() * 4)] : ALPHABET[Math.floor(r() * 12)];
    else if (k < 0.55) item = CLASSES[Math.floor(r() * CLASSES.length)];
    else if (k < 0.7) item = randomSet(r);
    else if (k < 0.78 && depth < 2) return '(' + randomPattern(r, depth + 1, 3) + ')';
    else if (k < 0.81) return '()';
    else if (k < 0.85) return '%b()';
    else if (k < 0.89) return ['%f[%w]', '%f[%W]', '%f[a-c]', '%f[%z]'][Math.floor(r() * 4)];
    else if (k < 0.93) return '%' + (1 + Math.floor(r() * 2));
    else item = '.';
    const q = r();
    if (q < 0.15) item += '*';
    else if (q < 0.27) item += '+';
    else if (q < 0.39) item += '-';
    else if (q < 0.5) item += '?';
    return item;
  }

  function randomPattern(r: () => number, depth = 0, max = 5): string {
    let p = depth === 0 && r() < 0.15 ? '^' : '';
    const n = 1 + Math.floor(r() * r() * max);
    for (let i = 0; i < n; i++) p += randomItem(r, depth);
    if (depth === 0 && r() < 0.1) p += '$';
    // Now and then a malformed pattern, to compare the error messages.
    if (depth === 0 && r() < 0.04) p += ['%', '(', ')', '[a', '%b', '%f', '%g%'][Math.floor(r() * 7)];
    return p;
  }

  it('patterns: find, match, gmatch and gsub on random subjects (1500 cases)', function () {
    if (!haveLua) this.skip();
    const r = rng(0x5eed + SEED);
    let source = PRELUDE + `
local function all(s, p) local out = {} for a, b in string.gmatch(s, p) do out[#out + 1] = tostring(a) .. '|' .. tostring(b) if #out > 50 then break end end return table.concat(out, ' ') end
local repl = {a = 'A', b = false, ['1'] = 11, [' '] = '_'}
local function f(a, b) if a == 'c' then return nil end return tostring(b) .. '<' .. tostring(a) .. '>' end
`;
    for (let i = 0; i < 1500 * SCALE; i++) {
      const s = luaString(randomSubject(r));
      const p = luaString(randomPattern(r));
      const init = [1, 1, 1, 2, -3, 0, 20, -20][Math.floor(r() * 8)];
      const repls = ['"<%0>"', '"%1-%1"', '"%%"', '"x"', 'repl', 'f', '"%2"', '"%"'];
      const rp = repls[Math.floor(r() * repls.length)];
      const maxN = r() < 0.2 ? ', ' + Math.floor(r() * 3) : '';
      source += `show(${i}, pcall(string.find, ${s}, ${p}, ${init}))\n`;
      source += `show(pcall(string.match, ${s}, ${p}))\n`;
      source += `show(pcall(all, ${s}, ${p}))\n`;
      source += `show(pcall(string.gsub, ${s}, ${p}, ${rp}${maxN}))\n`;
      if (r() < 0.2) source += `show(pcall(string.find, ${s}, ${p}, ${init}, true))\n`;
    }
    compareGenerated('random_patterns.lua', source);
  });

  it('patterns: long subjects, long patterns, deep backtracking (300 cases)', function () {
    if (!haveLua) this.skip();
    const r = rng(0x10a9 + SEED);
    let source = PRELUDE + `
local function count(s, p) local n = 0 for _ in string.gmatch(s, p) do n = n + 1 end return n end
`;
    for (let i = 0; i < 300 * SCALE; i++) {
      let subject = '';
      const pieces = 1 + Math.floor(r() * 30);
      for (let k = 0; k < pieces; k++) subject += randomSubject(r).slice(0, 1 + Math.floor(r() * 5));
      subject = subject.slice(0, 120);
      // At most two repetitions: the matcher backtracks polynomially in the subject's length
      // with each (in lua5.3 as here), and the point is comparing, not waiting.
      let p = '';
      let repetitions = 0;
      const n = 1 + Math.floor(r() * 10);
      for (let k = 0; k < n; k++) {
        const item = randomItem(r, 1);
        const reps = (item.match(/[*+-]/g) ?? []).length;
        if (repetitions + reps > 2) continue;
        repetitions += reps;
        p += item;
      }
      if (r() < 0.1) {
        // Past the matcher's depth limit (200 nested calls), quickly.
        subject = 'a'.repeat(250) + subject;
        p = 'a?'.repeat(201 + Math.floor(r() * 20)) + p;
      }
      const s = luaString(subject);
      const pl = luaString(p);
      source += `show(${i}, pcall(string.find, ${s}, ${pl}))\n`;
      source += `show(pcall(count, ${s}, ${pl}), pcall(string.gsub, ${s}, ${pl}, '[%0]'))\n`;
    }
    compareGenerated('random_long_patterns.lua', source);
  });

  function randomNumberLiteral(r: () => number): string {
    const k = r();
    if (k < 0.3) {
      const choices = ['0', '1', '-1', '7', '42', '-42', '255', '65', '1000000', '-123456789', 'math.maxinteger', 'math.mininteger', '2^53', '9007199254740993'];
      return choices[Math.floor(r() * choices.length)];
    }
    if (k < 0.45) return String(Math.floor((r() - 0.5) * 2 ** (r() * 62)));
    let x: number;
    const m = r();
    if (m < 0.2) x = [0.5, 1.5, 2.5, 0.125, 0.1, 1 / 3, 2 / 3, 1e15, 123456.5, 0.0005, 9.5, 99.5, 0.05, 5e-5, 1e100, 1e-300, 5e-324, 1.7976931348623157e308][Math.floor(r() * 18)];
    else if (m < 0.5) x = Math.round(r() * 10000) / [1, 10, 100, 1000, 8, 16][Math.floor(r() * 6)];
    else x = (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
    if (r() < 0.3) x = -x;
    let text = String(x);
    if (!/[.e]/.test(text)) text += '.0';
    if (r() < 0.03) return ['1/0', '-1/0', '-0.0'][Math.floor(r() * 3)];
    return text;
  }

  it('format: random conversions, flags, widths and precisions (2500 cases)', function () {
    if (!haveLua) this.skip();
    const r = rng(0xf0f0 + SEED);
    let source = PRELUDE;
    const conversions = 'dddiuoxXceEfgGaAsqfgeq';
    for (let i = 0; i < 2500 * SCALE; i++) {
      let spec = '%';
      const nflags = r() < 0.5 ? 0 : Math.floor(r() * 4);
      for (let k = 0; k < nflags; k++) spec += '-+ #0'[Math.floor(r() * 5)];
      if (r() < 0.6) spec += String(Math.floor(r() * (r() < 0.7 ? 20 : 100)));
      if (r() < 0.5) spec += '.' + (r() < 0.1 ? '' : String(Math.floor(r() * (r() < 0.8 ? 20 : 100))));
      if (r() < 0.01) spec += '123';
      const conv = r() < 0.01 ? 'ynF%'[Math.floor(r() * 4)] : conversions[Math.floor(r() * conversions.length)];
      spec += conv;
      let value: string;
      if (conv === 's' || (conv === 'q' && r() < 0.5)) value = r() < 0.8 ? luaString(randomSubject(r)) : ['nil', 'true', 'setmetatable({}, {__tostring = function() return "T!" end})', '12', '1.5'][Math.floor(r() * 5)];
      else value = randomNumberLiteral(r);
      const text = r() < 0.2 ? '"<' + spec + '|' + spec + '>"' : '"' + spec + '"';
      source += `show(${i}, pcall(string.format, ${text}, ${value}, ${value}))\n`;
    }
    compareGenerated('random_format.lua', source);
  });

  it('pack: random formats round-trip and error like lua5.3 (800 cases)', function () {
    if (!haveLua) this.skip();
    const r = rng(0xbac4 + SEED);
    let source = PRELUDE + `
local function hex(s) return (s:gsub('.', function(c) return string.format('%02x', c:byte()) end)) end
`;
    const options = ['b', 'B', 'h', 'H', 'i', 'I', 'l', 'L', 'j', 'J', 'T', 'f', 'd', 'n', 'i3', 'I5', 'i16', 'I9', 'i7', 's1', 's2', 'z', 'x', 'c3', 'Xi4', '!4', '!', '<', '>', '=', ' ', 'i17', 'Xz', 'c'];
    for (let i = 0; i < 800 * SCALE; i++) {
      let fmt = '';
      const n = 1 + Math.floor(r() * 4);
      const values: string[] = [];
      for (let k = 0; k < n; k++) {
        const o = options[Math.floor(r() * options.length)];
        fmt += o;
        const base = o.replace(/^X.|[!<>= x]/g, '');
        if (/^[bBhHiIlLjJT]/.test(base)) values.push(randomNumberLiteral(r).replace(/\.0$/, ''));
        else if (/^[fdn]/.test(base)) values.push(randomNumberLiteral(r));
        else if (/^[szc]/.test(base)) values.push(luaString(randomSubject(r).slice(0, 4)));
      }
      const args = values.join(', ');
      source += `do local ok, p = pcall(string.pack, ${luaString(fmt)}${args ? ', ' + args : ''})
  show(${i}, ok, ok and hex(p) or p, pcall(string.packsize, ${luaString(fmt)}))
  if ok then show(pcall(string.unpack, ${luaString(fmt)}, p)) show(pcall(string.unpack, ${luaString(fmt)}, p, -3)) end end\n`;
    }
    compareGenerated('random_pack.lua', source);
  });

  it('sort: random arrays and comparators, consistent or not (400 cases)', function () {
    if (!haveLua) this.skip();
    const r = rng(0x50f7 + SEED);
    let source = PRELUDE + `
local function run(t, cmp)
  local log = {}
  local f = cmp and function(a, b) local res = cmp(a, b) log[#log + 1] = (res and '<' or '.') return res end
  local ok, e = pcall(table.sort, t, f)
  local out = {}
  for i = 1, #t do out[i] = tostring(t[i]) end
  show(ok, e, table.concat(out, ','), table.concat(log))
end
local cmps = {
  false,
  function(a, b) return a > b end,
  function(a, b) return a <= b end,
  function(a, b) return true end,
  function(a, b) return false end,
  function(a, b) return (a + b) % 3 == 0 end,
  function(a, b) return a % 5 < b % 5 end,
  function(a, b) if a == 7 then error('seven') end return a < b end,
}
`;
    for (let i = 0; i < 400 * SCALE; i++) {
      const n = Math.floor(r() * (r() < 0.8 ? 20 : 100));
      const values: number[] = [];
      for (let k = 0; k < n; k++) values.push(Math.floor(r() * (r() < 0.5 ? 10 : 1000)));
      const cmp = Math.floor(r() * 8);
      source += `run({${values.join(',')}}, cmps[${cmp + 1}] or nil)\n`;
    }
    compareGenerated('random_sort.lua', source);
  });

  it('utf8 and os.date: random byte strings and times (600 cases)', function () {
    if (!haveLua) this.skip();
    const r = rng(0x0f80 + SEED);
    let source = PRELUDE + `
local function codes(s) local out = {} for p, c in utf8.codes(s) do out[#out + 1] = p .. ':' .. c end return table.concat(out, ' ') end
`;
    const pieces = ['a', '\xc3\xa9', '\xe2\x82\xac', '\xf0\x9f\x98\x80', '\x80', '\xff', '\xc3', '\xe2\x82', '\xf4\x90\x80\x80', '\xc0\x80', '\xed\xa0\x80', '\0'];
    const formats = ['%c', '%x %X', '%Y-%m-%d %H:%M:%S', '%a %A %b %B', '%j %U %W %V %G %g %u %w', '%I %p %r %R %T %D %e %F', '%C %y %EY %Od %%', '*t'];
    for (let i = 0; i < 600 * SCALE; i++) {
      let text = '';
      const n = Math.floor(r() * 6);
      for (let k = 0; k < n; k++) text += pieces[Math.floor(r() * pieces.length)];
      const lit = '"' + text + '"';
      const i1 = Math.floor(r() * 12) - 4;
      const i2 = Math.floor(r() * 12) - 4;
      source += `show(${i}, pcall(utf8.len, ${lit}), pcall(utf8.len, ${lit}, ${i1}, ${i2}))\n`;
      source += `show(pcall(utf8.codepoint, ${lit}, ${i1}, ${i2}))\n`;
      source += `show(pcall(utf8.offset, ${lit}, ${i1}, ${i2}), pcall(codes, ${lit}))\n`;
      const t = Math.floor((r() - 0.3) * 2 ** (r() * 40));
      const f = formats[Math.floor(r() * formats.length)];
      if (f === '*t') source += `do local d = os.date('!*t', ${t}) show(d.year, d.month, d.day, d.hour, d.min, d.sec, d.wday, d.yday, d.isdst) end\n`;
      else source += `show(pcall(os.date, '!${f}', ${t}))\n`;
    }
    compareGenerated('random_utf8_date.lua', source);
  });
});

after(() => {
  // STDLIB_TEST_KEEP=1 keeps the generated programs for a look.
  if (process.env.STDLIB_TEST_KEEP) console.log(`generated programs kept in ${workDir}`);
  else fs.rmSync(workDir, { recursive: true, force: true });
});
