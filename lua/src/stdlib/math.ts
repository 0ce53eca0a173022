// The math library (manual §6.7) of Lua 5.3, with the 5.2 compatibility functions that the
// standard 5.3 build includes (atan2, cosh, sinh, tanh, pow, frexp, ldexp, log10).
//
// Integer/float subtypes follow PUC exactly: `lua_isinteger` looks at the value itself (so
// `math.abs("-3")` is the float 3.0), floor/ceil/modf give integers when they fit.

import type { VM } from '../vm/interp';
import {
  LFloat, LuaInteger, float, floatOperand, floatPow, floatToInteger, intFromBig, intSub, isInteger, toBig, toFloatValue, toInteger, stringToNumber,
  cFmod,
} from '../vm/number';
import { LuaTable } from '../vm/table';
import { LuaValue, NOT_FAST, NativeFunction } from '../vm/value';
import { Args, library } from './args';

/**
 * A source of random numbers; the sandbox swaps in a recorded one for replay. `next` gives a
 * float in [0, 1) (Lua 5.3 scales it for integer ranges); `seed` receives the 32-bit unsigned
 * seed that `math.randomseed` computes from its argument.
 */
export interface RandomSource {
  next(): number;
  seed(x: number): void;
}

/**
 * The generator PUC Lua 5.3 uses on Linux: C's `random()` of glibc (the additive feedback
 * generator of degree 31), scaled to [0, 1) by 2^31. Unseeded it starts as `srandom(1)`, as a C
 * program does, so scripts see the numbers lua5.3 gives them. A seed is applied when the first
 * number is drawn from it (the outputs depend only on the last seed and the draws since): most
 * runs draw none, and seeding is ~340 steps of the generator a run would pay for nothing.
 */
export class DefaultRandom implements RandomSource {
  /** The generator's state; undefined until a number is drawn from `seeded` (see seed). */
  private state: Int32Array | undefined;
  private front = 3;
  private rear = 0;
  private seeded: number;

  constructor(seed = 1) {
    this.seeded = seed;
  }

  seed(x: number): void {
    this.seeded = x;
    this.state = undefined;
  }

  /** The state `srandom(seeded)` makes. */
  private start(): Int32Array {
    const x = this.seeded;
    let word = (x >>> 0) === 0 ? 1 : x | 0;
    const state = (this.state = new Int32Array(31));
    state[0] = word;
    for (let i = 1; i < 31; i++) {
      // word = 16807 * word mod (2^31 - 1), computed without overflow (Schrage's method).
      const hi = Math.trunc(word / 127773);
      const lo = word % 127773;
      word = 16807 * lo - 2836 * hi;
      if (word < 0) word += 2147483647;
      state[i] = word;
    }
    this.front = 3;
    this.rear = 0;
    for (let i = 0; i < 310; i++) this.next31();
    return state;
  }

  /** The next 31-bit output. */
  next31(): number {
    const state = this.state ?? this.start();
    const value = (state[this.front] + state[this.rear]) | 0;
    state[this.front] = value;
    if (++this.front === 31) this.front = 0;
    if (++this.rear === 31) this.rear = 0;
    return value >>> 1;
  }

  next(): number {
    return this.next31() / 2147483648;
  }
}

const TWO63 = 2 ** 63;
const MAX_INTEGER = 2n ** 63n - 1n;

/** `lua_isinteger`: the value itself is an integer (a numeric string is not). */
function isIntegerValue(v: LuaValue): v is LuaInteger {
  return typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
}

/** PUC's pushnumint: a float with an integral value that fits becomes an integer. */
function numberOrInteger(x: number): LuaValue {
  const i = floatToInteger(x);
  return i !== undefined ? i : float(x);
}

/** The `(unsigned int)(lua_Integer)x` of math.randomseed, with x86's result for out-of-range floats. */
function seedOf(x: number): number {
  if (!(x > -TWO63 - 1025 && x < TWO63)) return 0; // NaN and out-of-range convert to mininteger
  return Number(BigInt.asUintN(32, BigInt(Math.trunc(x))));
}

/** frexp: x = m * 2^e with 0.5 <= |m| < 1. */
function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  let biased = (view.getUint16(0) >>> 4) & 0x7ff;
  let extra = 0;
  if (biased === 0) {
    // Subnormal: scale into the normal range first.
    view.setFloat64(0, x * 2 ** 64);
    biased = (view.getUint16(0) >>> 4) & 0x7ff;
    extra = -64;
  }
  const e = biased - 1022;
  view.setUint16(0, (view.getUint16(0) & 0x800f) | (1022 << 4));
  return [view.getFloat64(0), e + extra];
}

/** ldexp: x * 2^e with a single rounding, as C's. */
function ldexp(x: number, e: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const [m, ex] = frexp(x);
  const k = ex + e; // x * 2^e = m * 2^k with 0.5 <= |m| < 1
  if (k > 1024) return m > 0 ? Infinity : -Infinity;
  // A normal result: 2m has the same bits, and 2^(k-1) is exact.
  if (k >= -1021) return (m * 2) * 2 ** (k - 1);
  // A subnormal (or zero) result: scale exactly first, so that only the last step rounds.
  return (m * 2 ** (k + 1074)) * 2 ** -1074;
}

/** A float function's one-argument fast form (see `NativeFunction.unary`). */
const unaryFloat = (f: (x: number) => number) => (x: LuaValue): LuaValue | typeof NOT_FAST => {
  const n = floatOperand(x);
  return n === undefined ? NOT_FAST : float(f(n));
};

/** floor and ceil's fast form: an integer stays, a float rounds to an integer when one fits. */
const unaryRound = (f: (x: number) => number) => (x: LuaValue): LuaValue | typeof NOT_FAST =>
  typeof x === 'number' ? (Number.isInteger(x) ? x : numberOrInteger(f(x))) : x instanceof LFloat ? numberOrInteger(f(x.n)) : NOT_FAST;

const UNARY: Record<string, (x: LuaValue) => LuaValue | typeof NOT_FAST> = {
  sqrt: unaryFloat(Math.sqrt), sin: unaryFloat(Math.sin), cos: unaryFloat(Math.cos), tan: unaryFloat(Math.tan),
  asin: unaryFloat(Math.asin), acos: unaryFloat(Math.acos), exp: unaryFloat(Math.exp),
  floor: unaryRound(Math.floor), ceil: unaryRound(Math.ceil),
  abs: (x) => typeof x === 'number' ? (x < 0 ? -x : x) : x instanceof LFloat ? new LFloat(Math.abs(x.n)) : NOT_FAST,
};

export function openMath(vm: VM, G: LuaTable, random: RandomSource): void {
  const M = new LuaTable();
  G.setStr('math', M);

  const num = (a: Args, i: number): number => toFloatValue(a.number(i));
  const floatFn = (f: (x: number) => number) => (a: Args) => [float(f(num(a, 1)))];

  library(vm, M, 'math', {
    abs: (a) => {
      const v = a.values[0];
      if (isIntegerValue(v)) return [v < 0 ? intSub(0, v) : v];
      return [float(Math.abs(num(a, 1)))];
    },
    sin: floatFn(Math.sin),
    cos: floatFn(Math.cos),
    tan: floatFn(Math.tan),
    asin: floatFn(Math.asin),
    acos: floatFn(Math.acos),
    atan: (a) => {
      const y = num(a, 1);
      const x = toFloatValue(a.optNumber(2, 1));
      return [float(Math.atan2(y, x))];
    },
    tointeger: (a) => {
      const v = a.values[0];
      const n = typeof v === 'string' ? stringToNumber(v) : v;
      if (typeof n === 'number' || typeof n === 'bigint' || n instanceof LFloat) {
        const i = toInteger(n);
        if (i !== undefined) return [i];
      }
      a.any(1);
      return [undefined];
    },
    floor: (a) => {
      const v = a.values[0];
      if (isIntegerValue(v)) return [v];
      return [numberOrInteger(Math.floor(num(a, 1)))];
    },
    ceil: (a) => {
      const v = a.values[0];
      if (isIntegerValue(v)) return [v];
      return [numberOrInteger(Math.ceil(num(a, 1)))];
    },
    fmod: (a) => {
      const x = a.values[0];
      const y = a.values[1];
      if (isIntegerValue(x) && isIntegerValue(y)) {
        if (y === 0 || y === -1) {
          if (y === 0) throw a.error(2, 'zero');
          return [0];
        }
        // C's % truncates toward zero.
        if (typeof x === 'number' && typeof y === 'number') {
          const r = x % y;
          return [r === 0 ? 0 : r];
        }
        return [intFromBig(toBig(x) % toBig(y))];
      }
      return [float(cFmod(num(a, 1), num(a, 2)))];
    },
    modf: (a) => {
      const v = a.values[0];
      if (isIntegerValue(v)) return [v, new LFloat(0)];
      const n = num(a, 1);
      const ip = n < 0 ? Math.ceil(n) : Math.floor(n);
      return [numberOrInteger(ip), float(n === ip ? 0 : n - ip)];
    },
    sqrt: floatFn(Math.sqrt),
    ult: (a) => {
      const x = BigInt.asUintN(64, toBig(a.integer(1)));
      const y = BigInt.asUintN(64, toBig(a.integer(2)));
      return [x < y];
    },
    log: (a) => {
      const x = num(a, 1);
      if (a.isNil(2)) return [float(Math.log(x))];
      const base = num(a, 2);
      if (base === 2) return [float(Math.log2(x))];
      if (base === 10) return [float(Math.log10(x))];
      return [float(Math.log(x) / Math.log(base))];
    },
    exp: floatFn(Math.exp),
    deg: (a) => [float(num(a, 1) * (180 / Math.PI))],
    rad: (a) => [float(num(a, 1) * (Math.PI / 180))],
    min: (a) => {
      const n = a.length;
      if (n < 1) throw a.error(1, 'value expected');
      let best = a.values[0];
      for (let i = 1; i < n; i++) if (vm.lessThan(a.values[i], best)) best = a.values[i];
      return [best];
    },
    max: (a) => {
      const n = a.length;
      if (n < 1) throw a.error(1, 'value expected');
      let best = a.values[0];
      for (let i = 1; i < n; i++) if (vm.lessThan(best, a.values[i])) best = a.values[i];
      return [best];
    },
    random: (a) => {
      const r = random.next();
      let low: LuaInteger;
      let up: LuaInteger;
      switch (a.length) {
        case 0:
          return [float(r)];
        case 1:
          low = 1;
          up = a.integer(1);
          break;
        case 2:
          low = a.integer(1);
          up = a.integer(2);
          break;
        default:
          throw a.fail('wrong number of arguments');
      }
      if (!(low <= up)) throw a.error(1, 'interval is empty');
      if (!(low >= 0 || toBig(up) <= MAX_INTEGER + toBig(low))) throw a.error(1, 'interval too large');
      // As C computes it: (lua_Integer)(r * ((double)(up - low) + 1.0)) + low.
      const span = Number(toBig(up) - toBig(low)) + 1;
      const offset = Math.floor(r * span);
      if (typeof low === 'number' && Number.isSafeInteger(offset) && Number.isSafeInteger(low + offset)) return [low + offset];
      return [intFromBig(BigInt(offset) + toBig(low))];
    },
    randomseed: (a) => {
      random.seed(seedOf(num(a, 1)));
      random.next(); // PUC discards the first value after seeding
      return [];
    },
    type: (a) => {
      const v = a.any(1);
      if (typeof v === 'number' || typeof v === 'bigint' || v instanceof LFloat) return [isInteger(v) ? 'integer' : 'float'];
      return [undefined];
    },

    // Lua 5.2 functions kept by the standard 5.3 build (LUA_COMPAT_MATHLIB).
    atan2: (a) => {
      const y = num(a, 1);
      const x = toFloatValue(a.optNumber(2, 1));
      return [float(Math.atan2(y, x))];
    },
    cosh: floatFn(Math.cosh),
    sinh: floatFn(Math.sinh),
    tanh: floatFn(Math.tanh),
    pow: (a) => {
      const x = num(a, 1);
      const y = num(a, 2);
      return [float(floatPow(x, y))];
    },
    frexp: (a) => {
      const [m, e] = frexp(num(a, 1));
      return [float(m), e];
    },
    ldexp: (a) => {
      const x = num(a, 1);
      const e = Number(BigInt.asIntN(32, toBig(a.integer(2))));
      return [float(ldexp(x, e))];
    },
    log10: floatFn(Math.log10),
  });
  for (const name of Object.keys(UNARY)) (M.getStr(name) as NativeFunction).unary = UNARY[name];

  M.setStr('pi', Math.PI);
  M.setStr('huge', Infinity);
  M.setStr('maxinteger', MAX_INTEGER);
  M.setStr('mininteger', -(2n ** 63n));
}
