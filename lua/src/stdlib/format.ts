// string.format (manual §6.4): C's printf conversions as glibc renders them in the C locale, plus
// Lua's `%q`. A conversion is `%[flags][width][.precision]letter` with at most 2 digits of width and
// of precision and at most 5 flag characters, as PUC Lua checks before handing it to sprintf.

import { isNumberValue } from '../vm/interp';
import { LuaInteger, LuaNumber, formatE, formatF, formatG, isInteger, toBig, toFloatValue } from '../vm/number';
import { LuaValue, Request } from '../vm/value';
import { Args, Charge, memoryError } from './args';

/** Largest string the library builds: beyond it PUC says "resulting string too large". */
export const MAX_STRING = 0x7fffffff;
/** Largest string a JS engine holds (V8's limit, in bytes here): beyond it, "not enough memory". */
export const MAX_JS_STRING = 0x1fffffe8;

interface Spec {
  minus: boolean;
  plus: boolean;
  space: boolean;
  alt: boolean;
  zero: boolean;
  width: number;
  /** -1 when absent. */
  precision: number;
}

const FLAG_CHARS = '-+ #0';

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** How luaO_pushfstring shows a character in a message: itself if printable, else `<\code>`. */
export function charForMessage(c: number): string {
  return c >= 32 && c < 127 ? String.fromCharCode(c) : `<\\${c}>`;
}

/** Characters of a format converted in one slice of string.format (a longer format is resumable). */
const FORMAT_SLICE = 16384;

/**
 * `string.format(fmt, ...)`. A format longer than a slice goes on in slices (see Request.steps),
 * each charged for what it made, so a long one gives the sandbox's clock and the event loop turns.
 */
export function format(a: Args, charge: Charge): LuaValue[] | Request {
  const fmt = a.string(1);
  const top = a.length;
  const end = fmt.length;
  // Pieces joined once at the end (a format of many conversions is not a rope of as many appends).
  const out: string[] = [];
  let length = 0;
  let charged = 0;
  const put = (piece: string): void => {
    out.push(piece);
    length += piece.length;
  };
  let arg = 1;
  let i = 0;
  /** Converts the format from i up to `stop` (the last conversion may end past it). */
  const convert = (stop: number): void => {
    while (i < stop) {
      const c = fmt.charCodeAt(i);
      if (c !== 37) {
        // Copy a run of plain text at once (up to the slice's end).
        let j = fmt.indexOf('%', i);
        if (j < 0 || j > stop) j = stop;
        put(fmt.slice(i, j));
        i = j;
        continue;
      }
      // A run of `%%` at once (up to the slice's end).
      let j = i;
      while (j < stop && fmt.charCodeAt(j + 1) === 37 && fmt.charCodeAt(j) === 37) j += 2;
      if (j > i) {
        put('%'.repeat((j - i) / 2));
        i = j;
        continue;
      }
      i++;
      if (++arg > top) throw a.error(arg, 'no value');
      // Scan the specification as PUC's scanformat does.
      const start = i;
      while (i < end && FLAG_CHARS.includes(fmt[i])) i++;
      if (i - start >= 6) throw a.fail('invalid format (repeated flags)');
      const flags = fmt.slice(start, i);
      const w0 = i;
      if (isDigit(fmt.charCodeAt(i))) i++;
      if (isDigit(fmt.charCodeAt(i))) i++;
      const width = i > w0 ? Number(fmt.slice(w0, i)) : 0;
      let precision = -1;
      if (fmt.charCodeAt(i) === 46) {
        i++;
        const p0 = i;
        if (isDigit(fmt.charCodeAt(i))) i++;
        if (isDigit(fmt.charCodeAt(i))) i++;
        precision = i > p0 ? Number(fmt.slice(p0, i)) : 0;
      }
      if (isDigit(fmt.charCodeAt(i))) throw a.fail('invalid format (width or precision too long)');
      const spec: Spec = {
        minus: flags.includes('-'), plus: flags.includes('+'), space: flags.includes(' '), alt: flags.includes('#'), zero: flags.includes('0'),
        width, precision,
      };
      const conversion = i < end ? fmt.charCodeAt(i) : 0;
      i++;
      switch (conversion) {
        case 99: // c
          put(pad(String.fromCharCode(Number(BigInt.asUintN(8, toBig(a.integer(arg))))), spec));
          break;
        case 100: case 105: // d i
          put(formatInteger(a.integer(arg), spec, 10, false, true));
          break;
        case 117: // u
          put(formatInteger(unsigned(a.integer(arg)), spec, 10, false, false));
          break;
        case 111: // o
          put(formatInteger(unsigned(a.integer(arg)), spec, 8, false, false));
          break;
        case 120: case 88: // x X
          put(formatInteger(unsigned(a.integer(arg)), spec, 16, conversion === 88, false));
          break;
        case 97: case 65: case 101: case 69: case 102: case 103: case 71: // a A e E f g G
          put(formatFloat(toFloatValue(a.number(arg)), spec, conversion));
          break;
        case 113: // q: modifiers are ignored, as in PUC 5.3
          put(quote(a, arg));
          break;
        case 115: { // s
          const s = a.vm.tostring(a.any(arg));
          if (i - start === 1) {
            put(s); // plain %s: the whole string, zeros included
          } else {
            if (s.includes('\0')) throw a.error(arg, 'string contains zeros');
            if (precision < 0 && s.length >= 100) put(s); // too long to format: kept whole
            else put(pad(precision >= 0 ? s.slice(0, precision) : s, spec));
          }
          break;
        }
        default:
          throw a.fail(`invalid option '%${charForMessage(conversion)}' to 'format'`);
      }
      if (length > MAX_JS_STRING) throw memoryError();
    }
  };
  /** One slice: converts, and charges what it made. */
  const slice = (): LuaValue[] | undefined => {
    const stop = Math.min(end, i + FORMAT_SLICE);
    convert(stop);
    charge((length - charged) >> 4, length - charged);
    charged = length;
    return i < end ? undefined : [out.join('')];
  };
  return slice() ?? Request.steps(slice);
}

/** Pads a text item (`%c`, `%s`) to the width with spaces (glibc ignores `0` there). */
function pad(body: string, spec: Spec): string {
  if (body.length >= spec.width) return body;
  const fill = ' '.repeat(spec.width - body.length);
  return spec.minus ? body + fill : fill + body;
}

/** Pads a numeric item: zeros go between the sign/prefix and the digits when `zeros`. */
function padNumber(prefix: string, digits: string, spec: Spec, zeros: boolean): string {
  const length = prefix.length + digits.length;
  if (length >= spec.width) return prefix + digits;
  const n = spec.width - length;
  if (spec.minus) return prefix + digits + ' '.repeat(n);
  if (zeros) return prefix + '0'.repeat(n) + digits;
  return ' '.repeat(n) + prefix + digits;
}

/** An integer as C's unsigned 64-bit view of it (non-negative safe integers stay numbers). */
function unsigned(i: LuaInteger): LuaInteger {
  return typeof i === 'number' && i >= 0 ? i : BigInt.asUintN(64, toBig(i));
}

/** `%d %i %u %o %x %X` of a value already converted to signed (d, i) or unsigned 64 bits. */
function formatInteger(value: LuaInteger, spec: Spec, radix: number, upper: boolean, signed: boolean): string {
  const negative = value < 0;
  let digits = (typeof value === 'number' ? Math.abs(value) : negative ? -value : value).toString(radix);
  if (upper) digits = digits.toUpperCase();
  if (spec.precision >= 0) {
    if (spec.precision === 0 && value == 0) digits = ''; // eslint-disable-line eqeqeq
    if (digits.length < spec.precision) digits = '0'.repeat(spec.precision - digits.length) + digits;
  }
  let prefix = '';
  if (signed) {
    if (negative) prefix = '-';
    else if (spec.plus) prefix = '+';
    else if (spec.space) prefix = ' ';
  } else if (spec.alt) {
    if (radix === 8 && !digits.startsWith('0')) digits = '0' + digits;
    else if (radix === 16 && value != 0) prefix = upper ? '0X' : '0x'; // eslint-disable-line eqeqeq
  }
  return padNumber(prefix, digits, spec, spec.zero && spec.precision < 0);
}

const bits = new DataView(new ArrayBuffer(8));

/** Whether a NaN has its sign bit set: glibc prints it as `-nan` (x86's 0/0 does). */
function negativeNaN(x: number): boolean {
  bits.setFloat64(0, x);
  return (bits.getUint8(0) & 0x80) !== 0;
}

/** `%e %E %f %g %G %a %A`. */
function formatFloat(x: number, spec: Spec, conversion: number): string {
  const lower = conversion | 32;
  const precision = spec.precision;
  let body: string;
  if (Number.isNaN(x)) body = negativeNaN(x) ? '-nan' : 'nan';
  else if (lower === 101) body = formatE(x, precision < 0 ? 6 : precision, spec.alt);
  else if (lower === 102) body = formatF(x, precision < 0 ? 6 : precision, spec.alt);
  else if (lower === 103) body = formatG(x, precision < 0 ? 6 : precision, spec.alt);
  else body = formatHexFloat(x, precision < 0 ? undefined : precision, spec.alt);
  if (conversion !== lower) body = body.toUpperCase();
  let prefix = '';
  if (body.startsWith('-')) {
    prefix = '-';
    body = body.slice(1);
  } else if (spec.plus) {
    prefix = '+';
  } else if (spec.space) {
    prefix = ' ';
  }
  const finite = Number.isFinite(x);
  if (lower === 97 && finite) {
    // Zero padding of %a goes after the 0x.
    prefix += body.slice(0, 2);
    body = body.slice(2);
  }
  return padNumber(prefix, body, spec, spec.zero && finite);
}

/**
 * C's `%a` as glibc writes a double: `0x1.8p+1`, subnormals as `0x0.…p-1022`, no trailing zeros
 * without a precision; with one, the digits are rounded to nearest, ties to even, and a carry
 * shows in the leading digit (`0x2.00p+0`) rather than in the exponent.
 */
export function formatHexFloat(x: number, precision: number | undefined, alternate = false): string {
  if (Number.isNaN(x)) return negativeNaN(x) ? '-nan' : 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo); // 52 bits: 13 hex digits
  let lead = biased === 0 ? 0n : 1n;
  const exponent = x === 0 ? 0 : biased === 0 ? -1022 : biased - 1023;
  let fraction: string;
  if (precision === undefined) {
    fraction = mantissa === 0n ? '' : mantissa.toString(16).padStart(13, '0').replace(/0+$/, '');
  } else if (precision >= 13) {
    fraction = mantissa.toString(16).padStart(13, '0') + '0'.repeat(precision - 13);
  } else {
    const drop = BigInt((13 - precision) * 4);
    const full = (lead << 52n) | mantissa;
    const half = 1n << (drop - 1n);
    const rest = full & ((1n << drop) - 1n);
    let kept = full >> drop;
    if (rest > half || (rest === half && (kept & 1n) === 1n)) kept += 1n;
    lead = kept >> BigInt(precision * 4);
    mantissa = kept & ((1n << BigInt(precision * 4)) - 1n);
    fraction = precision > 0 ? mantissa.toString(16).padStart(precision, '0') : '';
  }
  const point = fraction.length > 0 || alternate ? '.' : '';
  return `${sign}0x${lead.toString(16)}${point}${fraction}p${exponent >= 0 ? '+' : ''}${exponent}`;
}

/** `%q`: a string, number, nil or boolean written back as Lua source (5.3's addliteral). */
function quote(a: Args, index: number): string {
  const v: LuaValue = a.values[index - 1];
  if (typeof v === 'string') return quoteString(v);
  if (isNumberValue(v)) {
    const n = v as LuaNumber;
    if (isInteger(n)) {
      const big = toBig(n as LuaInteger);
      return big === -(2n ** 63n) ? '0x8000000000000000' : big.toString();
    }
    // Floats are written in hexadecimal (glibc's %a), so that they read back exactly.
    return formatHexFloat(toFloatValue(n), undefined);
  }
  if (v === undefined) return 'nil';
  if (v === true || v === false) return String(v);
  throw a.error(index, 'value has no literal form');
}

export function quoteString(v: string): string {
  // One pass over the bytes into a buffer of the largest size the result can have (each byte at
  // most `\ddd`): a string of many escapes costs milliseconds, not a rope of as many appends.
  const out = Buffer.allocUnsafe(v.length * 4 + 2);
  let o = 0;
  out[o++] = 34;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 34 || c === 92 || c === 10) {
      out[o++] = 92;
      out[o++] = c;
    } else if (c < 32 || c === 127) {
      out[o++] = 92;
      // Three digits when a digit follows (so that it is not read as part of the escape).
      const wide = isDigit(v.charCodeAt(i + 1));
      if (wide || c >= 100) out[o++] = 48 + Math.floor(c / 100);
      if (wide || c >= 10) out[o++] = 48 + (Math.floor(c / 10) % 10);
      out[o++] = 48 + (c % 10);
    } else {
      out[o++] = c;
    }
  }
  out[o++] = 34;
  return out.toString('latin1', 0, o);
}
