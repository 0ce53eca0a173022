// `npm run bench:lsp`: the language server as an editor uses it, through its JSON-RPC connection
// (the bundled `sandlua lsp --stdio`), and the CLI on a large tree. Prints figures; asserts nothing.
//   - didChange → publishDiagnostics on a 100-line and a 10,000-line script (targets 5 / 50 ms): a
//     space typed in the middle and deleted again, as an editor sends it (an incremental change).
//     The scripts are rule functions and a main part, as large scripts are written; a second
//     10,000-line shape, all top-level locals, is invalid Lua (over the 200-locals limit, 100
//     syntax errors) and shows the server on a file full of errors.
//     The same edit on the 10,000-line script sent as the whole text (no range), as some clients do.
//   - completion latency on the 10,000-line scripts (target p95 < 10 ms)
//   - `sandlua check` of 1,000 scripts under a contract (target < 3 s)
//   - server memory with 1,000 scripts open (target < 150 MB; LuaLS holds about 1 MB per file)
import { createRequire } from 'module';
import { spawn, spawnSync } from 'child_process';
import { mkdtempSync, writeFileSync, copyFileSync, rmSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, dirname } from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import { performance } from 'perf_hooks';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');
const CLI = join(root, 'server/dist/sandlua.js');

const ws = mkdtempSync(join(tmpdir(), 'sandlua-bench-lsp-'));
copyFileSync(join(root, 'examples/invoice-normalizer/sandlua.json'), join(ws, 'sandlua.json'));
const example = readFileSync(join(root, 'examples/invoice-normalizer/normalize.lua'), 'utf8');

// A script of top-level statements only: 10,000 of them would declare far more than Lua's 200
// locals per function (luac rejects it; the parser reports it, capped at 100 errors).
function flatScript(lines) {
  const out = ['local raw = input.vendor_name', 'local canonical = lookup_vendor_alias(raw)'];
  for (let i = 0; out.length < lines - 1; i++) {
    out.push(`local v${i} = string.format("%d", ${i}) .. raw:lower()`);
    if (i % 10 === 9) out.push(`if #v${i} > 3 then tools.emit_review_note(v${i}) end`);
  }
  out.push('return { normalized_vendor = canonical or raw, confidence = 0.5 }');
  return out.join('\n') + '\n';
}

// A script as large ones are written: a table of rule functions, then the main part (valid Lua,
// clean under the contract).
function rulesScript(lines) {
  const out = ['-- Vendor rules, one function per rule.', 'local rules = {}', ''];
  let n = 0;
  while (out.length + 14 < lines - 7) {
    out.push(
      `function rules.rule${n}(words, factor)`,
      '  local total, seen = 0, {}',
      '  for k, word in ipairs(words) do',
      '    local name = string.lower(word):gsub("[%p]", "")',
      `    if #name > ${n % 7} and not seen[name] then`,
      '      seen[name] = true',
      '      total = total + #name * factor',
      '    elseif name == "" then',
      `      tools.emit_review_note("empty word " .. k .. " in rule ${n}")`,
      '    end',
      '  end',
      '  return total, string.format("%d words", #words)',
      'end',
      '',
    );
    n++;
  }
  out.push('local raw = input.vendor_name', 'local canonical = lookup_vendor_alias(raw)', 'local words = {}',
    'for w in raw:gmatch("%S+") do words[#words + 1] = w end', 'local score = 0',
    `for i = 0, ${n - 1} do score = score + rules["rule" .. i](words, 0.5) end`);
  while (out.length < lines - 1) out.push('score = score + 1');
  out.push('return { normalized_vendor = canonical or raw, confidence = score / (score + 1) }');
  return out.join('\n') + '\n';
}

const server = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const connection = createMessageConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
const waiting = new Map();
connection.onNotification('textDocument/publishDiagnostics', (p) => {
  const w = waiting.get(p.uri);
  if (w && p.version === w.version) { waiting.delete(p.uri); w.resolve(); }
});
connection.onRequest('workspace/configuration', () => [{}]);
connection.listen();
await connection.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(ws).href, workspaceFolders: [{ uri: pathToFileURL(ws).href, name: 'ws' }], capabilities: {} });
await connection.sendNotification('initialized', {});

function published(uri, version) {
  return new Promise((resolve) => waiting.set(uri, { version, resolve }));
}

// whole: the change is sent as the whole new text (no range), as some clients do (Neovim with
// allow_incremental_sync = false, clients that sync Full).
async function editLatency(name, text, rounds, whole = false) {
  const file = join(ws, `${name}.lua`);
  const uri = pathToFileURL(file).href;
  const lines = text.split('\n').length - 1;
  writeFileSync(file, text);
  let version = 1;
  let done = published(uri, version);
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'lua', version, text } });
  await done;
  const times = [];
  const line = Math.floor(lines / 2);
  const middle = text.split('\n').slice(0, line).join('\n').length + 1;
  const spaced = text.slice(0, middle) + ' ' + text.slice(middle);
  for (let i = 0; i < rounds; i++) {
    version++;
    // Type one character in the middle of the file (an incremental change, as editors send it).
    done = published(uri, version);
    const t0 = performance.now();
    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      // Type a space, then delete it.
      contentChanges: whole
        ? [{ text: i % 2 ? text : spaced }]
        : [{ range: { start: { line, character: 0 }, end: { line, character: i % 2 } }, text: i % 2 ? '' : ' ' }],
    });
    await done;
    times.push(performance.now() - t0);
  }
  return { uri, times, lines: text.split('\n') };
}

async function completionLatency(uri, lines, rounds) {
  const times = [];
  for (let i = 0; i < rounds; i++) {
    const line = Math.floor(lines.length / 3) + (i % 50);
    const t0 = performance.now();
    await connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line, character: 0 } });
    times.push(performance.now() - t0);
  }
  return times;
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[s.length >> 1], p95: s[Math.floor(s.length * 0.95)] };
};

// 1,000 scripts open.
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))[1]) * 1024;
const before = rss();
for (let i = 0; i < 1000; i++) {
  const file = join(ws, `open${i}.lua`);
  const text = example.replace('confidence = 0.6', `confidence = 0.${i % 10}`);
  const uri = pathToFileURL(file).href;
  const done = published(uri, 1);
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'lua', version: 1, text } });
  await done;
}
const openMemory = rss();
await editLatency('warm', rulesScript(100), 20);
const small = await editLatency('rules100', rulesScript(100), 100);
const large = await editLatency('rules10000', rulesScript(10000), 60);
const flat = await editLatency('flat10000', flatScript(10000), 60);
const whole = await editLatency('whole10000', rulesScript(10000), 60, true);
const completion = await completionLatency(large.uri, large.lines, 100);
const flatCompletion = await completionLatency(flat.uri, flat.lines, 100);

await connection.sendRequest('shutdown');
await connection.sendNotification('exit');

// The CLI on 1,000 scripts (the same files, on disk).
const tree = join(ws, 'tree');
spawnSync('mkdir', ['-p', tree]);
copyFileSync(join(root, 'examples/invoice-normalizer/sandlua.json'), join(tree, 'sandlua.json'));
for (let i = 0; i < 1000; i++) writeFileSync(join(tree, `s${i}.lua`), example);
const t0 = performance.now();
const check = spawnSync(process.execPath, [CLI, 'check', tree, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
const checkMs = performance.now() - t0;
if (check.status !== 0) console.error(check.stderr);
rmSync(ws, { recursive: true, force: true });

const row = (label, value, target) => console.log(`${label.padEnd(50)} ${value.padStart(16)}   ${target}`);
const ms = (x) => `${x.toFixed(2)} ms`;
console.log('language server benchmark (real JSON-RPC connection to sandlua lsp --stdio)\n');
row('didChange → diagnostics, 100-line script (median)', ms(stats(small.times).median), `p95 ${ms(stats(small.times).p95)} (target < 5 ms)`);
row('didChange → diagnostics, 10,000-line script', ms(stats(large.times).median), `p95 ${ms(stats(large.times).p95)} (target < 50 ms)`);
row('  10,000 top-level locals (100 syntax errors)', ms(stats(flat.times).median), `p95 ${ms(stats(flat.times).p95)}`);
row('  whole-text change (the same edit, no range)', ms(stats(whole.times).median), `p95 ${ms(stats(whole.times).p95)} (target < 20 ms median)`);
row('completion, 10,000-line script (median)', ms(stats(completion).median), `p95 ${ms(stats(completion).p95)} (target p95 < 10 ms)`);
row('  10,000 top-level locals', ms(stats(flatCompletion).median), `p95 ${ms(stats(flatCompletion).p95)}`);
row('sandlua check of 1,000 scripts', `${(checkMs / 1000).toFixed(2)} s`, 'target < 3 s');
row('server memory with 1,000 scripts open (RSS)', `${(openMemory / 1048576).toFixed(0)} MB`, `from ${(before / 1048576).toFixed(0)} MB at start: ${((openMemory - before) / 1000 / 1024).toFixed(0)} KB per script (target < 150 MB; LuaLS ~1 MB per file)`);
