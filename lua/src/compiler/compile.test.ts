// The compiler against Debian's luac5.3: for every function of a corpus (the repository's Lua
// files, the Lua code installed on this machine, and generated programs) our `-l -l` listing —
// instructions with operands and lines, constants, locals with their pc ranges, upvalues — is
// compared with luac's. The test prints the share of functions that match exactly and fails on
// any difference, naming the first differing line. Under CI=true a missing luac5.3 fails.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compile, int2fb } from './compile';
import { disassemble, normaliseAddresses } from './disasm';
import { Op, opcodeOf, argB, argC, Proto } from '../vm/proto';
import { Random } from '../syntax/testing/random';
import { deepProgram, gotoProgram, manyLocals, manyTargets, mutate, validProgram } from '../syntax/testing/programs';

const ROOT = path.join(__dirname, '..', '..', '..');

function haveLuac(): boolean {
  const ok = !spawnSync('luac5.3', ['-v']).error;
  if (!ok && process.env.CI === 'true') throw new Error('luac5.3 is required in CI');
  return ok;
}

function luaFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.lua')) out.push(full);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out.sort();
}

/** luac's listing of a file (compiled from its folder, so names match), or undefined if rejected. */
function luacListing(file: string): string | undefined {
  const r = spawnSync('luac5.3', ['-l', '-l', '-p', path.basename(file)], { cwd: path.dirname(file), encoding: 'latin1', maxBuffer: 1 << 28 });
  return r.status === 0 ? r.stdout : undefined;
}

const splitFunctions = (listing: string): string[] => normaliseAddresses(listing).split(/\n(?=(?:main|function) <)/);

interface Tally { files: number; functions: number; matching: number; mismatches: string[] }

function compareFile(file: string, tally: Tally): void {
  const theirs = luacListing(file);
  const ours = compile(fs.readFileSync(file, 'latin1'), '@' + path.basename(file));
  if (theirs === undefined) {
    assert.equal(typeof ours, 'string', `${file}: luac rejects it, our compiler accepts it`);
    return;
  }
  assert.notEqual(typeof ours, 'string', `${file}: ${ours as string}`);
  tally.files++;
  const a = splitFunctions(disassemble(ours as Proto));
  const b = splitFunctions(theirs);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    tally.functions++;
    if (a[i] === b[i]) {
      tally.matching++;
      continue;
    }
    const x = (a[i] ?? '').split('\n');
    const y = (b[i] ?? '').split('\n');
    let j = 0;
    while (j < x.length && x[j] === y[j]) j++;
    tally.mismatches.push(`${file} function ${i}:\n  ours: ${JSON.stringify(x[j])}\n  luac: ${JSON.stringify(y[j])}`);
  }
}

function report(what: string, tally: Tally): void {
  const share = tally.functions === 0 ? 0 : (100 * tally.matching) / tally.functions;
  console.log(`      ${what}: ${tally.matching}/${tally.functions} functions (${share.toFixed(2)}%) in ${tally.files} files match luac5.3 -l -l exactly`);
  assert.deepEqual(tally.mismatches.slice(0, 5), [], `${tally.mismatches.length} functions differ`);
}

const newTally = (): Tally => ({ files: 0, functions: 0, matching: 0, mismatches: [] });

describe('compiler (against luac5.3 -l -l)', function () {
  this.timeout(300000);
  let scratch: string;
  before(() => { scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-compile-')); });
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('produces the same functions as luac for every Lua file of the repository', function () {
    if (!haveLuac()) this.skip();
    const tally = newTally();
    for (const file of [...luaFiles(path.join(ROOT, 'lua', 'test')), ...luaFiles(path.join(ROOT, 'examples')), ...luaFiles(path.join(ROOT, 'test', 'fixtures'))]) {
      compareFile(file, tally);
    }
    assert.ok(tally.files >= 100, `only ${tally.files} files`);
    report('repository', tally);
  });

  it('produces the same functions as luac for the Lua code installed here (luacheck, argparse, ...)', function () {
    if (!haveLuac()) this.skip();
    const tally = newTally();
    for (const file of luaFiles('/usr/share/lua')) compareFile(file, tally);
    assert.ok(tally.files >= 20, `only ${tally.files} files (is lua-check installed?)`);
    report('/usr/share/lua', tally);
  });

  it('produces the same functions as luac for 600 generated and mutated programs', function () {
    if (!haveLuac()) this.skip();
    const r = new Random(Number(process.env.SEED ?? 20261130));
    const tally = newTally();
    const makers = [validProgram, gotoProgram, manyLocals, manyTargets, deepProgram, (x: Random) => mutate(x, validProgram(x))];
    for (let i = 0; i < 600; i++) {
      const file = path.join(scratch, `g${i}.lua`);
      fs.writeFileSync(file, makers[i % makers.length](r), 'latin1');
      compareFile(file, tally);
    }
    report('generated', tally);
  });

  it('rejects what luac rejects, with the same message', () => {
    assert.equal(compile('x = = 1', '@f.lua'), "f.lua:1: unexpected symbol near '='");
    assert.equal(compile('local a\nlocal b = "x\n', '=chunk'), 'chunk:2: unfinished string near \'"x\'');
    assert.equal(compile('goto nowhere', '=c'), "c:1: no visible label 'nowhere' for <goto> at line 1");
  });

  it('reports an expression that needs more than 255 registers', () => {
    const source = `local t = {${Array.from({ length: 300 }, (_, i) => `f(${i})`).join(', ')}, f()}`;
    // Table items are flushed every 50, so that constructor fits; a call with 300 arguments does not.
    assert.equal(typeof compile(source, '=c'), 'object');
    const call = `f(${Array.from({ length: 300 }, (_, i) => `x${i}`).join(', ')})`;
    assert.equal(compile(call, '=c'), "c:1: function or expression needs too many registers near 'x254'");
  });

  it('reports limits as luac does: what, the limit, the function, and where the scanner is', () => {
    // 256 upvalues for fooC: the message (luac5.3 -p's) names the function and the token after the name.
    const names = (prefix: string) => Array.from({ length: 127 }, (_, i) => `${prefix}${i + 1}`);
    const source = [
      `local function fooA ()\n  local ${names('a').join(', ')}, b,c`,
      `local function fooB ()\n  local ${names('b').join(', ')}, b`,
      `function fooC () return b+c${names('a').map((a, i) => `+${a}+b${i + 1}`).join('')}`,
      'end  end end',
    ].join('\n');
    assert.equal(compile(source, '=x'), "x:6: too many upvalues (limit is 255) in function at line 5 near 'end'");
  });

  it('folds constants as PUC does: integers wrap, no division by zero, no NaN or zero floats', () => {
    const constants = (src: string): unknown[] => (compile(src, '=c') as Proto).constants;
    assert.deepEqual(constants('return math.maxinteger + 1'), ['math', 'maxinteger', 1]);
    assert.deepEqual(constants('return 9223372036854775807 + 1'), [-9223372036854775808n]);
    assert.deepEqual(constants('return 7 // 0'), [0, 7]);
    const zero = compile('return 0.0 * -1', '=c') as Proto;
    assert.equal(opcodeOf(zero.code[0]), Op.MUL, '-0.0 is not folded');
    const bits = compile('return 1 << 64, 3 & 1.5', '=c') as Proto;
    const ops = [...bits.code].map(opcodeOf);
    assert.ok(!ops.includes(Op.SHL) && ops.includes(Op.BAND), '1 << 64 folds to 0; 3 & 1.5 is left to the VM');
  });

  it('sizes tables as luaO_int2fb does', () => {
    assert.deepEqual([0, 7, 8, 15, 16, 17, 18, 100].map(int2fb), [0, 7, 8, 15, 16, 17, 17, 37]);
    const proto = compile('local t = {1, 2, 3, x = 1, y = 2}', '=c') as Proto;
    assert.equal(opcodeOf(proto.code[0]), Op.NEWTABLE);
    assert.equal(argB(proto.code[0]), 3);
    assert.equal(argC(proto.code[0]), 2);
  });
});
