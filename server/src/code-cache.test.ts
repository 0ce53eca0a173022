// The built command (server/dist, `npm run build`) in child processes: each command loads only
// the parts it needs (seen through the code cache, which holds one file per part loaded), the
// cache is written once and used after (again once, when its writer stopped early), and a damaged
// cache is refused by V8 and written again without changing what the command does. The
// contract's declared schemas are compiled once (ajv loaded) and their validators kept beside the
// code cache, so that later starts load no ajv; the contract found valid is kept too, so that they
// load no contract validator either.
import { strict as assert } from 'assert';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

const root = path.join(__dirname, '..', '..');
const CLI = path.join(root, 'server/dist/sandlua.js');

describe('sandlua start-up: parts and code cache', function () {
  this.timeout(60_000);
  let tmp: string;
  let cacheHome: string;
  let cacheFolder: string;
  let schemaFolder: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-code-cache-'));
    cacheHome = path.join(tmp, 'cache');
    cacheFolder = path.join(cacheHome, 'sandlua', 'code');
    schemaFolder = path.join(cacheHome, 'sandlua', 'schemas');
    fs.writeFileSync(path.join(tmp, 'sandlua.json'), JSON.stringify({
      name: 'start', scripts: ['*.lua'],
      input: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
      output: { type: 'object', properties: { total: { type: 'integer' } } },
    }));
    fs.writeFileSync(path.join(tmp, 'small.lua'), 'return { total = input.n + 1 }\n');
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function sandlua(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const run = spawnSync(process.execPath, [CLI, ...args], { cwd: tmp, encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cacheHome, SANDLUA_CODE_CACHE: '' } });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  }
  const cached = (): string[] => (fs.existsSync(cacheFolder) ? fs.readdirSync(cacheFolder).sort() : []);

  it('--version loads no part', () => {
    const run = sandlua('--version');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^sandlua \d/);
    assert.deepEqual(cached(), []);
  });

  // A cache file is named PART-FOLDER-COMMAND-KEY.v8 (the folder's hash keeps installs apart,
  // and each command has its own). The parts cached, for one command or all.
  const parts = (command?: string): string[] => cached()
    .filter((f) => command === undefined || f.includes(`-${command}-`))
    .map((f) => f.replace(/-[0-9a-f]+-[a-z]+-[0-9a-f]+\.v8$/, ''));
  const fileOf = (part: string, command: string): string => path.join(cacheFolder, cached().find((f) => f.startsWith(`${part}-`) && f.includes(`-${command}-`))!);

  it('run loads the runtime (not the analysis), the contract validator and ajv (the contract declares schemas, no pattern) and runs the same from the cache', () => {
    const first = sandlua('run', 'small.lua', '--input', '{"n":41}');
    assert.equal(first.status, 0, first.stderr);
    assert.deepEqual(JSON.parse(first.stdout), { total: 42 });
    assert.deepEqual(parts(), ['sandlua-ajv', 'sandlua-runtime', 'sandlua-validator']);
    // The input's and the output's validators (and their properties'), kept, and the contract found valid.
    assert.ok(fs.readdirSync(schemaFolder).filter((f) => /^schema-[0-9a-f]+\.js$/.test(f)).length >= 2);
    assert.equal(fs.readdirSync(schemaFolder).filter((f) => /^contract-[0-9a-f]+$/.test(f)).length, 1);
    const engine = fileOf('sandlua-runtime', 'run');
    const ajv = fileOf('sandlua-ajv', 'run');
    const written = fs.statSync(engine).mtimeMs;
    const ajvWritten = fs.statSync(ajv).mtimeMs;
    const second = sandlua('run', 'small.lua', '--input', '{"n":1}');
    assert.deepEqual(JSON.parse(second.stdout), { total: 2 });
    assert.equal(fs.statSync(engine).mtimeMs, written, 'a cache V8 accepted is not written again');
    assert.equal(fs.statSync(ajv).mtimeMs, ajvWritten);
    // What the kept validators say is what ajv says.
    const wrong = sandlua('run', 'small.lua', '--input', '{"n":"x"}');
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr + wrong.stdout, /input\.n must be an integer, not a string/);
  });

  it('check loads no language server, debug adapter, formatter, ajv or contract validator (the validators and the contract were kept), and keeps a cache of its own beside run\'s', () => {
    const runEngine = fileOf('sandlua-runtime', 'run');
    const runWritten = fs.statSync(runEngine).mtimeMs;
    const run = sandlua('check', 'small.lua');
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.deepEqual(parts('check'), ['sandlua-engine', 'sandlua-runtime']);
    // Each holds what its own command compiled: run's is used again as it was.
    assert.equal(sandlua('run', 'small.lua', '--input', '{"n":3}').status, 0);
    assert.equal(fs.statSync(runEngine).mtimeMs, runWritten, "check's start did not replace run's cache");
    assert.deepEqual(parts(), ['sandlua-ajv', 'sandlua-engine', 'sandlua-runtime', 'sandlua-runtime', 'sandlua-validator']);
  });

  it('run with everything kept (the contract found valid, its schemas\' validators) loads the runtime alone', () => {
    const runEngine = fileOf('sandlua-runtime', 'run');
    fs.rmSync(cacheFolder, { recursive: true, force: true });
    const run = sandlua('run', 'small.lua', '--input', '{"n":6}');
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { total: 7 });
    assert.deepEqual(parts('run'), ['sandlua-runtime']);
    assert.ok(fs.existsSync(runEngine));
  });

  it('a damaged cache is refused and written again; the command is unchanged', () => {
    const full = fileOf('sandlua-runtime', 'run');
    const garbage = Buffer.alloc(fs.statSync(full).size, 0x5a);
    fs.writeFileSync(full, garbage);
    const run = sandlua('run', 'small.lua', '--input', '{"n":"x"}');
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stderr + run.stdout, /must be an integer/);
    assert.notDeepEqual(fs.readFileSync(full), garbage, 'the refused cache was written again');
    // A cache named as before commands had their own (PART-FOLDER-KEY.v8) goes when the part is written.
    const old = full.replace(/-run-[0-9a-f]+\.v8$/, '-0123abcd.v8');
    fs.writeFileSync(old, garbage);
    fs.writeFileSync(full, garbage);
    assert.equal(sandlua('run', 'small.lua', '--input', '{"n":4}').status, 0);
    assert.equal(fs.existsSync(old), false, 'the old-style cache was dropped');
  });

  it("the package's command loads @sandlua/lua's bundle, cached beside the repository's own", () => {
    fs.rmSync(cacheFolder, { recursive: true, force: true });
    fs.rmSync(schemaFolder, { recursive: true, force: true });
    assert.equal(sandlua('run', 'small.lua', '--input', '{"n":1}').status, 0);
    const own = cached();
    // Compiled again by the package's engine (its own ajv part), not taken from the repository's.
    fs.rmSync(schemaFolder, { recursive: true, force: true });
    const pkg = path.join(root, 'packages/sandlua/bin/sandlua.js');
    const run = spawnSync(process.execPath, [pkg, 'run', 'small.lua', '--input', '{"n":5}'], { cwd: tmp, encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cacheHome, SANDLUA_CODE_CACHE: '' } });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { total: 6 });
    // The runtime, ajv and the contract validator again, from lua/dist (the package's engine), and the repository's kept.
    assert.deepEqual(parts('run'), ['sandlua-ajv', 'sandlua-ajv', 'sandlua-runtime', 'sandlua-runtime', 'sandlua-validator', 'sandlua-validator']);
    for (const file of own) assert.ok(cached().includes(file), `${file} was kept`);
  });

  it('a cache written by a command that stopped early is written again by the first that ends well, once', () => {
    fs.rmSync(cacheFolder, { recursive: true, force: true });
    const refused = sandlua('run', 'small.lua', '--input', '{"n":"x"}');
    assert.equal(refused.status, 1, refused.stdout + refused.stderr);
    const file = fileOf('sandlua-runtime', 'run');
    // The first byte says whether the command that wrote the cache ended with exit code 0.
    const early = fs.readFileSync(file);
    assert.equal(early[0], 0);
    assert.deepEqual(JSON.parse(sandlua('run', 'small.lua', '--input', '{"n":1}').stdout), { total: 2 });
    const complete = fs.readFileSync(file);
    assert.equal(complete[0], 1);
    assert.ok(complete.length > early.length, `the whole run compiled more (${complete.length} bytes against ${early.length})`);
    const written = fs.statSync(file).mtimeMs;
    assert.equal(sandlua('run', 'small.lua', '--input', '{"n":"y"}').status, 1);
    assert.deepEqual(JSON.parse(sandlua('run', 'small.lua', '--input', '{"n":2}').stdout), { total: 3 });
    assert.equal(fs.statSync(file).mtimeMs, written, 'a complete cache is not written again');
  });

  it("writing a cache drops other installs' caches unused for 30 days, then the least recently used past 64 MB", () => {
    fs.rmSync(cacheFolder, { recursive: true, force: true });
    fs.mkdirSync(cacheFolder, { recursive: true });
    const day = 24 * 60 * 60;
    const now = Date.now() / 1000;
    // Caches of installs in folders that went away (their own folder hash), used N days ago.
    const other = (name: string, daysAgo: number, bytes = 1000): string => {
      const file = path.join(cacheFolder, `sandlua-runtime-${name}-run-0badc0de.v8`);
      fs.writeFileSync(file, Buffer.alloc(bytes));
      fs.utimesSync(file, now - daysAgo * day, now - daysAgo * day);
      return file;
    };
    const stale = other('00000001', 40);
    const recent = other('00000002', 2);
    // Four of 25 MB (sparse), used 3 to 6 days ago: with the new caches, only the two most recent fit.
    const big = [3, 4, 5, 6].map((days, i) => {
      const file = other(`0000001${i}`, days);
      fs.truncateSync(file, 25 * 1024 * 1024);
      fs.utimesSync(file, now - days * day, now - days * day);
      return file;
    });
    const unrelated = path.join(cacheFolder, 'notes.txt');
    fs.writeFileSync(unrelated, 'kept');
    fs.utimesSync(unrelated, now - 90 * day, now - 90 * day);
    assert.equal(sandlua('run', 'small.lua', '--input', '{"n":2}').status, 0);
    assert.equal(fs.existsSync(stale), false, 'unused for 40 days: dropped');
    assert.ok(fs.existsSync(recent), 'used 2 days ago: kept');
    assert.deepEqual(big.map((f) => fs.existsSync(f)), [true, true, false, false], 'the least recently used go past 64 MB');
    assert.ok(fs.existsSync(unrelated), 'only cache files are pruned');
    const own = cached().filter((f) => !f.endsWith('-0badc0de.v8') && f.endsWith('.v8'));
    assert.ok(own.some((f) => f.startsWith('sandlua-runtime-')), "this run's cache was written and kept");
  });

  /** A language server session: the script opened, its first diagnostics' messages, then shutdown and exit. */
  async function lspDiagnostics(text: string): Promise<string[]> {
    const server = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { cwd: tmp, stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, XDG_CACHE_HOME: cacheHome, SANDLUA_CODE_CACHE: '' } });
    const connection = createMessageConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
    const uri = pathToFileURL(path.join(tmp, 'small.lua')).href;
    const published = new Promise<string[]>((resolve) => {
      connection.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: { message: string }[] }) => {
        if (p.uri === uri) resolve(p.diagnostics.map((d) => d.message));
      });
    });
    connection.onRequest('workspace/configuration', () => [{}]);
    connection.listen();
    await connection.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(tmp).href, capabilities: {} });
    await connection.sendNotification('initialized', {});
    await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'lua', version: 1, text } });
    const messages = await published;
    const exited = new Promise((resolve) => server.on('exit', resolve));
    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
    await exited;
    connection.dispose();
    return messages;
  }

  it("lsp keeps the declared schemas' validators too: a server's first diagnostics then load no ajv", async () => {
    fs.rmSync(cacheFolder, { recursive: true, force: true });
    fs.rmSync(schemaFolder, { recursive: true, force: true });
    const text = 'return { total = input.n .. "" }\n';
    const first = await lspDiagnostics(text);
    assert.ok(first.some((m) => /total/.test(m)), first.join('; '));
    assert.ok(parts('lsp').includes('sandlua-ajv'), 'the first server compiled the schemas');
    assert.ok(fs.readdirSync(schemaFolder).some((f) => /^schema-[0-9a-f]+\.js$/.test(f)), 'and kept their validators');
    fs.rmSync(cacheFolder, { recursive: true, force: true });
    assert.deepEqual(await lspDiagnostics(text), first);
    assert.equal(parts('lsp').includes('sandlua-ajv'), false, parts('lsp').join(', '));
  });

  it('SANDLUA_CODE_CACHE=0 neither reads nor writes a cache', () => {
    fs.rmSync(cacheFolder, { recursive: true, force: true });
    fs.rmSync(schemaFolder, { recursive: true, force: true });
    const run = spawnSync(process.execPath, [CLI, 'run', 'small.lua', '--input', '{"n":2}'], { cwd: tmp, encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cacheHome, SANDLUA_CODE_CACHE: '0' } });
    assert.deepEqual(JSON.parse(run.stdout), { total: 3 });
    assert.deepEqual(cached(), []);
    assert.equal(fs.existsSync(schemaFolder), false);
  });
});
