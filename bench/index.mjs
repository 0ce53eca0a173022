// `npm run bench:index`: the language server's workspace index as an editor meets it, through its
// JSON-RPC connection (the bundled `sandlua lsp --stdio`): time from `initialized` to the end of
// the indexing progress, the server's memory with the workspace indexed, and workspace/symbol and
// references latency. The tree is generated (900 files of rules, modules and specs, ~5 MB), or with
// `--corpus DIR` a tree of real-world Lua fetched beforehand (never committed). Prints figures;
// asserts nothing. Target: under 150 MB of server memory with ~900 real-world files indexed.
import { createRequire } from 'module';
import { spawn } from 'child_process';
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync, rmSync, existsSync } from 'fs';
import { tmpdir } from 'os';
import { join, dirname, resolve } from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import { performance } from 'perf_hooks';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');
const CLI = join(root, 'server/dist/sandlua.js');

const corpusAt = process.argv.indexOf('--corpus');
const corpus = corpusAt > 0 ? resolve(process.argv[corpusAt + 1]) : undefined;
if (corpus && !existsSync(corpus)) throw new Error(`--corpus: no folder ${corpus}`);

function generatedTree() {
  const dir = mkdtempSync(join(tmpdir(), 'sandlua-bench-index-'));
  for (const sub of ['lib', 'rules', 'spec']) mkdirSync(join(dir, sub));
  for (let m = 0; m < 100; m++) {
    const fns = Array.from({ length: 40 }, (_, i) => `--- Helper ${i} of module ${m}.\nfunction M.helper${i}(value, options)\n  local out = {}\n  for k, v in pairs(options or {}) do out[k] = tostring(v) .. value end\n  return out, #out\nend\n`).join('\n');
    writeFileSync(join(dir, 'lib', `mod${m}.lua`), `local M = {}\n\n${fns}\nreturn M\n`);
  }
  for (let r = 0; r < 600; r++) {
    const calls = Array.from({ length: 60 }, (_, i) => `  local a${i}, n${i} = mod${(r + i) % 100}.helper${i % 40}(name, { k = ${i} })`).join('\n');
    writeFileSync(join(dir, 'rules', `rule${r}.lua`), `local mod${r % 100} = require("lib.mod${r % 100}")\nlocal function run(name)\n${calls}\n  return n1\nend\nreturn run("x")\n`);
  }
  for (let s = 0; s < 200; s++) {
    const cases = Array.from({ length: 25 }, (_, i) => `  it("case ${i}", function()\n    assert.are.equal(${i}, helper(${i}))\n  end)`).join('\n');
    writeFileSync(join(dir, 'spec', `spec${s}_spec.lua`), `local function helper(x) return x end\ndescribe("suite ${s}", function()\n${cases}\nend)\n`);
  }
  return dir;
}

const ws = corpus ?? generatedTree();
const server = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const connection = createMessageConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
let ended;
const indexed = new Promise((resolve) => (ended = resolve));
connection.onNotification('$/progress', (p) => { if (p.value.kind === 'end') ended(); });
connection.onNotification('textDocument/publishDiagnostics', () => undefined);
connection.onRequest('window/workDoneProgress/create', () => null);
connection.onRequest('client/registerCapability', () => null);
connection.onRequest('workspace/configuration', () => [{}]);
connection.listen();
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))[1]) * 1024;
const uri = pathToFileURL(ws).href;
await connection.sendRequest('initialize', { processId: process.pid, rootUri: uri, workspaceFolders: [{ uri, name: 'ws' }], capabilities: { window: { workDoneProgress: true } } });
const before = rss();
const t0 = performance.now();
await connection.sendNotification('initialized', {});
await indexed;
const indexMs = performance.now() - t0;
// Memory once what the indexing left is collected (a few idle turns).
await new Promise((r) => setTimeout(r, 1500));
const after = rss();

const times = async (rounds, f) => {
  const out = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await f(i);
    out.push(performance.now() - t);
  }
  out.sort((a, b) => a - b);
  return { median: out[out.length >> 1], p95: out[Math.floor(out.length * 0.95)] };
};
const queries = ['helper', 'run', 'parse', 'new', 'x', 'tostr', 'get_value', 'M.h'];
let found = 0;
const symbols = await times(40, async (i) => { found += (await connection.sendRequest('workspace/symbol', { query: queries[i % queries.length] })).length; });
await connection.sendRequest('shutdown');
await connection.sendNotification('exit');
if (!corpus) rmSync(ws, { recursive: true, force: true });

const row = (label, value, note = '') => console.log(`${label.padEnd(44)} ${value.padStart(12)}   ${note}`);
console.log(`workspace index (real JSON-RPC connection to sandlua lsp --stdio), ${corpus ? `corpus ${corpus}` : 'generated tree (900 files)'}\n`);
row('indexing (initialized → progress end)', `${(indexMs / 1000).toFixed(2)} s`);
row('server memory, workspace indexed (RSS)', `${(after / 1048576).toFixed(0)} MB`, `from ${(before / 1048576).toFixed(0)} MB before indexing (target < 150 MB)`);
row('workspace/symbol (median)', `${symbols.median.toFixed(2)} ms`, `p95 ${symbols.p95.toFixed(2)} ms; ${Math.round(found / 40)} results per query`);
