// `sandlua fmt` as a user runs it: the bundled command in a child process (StyLua's WebAssembly
// beside the bundle), on a scratch tree: --check lists and changes nothing, fmt rewrites, folders
// recurse, a syntax error or a bad stylua.toml is reported at its place, wrong usage exits with 2.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const CLI = path.join(__dirname, '..', '..', 'server', 'dist', 'sandlua.js');

describe('sandlua fmt', function () {
  this.timeout(30000);
  let dir: string;
  const sandlua = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8' });
  const write = (name: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  };
  const read = (name: string): string => fs.readFileSync(path.join(dir, name), 'utf8');

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-fmt-'));
    write('stylua.toml', 'indent_type = "Spaces"\nindent_width = 2\n');
    write('src/a.lua', 'local  a=1\nreturn a\n');
    write('src/deep/b.lua', 'if x then\nprint( x )\nend\n');
    write('src/ok.lua', 'return 1\n');
    write('src/notes.txt', 'not  lua\n');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('--check lists the files that would change (folders recursed) and changes nothing; exit 1', () => {
    const run = sandlua('fmt', '--check', 'src');
    assert.equal(run.status, 1, run.stderr);
    assert.equal(run.stdout, 'src/a.lua\nsrc/deep/b.lua\n');
    assert.equal(run.stderr, '2 would be reformatted, 1 already formatted (3 files)\n');
    assert.equal(read('src/a.lua'), 'local  a=1\nreturn a\n');
  });

  it('rewrites the files in place, then --check passes', () => {
    const run = sandlua('fmt', 'src');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, '2 reformatted, 1 already formatted (3 files)\n');
    assert.equal(read('src/a.lua'), 'local a = 1\nreturn a\n');
    assert.equal(read('src/deep/b.lua'), 'if x then\n  print(x)\nend\n');
    assert.equal(read('src/notes.txt'), 'not  lua\n');
    const again = sandlua('fmt', '--check', 'src/a.lua', 'src');
    assert.equal(again.status, 0, again.stdout + again.stderr);
    assert.equal(again.stdout, '');
  });

  it('a syntax error is reported at its place and the file left as it is; the others are still formatted; exit 1', () => {
    write('src/bad.lua', 'local x = 1\nif x then\nprint(x)\n');
    const run = sandlua('fmt', 'src');
    assert.equal(run.status, 1);
    assert.equal(run.stderr, "src/bad.lua:4:1: not formatted: 'end' expected (to close 'if' at line 2) near <eof>\n2 reformatted, 1 already formatted, 1 not formatted (4 files)\n");
    assert.equal(read('src/bad.lua'), 'local x = 1\nif x then\nprint(x)\n');
    assert.equal(read('src/a.lua'), 'local a = 1\nreturn a\n');
  });

  it('a stylua.toml mistake is reported at its line', () => {
    write('stylua.toml', 'indent_type = "Spaces"\nindent_width = "two"\n');
    const run = sandlua('fmt', '--check', 'src/a.lua');
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^stylua\.toml:2:1: not formatted: indent_width must be a positive integer\n/);
  });

  it('wrong usage exits with 2 and says what is wrong', () => {
    for (const [args, message] of [
      [['fmt'], 'fmt needs at least one file or folder'],
      [['fmt', 'nope'], 'no such file or folder: nope'],
      [['fmt', '--write', 'src'], "Unknown option '--write'"],
    ] as const) {
      const run = sandlua(...args);
      assert.equal(run.status, 2, args.join(' '));
      assert.ok(run.stderr.startsWith(`sandlua: ${message}`), run.stderr);
    }
    assert.match(sandlua('fmt', '--help').stdout, /sandlua fmt PATH\.\.\. \[--check\]/);
  });
});
