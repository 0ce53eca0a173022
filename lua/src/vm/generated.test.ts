// Generated programs through lua5.3 and through our compiler and VM, outputs compared exactly.
// Each program evaluates a few hundred random expressions over values of every subtype (integers
// near the wraparound, floats incl. -0.0, inf and NaN, numeric and other strings, booleans, nil,
// tables with and without metamethods), once from constants (the compiler folds what PUC folds)
// and once from locals (the VM computes), each under pcall: results, coercions and error
// messages — variable names included — must be lua5.3's. Seeded: SEED=n reproduces a run.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Random } from '../syntax/testing/random';
import { hasLua53, maskAddresses, runOursSource } from './testing/reference';
import { luaCompiler } from '../compiler/compile';

const ATOMS = [
  '0', '1', '-1', '2', '3', '7', '-7', '63', '64', '100', '255', 'math.maxinteger', 'math.mininteger', '0x7ffffffffffffffe',
  '0.0', '-0.0', '0.5', '-2.5', '1e308', '3.0', '2^53', 'math.huge', '-math.huge', '(0/0)', '1e15',
  '"10"', '"0x10"', '" 3.5 "', '"abc"', '"1e2"', '""', '"-0"',
  'true', 'false', 'nil', 'T', 'M',
];
const BINARY = ['+', '-', '*', '/', '//', '%', '^', '&', '|', '~', '<<', '>>', '..', '==', '~=', '<', '<=', '>', '>=', 'and', 'or'];
const UNARY = ['- ', 'not ', '#', '~ '];
/** Library functions with a fast form for one argument (NativeFunction.unary), called on anything. */
const CALLS = ['math.sqrt', 'math.floor', 'math.ceil', 'math.abs', 'type'];

class ExpressionGenerator {
  constructor(private readonly r: Random) {}

  private pick<T>(list: readonly T[]): T {
    return list[this.r.int(list.length)];
  }

  atom(): string {
    return this.pick(ATOMS);
  }

  expression(depth: number): string {
    if (depth <= 0 || this.r.int(3) === 0) return this.atom();
    if (this.r.int(5) === 0) return `${this.pick(UNARY)}${this.expression(depth - 1)}`;
    if (this.r.int(8) === 0) return `${this.pick(CALLS)}(${this.expression(depth - 1)})`;
    return `(${this.expression(depth - 1)} ${this.pick(BINARY)} ${this.expression(depth - 1)})`;
  }
}

/** Placeholder indices written without digits, so that numeric atoms cannot match inside them. */
const letters = (n: number): string => n.toString(26).split('').map((d) => String.fromCharCode(65 + parseInt(d, 26))).join('');
const fromLetters = (s: string): number => parseInt(s.split('').map((c) => (c.charCodeAt(0) - 65).toString(26)).join(''), 26);

/** The same expression reading its atoms from locals v1..vN instead of constants. */
function throughLocals(expression: string): { decls: string; body: string } {
  const names = new Map<string, string>();
  let body = expression;
  const sorted = [...ATOMS].sort((a, b) => b.length - a.length);
  // Replace whole atoms only, longest first, through placeholders so replacements do not nest.
  const placeholders: string[] = [];
  for (const atom of sorted) {
    if (atom === 'T' || atom === 'M') continue;
    const escaped = atom.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const re = new RegExp(`(?<![\\w."])${escaped}(?![\\w."])`, 'g');
    body = body.replace(re, () => {
      let name = names.get(atom);
      if (name === undefined) {
        name = `v${names.size + 1}`;
        names.set(atom, name);
      }
      placeholders.push(name);
      return `\u0001${letters(placeholders.length - 1)}\u0002`;
    });
  }
  body = body.replace(/\u0001([A-Z]+)\u0002/g, (_, i: string) => placeholders[fromLetters(i)]);
  const decls = [...names].map(([atom, name]) => `local ${name} = ${atom}`).join('; ');
  return { decls, body };
}

const PRELUDE = `
T = {1, 2, 3}
M = setmetatable({}, {
  __add = function (a, b) return "add" end, __concat = function (a, b) return "cat" end,
  __eq = function () return true end, __lt = function () return true end, __le = function () return false end,
  __len = function () return 42 end, __unm = function () return "unm" end, __band = function () return "band" end,
  __shl = function () return "shl" end, __bnot = function () return "bnot" end, __idiv = function () return "idiv" end,
  __mod = function () return "mod" end, __div = function () return "div" end, __pow = function () return "pow" end,
})
local function show(ok, ...)
  local t = table.pack(...)
  for i = 1, t.n do
    local v = t[i]
    if type(v) == "string" then t[i] = string.format("%q", v)
    elseif type(v) == "table" then t[i] = v == T and "T" or v == M and "M" or "table"
    else t[i] = tostring(v) .. (math.type(v) == "float" and "f" or "") end
  end
  print(ok, table.concat(t, " "))
end
`;

function program(r: Random, count: number): string {
  const g = new ExpressionGenerator(r);
  const lines = [PRELUDE];
  for (let i = 0; i < count; i++) {
    const e = g.expression(1 + r.int(3));
    const { decls, body } = throughLocals(e);
    lines.push(`show(pcall(function () return ${e} end))`);
    lines.push(`show(pcall(function () ${decls}; return ${body} end))`);
  }
  return lines.join('\n') + '\n';
}

describe('VM: generated programs compared with lua5.3', function () {
  this.timeout(120000);
  const seed = Number(process.env.SEED ?? 53);
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-gen-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('has lua5.3 (required in CI)', function () {
    if (!hasLua53() && process.env.CI !== 'true') this.skip();
    assert.ok(hasLua53(), 'lua5.3 must be installed');
  });

  for (let n = 0; n < 8; n++) {
    it(`expressions over every subtype agree with lua5.3 (program ${n + 1}, seed ${seed})`, function () {
      if (!hasLua53()) {
        if (process.env.CI === 'true') assert.fail('lua5.3 missing');
        this.skip();
      }
      const r = new Random(seed * 1000 + n);
      const source = program(r, 150);
      const file = path.join(dir, `expr${n}.lua`);
      fs.writeFileSync(file, source, 'latin1');
      const reference = spawnSync('lua5.3', [path.basename(file)], { cwd: dir, encoding: 'latin1' });
      const ours = runOursSource(source, '@' + path.basename(file), luaCompiler);
      // A NaN's sign after libm calls (pow, fmod of NaNs) is the C library's business; 0/0 and
      // its negation are compared exactly in the hand-written programs (edges.lua).
      const clean = (text: string): string[] => maskAddresses(text).replace(/-nan/g, 'nan').split('\n');
      const a = clean(ours.stdout);
      const b = clean(reference.stdout);
      let i = 0;
      while (i < a.length && a[i] === b[i]) i++;
      const line = source.split('\n').filter((l) => l.startsWith('show'))[i];
      assert.ok(i === a.length && a.length === b.length, `differs at output line ${i + 1} (${line})\n  ours:   ${a[i]}\n  lua5.3: ${b[i]}`);
      assert.equal(ours.stderr, reference.stderr);
      // The program did what it is for: 300 results, both values and errors among them.
      assert.ok(b.length > 300, `${b.length} lines`);
      assert.ok(b.some((l) => l.startsWith('false')) && b.some((l) => l.startsWith('true')), 'values and errors');
      if (process.env.SHOW === '1') console.log(b.slice(0, 12).join('\n'));
    });
  }
});
