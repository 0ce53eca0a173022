// The `sandlua` command as a user runs it: the bundled CLI in a child process, from the repository
// root. Text output is compared with a golden file (UPDATE_EXPECT=1 rewrites it).
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'server', 'dist', 'sandlua.js');
const fixtures = 'test/fixtures/cli';
const expected = path.join(root, fixtures, 'expected');

function sandlua(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
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
    assert.equal(byPath.get(`${fixtures}/project/scripts/errors.lua`)!.diagnostics.length, 2, 'both errors of the file, not only the first');
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
});
