// The packages as a user gets them: `npm pack` of `@sandlua/lua` (lua/) and `sandlua`
// (packages/sandlua/, built by `npm run build`), both installed into an empty project outside the
// repository (their dependencies from the registry, as a user's install would), then the installed
// command (`--version`, `check`, `run`, `dap`, and `lsp --stdio` under Neovim headless) and an ES
// module and a CommonJS program that embed the engine. Under CI=true a missing `nvim` fails the run
// (the test command installs it).
import { strict as assert } from 'assert';
import { spawn, spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assertContractFeatures, type NvimResult } from './neovim/result';

const root = path.join(__dirname, '..', '..');
const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;

// The child npm must not take the repository for its project when `npm test` runs this file (npm
// passes its own project to scripts as npm_config_local_prefix); the user's npm settings stay.
const env: NodeJS.ProcessEnv = {};
for (const [name, value] of Object.entries(process.env)) {
  if (!/^(npm_config_local_prefix|npm_package_.*|npm_lifecycle_.*|npm_command|INIT_CWD)$/i.test(name)) env[name] = value;
}

function run(command: string, args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env: { ...env, ...extra }, encoding: 'utf8', timeout: 120000 });
  if (result.error) throw result.error;
  return result;
}

function ok(result: SpawnSyncReturns<string>, what: string): string {
  assert.equal(result.status, 0, `${what} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

// The installed `sandlua` as a user runs it; `--no` refuses to fetch one if the install lacked it.
function sandlua(project: string, ...args: string[]): SpawnSyncReturns<string> {
  return run('npx', ['--no', '--', 'sandlua', ...args], project);
}

const EMBED_SCRIPT = 'local doubled = double(input.x)\nprint("doubling " .. input.x)\nreturn { doubled = doubled }\n';
const EMBED_CONTRACT = {
  name: 'doubler', version: '1.0.0', purpose: 'Doubles a number through the host.',
  input: { type: 'object', properties: { x: { type: 'number' } }, required: ['x'] },
  output: { type: 'object', properties: { doubled: { type: 'number' } }, required: ['doubled'] },
  host: { double: { params: [{ name: 'x', type: 'number' }], returns: 'number' } },
};
// The same program twice, once per module system: parse the script, run it in a Sandbox under a
// contract with a host function, and on a SandboxPool's worker threads (its worker file loaded from
// the installed package), print what came out.
function embedProgram(importLine: string, wrap: (body: string) => string): string {
  return `${importLine}
const source = ${JSON.stringify(EMBED_SCRIPT)};
const contractText = ${JSON.stringify(JSON.stringify(EMBED_CONTRACT))};
${wrap(`const parsed = parse(source, { name: 'double.lua' });
  const { manifest, problems } = parseManifest(contractText, 'sandlua.json');
  const printed = [];
  const sandbox = new Sandbox({ manifest, host: { double: async (x) => x * 2 }, stdout: (text) => printed.push(text) });
  const result = await sandbox.run(source, { x: 21 }, { name: 'double.lua' });
  const poolPrinted = [];
  const pool = new SandboxPool({ manifest, host: { double: async (x) => x * 2 }, threads: 2, stdout: (text) => poolPrinted.push(text) });
  const pooled = await Promise.all([1, 2, 3].map((x) => pool.run(source, { x }, { name: 'double.lua' })));
  await pool.destroy();
  console.log(JSON.stringify({ statements: parsed.chunk.body.body.length, syntaxErrors: parsed.diagnostics.length, contractProblems: problems.length, ok: result.ok, output: result.output, printed: printed.join(''),
    pooled: pooled.map((r) => r.ok && r.output), poolPrinted: poolPrinted.sort().join(''), workersLeft: pool.workers }));`)}
`;
}
const EMBED_EXPECTED = {
  statements: 3, syntaxErrors: 0, contractProblems: 0, ok: true, output: { doubled: 42 },
  printed: 'doubling 21\n', pooled: [{ doubled: 2 }, { doubled: 4 }, { doubled: 6 }],
  // The pooled runs' output comes in the order the workers ran them: sorted.
  poolPrinted: 'doubling 1\ndoubling 2\ndoubling 3\n', workersLeft: 0,
};

describe('packages (npm pack, installed in an empty project outside the repository)', function () {
  this.timeout(180000);
  let temp = '';
  let project = '';
  const tarballs: { name: string; version: string; filename: string; files: { path: string }[] }[] = [];

  before(function () {
    assert.ok(fs.existsSync(path.join(root, 'packages', 'sandlua', 'dist', 'sandlua.js')), 'packages/sandlua is not built: run `npm run build`');
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-packages-'));
    const packed = ok(run('npm', ['pack', '--json', path.join(root, 'lua'), path.join(root, 'packages', 'sandlua')], temp), 'npm pack');
    tarballs.push(...JSON.parse(packed) as typeof tarballs);
    project = path.join(temp, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'sandlua-user', version: '1.0.0', private: true }, null, 2));
    ok(run('npm', ['install', '--no-audit', '--no-fund', ...tarballs.map((t) => path.join(temp, t.filename))], project), 'npm install');
    // The user's scripts: the example, and one with a call its contract does not grant.
    fs.cpSync(path.join(root, 'examples', 'invoice-normalizer'), path.join(project, 'invoice'), { recursive: true });
    fs.mkdirSync(path.join(project, 'bad'));
    fs.copyFileSync(path.join(root, 'examples', 'invoice-normalizer', 'sandlua.json'), path.join(project, 'bad', 'sandlua.json'));
    fs.writeFileSync(path.join(project, 'bad', 'bad.lua'), 'os.execute("ls")\nreturn { normalized_vendor = "x" }\n');
  });

  after(function () {
    if (temp) fs.rmSync(temp, { recursive: true, force: true });
  });

  it('packs both packages at the root version, with built code and types only', function () {
    assert.deepEqual(tarballs.map((t) => `${t.name}@${t.version}`), [`@sandlua/lua@${version}`, `sandlua@${version}`]);
    const [engine, cli] = tarballs;
    const files = engine.files.map((f) => f.path);
    assert.deepEqual(files.filter((f) => /\.test\.|\/testing\/|fixtures|\.map$|\.ts$/.test(f) && !f.endsWith('.d.ts')), []);
    assert.deepEqual(files.filter((f) => !['package.json', 'README.md', 'LICENSE'].includes(f) && !/^out\/.*(\.js|\.d\.ts|\.mjs)$/.test(f) && !/^dist\/[a-z0-9-]+\.js$/.test(f)), []);
    // The build (out/) and its bundle (dist/: the runtime and the engine, their ajv, re2js and validator parts, the pool's worker).
    for (const entry of ['out/index.js', 'out/index.mjs', 'out/index.d.ts', 'out/runtime.js', 'out/runtime.mjs', 'out/runtime.d.ts', 'out/sandbox/sandbox.js', 'out/sandbox/pool-worker.js', 'out/analysis/checker.d.ts',
      'dist/sandlua-engine.js', 'dist/sandlua-runtime.js', 'dist/sandlua-ajv.js', 'dist/sandlua-re2js.js', 'dist/sandlua-validator.js', 'dist/pool-worker.js', 'dist/compile-worker.js', 'out/sandbox/compile-worker.js']) {
      assert.ok(files.includes(entry), `${entry} missing from ${files.join(', ')}`);
    }
    assert.deepEqual(cli.files.map((f) => f.path).sort(), ['LICENSE', 'README.md', 'bin/sandlua.js', 'dist/one_ini_bg.wasm', 'dist/sandlua-dap.js', 'dist/sandlua-fmt.js', 'dist/sandlua-lsp.js', 'dist/sandlua.js', 'dist/stylua_lib_bg.wasm', 'package.json']);
    const installed = JSON.parse(fs.readFileSync(path.join(project, 'node_modules', 'sandlua', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    assert.deepEqual(installed.dependencies, { '@sandlua/lua': version });
  });

  it('npx sandlua --version', function () {
    assert.equal(ok(sandlua(project, '--version'), 'sandlua --version'), `sandlua ${version}\n`);
  });

  it('npx sandlua check: the example passes, a forbidden call fails with its message', function () {
    assert.match(ok(sandlua(project, 'check', 'invoice'), 'check invoice'), /1 file checked: no problems/);
    const bad = sandlua(project, 'check', 'bad');
    assert.equal(bad.status, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /bad[\\/]bad\.lua:1:1: error: os\.execute is not granted by invoice-normalizer \(sandlua\.json\) \[forbidden\]/);
  });

  it('npx sandlua fmt --check: StyLua (WebAssembly beside the bundle) finds the unformatted script; fmt rewrites it', function () {
    // The repository's style, as a project keeps its own stylua.toml.
    fs.copyFileSync(path.join(root, 'stylua.toml'), path.join(project, 'stylua.toml'));
    try {
      assert.equal(ok(sandlua(project, 'fmt', '--check', 'invoice'), 'fmt --check invoice'), '');
      fs.mkdirSync(path.join(project, 'messy'), { recursive: true });
      fs.writeFileSync(path.join(project, 'messy', 'm.lua'), 'local  x=1\nif x then\nprint( x )\nend\n');
      const check = sandlua(project, 'fmt', '--check', 'invoice', 'messy');
      assert.equal(check.status, 1, check.stdout + check.stderr);
      assert.equal(check.stdout, 'messy/m.lua\n');
      ok(sandlua(project, 'fmt', 'messy'), 'fmt messy');
      assert.equal(fs.readFileSync(path.join(project, 'messy', 'm.lua'), 'utf8'), 'local x = 1\nif x then print(x) end\n');
      ok(sandlua(project, 'fmt', '--check', 'messy'), 'fmt --check messy after fmt');
    } finally {
      fs.rmSync(path.join(project, 'stylua.toml'));
    }
  });

  it('the README\'s CI step: npx sandlua check --format github annotates the forbidden call', function () {
    const ci = sandlua(project, 'check', 'invoice', 'bad', '--format', 'github');
    assert.equal(ci.status, 1, ci.stdout + ci.stderr);
    assert.match(ci.stdout, /^::error file=bad\/bad\.lua,line=1,.*os\.execute is not granted by invoice-normalizer/m);
  });

  it('the README\'s pre-commit hook (taken from the README) blocks a commit with a forbidden call and lets a clean one through', function () {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const hook = /As a pre-commit hook[^\n]*\n\n```sh\n([\s\S]*?)```/.exec(readme);
    assert.ok(hook, 'no pre-commit recipe in README.md');
    const git = (...args: string[]) => run('git', ['-c', 'user.name=Sandlua Test', '-c', 'user.email=test@sandlua.invalid', '-c', 'commit.gpgsign=false', ...args], project);
    ok(git('init', '-q'), 'git init');
    fs.writeFileSync(path.join(project, '.gitignore'), 'node_modules/\n');
    fs.writeFileSync(path.join(project, '.git', 'hooks', 'pre-commit'), hook[1], { mode: 0o755 });
    ok(git('add', '.gitignore', 'invoice', 'bad'), 'git add');
    const blocked = git('commit', '-q', '-m', 'with a forbidden call');
    assert.notEqual(blocked.status, 0, 'the hook let a forbidden call through');
    assert.match(blocked.stdout + blocked.stderr, /os\.execute is not granted by invoice-normalizer \(sandlua\.json\) \[forbidden\]/);
    ok(git('rm', '-q', '-r', '--cached', 'bad'), 'git rm');
    ok(git('commit', '-q', '-m', 'clean'), 'commit of clean scripts');
  });

  it('npx sandlua run: the example under its contract, with an input, as JSON', function () {
    const out = ok(sandlua(project, 'run', path.join('invoice', 'normalize.lua'), '--input', '{"vendor_name": "Globex Corporation"}', '--json'), 'run');
    const result = JSON.parse(out) as { ok: boolean; output: unknown };
    assert.equal(result.ok, true, out);
    assert.deepEqual(result.output, { normalized_vendor: 'Globex', confidence: 0.6 });
  });

  it('npx sandlua dap: a launch of the example runs to its end over the Debug Adapter Protocol', async function () {
    const child = spawn('npx', ['--no', '--', 'sandlua', 'dap'], { cwd: project, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const messages: { type: string; command?: string; event?: string; success?: boolean; body?: { output?: string; exitCode?: number } }[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        let seq = 0;
        const send = (command: string, args: unknown) => {
          const request = JSON.stringify({ seq: ++seq, type: 'request', command, arguments: args });
          child.stdin.write(`Content-Length: ${Buffer.byteLength(request)}\r\n\r\n${request}`);
        };
        let buffer = Buffer.alloc(0);
        let stderr = '';
        child.stderr.on('data', (data: Buffer) => { stderr += data.toString(); });
        child.on('exit', (code) => reject(new Error(`sandlua dap exited (${code}) before the run ended: ${stderr}\n${JSON.stringify(messages)}`)));
        child.stdout.on('data', (data: Buffer) => {
          buffer = Buffer.concat([buffer, data]);
          for (;;) {
            const match = /Content-Length: (\d+)\r\n\r\n/.exec(buffer.toString('latin1'));
            if (!match) return;
            const start = match.index + match[0].length;
            const length = Number(match[1]);
            if (buffer.length < start + length) return;
            const message = JSON.parse(buffer.subarray(start, start + length).toString()) as (typeof messages)[number];
            buffer = buffer.subarray(start + length);
            messages.push(message);
            if (message.event === 'initialized') send('configurationDone', {});
            if (message.event === 'terminated') resolve();
          }
        });
        send('initialize', { adapterID: 'sandlua', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
        send('launch', { program: path.join(project, 'invoice', 'normalize.lua'), input: { vendor_name: 'Globex Corporation' } });
      });
    } finally {
      child.kill();
    }
    for (const command of ['initialize', 'launch', 'configurationDone']) {
      assert.equal(messages.find((m) => m.command === command)?.success, true, `${command}: ${JSON.stringify(messages)}`);
    }
    const output = messages.filter((m) => m.event === 'output').map((m) => m.body?.output ?? '').join('');
    assert.match(output, /output: \{"normalized_vendor":"Globex","confidence":0\.6\}/);
    assert.equal(messages.find((m) => m.event === 'exited')?.body?.exitCode, 0);
  });

  it('npx sandlua lsp --stdio: Neovim\'s LSP client starts the installed bin as the README says', function () {
    if (spawnSync('nvim', ['--version']).status !== 0) {
      if (process.env.CI === 'true') assert.fail('nvim is required in CI (apt-get install neovim)');
      this.skip();
    }
    const ws = path.join(project, 'editor');
    fs.mkdirSync(ws);
    fs.copyFileSync(path.join(root, 'examples', 'invoice-normalizer', 'sandlua.json'), path.join(ws, 'sandlua.json'));
    const script = path.join(ws, 'script.lua');
    fs.writeFileSync(script, 'os.execute("ls")\nlocal v = lookup_vendor_alias(input.vendor_name)\nprint(v:upper())\ntools.\n');
    const out = path.join(ws, 'out.json');
    // The README's server command (`npx sandlua lsp --stdio`, `--no` so that nothing is fetched),
    // run in the user's project: the installed bin.
    const nvim = run('nvim', ['--headless', '-u', 'NONE', '-c', `luafile ${path.join(root, 'test', 'neovim', 'client.lua')}`], project, {
      SANDLUA_CMD: 'npx --no -- sandlua lsp --stdio', SANDLUA_WS: ws, SANDLUA_SCRIPT: script, SANDLUA_OUT: out,
    });
    assert.ok(fs.existsSync(out), `no result from nvim: ${nvim.stderr || nvim.stdout}`);
    assertContractFeatures(JSON.parse(fs.readFileSync(out, 'utf8')) as NvimResult);
  });

  it('an ES module program embeds @sandlua/lua (import)', function () {
    const program = path.join(project, 'embed.mjs');
    fs.writeFileSync(program, embedProgram("import { Sandbox, SandboxPool, parse, parseManifest } from '@sandlua/lua';", (body) => body.replace(/^ {2}/gm, '')));
    assert.deepEqual(JSON.parse(ok(run('node', [program], project), 'embed.mjs')), EMBED_EXPECTED);
  });

  it('a CommonJS program embeds @sandlua/lua (require)', function () {
    const program = path.join(project, 'embed.cjs');
    fs.writeFileSync(program, embedProgram("const { Sandbox, SandboxPool, parse, parseManifest } = require('@sandlua/lua');", (body) => `(async () => {\n  ${body}\n})();`));
    assert.deepEqual(JSON.parse(ok(run('node', [program], project), 'embed.cjs')), EMBED_EXPECTED);
  });

  it("a CommonJS program embeds @sandlua/lua's bundle (the engine the command loads; its pool's worker beside it)", function () {
    const program = path.join(project, 'embed-bundle.cjs');
    fs.writeFileSync(program, embedProgram("const { Sandbox, SandboxPool, parse, parseManifest } = require('@sandlua/lua/bundle');", (body) => `(async () => {\n  ${body}\n})();`));
    assert.deepEqual(JSON.parse(ok(run('node', [program], project), 'embed-bundle.cjs')), EMBED_EXPECTED);
  });

  it('a host embeds the runtime alone (@sandlua/lua/runtime, import and require, and its bundle): no analysis loaded', function () {
    const programs: [string, string, (body: string) => string][] = [
      ['runtime.mjs', "import { Sandbox, SandboxPool, parse, parseManifest } from '@sandlua/lua/runtime';", (body) => body.replace(/^ {2}/gm, '')],
      ['runtime.cjs', "const { Sandbox, SandboxPool, parse, parseManifest } = require('@sandlua/lua/runtime');", (body) => `(async () => {\n  ${body}\n})();`],
      ['runtime-bundle.cjs', "const { Sandbox, SandboxPool, parse, parseManifest } = require('@sandlua/lua/runtime-bundle');", (body) => `(async () => {\n  ${body}\n})();`],
    ];
    for (const [name, header, wrap] of programs) {
      const program = path.join(project, name);
      // After the program: which of the engine's files the process loaded (the checker's is the analysis).
      const loaded = "process.on('exit', () => { const files = Object.keys(require.cache ?? {}); if (files.some((f) => /analysis[\\\\/]checker\\.js$|sandlua-engine\\.js$/.test(f))) process.exitCode = 3; });";
      const text = embedProgram(header, wrap);
      fs.writeFileSync(program, name.endsWith('.mjs') ? `import { createRequire } from 'module';\nconst require = createRequire(import.meta.url);\n${text}\n${loaded}\n` : `${text}\n${loaded}\n`);
      assert.deepEqual(JSON.parse(ok(run('node', [program], project), name)), EMBED_EXPECTED);
    }
  });
});
