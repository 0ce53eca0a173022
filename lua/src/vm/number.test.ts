// Lua 5.3 number semantics, checked against Debian's lua5.3 in one batch where it is installed
// (CI installs it; there a missing lua5.3 fails the suite instead of skipping).
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as n from './number';

function lua(script: string): string[] | undefined {
  const run = spawnSync('lua5.3', ['-'], { input: script, encoding: 'latin1', maxBuffer: 1 << 28 });
  if (run.error) {
    if (process.env.CI === 'true') throw new Error('lua5.3 is required in CI: ' + run.error.message);
    return undefined;
  }
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.split('\n').slice(0, -1);
}

/** A seeded PRNG (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sampleFloats(): number[] {
  const next = random(42);
  const out = [0.1, 0.5, 1.5, 2.5, 3.5, -2.5, 1e15, 1e16, 2 ** 63, 2 ** 53, 123456789012345, 1234567890123456, 0.1 + 0.2,
    1 / 3, -1 / 3, 1e-5, 1e-4, 1e-320, 5e-324, 1.7976931348623157e308, 100, 1e100, 123.456, 0.000123456, 99999999999999.5, 9.5, 0.05, 0.25];
  const view = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < 400; i++) {
    view.setUint32(0, (next() * 2 ** 32) >>> 0);
    view.setUint32(4, (next() * 2 ** 32) >>> 0);
    const x = view.getFloat64(0);
    if (Number.isFinite(x)) out.push(x);
    out.push((next() - 0.5) * 10 ** Math.floor(next() * 40 - 20));
    out.push(Math.round(next() * 1e6) / 2 ** Math.floor(next() * 12)); // exact binary fractions: ties
  }
  return out;
}

/** A Lua string literal for any byte string. */
function luaString(s: string): string {
  return '"' + s.replace(/[^ !#-\[\]-~]/g, (c) => '\\' + String(c.charCodeAt(0)).padStart(3, '0')) + '"';
}

/** A float as a Lua expression that reproduces it exactly. */
function luaFloat(x: number): string {
  if (Object.is(x, -0)) return '(-0.0)';
  return `(${x.toExponential(17)})`;
}

describe('Lua numbers', () => {
  it('keeps one representation per value and subtype', () => {
    assert.ok(n.isInteger(3) && !n.isFloat(3));
    assert.ok(n.isFloat(n.float(3)) && n.float(3) instanceof n.LFloat);
    assert.ok(n.isFloat(0.5) && n.float(0.5) === 0.5);
    assert.ok(n.float(-0) instanceof n.LFloat);
    assert.equal(n.intFromBig(5n), 5);
    assert.equal(typeof n.intFromBig(2n ** 60n), 'bigint');
    // Plain numbers exactly within 2^53, bigints up to int64's ends, wrapped past them.
    for (const [big, expected] of [
      [2n ** 53n - 1n, Number.MAX_SAFE_INTEGER], [-(2n ** 53n) + 1n, -Number.MAX_SAFE_INTEGER], [2n ** 53n, 2n ** 53n], [-(2n ** 53n), -(2n ** 53n)],
      [2n ** 63n - 1n, 2n ** 63n - 1n], [-(2n ** 63n), -(2n ** 63n)], [2n ** 63n, -(2n ** 63n)], [-(2n ** 63n) - 1n, 2n ** 63n - 1n],
      [2n ** 64n + 5n, 5], [-(2n ** 64n) - 2n ** 53n, -(2n ** 53n)], [0n, 0],
    ] as [bigint, n.LuaInteger][]) assert.ok(Object.is(n.intFromBig(big), expected), `${big}`);
    assert.equal(n.intAdd(Number.MAX_SAFE_INTEGER, 1), 2n ** 53n);
    assert.equal(n.intAdd(2n ** 63n - 1n, 1), -(2n ** 63n), 'math.maxinteger + 1 == math.mininteger');
    assert.equal(n.intSub(2n ** 53n, 1), Number.MAX_SAFE_INTEGER, 'back to a plain number when safe');
    assert.equal(n.intMul(-0, 5), 0);
    assert.ok(Object.is(n.intMul(0, -5), 0), 'integers have no -0');
  });

  it('integer arithmetic and bitwise operators agree with lua5.3', function () {
    const next = random(7);
    const values: bigint[] = [0n, 1n, -1n, 2n, -2n, 3n, 7n, -7n, 255n, 2n ** 31n, -(2n ** 31n), 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n) - 5n, 2n ** 62n, 2n ** 63n - 1n, -(2n ** 63n)];
    for (let i = 0; i < 30; i++) values.push(BigInt.asIntN(64, BigInt(Math.floor(next() * 2 ** 32)) * BigInt(Math.floor(next() * 2 ** 32)) * (next() < 0.5 ? -1n : 1n)));
    for (let i = 0; i < 10; i++) values.push(BigInt(Math.floor((next() - 0.5) * 200)));
    const ops: [string, (a: n.LuaInteger, b: n.LuaInteger) => n.LuaInteger | undefined][] = [
      ['+', n.intAdd], ['-', n.intSub], ['*', n.intMul], ['//', n.intIdiv], ['%', n.intMod],
      ['&', n.intAnd], ['|', n.intOr], ['~', n.intXor], ['<<', n.intShl], ['>>', n.intShr],
    ];
    const lines: string[] = [];
    const expected: string[] = [];
    const lit = (v: bigint) => (v === -(2n ** 63n) ? 'math.mininteger' : `(${v})`);
    for (const a of values) {
      for (const b of values) {
        for (const [op, fn] of ops) {
          const bb = op === '<<' || op === '>>' ? BigInt.asIntN(64, b % 70n) : b;
          if ((op === '//' || op === '%') && bb === 0n) continue;
          lines.push(`print(${lit(a)} ${op} ${lit(bb)})`);
          expected.push(String(fn(n.intFromBig(a), n.intFromBig(bb))));
        }
      }
    }
    const actual = lua(lines.join('\n'));
    if (!actual) return this.skip();
    let mismatches = 0;
    for (let i = 0; i < lines.length; i++) {
      if (actual[i] !== expected[i] && mismatches++ < 10) assert.fail(`${lines[i]}: lua5.3 ${actual[i]}, ours ${expected[i]}`);
    }
  });

  it('prints floats as lua5.3 does (%.14g, .0 on integral floats, inf, nan)', function () {
    const floats = sampleFloats();
    const actual = lua(floats.map((x) => `print(${luaFloat(x)})`).join('\n'));
    if (!actual) return this.skip();
    floats.forEach((x, i) => assert.equal(n.numberToString(n.float(x)), actual[i], `tostring(${x})`));
    assert.equal(n.numberToString(n.float(Infinity)), 'inf');
    assert.equal(n.numberToString(n.float(-Infinity)), '-inf');
    assert.equal(n.numberToString(n.float(1e15)), '1e+15');
    assert.equal(n.numberToString(n.float(2 ** 63)), '9.2233720368548e+18');
    assert.equal(n.numberToString(n.float(-0)), '-0.0');
  });

  it('formats %e, %f and %g at many precisions exactly as C does, ties included', function () {
    const floats = sampleFloats().slice(0, 300);
    const formats = ['%.0f', '%.1f', '%.3f', '%.10f', '%.20f', '%.0e', '%.2e', '%.16e', '%g', '%.1g', '%.3g', '%.17g', '%.40g', '%#.3g', '%#.0f', '%#.0e', '%.99f'];
    const lines: string[] = [];
    const expected: string[] = [];
    for (const x of floats) {
      for (const f of formats) {
        lines.push(`print(string.format('${f}', ${luaFloat(x)}))`);
        const precision = Number(/\.(\d+)/.exec(f)?.[1] ?? 6);
        const alternate = f.includes('#');
        const kind = f[f.length - 1];
        expected.push(kind === 'f' ? n.formatF(x, precision, alternate) : kind === 'e' ? n.formatE(x, precision, alternate) : n.formatG(x, precision, alternate));
      }
    }
    const actual = lua(lines.join('\n'));
    if (!actual) return this.skip();
    for (let i = 0; i < lines.length; i++) assert.equal(expected[i], actual[i], lines[i]);
  });

  it('converts strings to numbers as lua5.3 (tonumber, coercions)', function () {
    const inputs = ['10', '  10  ', '-10', '+10', '0x10', '-0x10', '0xffffffffffffffff', '0x7fffffffffffffff', '9223372036854775807',
      '9223372036854775808', '-9223372036854775808', '-9223372036854775809', '1e2', '1E-2', '.5', '5.', '0x.8', '0x1p4', '0xA.8p1', '0x1P-2',
      '1e', 'e1', '', ' ', '0x', '1 2', 'inf', 'nan', '0x1.fffffffffffffp1023', '1e400', '-1e400', '\t\n12\v\f\r', '12a', '1..2',
      '3.0', '-0', '-0.0', '00012', '0x00000000000000000000001', '1' + '0'.repeat(30)];
    const actual = lua(inputs.map((s) => `print(math.type(tonumber(${luaString(s)})), tonumber(${luaString(s)}))`).join('\n'));
    if (!actual) return this.skip();
    inputs.forEach((s, i) => {
      const v = n.stringToNumber(s);
      const type = v === undefined ? 'nil' : n.isInteger(v) ? 'integer' : 'float';
      const text = v === undefined ? 'nil' : n.numberToString(v);
      assert.equal(`${type}\t${text}`, actual[i], JSON.stringify(s));
    });
  });

  it('reads integers in other bases as tonumber(s, base) does', function () {
    const cases: [string, number][] = [['ff', 16], ['FF', 16], ['-ff', 16], ['  11  ', 2], ['z', 36], ['Z', 36], ['777', 8], ['8', 8],
      ['', 10], ['1.5', 10], ['ffffffffffffffffff', 16], ['-', 10], ['10', 36]];
    const actual = lua(cases.map(([s, b]) => `print(tonumber(${luaString(s)}, ${b}))`).join('\n'));
    if (!actual) return this.skip();
    cases.forEach(([s, b], i) => {
      const v = n.stringToIntegerInBase(s, b);
      assert.equal(v === undefined ? 'nil' : String(v), actual[i], `tonumber(${JSON.stringify(s)}, ${b})`);
    });
  });

  it('compares across subtypes exactly', () => {
    assert.ok(!n.numEq(2n ** 53n + 1n, n.float(2 ** 53)));
    assert.ok(n.numLt(2n ** 53n, 2 ** 53 + 2 ** 20 + 0.5 - 0.5 + 0.5));
    assert.ok(n.numEq(1, n.float(1)));
    assert.ok(!n.numLt(NaN, 1) && !n.numLe(NaN, NaN) && !n.numEq(NaN, NaN));
    assert.ok(n.numLe(-(2n ** 63n), n.float(-(2 ** 63))));
  });

  it('computes float modulo, floor division and pow as Lua does', () => {
    assert.equal(n.floatMod(5.5, -2), -0.5);
    assert.equal(n.floatMod(-5.5, 2), 0.5);
    assert.equal(n.floatMod(1, Infinity), 1);
    assert.equal(n.floatMod(-1, Infinity), Infinity);
    assert.ok(Number.isNaN(n.floatMod(Infinity, 2)));
    assert.equal(n.floatIdiv(7, -2), -4);
    assert.equal(n.floatPow(1, NaN), 1);
    assert.equal(n.intMod(3, -2), -1);
    assert.equal(n.intMod(-3, 2), 1);
    assert.equal(n.intIdiv(-7, 2), -4);
    assert.equal(n.intIdiv(7, 0), undefined);
    assert.equal(n.intIdiv(-(2n ** 63n), -1), -(2n ** 63n));
    assert.equal(n.intMod(-(2n ** 63n), -1), 0);
  });
});
