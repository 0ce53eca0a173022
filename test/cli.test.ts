// The `sandlua` command as a user runs it: the bundled CLI in a child process, from the repository
// root. Text output is compared with a golden file (UPDATE_EXPECT=1 rewrites it).
import { strict as assert } from 'assert';
import { spawn, spawnSync } from 'child_process';
import * as os from 'os';
import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'server', 'dist', 'sandlua.js');
const fixtures = 'test/fixtures/cli';
const expected = path.join(root, fixtures, 'expected');

function sandlua(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function golden(name: string, actual: string): void {
  const file = path.join(expected, name);
  if (process.env.UPDATE_EXPECT === '1') fs.writeFileSync(file, actual);
  assert.equal(actual, fs.readFileSync(file, 'utf8'), `output differs from ${path.relative(root, file)} (UPDATE_EXPECT=1 rewrites it)`);
}

interface JsonOutput {
  files: { path: string; manifest: string | null; diagnostics: { line: number; column: number; endLine: number; endColumn: number; severity: string; code: string; message: string }[] }[];
}

describe('sandlua command line', () => {
  before(() => assert.ok(fs.existsSync(cli), 'the CLI bundle is missing: run `npm run build` first'));

  it('checks the example workspaces clean (the main job of `npm start`)', () => {
    const run = sandlua('check', 'examples');
    assert.equal(run.stderr, '');
    assert.equal(run.status, 0);
    assert.match(run.stdout, /^\d+ files checked: no problems\n$/);
  });

  it('prints syntax errors like a compiler, with the source underlined (golden)', () => {
    const run = sandlua('check', fixtures + '/project', fixtures + '/badjson');
    assert.equal(run.status, 1);
    golden('check.txt', run.stdout);
  });

  it('prints the JSON format of DESIGN.md', () => {
    const run = sandlua('check', fixtures + '/project', '--format', 'json');
    assert.equal(run.status, 1);
    const output = JSON.parse(run.stdout) as JsonOutput;
    const byPath = new Map(output.files.map((f) => [f.path, f]));
    assert.deepEqual([...byPath.keys()].sort(), [
      `${fixtures}/project/loose.lua`,
      `${fixtures}/project/scripts/errors.lua`,
      `${fixtures}/project/scripts/ok.lua`,
      `${fixtures}/project/scripts/unclosed.lua`,
      `${fixtures}/project/scripts/utf8.lua`,
    ]);
    assert.equal(byPath.get(`${fixtures}/project/loose.lua`)!.manifest, null, 'outside the contract\'s globs');
    assert.equal(byPath.get(`${fixtures}/project/scripts/ok.lua`)!.manifest, `${fixtures}/project/sandlua.json`);
    assert.deepEqual(byPath.get(`${fixtures}/project/scripts/ok.lua`)!.diagnostics, []);
    assert.deepEqual(byPath.get(`${fixtures}/project/scripts/unclosed.lua`)!.diagnostics, [
      { line: 2, column: 1, endLine: 2, endColumn: 6, severity: 'error', code: 'syntax', message: "'}' expected (to close '{' at line 1) near 'print'" },
    ]);
    // Columns count characters, not bytes: `é` is one column.
    assert.deepEqual(byPath.get(`${fixtures}/project/scripts/utf8.lua`)!.diagnostics, [
      { line: 1, column: 21, endLine: 1, endColumn: 22, severity: 'error', code: 'syntax', message: "unexpected symbol near ')'" },
    ]);
    const errorsLua = byPath.get(`${fixtures}/project/scripts/errors.lua`)!.diagnostics;
    assert.equal(errorsLua.filter((d) => d.code === 'syntax').length, 2, 'both syntax errors of the file, not only the first');
  });

  it('reports a contract that is not valid JSON on the contract file, at its position', () => {
    const run = sandlua('check', fixtures + '/badjson', '--format', 'json');
    assert.equal(run.status, 1);
    const output = JSON.parse(run.stdout) as JsonOutput;
    const contract = output.files.find((f) => f.path.endsWith('sandlua.json'))!;
    assert.equal(contract.diagnostics.length, 1);
    const [problem] = contract.diagnostics;
    assert.equal(problem.code, 'manifest');
    assert.equal(problem.line, 4);
    assert.equal(problem.column, 1);
    assert.match(problem.message, /^invalid JSON: /);
  });

  it('checks a single file given by path, whatever its extension, and honours --manifest', () => {
    const run = sandlua('check', `${fixtures}/project/loose.lua`, '--manifest', `${fixtures}/project/sandlua.json`, '--format', 'json');
    assert.equal(run.status, 0);
    const output = JSON.parse(run.stdout) as JsonOutput;
    assert.deepEqual(output.files, [{ path: `${fixtures}/project/loose.lua`, manifest: `${fixtures}/project/sandlua.json`, diagnostics: [] }]);
  });

  it('checks a script no contract governs under the default contract, or as --ungoverned says', () => {
    const file = `${fixtures}/ungoverned/plain.lua`;
    const codes = (...extra: string[]): { status: number | null; codes: string[] } => {
      const run = sandlua('check', file, '--format', 'json', ...extra);
      const output = JSON.parse(run.stdout) as JsonOutput;
      assert.equal(output.files[0].manifest, null);
      return { status: run.status, codes: output.files[0].diagnostics.map((d) => `${d.line} ${d.code}`) };
    };
    assert.deepEqual(codes(), { status: 1, codes: ['2 unused', '3 forbidden', '3 forbidden'] });
    assert.deepEqual(codes('--ungoverned', 'default-contract'), codes());
    assert.deepEqual(codes('--ungoverned', 'lint'), { status: 0, codes: ['2 unused'] });
    assert.deepEqual(codes('--ungoverned', 'ignore'), { status: 0, codes: [] });
    const wrong = sandlua('check', file, '--ungoverned', 'skip');
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /unknown --ungoverned 'skip'/);
  });

  it('answers --help and --version, also through npx', () => {
    const help = sandlua('--help');
    assert.equal(help.status, 0);
    assert.match(help.stdout, /sandlua check PATH\.\.\./);
    const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version as string;
    assert.equal(sandlua('--version').stdout, `sandlua ${version}\n`);
    const npx = spawnSync('npx', ['--no-install', 'sandlua', '--help'], { cwd: root, encoding: 'utf8' });
    assert.equal(npx.status, 0, npx.stderr);
    assert.match(npx.stdout, /Usage:/);
  });

  it('rejects wrong usage with exit code 2 and a message that names the problem', () => {
    const cases: [string[], RegExp][] = [
      [['frob'], /unknown command 'frob'/],
      [['check'], /at least one file or folder/],
      [['check', 'no/such/place'], /no such file or folder: no\/such\/place/],
      [['check', 'examples', '--format', 'xml'], /unknown format 'xml'/],
      [['check', 'examples', '--bogus'], /Unknown option '--bogus'/],
      [['check', 'examples', '--max-warnings', 'many'], /--max-warnings expects a whole number/],
      [['check', 'examples', '--manifest', 'nowhere/sandlua.json'], /no such contract/],
    ];
    for (const [args, message] of cases) {
      const run = sandlua(...args);
      assert.equal(run.status, 2, args.join(' '));
      assert.match(run.stderr, message);
      assert.equal(run.stdout, '');
    }
    assert.equal(sandlua().status, 2, 'no command at all prints the help and exits 2');
  });

  it('disasm prints the luac5.3 -l -l listing of a script (and -l with --short)', function () {
    const script = 'examples/invoice-normalizer/normalize.lua';
    const ours = sandlua('disasm', script);
    assert.equal(ours.status, 0, ours.stderr);
    const mask = (text: string): string => text.replace(/0x[0-9a-f]+/g, '0xADDR');
    const luac = spawnSync('luac5.3', ['-l', '-l', '-p', script], { cwd: root, encoding: 'latin1' });
    if (luac.error) {
      if (process.env.CI === 'true') assert.fail('luac5.3 is required in CI');
      assert.match(ours.stdout, /^\nmain <examples\/invoice-normalizer\/normalize\.lua:0,0>/);
      return;
    }
    assert.equal(mask(ours.stdout), mask(luac.stdout));
    const short = sandlua('disasm', '--short', script);
    assert.equal(mask(short.stdout), mask(spawnSync('luac5.3', ['-l', '-p', script], { cwd: root, encoding: 'latin1' }).stdout));
  });

  it('disasm reports a syntax error with exit code 1, and a missing file with exit code 2', () => {
    const bad = sandlua('disasm', fixtures + '/project/scripts/errors.lua');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^sandlua: test\/fixtures\/cli\/project\/scripts\/errors\.lua:\d+: .+ near .+\n$/);
    const missing = sandlua('disasm', 'no/such.lua');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read 'no\/such\.lua': ENOENT/);
    assert.equal(sandlua('disasm').status, 2);
  });

  describe('run and replay', () => {
    const contract = 'examples/invoice-normalizer/sandlua.json';
    const script = 'examples/invoice-normalizer/normalize.lua';
    let scratch: string;
    before(() => { scratch = fs.mkdtempSync(path.join(require('os').tmpdir(), 'sandlua-run-')); });
    after(() => fs.rmSync(scratch, { recursive: true, force: true }));

    it('runs a script under its discovered contract, host answered from the examples', () => {
      const run = sandlua('run', script, '--input', '{"vendor_name": "ACME Corp."}');
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(JSON.parse(run.stdout), { normalized_vendor: 'Acme', confidence: 0.95 });
      const unknown = sandlua('run', script, '--input', '{"vendor_name": "globex corporation"}', '--json');
      assert.equal(unknown.status, 0, unknown.stderr);
      const result = JSON.parse(unknown.stdout);
      assert.deepEqual(result.output, { normalized_vendor: 'Globex', confidence: 0.6 });
      assert.deepEqual(Object.keys(result.stats).sort(), ['hostCalls', 'instructions', 'memoryBytes', 'timeMs']);
    });

    it('prints to stdout as lua5.3 does, and to stderr with --json', () => {
      const file = path.join(scratch, 'hello.lua');
      fs.writeFileSync(file, 'print("hello", 1, 2.5) return {n = 1}');
      const plain = sandlua('run', file);
      assert.equal(plain.stdout, 'hello\t1\t2.5\n{\n  "n": 1\n}\n');
      const json = sandlua('run', file, '--json');
      assert.equal(json.stderr, 'hello\t1\t2.5\n');
      assert.equal(JSON.parse(json.stdout).ok, true);
    });

    it('runs a long script, compiled on the compile worker beside the bundle, and reports its syntax errors as in place', () => {
      const file = path.join(scratch, 'long.lua');
      const lines = ['local t = {}'];
      for (let i = 0; i < 3000; i++) lines.push(`t[#t + 1] = ${i} * 2 -- the ${i}th line of a long script`);
      fs.writeFileSync(file, lines.join('\n') + '\nreturn { n = #t, last = t[#t] }\n');
      assert.ok(fs.statSync(file).size > 64 * 1024);
      assert.ok(fs.existsSync(path.join(root, 'server', 'dist', 'compile-worker.js')));
      const run = sandlua('run', file);
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(JSON.parse(run.stdout), { n: 3000, last: 5998 });
      fs.appendFileSync(file, 'local = 1\n');
      const bad = sandlua('run', file, '--json');
      assert.equal(JSON.parse(bad.stdout).error.kind, 'syntax');
      assert.match(JSON.parse(bad.stdout).error.message, /long\.lua:3003: <eof> expected near 'local'/);
    });

    const failures: [string, string[], string, RegExp][] = [
      ['malformed input', [script, '--input', '{"amount": 12}'], 'input', /missing the required property 'vendor_name'/],
      ['forbidden call', ['test/fixtures/run/forbidden.lua', '--manifest', contract, '--input', '{"vendor_name": "Acme"}'], 'forbidden', /os\.execute is not granted by invoice-normalizer \(sandlua\.json\)/],
      ['timeout', ['test/fixtures/run/timeout.lua', '--manifest', contract, '--input', '{"vendor_name": "Acme"}'], 'budget', /instruction budget exhausted/],
      ['slow host', [script, '--host', 'test/fixtures/run/slow-host.js', '--input', '{"vendor_name": "Acme"}'], 'budget', /time limit of 500 ms exceeded while waiting for the host/],
      ['bad output shape', ['test/fixtures/run/bad-output.lua', '--manifest', contract, '--input', '{"vendor_name": "Acme"}'], 'output', /output does not match the contract/],
    ];
    for (const [what, args, kind, message] of failures) {
      it(`fails into manual-review on a ${what}, and its audit record replays`, () => {
        const audit = path.join(scratch, `${kind}-${what.replace(/ /g, '-')}.json`);
        const run = sandlua('run', ...args, '--json', '--audit', audit);
        assert.equal(run.status, 1, run.stderr);
        const result = JSON.parse(run.stdout);
        assert.equal(result.ok, false);
        assert.equal(result.error.kind, kind);
        assert.match(result.error.message, message);
        assert.equal(result.onFailure, 'manual-review');
        const text = sandlua('run', ...args);
        assert.equal(text.status, 1);
        assert.match(text.stderr, new RegExp(`^sandlua: ${kind} error: `));
        assert.match(text.stderr, /the contract says: manual-review/);
        if (kind === 'budget' && what === 'slow host') return; // a wall-time failure is not replayable by design: the replay answers at once
        const replay = sandlua('replay', audit);
        assert.equal(replay.status, 0, replay.stdout + replay.stderr);
        assert.match(replay.stdout, /identical\n$/);
      });
    }

    it('replays a successful run with the recorded host results, and notices a changed script', () => {
      const audit = path.join(scratch, 'ok.json');
      const run = sandlua('run', script, '--input', '{"vendor_name": "ACME Corp."}', '--audit', audit);
      assert.equal(run.status, 0, run.stderr);
      const record = JSON.parse(fs.readFileSync(audit, 'utf8'));
      assert.equal(record.format, 'sandlua-audit/1');
      assert.deepEqual(record.hostCalls.map((c: { name: string; args: unknown[]; result: unknown }) => [c.name, c.args, c.result]), [['lookup_vendor_alias', ['ACME Corp.'], 'Acme']]);
      const replay = sandlua('replay', audit, '--json');
      assert.equal(replay.status, 0);
      assert.equal(JSON.parse(replay.stdout).identical, true);
      record.script.source = record.script.source.replaceAll('confidence = 0.95', 'confidence = 0.5');
      fs.writeFileSync(audit, JSON.stringify(record));
      const changed = sandlua('replay', audit);
      assert.equal(changed.status, 1);
      assert.match(changed.stdout, /DIFFERENT\n$/);
    });

    it('runs a script that requires its contract\'s modules, read from the contract\'s folder only', () => {
      const project = path.join(scratch, 'modules');
      fs.mkdirSync(path.join(project, 'lib'), { recursive: true });
      fs.writeFileSync(path.join(project, 'sandlua.json'), JSON.stringify({
        name: 'pricing', scripts: ['*.lua'], modules: { 'pricing.util': 'lib/pricing_util.lua', leak: 'lib/leak.lua' },
      }));
      fs.writeFileSync(path.join(project, 'lib', 'pricing_util.lua'), 'return { round = function (x) return math.floor(x * 100 + 0.5) / 100 end }');
      fs.writeFileSync(path.join(scratch, 'outside.lua'), 'return "outside"');
      fs.symlinkSync(path.join(scratch, 'outside.lua'), path.join(project, 'lib', 'leak.lua'));
      fs.writeFileSync(path.join(project, 'main.lua'), 'local util = require "pricing.util"\nreturn { total = util.round(input.x) }');
      const audit = path.join(scratch, 'modules-audit.json');
      const run = sandlua('run', path.join(project, 'main.lua'), '--input', '{"x": 3.14159}', '--audit', audit);
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(JSON.parse(run.stdout), { total: 3.14 });
      const record = JSON.parse(fs.readFileSync(audit, 'utf8'));
      assert.deepEqual(record.modules.map((m: { name: string; path: string }) => [m.name, m.path]), [['pricing.util', 'lib/pricing_util.lua']]);
      assert.equal(sandlua('replay', audit).status, 0);

      fs.writeFileSync(path.join(project, 'leak.lua'), 'return require "leak"');
      const leak = sandlua('run', path.join(project, 'leak.lua'), '--json');
      assert.equal(leak.status, 1);
      assert.match(JSON.parse(leak.stdout).error.message, /cannot read lib\/leak\.lua \(lib\/leak\.lua resolves outside the contract's folder\)/);
      fs.writeFileSync(path.join(project, 'undeclared.lua'), 'return require "../outside"');
      const undeclared = sandlua('run', path.join(project, 'undeclared.lua'), '--json');
      assert.match(JSON.parse(undeclared.stdout).error.message, /no module '\.\.\/outside' in pricing's modules \(sandlua\.json\)/);
    });

    it('gives --stdin to io.read and works on the contract\'s declared files below its folder', () => {
      const dir = path.join(scratch, 'files');
      fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'sandlua.json'), JSON.stringify({
        name: 'cli-files', files: { 'data/in.txt': 'read', 'out/result.txt': 'write' }, stdlib: { allow: ['io.read', 'io.write', 'io.stderr'] },
      }));
      fs.writeFileSync(path.join(dir, 'data', 'in.txt'), 'from the file\n');
      fs.writeFileSync(path.join(dir, 'job.lua'), 'local name = io.read("l") local line = io.lines("data/in.txt")() ' +
        'io.open("out/result.txt", "w"):write(name, ": ", line):close() io.write("hello ", name, "\\n") io.stderr:write("note\\n") return #line');
      fs.writeFileSync(path.join(dir, 'stdin.txt'), 'Ada\nrest');
      const audit = path.join(dir, 'audit.json');
      const run = sandlua('run', path.join(dir, 'job.lua'), '--stdin', path.join(dir, 'stdin.txt'), '--audit', audit);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout, 'hello Ada\n13\n');
      assert.equal(run.stderr, 'note\n');
      assert.equal(fs.readFileSync(path.join(dir, 'out', 'result.txt'), 'utf8'), 'Ada: from the file');
      const record = JSON.parse(fs.readFileSync(audit, 'utf8'));
      assert.equal(Buffer.from(record.stdin.base64, 'base64').toString(), 'Ada\nrest');
      assert.deepEqual(record.files.read.map((r: { path: string }) => r.path), ['data/in.txt']);
      // The replay reads stdin and the file from the record, and writes nothing.
      fs.rmSync(path.join(dir, 'out'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'data', 'in.txt'), 'changed\n');
      const replay = sandlua('replay', audit);
      assert.equal(replay.status, 0, replay.stdout + replay.stderr);
      assert.match(replay.stdout, /identical\n$/);
      assert.equal(fs.existsSync(path.join(dir, 'out')), false);
      const missing = sandlua('run', path.join(dir, 'job.lua'), '--stdin', 'nowhere.txt');
      assert.equal(missing.status, 2);
      assert.match(missing.stderr, /cannot read the stdin file/);
    });

    it('rejects wrong usage with exit code 2', () => {
      const cases: [string[], RegExp][] = [
        [['run'], /run needs exactly one script/],
        [['run', 'nope.lua'], /cannot read the script/],
        [['run', script, '--input', '{bad'], /--input is not valid JSON/],
        [['run', script, '--input', '1', '--input-file', 'x.json'], /not both/],
        [['run', script, '--manifest', 'nowhere.json'], /no such contract/],
        [['run', script, '--host', 'nowhere.js'], /no such host module/],
        [['replay'], /replay needs exactly one audit record/],
        [['replay', contract], /is not an audit record/],
      ];
      for (const [args, message] of cases) {
        const run = sandlua(...args);
        assert.equal(run.status, 2, args.join(' ') + run.stderr);
        assert.match(run.stderr, message);
      }
    });
  });

  describe('hostile runs and inputs', function () {
    this.timeout(30000);
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-cli-hostile-'));
      fs.writeFileSync(path.join(dir, 'sandlua.json'), JSON.stringify({ name: 'flood', scripts: ['*.lua'], limits: { outputBytes: 1 << 20, timeMs: 2000, instructions: 1e9 } }));
      fs.writeFileSync(path.join(dir, 'flood.lua'), 'local line = string.rep("x", 99) while true do print(line) end');
      fs.writeFileSync(path.join(dir, 'slow.lua'), 'print("early") while true do end');
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('bounds a print flood by outputBytes, without --json and with it', () => {
      for (const json of [false, true]) {
        const run = sandlua('run', path.join(dir, 'flood.lua'), ...(json ? ['--json'] : []));
        assert.equal(run.status, 1, run.stderr.slice(-500));
        const written = json ? run.stderr : run.stdout;
        assert.ok(written.length <= (1 << 20) && written.length > 1000, `${written.length} bytes written`);
        assert.match(json ? run.stdout : run.stderr, /output.*more than the limit of 1048576 bytes of output/);
      }
    });

    it('streams what the script prints while it runs', async () => {
      const child = spawn(process.execPath, [cli, 'run', path.join(dir, 'slow.lua')], { cwd: root });
      let exited = false;
      const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => { exited = true; resolve(code); }));
      const first = await new Promise<{ text: string; exited: boolean }>((resolve) => child.stdout.once('data', (d: Buffer) => resolve({ text: d.toString(), exited })));
      assert.equal(first.text, 'early\n');
      assert.equal(first.exited, false, 'the output came only when the process ended');
      assert.equal(await exit, 1);
    });

    it('writes output to a file whole, and bounds it there too', () => {
      const file = path.join(dir, 'out.txt');
      for (const [script, status] of [['sum.lua', 0], ['flood.lua', 1]] as const) {
        fs.writeFileSync(path.join(dir, 'sum.lua'), 'print("sum") return input.a + input.b');
        const fd = fs.openSync(file, 'w');
        const run = spawnSync(process.execPath, [cli, 'run', path.join(dir, script), '--input', '{"a": 1, "b": 2}'], { cwd: root, stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
        fs.closeSync(fd);
        assert.equal(run.status, status, run.stderr);
        const written = fs.readFileSync(file, 'utf8');
        if (script === 'sum.lua') assert.equal(written, 'sum\n3\n');
        else {
          assert.ok(written.length <= (1 << 20) && written.length > 1000, `${written.length} bytes written`);
          assert.match(run.stderr, /output.*more than the limit of 1048576 bytes of output/);
        }
      }
    });

    it('keeps what a pipe\'s reader has not taken yet: the run ends on its own limits, not on the reader\'s pace', async () => {
      // The reader takes nothing for longer than the contract's time limit (2 s): a command that
      // waited for it would end on the time limit; this one fills its output limit first.
      const child = spawn(process.execPath, [cli, 'run', path.join(dir, 'flood.lua')], { cwd: root });
      child.stdout.pause();
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
      await new Promise((resolve) => setTimeout(resolve, 2500));
      let read = 0;
      const ended = new Promise((resolve) => child.stdout.once('end', resolve));
      child.stdout.on('data', (d: Buffer) => { read += d.length; });
      child.stdout.resume();
      assert.equal(await exit, 1);
      await ended;
      assert.match(stderr, /output.*more than the limit of 1048576 bytes of output/);
      assert.doesNotMatch(stderr, /time limit/);
      assert.ok(read > 1000, `${read} bytes read`);
    });

    it('ends quietly, with exit code 0, when the reader of its output goes away', async () => {
      const child = spawn(process.execPath, [cli, 'run', path.join(dir, 'flood.lua')], { cwd: root });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
      await new Promise((resolve) => child.stdout.once('data', resolve));
      child.stdout.destroy();
      assert.equal(await exit, 0);
      assert.equal(stderr, '');
    });

    it('replays a tampered audit record as DIFFERENT, naming what was changed', () => {
      const audit = path.join(dir, 'audit.json');
      fs.writeFileSync(path.join(dir, 'sum.lua'), 'print("sum") return input.a + input.b');
      const run = sandlua('run', path.join(dir, 'sum.lua'), '--input', '{"a": 1, "b": 2}', '--audit', audit);
      assert.equal(run.status, 0, run.stderr);
      assert.match(sandlua('replay', audit).stdout, /identical\n$/);
      const record = JSON.parse(fs.readFileSync(audit, 'utf8')) as { input: { a: number }; clock: { now: unknown[] }; hostCalls: unknown[] };
      const tamper = (edit: (r: typeof record) => void, message: RegExp): void => {
        const copy = JSON.parse(JSON.stringify(record)) as typeof record;
        edit(copy);
        fs.writeFileSync(audit, JSON.stringify(copy));
        const replay = sandlua('replay', audit);
        assert.equal(replay.status, 1, replay.stdout + replay.stderr);
        assert.match(replay.stdout, /DIFFERENT\n$/);
        assert.match(replay.stdout, message);
      };
      tamper((r) => { r.input.a = 5; }, /replay diverged: the record's inputSha256 is not the hash of its input/);
      tamper((r) => { r.clock.now.push('noon'); }, /clock\.now\[0\] is \\"noon\\", not a number/);
      tamper((r) => { r.hostCalls.push({ name: 'lookup', args: [], result: null, ms: 0 }); }, /1 host call the script did not make/);
    });

    it('refuses huge or malformed inputs and contracts with exit code 2', () => {
      const huge = path.join(dir, 'huge.json');
      const fd = fs.openSync(huge, 'w');
      fs.ftruncateSync(fd, 65 * 1024 * 1024);
      fs.closeSync(fd);
      fs.writeFileSync(path.join(dir, 'deep.json'), `{"name": "deep", "scripts": ["*.lua"], "x": ${'['.repeat(5000)}${']'.repeat(5000)}}`);
      fs.writeFileSync(path.join(dir, 'nesting.json'), '['.repeat(500000) + ']'.repeat(500000));
      fs.writeFileSync(path.join(dir, 'truncated.json'), '{"name": "x", "scripts": [');
      const big = path.join(dir, 'big.json');
      fs.writeFileSync(big, '{' + Array.from({ length: 300000 }, (_, i) => `"key${i}": ${i}`).join(',') + '}');
      const script = path.join(dir, 'slow.lua');
      const cases: [string[], RegExp][] = [
        [['run', script, '--input-file', huge], /is \d+ bytes, more than the limit of 67108864/],
        [['run', script, '--input-file', path.join(dir, 'truncated.json')], /is not valid JSON/],
        [['run', script, '--stdin', huge], /more than the contract's limits.fileBytes/],
        [['run', script, '--manifest', path.join(dir, 'truncated.json')], /the contract .* has \d+ problems?/],
        [['run', script, '--manifest', path.join(dir, 'nesting.json')], /contract/],
        [['run', script, '--manifest', path.join(dir, 'deep.json')], /contract/],
        [['run', script, '--manifest', big], /contract/],
        [['replay', huge], /more than the limit/],
        [['run', huge], /more than the limit/],
      ];
      for (const [args, message] of cases) {
        const run = sandlua(...args);
        assert.equal(run.status, 2, args.join(' ') + ' ' + run.stderr.slice(0, 500));
        assert.match(run.stderr, message);
      }
    });
  });
});
