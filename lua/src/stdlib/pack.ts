// string.pack, string.unpack and string.packsize (manual §6.4.2), with the sizes and alignment
// of PUC Lua on a 64-bit Linux machine (int 4, long 8, size_t 8, lua_Integer 8, max alignment 8,
// little endian native order).

import { LuaInteger, float, intFromBig, toBig, toFloatValue } from '../vm/number';
import { LuaValue } from '../vm/value';
import { Args, Charge, memoryError } from './args';
import { MAX_JS_STRING, MAX_STRING, charForMessage } from './format';

const MAX_INT_SIZE = 16;
const SIZE_INT = 4;
const SIZE_LONG = 8;
const SIZE_SIZE_T = 8;
const SIZE_LUA_INTEGER = 8;
const MAX_ALIGN = 8;
const NATIVE_LITTLE = true;

const enum K {
  Int, Uint, Float, Char, String, Zstr, Padding, PadAlign, Nop,
}

/** Reading state of a format string. */
class Header {
  little = NATIVE_LITTLE;
  maxAlign = 1;
  pos = 0;
  constructor(readonly fmt: string, readonly a: Args) {}

  more(): boolean {
    // The format is a C string for PUC: it ends at the first zero byte.
    return this.pos < this.fmt.length && this.fmt.charCodeAt(this.pos) !== 0;
  }

  private number(fallback: number): number {
    const fmt = this.fmt;
    let c = fmt.charCodeAt(this.pos);
    if (!(c >= 48 && c <= 57)) return fallback;
    let n = 0;
    do {
      n = n * 10 + (c - 48);
      this.pos++;
      c = fmt.charCodeAt(this.pos);
    } while (c >= 48 && c <= 57 && n <= Math.floor((MAX_STRING - 9) / 10));
    return n;
  }

  private limitedNumber(fallback: number): number {
    const n = this.number(fallback);
    if (n > MAX_INT_SIZE || n <= 0) throw this.a.fail(`integral size (${n}) out of limits [1,${MAX_INT_SIZE}]`);
    return n;
  }

  /** Size of the last option read. */
  size = 0;
  /** Padding before the last option read by `details`. */
  toAlign = 0;

  private is(kind: K, size: number): K {
    this.size = size;
    return kind;
  }

  /** The next option; its size goes to `size` (PUC's getoption). */
  option(): K {
    const opt = this.fmt.charCodeAt(this.pos++);
    switch (opt) {
      case 98: return this.is(K.Int, 1); // b
      case 66: return this.is(K.Uint, 1); // B
      case 104: return this.is(K.Int, 2); // h
      case 72: return this.is(K.Uint, 2); // H
      case 108: return this.is(K.Int, SIZE_LONG); // l
      case 76: return this.is(K.Uint, SIZE_LONG); // L
      case 106: return this.is(K.Int, SIZE_LUA_INTEGER); // j
      case 74: return this.is(K.Uint, SIZE_LUA_INTEGER); // J
      case 84: return this.is(K.Uint, SIZE_SIZE_T); // T
      case 102: return this.is(K.Float, 4); // f
      case 100: return this.is(K.Float, 8); // d
      case 110: return this.is(K.Float, 8); // n
      case 105: return this.is(K.Int, this.limitedNumber(SIZE_INT)); // i
      case 73: return this.is(K.Uint, this.limitedNumber(SIZE_INT)); // I
      case 115: return this.is(K.String, this.limitedNumber(SIZE_SIZE_T)); // s
      case 99: { // c
        const n = this.number(-1);
        if (n === -1) throw this.a.fail("missing size for format option 'c'");
        return this.is(K.Char, n);
      }
      case 122: return this.is(K.Zstr, 0); // z
      case 120: return this.is(K.Padding, 1); // x
      case 88: return this.is(K.PadAlign, 0); // X
      case 32: break; // ' '
      case 60: this.little = true; break; // <
      case 62: this.little = false; break; // >
      case 61: this.little = NATIVE_LITTLE; break; // =
      case 33: this.maxAlign = this.limitedNumber(MAX_ALIGN); break; // !
      default: throw this.a.fail(`invalid format option '${charForMessage(opt)}'`);
    }
    return this.is(K.Nop, 0);
  }

  /** The next option; its size goes to `size`, the padding that aligns it at `total` to `toAlign` (PUC's getdetails). */
  details(total: number): K {
    const opt = this.option();
    const size = this.size;
    let align = size;
    if (opt === K.PadAlign) {
      if (!this.more()) throw this.a.error(1, "invalid next option for option 'X'");
      const next = this.option();
      align = this.size;
      if (next === K.Char || align === 0) throw this.a.error(1, "invalid next option for option 'X'");
      this.size = size;
    }
    let toAlign = 0;
    if (align > 1 && opt !== K.Char) {
      if (align > this.maxAlign) align = this.maxAlign;
      if ((align & (align - 1)) !== 0) throw this.a.error(1, 'format asks for alignment not power of 2');
      toAlign = (align - (total & (align - 1))) & (align - 1);
    }
    this.toAlign = toAlign;
    return opt;
  }
}

/**
 * `size` bytes of an integer in two's complement; beyond 8 bytes, a negative signed value is
 * sign-extended and anything else is zero-extended.
 */
function packInt(n: bigint | number, little: boolean, size: number, signExtend: boolean): string {
  if (typeof n === 'number' && size <= 8) {
    // Safe integers: floor division by 256 yields the two's complement bytes of negatives too.
    let out = '';
    let v = n;
    for (let i = 0; i < size; i++) {
      const byte = v - Math.floor(v / 256) * 256;
      v = Math.floor(v / 256);
      out = little ? out + String.fromCharCode(byte) : String.fromCharCode(byte) + out;
    }
    return out;
  }
  n = toBig(n);
  const bytes: number[] = new Array(size);
  let u = BigInt.asUintN(64, n);
  for (let i = 0; i < size; i++) {
    bytes[little ? i : size - 1 - i] = i < SIZE_LUA_INTEGER ? Number(u & 0xffn) : (signExtend && n < 0n ? 0xff : 0);
    u >>= 8n;
  }
  return String.fromCharCode(...bytes);
}

function packFloat(x: number, little: boolean, size: number): string {
  const view = new DataView(new ArrayBuffer(8));
  if (size === 4) view.setFloat32(0, x, little);
  else view.setFloat64(0, x, little);
  let out = '';
  for (let i = 0; i < size; i++) out += String.fromCharCode(view.getUint8(i));
  return out;
}

export function pack(args: Args, charge: Charge): LuaValue[] {
  const fmt = args.string(1);
  // PUC pushes a nil above the arguments before packing: a missing value is reported as nil.
  const a = new Args(args.vm, args.name, [...args.values, undefined]);
  const h = new Header(fmt, a);
  const parts: string[] = [];
  let total = 0;
  let arg = 1;
  while (h.more()) {
    const opt = h.details(total);
    const size = h.size;
    const toAlign = h.toAlign;
    total += toAlign + size;
    if (toAlign > 0) parts.push('\0'.repeat(toAlign));
    arg++;
    switch (opt) {
      case K.Int: {
        const n = a.integer(arg);
        if (size < SIZE_LUA_INTEGER) {
          const lim = 2 ** (size * 8 - 1);
          if (!(-lim <= n && n < lim)) throw a.error(arg, 'integer overflow');
        }
        parts.push(packInt(n, h.little, size, true));
        break;
      }
      case K.Uint: {
        const n = a.integer(arg);
        // Compared as unsigned 64-bit: a negative value is huge.
        if (size < SIZE_LUA_INTEGER && !(n >= 0 && n < 2 ** (size * 8))) throw a.error(arg, 'unsigned overflow');
        parts.push(packInt(n, h.little, size, false));
        break;
      }
      case K.Float:
        parts.push(packFloat(toFloatValue(a.number(arg)), h.little, size));
        break;
      case K.Char: {
        const s = a.string(arg);
        if (s.length > size) throw a.error(arg, 'string longer than given size');
        parts.push(s, '\0'.repeat(size - s.length));
        break;
      }
      case K.String: {
        const s = a.string(arg);
        if (size < 8 && s.length >= 2 ** (size * 8)) throw a.error(arg, 'string length does not fit in given size');
        parts.push(packInt(s.length, h.little, size, false), s);
        total += s.length;
        break;
      }
      case K.Zstr: {
        const s = a.string(arg);
        if (s.includes('\0')) throw a.error(arg, 'string contains zeros');
        parts.push(s, '\0');
        total += s.length + 1;
        break;
      }
      case K.Padding:
        parts.push('\0');
        arg--;
        break;
      case K.PadAlign: case K.Nop:
        arg--;
        break;
    }
    if (total > MAX_JS_STRING) throw memoryError();
  }
  charge(parts.length + (total >> 4), total);
  return [parts.join('')];
}

export function packsize(a: Args): LuaValue[] {
  const h = new Header(a.string(1), a);
  let total = 0;
  while (h.more()) {
    const opt = h.details(total);
    const size = h.size + h.toAlign;
    if (!(total <= MAX_STRING - size)) throw a.error(1, 'format result too large');
    total += size;
    if (opt === K.String || opt === K.Zstr) throw a.error(1, 'variable-length format');
  }
  return [total];
}

function unpackInt(a: Args, data: string, pos: number, little: boolean, size: number, signed: boolean): LuaInteger {
  if (size <= 6) {
    // Fits a safe integer.
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + data.charCodeAt(pos + (little ? i : size - 1 - i));
    if (signed && v >= 2 ** (size * 8 - 1)) v -= 2 ** (size * 8);
    return v;
  }
  let res = 0n;
  const limit = size <= SIZE_LUA_INTEGER ? size : SIZE_LUA_INTEGER;
  for (let i = limit - 1; i >= 0; i--) {
    res = (res << 8n) | BigInt(data.charCodeAt(pos + (little ? i : size - 1 - i)));
  }
  if (size < SIZE_LUA_INTEGER) {
    if (signed) res = BigInt.asIntN(size * 8, res);
  } else if (size > SIZE_LUA_INTEGER) {
    const mask = !signed || BigInt.asIntN(64, res) >= 0n ? 0 : 0xff;
    for (let i = limit; i < size; i++) {
      if (data.charCodeAt(pos + (little ? i : size - 1 - i)) !== mask) throw a.fail(`${size}-byte integer does not fit into Lua Integer`);
    }
  }
  return intFromBig(res);
}

function unpackFloat(data: string, pos: number, little: boolean, size: number): number {
  const view = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < size; i++) view.setUint8(i, data.charCodeAt(pos + i));
  return size === 4 ? view.getFloat32(0, little) : view.getFloat64(0, little);
}

export function unpack(a: Args, charge: (steps: number) => void): LuaValue[] {
  const h = new Header(a.string(1), a);
  const data = a.string(2);
  const ld = data.length;
  const init = a.optInt(3, 1);
  let pos = (init >= 0 ? init : -init > ld ? 0 : ld + init + 1) - 1;
  if (!(pos >= 0 && pos <= ld)) throw a.error(3, 'initial position out of string');
  const out: LuaValue[] = [];
  while (h.more()) {
    const opt = h.details(pos);
    const size = h.size;
    const toAlign = h.toAlign;
    if (toAlign + size > ld - pos) throw a.error(2, 'data string too short');
    pos += toAlign;
    switch (opt) {
      case K.Int: case K.Uint:
        out.push(unpackInt(a, data, pos, h.little, size, opt === K.Int));
        break;
      case K.Float:
        out.push(float(unpackFloat(data, pos, h.little, size)));
        break;
      case K.Char:
        out.push(data.slice(pos, pos + size));
        break;
      case K.String: {
        const len = unpackInt(a, data, pos, h.little, size, false);
        const n = typeof len === 'bigint' ? Infinity : len < 0 ? Infinity : len;
        if (!(n <= ld - pos - size)) throw a.error(2, 'data string too short');
        out.push(data.slice(pos + size, pos + size + n));
        pos += n;
        break;
      }
      case K.Zstr: {
        // PUC reads up to a zero byte, or the zero that ends every Lua string in memory.
        let e = data.indexOf('\0', pos);
        if (e < 0) e = ld;
        out.push(data.slice(pos, e));
        pos = e + 1;
        break;
      }
      case K.PadAlign: case K.Padding: case K.Nop:
        break;
    }
    pos += size;
  }
  out.push(pos + 1);
  charge(out.length + (pos >> 4));
  return out;
}
