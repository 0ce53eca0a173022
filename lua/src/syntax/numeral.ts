// Lua 5.3 numerals: the conversion `luaO_str2num` performs, as the lexer and `tonumber` need it.
// Decimal integers that overflow 64 bits become floats; hexadecimal integers wrap around modulo
// 2^64; `inf` and `nan` are not numerals.

export interface NumeralValue {
  integer: boolean;
  /** The float value, or the integer's value when exact in a JS number. */
  value: number;
  /** The exact value of an integer outside ±2^53. */
  int64?: bigint;
}

const TWO64 = 1n << 64n;
const TWO63 = 1n << 63n;

const DECIMAL_INT = /^[0-9]+$/;
const HEX_INT = /^0[xX][0-9a-fA-F]+$/;
const DECIMAL_FLOAT = /^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const HEX_FLOAT = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/;

export function integerValue(big: bigint): NumeralValue {
  const value = Number(big);
  return Number.isSafeInteger(value) ? { integer: true, value } : { integer: true, value, int64: big };
}

/** Converts an unsigned 64-bit pattern to Lua's signed integer. */
export function wrapInt64(big: bigint): bigint {
  big = ((big % TWO64) + TWO64) % TWO64;
  return big >= TWO63 ? big - TWO64 : big;
}

/** Parses a numeral without sign or surrounding spaces; returns undefined when it is malformed. */
export function parseNumeral(text: string): NumeralValue | undefined {
  if (DECIMAL_INT.test(text)) {
    if (text.length <= 15) return { integer: true, value: +text };
    const big = BigInt(text);
    if (big < TWO63) return integerValue(big);
    return { integer: false, value: Number(text) };
  }
  if (HEX_INT.test(text)) {
    if (text.length <= 15) return { integer: true, value: parseInt(text.slice(2), 16) };
    return integerValue(wrapInt64(BigInt(text)));
  }
  if (DECIMAL_FLOAT.test(text)) return { integer: false, value: Number(text) };
  const hex = HEX_FLOAT.exec(text);
  if (hex) {
    const whole = hex[1];
    const fraction = hex[2] ?? '';
    if (whole.length + fraction.length === 0) return undefined;
    const digits = (whole + fraction).replace(/^0+/, '');
    const exponent = (hex[3] !== undefined ? parseInt(hex[3], 10) : 0) - 4 * fraction.length;
    return { integer: false, value: scaleHex(digits, exponent) };
  }
  return undefined;
}

function scaleHex(digits: string, exponent: number): number {
  if (digits.length === 0) return 0;
  let mantissa = BigInt('0x' + digits);
  // Keep the mantissa within a few words and fold the rest into the exponent, keeping a sticky bit
  // so that rounding to a double stays correct.
  const bits = mantissa.toString(2).length;
  if (bits > 128) {
    const drop = BigInt(bits - 128);
    const sticky = (mantissa & ((1n << drop) - 1n)) !== 0n ? 1n : 0n;
    mantissa = (mantissa >> drop) | sticky;
    exponent += Number(drop);
  }
  let value = Number(mantissa);
  // Scale in steps so that intermediate powers of two neither overflow nor underflow early.
  while (exponent > 0) {
    const step = Math.min(exponent, 1000);
    value *= 2 ** step;
    exponent -= step;
    if (!isFinite(value)) return value;
  }
  while (exponent < 0) {
    const step = Math.max(exponent, -1000);
    value *= 2 ** step;
    exponent -= step;
    if (value === 0) return value;
  }
  return value;
}
