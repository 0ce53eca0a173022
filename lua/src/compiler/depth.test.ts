// Valid Lua is never refused for its shape: long left-associative chains (10,000 terms of `+`,
// comparisons, fields, calls, indexes, mixed; 5,000 of `and`/`or`, whose jump lists make compiling
// quadratic, in luac too) and 5,000-clause elseif chains compile
// to luac5.3's code (`-l -l` listing compared), nesting at luac's deepest accepted level compiles as
// luac does, one level deeper is refused with luac's message, and the analysis and `load` take the
// same programs without a JavaScript stack overflow. Under CI=true a missing luac5.3 fails.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compile } from './compile';
import { disassemble, normaliseAddresses } from './disasm';
import { analyzeScript } from '../analysis/checker';
import { LuaState } from '../vm/state';
import type { Proto } from '../vm/proto';
import { luacAvailable } from '../syntax/testing/luac';

const terms = (n: number, term: string, operator: string): string => Array(n).fill(term).join(operator);

/** Programs luac accepts whose trees are 10,000 deep (or 10,000 long). */
const LONG: [string, string][] = [
  ['a sum of 10,000 variables', 'return ' + terms(10_000, 'x', ' + ')],
  ['a sum of 10,000 constants (folded)', 'return ' + terms(10_000, '1', ' + ')],
  ['5,000 terms joined by and', 'return ' + terms(5_000, 'x', ' and ')],
  ['5,000 terms joined by or', 'return ' + terms(5_000, 'x', ' or ')],
  ['10,000 comparisons', 'return ' + terms(10_000, 'x', ' < ')],
  ['10,000 mixed arithmetic and bitwise operators', 'return x' + ' + y * 2 - z // 3 | w & 1 ~ v << 2 >> 1 % 7 / 5'.repeat(1000)],
  ['10,000 fields', 'return a' + '.b'.repeat(10_000)],
  ['10,000 calls', 'f' + '()'.repeat(10_000)],
  ['10,000 indexes', 'return a' + '[1]'.repeat(10_000)],
  ['fields, calls, method calls and indexes mixed, then an operator', 'return a' + '.b(1)[2]:c(x + y)'.repeat(2500) + ' + 1'],
  ['a 10,000-field assignment target', 'a' + '.b'.repeat(10_000) + ' = 1'],
  ['a 5,000-clause elseif chain', 'if x then ' + 'elseif x then y = 1 '.repeat(5_000) + 'end'],
];

/** Nesting at luac's limit (LUAI_MAXCCALLS 200): the deepest it accepts, and one more. */
const NESTED: [string, number, (n: number) => string][] = [
  ['parentheses', 197, (n) => 'x = ' + '('.repeat(n) + '1' + ')'.repeat(n)],
  ['tables', 198, (n) => 'x = ' + '{'.repeat(n) + '}'.repeat(n)],
  ['anonymous functions', 98, (n) => 'x = ' + 'function() return '.repeat(n) + '1' + ' end'.repeat(n)],
  ['local functions', 197, (n) => 'local function f() '.repeat(n) + 'return 1' + ' end'.repeat(n)],
  ['do blocks', 197, (n) => 'do '.repeat(n) + 'x = 1 ' + 'end '.repeat(n)],
  ['if blocks', 197, (n) => 'if x then '.repeat(n) + 'y = 1 ' + 'end '.repeat(n)],
  ['while loops', 197, (n) => 'while x do '.repeat(n) + 'y = 1 ' + 'end '.repeat(n)],
  ['repeat loops', 197, (n) => 'repeat '.repeat(n) + 'y = 1 ' + 'until x '.repeat(n)],
  ['calls', 198, (n) => 'x = ' + 'f('.repeat(n) + ')'.repeat(n)],
  ['indexes', 197, (n) => 'x = ' + 'a['.repeat(n) + '1' + ']'.repeat(n)],
  ['unary minus', 197, (n) => 'x = ' + '- '.repeat(n) + 'y'],
  ['not', 197, (n) => 'x = ' + 'not '.repeat(n) + 'y'],
  ['concatenation (right associative)', 198, (n) => 'x = ' + terms(n, 'y', ' .. ')],
  ['exponentiation (right associative)', 198, (n) => 'x = ' + terms(n, 'y', ' ^ ')],
];

describe('compiler: programs of any length, nesting to luac\'s limit', function () {
  this.timeout(120000);
  let dir = '';
  let luac = false;
  before(() => {
    luac = luacAvailable();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-depth-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** luac's listing, or its message (`name:line: message`) when it refuses the program. */
  function luacSays(name: string, source: string): { listing?: string; message?: string } {
    fs.writeFileSync(path.join(dir, name), source, 'latin1');
    const r = spawnSync('luac5.3', ['-l', '-l', '-p', name], { cwd: dir, encoding: 'latin1', maxBuffer: 1 << 28 });
    if (r.status === 0) return { listing: r.stdout };
    return { message: r.stderr.replace(/^luac5\.3: /, '').trim() };
  }

  function sameAsLuac(name: string, source: string): void {
    const ours = compile(source, '@' + name);
    if (!luac) {
      assert.equal(typeof ours, 'object', typeof ours === 'string' ? ours : '');
      return;
    }
    const theirs = luacSays(name, source);
    if (theirs.message !== undefined) {
      assert.equal(ours, theirs.message);
      return;
    }
    assert.equal(typeof ours, 'object', typeof ours === 'string' ? ours : '');
    const a = normaliseAddresses(disassemble(ours as Proto)).split('\n');
    const b = normaliseAddresses(theirs.listing!).split('\n');
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    assert.ok(i === a.length && i === b.length, `${name}: first difference at listing line ${i + 1}:\n  ours: ${a[i]}\n  luac: ${b[i]}`);
  }

  for (const [what, source] of LONG) {
    it(`compiles ${what} as luac does`, () => sameAsLuac('long.lua', source));
  }

  for (const [what, deepest, make] of NESTED) {
    it(`${what}: ${deepest} deep compiles as luac does, ${deepest + 1} is refused with luac's message`, () => {
      sameAsLuac('deep.lua', make(deepest));
      const refused = compile(make(deepest + 1), '@deep.lua');
      assert.match(String(refused), /^deep\.lua:1: too many C levels \(limit is 200\) in (main function|function at line 1) near /);
      if (luac) assert.equal(refused, luacSays('deep.lua', make(deepest + 1)).message);
    });
  }

  it('load compiles the same programs inside 150 nested metamethod calls', () => {
    const state = new LuaState();
    const sources = [...LONG.map(([, s]) => s), ...NESTED.map(([, deepest, make]) => make(deepest))];
    // Each chunk is loaded from an __index function reached through 150 nested __index calls.
    const results = state.run(`
      local function nest(n, src)
        if n == 0 then
          local f, message = load(src)
          assert(f, message)
          return 1
        end
        return setmetatable({}, {__index = function() return nest(n - 1, src) end}).x
      end
      local loaded = 0
      for i = 1, select('#', ...) do loaded = loaded + nest(150, (select(i, ...))) end
      return loaded`, '=load', sources);
    assert.deepEqual(results, [sources.length]);
  });

  it('the analysis checks a 10,000-term expression and a 10,000-field chain without overflowing', () => {
    for (const source of ['local x = ... return ' + terms(10_000, 'x', ' + '), 'local a = ... return a' + '.b'.repeat(10_000), 'local x = ... return ' + terms(10_000, 'x', ' and ')]) {
      const analysis = analyzeScript(source, 'long.lua', undefined);
      assert.deepEqual(analysis.findings.filter((f) => /internal error/.test(f.message)).map((f) => f.message), []);
    }
  });
});
