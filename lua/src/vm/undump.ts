// Reader for Lua 5.3 binary chunks (what `luac5.3 -o out.luac` and `string.dump` write), giving the
// same `Proto` our compiler builds. `load` reads binary chunks with it, and tests and tools use it to
// put luac's code beside ours (disassembly, differential tests).
//
// Layout (little-endian, as Lua writes it on the machine that dumped it):
//   header   "\x1bLua", version 0x53, format 0, LUAC_DATA "\x19\x93\r\n\x1a\n",
//            sizeof int / size_t / Instruction / lua_Integer / lua_Number (one byte each),
//            LUAC_INT 0x5678 as a lua_Integer, LUAC_NUM 370.5 as a lua_Number
//   byte     upvalue count of the main function
//   function source (string), linedefined (int), lastlinedefined (int), numparams, is_vararg,
//            maxstacksize (bytes), code (int n, n instructions), constants (int n, each a tag byte
//            then its value), upvalues (int n, each instack and idx bytes), protos (int n,
//            functions), debug: lineinfo (int n, n ints), locvars (int n, each name, startpc,
//            endpc), upvalue names (int n, n strings)
//   string   a size byte (0xFF: a size_t follows); 0 means "no string", otherwise length + 1
//
// Every count is checked against the bytes left before anything is allocated, and nesting is
// bounded, so a hostile or truncated chunk gives a ChunkError, never a hang or a stack overflow.
// Every function read is then verified (verify.ts): a chunk that reads is safe to run. Messages
// are Lua's: `<name>: truncated precompiled chunk`, `... version mismatch in precompiled chunk`.

import { float } from './number';
import type { LuaInteger } from './number';
import type { Constant, LocalVarInfo, Proto, UpvalueDesc } from './proto';
import { verifyProto } from './verify';

/** A binary chunk that cannot be loaded; the message is Lua's (`name: ... precompiled chunk`). */
export class ChunkError extends Error {}

const SIGNATURE = '\x1bLua';
const VERSION = 0x53;
const FORMAT = 0;
const DATA = '\x19\x93\r\n\x1a\n';
const CHECK_INT = 0x5678n;
const CHECK_NUM = 370.5;

// Constant tags (Lua's type tags with the variant bits).
/** The type tags of constants in a binary chunk (lobject.h), shared with dump.ts. */
export const TNIL = 0;
export const TBOOLEAN = 1;
export const TNUMFLT = 3;
export const TNUMINT = 3 | (1 << 4);
export const TSHRSTR = 4;
export const TLNGSTR = 4 | (1 << 4);

/**
 * Deeper than any chunk luac can write (the parser stops at 200 nested C levels); a bound so that
 * a crafted chunk cannot overflow the JS stack.
 */
const MAX_NESTING = 1000;

/** Source name of a main function dumped without one (luac prints it as `?`). */
const NO_SOURCE = '=?';

/** Prototypes read without a source name (stripped): dumping them again writes none either. */
const sourceless = new WeakSet<Proto>();

/** Whether `p` came from a chunk that had no source name for it (see dump.ts). */
export function hasNoSource(p: Proto): boolean {
  return sourceless.has(p);
}

/**
 * The name Lua's messages give a binary chunk loaded under `chunkName` (lundump.c): `@file` and
 * `=name` without their mark, and "binary string" when the chunk itself served as its name.
 */
export function binaryChunkName(chunkName: string): string {
  const c = chunkName.charAt(0);
  if (c === '@' || c === '=') return chunkName.slice(1);
  if (c === '\x1b') return 'binary string';
  return chunkName;
}

class Reader {
  private pos = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array, private readonly name: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(message: string): never {
    throw new ChunkError(`${this.name}: ${message}`);
  }

  private need(n: number): void {
    if (n > this.bytes.length - this.pos) this.fail('truncated precompiled chunk');
  }

  /** Fails unless `count` items of at least `each` bytes can still follow. */
  checkCount(count: number, each: number): void {
    if (count < 0) this.fail('corrupted precompiled chunk');
    this.need(count * each);
  }

  byte(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }

  literal(text: string, what: string): void {
    for (let i = 0; i < text.length; i++) {
      if (this.byte() !== text.charCodeAt(i)) this.fail(what);
    }
  }

  /** A C `int`, which Lua uses for counts and lines. */
  int(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  instruction(): number {
    return this.uint32();
  }

  private uint32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  sizeT(): number {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    // Anything beyond the chunk's length is truncation; keep the number small enough to compare.
    return v > BigInt(this.bytes.length) ? Number.MAX_SAFE_INTEGER : Number(v);
  }

  int64(): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }

  integer(): LuaInteger {
    const v = this.int64();
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v;
  }

  number(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A string as a byte string (one char per byte); undefined for Lua's "no string". */
  string(): string | undefined {
    let size = this.byte();
    if (size === 0xff) size = this.sizeT();
    if (size === 0) return undefined;
    const length = size - 1;
    this.need(length);
    const start = this.pos;
    this.pos += length;
    let s = '';
    // Chunks of 8 KiB keep String.fromCharCode's argument count small.
    for (let i = start; i < start + length; i += 8192) {
      s += String.fromCharCode.apply(null, this.bytes.subarray(i, Math.min(i + 8192, start + length)) as unknown as number[]);
    }
    return s;
  }

  atEnd(): boolean {
    return this.pos === this.bytes.length;
  }
}

function readHeader(r: Reader): void {
  r.literal(SIGNATURE, 'not a precompiled chunk');
  if (r.byte() !== VERSION) r.fail('version mismatch in precompiled chunk');
  if (r.byte() !== FORMAT) r.fail('format mismatch in precompiled chunk');
  r.literal(DATA, 'corrupted precompiled chunk');
  const intSize = r.byte();
  const sizeTSize = r.byte();
  const instructionSize = r.byte();
  const integerSize = r.byte();
  const numberSize = r.byte();
  // The sizes of the 64-bit build lua5.3 has on the usual machines (dump.ts writes the same); as
  // in Lua, a chunk of another build does not load.
  if (intSize !== 4) r.fail('int size mismatch in precompiled chunk');
  if (sizeTSize !== 8) r.fail('size_t size mismatch in precompiled chunk');
  if (instructionSize !== 4) r.fail('Instruction size mismatch in precompiled chunk');
  if (integerSize !== 8) r.fail('lua_Integer size mismatch in precompiled chunk');
  if (numberSize !== 8) r.fail('lua_Number size mismatch in precompiled chunk');
  if (r.int64() !== CHECK_INT) r.fail('endianness mismatch in precompiled chunk');
  if (r.number() !== CHECK_NUM) r.fail('float format mismatch in precompiled chunk');
}

function readFunction(r: Reader, parentSource: string, depth: number): Proto {
  if (depth > MAX_NESTING) r.fail('functions nested too deeply in precompiled chunk');
  const ownSource = r.string();
  const source = ownSource ?? parentSource;
  const lineDefined = r.int();
  const lastLineDefined = r.int();
  const numParams = r.byte();
  const isVararg = r.byte() !== 0;
  const maxStackSize = r.byte();

  const codeSize = r.int();
  r.checkCount(codeSize, 4);
  const code = new Uint32Array(codeSize);
  for (let i = 0; i < codeSize; i++) code[i] = r.instruction();

  const constantCount = r.int();
  r.checkCount(constantCount, 1);
  const constants: Constant[] = new Array<Constant>(constantCount);
  for (let i = 0; i < constantCount; i++) {
    const tag = r.byte();
    switch (tag) {
      case TNIL: constants[i] = undefined; break;
      case TBOOLEAN: constants[i] = r.byte() !== 0; break;
      case TNUMFLT: constants[i] = float(r.number()); break;
      case TNUMINT: constants[i] = r.integer(); break;
      case TSHRSTR:
      case TLNGSTR: {
        const s = r.string();
        // A missing string constant cannot come from luac; the VM would crash on it in C Lua.
        if (s === undefined) r.fail('corrupted precompiled chunk');
        constants[i] = s;
        break;
      }
      default: r.fail(`corrupted precompiled chunk (constant type ${tag})`);
    }
  }

  const upvalueCount = r.int();
  r.checkCount(upvalueCount, 2);
  const upvalues: UpvalueDesc[] = new Array<UpvalueDesc>(upvalueCount);
  for (let i = 0; i < upvalueCount; i++) {
    const inStack = r.byte() !== 0;
    const index = r.byte();
    upvalues[i] = { name: '', inStack, index };
  }

  const protoCount = r.int();
  r.checkCount(protoCount, 1);
  const protos: Proto[] = new Array<Proto>(protoCount);
  for (let i = 0; i < protoCount; i++) protos[i] = readFunction(r, source, depth + 1);

  const lineCount = r.int();
  r.checkCount(lineCount, 4);
  const lineInfo = new Int32Array(lineCount);
  for (let i = 0; i < lineCount; i++) lineInfo[i] = r.int();

  const localCount = r.int();
  r.checkCount(localCount, 1);
  const locVars: LocalVarInfo[] = new Array<LocalVarInfo>(localCount);
  for (let i = 0; i < localCount; i++) {
    const name = r.string() ?? '';
    const startPc = r.int();
    const endPc = r.int();
    locVars[i] = { name, startPc, endPc };
  }

  // Stripped chunks carry no upvalue names (then this count is 0); names never exceed upvalues.
  const nameCount = r.int();
  r.checkCount(nameCount, 1);
  if (nameCount > upvalueCount) r.fail('corrupted precompiled chunk');
  for (let i = 0; i < nameCount; i++) upvalues[i].name = r.string() ?? '';

  const proto: Proto = {
    source, lineDefined, lastLineDefined, numParams, isVararg, maxStackSize,
    code, lineInfo, constants, upvalues, protos, locVars, tier: undefined, hotness: 0,
  };
  if (ownSource === undefined && source === NO_SOURCE) sourceless.add(proto);
  const problem = verifyProto(proto);
  if (problem !== undefined) r.fail(`bad code in precompiled chunk (${problem})`);
  return proto;
}

/**
 * The main function of a Lua 5.3 binary chunk, verified. Debug information a stripped chunk lacks
 * comes out empty: `lineInfo` and `locVars` of length 0, upvalue names '', and source '=?'.
 * Throws a ChunkError (`<name>: truncated precompiled chunk`, `... version mismatch in precompiled
 * chunk`, `... bad code in precompiled chunk (...)`) on anything that is not a well-formed chunk.
 */
export function undump(bytes: Uint8Array, name = 'binary chunk'): Proto {
  const r = new Reader(bytes, name);
  readHeader(r);
  // The closure's upvalue count: the function repeats it, and the two must agree.
  const closureUpvalues = r.byte();
  const proto = readFunction(r, NO_SOURCE, 0);
  if (closureUpvalues !== proto.upvalues.length) r.fail('corrupted precompiled chunk (upvalue count)');
  if (!r.atEnd()) r.fail('corrupted precompiled chunk (bytes after the main function)');
  return proto;
}

/** `undump` of a Lua byte string (one char per byte), as `load` receives it. */
export function undumpString(chunk: string, name: string): Proto {
  const bytes = new Uint8Array(chunk.length);
  for (let i = 0; i < chunk.length; i++) bytes[i] = chunk.charCodeAt(i);
  return undump(bytes, name);
}
