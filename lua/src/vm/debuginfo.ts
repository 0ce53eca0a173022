// Names for values and functions in messages, found from the bytecode the way PUC Lua's ldebug.c
// finds them: a register is named by the local variable that lives in it, or else by the last
// instruction that loaded it (`global 'x'`, `field 'y'`, `upvalue 'z'`, `method 'm'`,
// `constant 's'`). These feed `attempt to call a nil value (global 'foo')`, `bad argument #1 to
// 'upper'` and the function names of tracebacks.

import { Op, Proto, BITRK, argA, argAx, argB, argBx, argC, argSBx } from './proto';

/** A name and how it was found: `global`, `local`, `method`, `field`, `upvalue`, `constant`, `for iterator`, `metamethod`. */
export interface ObjName {
  kind: string;
  name: string;
}

/** The chunk name as Lua shows it in messages (luaO_chunkid with LUA_IDSIZE 60). */
export function chunkId(source: string): string {
  if (source.startsWith('=')) return source.slice(1, 60);
  if (source.startsWith('@')) {
    const name = source.slice(1);
    return name.length <= 59 ? name : '...' + name.slice(name.length - 56);
  }
  const newline = source.indexOf('\n');
  const firstLine = newline < 0 ? source : source.slice(0, newline);
  // Room for the text: 60 - len('[string "') - len('..."]') - 1 = 45.
  if (newline < 0 && firstLine.length < 45) return `[string "${firstLine}"]`;
  return `[string "${firstLine.slice(0, 45)}..."]`;
}

/** The name of the n-th active local (1-based) at pc, from the debug info (luaF_getlocalname). */
export function localName(proto: Proto, n: number, pc: number): string | undefined {
  const vars = proto.locVars;
  for (let i = 0; i < vars.length && vars[i].startPc <= pc; i++) {
    if (pc < vars[i].endPc) {
      n--;
      if (n === 0) return vars[i].name;
    }
  }
  return undefined;
}

export function upvalueName(proto: Proto, index: number): string {
  return proto.upvalues[index]?.name || '?';
}

/** Opcodes that write register A (lopcodes.c's testAMode). */
const SETS_A: boolean[] = [];
for (const op of [Op.MOVE, Op.LOADK, Op.LOADKX, Op.LOADBOOL, Op.LOADNIL, Op.GETUPVAL, Op.GETTABUP, Op.GETTABLE, Op.NEWTABLE, Op.SELF,
  Op.ADD, Op.SUB, Op.MUL, Op.MOD, Op.POW, Op.DIV, Op.IDIV, Op.BAND, Op.BOR, Op.BXOR, Op.SHL, Op.SHR, Op.UNM, Op.BNOT, Op.NOT, Op.LEN,
  Op.CONCAT, Op.TESTSET, Op.CALL, Op.TAILCALL, Op.FORLOOP, Op.FORPREP, Op.TFORLOOP, Op.CLOSURE, Op.VARARG]) {
  SETS_A[op] = true;
}

/** The last instruction before `lastpc` that certainly set `reg` (-1 when a jump makes it uncertain). */
function findSetter(proto: Proto, lastpc: number, reg: number): number {
  let setter = -1;
  let jumpTarget = 0;
  const code = proto.code;
  for (let pc = 0; pc < lastpc; pc++) {
    const i = code[pc];
    const op = (i & 0x3f) as Op;
    const a = argA(i);
    let sets = false;
    switch (op) {
      case Op.LOADNIL: sets = a <= reg && reg <= a + argB(i); break;
      case Op.TFORCALL: sets = reg >= a + 2; break;
      case Op.CALL: case Op.TAILCALL: sets = reg >= a; break;
      case Op.JMP: {
        const dest = pc + 1 + argSBx(i);
        if (pc < dest && dest <= lastpc && dest > jumpTarget) jumpTarget = dest;
        break;
      }
      default: sets = SETS_A[op] === true && reg === a; break;
    }
    if (sets) setter = pc < jumpTarget ? -1 : pc;
  }
  return setter;
}

/** The name of an RK operand used as a key: a string constant, or a register holding one. */
function keyName(proto: Proto, pc: number, c: number, depth: number): string {
  if (c & BITRK) {
    const k = proto.constants[c & ~BITRK];
    return typeof k === 'string' ? k : '?';
  }
  const found = objName(proto, pc, c, depth + 1);
  return found !== undefined && found.kind === 'constant' ? found.name : '?';
}

/**
 * How deep a name is traced through moves and keys. luac's code needs a few levels; a crafted
 * chunk could chain one per instruction, each a scan of the code.
 */
const MAX_NAME_DEPTH = 32;

/** Names the value in register `reg` just before instruction `lastpc` (ldebug.c's getobjname). */
export function objName(proto: Proto, lastpc: number, reg: number, depth = 0): ObjName | undefined {
  if (depth > MAX_NAME_DEPTH) return undefined;
  const local = localName(proto, reg + 1, lastpc);
  if (local !== undefined) return { kind: 'local', name: local };
  const pc = findSetter(proto, lastpc, reg);
  if (pc < 0) return undefined;
  const i = proto.code[pc];
  switch ((i & 0x3f) as Op) {
    case Op.MOVE: {
      const b = argB(i);
      return b < argA(i) ? objName(proto, pc, b, depth + 1) : undefined;
    }
    case Op.GETTABUP: case Op.GETTABLE: {
      const isUp = (i & 0x3f) === Op.GETTABUP;
      const tableName = isUp ? upvalueName(proto, argB(i)) : localName(proto, argB(i) + 1, pc);
      return { kind: tableName === '_ENV' ? 'global' : 'field', name: keyName(proto, pc, argC(i), depth) };
    }
    case Op.GETUPVAL:
      return { kind: 'upvalue', name: upvalueName(proto, argB(i)) };
    case Op.LOADK: case Op.LOADKX: {
      const index = (i & 0x3f) === Op.LOADK ? argBx(i) : argAx(proto.code[pc + 1]);
      const k = proto.constants[index];
      return typeof k === 'string' ? { kind: 'constant', name: k } : undefined;
    }
    case Op.SELF:
      return { kind: 'method', name: keyName(proto, pc, argC(i), depth) };
    default:
      return undefined;
  }
}

/** The metamethod event of each opcode that may call one (`add` for ADD…), as messages name it. */
export const META_EVENT: string[] = [];
META_EVENT[Op.SELF] = 'index';
META_EVENT[Op.GETTABUP] = 'index';
META_EVENT[Op.GETTABLE] = 'index';
META_EVENT[Op.SETTABUP] = 'newindex';
META_EVENT[Op.SETTABLE] = 'newindex';
META_EVENT[Op.ADD] = 'add';
META_EVENT[Op.SUB] = 'sub';
META_EVENT[Op.MUL] = 'mul';
META_EVENT[Op.MOD] = 'mod';
META_EVENT[Op.POW] = 'pow';
META_EVENT[Op.DIV] = 'div';
META_EVENT[Op.IDIV] = 'idiv';
META_EVENT[Op.BAND] = 'band';
META_EVENT[Op.BOR] = 'bor';
META_EVENT[Op.BXOR] = 'bxor';
META_EVENT[Op.SHL] = 'shl';
META_EVENT[Op.SHR] = 'shr';
META_EVENT[Op.UNM] = 'unm';
META_EVENT[Op.BNOT] = 'bnot';
META_EVENT[Op.LEN] = 'len';
META_EVENT[Op.CONCAT] = 'concat';
META_EVENT[Op.EQ] = 'eq';
META_EVENT[Op.LT] = 'lt';
META_EVENT[Op.LE] = 'le';

/**
 * How the function called by instruction `pc` of `proto` is named (ldebug.c's funcnamefromcode):
 * the called register's name for calls, `for iterator`, or `metamethod '__index'` and the like.
 */
export function calledName(proto: Proto, pc: number): ObjName | undefined {
  const i = proto.code[pc];
  const op = (i & 0x3f) as Op;
  switch (op) {
    case Op.CALL: case Op.TAILCALL:
      return objName(proto, pc, argA(i));
    case Op.TFORCALL:
      return { kind: 'for iterator', name: 'for iterator' };
    default: {
      const event = META_EVENT[op];
      // Lua 5.3 names the metamethod by its full event name (`__index`).
      return event !== undefined ? { kind: 'metamethod', name: '__' + event } : undefined;
    }
  }
}
