// Lua 5.3 numbers in JavaScript. Lua has two number subtypes, 64-bit integers and doubles, and
// tells them apart (`math.type`, `1//0` fails but `1.0//0` is inf, `3` prints as `3` and `3.0` as
// `3.0`). The representation keeps the common cases as plain JS numbers:
//
//   integer  a JS number that is a safe integer (|i| <= 2^53 - 1), or a `bigint` outside that range
//            (always within int64: every operation wraps modulo 2^64)
//   float    a JS number that is not an integer (fractions, NaN, ±inf), or an `LFloat` box for a
//            float whose value is integral (`1.0`, `-0.0`, `2^63`)
//
// So `typeof v === 'number'` with `Number.isInteger(v)` is an integer; every other number is a
// float. Each value has exactly one representation, which is what table keys and `==` need.

const TWO53 = 2 ** 53;
const TWO63 = 2 ** 63;

/** A float whose value is integral (including -0.0): boxed so that it stays a float. */
export class LFloat {
  constructor(readonly n: number) {}
}

export type LuaInteger = number | bigint;
export type LuaNumber = number | bigint | LFloat;

export function isNumber(v: unknown): v is LuaNumber {
  return typeof v === 'number' || typeof v === 'bigint' || v instanceof LFloat;
}

export function isInteger(v: unknown): v is LuaInteger {
  return typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
}

export function isFloat(v: unknown): v is number | LFloat {
  return v instanceof LFloat || (typeof v === 'number' && !Number.isInteger(v));
}

/** The float made from a JS number: boxed when integral so it keeps the float subtype. */
export function float(x: number): number | LFloat {
  return Number.isInteger(x) ? new LFloat(x) : x;
}

/**
 * A number operand as a float for the arithmetic fast paths: a plain number (an integer within
 * 2^53, exactly a double, or a float that is not integral) or a boxed integral float; undefined
 * for anything else (bigints, strings, values with metamethods), which the slow paths handle.
 */
export function floatOperand(v: unknown): number | undefined {
  return typeof v === 'number' ? v : v instanceof LFloat ? v.n : undefined;
}

const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE_BIG = -MAX_SAFE_BIG;
const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);

/**
 * An integer from a bigint, wrapped to int64 and kept as a JS number when safe. Comparisons
 * first (they allocate nothing): most results need neither the wrap nor the conversion.
 */
export function intFromBig(big: bigint): LuaInteger {
  if (big >= MIN_SAFE_BIG && big <= MAX_SAFE_BIG) return Number(big);
  if (big >= MIN_INT64 && big <= MAX_INT64) return big;
  const wrapped = BigInt.asIntN(64, big);
  const n = Number(wrapped);
  return Number.isSafeInteger(n) ? n : wrapped;
}

export function toBig(i: LuaInteger): bigint {
  return typeof i === 'bigint' ? i : BigInt(i);
}

/** The value of any number as a double (integers beyond 2^53 round, as a C cast does). */
export function toFloatValue(v: LuaNumber): number {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : v.n;
}

/**
 * A float converted to an integer when it has an exact integer value in int64 (Lua's
 * `lua_numbertointeger` with mode "exact"); undefined otherwise.
 */
export function floatToInteger(x: number): LuaInteger | undefined {
  if (!Number.isInteger(x)) return undefined;
  if (x >= -TWO63 && x < TWO63) {
    if (Number.isSafeInteger(x)) return x === 0 ? 0 : x; // -0.0 becomes integer 0
    return BigInt(x);
  }
  return undefined;
}

/** Any number as an integer if it has an exact integer value (Lua's `tointeger`), else undefined. */
export function toInteger(v: LuaNumber): LuaInteger | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  return floatToInteger(v.n);
}

// ---- arithmetic ---------------------------------------------------------------------------
// Integer operations take integers (number or bigint) and wrap like two's-complement int64.

export function intAdd(a: LuaInteger, b: LuaInteger): LuaInteger {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (r <= Number.MAX_SAFE_INTEGER && r >= -Number.MAX_SAFE_INTEGER) return r;
  }
  return intFromBig(toBig(a) + toBig(b));
}

export function intSub(a: LuaInteger, b: LuaInteger): LuaInteger {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (r <= Number.MAX_SAFE_INTEGER && r >= -Number.MAX_SAFE_INTEGER) return r;
  }
  return intFromBig(toBig(a) - toBig(b));
}

export function intMul(a: LuaInteger, b: LuaInteger): LuaInteger {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b;
    // Below 2^53 the double product is exact.
    if (r < TWO53 && r > -TWO53) return r === 0 ? 0 : r;
  }
  return intFromBig(toBig(a) * toBig(b));
}

export function intNeg(a: LuaInteger): LuaInteger {
  if (typeof a === 'number') return a === 0 ? 0 : -a;
  return intFromBig(-a);
}

/** Floor division; undefined when dividing by zero (the caller raises `attempt to perform 'n//0'`). */
export function intIdiv(a: LuaInteger, b: LuaInteger): LuaInteger | undefined {
  if (typeof a === 'number' && typeof b === 'number') {
    if (b === 0) return undefined;
    // Exact: the remainder is exact, and a - r is a multiple of b.
    const r = a % b;
    let q = (a - r) / b;
    if (r !== 0 && (r < 0) !== (b < 0)) q -= 1;
    if (Number.isSafeInteger(q)) return q === 0 ? 0 : q;
  }
  const x = toBig(a);
  const y = toBig(b);
  if (y === 0n) return undefined;
  let q = x / y;
  if (x % y !== 0n && (x < 0n) !== (y < 0n)) q -= 1n;
  return intFromBig(q);
}

/** Modulo with the sign of the divisor; undefined when dividing by zero (`attempt to perform 'n%%0'`). */
export function intMod(a: LuaInteger, b: LuaInteger): LuaInteger | undefined {
  if (typeof a === 'number' && typeof b === 'number') {
    if (b === 0) return undefined;
    let r = a % b; // exact for safe integers
    if (r !== 0 && (r < 0) !== (b < 0)) r += b;
    return r === 0 ? 0 : r;
  }
  const x = toBig(a);
  const y = toBig(b);
  if (y === 0n) return undefined;
  let r = x % y;
  if (r !== 0n && (r < 0n) !== (y < 0n)) r += y;
  return intFromBig(r);
}

/** The NaN x86 produces for an invalid operation (0/0, fmod(x, 0)): sign bit set, printed `-nan`. */
export const DEFAULT_NAN: number = (() => {
  const bits = new Float64Array([NaN]);
  new Uint8Array(bits.buffer)[7] |= 0x80;
  return bits[0];
})();

/** C's fmod: a NaN made from non-NaN operands is x86's default NaN. */
export function cFmod(a: number, b: number): number {
  const r = a % b;
  return Number.isNaN(r) && !Number.isNaN(a) && !Number.isNaN(b) ? DEFAULT_NAN : r;
}

/** Float modulo as Lua defines it: `a - floor(a/b)*b`, computed with fmod and a sign fix. */
export function floatMod(a: number, b: number): number {
  if (b === Infinity) return a >= 0 ? a : (a === -Infinity || Number.isNaN(a) ? NaN : b);
  if (b === -Infinity) return a <= 0 ? a : (a === Infinity || Number.isNaN(a) ? NaN : b);
  let r = cFmod(a, b);
  if (r !== 0 && (r < 0) !== (b < 0)) r += b;
  return r;
}

export function floatIdiv(a: number, b: number): number {
  return Math.floor(a / b);
}

/** `a ^ b` as C's pow (Math.pow differs only for pow(1, NaN) and pow(-1, ±inf), which C defines as 1). */
export function floatPow(a: number, b: number): number {
  if (a === 1) return 1;
  if (a === -1 && (b === Infinity || b === -Infinity)) return 1;
  return Math.pow(a, b);
}

// ---- bitwise (operands already converted to integers) ---------------------------------------

function bothInt32(a: LuaInteger, b: LuaInteger): boolean {
  return typeof a === 'number' && typeof b === 'number' && (a | 0) === a && (b | 0) === b;
}

export function intAnd(a: LuaInteger, b: LuaInteger): LuaInteger {
  if (bothInt32(a, b)) return (a as number) & (b as number);
  return intFromBig(toBig(a) & toBig(b));
}

export function intOr(a: LuaInteger, b: LuaInteger): LuaInteger {
  if (bothInt32(a, b)) return (a as number) | (b as number);
  return intFromBig(toBig(a) | toBig(b));
}

export function intXor(a: LuaInteger, b: LuaInteger): LuaInteger {
  if (bothInt32(a, b)) return (a as number) ^ (b as number);
  return intFromBig(toBig(a) ^ toBig(b));
}

export function intNot(a: LuaInteger): LuaInteger {
  if (typeof a === 'number' && (a | 0) === a) return ~a;
  return intFromBig(~toBig(a));
}

/** Logical shift left by `n` (negative shifts right); shifts of 64 or more give 0. */
export function intShl(a: LuaInteger, n: LuaInteger): LuaInteger {
  const shift = toBig(n);
  if (shift <= -64n || shift >= 64n) return 0;
  const x = BigInt.asUintN(64, toBig(a));
  return intFromBig(shift >= 0n ? x << shift : x >> -shift);
}

export function intShr(a: LuaInteger, n: LuaInteger): LuaInteger {
  return intShl(a, intNeg(n));
}

// ---- comparison -------------------------------------------------------------------------------

/** Numeric equality across subtypes, exact (2^53 + 1 ~= 2^53 + 0.0). */
export function numEq(a: LuaNumber, b: LuaNumber): boolean {
  const x = a instanceof LFloat ? a.n : a;
  const y = b instanceof LFloat ? b.n : b;
  // JS compares bigint with number by exact mathematical value.
  return x == y; // eslint-disable-line eqeqeq
}

export function numLt(a: LuaNumber, b: LuaNumber): boolean {
  const x = a instanceof LFloat ? a.n : a;
  const y = b instanceof LFloat ? b.n : b;
  return x < y;
}

export function numLe(a: LuaNumber, b: LuaNumber): boolean {
  const x = a instanceof LFloat ? a.n : a;
  const y = b instanceof LFloat ? b.n : b;
  return x <= y;
}

// ---- text ---------------------------------------------------------------------------------------

/**
 * The decimal digits of |x| (finite, non-zero) rounded to `n` significant digits the way glibc's
 * printf rounds: to nearest, ties to even, on the exact binary value. Returns the digits and the
 * decimal exponent of the first one (value ≈ d.ddd × 10^exp).
 */
export function significantDigits(x: number, n: number): { digits: string; exp: number } {
  const a = Math.abs(x);
  // Fast path: JS rounds correctly too, except on exact ties, where it rounds half up. An exact
  // tie shows as "5000…" in the next digits; only then is the exact path needed.
  if (n + 20 <= 101) {
    const wide = a.toExponential(n - 1 + 20);
    const e = wide.indexOf('e');
    const tail = wide.slice(e - 20, e);
    if (tail !== '50000000000000000000') {
      const s = a.toExponential(n - 1);
      const k = s.indexOf('e');
      return { digits: s.slice(0, k).replace('.', ''), exp: Number(s.slice(k + 1)) };
    }
  }
  const { digits, exp } = exactDecimal(a);
  return roundDigits(digits, exp, n);
}

/** The exact decimal expansion of a positive finite double: all its digits and the exponent of the first. */
function exactDecimal(a: number): { digits: string; exp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, a);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp2: number;
  if (biased === 0) {
    exp2 = -1074;
  } else {
    mantissa |= 1n << 52n;
    exp2 = biased - 1075;
  }
  let digits: string;
  let pointAfter: number; // digits before the decimal point
  if (exp2 >= 0) {
    digits = (mantissa << BigInt(exp2)).toString();
    pointAfter = digits.length;
  } else {
    // m / 2^k = m * 5^k / 10^k
    digits = (mantissa * 5n ** BigInt(-exp2)).toString();
    pointAfter = digits.length + exp2;
  }
  const stripped = digits.replace(/^0+/, '');
  return { digits: stripped.replace(/0+$/, '') || '0', exp: pointAfter - 1 - (digits.length - stripped.length) };
}

/** Rounds a digit string to `n` digits, ties to even; carries may bump the exponent. */
function roundDigits(digits: string, exp: number, n: number): { digits: string; exp: number } {
  if (digits.length <= n) return { digits: digits.padEnd(n, '0'), exp };
  const kept = digits.slice(0, n);
  const next = digits.charCodeAt(n) - 48;
  const rest = digits.slice(n + 1);
  const last = n > 0 ? kept.charCodeAt(n - 1) - 48 : 0;
  const up = next > 5 || (next === 5 && (/[1-9]/.test(rest) || last % 2 === 1));
  if (!up) return { digits: kept, exp };
  if (n === 0) return { digits: '1', exp: exp + 1 };
  const bumped = (BigInt(kept) + 1n).toString();
  if (bumped.length > n) return { digits: bumped.slice(0, n), exp: exp + 1 };
  return { digits: bumped, exp };
}

/** The digits of |x| with exactly `decimals` digits after the point, rounded as glibc does. */
export function fixedDigits(x: number, decimals: number): string {
  const a = Math.abs(x);
  if (a === 0) return decimals > 0 ? '0.' + '0'.repeat(decimals) : '0';
  if (a < 1e21 && decimals + 20 <= 100) {
    const wide = a.toFixed(decimals + 20);
    if (!wide.endsWith('50000000000000000000')) return a.toFixed(decimals);
  }
  const { digits, exp } = exactDecimal(a);
  // Number of significant digits to keep: those before the point plus `decimals`.
  const keep = exp + 1 + decimals;
  let intDigits: string;
  if (keep <= 0) {
    // Everything is below the last kept decimal: rounds to 0 or to one unit in the last place.
    const half = keep === 0 && (digits.charCodeAt(0) > 53 || (digits.charCodeAt(0) === 53 && /[1-9]/.test(digits.slice(1))));
    intDigits = half ? '1' : '0';
  } else {
    const r = roundDigits(digits, exp, keep);
    intDigits = r.digits + '0'.repeat(Math.max(0, r.exp + 1 + decimals - r.digits.length));
  }
  // intDigits holds the value × 10^decimals as an integer.
  intDigits = intDigits.padStart(decimals + 1, '0');
  if (decimals === 0) return intDigits;
  return intDigits.slice(0, intDigits.length - decimals) + '.' + intDigits.slice(intDigits.length - decimals);
}

const SIGN_VIEW = new Float64Array(1);
const SIGN_BYTES = new Uint8Array(SIGN_VIEW.buffer);

/** Whether a NaN has its sign bit set: C prints it `-nan` (as x86 makes 0/0). */
function negativeNaN(x: number): boolean {
  SIGN_VIEW[0] = x;
  return (SIGN_BYTES[7] & 0x80) !== 0;
}

function nonFinite(x: number): string | undefined {
  if (Number.isNaN(x)) return negativeNaN(x) ? '-nan' : 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return undefined;
}

function exponentText(e: number): string {
  return (e < 0 ? 'e-' : 'e+') + String(Math.abs(e)).padStart(2, '0');
}

/** C's `%.<precision>e` (sign included for negatives). */
export function formatE(x: number, precision = 6, alternate = false): string {
  const special = nonFinite(x);
  if (special) return special;
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (x === 0) return sign + '0' + (precision > 0 || alternate ? '.' + '0'.repeat(precision) : '') + 'e+00';
  const { digits, exp } = significantDigits(x, precision + 1);
  const mantissa = digits[0] + (precision > 0 || alternate ? '.' + digits.slice(1) : '');
  return sign + mantissa + exponentText(exp);
}

/** C's `%.<precision>f`. */
export function formatF(x: number, precision = 6, alternate = false): string {
  const special = nonFinite(x);
  if (special) return special;
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const text = fixedDigits(x, precision);
  return sign + text + (alternate && precision === 0 ? '.' : '');
}

/** C's `%.<precision>g`: the shorter of %e and %f by C's rule, trailing zeros removed unless `#`. */
export function formatG(x: number, precision = 6, alternate = false): string {
  const special = nonFinite(x);
  if (special) return special;
  const p = precision === 0 ? 1 : precision;
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (x === 0) return sign + (alternate ? '0.' + '0'.repeat(p - 1) : '0');
  const { digits, exp } = significantDigits(x, p);
  let body: string;
  if (exp < -4 || exp >= p) {
    let mantissa = digits[0] + (p > 1 || alternate ? '.' + digits.slice(1) : '');
    if (!alternate && mantissa.includes('.')) mantissa = mantissa.replace(/\.?0+$/, '');
    body = mantissa + exponentText(exp);
  } else {
    // Fixed notation with p - 1 - exp decimals: place the point within the rounded digits.
    if (exp >= 0) {
      body = digits.slice(0, exp + 1) + (digits.length > exp + 1 || alternate ? '.' + digits.slice(exp + 1) : '');
    } else {
      body = '0.' + '0'.repeat(-exp - 1) + digits;
    }
    if (!alternate && body.includes('.')) body = body.replace(/\.?0+$/, '');
  }
  return sign + body;
}

/** How Lua 5.3 prints a number (`tostring`, `print`, `..`): `%.14g`, plus `.0` on integral floats. */
export function numberToString(v: LuaNumber): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  const x = typeof v === 'number' ? v : v.n;
  const text = formatG(x, 14);
  return /^-?[0-9]+$/.test(text) ? text + '.0' : text;
}

const SPACE = /^[ \f\n\r\t\v]*/;
const TRAILING_SPACE = /[ \f\n\r\t\v]*$/;

/**
 * A string converted to a number as Lua does for `tonumber(s)` and arithmetic coercion
 * (`luaO_str2num`): surrounding whitespace allowed, an optional sign, decimal or hexadecimal,
 * integer or float; undefined when the text is not a numeral.
 */
export function stringToNumber(text: string): LuaNumber | undefined {
  let s = text.replace(SPACE, '').replace(TRAILING_SPACE, '');
  let negative = false;
  if (s.startsWith('-')) {
    negative = true;
    s = s.slice(1);
  } else if (s.startsWith('+')) {
    s = s.slice(1);
  }
  if (s.length === 0 || s.includes('\0')) return undefined;
  const hex = /^0[xX]/.test(s);
  if (hex ? /^0[xX][0-9a-fA-F]+$/.test(s) : /^[0-9]+$/.test(s)) {
    if (hex) {
      // Hex integers wrap around modulo 2^64: only the last 16 digits matter (and BigInt's
      // parse of a long string costs more than linear time).
      const big = BigInt.asIntN(64, BigInt('0x' + s.slice(2).slice(-16)));
      return intFromBig(negative ? -big : big);
    }
    // More than 19 significant digits is past int64: a float, without a BigInt of them all.
    if (s.length - (/^0*/.exec(s)![0].length) > 19) {
      const f = Number(s);
      return float(negative ? -f : f);
    }
    const big = BigInt(s);
    // A decimal integer that does not fit int64 is read as a float.
    if (big < 2n ** 63n || (negative && big === 2n ** 63n)) return intFromBig(negative ? -big : big);
    const f = Number(s);
    return float(negative ? -f : f);
  }
  const f = hex ? hexFloat(s) : decimalFloat(s);
  if (f === undefined) return undefined;
  return float(negative ? -f : f);
}

function decimalFloat(s: string): number | undefined {
  if (!/^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(s)) return undefined;
  return Number(s);
}

function hexFloat(s: string): number | undefined {
  const m = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/.exec(s);
  if (!m) return undefined;
  const whole = m[1];
  const fraction = m[2] ?? '';
  if (whole.length + fraction.length === 0) return undefined;
  let exponent = (m[3] !== undefined ? Number(m[3]) : 0) - 4 * fraction.length;
  // The first 32 significant digits are far more than a double's 53 bits: the rest only
  // decide a sticky bit (and a BigInt of a long string costs more than linear time).
  let digits = (whole + fraction).replace(/^0+/, '') || '0';
  if (digits.length > 32) {
    exponent += 4 * (digits.length - 32);
    digits = digits.slice(0, 32) + (/[^0]/.test(digits.slice(32)) ? '1' : '0');
    exponent -= 4;
  }
  let mantissa = BigInt('0x' + digits);
  if (mantissa === 0n) return 0;
  const bits = mantissa.toString(2).length;
  if (bits > 64) {
    const drop = bits - 64;
    const sticky = (mantissa & ((1n << BigInt(drop)) - 1n)) !== 0n ? 1n : 0n;
    mantissa = (mantissa >> BigInt(drop)) | sticky;
    exponent += drop;
  }
  let value = Number(mantissa);
  while (exponent > 0 && Number.isFinite(value)) {
    const step = Math.min(exponent, 1000);
    value *= 2 ** step;
    exponent -= step;
  }
  while (exponent < 0 && value !== 0) {
    const step = Math.max(exponent, -1000);
    value *= 2 ** step;
    exponent -= step;
  }
  return value;
}

/**
 * `tonumber(s, base)`: an integer numeral in `base` (2..36) with optional surrounding whitespace
 * and a leading minus; wraps modulo 2^64 like Lua. Undefined when not a numeral in that base.
 */
export function stringToIntegerInBase(text: string, base: number): LuaInteger | undefined {
  let s = text.replace(SPACE, '').replace(TRAILING_SPACE, '');
  let negative = false;
  if (s.startsWith('-')) {
    negative = true;
    s = s.slice(1);
  } else if (s.startsWith('+')) {
    s = s.slice(1);
  }
  if (s.length === 0) return undefined;
  let value = 0n;
  const b = BigInt(base);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const digit = c >= 48 && c <= 57 ? c - 48 : (c | 32) >= 97 && (c | 32) <= 122 ? (c | 32) - 87 : 99;
    if (digit >= base) return undefined;
    value = BigInt.asUintN(64, value * b + BigInt(digit));
  }
  return intFromBig(negative ? -value : value);
}
