// The second tier: a hot function's bytecode translated to one JavaScript function, which runs its
// frame faster than the dispatch loop and hands the frame back to the loop whenever anything but
// the common case comes up.
//
// The translation is the dispatch loop's fast paths (interp.ts), instruction by instruction, with
// the decoding done once: register and constant numbers are literals, each instruction a `case`
// of one switch on the pc (sequential instructions fall through, jumps set the pc). The frame
// stays the loop's: the pc is `frame.pc`, the instruction countdown `vm.countdown`, and the
// registers are the thread's stack slots, held in JavaScript locals while the translation runs
// (loaded on entry, stored back at every exit) so that V8 can keep numbers unboxed. So the
// translated function can stop before any instruction and the loop carry on from there with
// nothing else to convert ("bail"): it does so when the countdown
// runs out (the budget, the clock, hooks and pauses are the loop's), when an instruction leaves its
// fast path (a metamethod, an error, a coercion, a charge, an allocation the loop accounts), and for
// the instructions it does not translate. Errors are therefore always raised by the loop, with its
// messages, variable names and tracebacks; the tier never throws but where the loop's own
// pushLua does (stack overflow), with the frame's pc saved as the loop saves it.
//
// A call of a translated Lua function pushes the callee's frame as the loop does and calls its
// translation directly; when the callee returns, the caller goes on, and when it stops anywhere
// else (a bail, a yield, a call of an untranslated function), the caller's frame, saved before
// the call, waits in the loop at its next instruction. Other calls push the callee's frame and
// return to the loop, which runs it. The loop enters a translation at a frame's (re)start and at
// its backward jumps, and only while
// no debug hook is set (the debugger steps the loop). Generated code holds numbers only: constants
// are read from the prototype's constant array, never written into the code.

import { LFloat, float, floatMod, floatOperand, intAdd, intMod, intMul, intSub, numberToString, type LuaInteger } from './number';
import type { Proto } from './proto';
import { FIELDS_PER_FLUSH, Op } from './proto';
import { LONG_STRING, SIZE } from './heap';
import { LuaTable } from './table';
import { LuaClosure, NOT_FAST, NativeFunction, type LuaValue } from './value';
import type { Coroutine } from './interp';

/**
 * The test that calls a native's fast form for a call with `b - 1` (one or two) arguments from
 * register `a + 1` on, leaving its result in `w`: true when it gave one (see NativeFunction.unary).
 */
function fastForm(b: number, a: number, R: (r: number) => string): string {
  const form = b === 2 ? `v.unary!==undefined&&(w=v.unary(${R(a + 1)}))` : `v.binary!==undefined&&(w=v.binary(${R(a + 1)},${R(a + 2)}))`;
  return `v instanceof NativeFunction&&thread.hookMask===0&&thread.depth<vm.maxCallDepth&&${form}!==NOT_FAST`;
}

/** What a translation returns: BAIL (0), the loop goes on with the frame at `frame.pc`; 1, it reloads its frame. */
export const BAIL = 0;
/** The frame returned (its results are where its caller wants them): the loop reloads its frame. */
export const RETURNED = 2;
/** A call made by the translation suspended the run (the loop returns SUSPEND). */
export const SUSPENDED = 5;
/** A call made by the translation ended the run's entry frame (the loop returns STOP). */
export const STOPPED = 6;

/** What the tier needs of the VM (interp.ts's VM implements it). */
export interface TierHost {
  countdown: number;
  builtinNext: NativeFunction | undefined;
  builtinIpairsStep: NativeFunction | undefined;
  maxCallDepth: number;
  allocated: number;
  gcThreshold: number;
  tierMakeClosure(thread: Coroutine, parent: LuaClosure, index: number, base: number): LuaClosure;
  tierAllocationPass(thread: Coroutine, top: number): void;
  /**
   * The countdown (vm.countdown) does not cover the `need` instructions from frame.pc: the VM's
   * turn as the loop's would come within them. What the translation returns: 1, the loop enters
   * it again at frame.pc; BAIL, the loop runs the frame on from there; SUSPENDED, the run pauses.
   */
  tierCount(frame: Frame, need: number): number;
  /** Translations running one inside another (direct calls); the loop sets 0 when it enters one. */
  tierNest: number;
  tierPushLua(thread: Coroutine, fn: LuaClosure, func: number, nargs: number, nresults: number): void;
  /** The same for a call the translation makes directly: the callee's frame. */
  tierEnter(thread: Coroutine, fn: LuaClosure, func: number, nargs: number, nresults: number): Frame;
  /** Calls a value that is not a Lua function as the loop's CALL does: 0 done, else what the translation returns. */
  tierCall(thread: Coroutine, func: number, nargs: number, nresults: number): number;
  tierTailCall(thread: Coroutine, frame: Frame, fn: LuaClosure, func: number, nargs: number): void;
  /** Whether a callee may read or write its callers' registers (the debug library is open): calls store and reload them all. */
  tierFullFrames: boolean;
  tierCloseUpvalues(thread: Coroutine, level: number): void;
}

/** Frames as the tier sees them (interp.ts's CallFrame). */
interface Frame {
  pc: number;
  closure: LuaClosure | undefined;
  flags: number;
  cont: number;
  ret: number;
  nresults: number;
}

export type TierFunction = (vm: TierHost, thread: Coroutine, frame: Frame, stack: LuaValue[], base: number, k: LuaValue[], upvals: unknown[]) => number;

const SETTING = typeof process !== 'undefined' ? process.env.SANDLUA_TIER : undefined;
/** How hot a function gets before its translation: SANDLUA_TIER=off|eager|N, by default 1000. */
export const TIER_AT = ((): number => {
  const setting = SETTING;
  if (setting === 'off') return 0;
  if (setting === 'eager') return 1;
  const n = Number(setting);
  return setting !== undefined && setting !== '' && Number.isInteger(n) && n >= 0 ? n : 1000;
})();

/**
 * Functions longer than this stay in the loop: the translation is made in one piece (about 90
 * bytes of JavaScript an instruction, ~6 ms a thousand instructions here, then V8's compile of it).
 */
const MAX_INSTRUCTIONS = 1000;
/** Registers a translation may name (see `translate`). */
const MAX_REGISTERS = 32;
/**
 * Translations that call each other directly nest on the JavaScript stack; past this many, a call
 * goes through the loop (which starts again from none), so that deep Lua recursion never needs a
 * deep JavaScript stack.
 */
export const MAX_NEST = 100;

// ---- the fast paths, shared by the translations (small: V8 inlines them where they are hot) ----

/** What a helper gives when its instruction is the loop's (a result is never this). */
const MISS: unique symbol = Symbol('miss');
type Result = LuaValue | typeof MISS;
const MAX_SAFE = 9007199254740991;

function add(x: LuaValue, y: LuaValue): Result {
  if (typeof x === 'number' && typeof y === 'number') {
    const r = x + y;
    if (!Number.isInteger(r)) return r;
    if (!Number.isInteger(x) || !Number.isInteger(y)) return new LFloat(r);
    return r <= MAX_SAFE && r >= -MAX_SAFE ? r : intAdd(x, y);
  }
  if (typeof x === 'bigint' || typeof y === 'bigint') return bigOperands(x, y) ? intAdd(x as LuaInteger, y as LuaInteger) : MISS;
  const a = floatOperand(x);
  const b = a === undefined ? undefined : floatOperand(y);
  return b === undefined ? MISS : float(a! + b);
}

function sub(x: LuaValue, y: LuaValue): Result {
  if (typeof x === 'number' && typeof y === 'number') {
    const r = x - y;
    if (!Number.isInteger(r)) return r;
    if (!Number.isInteger(x) || !Number.isInteger(y)) return new LFloat(r);
    return r <= MAX_SAFE && r >= -MAX_SAFE ? r : intSub(x, y);
  }
  if (typeof x === 'bigint' || typeof y === 'bigint') return bigOperands(x, y) ? intSub(x as LuaInteger, y as LuaInteger) : MISS;
  const a = floatOperand(x);
  const b = a === undefined ? undefined : floatOperand(y);
  return b === undefined ? MISS : float(a! - b);
}

function mul(x: LuaValue, y: LuaValue): Result {
  if (typeof x === 'number' && typeof y === 'number') {
    const r = x * y;
    if (!Number.isInteger(r)) return r;
    if (!Number.isInteger(x) || !Number.isInteger(y)) return new LFloat(r);
    return r < MAX_SAFE + 1 && r > -MAX_SAFE - 1 ? (r === 0 ? 0 : r) : intMul(x, y);
  }
  if (typeof x === 'bigint' || typeof y === 'bigint') return bigOperands(x, y) ? intMul(x as LuaInteger, y as LuaInteger) : MISS;
  const a = floatOperand(x);
  const b = a === undefined ? undefined : floatOperand(y);
  return b === undefined ? MISS : float(a! * b);
}

function div(x: LuaValue, y: LuaValue): Result {
  const a = floatOperand(x);
  const b = a === undefined ? undefined : floatOperand(y);
  return b === undefined ? MISS : float(a! / b);
}

function mod(x: LuaValue, y: LuaValue): Result {
  if (typeof x === 'number' && typeof y === 'number' && Number.isInteger(x) && Number.isInteger(y) && y !== 0) {
    let r = x % y;
    if (r !== 0 && (r < 0) !== (y < 0)) r += y;
    return r === 0 ? 0 : r;
  }
  // A float and a number (an integer operand is exact as a float: larger ones are BigInts);
  // two integers left here are `n % 0`, the loop's error.
  if (typeof x === 'number' && typeof y === 'number' && !(Number.isInteger(x) && Number.isInteger(y))) return float(floatMod(x, y));
  if (bigOperands(x, y)) return intMod(x as LuaInteger, y as LuaInteger) ?? MISS;
  return MISS;
}

/**
 * Integers past 2^53 are BigInts (number.ts): two integer operands with one of them such a value
 * are the integer operations' (the loop's arithmetic does the same); with a float, the loop's.
 */
function bigOperands(x: LuaValue, y: LuaValue): boolean {
  return (typeof x === 'bigint' || (typeof x === 'number' && Number.isInteger(x))) && (typeof y === 'bigint' || (typeof y === 'number' && Number.isInteger(y)))
    && (typeof x === 'bigint' || typeof y === 'bigint');
}

function unm(x: LuaValue): Result {
  if (typeof x === 'number') return x === 0 && Number.isInteger(x) ? 0 : -x;
  return x instanceof LFloat ? new LFloat(-x.n) : MISS;
}

/** EQ: undefined when the loop decides (metamethods, long strings it charges for). */
function eq(x: LuaValue, y: LuaValue): boolean | undefined {
  if (x === y) return typeof x === 'string' && x.length > LONG_STRING ? undefined : true;
  if (typeof x === 'number' && typeof y === 'number') return false;
  const a = floatOperand(x);
  const b = a === undefined ? undefined : floatOperand(y);
  return b === undefined ? undefined : a === b;
}

// Strings compare by their bytes, as the loop compares them; one whose left side is long is the
// loop's (it charges the comparison).
function lt(x: LuaValue, y: LuaValue): boolean | undefined {
  if (typeof x === 'number' && typeof y === 'number') return x < y;
  if (typeof x === 'string') return typeof y === 'string' && x.length <= LONG_STRING ? x < y : undefined;
  const a = floatOperand(x);
  const b = a === undefined ? undefined : floatOperand(y);
  return b === undefined ? undefined : a! < b;
}

function le(x: LuaValue, y: LuaValue): boolean | undefined {
  if (typeof x === 'number' && typeof y === 'number') return x <= y;
  if (typeof x === 'string') return typeof y === 'string' && x.length <= LONG_STRING ? x <= y : undefined;
  const a = floatOperand(x);
  const b = a === undefined ? undefined : floatOperand(y);
  return b === undefined ? undefined : a! <= b;
}

/** GETTABLE/GETTABUP: a raw get, when no `__index` can take part. */
function index(t: LuaValue, key: LuaValue): Result {
  if (t instanceof LuaTable) {
    const v = typeof key === 'string' ? t.getStr(key) : t.get(key);
    if (v !== undefined || t.metatable === undefined || t.metatable.getStr('__index') === undefined) return v;
  }
  return MISS;
}

/** SELF's method: the object's own, or its class table's (a table `__index` without a metatable). */
function method(obj: LuaValue, key: LuaValue): Result {
  if (obj instanceof LuaTable && typeof key === 'string') {
    let v = obj.getStr(key);
    if (v !== undefined) return v;
    const mt = obj.metatable;
    if (mt === undefined) return undefined;
    const idx = mt.getStr('__index');
    if (idx instanceof LuaTable) {
      v = idx.getStr(key);
      if (v !== undefined || idx.metatable === undefined) return v;
    }
  }
  return MISS;
}

/** SETTABLE/SETTABUP: a raw set where no `__newindex` has a say, of keys the loop need not check. */
function store(t: LuaValue, key: LuaValue, value: LuaValue, strings: boolean): boolean {
  if (!(t instanceof LuaTable)) return false;
  // A metatable matters only through a `__newindex`, and then only for a key the table lacks.
  const mt = t.metatable;
  const guarded = mt !== undefined && mt.getStr('__newindex') !== undefined;
  if (typeof key === 'string') {
    if (guarded && t.getStr(key) === undefined) return false;
    t.setStr(key, value);
  } else if (!strings && typeof key === 'number' && key === key) {
    if (guarded && t.get(key) === undefined) return false;
    t.set(key, value);
  } else return false;
  return true;
}

function len(x: LuaValue): Result {
  if (typeof x === 'string') return x.length;
  return x instanceof LuaTable && x.metatable === undefined ? x.length() : MISS;
}

/** A piece of CONCAT: undefined for a value with metamethods (the loop's). */
function piece(v: LuaValue): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof LFloat) return numberToString(v);
  return undefined;
}

/** The integer numeric for loop's step (FORLOOP): the next index, or MISS for the loop's slow path. */
function forNext(idx: LuaValue, step: LuaValue): Result {
  if (typeof idx !== 'number' || typeof step !== 'number' || !Number.isInteger(idx)) return MISS;
  const n = idx + step;
  return n > MAX_SAFE || n < -MAX_SAFE ? intAdd(idx, step) : n;
}

/** FORPREP with an integer initial value, limit and step: the index before the first step. */
function forStart(init: LuaValue, limit: LuaValue, step: LuaValue): Result {
  if (typeof init !== 'number' || typeof limit !== 'number' || typeof step !== 'number') return MISS;
  if (!Number.isInteger(init) || !Number.isInteger(limit) || !Number.isInteger(step)) return MISS;
  const v = init - step;
  return v <= MAX_SAFE && v >= -MAX_SAFE ? v : intSub(init, step);
}

/**
 * The generated code that moves a returning frame's `n` results from the stack at `from` to where
 * its caller wants them (`ret` and `want`, the frame's), as the loop's RETURN does: all of them
 * when want < 0, else `want`, padded with nil.
 */
function copyResults(from: string, n: string): string {
  return `if(want<0){for(let j=0;j<${n};j++)stack[ret+j]=stack[${from}+j];thread.top=ret+${n}}else{${copyWanted(from, n)}}`;
}

/** The same for a caller that wants a fixed number of results (want >= 0). */
function copyWanted(from: string, n: string): string {
  return `let j=0;for(;j<${n}&&j<want;j++)stack[ret+j]=stack[${from}+j];for(;j<want;j++)stack[ret+j]=undefined;`;
}

/** A `status` of the generated code: the countdown does not cover the run of instructions at `pc` (see translate). */
const COUNT_OUT = 7;
/** Another: a call did not return here; `argCount` is what the translation returns. */
const LEFT = 8;

/**
 * Where a call's code stores registers for the callee and reloads them after it (written once all
 * the named registers are known): `\u0001<what> <a> <count>\u0001`, see translate.
 */
const mark = (what: 'store' | 'load' | 'all' | 'reload', a = 0, n = 0): string => `\u0001${what} ${a} ${n}\u0001`;

const HELPERS = { MISS, LFloat, LuaTable, LuaClosure, NativeFunction, NOT_FAST, add, sub, mul, div, mod, unm, eq, lt, le, index, method, store, len, piece, forNext, forStart };

const FLOAT_ARITH = new Set<number>([Op.ADD, Op.SUB, Op.MUL, Op.DIV]);

/**
 * Where a translation can be entered: its start, the targets of its jumps (those it takes itself:
 * a JMP that closes upvalues is the loop's), and the instruction after each call (a frame waiting
 * on a callee the loop runs goes on there). Only those get a `case`: the other instructions follow
 * the one before in straight-line code, where V8 can keep intermediate numbers unboxed (every
 * `case` is a merge of all the registers). An entry anywhere else (after a metamethod the loop
 * called) finds no case: the loop runs the frame on to the next backward jump, where it enters the
 * translation again.
 */
function entriesOf(code: Uint32Array): Set<number> {
  const entries = new Set<number>([0]);
  for (let pc = 0; pc < code.length; pc++) {
    const i = code[pc];
    const a = (i >>> 6) & 0xff;
    const c = (i >>> 14) & 0x1ff;
    const sbx = (i >>> 14) - 131071;
    switch (i & 0x3f) {
      case Op.JMP:
        if (a === 0) entries.add(pc + 1 + sbx);
        break;
      case Op.FORLOOP: case Op.FORPREP: case Op.TFORLOOP:
        entries.add(pc + 1 + sbx);
        break;
      case Op.LOADBOOL:
        if (c !== 0) entries.add(pc + 2);
        break;
      case Op.EQ: case Op.LT: case Op.LE: case Op.TEST: case Op.TESTSET:
        entries.add(pc + 2);
        break;
      case Op.CALL: case Op.TFORCALL:
        entries.add(pc + 1);
        break;
    }
  }
  return entries;
}

/**
 * The arithmetic instructions whose result is read only by the next one, itself arithmetic in the
 * same straight run of instructions: the result is a temporary (a register above the locals
 * active there; Lua's code generator frees a temporary where it is read, and writes it before
 * reading it again). An integral float result, which is otherwise boxed (LFloat) to keep its
 * subtype, goes from one to the other as a plain number, with `tf` saying it is a float:
 * `1.0 / (n * 0.5 + i)` allocates nothing. Without debug information (a stripped chunk) which
 * registers are temporaries is not known, and there are none.
 */
export function floatPairs(p: Proto): Uint8Array {
  const code = p.code;
  const pairs = new Uint8Array(code.length);
  if (p.lineInfo.length !== code.length) return pairs;
  const entries = entriesOf(code);
  for (let pc = 0; pc + 1 < code.length; pc++) {
    const i = code[pc];
    const j = code[pc + 1];
    if (!FLOAT_ARITH.has(i & 0x3f) || !FLOAT_ARITH.has(j & 0x3f) || entries.has(pc + 1)) continue;
    const t = (i >>> 6) & 0xff;
    if (((j >>> 23) & 0x1ff) !== t && ((j >>> 14) & 0x1ff) !== t) continue;
    let active = 0;
    for (const v of p.locVars) if (v.startPc <= pc + 1 && pc + 1 < v.endPc) active++;
    if (t >= active) pairs[pc] = 1;
  }
  return pairs;
}

/** The translation of a prototype, or null when it stays in the loop. */
export function translate(p: Proto): TierFunction | null {
  const code = p.code;
  if (code.length > MAX_INSTRUCTIONS) return null;
  const out: string[] = [];
  // The registers the translated instructions name: only those are loaded on entry and stored
  // back at exits (the others are only ever changed by the loop, in the stack).
  const named = new Set<number>();
  const R = (r: number): string => {
    named.add(r);
    return `r${r}`;
  };
  const RK = (x: number): string => (x & 0x100 ? `k[${x & 0xff}]` : R(x));
  // A field named by a constant: read and written in the table's fields object in place, so that
  // each instruction has its own inline cache in V8 (tables built alike share a hidden class);
  // anything else (no such field, a metatable to ask, a new key) through the shared helpers.
  const field = (x: number): boolean => (x & 0x100) !== 0 && typeof p.constants[x & 0xff] === 'string';
  const getField = (a: number, object: string, key: string, bail: string): string =>
    `v=${object};if(v instanceof LuaTable&&(w=v.strs)!==undefined&&(w=w[${key}])!==undefined)${R(a)}=w;`
    + `else{v=index(v,${key});if(v===MISS)${bail}${R(a)}=v;}`;
  const setField = (object: string, key: string, value: string, strings: boolean, bail: string): string =>
    `v=${object};w=${value};if(v instanceof LuaTable&&w!==undefined&&(u=v.strs)!==undefined&&u[${key}]!==undefined)u[${key}]=w;`
    + `else if(!store(v,${key},w,${strings}))${bail}`;
  // A key of the array part, read in place; and written in place where it holds a value (a new
  // key or a nil written may move the array part's bounds: the helper's).
  const getItem = (a: number, object: string, key: string, bail: string): string =>
    `v=${object};w=${key};if(v instanceof LuaTable&&typeof w==='number'&&w>=1&&w<=(u=v.arr).length&&(w|0)===w&&(u=u[w-1])!==undefined)${R(a)}=u;`
    + `else{v=index(v,w);if(v===MISS)${bail}${R(a)}=v;}`;
  const setItem = (object: string, key: string, value: string, bail: string): string =>
    `v=${object};w=${key};if(v instanceof LuaTable&&typeof w==='number'&&w>=1&&w<=(u=v.arr).length&&(w|0)===w&&u[w-1]!==undefined&&${value}!==undefined)u[w-1]=${value};`
    + `else if(!store(v,w,${value},false))${bail}`;
  const up = (u: number): string => `(u = upvals[${u}], u.stack !== undefined ? u.stack[u.index] : u.value)`;
  // Where the translation can be entered (see entriesOf).
  const entries = entriesOf(code);
  const pairs = floatPairs(p);
  // A float constant with an integral value (boxed in the constants) as a number literal.
  const floatConstant = (x: number): LFloat | undefined => {
    const k = x & 0x100 ? p.constants[x & 0xff] : undefined;
    return k instanceof LFloat ? k : undefined;
  };
  for (let pc = 0; pc < code.length; pc++) {
    const i = code[pc];
    const op = i & 0x3f;
    const a = (i >>> 6) & 0xff;
    const b = (i >>> 23) & 0x1ff;
    const c = (i >>> 14) & 0x1ff;
    const bx = i >>> 14;
    const sbx = bx - 131071;
    // Leave for the loop at this instruction; or go on to the next one; or jump.
    const bail = `{pc=${pc};break x}`;
    const jump = (target: number): string => `{count--;pc=${target};continue}`;
    const result = (expr: string): string => `v=${expr};if(v===MISS)${bail}${R(a)}=v;`;
    // Arithmetic on two plain numbers inline (the shared helpers are too many for V8 to inline
    // into a long translation): a result that is not integral is a float, and an integral one of
    // two integers within 2^53 an integer; the rest (integral floats, overflow, -0, other types)
    // through the helper.
    const generic = (sign: string, helper: string, more = ''): string =>
      `if(typeof u==='number'&&typeof w==='number'&&(v=u${sign}w,!Number.isInteger(v)||(Number.isInteger(u)&&Number.isInteger(w)&&v<=${MAX_SAFE}&&v>=${-MAX_SAFE}${more})))${R(a)}=v;`
      + `else{v=${helper}(u,w);if(v===MISS)${bail}${R(a)}=v;}`;
    const arith = (sign: string, helper: string, more = ''): string => `u=${RK(b)};w=${RK(c)};${generic(sign, helper, more)}`;
    const divide = `if(typeof u==='number'&&typeof w==='number'&&!Number.isInteger(v=u/w))${R(a)}=v;else{v=div(u,w);if(v===MISS)${bail}${R(a)}=v;}`;
    // An instruction of a pair (floatPairs), or one with an integral float constant: when either
    // operand is a float (or the operation is a division), the float operation inline, its
    // integral result a plain number flagged by tf for the next instruction, or boxed; otherwise
    // (integers, other types) the code above, with the operands as they are boxed.
    const floatArith = (o: number): string | undefined => {
      const temp = pc > 0 && pairs[pc - 1] ? (code[pc - 1] >>> 6) & 0xff : -1;
      const produces = pairs[pc] === 1;
      if (!produces && temp < 0 && !floatConstant(b) && !floatConstant(c)) return undefined;
      const operand = (x: number, name: string): { load: string; isFloat: string; boxed: string } => {
        const k = floatConstant(x);
        if (k) return { load: `${name}=${Object.is(k.n, -0) ? '-0' : `(${String(k.n)})`};`, isFloat: 'true', boxed: `${name}=k[${x & 0xff}];` };
        if (x === temp) return { load: `${name}=${R(x)};`, isFloat: `(tf===1||!Number.isInteger(${name}))`, boxed: `${name}=${R(x)};` };
        return { load: `${name}=${RK(x)};`, isFloat: `!Number.isInteger(${name})`, boxed: '' };
      };
      const x = operand(b, 'u');
      const y = operand(c, 'w');
      const sign = o === Op.ADD ? '+' : o === Op.SUB ? '-' : o === Op.MUL ? '*' : '/';
      const floatOp = o === Op.DIV ? 'true' : `${x.isFloat}||${y.isFloat}`;
      const integral = produces ? `${R(a)}=v;tf=1;` : `${R(a)}=new LFloat(v);`;
      const done = produces ? 'tf=0;' : '';
      // The other paths see the temporary boxed, as the loop would (a bail stores it).
      const box = temp >= 0 ? `if(tf===1){${R(temp)}=new LFloat(${R(temp)});tf=0;}` : '';
      const rest = o === Op.DIV ? divide
        : o === Op.MUL ? generic('*', 'mul', '&&v!==0')
        : generic(sign, o === Op.ADD ? 'add' : 'sub');
      return `${x.load}${y.load}if(typeof u==='number'&&typeof w==='number'&&(${floatOp})){v=u${sign}w;if(Number.isInteger(v)){${integral}}else{${R(a)}=v;${done}}}`
        + `else{${box}${x.boxed}${y.boxed}${rest}${done}}`;
    };
    const compare = (sign: string, helper: string): string =>
      `u=${RK(b)};w=${RK(c)};if(typeof u==='number'&&typeof w==='number')v=u${sign}w;else{v=${helper}(u,w);if(v===undefined)${bail}}if(v!==${a !== 0})${jump(pc + 2)}`;
    let body: string;
    switch (op) {
      case Op.MOVE: body = `${R(a)}=${R(b)};`; break;
      case Op.LOADK: body = `${R(a)}=k[${bx}];`; break;
      case Op.LOADBOOL: body = `${R(a)}=${b !== 0};${c !== 0 ? jump(pc + 2) : ''}`; break;
      case Op.LOADNIL: body = Array.from({ length: b + 1 }, (_, r) => `${R(a + r)}=undefined;`).join(''); break;
      case Op.GETUPVAL: body = `${R(a)}=${up(b)};`; break;
      case Op.SETUPVAL: body = `u=upvals[${b}];if(u.stack!==undefined)u.stack[u.index]=${R(a)};else u.value=${R(a)};`; break;
      case Op.GETTABUP: body = field(c) ? getField(a, up(b), RK(c), bail) : result(`index(${up(b)},${RK(c)})`); break;
      case Op.GETTABLE: body = field(c) ? getField(a, R(b), RK(c), bail) : getItem(a, R(b), RK(c), bail); break;
      case Op.SETTABUP: body = field(b) ? setField(up(a), RK(b), RK(c), true, bail) : `if(!store(${up(a)},${RK(b)},${RK(c)},true))${bail}`; break;
      case Op.SETTABLE: body = field(b) ? setField(R(a), RK(b), RK(c), false, bail) : setItem(R(a), RK(b), RK(c), bail); break;
      case Op.SELF: {
        // The object's own method, or its class's (a metatable whose __index is a table).
        const key = RK(c);
        body = field(c)
          ? `v=${R(b)};if(v instanceof LuaTable&&(v.manyFields||((w=v.strs)===undefined||(w=w[${key}])===undefined)&&!((u=v.metatable)!==undefined&&(u=u.strs)!==undefined&&(u=u.__index) instanceof LuaTable&&(u=u.strs)!==undefined&&(w=u[${key}])!==undefined)))w=MISS;`
            + `if(!(v instanceof LuaTable)||w===MISS){w=method(v,${key});if(w===MISS)${bail}}${R(a + 1)}=v;${R(a)}=w;`
          : `v=method(${R(b)},${key});if(v===MISS)${bail}${R(a + 1)}=${R(b)};${R(a)}=v;`;
        break;
      }
      case Op.ADD: body = floatArith(op) ?? arith('+', 'add'); break;
      case Op.SUB: body = floatArith(op) ?? arith('-', 'sub'); break;
      case Op.MUL: body = floatArith(op) ?? arith('*', 'mul', '&&v!==0'); break;
      case Op.DIV: body = floatArith(op) ?? `u=${RK(b)};w=${RK(c)};${divide}`; break;
      case Op.MOD: body = result(`mod(${RK(b)},${RK(c)})`); break;
      case Op.UNM: body = result(`unm(${R(b)})`); break;
      case Op.NOT: body = `${R(a)}=${R(b)}===undefined||${R(b)}===false;`; break;
      case Op.LEN: body = result(`len(${R(b)})`); break;
      case Op.CONCAT: {
        // Strings and numbers; a long result is the loop's (it charges for it), and so is anything
        // with metamethods. Past the allocation threshold the collector's pass runs at the exit.
        const parts = Array.from({ length: c - b + 1 }, (_, j) => `w=piece(${R(b + j)});if(w===undefined)${bail}v${j === 0 ? '' : '+'}=w;`).join('');
        body = `${parts}if(v.length>${LONG_STRING})${bail}${R(a)}=v;`
          + `if((vm.allocated+=${SIZE.string}+v.length)>=vm.gcThreshold){count--;status=4;passTop=base+${a >= b ? a + 1 : b};pc=${pc + 1};break x}`;
        break;
      }
      case Op.JMP: body = a !== 0 ? bail : jump(pc + 1 + sbx); break; // closing upvalues is the loop's
      case Op.EQ: body = compare('===', 'eq'); break;
      case Op.LT: body = compare('<', 'lt'); break;
      case Op.LE: body = compare('<=', 'le'); break;
      case Op.TEST: body = `if(${c !== 0}===(${R(a)}===undefined||${R(a)}===false))${jump(pc + 2)}`; break;
      case Op.TESTSET: body = `if(${c !== 0}===(${R(b)}===undefined||${R(b)}===false))${jump(pc + 2)}${R(a)}=${R(b)};`; break;
      case Op.FORLOOP:
        // The integer loop within 2^53, as the loop's fast path; float loops are the loop's.
        body = `u=${R(a)};w=${R(a + 2)};if(!(typeof u==='number'&&typeof w==='number'&&Number.isInteger(u)&&(v=u+w)<=${MAX_SAFE}&&v>=${-MAX_SAFE})){v=forNext(u,w);if(v===MISS)${bail}}if(${R(a + 2)}>0?v<=${R(a + 1)}:${R(a + 1)}<=v){${R(a)}=v;${R(a + 3)}=v;${jump(pc + 1 + sbx)}}`;
        break;
      case Op.FORPREP: body = `v=forStart(${R(a)},${R(a + 1)},${R(a + 2)});if(v===MISS)${bail}${R(a)}=v;${jump(pc + 1 + sbx)}`; break;
      case Op.NEWTABLE: case Op.CLOSURE: {
        // Made here; past the allocation threshold, the collector's pass runs at the exit (with
        // the registers stored), as the loop runs it after this instruction.
        const make = op === Op.NEWTABLE ? `new LuaTable()` : `vm.tierMakeClosure(thread,frame.closure,${bx},base)`;
        const charge = op === Op.NEWTABLE ? `(vm.allocated+=${SIZE.table})` : 'vm.allocated';
        body = `${R(a)}=${make};if(${charge}>=vm.gcThreshold){count--;status=4;passTop=base+${a + 1};pc=${pc + 1};break x}`;
        break;
      }
      case Op.SETLIST: {
        if (b === 0 || c === 0) {
          body = bail;
          break;
        }
        const values = Array.from({ length: b }, (_, j) => R(a + 1 + j)).join(',');
        body = `if(!(${R(a)} instanceof LuaTable))${bail}${R(a)}.setList(${(c - 1) * FIELDS_PER_FLUSH + 1},[${values}],0,${b});`;
        break;
      }
      case Op.TFORCALL: {
        // `pairs` and `ipairs` over a plain table, as the loop's inline `next` (and the ipairs
        // iterator's own fast path); any other iterator is called by the loop. The call's slots
        // get the function, state and control first, then the results, as the loop leaves them.
        const cb = a + 3;
        const results = (first: string, second: string): string => `${R(cb)}=${first};`
          + (c > 1 ? `${R(cb + 1)}=${second};` : '') + Array.from({ length: Math.max(0, c - 2) }, (_, j) => `${R(cb + 2 + j)}=undefined;`).join('');
        body = `v=${R(a)};${R(cb)}=v;${R(cb + 1)}=${R(a + 1)};${R(cb + 2)}=${R(a + 2)};`
          + `if(thread.hookMask!==0||!(${R(a + 1)} instanceof LuaTable))${bail}`
          + `if(v===vm.builtinNext&&v!==undefined){w=${R(a + 1)}.next(${R(a + 2)});if(w===undefined)${bail}`
          + `if(w===false){${results('undefined', 'undefined')}}else{${results('w[0]', 'w[1]')}}}`
          + `else if(v===vm.builtinIpairsStep&&v!==undefined&&${R(a + 1)}.metatable===undefined&&Number.isInteger(${R(a + 2)})&&${R(a + 2)}<${MAX_SAFE}&&thread.depth<vm.maxCallDepth){`
          + `u=${R(a + 2)}+1;w=${R(a + 1)}.get(u);if(w===undefined){${results('undefined', 'undefined')}}else{${results('u', 'w')}}}`
          + `else${bail}`;
        break;
      }
      case Op.TFORLOOP: body = `if(${R(a + 1)}!==undefined){${R(a)}=${R(a + 1)};${jump(pc + 1 + sbx)}}`; break;
      case Op.CALL: {
        // A Lua function with a translation is called directly (its frame pushed as the loop
        // pushes it, what it can see of this frame's registers stored for it and its results
        // reloaded after, see aroundCall in translate): when it returns, this
        // translation goes on; when it stops anywhere else, its frame (or a deeper one) is the
        // loop's and this frame waits there at the next instruction. Other Lua functions are
        // pushed at the exit and run by the loop. A native's one-argument fast form runs here
        // (NativeFunction.unary); other natives are called as the loop calls them.
        const nargs = b !== 0 ? `${b - 1}` : `thread.top-base-${a + 1}`;
        const save = `${mark('store', a, b)}callA=${a};frame.pc=${pc + 1};vm.countdown=count-1;`;
        const after = `count=vm.countdown+1;${mark('load', a, c)}`;
        // The call did not return here: the loop goes on with this frame from the stack (the
        // numbers below the call are stored at the exit, see `unwound`).
        const left = (result: string): string => `{status=${LEFT};argCount=${result};break x}`;
        body = `v=${R(a)};if(v instanceof LuaClosure){`
          + `if((w=v.proto.tier)&&thread.hookMask===0&&vm.tierNest<${MAX_NEST}){${save}`
          + `u=vm.tierEnter(thread,v,base+${a},${nargs},${c - 1});`
          + `vm.tierNest++;w=w(vm,thread,u,stack,u.base,v.proto.constants,v.upvalues);vm.tierNest--;`
          + `if(w!==${RETURNED})${left('w===0?1:w')}${after}}`
          + `else{count--;status=2;callee=v;argCount=${nargs};wanted=${c - 1};callAt=base+${a};pc=${pc + 1};break x}}`;
        if (b === 2 || b === 3) {
          // A native's one- or two-argument fast form (NativeFunction.unary, .binary).
          const fill = c === 0 ? `thread.top=base+${a + 1};` : Array.from({ length: Math.max(0, c - 2) }, (_, j) => `${R(a + j + 1)}=undefined;`).join('');
          body += `else if(${fastForm(b, a, R)}){${R(a)}=w;${fill}}`;
        }
        body += `else if(thread.hookMask===0){${save}w=vm.tierCall(thread,base+${a},${nargs},${c - 1});`
          + `if(w!==0)${left('w')}if(thread.hookMask!==0)${left('1')}${after}}else${bail}`;
        break;
      }
      case Op.TAILCALL: {
        // A Lua function takes this frame's place as in the loop, and runs directly when it has
        // a translation: what it returns is then this frame's return. Anything else is called for
        // all its results, which the RETURN after every TAILCALL returns.
        const nargs = b !== 0 ? `${b - 1}` : `thread.top-base-${a + 1}`;
        const save = `${mark('all')}frame.pc=${pc + 1};vm.countdown=count-1;`;
        // A native's fast form: its one result, which the RETURN after every TAILCALL returns.
        const fast = b === 2 || b === 3 ? `if(${fastForm(b, a, R)}){${R(a)}=w;thread.top=base+${a + 1};}else` : '';
        body = `v=${R(a)};if(thread.hookMask!==0)${bail}${fast}{${save}if(v instanceof LuaClosure){`
          + `vm.tierTailCall(thread,frame,v,base+${a},${nargs});`
          + `if((w=v.proto.tier)&&vm.tierNest<${MAX_NEST}){u=thread.frames[thread.depth-1];`
          + `vm.tierNest++;w=w(vm,thread,u,stack,u.base,v.proto.constants,v.upvalues);vm.tierNest--;return w===0?1:w}return 1}`
          + `w=vm.tierCall(thread,base+${a},${nargs},-1);if(w!==0)return w;if(thread.hookMask!==0)return 1;count=vm.countdown+1;${mark('reload')}}`;
        break;
      }
      case Op.RETURN: {
        if (b === 0 || p.protos.length > 0) {
          // All values up to the top, or upvalues to close (they read the stack): at the exit.
          const n = b !== 0 ? `${b - 1}` : `thread.top-base-${a}`;
          body = `if((frame.flags|frame.cont)!==0)${bail}count--;status=3;from=base+${a};argCount=${n};break x;`;
          break;
        }
        // A fixed number of results and nothing to close: they go from the locals to where the
        // caller wants them, here (the registers need not go back to a stack the frame leaves).
        const n = b - 1;
        const results = Array.from({ length: n }, (_, j) => R(a + j));
        const exact = results.map((r, j) => `stack[ret+${j}]=${r};`).join('');
        const stored = results.map((r, j) => `stack[base+${a + j}]=${r};`).join('');
        body = `if((frame.flags|frame.cont)!==0)${bail}count--;vm.countdown=count;frame.pc=${pc};`
          + `{const ret=frame.ret,want=frame.nresults;if(want===${n}){${exact}}else if(want<0){${exact}thread.top=ret+${n}}`
          + `else{${stored}${copyWanted(`base+${a}`, `${n}`)}}}`
          + `thread.depth--;return ${RETURNED};`;
        break;
      }
      default:
        // Everything else (varargs, generic loops, tail calls, bitwise operations, powers...) is the loop's.
        body = bail;
        break;
    }
    out.push(`${body}count--;`);
  }
  // The countdown is checked where a straight run of instructions starts (at each entry): the
  // run goes on only if the countdown covers it to the next entry, so that no instruction in
  // between needs a check. Otherwise the VM takes its turn there (tierCount: the budget, the
  // step hook a little early, finalizers) and the loop enters the translation again at once; or,
  // when the run must stop inside the stretch (the budget ends there, a hook comes every few
  // instructions), the loop runs it. (Going on in place, in a loop around the switch, made V8
  // optimize the translations worse.)
  const starts = [...entries].filter((pc) => pc < code.length).sort((x, y) => x - y);
  const cases = out.map((line, pc) => {
    if (!entries.has(pc)) return line;
    const next = starts.find((e) => e > pc) ?? code.length;
    const need = next - pc;
    return `case ${pc}:if(count<${need}){pc=${pc};argCount=${need};status=${COUNT_OUT};break x}${line}`;
  });
  // Registers are locals: loaded from the stack on entry, stored back on every exit, so that
  // V8 can keep numbers unboxed in between. That costs each entry and exit in proportion to
  // their number: a function that names many (a main chunk of a hundred locals with a loop that
  // calls out) stays in the loop, which measured over three times faster there.
  if (named.size > MAX_REGISTERS) return null;
  const regs = [...named].sort((x, y) => x - y);
  const load = regs.length > 0 ? `let ${regs.map((r) => `r${r}=stack[base+${r}]`).join(',')};` : '';
  const storeAll = regs.map((r) => `stack[base+${r}]=r${r};`).join('');
  const reload = regs.map((r) => `r${r}=stack[base+${r}];`).join('');
  // Around a call, only what the callee or the collector can see goes to the stack: the
  // arguments, the registers a closure captures (open upvalues live in the stack, and the callee
  // may write them: reloaded after), and below the call every value that is not a number (the
  // collector marks the stack). Numbers below the call stay in locals: nothing reads them but
  // the debug library (then all are stored and reloaded), and when the call does not return here
  // (the frame waits in the loop) they are stored then. After the call, the results are reloaded.
  const captured = new Set<number>();
  for (const q of p.protos) for (const u of q.upvalues) if (u.inStack) captured.add(u.index);
  const aroundCall = (what: string, a: number, n: number): string => {
    const st = (r: number): string => `stack[base+${r}]=r${r};`;
    const ld = (r: number): string => `r${r}=stack[base+${r}];`;
    const below = regs.filter((r) => r < a);
    switch (what) {
      case 'store':
        // n is the CALL's B: B-1 arguments, or 0 for all up to the top.
        return below.map((r) => (captured.has(r) ? st(r) : `if(full||typeof r${r}!=='number')${st(r)}`)).join('')
          + regs.filter((r) => r >= a && (n === 0 || r < a + n)).map(st).join('');
      case 'load': {
        // n is the CALL's C: C-1 results, or 0 for all up to the top.
        const results = regs.filter((r) => r >= a && (n === 0 || r < a + n - 1)).map(ld).join('');
        const seen = below.filter((r) => captured.has(r)).map(ld).join('');
        return `if(full){${below.map(ld).join('')}}else{${seen}}${results}`;
      }
      case 'all': return storeAll;
      default: return reload;
    }
  };
  // A call that did not return here, or an error thrown by a callee and caught above this frame
  // (a pcall the callee made: the loop unwinds to it), leaves this frame waiting in the loop at
  // its next instruction: the numbers that were only in locals below the call go to the stack.
  // (Under the debug library everything was stored before the call, and the callee may have set
  // locals since.)
  const unwound = `if(!full){${regs.filter((r) => !captured.has(r)).map((r) => `if(callA>${r})stack[base+${r}]=r${r};`).join('')}}`;
  const placed = (text: string): string => text.replace(/\u0001(\w+) (\d+) (\d+)\u0001/g, (_, what: string, a: string, n: string) => aroundCall(what, Number(a), Number(n)));
  const close = p.protos.length > 0 ? 'vm.tierCloseUpvalues(thread,base);' : '';
  const body = `return function tier(vm,thread,frame,stack,base,k,upvals){\n`
    + `let count=vm.countdown,pc=frame.pc,status=0,callee,argCount=0,wanted=0,callAt=0,from=0,passTop=0,v,w,u,tf=0,full=vm.tierFullFrames,callA=0;\n${load}\n`
    + `try{\n`
    + `x:for(;;)switch(pc){\n${placed(cases.join('\n'))}\ncase ${code.length}:pc=${code.length};break x;\ndefault:break x;\n}\n`
    + `}catch(e){${unwound}throw e}\n`
    + `if(status===${LEFT}){${unwound}return argCount}\n`
    + `${storeAll}\nframe.pc=pc;vm.countdown=count;\n`
    + `if(status===0)return 0;\n`
    // The VM's turn, then the loop enters the translation again at pc (or runs the frame itself).
    + `if(status===${COUNT_OUT})return vm.tierCount(frame,argCount);\n`
    + `if(status===4){vm.tierAllocationPass(thread,passTop);return 0}\n`
    + `if(status===2){vm.tierPushLua(thread,callee,callAt,argCount,wanted);return 1}\n`
    // An ordinary return, as the loop's RETURN: the results where the caller wants them.
    + `${close}{const ret=frame.ret,want=frame.nresults;${copyResults('from', 'argCount')}}\n`
    + `thread.depth--;return ${RETURNED};\n};`;
  // The generated text is numbers and fixed code only (see the file comment).
  const names = Object.keys(HELPERS);
  const make = new Function(...names, body) as (...helpers: unknown[]) => TierFunction;
  return make(...names.map((name) => HELPERS[name as keyof typeof HELPERS]));
}
