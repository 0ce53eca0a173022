// Writer of Lua 5.3 binary chunks: `string.dump`, and the inverse of undump.ts (see there for the
// layout). The header describes the build luac5.3 has on the usual 64-bit little-endian machines
// (4-byte int, 8-byte size_t, 64-bit integers and doubles), so a chunk written here is the one
// `luac5.3` writes for the same prototype, byte for byte, and lua5.3 can load it.

import { LFloat } from './number';
import type { Constant, Proto } from './proto';
import { TBOOLEAN, TLNGSTR, TNIL, TNUMFLT, TNUMINT, TSHRSTR, hasNoSource } from './undump';

/** Tags of constants as Lua writes them (type tag with variant bits). */
/** Strings up to this length are "short" in Lua 5.3 (LUAI_MAXSHORTLEN): the tag says which. */
const MAX_SHORT_STRING = 40;

class Writer {
  private buffer = new Uint8Array(256);
  private view = new DataView(this.buffer.buffer);
  private length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + n) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buffer.subarray(0, this.length));
    this.buffer = bigger;
    this.view = new DataView(bigger.buffer);
  }

  byte(b: number): void {
    this.room(1);
    this.buffer[this.length++] = b & 0xff;
  }

  /** Bytes of a byte string (one char per byte). */
  bytes(s: string): void {
    this.room(s.length);
    for (let i = 0; i < s.length; i++) this.buffer[this.length++] = s.charCodeAt(i) & 0xff;
  }

  int(v: number): void {
    this.room(4);
    this.view.setInt32(this.length, v, true);
    this.length += 4;
  }

  uint32(v: number): void {
    this.room(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }

  int64(v: bigint): void {
    this.room(8);
    this.view.setBigInt64(this.length, BigInt.asIntN(64, v), true);
    this.length += 8;
  }

  double(x: number): void {
    this.room(8);
    this.view.setFloat64(this.length, x, true);
    this.length += 8;
  }

  /** Lua's string: a size byte (length + 1, or 0xFF and a size_t), then the bytes; 0 is "none". */
  string(s: string | undefined): void {
    if (s === undefined) {
      this.byte(0);
      return;
    }
    const size = s.length + 1;
    if (size < 0xff) {
      this.byte(size);
    } else {
      this.byte(0xff);
      this.int64(BigInt(size));
    }
    this.bytes(s);
  }

  result(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

function writeConstant(w: Writer, k: Constant): void {
  if (k === undefined) {
    w.byte(TNIL);
  } else if (typeof k === 'boolean') {
    w.byte(TBOOLEAN);
    w.byte(k ? 1 : 0);
  } else if (typeof k === 'string') {
    w.byte(k.length <= MAX_SHORT_STRING ? TSHRSTR : TLNGSTR);
    w.string(k);
  } else if (k instanceof LFloat) {
    w.byte(TNUMFLT);
    w.double(k.n);
  } else if (typeof k === 'bigint') {
    w.byte(TNUMINT);
    w.int64(k);
  } else if (Number.isInteger(k)) {
    w.byte(TNUMINT);
    w.int64(BigInt(k));
  } else {
    // A JS number that is not an integer (or is NaN/infinite) is a float.
    w.byte(TNUMFLT);
    w.double(k);
  }
}

function writeFunction(w: Writer, p: Proto, parentSource: string | undefined, strip: boolean): void {
  // Nested functions share their parent's source: Lua writes it once, at the top.
  const source = strip || p.source === parentSource || hasNoSource(p) ? undefined : p.source;
  w.string(source);
  w.int(p.lineDefined);
  w.int(p.lastLineDefined);
  w.byte(p.numParams);
  w.byte(p.isVararg ? 1 : 0);
  w.byte(p.maxStackSize);

  w.int(p.code.length);
  for (let i = 0; i < p.code.length; i++) w.uint32(p.code[i]);

  w.int(p.constants.length);
  for (const k of p.constants) writeConstant(w, k);

  w.int(p.upvalues.length);
  for (const u of p.upvalues) {
    w.byte(u.inStack ? 1 : 0);
    w.byte(u.index);
  }

  w.int(p.protos.length);
  for (const child of p.protos) writeFunction(w, child, p.source, strip);

  const lines = strip ? 0 : p.lineInfo.length;
  w.int(lines);
  for (let i = 0; i < lines; i++) w.int(p.lineInfo[i]);

  const locals = strip ? [] : p.locVars;
  w.int(locals.length);
  for (const v of locals) {
    w.string(v.name);
    w.int(v.startPc);
    w.int(v.endPc);
  }

  // An upvalue without a name (read from a stripped chunk) is written as Lua's "no string".
  const names = strip ? [] : p.upvalues;
  w.int(names.length);
  for (const u of names) w.string(u.name === '' ? undefined : u.name);
}

/**
 * The Lua 5.3 binary chunk of a prototype, as `lua_dump` writes it: with `strip`, without source
 * name, line information, local and upvalue names.
 */
export function dump(p: Proto, strip = false): Uint8Array {
  const w = new Writer();
  w.bytes('\x1bLua');
  w.byte(0x53); // version 5.3
  w.byte(0); // official format
  w.bytes('\x19\x93\r\n\x1a\n');
  w.bytes('\x04\x08\x04\x08\x08'); // sizes of int, size_t, Instruction, lua_Integer, lua_Number
  w.int64(0x5678n);
  w.double(370.5);
  w.byte(p.upvalues.length);
  writeFunction(w, p, undefined, strip);
  return w.result();
}

/** `dump` as a Lua byte string (one char per byte), what `string.dump` returns. */
export function dumpToString(p: Proto, strip = false): string {
  const bytes = dump(p, strip);
  let s = '';
  // Slices keep String.fromCharCode's argument count small.
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(i + 8192, bytes.length)) as unknown as number[]);
  }
  return s;
}
