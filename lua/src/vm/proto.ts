// Function prototypes and the Lua 5.3 instruction set, encoded exactly as PUC Lua 5.3 encodes it
// (lopcodes.h): 32-bit instructions, opcode in the low 6 bits, then A (8 bits), C (9), B (9);
// Bx is the 18 bits of B and C together, sBx is Bx minus 131071, Ax is the 26 bits above the opcode.
// An operand B or C with bit 8 set (ISK) names constant (value & 0xff) instead of a register.
// The compiler writes these, the VM runs them, and the disassembler prints them as `luac -l -l`.

import type { LuaNumber } from './number';

import type { TierFunction } from './tier';

export const enum Op {
  MOVE, LOADK, LOADKX, LOADBOOL, LOADNIL, GETUPVAL, GETTABUP, GETTABLE, SETTABUP, SETUPVAL,
  SETTABLE, NEWTABLE, SELF, ADD, SUB, MUL, MOD, POW, DIV, IDIV, BAND, BOR, BXOR, SHL, SHR, UNM,
  BNOT, NOT, LEN, CONCAT, JMP, EQ, LT, LE, TEST, TESTSET, CALL, TAILCALL, RETURN, FORLOOP,
  FORPREP, TFORCALL, TFORLOOP, SETLIST, CLOSURE, VARARG, EXTRAARG,
}

export const OPCODE_COUNT = 47;

export const OP_NAMES: readonly string[] = [
  'MOVE', 'LOADK', 'LOADKX', 'LOADBOOL', 'LOADNIL', 'GETUPVAL', 'GETTABUP', 'GETTABLE', 'SETTABUP', 'SETUPVAL',
  'SETTABLE', 'NEWTABLE', 'SELF', 'ADD', 'SUB', 'MUL', 'MOD', 'POW', 'DIV', 'IDIV', 'BAND', 'BOR', 'BXOR', 'SHL', 'SHR', 'UNM',
  'BNOT', 'NOT', 'LEN', 'CONCAT', 'JMP', 'EQ', 'LT', 'LE', 'TEST', 'TESTSET', 'CALL', 'TAILCALL', 'RETURN', 'FORLOOP',
  'FORPREP', 'TFORCALL', 'TFORLOOP', 'SETLIST', 'CLOSURE', 'VARARG', 'EXTRAARG',
];

/** Instruction formats (lopcodes.h's OpMode). */
export const enum OpMode { ABC, ABx, AsBx, Ax }

/** How an operand B or C is used (lopcodes.h's OpArgMask): unused, used, register/jump, constant-or-register. */
export const enum OpArg { N, U, R, K }

export interface OpInfo {
  mode: OpMode;
  b: OpArg;
  c: OpArg;
  /** The instruction is a test: the next instruction is a jump. */
  test: boolean;
  /** The instruction sets register A. */
  setsA: boolean;
}

function info(test: 0 | 1, setsA: 0 | 1, b: OpArg, c: OpArg, mode: OpMode): OpInfo {
  return { mode, b, c, test: test === 1, setsA: setsA === 1 };
}

/** Operand modes per opcode, as PUC Lua 5.3 declares them (luaP_opmodes). */
export const OP_INFO: readonly OpInfo[] = [
  /* MOVE */ info(0, 1, OpArg.R, OpArg.N, OpMode.ABC),
  /* LOADK */ info(0, 1, OpArg.K, OpArg.N, OpMode.ABx),
  /* LOADKX */ info(0, 1, OpArg.N, OpArg.N, OpMode.ABx),
  /* LOADBOOL */ info(0, 1, OpArg.U, OpArg.U, OpMode.ABC),
  /* LOADNIL */ info(0, 1, OpArg.U, OpArg.N, OpMode.ABC),
  /* GETUPVAL */ info(0, 1, OpArg.U, OpArg.N, OpMode.ABC),
  /* GETTABUP */ info(0, 1, OpArg.U, OpArg.K, OpMode.ABC),
  /* GETTABLE */ info(0, 1, OpArg.R, OpArg.K, OpMode.ABC),
  /* SETTABUP */ info(0, 0, OpArg.K, OpArg.K, OpMode.ABC),
  /* SETUPVAL */ info(0, 0, OpArg.U, OpArg.N, OpMode.ABC),
  /* SETTABLE */ info(0, 0, OpArg.K, OpArg.K, OpMode.ABC),
  /* NEWTABLE */ info(0, 1, OpArg.U, OpArg.U, OpMode.ABC),
  /* SELF */ info(0, 1, OpArg.R, OpArg.K, OpMode.ABC),
  /* ADD */ info(0, 1, OpArg.K, OpArg.K, OpMode.ABC),
  /* SUB */ info(0, 1, OpArg.K, OpArg.K, OpMode.ABC),
  /* MUL */ info(0, 1, OpArg.K, OpArg.K, OpMode.ABC),
  /* MOD */ info(0, 1, OpArg.K, OpArg.K, OpMode.ABC),
  /* POW */ info(0, 1, OpArg.K, OpArg.K, OpMode.ABC),
  /* DIV */ info(0, 1, OpArg.K, OpArg.K, OpMode.ABC),
  /* IDIV */ info(0, 1, OpArg.K, OpArg.K, OpMode.ABC),
  /* BAND */ info(0, 1, OpArg.K, OpArg.K, OpMode.ABC),
  /* BOR */ info(0, 1, OpArg.K, OpArg.K, OpMode.ABC),
  /* BXOR */ info(0, 1, OpArg.K, OpArg.K, OpMode.ABC),
  /* SHL */ info(0, 1, OpArg.K, OpArg.K, OpMode.ABC),
  /* SHR */ info(0, 1, OpArg.K, OpArg.K, OpMode.ABC),
  /* UNM */ info(0, 1, OpArg.R, OpArg.N, OpMode.ABC),
  /* BNOT */ info(0, 1, OpArg.R, OpArg.N, OpMode.ABC),
  /* NOT */ info(0, 1, OpArg.R, OpArg.N, OpMode.ABC),
  /* LEN */ info(0, 1, OpArg.R, OpArg.N, OpMode.ABC),
  /* CONCAT */ info(0, 1, OpArg.R, OpArg.R, OpMode.ABC),
  /* JMP */ info(0, 0, OpArg.R, OpArg.N, OpMode.AsBx),
  /* EQ */ info(1, 0, OpArg.K, OpArg.K, OpMode.ABC),
  /* LT */ info(1, 0, OpArg.K, OpArg.K, OpMode.ABC),
  /* LE */ info(1, 0, OpArg.K, OpArg.K, OpMode.ABC),
  /* TEST */ info(1, 0, OpArg.N, OpArg.U, OpMode.ABC),
  /* TESTSET */ info(1, 1, OpArg.R, OpArg.U, OpMode.ABC),
  /* CALL */ info(0, 1, OpArg.U, OpArg.U, OpMode.ABC),
  /* TAILCALL */ info(0, 1, OpArg.U, OpArg.U, OpMode.ABC),
  /* RETURN */ info(0, 0, OpArg.U, OpArg.N, OpMode.ABC),
  /* FORLOOP */ info(0, 1, OpArg.R, OpArg.N, OpMode.AsBx),
  /* FORPREP */ info(0, 1, OpArg.R, OpArg.N, OpMode.AsBx),
  /* TFORCALL */ info(0, 0, OpArg.N, OpArg.U, OpMode.ABC),
  /* TFORLOOP */ info(0, 1, OpArg.R, OpArg.N, OpMode.AsBx),
  /* SETLIST */ info(0, 0, OpArg.U, OpArg.U, OpMode.ABC),
  /* CLOSURE */ info(0, 1, OpArg.U, OpArg.N, OpMode.ABx),
  /* VARARG */ info(0, 1, OpArg.U, OpArg.N, OpMode.ABC),
  /* EXTRAARG */ info(0, 0, OpArg.U, OpArg.U, OpMode.Ax),
];

// ---- encoding ---------------------------------------------------------------------------------

export const SIZE_A = 8;
export const SIZE_B = 9;
export const SIZE_C = 9;
export const SIZE_BX = 18;
export const SIZE_AX = 26;
export const MAXARG_A = (1 << SIZE_A) - 1;
export const MAXARG_B = (1 << SIZE_B) - 1;
export const MAXARG_C = (1 << SIZE_C) - 1;
export const MAXARG_BX = (1 << SIZE_BX) - 1;
export const MAXARG_SBX = MAXARG_BX >> 1; // 131071
export const MAXARG_AX = (1 << SIZE_AX) - 1;
/** Bit of B/C that marks a constant index (BITRK). */
export const BITRK = 1 << (SIZE_B - 1);
/** Largest constant index an RK operand can hold. */
export const MAXINDEXRK = BITRK - 1;
/** Fields per SETLIST batch (LFIELDS_PER_FLUSH). */
export const FIELDS_PER_FLUSH = 50;
/** Registers a function may use (MAXREGS). */
export const MAX_REGISTERS = 255;
/** Upvalues a function may have (MAXUPVAL). */
export const MAX_UPVALUES = 255;

export function encodeABC(op: Op, a: number, b: number, c: number): number {
  return (op | (a << 6) | (c << 14) | (b << 23)) >>> 0;
}

export function encodeABx(op: Op, a: number, bx: number): number {
  return (op | (a << 6) | (bx << 14)) >>> 0;
}

export function encodeAsBx(op: Op, a: number, sbx: number): number {
  return encodeABx(op, a, sbx + MAXARG_SBX);
}

export function encodeAx(op: Op, ax: number): number {
  return (op | (ax << 6)) >>> 0;
}

export function opcodeOf(i: number): Op { return i & 0x3f; }
export function argA(i: number): number { return (i >>> 6) & 0xff; }
export function argB(i: number): number { return (i >>> 23) & 0x1ff; }
export function argC(i: number): number { return (i >>> 14) & 0x1ff; }
export function argBx(i: number): number { return i >>> 14; }
export function argSBx(i: number): number { return (i >>> 14) - MAXARG_SBX; }
export function argAx(i: number): number { return i >>> 6; }
export function isK(x: number): boolean { return (x & BITRK) !== 0; }
export function indexK(x: number): number { return x & ~BITRK; }
export function rkAsK(index: number): number { return index | BITRK; }

// ---- prototypes -------------------------------------------------------------------------------

/** A constant: nil, boolean, number or (byte) string. */
export type Constant = undefined | boolean | LuaNumber | string;

export interface UpvalueDesc {
  name: string;
  /** True: captures a register (local) of the enclosing function; false: one of its upvalues. */
  inStack: boolean;
  index: number;
}

export interface LocalVarInfo {
  name: string;
  /** First instruction where the variable is active (0-based pc). */
  startPc: number;
  /** First instruction where it is dead. */
  endPc: number;
}

/** A compiled function, as PUC Lua's `Proto`. Positions are 0-based pcs; lines are 1-based. */
export interface Proto {
  /** Chunk name as Lua prints it in messages (`@file.lua`, `=stdin`, or the source text). */
  source: string;
  lineDefined: number;
  lastLineDefined: number;
  numParams: number;
  isVararg: boolean;
  maxStackSize: number;
  code: Uint32Array;
  /** Source line of each instruction. */
  lineInfo: Int32Array;
  constants: Constant[];
  upvalues: UpvalueDesc[];
  protos: Proto[];
  locVars: LocalVarInfo[];
  /**
   * Its translation once it is hot (tier.ts), null when it stays in the loop, undefined before.
   * Every prototype is made with both fields, so that all have one shape for the loop's reads.
   */
  tier: TierFunction | null | undefined;
  /** Entries and backward jumps counted towards the translation. */
  hotness: number;
}
