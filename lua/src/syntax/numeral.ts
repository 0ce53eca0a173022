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

/**
 * `0x<digits> * 2^exponent` rounded once, to nearest even, as C's strtod does: to 53 bits for a
 * normal result, to a multiple of 2^-1074 for a subnormal one. (Rounding to 53 bits first and
 * scaling after would round subnormals twice: `0x1.7ffffffffffffffp-1074` must be 2^-1074, not 2^-1073.)
 */
function scaleHex(digits: string, exponent: number): number {
  if (digits.length === 0) return 0;
  const mantissa = BigInt('0x' + digits);
  const bits = digits.length * 4 - Math.clz32(parseInt(digits[0], 16)) + 28;
  /** Binary exponent of the leading bit. */
  const lead = bits - 1 + exponent;
  if (lead > 1024) return Infinity;
  if (lead < -1075) return 0;
  /** Exponent of the last bit a double can keep for this value. */
  const last = Math.max(lead - 52, -1074);
  const shift = last - exponent;
  // Fewer than 54 significant bits, all representable: exact.
  if (shift <= 0) return Number(mantissa) * 2 ** exponent;
  const big = BigInt(shift);
  let kept = mantissa >> big;
  const rest = mantissa - (kept << big);
  const half = 1n << (big - 1n);
  if (rest > half || (rest === half && (kept & 1n) === 1n)) kept += 1n;
  // `kept` has at most 53 bits and 2^last is a double, so this product is exact (or overflows).
  return Number(kept) * 2 ** last;
}
