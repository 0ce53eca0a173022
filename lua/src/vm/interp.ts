// The Lua 5.3 virtual machine: runs PUC-format bytecode (proto.ts) with Lua's semantics.
//
// Design:
// - One frame stack per thread (coroutine), frames for Lua functions AND for natives, as PUC's
//   CallInfo list. Lua-to-Lua calls, metamethods called by instructions, pcall/xpcall and
//   coroutine switches never recurse in JavaScript: they push a frame and the dispatch loop goes on.
//   Deep recursion ends in Lua's own "stack overflow" (1,000,000 stack slots per thread, as
//   LUAI_MAXSTACK), and metamethod chains in "C stack overflow" (200 levels, as LUAI_MAXCCALLS).
// - Natives are `(args) => results`. They may return a Request instead (value.ts): the loop then
//   carries it out (pcall, resume, yield) or leaves the loop (`await`: suspension until a host
//   promise settles). A native frame waiting on a request holds a continuation (`cont`) that
//   finishes it when its callee returns (pcall prepends `true`, a resume delivers the values).
// - A native that calls back into Lua either returns a `call` request with a continuation (gsub):
//   the callee runs in this loop (it can be stepped and may wait on host calls), and the
//   continuation gets its results; or uses `vm.call`, a nested loop (sort comparators, `__tostring`
//   from tostring), inside which a host call cannot suspend. Either way, like PUC's C boundary, a
//   coroutine cannot yield across it ("attempt to yield across a C-call boundary").
// - A library call whose work can be long (a pattern match, a sort, a concat) is resumable: it
//   returns a `steps` request whose stepper does a bounded slice at a time. Between slices the
//   loop gives the step hook its turn as between instructions, so a sandbox can check its clock and
//   give the event loop a turn in the middle of one call (pause and resume with the next slice).
// - Budget and hooks share one mechanism: a countdown kept in a local variable of the loop. When
//   it runs out, `onCount` charges the budget (raising a `budget` error, which pcall cannot catch),
//   calls the step hook (which may pause: the same suspension as `await`), and refills it.
// - Errors are JS exceptions (LuaError) caught by `execute`, which unwinds frames to the nearest
//   pcall frame (or ends a coroutine), exactly where PUC would longjmp.

import {
  LFloat, LuaInteger, LuaNumber, floatIdiv, floatMod, floatOperand, floatPow, float, intAdd, intAnd, intIdiv, intMod, intMul, intNeg, intNot, intOr,
  intShl, intShr, intSub, intXor, numLe, numLt, numberToString, stringToNumber, toFloatValue, toInteger, isInteger,
} from './number';
import { Op, OP_INFO, Proto, FIELDS_PER_FLUSH } from './proto';
import { LuaTable } from './table';
import {
  Continuation, type ErrorKind, LuaClosure, LuaError, LuaFunction, LuaValue, NativeFunction, NOT_FAST, ObjectIds, Request, Stepper, Upvalue, Userdata, isFalsy, rawToString,
  typeName,
} from './value';
import { META_EVENT, ObjName, calledName, chunkId, localName, objName, upvalueName } from './debuginfo';
import { Collector } from './gc';
import { BAIL, MAX_NEST as MAX_TIER_NEST, RETURNED, STOPPED, SUSPENDED, TIER_AT, translate, type TierHost } from './tier';
import { LONG_STRING, SIZE, growth } from './heap';

export { chunkId, localName };

/** Lua's LUAI_MAXCCALLS: nesting of native → Lua calls, metamethods and resumes. */
export const MAX_C_CALLS = 200;

/** Stack slots per thread before "stack overflow" (LUAI_MAXSTACK). */
export const MAX_STACK = 1000000;
/** Free slots kept above a frame (room for a metamethod call: function and three arguments). */
const EXTRA_STACK = 8;
/** Steps of an `__index`/`__newindex` chain before giving up (MAXTAGLOOP). */
const MAX_TAG_LOOP = 2000;
/** Steps of such a chain that cost nothing beyond their instruction (ordinary inheritance). */
const CHAIN_FREE = 8;
/** Instructions between two calls of onCount when nothing asked for fewer. */
const MAX_WINDOW = 0x3fffffff;

// Frame flags.
/** Pushed by a JS entry (call/start): when it returns, that run of the loop ends. */
const F_ENTRY = 1;
/** Its caller is a native frame waiting on a request (pcall, resume): returns take the slow path. */
const F_CONT = 2;
/** Counts as a C call (C stack overflow): a metamethod called by an instruction, a pcall. */
const F_META = 4;
/** A native frame waiting on its `call` request: it holds one C call and one non-yieldable level. */
const F_CALLING = 8;
/** Debug hooks: a Lua frame entered while its thread had a hook; its first instruction reports `call`. */
const F_HOOKCALL = 16;
/** Debug hooks: the frame reports `return` (and resets the line hook's last pc) when it returns. */
const F_HOOKRET = 32;
/** Debug hooks: the frame is running a hook; the function it called is named `hook '?'`. */
const F_HOOKED = 64;

/** Debug hook masks (lua_sethook's LUA_MASKCALL...). */
export const MASK_CALL = 1;
export const MASK_RET = 2;
export const MASK_LINE = 4;
export const MASK_COUNT = 8;

// Continuations: what finishes a frame's caller when the frame returns (meta frames), or what a
// native frame is waiting for.
const C_NONE = 0;
/** Meta frame of EQ/LT/LE: the result decides the jump. contData 1: negate (`a <= b` as `not b < a`). */
const C_COMPARE = 1;
/** Meta frame of CONCAT: goes on concatenating; contData is the stack index of the pair's left. */
const C_CONCAT = 2;
/** Native frames waiting on a request. */
const C_PCALL = 3;
const C_XPCALL = 4;
const C_RESUME = 5;
const C_WRAP = 6;
const C_YIELD = 7;
const C_AWAIT = 8;
/** Native frame of a `call` request: its continuation (`then`) gets the callee's results. */
const C_THEN = 9;
/** Native frame of a `steps` request: its stepper does the next slice of its work. */
const C_STEPS = 10;

// Results of the call machinery.
/** The call finished; the calling frame goes on at the same place. */
const SAME = 0;
/** The frames changed (a frame was pushed, a thread switched): the loop reloads its state. */
const RELOAD = 1;
/** The entry frame of this run returned: the run ends. */
const STOP = 2;
/** The VM suspends (await or pause): the run ends and keeps its state. */
const SUSPEND = 3;

const PENDING: unique symbol = Symbol('pending metamethod call');
type Pending = typeof PENDING;

export class CallFrame {
  /** The Lua function of a Lua frame (undefined for a native frame). */
  closure: LuaClosure | undefined = undefined;
  /** The native function of a native frame. */
  native: NativeFunction | undefined = undefined;
  /** Stack index of the called function. */
  func = 0;
  /** Stack index of register 0 (Lua) or of the first argument (native). */
  base = 0;
  /** First stack index above the frame (Lua: base + maxStackSize). */
  top = 0;
  /** Lua frames: index of the next instruction. */
  pc = 0;
  /** Stack index where the results go. */
  ret = 0;
  /** Results wanted (-1: all, setting the thread's top). */
  nresults = 0;
  flags = 0;
  cont = C_NONE;
  contData = 0;
  /** Vararg functions: where the extra arguments are (below base, as PUC keeps them) and how many. */
  varargBase = 0;
  nvarargs = 0;
  /** Message handler of an xpcall frame. */
  handler: LuaValue = undefined;
  /** Continuation of a native frame waiting on a `call` request. */
  then: Continuation | undefined = undefined;
  /** The slices of a native frame's `steps` request. */
  stepper: Stepper | undefined = undefined;
  /** Reached by a tail call (tracebacks show "(...tail calls...)"). */
  tail = false;
}

const NO_VALUES: LuaValue[] = [];

export type CoroutineStatus = 'suspended' | 'running' | 'normal' | 'dead';

export class Coroutine {
  readonly kind = 'thread' as const;
  /** The collector's mark: the number of the last pass that reached it (gc.ts). */
  gcMark = 0;

  stack: LuaValue[] = [];
  /** Frame objects, reused; the first `depth` are live. */
  frames: CallFrame[] = [];
  depth = 0;
  /** First free slot after a multiple-result operation (CALL/VARARG with C/B = 0). */
  top = 0;
  status: CoroutineStatus = 'suspended';
  /** Open upvalues, sorted by stack index. */
  openUpvalues: Upvalue[] = [];
  /** The thread that resumed this one. */
  resumer: Coroutine | undefined = undefined;
  /** Nested JS runs (vm.call) active in this thread: it cannot yield while there are any. */
  nny = 0;
  /** C-call depth (metamethod frames and nested runs), for "C stack overflow". */
  cCalls = 0;
  /** How many resumes deep this thread runs (resume chains are C calls in PUC). */
  resumeLevel = 0;
  started = false;
  // The debug library's hook (debug.sethook), per thread as in Lua 5.3. It is apart from the
  // VM's step hook (setHook), which the limits of a sandbox use: no debug hook can remove those.
  /** The Lua function called on hook events (undefined: none). */
  hook: LuaValue = undefined;
  /** MASK_CALL | MASK_RET | MASK_LINE | MASK_COUNT; 0 when there is no hook. */
  hookMask = 0;
  /** Instructions between two `count` events, and how many are left before the next one. */
  hookCount = 0;
  hookCountLeft = 0;
  /** The pc of the last instruction seen by the line hook in the running function (PUC's oldpc). */
  hookOldPc = 0;
  /** False while a hook runs in this thread: hooks do not call hooks. */
  allowHook = true;
  constructor(readonly fn: LuaFunction | undefined) {
    growth.bytes += SIZE.thread;
    growStack(this.stack, 64);
  }
}

/** The outcome of `start`/`resume`: finished, or suspended (host promise, or paused by the hook). */
export type RunOutcome =
  | { status: 'done'; values: LuaValue[] }
  | { status: 'suspended'; reason: 'await'; promise: Promise<LuaValue[]> }
  | { status: 'suspended'; reason: 'pause' };

/** What `resume` continues with after an `await`: the host call's results, or its failure. */
export type ResumeInput = { values: LuaValue[] } | { error: unknown } | undefined;

/**
 * Called before instructions when set (every `hookEvery` instructions; 1 for stepping), and
 * between two slices of a resumable native (a `steps` request; `frame` is then the native's) once
 * the work it charged is worth as many instructions. Returns true to pause: the run suspends
 * before that instruction or slice (only possible when `canPause`, i.e. the run was started with
 * `start` and no native is in the middle of calling Lua). It may throw a LuaError (kind `budget`
 * for a time limit, say).
 */
export type StepHook = (vm: VM, frame: CallFrame, canPause: boolean) => boolean | void;

/** A frame of the call stack as plain data, for debuggers and tracebacks. */
export interface FrameInfo {
  kind: 'lua' | 'native';
  /** The function running in the frame. */
  fn: LuaFunction;
  /** How the caller named it (`global 'f'`, `method 'm'`...), when known. */
  name: ObjName | undefined;
  /** Chunk name (`@file.lua`), `=[C]` for natives. */
  source: string;
  /** Source line being executed (-1 for natives). */
  line: number;
  /** Index of the instruction being executed (-1 for natives). */
  pc: number;
  lineDefined: number;
  tailCall: boolean;
  /** Active locals at pc, in register order. */
  locals: { name: string; register: number; value: LuaValue }[];
  varargs: LuaValue[];
  upvalues: { name: string; value: LuaValue }[];
  /** The frame's registers (Lua) or arguments (native), copied. */
  registers: LuaValue[];
}

export interface Metatables {
  string: LuaTable | undefined;
  number: LuaTable | undefined;
  boolean: LuaTable | undefined;
  nil: LuaTable | undefined;
  function: LuaTable | undefined;
  thread: LuaTable | undefined;
}

export class VM {
  readonly main = new Coroutine(undefined);
  current: Coroutine;
  /** Metatables of the types other than table and userdata (`debug.setmetatable`, the string library). */
  typeMetatables: Metatables = { string: undefined, number: undefined, boolean: undefined, nil: undefined, function: undefined, thread: undefined };
  /**
   * The table of loaded modules (PUC's registry._LOADED, which `package.loaded` is): `_G` and the
   * opened libraries, then what `require` loads. Functions' global names in messages are found here.
   */
  loaded = new LuaTable();
  /** The base library's `next` (the generic for calls it inline). */
  builtinNext: NativeFunction | undefined;
  /** The iterator `ipairs` returns (the second tier steps it inline over plain tables). */
  builtinIpairsStep: NativeFunction | undefined;
  /** The registry (`debug.getregistry`), once made (see LuaState.registry). */
  registry: LuaTable | undefined = undefined;
  /** Frames a thread (with the threads that resumed it) may hold before a `stack` error. */
  maxCallDepth = Infinity;
  /**
   * Entries and backward jumps of a function before it runs translated (tier.ts); 0: never. The
   * SANDLUA_TIER variable sets the default (`off`, `eager`, or a number), for the tests of both tiers.
   */
  tierAt = TIER_AT;
  /**
   * Kinds of error no pcall, xpcall or coroutine.resume catches: they unwind the whole run. Lua's
   * own are the instruction budget and os.exit; a sandbox adds its limits (`stack`, `memory`), so
   * that a script cannot catch a limit and go on.
   */
  uncatchable: ReadonlySet<ErrorKind> = new Set<ErrorKind>(['budget', 'exit']);

  /** Called with an error that no pcall catches, before the stack unwinds (debuggers). */
  onUncaught: ((error: LuaError, thread: Coroutine) => void) | undefined = undefined;

  /**
   * Each prototype's last closure, for OP_CLOSURE's reuse (5.3's cache): per VM, and weak, so that
   * it dies with the prototype or the VM.
   */
  readonly closures = new WeakMap<Proto, LuaClosure>();
  /** Addresses for `tostring` (`table: 0x…`): per state, numbered in the order first shown. */
  readonly ids = new ObjectIds();

  /** Nested runs started by natives calling back into Lua (JS recursion). */
  nativeDepth = 0;

  /** What scripts observe of garbage collection (gc.ts): weak tables, finalizers, the count. */
  readonly gc = new Collector(this);
  /** Bytes of tables, closures and strings made since the collector's last pass (an estimate). */
  allocated = 0;
  /**
   * Bytes natives hold outside any Lua object while they work (a `load` reader's text gathered
   * so far): what a host's memory measure adds to the heap it walks.
   */
  heldOutside = 0;
  /**
   * When `allocated` reaches it, the instruction that allocated calls the collector (as PUC's
   * luaC_checkGC): set by the collector once armed, Infinity before, so it costs nothing then.
   */
  gcThreshold = Infinity;
  /** Weak tables or finalizers exist (see armCollector). */
  private gcArmed = false;

  // Countdown (see onCount). `countdown` is the loop's local while it runs.
  private countdown = MAX_WINDOW;
  private window = MAX_WINDOW;
  private counted = 0;
  private budget = Infinity;
  private hook: StepHook | undefined = undefined;
  private hookEvery = 0;
  /**
   * The most the step hook's interval is inside Lua a native called (a sort comparator, a
   * finalizer, an xpcall handler), where the run cannot pause (see setHookPace).
   */
  private hookEveryNested = Infinity;
  /** Instructions left before the step hook is due. */
  private hookLeft = 0;
  private skipHookOnce = false;
  /** The hook asked to pause where the run could not (see stepOn). */
  private hookRefused = false;
  /**
   * The step hook asked to pause inside a Lua function a native called (a sort comparator, an
   * `__index` a table function read through): a resumable native ends its slice at its next
   * element, so that the pause comes there rather than after a whole slice of such calls.
   */
  get pauseWanted(): boolean {
    return this.hookRefused;
  }

  /** Whether a native called now may suspend the run with an `await` request (see request). */
  get canSuspend(): boolean {
    return this.driven && this.nativeDepth === 0;
  }

  // The top-level run started by `start` (the only one that can suspend).
  private driven = false;
  private runThread: Coroutine | undefined;
  private runDepth = 0;
  private runFunc = 0;
  private pendingPromise: Promise<LuaValue[]> | undefined;
  private paused = false;

  // A metamethod call found by an operation that returned PENDING.
  private mmFn: LuaValue = undefined;
  private mmA: LuaValue = undefined;
  private mmB: LuaValue = undefined;
  private mmC: LuaValue = undefined;
  private mmN = 0;

  constructor() {
    this.main.status = 'running';
    this.main.started = true;
    this.current = this.main;
  }

  // ---- budget and hooks ---------------------------------------------------------------------

  /** Limits the instructions the VM may still run (undefined: unlimited); then a `budget` error. */
  setBudget(instructions: number | undefined): void {
    this.syncCount();
    this.budget = instructions === undefined ? Infinity : Math.max(0, instructions);
    this.refill();
  }

  /** Instructions executed so far (all threads, all runs). */
  get instructions(): number {
    return this.counted + (this.window - this.countdown);
  }

  /**
   * Charges `n` instructions' worth of work done inside a library function (pattern matching,
   * `string.rep`, `table.sort`...) to the budget; raises the `budget` error when it runs out.
   */
  charge(n: number): void {
    if (n <= 0) return;
    this.syncCount();
    this.counted += n;
    // The work counts towards the hook's next call too: a host that reads its clock there (the
    // sandbox) sees it after as much work as the hook's instructions, not as many instructions.
    this.hookLeft -= n;
    if (this.budget !== Infinity) {
      this.budget -= n;
      if (this.budget <= 0) {
        this.budget = 0;
        this.refill();
        // Charged by a native (its caller's position), or by an instruction (its own).
        const top = this.current.frames[this.current.depth - 1];
        const e = new LuaError((top !== undefined && top.closure !== undefined ? this.where(top) : this.nativeWhere()) + 'instruction budget exhausted');
        e.kind = 'budget';
        throw e;
      }
    }
    // The window shortens to what is left of the budget and of the hook's interval.
    let left = this.countdown;
    if (this.budget < left) left = this.budget;
    if (this.hook !== undefined && this.hookLeft < left) left = Math.max(0, this.hookLeft);
    if (left < this.countdown) this.window = this.countdown = left;
  }

  /** What is left of the instruction budget (Infinity without one). Safe to call from natives. */
  get budgetLeft(): number {
    this.syncCount();
    return this.budget;
  }

  /**
   * Ends the run at the next budget check (within the hook window): from then on every check
   * raises `budget`, so a script cannot catch its way past a limit. Safe to call from natives.
   */
  exhaustBudget(): void {
    this.budget = 0;
  }

  /**
   * The step hook is called before the next instruction (a host that wants the run paused soon:
   * the sandbox's memory measure in slices). Safe to call from an instruction or a native.
   */
  hookSoon(): void {
    if (this.hook === undefined) return;
    this.syncCount();
    this.hookLeft = 0;
    this.refill();
  }

  /**
   * Sets (or clears) the step hook, called every `every` instructions (1: each one). With
   * `fromNext`, the next instruction already calls it (a debugger stepping from a pause).
   */
  setHook(hook: StepHook | undefined, every = 1, fromNext = false): void {
    this.syncCount();
    this.hook = hook;
    this.hookEvery = hook === undefined ? 0 : Math.max(1, Math.floor(every));
    this.hookEveryNested = Infinity;
    this.hookLeft = fromNext ? 0 : this.hookInterval();
    this.refill();
  }

  /**
   * The step hook's interval from its next call on (called by the hook itself, as a sandbox
   * stretches its checks while they come quickly), and the most it is inside Lua a native
   * called: there the run cannot pause, and the hook is what keeps the time it holds the thread
   * short (its code may be far slower per instruction than the code the interval was set on).
   */
  setHookPace(every: number, nested: number): void {
    this.hookEvery = Math.max(1, Math.floor(every));
    this.hookEveryNested = Math.max(1, Math.floor(nested));
  }

  private hookInterval(): number {
    return this.nativeDepth > 0 && this.hookEveryNested < this.hookEvery ? this.hookEveryNested : this.hookEvery;
  }

  /**
   * Sets the debug library's hook of `thread` (lua_sethook): `fn` is called with the event name
   * (and the line for `line` events) on the events of `mask`, `count` instructions apart for
   * `count` events. A mask of 0 removes it.
   */
  setDebugHook(thread: Coroutine, fn: LuaValue, mask: number, count: number): void {
    if (fn === undefined || mask === 0) {
      fn = undefined;
      mask = 0;
    }
    thread.hook = fn;
    thread.hookMask = mask;
    thread.hookCount = count;
    thread.hookCountLeft = count;
    if (thread === this.current) this.hookNextInstruction();
  }

  /** The next instruction goes through onCount (where debug hooks are decided) when the thread is hooked. */
  private hookNextInstruction(): void {
    this.syncCount();
    this.refill();
    if (this.current.hookMask !== 0) this.window = this.countdown = 0;
  }

  /** Folds the instructions of the current window into `counted` and the budget. */
  /**
   * An instruction worked on a long string (compared it, built it): work in proportion to its
   * length is charged. Takes and returns the loop's countdown (`count`).
   */
  private chargeLong(count: number, length: number): number {
    this.countdown = count;
    this.charge(length >>> 10);
    return this.countdown;
  }

  /**
   * Arithmetic on long numerals (`s + 0`): converting them is work in proportion to their length
   * (a step per 64 bytes), charged before it is done. Takes and returns the loop's countdown.
   */
  private chargeNumerals(count: number, x: LuaValue, y: LuaValue): number {
    let n = 0;
    if (typeof x === 'string' && x.length > LONG_STRING) n += x.length >>> 6;
    if (typeof y === 'string' && y !== x && y.length > LONG_STRING) n += y.length >>> 6;
    return n === 0 ? count : this.chargeLong(count, n * 1024);
  }

  private syncCount(): void {
    const used = this.window - this.countdown;
    this.counted += used;
    if (this.budget !== Infinity) this.budget -= used;
    this.hookLeft -= used;
    this.window = this.countdown;
  }

  private refill(): void {
    // Paused before an instruction by the step hook: it goes through onCount again when the run
    // resumes (its debug hook events, the step hook skipped once), whatever set the hook or the
    // budget meanwhile (the sandbox sets its pace before each resumption).
    if (this.skipHookOnce) {
      this.window = this.countdown = 0;
      return;
    }
    let n = MAX_WINDOW;
    if (this.budget < n) n = this.budget;
    if (this.hook !== undefined && this.hookLeft < n) n = Math.max(0, this.hookLeft);
    // A thread with a debug hook sees every instruction (its events are decided one by one).
    if (this.current.hookMask !== 0 && n > 1) n = 1;
    this.window = n;
    this.countdown = n;
  }

  /** The running thread is now `thread` (a resume, a yield, a coroutine's end). */
  private switchTo(thread: Coroutine): void {
    this.current = thread;
    thread.status = 'running';
    if (thread.hookMask !== 0) this.hookNextInstruction();
  }

  /**
   * The loop's countdown ran out before an instruction of `frame` (frame.pc is that instruction):
   * charges the budget, runs the hook, and returns the new countdown, or -1 to pause.
   */
  private onCount(frame: CallFrame): number {
    // The window was used up (countdown is -1: the instruction about to run is not yet counted).
    this.counted += this.window;
    if (this.budget !== Infinity) this.budget -= this.window;
    this.hookLeft -= this.window;
    this.window = 0;
    this.countdown = 0;
    if (this.budget <= 0) throw this.budgetError(frame);
    // The step hook paused the run before this instruction: not asked again for it.
    const paused = this.skipHookOnce;
    this.skipHookOnce = false;
    if (this.hook !== undefined && this.hookLeft <= 0) {
      if (!paused) {
        const canPause = this.driven && this.nativeDepth === 0;
        if (canPause) this.hookRefused = false;
        if (this.hook(this, frame, canPause) === true) {
          if (canPause) {
            // hookLeft stays due: when the run resumes, this instruction comes back here and goes on.
            this.skipHookOnce = true;
            return -1;
          }
          // Inside a callback from a native (a sort comparator, an xpcall handler): the native's
          // next slice asks again, or the loop once the callback has returned (`call`).
          this.hookRefused = true;
        }
      }
      this.hookLeft = this.hookInterval();
    }
    const thread = this.current;
    if (thread.hookMask !== 0 && !isTestJump(frame)) {
      if (thread.allowHook) {
        // The debug hook runs nested, counted and checked like any code: fold what it used.
        this.traceExec(thread, frame);
        this.syncCount();
        if (this.budget <= 0) throw this.budgetError(frame);
        if (this.hookLeft <= 0) this.hookLeft = 1;
      } else if ((thread.hookMask & MASK_COUNT) && --thread.hookCountLeft <= 0) {
        // A hook's own instructions count towards the next `count` event (as in PUC).
        thread.hookCountLeft = thread.hookCount;
      }
    }
    this.refill();
    // Between two instructions: finalizers a pass of the host's (the sandbox's memory pass) left
    // waiting. They run Lua in a nested loop; the window is then counted and started afresh.
    if (this.gcArmed && this.gc.pending) {
      this.gc.runFinalizers(true, true);
      this.syncCount();
      if (this.budget <= 0) throw this.budgetError(frame);
      // The finalizers' instructions used up the step hook's window too: this instruction still
      // runs now (it was announced), the hook comes again after it.
      if (this.hookLeft <= 0) this.hookLeft = 1;
      this.refill();
    }
    // This instruction is the first of the new window.
    return --this.countdown;
  }

  private budgetError(frame: CallFrame): LuaError {
    this.budget = 0;
    const e = new LuaError(this.where(frame) + 'instruction budget exhausted');
    e.kind = 'budget';
    return e;
  }

  /**
   * The debug hook's events before the instruction at frame.pc (luaG_traceexec): `call` or `tail
   * call` at a function's first instruction, `count`, and `line` when the instruction starts a
   * new line, jumps back, or is the first of the function. A RETURN is marked to report `return`.
   */
  private traceExec(thread: Coroutine, frame: CallFrame): void {
    const pc = frame.pc;
    const proto = frame.closure!.proto;
    if (frame.flags & F_HOOKCALL) {
      frame.flags &= ~F_HOOKCALL;
      if (thread.hookMask & MASK_CALL) this.lineHook(thread, frame, frame.tail ? 'tail call' : 'call', undefined);
    }
    if ((thread.hookMask & MASK_COUNT) && --thread.hookCountLeft <= 0) {
      thread.hookCountLeft = thread.hookCount;
      this.lineHook(thread, frame, 'count', undefined);
    }
    const mask = thread.hookMask;
    if (mask & MASK_LINE) {
      const line = proto.lineInfo[pc];
      const old = thread.hookOldPc;
      if (pc === 0 || pc <= old || line !== proto.lineInfo[old]) this.lineHook(thread, frame, 'line', line);
      thread.hookOldPc = pc;
    }
    if ((mask & (MASK_RET | MASK_LINE)) && (proto.code[pc] & 0x3f) === Op.RETURN) frame.flags |= F_HOOKRET;
  }

  /** A hook event before an instruction: during the hook, the frame is inside that instruction. */
  private lineHook(thread: Coroutine, frame: CallFrame, event: string, line: number | undefined): void {
    const pc = frame.pc;
    // The stack top as PUC has it here: the frame's top, or the end of the values a multiple-
    // result CALL or VARARG just left for this instruction.
    const prev = pc > 0 ? frame.closure!.proto.code[pc - 1] : 0;
    const op = prev & 0x3f;
    const multret = pc > 0 && ((op === Op.CALL && ((prev >>> 14) & 0x1ff) === 0) || (op === Op.VARARG && ((prev >>> 23) & 0x1ff) === 0));
    frame.pc = pc + 1;
    this.callDebugHook(thread, frame, event, line, multret ? thread.top : frame.top);
    frame.pc = pc;
  }

  /**
   * Calls the debug hook of `thread` for `event` (luaD_hook): `frame` is its top frame, and `free`
   * the first slot it does not use (above its live values and results in flight), where the
   * hook's own frames go. The hook runs as a nested call (no yield across it), with the thread's
   * hooks off.
   */
  private callDebugHook(thread: Coroutine, frame: CallFrame, event: string, line: number | undefined, free: number): void {
    const hook = thread.hook;
    if (hook === undefined || !thread.allowHook) return;
    const savedTop = thread.top;
    const frameTop = frame.top;
    // One slot more, empty: PUC's hook keeps its hook table there (a `(*temporary)` of the frame).
    this.ensureStack(thread, free + 1 + EXTRA_STACK);
    thread.stack[free] = undefined;
    frame.top = free + 1;
    thread.allowHook = false;
    frame.flags |= F_HOOKED;
    try {
      this.call(hook, [event, line]);
    } finally {
      thread.allowHook = true;
      frame.flags &= ~F_HOOKED;
      frame.top = frameTop;
      thread.top = savedTop;
    }
    // The hook's own run left the countdown anywhere: the next instruction is decided again.
    this.hookNextInstruction();
  }

  /** A frame flagged F_HOOKRET returns (its results end at `free`): the `return` event, before it is popped. */
  private hookReturn(thread: Coroutine, frame: CallFrame, free: number): void {
    frame.flags &= ~F_HOOKRET;
    if (thread.hookMask & MASK_RET) this.callDebugHook(thread, frame, 'return', undefined, free);
  }

  /** After a return to the frame at `index` (a Lua frame goes on after its call instruction). */
  private hookReturned(thread: Coroutine, index: number): void {
    const caller = thread.frames[index];
    if (caller !== undefined && caller.closure !== undefined) thread.hookOldPc = caller.pc - 1;
  }

  /**
   * From the first weak table or finalizer on (the collector calls it), allocations lead to
   * passes and onCount runs waiting finalizers; before that, the collector costs scripts nothing.
   */
  armCollector(): void {
    this.gcArmed = true;
  }

  /**
   * Calls a `__gc` finalizer (between instructions: see callAside). As in PUC 5.3, which marks
   * the running call (CIST_FIN) when a collection calls a finalizer, the frame the finalizer
   * interrupted is named `metamethod '__gc'` while it runs (`debug.getinfo(2)` in a finalizer).
   */
  callFinalizer(fn: LuaValue, object: LuaValue, betweenInstructions: boolean): void {
    const thread = this.current;
    this.finalizerFrames.push(thread, thread.depth - 1);
    try {
      if (betweenInstructions) this.callAside(fn, [object]);
      else this.call(fn, [object]);
    } finally {
      this.finalizerFrames.length -= 2;
    }
  }

  /** Where finalizers run: pairs of a thread and the index of the frame each interrupted. */
  private readonly finalizerFrames: (Coroutine | number)[] = [];

  /** Values the VM itself holds for an operation in progress (a metamethod's operands): roots of the collector. */
  heldValues(): LuaValue[] {
    return [this.mmFn, this.mmA, this.mmB, this.mmC];
  }

  /**
   * Calls `fn` between two instructions (a finalizer from onCount): above every live slot — a
   * multiple-result call may have left values above the frame for the next instruction — and
   * leaving the thread's top as it was.
   */
  callAside(fn: LuaValue, args: LuaValue[]): void {
    const thread = this.current;
    const frame = thread.depth > 0 ? thread.frames[thread.depth - 1] : undefined;
    const top = thread.top;
    const frameTop = frame === undefined ? 0 : frame.top;
    if (frame !== undefined && top > frameTop) frame.top = top;
    try {
      this.call(fn, args);
    } finally {
      if (frame !== undefined) frame.top = frameTop;
      thread.top = top;
    }
  }

  // ---- calls from JavaScript ----------------------------------------------------------------

  /**
   * Calls a Lua value with arguments and returns all its results. Re-entrant: natives use it to
   * call back into Lua. A Lua error comes out as a LuaError; requests to suspend are refused.
   */
  call(fn: LuaValue, args: LuaValue[]): LuaValue[] {
    const thread = this.current;
    if (this.nativeDepth >= MAX_C_CALLS || thread.cCalls >= MAX_C_CALLS) throw this.stackError('C stack overflow');
    const func = this.freeSlot(thread);
    const stack = thread.stack;
    const n = args.length;
    this.ensureStack(thread, func + n + 1 + EXTRA_STACK);
    stack[func] = fn;
    for (let i = 0; i < n; i++) stack[func + 1 + i] = args[i];
    const depth = thread.depth;
    this.enterCall(thread);
    try {
      const status = this.runFrom(thread, depth, func, n);
      if (status === SUSPEND) throw new Error('internal: a nested call suspended');
      const results = stack.slice(func, thread.top);
      for (let i = func; i < thread.top; i++) stack[i] = undefined;
      thread.top = func;
      return results;
    } finally {
      this.leaveCall(thread);
    }
  }

  /**
   * A native's fast form for `nargs` (1 or 2) arguments (NativeFunction.unary, .binary): its one
   * result without a frame or argument and result arrays; NOT_FAST when it has none or declines.
   * Not under a debug hook (which sees the call) nor at the depth limit (which the call would hit).
   */
  private fastCall(thread: Coroutine, fn: NativeFunction, nargs: number, x: LuaValue, y: LuaValue): LuaValue | typeof NOT_FAST {
    if (thread.hookMask !== 0 || thread.depth >= this.maxCallDepth) return NOT_FAST;
    if (nargs === 1) return fn.unary !== undefined ? fn.unary(x) : NOT_FAST;
    if (nargs === 2) return fn.binary !== undefined ? fn.binary(x, y) : NOT_FAST;
    return NOT_FAST;
  }

  /** The start of a call from a native (call, call2): the step hook comes within its nested interval inside it (setHookPace). */
  private enterCall(thread: Coroutine): void {
    thread.nny++;
    thread.cCalls++;
    this.nativeDepth++;
    if (this.hookEveryNested < this.hookEvery) {
      this.syncCount();
      if (this.hookLeft > this.hookEveryNested) {
        this.hookLeft = this.hookEveryNested;
        this.refill();
      }
    }
  }

  /** The end of a call from a native (call, call2), however it ended. */
  private leaveCall(thread: Coroutine): void {
    this.nativeDepth--;
    thread.cCalls--;
    thread.nny--;
    // The step hook wanted a pause inside this call (an xpcall handler's work): it is asked
    // again at the next instruction where the run can pause, not a whole interval later.
    if (this.hookRefused && this.nativeDepth === 0 && this.hook !== undefined) {
      this.syncCount();
      this.hookLeft = 0;
      this.refill();
    }
  }

  /**
   * `call(fn, [x, y])[0]` for a native that calls a Lua function many times (table.sort's
   * comparator): a function with a translation (tier.ts) is entered directly, as a translated
   * caller enters it, without the argument and result arrays or a pass through the dispatch
   * loop; when it stops anywhere but its return, the loop runs the frame on from there.
   */
  call2(fn: LuaValue, x: LuaValue, y: LuaValue): LuaValue {
    const thread = this.current;
    const tier = fn instanceof LuaClosure ? fn.proto.tier : undefined;
    if (tier === undefined || tier === null || thread.hookMask !== 0 || this.tierNest >= MAX_TIER_NEST
      || this.nativeDepth >= MAX_C_CALLS || thread.cCalls >= MAX_C_CALLS) return this.call(fn, [x, y])[0];
    const closure = fn as LuaClosure;
    const func = this.freeSlot(thread);
    const stack = thread.stack;
    this.ensureStack(thread, func + 3 + EXTRA_STACK);
    stack[func] = fn;
    stack[func + 1] = x;
    stack[func + 2] = y;
    const depth = thread.depth;
    this.enterCall(thread);
    try {
      let status: number;
      try {
        const frame = this.tierEnter(thread, closure, func, 2, 1);
        this.tierNest++;
        try {
          status = tier(this as unknown as TierHost, thread, frame, stack, frame.base, closure.proto.constants as LuaValue[], closure.upvalues);
        } finally {
          this.tierNest--;
        }
        if (status !== RETURNED) {
          // The frame is the loop's from here: it ends the run of the loop when it returns.
          thread.frames[depth].flags |= F_ENTRY;
          status = status === SUSPENDED ? SUSPEND : status === STOPPED ? STOP : this.execute(thread, depth);
        }
      } catch (e) {
        if (thread.depth > depth) thread.frames[depth].flags |= F_ENTRY;
        status = this.handleError(e, thread, depth);
        if (status !== STOP && status !== SUSPEND) status = this.execute(thread, depth);
      }
      if (status === SUSPEND) throw new Error('internal: a nested call suspended');
      const result = stack[func];
      // The function and its arguments, and what the call left above them (top is not set for a fixed result count).
      for (let i = func, end = Math.max(thread.top, func + 3); i < end; i++) stack[i] = undefined;
      thread.top = func;
      return result;
    } finally {
      this.leaveCall(thread);
    }
  }

  /**
   * Starts a top-level run that may suspend: a native returning `Request('await')` (a host call)
   * or the step hook pausing. Returns the results, or the suspension; `resume` continues it.
   * Throws a LuaError (with a traceback) when the run fails.
   */
  start(fn: LuaValue, args: LuaValue[] = []): RunOutcome {
    if (this.runThread !== undefined || this.nativeDepth > 0) throw new Error('VM.start: the VM is already running');
    const thread = this.current;
    const func = this.freeSlot(thread);
    const n = args.length;
    this.ensureStack(thread, func + n + 1 + EXTRA_STACK);
    thread.stack[func] = fn;
    for (let i = 0; i < n; i++) thread.stack[func + 1 + i] = args[i];
    this.runThread = thread;
    this.runDepth = thread.depth;
    this.runFunc = func;
    this.driven = true;
    return this.outcome(() => this.runFrom(thread, this.runDepth, func, n));
  }

  /** Whether a `start`ed run is suspended and waiting for `resume`. */
  get suspended(): boolean {
    return this.pendingPromise !== undefined || this.paused;
  }

  /** Continues a suspended run: with the host call's results or failure, or after a pause. */
  resume(input?: ResumeInput): RunOutcome {
    const entry = this.runThread;
    if (entry === undefined || !this.suspended) throw new Error('VM.resume: nothing is suspended');
    const wasAwait = this.pendingPromise !== undefined;
    this.pendingPromise = undefined;
    this.paused = false;
    this.driven = true;
    return this.outcome(() => {
      const thread = this.current;
      const frame = thread.frames[thread.depth - 1];
      // Paused at an instruction: the loop goes on there.
      if (!wasAwait && frame.cont !== C_STEPS) return this.execute(entry, this.runDepth);
      let status: number;
      try {
        if (!wasAwait) {
          // Paused between two slices of a resumable native: the next slice.
          status = this.stepOn(thread, frame);
        } else {
          const then = frame.then;
          frame.cont = C_NONE;
          frame.then = undefined;
          if (input !== undefined && 'error' in input) throw hostError(input.error);
          let values: LuaValue[] | Request = input?.values ?? [];
          // An await with a continuation: the native goes on with what the promise gave.
          if (then !== undefined) {
            try {
              values = then(values);
            } catch (e) {
              throw e instanceof LuaError ? e : hostError(e);
            }
          }
          if (values instanceof Request) {
            status = this.request(thread, frame, values);
          } else {
            this.ensureStack(thread, frame.ret + values.length + EXTRA_STACK);
            for (let i = 0; i < values.length; i++) thread.stack[frame.ret + i] = values[i];
            status = this.returnValues(thread, frame, frame.ret, values.length);
          }
        }
      } catch (e) {
        status = this.handleError(e, entry, this.runDepth);
      }
      if (status === STOP || status === SUSPEND) return status;
      return this.execute(entry, this.runDepth);
    });
  }

  /** Runs a function to completion, awaiting host promises as they come. */
  async runAsync(fn: LuaValue, args: LuaValue[] = []): Promise<LuaValue[]> {
    let out = this.start(fn, args);
    while (out.status === 'suspended') {
      if (out.reason === 'await') {
        let input: ResumeInput;
        try {
          input = { values: await out.promise };
        } catch (error) {
          input = { error };
        }
        out = this.resume(input);
      } else {
        out = this.resume();
      }
    }
    return out.values;
  }

  private outcome(step: () => number): RunOutcome {
    let status: number;
    try {
      status = step();
    } catch (e) {
      this.endRun();
      throw e;
    } finally {
      this.driven = false;
    }
    if (status === SUSPEND) {
      const promise = this.pendingPromise;
      if (promise !== undefined) return { status: 'suspended', reason: 'await', promise };
      this.paused = true;
      return { status: 'suspended', reason: 'pause' };
    }
    const thread = this.runThread!;
    const func = this.runFunc;
    const values = thread.stack.slice(func, thread.top);
    for (let i = func; i < thread.top; i++) thread.stack[i] = undefined;
    thread.top = func;
    this.endRun();
    return { status: 'done', values };
  }

  private endRun(): void {
    this.runThread = undefined;
    this.pendingPromise = undefined;
    this.paused = false;
  }

  /** First free stack index of a thread: above its top frame. */
  private freeSlot(thread: Coroutine): number {
    return thread.depth === 0 ? 0 : thread.frames[thread.depth - 1].top;
  }

  private ensureStack(thread: Coroutine, size: number): void {
    if (size > thread.stack.length) {
      if (size > MAX_STACK + 2 * EXTRA_STACK) throw this.stackError('stack overflow');
      growStack(thread.stack, size);
    }
  }

  // ---- frames and calls ---------------------------------------------------------------------

  private newFrame(thread: Coroutine): CallFrame {
    const depth = thread.depth;
    if (depth >= this.maxCallDepth) throw this.stackError('stack overflow');
    // (Read within the array's bounds: a read past them makes V8 drop its optimized code.)
    const frames = thread.frames;
    let frame = depth < frames.length ? frames[depth] : undefined;
    if (frame === undefined) {
      frame = new CallFrame();
      frames.push(frame);
    }
    thread.depth = depth + 1;
    return frame;
  }

  /** Pushes a frame for Lua function `fn` at stack[func] with `nargs` arguments above it. */
  private pushLua(thread: Coroutine, fn: LuaClosure, func: number, nargs: number, ret: number, nresults: number, flags: number, cont: number, contData: number): CallFrame {
    const p = fn.proto;
    const np = p.numParams;
    let base = func + 1;
    const stack = thread.stack;
    if (p.isVararg) {
      // As PUC: the arguments stay where they are (the extra ones are the varargs) and the fixed
      // parameters are copied above them, where the registers start.
      base = func + 1 + (nargs > np ? nargs : np);
      if (base + p.maxStackSize + EXTRA_STACK > stack.length) this.ensureStack(thread, base + p.maxStackSize + EXTRA_STACK);
      for (let i = 0; i < np; i++) {
        stack[base + i] = i < nargs ? stack[func + 1 + i] : undefined;
        stack[func + 1 + i] = undefined;
      }
    } else {
      if (base + p.maxStackSize + EXTRA_STACK > stack.length) this.ensureStack(thread, base + p.maxStackSize + EXTRA_STACK);
      for (let i = nargs; i < np; i++) stack[base + i] = undefined;
    }
    const frame = this.newFrame(thread);
    luaFrame(frame, fn, func, base, nargs, ret, nresults, thread.hookMask === 0 ? flags : flags | F_HOOKCALL, cont, contData);
    return frame;
  }

  /** TAILCALL of Lua function `fn` at stack[func] by `frame`: the callee takes the frame's place. */
  private tailCall(thread: Coroutine, frame: CallFrame, fn: LuaClosure, func: number, nargs: number): void {
    const stack = thread.stack;
    // Reuse the frame: move the function and its arguments down to its slot.
    if (frame.closure!.proto.protos.length > 0) this.closeUpvalues(thread, frame.base);
    const dst = frame.func;
    for (let r = 0; r <= nargs; r++) stack[dst + r] = stack[func + r];
    const flags = frame.flags & ~(F_HOOKCALL | F_HOOKRET);
    const p = fn.proto;
    // The common case (fixed parameters, room on the stack, no hook, the depth limit not reached,
    // which pushLua's new frame would check): the callee takes the frame object itself.
    if (!p.isVararg && thread.hookMask === 0 && thread.depth < this.maxCallDepth && dst + 1 + p.maxStackSize + EXTRA_STACK <= stack.length) {
      for (let i = nargs; i < p.numParams; i++) stack[dst + 1 + i] = undefined;
      luaFrame(frame, fn, dst, dst + 1, nargs, frame.ret, frame.nresults, flags, frame.cont, frame.contData);
      frame.tail = true;
      return;
    }
    const f = this.pushLua(thread, fn, dst, nargs, frame.ret, frame.nresults, flags, frame.cont, frame.contData);
    // pushLua took a new frame object above this one: move it into this one's place.
    thread.depth--;
    thread.frames[thread.depth] = frame;
    thread.frames[thread.depth - 1] = f;
    f.tail = true;
  }

  /**
   * Calls the value at stack[func] with the `nargs` values above it; results go to `ret` (adjusted
   * to `nresults`). Lua functions get a frame (RELOAD); natives run now (SAME, or what their
   * request did); other values go through `__call`.
   */
  private callAt(thread: Coroutine, func: number, nargs: number, ret: number, nresults: number, flags: number, cont: number, contData: number): number {
    const stack = thread.stack;
    let fn = stack[func];
    if (fn instanceof LuaClosure) {
      this.pushLua(thread, fn, func, nargs, ret, nresults, flags, cont, contData);
      return RELOAD;
    }
    if (!(fn instanceof NativeFunction)) {
      // `__call`: the handler is called with the value as first argument (repeatedly, as
      // luaD_precall does, while the handler is itself not a function).
      for (let loop = 0; ; loop++) {
        const handler = this.metamethod(fn, '__call');
        if (handler === undefined || loop >= MAX_TAG_LOOP) throw this.callError(thread, func, fn);
        this.ensureStack(thread, func + nargs + 2 + EXTRA_STACK);
        for (let j = func + nargs; j >= func; j--) stack[j + 1] = stack[j];
        stack[func] = handler;
        nargs++;
        fn = handler;
        if (fn instanceof LuaClosure) {
          this.pushLua(thread, fn, func, nargs, ret, nresults, flags, cont, contData);
          return RELOAD;
        }
        if (fn instanceof NativeFunction) break;
      }
    }
    const native = fn as NativeFunction;
    const frame = this.newFrame(thread);
    fillFrame(frame, undefined, native, func, func + 1, func + 1 + nargs, func + 1, 0, ret, nresults, flags, cont, contData);
    const hooked = thread.hookMask !== 0 && thread.allowHook;
    if (hooked && (thread.hookMask & MASK_CALL)) this.callDebugHook(thread, frame, 'call', undefined, frame.top);
    const args = nargs === 0 ? [] : stack.slice(func + 1, func + 1 + nargs);
    let result: LuaValue[] | Request;
    try {
      result = native.call(args);
    } catch (e) {
      throw e instanceof LuaError ? e : hostError(e);
    }
    if (result instanceof Request) {
      if (hooked) frame.flags |= F_HOOKRET;
      return this.request(thread, frame, result);
    }
    // The mask as it is now: the native may have been debug.sethook.
    if (thread.hookMask !== 0 && thread.allowHook) {
      if (thread.hookMask & MASK_RET) this.callDebugHook(thread, frame, 'return', undefined, frame.top);
      this.hookReturned(thread, thread.depth - 2);
    }
    const n = result.length;
    if (n > 0) {
      if (ret + n + EXTRA_STACK > stack.length) this.ensureStack(thread, ret + n + EXTRA_STACK);
      for (let j = 0; j < n; j++) stack[ret + j] = result[j];
    }
    if ((flags | cont) === 0) {
      // The common case: a native called by an instruction.
      thread.depth--;
      if (nresults < 0) thread.top = ret + n;
      else for (let j = n; j < nresults; j++) stack[ret + j] = undefined;
      return SAME;
    }
    return this.returnValues(thread, frame, ret, n);
  }

  /** The error for calling a value that is not callable, naming it as the caller's code does. */
  private callError(thread: Coroutine, func: number, fn: LuaValue): LuaError {
    const frame = thread.frames[thread.depth - 1];
    let info = '';
    if (frame !== undefined && frame.closure !== undefined && func >= frame.base && func < frame.top) {
      info = describe(objName(frame.closure.proto, frame.pc - 1, func - frame.base));
    }
    return this.runError(`attempt to call a ${this.typeNameMeta(fn)} value${info}`);
  }

  /**
   * `frame` returns `n` values found at stack[from]: pops it, puts the values where its caller
   * wants them, and finishes what was waiting on it (a metamethod's instruction, a pcall, a
   * resume). Returns RELOAD, or STOP when an entry frame returned.
   */
  private returnValues(thread: Coroutine, frame: CallFrame, from: number, n: number): number {
    for (;;) {
      const stack = thread.stack;
      if (frame.closure !== undefined && frame.closure.proto.protos.length > 0) this.closeUpvalues(thread, frame.base);
      if (frame.flags & F_HOOKRET) {
        // A Lua frame keeps its registers for the hook to read (PUC's top stays the frame's).
        this.hookReturn(thread, frame, frame.closure !== undefined ? Math.max(frame.top, from + n) : from + n);
        this.hookReturned(thread, thread.depth - 2);
      }
      thread.depth--;
      const ret = frame.ret;
      const wanted = frame.nresults;
      if (wanted < 0) {
        if (from !== ret) for (let j = 0; j < n; j++) stack[ret + j] = stack[from + j];
        thread.top = ret + n;
      } else {
        let j = 0;
        if (from !== ret) for (; j < n && j < wanted; j++) stack[ret + j] = stack[from + j];
        else j = Math.min(n, wanted);
        for (; j < wanted; j++) stack[ret + j] = undefined;
      }
      const flags = frame.flags;
      if (flags & F_META) thread.cCalls--;
      if (flags & F_ENTRY) return STOP;
      if (frame.cont === C_COMPARE) {
        const caller = thread.frames[thread.depth - 1];
        const i = caller.closure!.proto.code[caller.pc - 1];
        let res = !isFalsy(stack[ret]);
        if (frame.contData === 1) res = !res;
        if (res !== (((i >>> 6) & 0xff) !== 0)) caller.pc++;
        return RELOAD;
      }
      if (frame.cont === C_CONCAT) {
        return this.concatStep(thread, thread.frames[thread.depth - 1], frame.contData);
      }
      if (thread.depth === 0) {
        // A coroutine's body returned.
        return this.finishCoroutine(thread, ret, wanted < 0 ? thread.top - ret : wanted);
      }
      if (!(flags & F_CONT)) return RELOAD;
      // The caller is a native waiting on this call.
      const waiting = thread.frames[thread.depth - 1];
      if (waiting.cont === C_PCALL || waiting.cont === C_XPCALL) {
        stack[waiting.ret] = true;
        n = thread.top - waiting.ret;
        from = waiting.ret;
        waiting.cont = C_NONE;
        waiting.handler = undefined;
        frame = waiting;
        continue;
      }
      if (waiting.cont === C_THEN) {
        // The native goes on with the results (its frame on top again, for its messages).
        const then = waiting.then!;
        const results = stack.slice(ret, thread.top);
        waiting.cont = C_NONE;
        waiting.then = undefined;
        waiting.flags &= ~F_CALLING;
        thread.cCalls--;
        thread.nny--;
        let result: LuaValue[] | Request;
        try {
          result = then(results);
        } catch (e) {
          throw e instanceof LuaError ? e : hostError(e);
        }
        if (result instanceof Request) return this.request(thread, waiting, result);
        n = result.length;
        from = waiting.ret;
        this.ensureStack(thread, from + n + EXTRA_STACK);
        for (let j = 0; j < n; j++) thread.stack[from + j] = result[j];
        frame = waiting;
        continue;
      }
      return RELOAD;
    }
  }

  /** A coroutine's body returned `n` values at stack[0]: it is dead; its resumer gets them. */
  private finishCoroutine(co: Coroutine, from: number, n: number): number {
    co.status = 'dead';
    const resumer = co.resumer!;
    co.resumer = undefined;
    this.switchTo(resumer);
    return this.deliverResume(resumer, co.stack, from, n);
  }

  /** Gives `n` values (from another thread's stack) to the resume/wrap frame on top of `thread`. */
  private deliverResume(thread: Coroutine, values: LuaValue[], from: number, n: number): number {
    const frame = thread.frames[thread.depth - 1];
    const stack = thread.stack;
    const ret = frame.ret;
    const wrap = frame.cont === C_WRAP;
    const first = wrap ? ret : ret + 1;
    this.ensureStack(thread, first + n + EXTRA_STACK);
    if (!wrap) stack[ret] = true;
    for (let j = 0; j < n; j++) stack[first + j] = values[from + j];
    frame.cont = C_NONE;
    return this.returnValues(thread, frame, ret, wrap ? n : n + 1);
  }

  /** Carries out what a native asked for instead of returning results; `frame` is its frame. */
  private request(thread: Coroutine, frame: CallFrame, req: Request): number {
    const args = req.args;
    const stack = thread.stack;
    switch (req.kind) {
      case 'pcall':
      case 'xpcall': {
        const x = req.kind === 'xpcall';
        frame.cont = x ? C_XPCALL : C_PCALL;
        frame.handler = x ? args[1] : undefined;
        // A protected call is a C call in PUC (lua_pcall): it counts towards "C stack overflow",
        // raised inside the protection.
        if (thread.cCalls >= MAX_C_CALLS) throw this.stackError('C stack overflow');
        thread.cCalls++;
        frame.flags |= F_META;
        // The callee sits just above the native's function slot; its results go one slot above
        // the native's, leaving room for `true`.
        const func = frame.func + 1;
        const first = x ? 2 : 1;
        const nargs = Math.max(0, args.length - first);
        this.ensureStack(thread, func + nargs + 1 + EXTRA_STACK);
        stack[func] = args[0];
        for (let j = 0; j < nargs; j++) stack[func + 1 + j] = args[first + j];
        if (func + nargs + 1 > frame.top) frame.top = func + nargs + 1;
        return this.callAt(thread, func, nargs, frame.ret + 1, -1, F_CONT, C_NONE, 0);
      }
      case 'call': {
        // As lua_call from C: a C call, and no yield across it.
        if (thread.cCalls >= MAX_C_CALLS) throw this.stackError('C stack overflow');
        thread.cCalls++;
        thread.nny++;
        frame.flags |= F_CALLING;
        frame.cont = C_THEN;
        frame.then = req.then;
        const func = frame.func + 1;
        const nargs = args.length - 1;
        this.ensureStack(thread, func + nargs + 1 + EXTRA_STACK);
        for (let j = 0; j <= nargs; j++) stack[func + j] = args[j];
        if (func + nargs + 1 > frame.top) frame.top = func + nargs + 1;
        return this.callAt(thread, func, nargs, func, -1, F_CONT, C_NONE, 0);
      }
      case 'resume':
      case 'wrap':
        return this.resumeRequest(thread, frame, args[0] as unknown as Coroutine, args, req.kind === 'wrap');
      case 'yield': {
        if (thread === this.main || thread.resumer === undefined) throw this.runError('attempt to yield from outside a coroutine');
        if (thread.nny > 0) throw this.runError('attempt to yield across a C-call boundary');
        frame.cont = C_YIELD;
        thread.status = 'suspended';
        const resumer = thread.resumer;
        thread.resumer = undefined;
        this.switchTo(resumer);
        return this.deliverResume(resumer, args, 0, args.length);
      }
      case 'steps':
        frame.cont = C_STEPS;
        frame.stepper = req.stepper;
        return this.stepOn(thread, frame);
      case 'await': {
        if (!this.driven || this.nativeDepth > 0) {
          throw this.runError(this.driven
            ? 'attempt to yield across a C-call boundary (a host call cannot suspend inside a callback from a native)'
            : 'attempt to suspend a synchronous call (run the script with VM.start or runAsync)');
        }
        frame.cont = C_AWAIT;
        frame.then = req.then;
        // Settled promises must not reject unhandled while the host has not awaited them yet.
        const promise = req.promise ?? Promise.resolve(NO_VALUES);
        promise.catch(() => undefined);
        this.pendingPromise = promise;
        return SUSPEND;
      }
    }
  }

  /**
   * Runs the slices of the `steps` request of `frame` (the top frame) until the work is done,
   * giving the step hook its turn between slices as instructions do: it may pause the run there
   * (SUSPEND; `resume` goes on with the next slice).
   */
  private stepOn(thread: Coroutine, frame: CallFrame): number {
    const stepper = frame.stepper!;
    for (;;) {
      const canPause = this.driven && this.nativeDepth === 0;
      // The hook is due, or it asked to pause inside a callback of this native (which may have
      // reset its countdown): asked again between two slices, where the run can pause.
      if (this.hook !== undefined && (this.hookLeft <= 0 || (this.hookRefused && canPause))) {
        this.hookRefused = false;
        this.syncCount();
        const pause = this.hook(this, frame, canPause) === true && canPause;
        this.hookLeft = this.hookInterval();
        this.refill();
        if (pause) return SUSPEND;
      }
      let result: LuaValue[] | Request | undefined;
      try {
        result = stepper();
      } catch (e) {
        throw e instanceof LuaError ? e : hostError(e);
      }
      if (result === undefined) continue;
      frame.cont = C_NONE;
      frame.stepper = undefined;
      if (result instanceof Request) return this.request(thread, frame, result);
      const n = result.length;
      const ret = frame.ret;
      this.ensureStack(thread, ret + n + EXTRA_STACK);
      for (let j = 0; j < n; j++) thread.stack[ret + j] = result[j];
      return this.returnValues(thread, frame, ret, n);
    }
  }

  private resumeRequest(thread: Coroutine, frame: CallFrame, co: Coroutine, args: LuaValue[], wrap: boolean): number {
    let message: string | undefined;
    if (co.status !== 'suspended') {
      message = co.status === 'dead' ? 'cannot resume dead coroutine' : 'cannot resume non-suspended coroutine';
    } else if (thread.resumeLevel + 1 >= MAX_C_CALLS) {
      message = 'C stack overflow';
      if (this.uncatchable.has('stack')) throw this.stackError(message);
    }
    if (message !== undefined) {
      if (wrap) {
        const e = new LuaError(this.nativeWhere(1) + message);
        if (message === 'C stack overflow') e.kind = 'stack';
        throw e;
      }
      thread.stack[frame.ret] = false;
      thread.stack[frame.ret + 1] = message;
      return this.returnValues(thread, frame, frame.ret, 2);
    }
    frame.cont = wrap ? C_WRAP : C_RESUME;
    co.resumer = thread;
    co.resumeLevel = thread.resumeLevel + 1;
    thread.status = 'normal';
    this.switchTo(co);
    const nargs = args.length - 1;
    if (!co.started) {
      co.started = true;
      this.ensureStack(co, nargs + 1 + EXTRA_STACK);
      co.stack[0] = co.fn;
      for (let j = 0; j < nargs; j++) co.stack[1 + j] = args[1 + j];
      return this.callAt(co, 0, nargs, 0, -1, F_CONT, C_NONE, 0);
    }
    // Resuming a yield: the resume's arguments are the yield's results.
    const yielded = co.frames[co.depth - 1];
    this.ensureStack(co, yielded.ret + nargs + EXTRA_STACK);
    for (let j = 0; j < nargs; j++) co.stack[yielded.ret + j] = args[1 + j];
    yielded.cont = C_NONE;
    return this.returnValues(co, yielded, yielded.ret, nargs);
  }

  // ---- errors -------------------------------------------------------------------------------

  /**
   * A runtime error raised by an operation (luaG_runerror): prefixed with the position of the
   * running function when it is a Lua function. Natives wanting their caller's position (luaL_error)
   * use `nativeWhere() + message`.
   */
  error(message: string): LuaError {
    return this.runError(message);
  }

  private runError(message: string): LuaError {
    const thread = this.current;
    const frame = thread.frames[thread.depth - 1];
    return new LuaError((frame !== undefined ? this.where(frame) : '') + message);
  }

  private stackError(message: string): LuaError {
    const e = this.runError(message);
    e.kind = 'stack';
    return e;
  }

  /** `chunk:line: ` of a Lua frame, '' for a native frame. */
  where(frame: CallFrame): string {
    if (frame.closure === undefined) return '';
    const proto = frame.closure.proto;
    return `${chunkId(proto.source)}:${currentLine(frame)}: `;
  }

  /**
   * Position prefix of the function `level` levels up from the running native (1: its caller),
   * as luaL_where: empty when that function is a native or there is none.
   */
  nativeWhere(level = 1): string {
    const thread = this.current;
    const frame = thread.frames[thread.depth - 1 - level];
    // luaL_where gives no position without a line (a stripped chunk's function).
    return frame === undefined || frame.closure === undefined || currentLine(frame) <= 0 ? '' : this.where(frame);
  }

  /**
   * How the running native was named where it was called (`'rep'` and method for `s:rep()`,
   * `'print'` for a global, `'for iterator'`), or else its global name (`'string.rep'`) or '?',
   * as luaL_argerror names functions.
   */
  nativeCallName(): { name: string; method: boolean } | undefined {
    const thread = this.current;
    const frame = thread.frames[thread.depth - 1];
    if (frame === undefined) return undefined;
    const found = this.frameName(thread, thread.depth - 1);
    if (found !== undefined) return { name: found.name, method: found.kind === 'method' };
    const global = this.globalName(frame.native ?? frame.closure);
    return { name: global ?? '?', method: false };
  }

  typeError(value: LuaValue, action: string, description: string | undefined): LuaError {
    const info = description ? ` (${description})` : '';
    return this.runError(`attempt to ${action} a ${this.typeNameMeta(value)} value${info}`);
  }

  /** `type` as error messages show it: `__name` of the metatable when it is a string. */
  typeNameMeta(v: LuaValue): string {
    const mt = this.getMetatable(v);
    const name = mt?.getStr('__name');
    return typeof name === 'string' ? name : typeName(v);
  }

  /** How the caller of the frame at `index` named it (getfuncname). */
  frameName(thread: Coroutine, index: number): ObjName | undefined {
    const frame = thread.frames[index];
    const fin = this.finalizerFrames;
    for (let i = fin.length - 2; i >= 0; i -= 2) {
      if (fin[i] === thread && fin[i + 1] === index) return { kind: 'metamethod', name: '__gc' };
    }
    const caller = thread.frames[index - 1];
    if (frame.tail || caller === undefined || caller.closure === undefined) return undefined;
    if (caller.flags & F_HOOKED) return { kind: 'hook', name: '?' };
    return calledName(caller.closure.proto, caller.pc - 1);
  }

  /** `print`, `string.format`: where a function is found in the loaded libraries (pushglobalfuncname). */
  globalName(fn: LuaValue): string | undefined {
    if (fn === undefined) return undefined;
    // Two levels, as PUC's findfield: a module itself, or a field of one; `_G.` is left out.
    for (const [name, value] of this.loaded.fieldEntries()) {
      if (value === fn) return name;
      if (!(value instanceof LuaTable)) continue;
      const key = value.findKeyOf(fn);
      if (key !== undefined) return name === '_G' ? key : `${name}.${key}`;
    }
    return undefined;
  }

  /**
   * A traceback of a thread as PUC's luaL_traceback prints it, from `level` (0: the top frame).
   * `hostFrame` adds the final `[C]: in ?` of the host's own call, as lua.c shows it (a level of
   * its own, as there).
   */
  traceback(message?: string, level = 0, thread: Coroutine = this.current, hostFrame = true): string {
    const lines: string[] = [];
    if (message !== undefined) lines.push(message);
    lines.push('stack traceback:');
    const last = thread.depth - (hostFrame ? 0 : 1);
    // luaL_traceback (5.3) keeps the first 10 and the last 11 levels of a longer stack.
    let first = last - level > 21 ? 10 : -1;
    for (let lv = Math.max(level, 0); level >= 0 && lv <= last; lv++) {
      if (first-- === 0) {
        lines.push('\t...');
        lv = last - 11;
        continue;
      }
      const index = thread.depth - 1 - lv;
      if (index < 0) {
        lines.push('\t[C]: in ?');
        continue;
      }
      lines.push('\t' + this.tracebackEntry(thread, index));
      if (thread.frames[index].tail) lines.push('\t(...tail calls...)');
    }
    return lines.join('\n');
  }

  /** One level of a traceback: `file:line: in function 'name'` (pushfuncname). */
  private tracebackEntry(thread: Coroutine, index: number): string {
    const frame = thread.frames[index];
    const closure = frame.closure;
    const line = closure !== undefined ? currentLine(frame) : -1;
    let text = `${closure !== undefined ? chunkId(closure.proto.source) : '[C]'}:${line > 0 ? `${line}:` : ''} in `;
    const global = this.globalName(closure ?? frame.native);
    const name = global === undefined ? this.frameName(thread, index) : undefined;
    if (global !== undefined) text += `function '${global}'`;
    else if (name !== undefined) text += `${name.kind} '${name.name}'`;
    else if (closure !== undefined && closure.proto.lineDefined === 0) text += 'main chunk';
    else if (closure !== undefined) text += `function <${chunkId(closure.proto.source)}:${closure.proto.lineDefined}>`;
    else text += '?';
    return text;
  }

  /** The frames of a thread, innermost first, as plain data (debuggers, `debug` functions). */
  stackFrames(thread: Coroutine = this.current, atError = false): FrameInfo[] {
    const out: FrameInfo[] = [];
    for (let index = thread.depth - 1; index >= 0; index--) {
      const frame = thread.frames[index];
      const name = this.frameName(thread, index);
      if (frame.closure !== undefined) {
        const proto = frame.closure.proto;
        // The top frame is paused before its instruction at pc (or, at an error, inside the one
        // before it); the others are in a call at pc - 1.
        const pc = Math.max(0, index === thread.depth - 1 && !atError ? frame.pc : frame.pc - 1);
        const locals: FrameInfo['locals'] = [];
        for (let n = 1; ; n++) {
          const localVar = localName(proto, n, pc);
          if (localVar === undefined) break;
          locals.push({ name: localVar, register: n - 1, value: thread.stack[frame.base + n - 1] });
        }
        out.push({
          kind: 'lua', fn: frame.closure, name, source: proto.source, line: proto.lineInfo[pc] ?? proto.lineDefined, pc,
          lineDefined: proto.lineDefined, tailCall: frame.tail, locals,
          varargs: thread.stack.slice(frame.varargBase, frame.varargBase + frame.nvarargs),
          upvalues: frame.closure.upvalues.map((up, i) => ({ name: upvalueName(proto, i), value: up.get() })),
          registers: thread.stack.slice(frame.base, frame.top),
        });
      } else {
        out.push({
          kind: 'native', fn: frame.native!, name, source: '=[C]', line: -1, pc: -1, lineDefined: -1, tailCall: frame.tail,
          locals: [], varargs: [], upvalues: [], registers: thread.stack.slice(frame.base, frame.top),
        });
      }
    }
    return out;
  }

  /**
   * An exception reached the loop of the run that started at `stopDepth` of `entry`. Unwinds to
   * the nearest pcall frame (RELOAD/STOP), ending coroutines on the way; with none, cleans up to
   * `stopDepth` and rethrows (with a traceback).
   */
  private handleError(e: unknown, entry: Coroutine, stopDepth: number): number {
    let err = e instanceof LuaError ? e : hostError(e);
    const catchable = !this.uncatchable.has(err.kind);
    for (;;) {
      const thread = this.current;
      const floor = thread === entry ? stopDepth : 0;
      if (catchable) {
        for (let i = thread.depth - 1; i >= floor; i--) {
          const frame = thread.frames[i];
          if (frame.cont !== C_PCALL && frame.cont !== C_XPCALL) continue;
          let value = err.value;
          if (frame.cont === C_XPCALL) value = this.callHandler(frame.handler, value);
          this.unwindTo(thread, i + 1);
          const stack = thread.stack;
          stack[frame.ret] = false;
          stack[frame.ret + 1] = value;
          frame.cont = C_NONE;
          frame.handler = undefined;
          return this.returnValues(thread, frame, frame.ret, 2);
        }
      }
      if (thread === entry) {
        if (err.traceback === undefined) this.attachTraceback(err, thread);
        this.unwindTo(thread, stopDepth);
        throw err;
      }
      // The error ends the coroutine; the resumer sees it.
      if (err.traceback === undefined && !catchable) this.attachTraceback(err, thread);
      const kept = thread.depth;
      this.unwindTo(thread, 0);
      // A coroutine dead by an error keeps its frames to be inspected (debug.traceback(co)), as in PUC.
      thread.depth = kept;
      thread.status = 'dead';
      const resumer = thread.resumer!;
      thread.resumer = undefined;
      this.switchTo(resumer);
      const waiting = resumer.frames[resumer.depth - 1];
      if (catchable && waiting.cont === C_RESUME) {
        resumer.stack[waiting.ret] = false;
        resumer.stack[waiting.ret + 1] = err.value;
        waiting.cont = C_NONE;
        return this.returnValues(resumer, waiting, waiting.ret, 2);
      }
      // coroutine.wrap: the error goes on in the resumer, a string gaining the position of the
      // function that called the wrapper.
      waiting.cont = C_NONE;
      if (catchable && typeof err.value === 'string') {
        const caller = resumer.frames[resumer.depth - 2];
        const prefixed = new LuaError((caller !== undefined ? this.where(caller) : '') + err.value);
        prefixed.kind = err.kind;
        err = prefixed;
      }
    }
  }

  /** Runs an xpcall message handler at the error point (before unwinding), as PUC does. */
  private callHandler(handler: LuaValue, value: LuaValue): LuaValue {
    for (let attempts = 0; ; attempts++) {
      try {
        return this.call(handler, [value])[0];
      } catch (inner) {
        if (inner instanceof LuaError && this.uncatchable.has(inner.kind)) throw inner;
        // An error in the handler is handled by the handler again (luaG_errormsg), until the C
        // stack gives out.
        if (attempts >= 10) return 'error in error handling';
        value = inner instanceof LuaError ? inner.value : hostError(inner).value;
      }
    }
  }

  /** Pops frames down to `depth`, closing upvalues and keeping the counters right. */
  private unwindTo(thread: Coroutine, depth: number): void {
    for (let i = thread.depth - 1; i >= depth; i--) {
      const frame = thread.frames[i];
      if (frame.flags & F_META) thread.cCalls--;
      if (frame.flags & F_CALLING) {
        thread.cCalls--;
        thread.nny--;
        frame.flags &= ~F_CALLING;
      }
      frame.handler = undefined;
      frame.then = undefined;
      frame.stepper = undefined;
      frame.cont = C_NONE;
    }
    if (thread.depth > depth) {
      this.closeUpvalues(thread, thread.frames[depth].func);
      thread.depth = depth;
    }
  }

  private attachTraceback(err: LuaError, thread: Coroutine): void {
    // A debugger sees the stack as it is when the error leaves its last frame, before unwinding.
    this.onUncaught?.(err, thread);
    const value = err.value;
    const message = typeof value === 'string' ? value : isNumberValue(value) ? numberToString(value as LuaNumber) : err.message;
    err.traceback = this.traceback(message, 0, thread, true);
    for (let i = thread.depth - 1; i >= 0; i--) {
      const frame = thread.frames[i];
      if (frame.closure !== undefined) {
        err.line = currentLine(frame);
        err.source = frame.closure.proto.source;
        break;
      }
    }
  }

  // ---- metatables ---------------------------------------------------------------------------

  getMetatable(v: LuaValue): LuaTable | undefined {
    if (v instanceof LuaTable) return v.metatable;
    switch (typeof v) {
      case 'string': return this.typeMetatables.string;
      case 'number': case 'bigint': return this.typeMetatables.number;
      case 'boolean': return this.typeMetatables.boolean;
      case 'undefined': return this.typeMetatables.nil;
      default:
        if (v instanceof Userdata) return v.metatable;
        if (v instanceof LFloat) return this.typeMetatables.number;
        if (v instanceof LuaClosure || v instanceof NativeFunction) return this.typeMetatables.function;
        return this.typeMetatables.thread;
    }
  }

  metamethod(v: LuaValue, event: string): LuaValue {
    const mt = v instanceof LuaTable ? v.metatable : this.getMetatable(v);
    return mt === undefined ? undefined : mt.getStr(event);
  }

  // ---- operations with metamethods (for natives: nested calls) -----------------------------

  /** Finishes an operation that returned PENDING by calling the metamethod now (nested). */
  private callPending(): LuaValue {
    const args = this.mmN === 1 ? [this.mmA] : this.mmN === 2 ? [this.mmA, this.mmB] : [this.mmA, this.mmB, this.mmC];
    const fn = this.mmFn;
    this.mmFn = this.mmA = this.mmB = this.mmC = undefined;
    return this.call(fn, args)[0];
  }

  /** `t[k]` with `__index` (luaV_gettable). */
  index(obj: LuaValue, key: LuaValue): LuaValue {
    const v = this.getSlow(obj, key, NO_DESC);
    return v === PENDING ? this.callPending() : v;
  }

  /** `t[k] = v` with `__newindex` (luaV_settable). */
  setIndex(obj: LuaValue, key: LuaValue, value: LuaValue): void {
    if (this.setSlow(obj, key, value, NO_DESC) === PENDING) this.callPending();
  }

  rawSet(t: LuaTable, key: LuaValue, value: LuaValue): void {
    if (key === undefined) throw this.runError('table index is nil');
    if (typeof key === 'number' && key !== key) throw this.runError('table index is NaN');
    t.set(key, value);
  }

  /** Converts a value to a number for arithmetic: numbers as they are, numeric strings converted. */
  toNumber(v: LuaValue): LuaNumber | undefined {
    if (typeof v === 'number' || typeof v === 'bigint' || v instanceof LFloat) return v;
    if (typeof v === 'string') return stringToNumber(v);
    return undefined;
  }

  arith(op: Op, a: LuaValue, b: LuaValue): LuaValue {
    const v = this.arithSlow(op, a, b, 0);
    return v === PENDING ? this.callPending() : v;
  }

  concat(a: LuaValue, b: LuaValue): LuaValue {
    if ((typeof a === 'string' || isNumberValue(a)) && (typeof b === 'string' || isNumberValue(b))) return concatText(a) + concatText(b);
    const handler = this.metamethod(a, '__concat') ?? this.metamethod(b, '__concat');
    if (handler === undefined) throw this.typeError(typeof a === 'string' || isNumberValue(a) ? b : a, 'concatenate', undefined);
    return this.call(handler, [a, b])[0];
  }

  length(v: LuaValue): LuaValue {
    const r = this.lengthSlow(v, NO_DESC);
    return r === PENDING ? this.callPending() : r;
  }

  equals(a: LuaValue, b: LuaValue): boolean {
    const r = this.equalSlow(a, b);
    return r === PENDING ? !isFalsy(this.callPending()) : r;
  }

  lessThan(a: LuaValue, b: LuaValue): boolean {
    const r = this.lessSlow(a, b);
    return r === PENDING ? !isFalsy(this.callPending()) : r;
  }

  lessEqual(a: LuaValue, b: LuaValue): boolean {
    const r = this.lessEqualSlow(a, b);
    if (r === PENDING) return !isFalsy(this.callPending());
    if (r === NEGATED_PENDING) return isFalsy(this.callPending());
    return r;
  }

  /** `tostring` with `__tostring` and `__name`. */
  tostring(v: LuaValue): string {
    if (typeof v === 'string') return v;
    const handler = this.metamethod(v, '__tostring');
    if (handler !== undefined) {
      const s = this.call(handler, [v])[0];
      if (typeof s !== 'string') {
        if (isNumberValue(s)) return numberToString(s as LuaNumber);
        throw this.runError("'__tostring' must return a string");
      }
      return s;
    }
    if (v instanceof LuaTable || v instanceof Userdata) {
      const name = this.getMetatable(v)?.getStr('__name');
      if (typeof name === 'string') return name + rawToString(v, this.ids).slice(typeName(v).length);
    }
    return rawToString(v, this.ids);
  }

  // ---- the slow paths of the instructions ----------------------------------------------------
  // Each returns the result, or PENDING after storing a metamethod call in mmFn/mmA/mmB/mmC. The
  // loop then calls it with a frame; the native-facing wrappers above call it nested.
  // `desc` names the operand for messages: a register (0..255), an upvalue (UPVAL + index), none.

  /**
   * A long `__index`/`__newindex` chain is work for every step: past CHAIN_FREE steps the walk is
   * charged a step an instruction (so the budget, and the host's clock at the hook, see it).
   */
  private chained(steps: number): void {
    if (steps > CHAIN_FREE) this.charge(steps);
  }

  private getSlow(obj: LuaValue, key: LuaValue, desc: number): LuaValue | Pending {
    for (let loop = 0; loop < MAX_TAG_LOOP; loop++) {
      let handler: LuaValue;
      if (obj instanceof LuaTable) {
        const v = obj.get(key);
        if (v !== undefined) {
          this.chained(loop);
          return v;
        }
        const mt = obj.metatable;
        if (mt === undefined || (handler = mt.getStr('__index')) === undefined) {
          this.chained(loop);
          return undefined;
        }
      } else {
        handler = this.metamethod(obj, '__index');
        if (handler === undefined) throw this.operandError(obj, 'index', loop === 0 ? desc : NO_DESC);
      }
      if (handler instanceof LuaClosure || handler instanceof NativeFunction) {
        this.chained(loop);
        this.mmFn = handler;
        this.mmA = obj;
        this.mmB = key;
        this.mmN = 2;
        return PENDING;
      }
      obj = handler;
    }
    throw this.runError("'__index' chain too long; possible loop");
  }

  private setSlow(obj: LuaValue, key: LuaValue, value: LuaValue, desc: number): undefined | Pending {
    for (let loop = 0; loop < MAX_TAG_LOOP; loop++) {
      let handler: LuaValue;
      if (obj instanceof LuaTable) {
        const mt = obj.metatable;
        if (mt === undefined || (handler = mt.getStr('__newindex')) === undefined || obj.get(key) !== undefined) {
          this.chained(loop);
          this.rawSet(obj, key, value);
          return undefined;
        }
      } else {
        handler = this.metamethod(obj, '__newindex');
        if (handler === undefined) throw this.operandError(obj, 'index', loop === 0 ? desc : NO_DESC);
      }
      if (handler instanceof LuaClosure || handler instanceof NativeFunction) {
        this.chained(loop);
        this.mmFn = handler;
        this.mmA = obj;
        this.mmB = key;
        this.mmC = value;
        this.mmN = 3;
        return PENDING;
      }
      obj = handler;
    }
    throw this.runError("'__newindex' chain too long; possible loop");
  }

  /**
   * Arithmetic and bitwise operators on any values (luaO_arith + luaT_trybinTM); `i` is the
   * instruction (for naming operands in messages), 0 when unknown.
   */
  private arithSlow(op: Op, a: LuaValue, b: LuaValue, i: number): LuaValue | Pending {
    const bitwise = (op >= Op.BAND && op <= Op.SHR) || op === Op.BNOT;
    // Strings convert to floats for arithmetic (5.3's luaV_tonumber), to integers for bitwise ops.
    const x = bitwise ? this.toNumber(a) : arithOperand(a);
    const y = bitwise ? this.toNumber(b) : arithOperand(b);
    if (x !== undefined && y !== undefined) {
      const r = arithNumbers(op, x, y);
      if (r !== undefined) return r;
      if (op === Op.IDIV) throw this.runError('attempt to divide by zero');
      if (op === Op.MOD) throw this.runError("attempt to perform 'n%0'");
    }
    const event = ARITH_EVENTS[op];
    let handler = this.metamethod(a, event);
    if (handler === undefined) handler = this.metamethod(b, event);
    if (handler !== undefined) {
      this.mmFn = handler;
      this.mmA = a;
      this.mmB = b;
      this.mmN = 2;
      return PENDING;
    }
    if (bitwise) {
      if (x !== undefined && y !== undefined) {
        // Both are numbers: one has no integer value.
        const bad = toInteger(x) === undefined ? 0 : 1;
        throw this.runError(`number${this.operandInfo(i, bad)} has no integer representation`);
      }
      const bad = x === undefined ? 0 : 1;
      throw this.operandError(bad === 0 ? a : b, 'perform bitwise operation on', this.operandDesc(i, bad));
    }
    const bad = x === undefined ? 0 : 1;
    throw this.operandError(bad === 0 ? a : b, 'perform arithmetic on', this.operandDesc(i, bad));
  }

  private lengthSlow(v: LuaValue, desc: number): LuaValue | Pending {
    if (typeof v === 'string') return v.length;
    const handler = this.metamethod(v, '__len');
    if (handler !== undefined) {
      this.mmFn = handler;
      this.mmA = v;
      this.mmB = v;
      this.mmN = 2;
      return PENDING;
    }
    if (v instanceof LuaTable) return v.length();
    throw this.operandError(v, 'get length of', desc);
  }

  private equalSlow(a: LuaValue, b: LuaValue): boolean | Pending {
    if (a === b) return true;
    if (isNumberValue(a)) return isNumberValue(b) && numEquals(a as LuaNumber, b as LuaNumber);
    if ((a instanceof LuaTable && b instanceof LuaTable) || (a instanceof Userdata && b instanceof Userdata)) {
      let handler = this.metamethod(a, '__eq');
      if (handler === undefined) handler = this.metamethod(b, '__eq');
      if (handler === undefined) return false;
      this.mmFn = handler;
      this.mmA = a;
      this.mmB = b;
      this.mmN = 2;
      return PENDING;
    }
    return false;
  }

  private lessSlow(a: LuaValue, b: LuaValue): boolean | Pending {
    if (isNumberValue(a) && isNumberValue(b)) return numLt(a as LuaNumber, b as LuaNumber);
    if (typeof a === 'string' && typeof b === 'string') return a < b;
    let handler = this.metamethod(a, '__lt');
    if (handler === undefined) handler = this.metamethod(b, '__lt');
    if (handler === undefined) throw this.compareError(a, b);
    this.mmFn = handler;
    this.mmA = a;
    this.mmB = b;
    this.mmN = 2;
    return PENDING;
  }

  /** `a <= b`: PENDING for `__le(a, b)`, NEGATED_PENDING for `not __lt(b, a)` (Lua 5.3's fallback). */
  private lessEqualSlow(a: LuaValue, b: LuaValue): boolean | Pending | typeof NEGATED_PENDING {
    if (isNumberValue(a) && isNumberValue(b)) return numLe(a as LuaNumber, b as LuaNumber);
    if (typeof a === 'string' && typeof b === 'string') return a <= b;
    let handler = this.metamethod(a, '__le');
    if (handler === undefined) handler = this.metamethod(b, '__le');
    this.mmN = 2;
    if (handler !== undefined) {
      this.mmFn = handler;
      this.mmA = a;
      this.mmB = b;
      return PENDING;
    }
    handler = this.metamethod(b, '__lt');
    if (handler === undefined) handler = this.metamethod(a, '__lt');
    if (handler === undefined) throw this.compareError(a, b);
    this.mmFn = handler;
    this.mmA = b;
    this.mmB = a;
    return NEGATED_PENDING;
  }

  private compareError(a: LuaValue, b: LuaValue): LuaError {
    const t1 = this.typeNameMeta(a);
    const t2 = this.typeNameMeta(b);
    if (t1 === t2) return this.runError(`attempt to compare two ${t1} values`);
    return this.runError(`attempt to compare ${t1} with ${t2}`);
  }

  private operandError(value: LuaValue, action: string, desc: number): LuaError {
    return this.runError(`attempt to ${action} a ${this.typeNameMeta(value)} value${this.descText(desc)}`);
  }

  /** ` (local 'x')` for a register or upvalue of the running Lua function, '' otherwise (varinfo). */
  private descText(desc: number): string {
    if (desc === NO_DESC) return '';
    const thread = this.current;
    const frame = thread.frames[thread.depth - 1];
    if (frame === undefined || frame.closure === undefined) return '';
    const proto = frame.closure.proto;
    if (desc >= UPVAL) return ` (upvalue '${upvalueName(proto, desc - UPVAL)}')`;
    return describe(objName(proto, frame.pc - 1, desc));
  }

  /** The desc of operand `which` (0: B, 1: C) of arithmetic instruction `i` (none for constants). */
  private operandDesc(i: number, which: number): number {
    if (i === 0) return NO_DESC;
    const op = i & 0x3f;
    if (op === Op.UNM || op === Op.BNOT) return (i >>> 23) & 0x1ff;
    const rk = which === 0 ? (i >>> 23) & 0x1ff : (i >>> 14) & 0x1ff;
    return rk & 0x100 ? NO_DESC : rk;
  }

  private operandInfo(i: number, which: number): string {
    return this.descText(this.operandDesc(i, which));
  }

  // ---- upvalues -----------------------------------------------------------------------------

  private findUpvalue(thread: Coroutine, index: number): Upvalue {
    const open = thread.openUpvalues;
    let i = open.length - 1;
    while (i >= 0 && open[i].index > index) i--;
    if (i >= 0 && open[i].index === index) return open[i];
    const up = new Upvalue(thread.stack, index);
    open.splice(i + 1, 0, up);
    // (Bounded: the list only keeps some variables alive one pass longer, as PUC does.)
    if (this.gcArmed && this.gc.touched.length < 4096) this.gc.touched.push(up);
    return up;
  }

  private closeUpvalues(thread: Coroutine, level: number): void {
    const open = thread.openUpvalues;
    while (open.length > 0 && open[open.length - 1].index >= level) open.pop()!.close();
  }

  /**
   * OP_CLOSURE, reusing the prototype's last closure when it would capture the same upvalues (as
   * 5.3). The cache is this VM's own (`closures`), not the prototype's: prototypes are shared by
   * every state that runs the same compiled chunk (the sandbox's compile cache), and a closure kept
   * on one would keep its state reachable, and be handed to the next state, after the run.
   */
  private makeClosure(thread: Coroutine, parent: LuaClosure, p: Proto, base: number): LuaClosure {
    const descs = p.upvalues;
    const n = descs.length;
    const cached = this.closures.get(p);
    if (cached !== undefined) {
      let same = true;
      for (let j = 0; j < n && same; j++) {
        const desc = descs[j];
        const up = cached.upvalues[j];
        same = desc.inStack ? up.stack === thread.stack && up.index === base + desc.index : up === parent.upvalues[desc.index];
      }
      if (same) return cached;
    }
    const ups: Upvalue[] = new Array(n);
    for (let j = 0; j < n; j++) {
      const desc = descs[j];
      ups[j] = desc.inStack ? this.findUpvalue(thread, base + desc.index) : parent.upvalues[desc.index];
    }
    const closure = new LuaClosure(p, ups);
    this.closures.set(p, closure);
    this.allocated += SIZE.closure + 8 * n;
    return closure;
  }

  // ---- the second tier (tier.ts) ---------------------------------------------------------------

  /**
   * At a backward jump of `proto`'s frame: whether the loop should go to the frame's translation
   * (it has one, or is now hot enough for one, and no debug hook is set).
   */
  private backEdge(proto: Proto, thread: Coroutine): boolean {
    if (thread.hookMask !== 0) return false;
    const tier = proto.tier;
    if (tier !== undefined) return tier !== null;
    // The loop's prologue counts this entry too and translates.
    return (proto.hotness = proto.hotness + 1) >= this.tierAt - 1;
  }

  /**
   * A translation's countdown does not cover the `need` instructions of its next straight run
   * (tier.ts, TierHost.tierCount). When the budget and the step hook's interval can cover them,
   * the VM takes its turn before frame.pc's instruction as onCount takes it at the end of a
   * window (the step hook then comes up to `need` instructions early: at most the length of one
   * run, never for a hook called every few instructions, as the debugger's) and the loop enters
   * the translation again (1); else the loop runs the frame from there, exactly (BAIL). SUSPENDED:
   * the hook paused the run.
   */
  tierCount(frame: CallFrame, need: number): number {
    this.syncCount();
    if (this.budget < need || (this.hook !== undefined && this.hookInterval() < need) || this.current.hookMask !== 0) return BAIL;
    // The window ends here: what was left of it was not used.
    if (this.hook !== undefined && this.hookLeft < need) this.hookLeft = 0;
    this.window = this.countdown = 0;
    const count = this.onCount(frame);
    if (count < 0) {
      this.countdown = 0;
      return SUSPENDED;
    }
    // onCount counted frame.pc's instruction, which the loop or the translation counts as it runs it.
    this.countdown = count + 1;
    return count + 1 < need || this.current.hookMask !== 0 ? BAIL : 1;
  }

  /** Translations running one inside another (tier.ts's direct calls). */
  tierNest = 0;
  /** The debug library is open: a callee can read and write its callers' registers, so translations store and reload them all around calls. */
  tierFullFrames = false;

  /**
   * A translation's direct call of a Lua function (tier.ts): the loop's push, with the common case
   * (fixed parameters, room on the stack and in the frames) done here; the callee's frame.
   */
  tierEnter(thread: Coroutine, fn: LuaClosure, func: number, nargs: number, nresults: number): CallFrame {
    const p = fn.proto;
    const depth = thread.depth;
    const frames = thread.frames;
    const frame = depth < frames.length ? frames[depth] : undefined;
    const base = func + 1;
    const stack = thread.stack;
    if (p.isVararg || frame === undefined || depth >= this.maxCallDepth || base + p.maxStackSize + EXTRA_STACK > stack.length || thread.hookMask !== 0) {
      return this.pushLua(thread, fn, func, nargs, func, nresults, 0, C_NONE, 0);
    }
    for (let i = nargs; i < p.numParams; i++) stack[base + i] = undefined;
    thread.depth = depth + 1;
    luaFrame(frame, fn, func, base, nargs, func, nresults, 0, C_NONE, 0);
    return frame;
  }

  /** A translation's call of a Lua function: the loop's push, called by an instruction. */
  tierPushLua(thread: Coroutine, fn: LuaClosure, func: number, nargs: number, nresults: number): void {
    this.pushLua(thread, fn, func, nargs, func, nresults, 0, C_NONE, 0);
  }

  /**
   * A translation's call of a value that is not a Lua function, as the loop's CALL makes it: 0
   * when it is done (results in place), else what the translation returns to the loop.
   */
  tierCall(thread: Coroutine, func: number, nargs: number, nresults: number): number {
    const status = this.callAt(thread, func, nargs, func, nresults, 0, C_NONE, 0);
    return status === SAME ? 0 : status === SUSPEND ? SUSPENDED : status === STOP ? STOPPED : 1;
  }

  /** A translation's TAILCALL of a Lua function: the loop's (the frame reused). */
  tierTailCall(thread: Coroutine, frame: CallFrame, fn: LuaClosure, func: number, nargs: number): void {
    this.tailCall(thread, frame, fn, func, nargs);
  }

  /** A translation's CLOSURE: the loop's (with its cache). */
  tierMakeClosure(thread: Coroutine, parent: LuaClosure, index: number, base: number): LuaClosure {
    return this.makeClosure(thread, parent, parent.proto.protos[index], base);
  }

  /** A translation's allocation past the threshold: the collector's pass, as the loop runs it. */
  tierAllocationPass(thread: Coroutine, top: number): void {
    this.gc.allocationPass(thread, top);
  }

  /** A translation's return from a function with closures: its open upvalues closed. */
  tierCloseUpvalues(thread: Coroutine, level: number): void {
    this.closeUpvalues(thread, level);
  }

  // ---- the loop -----------------------------------------------------------------------------

  /** Calls stack[func] with `nargs` arguments as the entry of a run, then runs the loop. */
  private runFrom(thread: Coroutine, stopDepth: number, func: number, nargs: number): number {
    let status: number;
    try {
      status = this.callAt(thread, func, nargs, func, -1, F_ENTRY, C_NONE, 0);
    } catch (e) {
      status = this.handleError(e, thread, stopDepth);
    }
    if (status === STOP || status === SUSPEND) return status;
    return this.execute(thread, stopDepth);
  }

  /** Runs the loop until the run's entry frame returns (STOP) or it suspends, recovering from errors. */
  private execute(entry: Coroutine, stopDepth: number): number {
    for (;;) {
      try {
        return this.run();
      } catch (e) {
        const status = this.handleError(e, entry, stopDepth);
        if (status === STOP || status === SUSPEND) return status;
      }
    }
  }

  /** The dispatch loop. Returns STOP or SUSPEND; throws errors for `execute` to handle. */
  private run(): number {
    let count = this.countdown;
    try {
      newframe: for (;;) {
        const thread = this.current;
        const stack = thread.stack;
        const frame = thread.frames[thread.depth - 1];
        const closure = frame.closure!;
        const proto = closure.proto;
        const code = proto.code;
        const k = proto.constants as LuaValue[];
        const upvals = closure.upvalues;
        const base = frame.base;
        let pc = frame.pc;
        // The second tier (tier.ts): a hot function's translation runs the frame while no debug
        // hook is set, and gives it back here to go on from frame.pc (or to reload the frame).
        const tier = proto.tier;
        if (tier !== undefined) {
          if (tier !== null && thread.hookMask === 0) {
            this.countdown = count;
            this.tierNest = 0;
            let status: number;
            try {
              status = tier(this as unknown as TierHost, thread, frame, stack, base, k, upvals);
            } catch (e) {
              count = this.countdown;
              throw e;
            }
            count = this.countdown;
            if (status !== BAIL) {
              if (status === SUSPENDED) return SUSPEND;
              if (status === STOPPED) return STOP;
              continue newframe;
            }
            pc = frame.pc;
          }
        } else if (this.tierAt > 0 && thread.hookMask === 0 && (proto.hotness = proto.hotness + 1) >= this.tierAt) {
          // (Not under a debug hook: its events are decided instruction by instruction, and the
          // step hook asked for below would move the countdown they rely on.)
          proto.tier = translate(proto);
          // Translating took a moment of the host's: its step hook (the sandbox's clock, and its
          // turn for the event loop) comes at the next instruction.
          this.countdown = count;
          this.hookSoon();
          count = this.countdown;
          continue newframe;
        }
        for (;;) {
          if (--count < 0) {
            frame.pc = pc;
            this.countdown = count;
            count = this.onCount(frame);
            if (count < 0) {
              count = 0;
              return SUSPEND;
            }
          }
          const i = code[pc++];
          const a = (i >>> 6) & 0xff;
          switch (i & 0x3f) {
            case Op.MOVE:
              stack[base + a] = stack[base + ((i >>> 23) & 0x1ff)];
              break;
            case Op.LOADK:
              stack[base + a] = k[i >>> 14];
              break;
            case Op.LOADKX:
              stack[base + a] = k[code[pc++] >>> 6];
              break;
            case Op.LOADBOOL:
              stack[base + a] = ((i >>> 23) & 0x1ff) !== 0;
              if (((i >>> 14) & 0x1ff) !== 0) pc++;
              break;
            case Op.LOADNIL: {
              const b = (i >>> 23) & 0x1ff;
              for (let r = 0; r <= b; r++) stack[base + a + r] = undefined;
              break;
            }
            case Op.GETUPVAL: {
              const up = upvals[(i >>> 23) & 0x1ff];
              stack[base + a] = up.stack !== undefined ? up.stack[up.index] : up.value;
              break;
            }
            case Op.GETTABUP: {
              const up = upvals[(i >>> 23) & 0x1ff];
              const t = up.stack !== undefined ? up.stack[up.index] : up.value;
              const c = (i >>> 14) & 0x1ff;
              const key = c & 0x100 ? k[c & 0xff] : stack[base + c];
              if (t instanceof LuaTable) {
                const v = typeof key === 'string' ? t.getStr(key) : t.get(key);
                if (v !== undefined || t.metatable === undefined) {
                  stack[base + a] = v;
                  break;
                }
              }
              frame.pc = pc;
              // A long chain is charged (getSlow): the loop's countdown goes and comes back with it.
              this.countdown = count;
              const v = this.getSlow(t, key, UPVAL + ((i >>> 23) & 0x1ff));
              count = this.countdown;
              if (v !== PENDING) {
                stack[base + a] = v;
                break;
              }
              this.countdown = count;
              this.callMeta(thread, frame, base + a, 1, C_NONE, 0);
              count = this.countdown;
              continue newframe;
            }
            case Op.GETTABLE: {
              const b = (i >>> 23) & 0x1ff;
              const t = stack[base + b];
              const c = (i >>> 14) & 0x1ff;
              const key = c & 0x100 ? k[c & 0xff] : stack[base + c];
              if (t instanceof LuaTable) {
                const v = typeof key === 'string' ? t.getStr(key) : t.get(key);
                if (v !== undefined || t.metatable === undefined) {
                  stack[base + a] = v;
                  break;
                }
              }
              frame.pc = pc;
              // A long chain is charged (getSlow): the loop's countdown goes and comes back with it.
              this.countdown = count;
              const v = this.getSlow(t, key, b);
              count = this.countdown;
              if (v !== PENDING) {
                stack[base + a] = v;
                break;
              }
              this.countdown = count;
              this.callMeta(thread, frame, base + a, 1, C_NONE, 0);
              count = this.countdown;
              continue newframe;
            }
            case Op.SETTABUP: {
              const up = upvals[a];
              const t = up.stack !== undefined ? up.stack[up.index] : up.value;
              const b = (i >>> 23) & 0x1ff;
              const c = (i >>> 14) & 0x1ff;
              const key = b & 0x100 ? k[b & 0xff] : stack[base + b];
              const value = c & 0x100 ? k[c & 0xff] : stack[base + c];
              if (t instanceof LuaTable && t.metatable === undefined && typeof key === 'string') {
                t.setStr(key, value);
                break;
              }
              frame.pc = pc;
              this.countdown = count;
              const set = this.setSlow(t, key, value, UPVAL + a);
              count = this.countdown;
              if (set !== PENDING) break;
              this.countdown = count;
              this.callMeta(thread, frame, 0, 0, C_NONE, 0);
              count = this.countdown;
              continue newframe;
            }
            case Op.SETUPVAL: {
              const up = upvals[(i >>> 23) & 0x1ff];
              if (up.stack !== undefined) up.stack[up.index] = stack[base + a];
              else up.value = stack[base + a];
              break;
            }
            case Op.SETTABLE: {
              const t = stack[base + a];
              const b = (i >>> 23) & 0x1ff;
              const c = (i >>> 14) & 0x1ff;
              const key = b & 0x100 ? k[b & 0xff] : stack[base + b];
              const value = c & 0x100 ? k[c & 0xff] : stack[base + c];
              if (t instanceof LuaTable && t.metatable === undefined) {
                if (typeof key === 'string') {
                  t.setStr(key, value);
                  break;
                }
                if (typeof key === 'number' && key === key) {
                  t.set(key, value);
                  break;
                }
              }
              frame.pc = pc;
              this.countdown = count;
              const set = this.setSlow(t, key, value, a);
              count = this.countdown;
              if (set !== PENDING) break;
              this.countdown = count;
              this.callMeta(thread, frame, 0, 0, C_NONE, 0);
              count = this.countdown;
              continue newframe;
            }
            case Op.NEWTABLE:
              stack[base + a] = new LuaTable();
              if ((this.allocated += SIZE.table) >= this.gcThreshold) {
                frame.pc = pc;
                this.countdown = count;
                this.gc.allocationPass(thread, base + a + 1);
                count = this.countdown;
              }
              break;
            case Op.SELF: {
              const b = (i >>> 23) & 0x1ff;
              const obj = stack[base + b];
              const c = (i >>> 14) & 0x1ff;
              const key = c & 0x100 ? k[c & 0xff] : stack[base + c];
              stack[base + a + 1] = obj;
              if (obj instanceof LuaTable && typeof key === 'string') {
                let v = obj.getStr(key);
                if (v !== undefined) {
                  stack[base + a] = v;
                  break;
                }
                // A class table as `__index`: the usual shape of methods.
                const mt = obj.metatable;
                if (mt === undefined) {
                  stack[base + a] = undefined;
                  break;
                }
                const idx = mt.getStr('__index');
                if (idx instanceof LuaTable) {
                  v = idx.getStr(key);
                  if (v !== undefined || idx.metatable === undefined) {
                    stack[base + a] = v;
                    break;
                  }
                }
              }
              frame.pc = pc;
              // A long chain is charged (getSlow): the loop's countdown goes and comes back with it.
              this.countdown = count;
              const v = this.getSlow(obj, key, b);
              count = this.countdown;
              if (v !== PENDING) {
                stack[base + a] = v;
                break;
              }
              this.countdown = count;
              this.callMeta(thread, frame, base + a, 1, C_NONE, 0);
              count = this.countdown;
              continue newframe;
            }
            case Op.ADD: {
              const b = (i >>> 23) & 0x1ff;
              const c = (i >>> 14) & 0x1ff;
              const x = b & 0x100 ? k[b & 0xff] : stack[base + b];
              const y = c & 0x100 ? k[c & 0xff] : stack[base + c];
              if (typeof x === 'number' && typeof y === 'number') {
                const r = x + y;
                if (Number.isInteger(r)) {
                  if (Number.isInteger(x) && Number.isInteger(y)) {
                    stack[base + a] = r <= 9007199254740991 && r >= -9007199254740991 ? r : intAdd(x, y);
                  } else {
                    stack[base + a] = new LFloat(r);
                  }
                } else {
                  stack[base + a] = r;
                }
                break;
              }
              // A boxed (integral) float with a number: the float operation, without the slow path.
              const fx = floatOperand(x);
              const fy = fx === undefined ? undefined : floatOperand(y);
              if (fy !== undefined) {
                const r = fx! + fy;
                stack[base + a] = Number.isInteger(r) ? new LFloat(r) : r;
                break;
              }
              frame.pc = pc;
              count = this.chargeNumerals(count, x, y);
              const v = this.arithSlow(Op.ADD, x, y, i);
              if (v !== PENDING) {
                stack[base + a] = v;
                break;
              }
              this.countdown = count;
              this.callMeta(thread, frame, base + a, 1, C_NONE, 0);
              count = this.countdown;
              continue newframe;
            }
            case Op.SUB: {
              const b = (i >>> 23) & 0x1ff;
              const c = (i >>> 14) & 0x1ff;
              const x = b & 0x100 ? k[b & 0xff] : stack[base + b];
              const y = c & 0x100 ? k[c & 0xff] : stack[base + c];
              if (typeof x === 'number' && typeof y === 'number') {
                const r = x - y;
                if (Number.isInteger(r)) {
                  if (Number.isInteger(x) && Number.isInteger(y)) {
                    stack[base + a] = r <= 9007199254740991 && r >= -9007199254740991 ? r : intSub(x, y);
                  } else {
                    stack[base + a] = new LFloat(r);
                  }
                } else {
                  stack[base + a] = r;
                }
                break;
              }
              // A boxed (integral) float with a number: the float operation, without the slow path.
              const fx = floatOperand(x);
              const fy = fx === undefined ? undefined : floatOperand(y);
              if (fy !== undefined) {
                const r = fx! - fy;
                stack[base + a] = Number.isInteger(r) ? new LFloat(r) : r;
                break;
              }
              frame.pc = pc;
              count = this.chargeNumerals(count, x, y);
              const v = this.arithSlow(Op.SUB, x, y, i);
              if (v !== PENDING) {
                stack[base + a] = v;
                break;
              }
              this.countdown = count;
              this.callMeta(thread, frame, base + a, 1, C_NONE, 0);
              count = this.countdown;
              continue newframe;
            }
            case Op.MUL: {
              const b = (i >>> 23) & 0x1ff;
              const c = (i >>> 14) & 0x1ff;
              const x = b & 0x100 ? k[b & 0xff] : stack[base + b];
              const y = c & 0x100 ? k[c & 0xff] : stack[base + c];
              if (typeof x === 'number' && typeof y === 'number') {
                const r = x * y;
                if (Number.isInteger(r)) {
                  if (Number.isInteger(x) && Number.isInteger(y)) {
                    stack[base + a] = r < 9007199254740992 && r > -9007199254740992 ? (r === 0 ? 0 : r) : intMul(x, y);
                  } else {
                    stack[base + a] = new LFloat(r);
                  }
                } else {
                  stack[base + a] = r;
                }
                break;
              }
              // A boxed (integral) float with a number: the float operation, without the slow path.
              const fx = floatOperand(x);
              const fy = fx === undefined ? undefined : floatOperand(y);
              if (fy !== undefined) {
                const r = fx! * fy;
                stack[base + a] = Number.isInteger(r) ? new LFloat(r) : r;
                break;
              }
              frame.pc = pc;
              count = this.chargeNumerals(count, x, y);
              const v = this.arithSlow(Op.MUL, x, y, i);
              if (v !== PENDING) {
                stack[base + a] = v;
                break;
              }
              this.countdown = count;
              this.callMeta(thread, frame, base + a, 1, C_NONE, 0);
              count = this.countdown;
              continue newframe;
            }
            case Op.DIV: {
              const b = (i >>> 23) & 0x1ff;
              const c = (i >>> 14) & 0x1ff;
              const x = b & 0x100 ? k[b & 0xff] : stack[base + b];
              const y = c & 0x100 ? k[c & 0xff] : stack[base + c];
              if (typeof x === 'number' && typeof y === 'number') {
                const r = x / y;
                stack[base + a] = Number.isInteger(r) ? new LFloat(r) : r;
                break;
              }
              const fx = floatOperand(x);
              const fy = fx === undefined ? undefined : floatOperand(y);
              if (fy !== undefined) {
                const r = fx! / fy;
                stack[base + a] = Number.isInteger(r) ? new LFloat(r) : r;
                break;
              }
              frame.pc = pc;
              count = this.chargeNumerals(count, x, y);
              const v = this.arithSlow(Op.DIV, x, y, i);
              if (v !== PENDING) {
                stack[base + a] = v;
                break;
              }
              this.countdown = count;
              this.callMeta(thread, frame, base + a, 1, C_NONE, 0);
              count = this.countdown;
              continue newframe;
            }
            case Op.MOD: {
              const b = (i >>> 23) & 0x1ff;
              const c = (i >>> 14) & 0x1ff;
              const x = b & 0x100 ? k[b & 0xff] : stack[base + b];
              const y = c & 0x100 ? k[c & 0xff] : stack[base + c];
              if (typeof x === 'number' && typeof y === 'number' && Number.isInteger(x) && Number.isInteger(y) && y !== 0) {
                let r = x % y;
                if (r !== 0 && (r < 0) !== (y < 0)) r += y;
                stack[base + a] = r === 0 ? 0 : r;
                break;
              }
              frame.pc = pc;
              count = this.chargeNumerals(count, x, y);
              const v = this.arithSlow(Op.MOD, x, y, i);
              if (v !== PENDING) {
                stack[base + a] = v;
                break;
              }
              this.countdown = count;
              this.callMeta(thread, frame, base + a, 1, C_NONE, 0);
              count = this.countdown;
              continue newframe;
            }
            case Op.POW: case Op.IDIV:
            case Op.BAND: case Op.BOR: case Op.BXOR: case Op.SHL: case Op.SHR: {
              const b = (i >>> 23) & 0x1ff;
              const c = (i >>> 14) & 0x1ff;
              const x = b & 0x100 ? k[b & 0xff] : stack[base + b];
              const y = c & 0x100 ? k[c & 0xff] : stack[base + c];
              frame.pc = pc;
              count = this.chargeNumerals(count, x, y);
              const v = this.arithSlow(i & 0x3f, x, y, i);
              if (v !== PENDING) {
                stack[base + a] = v;
                break;
              }
              this.countdown = count;
              this.callMeta(thread, frame, base + a, 1, C_NONE, 0);
              count = this.countdown;
              continue newframe;
            }
            case Op.UNM: {
              const x = stack[base + ((i >>> 23) & 0x1ff)];
              if (typeof x === 'number') {
                stack[base + a] = x === 0 && Number.isInteger(x) ? 0 : -x;
                break;
              }
              if (x instanceof LFloat) {
                stack[base + a] = new LFloat(-x.n);
                break;
              }
              frame.pc = pc;
              count = this.chargeNumerals(count, x, x);
              const v = this.arithSlow(Op.UNM, x, x, i);
              if (v !== PENDING) {
                stack[base + a] = v;
                break;
              }
              this.countdown = count;
              this.callMeta(thread, frame, base + a, 1, C_NONE, 0);
              count = this.countdown;
              continue newframe;
            }
            case Op.BNOT: {
              const x = stack[base + ((i >>> 23) & 0x1ff)];
              frame.pc = pc;
              count = this.chargeNumerals(count, x, x);
              const v = this.arithSlow(Op.BNOT, x, x, i);
              if (v !== PENDING) {
                stack[base + a] = v;
                break;
              }
              this.countdown = count;
              this.callMeta(thread, frame, base + a, 1, C_NONE, 0);
              count = this.countdown;
              continue newframe;
            }
            case Op.NOT: {
              const x = stack[base + ((i >>> 23) & 0x1ff)];
              stack[base + a] = x === undefined || x === false;
              break;
            }
            case Op.LEN: {
              const b = (i >>> 23) & 0x1ff;
              const x = stack[base + b];
              if (typeof x === 'string') {
                stack[base + a] = x.length;
                break;
              }
              if (x instanceof LuaTable && x.metatable === undefined) {
                stack[base + a] = x.length();
                break;
              }
              frame.pc = pc;
              const v = this.lengthSlow(x, b);
              if (v !== PENDING) {
                stack[base + a] = v;
                break;
              }
              this.countdown = count;
              this.callMeta(thread, frame, base + a, 1, C_NONE, 0);
              count = this.countdown;
              continue newframe;
            }
            case Op.CONCAT: {
              const b = (i >>> 23) & 0x1ff;
              const c = (i >>> 14) & 0x1ff;
              let s = '';
              let r = b;
              for (; r <= c; r++) {
                const v = stack[base + r];
                if (typeof v === 'string') s += v;
                else if (typeof v === 'number' || typeof v === 'bigint' || v instanceof LFloat) s += numberToString(v);
                else break;
              }
              if (r > c) {
                stack[base + a] = s;
                if (s.length > LONG_STRING) {
                  frame.pc = pc;
                  count = this.chargeLong(count, s.length);
                }
                if ((this.allocated += SIZE.string + s.length) >= this.gcThreshold) {
                  frame.pc = pc;
                  this.countdown = count;
                  this.gc.allocationPass(thread, base + (a >= b ? a + 1 : b));
                  count = this.countdown;
                }
                break;
              }
              frame.pc = pc;
              this.countdown = count;
              const status = this.concatStep(thread, frame, base + c);
              count = this.countdown;
              if (status === SAME) break;
              continue newframe;
            }
            case Op.JMP: {
              if (a !== 0) this.closeUpvalues(thread, base + a - 1);
              const offset = (i >>> 14) - 131071;
              pc += offset;
              if (offset < 0 && this.tierAt > 0 && this.backEdge(proto, thread)) {
                frame.pc = pc;
                continue newframe;
              }
              break;
            }
            case Op.EQ: {
              const b = (i >>> 23) & 0x1ff;
              const c = (i >>> 14) & 0x1ff;
              const x = b & 0x100 ? k[b & 0xff] : stack[base + b];
              const y = c & 0x100 ? k[c & 0xff] : stack[base + c];
              let eq: boolean;
              if (x === y) {
                eq = true;
                if (typeof x === 'string' && x.length > LONG_STRING) {
                  frame.pc = pc;
                  count = this.chargeLong(count, x.length);
                }
              } else if (typeof x === 'number' && typeof y === 'number') eq = false;
              else if (x instanceof LFloat && (typeof y === 'number' || y instanceof LFloat)) eq = x.n === floatOperand(y);
              else if (y instanceof LFloat && typeof x === 'number') eq = x === y.n;
              else {
                frame.pc = pc;
                if (typeof x === 'string' && typeof y === 'string' && x.length > LONG_STRING) count = this.chargeLong(count, x.length);
                const r = this.equalSlow(x, y);
                if (r === PENDING) {
                  this.countdown = count;
                  this.callMeta(thread, frame, frame.top, 1, C_COMPARE, 0);
                  count = this.countdown;
                  continue newframe;
                }
                eq = r;
              }
              if (eq !== (a !== 0)) pc++;
              break;
            }
            case Op.LT: {
              const b = (i >>> 23) & 0x1ff;
              const c = (i >>> 14) & 0x1ff;
              const x = b & 0x100 ? k[b & 0xff] : stack[base + b];
              const y = c & 0x100 ? k[c & 0xff] : stack[base + c];
              let lt: boolean;
              if (typeof x === 'number' && typeof y === 'number') lt = x < y;
              else if (x instanceof LFloat && (typeof y === 'number' || y instanceof LFloat)) lt = x.n < floatOperand(y)!;
              else if (y instanceof LFloat && typeof x === 'number') lt = x < y.n;
              else {
                frame.pc = pc;
                if (typeof x === 'string' && typeof y === 'string' && x.length > LONG_STRING) count = this.chargeLong(count, x.length);
                const r = this.lessSlow(x, y);
                if (r === PENDING) {
                  this.countdown = count;
                  this.callMeta(thread, frame, frame.top, 1, C_COMPARE, 0);
                  count = this.countdown;
                  continue newframe;
                }
                lt = r;
              }
              if (lt !== (a !== 0)) pc++;
              break;
            }
            case Op.LE: {
              const b = (i >>> 23) & 0x1ff;
              const c = (i >>> 14) & 0x1ff;
              const x = b & 0x100 ? k[b & 0xff] : stack[base + b];
              const y = c & 0x100 ? k[c & 0xff] : stack[base + c];
              let le: boolean;
              if (typeof x === 'number' && typeof y === 'number') le = x <= y;
              else if (x instanceof LFloat && (typeof y === 'number' || y instanceof LFloat)) le = x.n <= floatOperand(y)!;
              else if (y instanceof LFloat && typeof x === 'number') le = x <= y.n;
              else {
                frame.pc = pc;
                if (typeof x === 'string' && typeof y === 'string' && x.length > LONG_STRING) count = this.chargeLong(count, x.length);
                const r = this.lessEqualSlow(x, y);
                if (r === PENDING || r === NEGATED_PENDING) {
                  this.countdown = count;
                  this.callMeta(thread, frame, frame.top, 1, C_COMPARE, r === NEGATED_PENDING ? 1 : 0);
                  count = this.countdown;
                  continue newframe;
                }
                le = r;
              }
              if (le !== (a !== 0)) pc++;
              break;
            }
            case Op.TEST: {
              const v = stack[base + a];
              if ((((i >>> 14) & 0x1ff) !== 0) === (v === undefined || v === false)) pc++;
              break;
            }
            case Op.TESTSET: {
              const v = stack[base + ((i >>> 23) & 0x1ff)];
              if ((((i >>> 14) & 0x1ff) !== 0) === (v === undefined || v === false)) pc++;
              else stack[base + a] = v;
              break;
            }
            case Op.CALL: {
              const b = (i >>> 23) & 0x1ff;
              const func = base + a;
              const nargs = b !== 0 ? b - 1 : thread.top - func - 1;
              const fn = stack[func];
              frame.pc = pc;
              if (fn instanceof LuaClosure) {
                this.pushLua(thread, fn, func, nargs, func, ((i >>> 14) & 0x1ff) - 1, 0, C_NONE, 0);
                continue newframe;
              }
              // A native's one- or two-argument fast form (math.sqrt, setmetatable...).
              if (nargs <= 2 && fn instanceof NativeFunction) {
                const r = this.fastCall(thread, fn, nargs, stack[func + 1], stack[func + 2]);
                if (r !== NOT_FAST) {
                  stack[func] = r;
                  const wanted = ((i >>> 14) & 0x1ff) - 1;
                  if (wanted < 0) thread.top = func + 1;
                  else for (let j = 1; j < wanted; j++) stack[func + j] = undefined;
                  break;
                }
              }
              this.countdown = count;
              const status = this.callAt(thread, func, nargs, func, ((i >>> 14) & 0x1ff) - 1, 0, C_NONE, 0);
              count = this.countdown;
              if (status === SAME) break;
              if (status === SUSPEND) return SUSPEND;
              if (status === STOP) return STOP;
              continue newframe;
            }
            case Op.TAILCALL: {
              const b = (i >>> 23) & 0x1ff;
              const func = base + a;
              const nargs = b !== 0 ? b - 1 : thread.top - func - 1;
              const fn = stack[func];
              frame.pc = pc;
              if (fn instanceof LuaClosure) {
                this.tailCall(thread, frame, fn, func, nargs);
                continue newframe;
              }
              // A native's fast form, as for CALL: its one result, which the RETURN after returns.
              if (nargs <= 2 && fn instanceof NativeFunction) {
                const r = this.fastCall(thread, fn, nargs, stack[func + 1], stack[func + 2]);
                if (r !== NOT_FAST) {
                  stack[func] = r;
                  thread.top = func + 1;
                  break;
                }
              }
              // A native or `__call`: an ordinary call for all results; the RETURN that follows
              // every TAILCALL returns them.
              this.countdown = count;
              const status = this.callAt(thread, func, nargs, func, -1, 0, C_NONE, 0);
              count = this.countdown;
              if (status === SAME) break;
              if (status === SUSPEND) return SUSPEND;
              if (status === STOP) return STOP;
              continue newframe;
            }
            case Op.RETURN: {
              const b = (i >>> 23) & 0x1ff;
              const from = base + a;
              const n = b !== 0 ? b - 1 : thread.top - from;
              if ((frame.flags | frame.cont) === 0) {
                if (proto.protos.length > 0) this.closeUpvalues(thread, base);
                const ret = frame.ret;
                const wanted = frame.nresults;
                if (wanted < 0) {
                  for (let j = 0; j < n; j++) stack[ret + j] = stack[from + j];
                  thread.top = ret + n;
                } else {
                  let j = 0;
                  for (; j < n && j < wanted; j++) stack[ret + j] = stack[from + j];
                  for (; j < wanted; j++) stack[ret + j] = undefined;
                }
                thread.depth--;
                continue newframe;
              }
              frame.pc = pc;
              this.countdown = count;
              const status = this.returnValues(thread, frame, from, n);
              count = this.countdown;
              if (status === STOP) return STOP;
              if (status === SUSPEND) return SUSPEND;
              continue newframe;
            }
            case Op.FORLOOP: {
              const idx = stack[base + a];
              const step = stack[base + a + 2];
              if (typeof idx === 'number' && typeof step === 'number') {
                if (Number.isInteger(idx)) {
                  let next: LuaInteger = idx + step;
                  if (next > 9007199254740991 || next < -9007199254740991) next = intAdd(idx, step);
                  // The limit may be a bigint; JS compares numbers with bigints exactly.
                  const limit = stack[base + a + 1] as number;
                  if (step > 0 ? next <= limit : limit <= next) {
                    stack[base + a] = next;
                    stack[base + a + 3] = next;
                    pc += (i >>> 14) - 131071;
                    if (this.tierAt > 0 && this.backEdge(proto, thread)) {
                      frame.pc = pc;
                      continue newframe;
                    }
                  }
                  break;
                }
              }
              const more = forLoopSlow(stack, base + a);
              if (more === undefined) {
                // Only a crafted chunk (or a debugger writing the loop's hidden locals) gets here.
                frame.pc = pc;
                throw this.runError("'for' loop state is not a number");
              }
              if (more) pc += (i >>> 14) - 131071;
              break;
            }
            case Op.FORPREP: {
              frame.pc = pc;
              this.forPrep(stack, base + a);
              pc += (i >>> 14) - 131071;
              break;
            }
            case Op.TFORCALL: {
              const c = (i >>> 14) & 0x1ff;
              const cb = base + a + 3;
              const fn = stack[base + a];
              stack[cb] = fn;
              stack[cb + 1] = stack[base + a + 1];
              stack[cb + 2] = stack[base + a + 2];
              frame.pc = pc;
              if (fn === this.builtinNext && fn !== undefined && thread.hookMask === 0) {
                // `pairs`: the generic for calls `next` inline (a call like any other under a debug hook).
                const t = stack[cb + 1];
                if (t instanceof LuaTable) {
                  const entry = t.next(stack[cb + 2]);
                  if (entry !== undefined) {
                    if (entry === false) {
                      for (let j = 0; j < c; j++) stack[cb + j] = undefined;
                    } else {
                      stack[cb] = entry[0];
                      if (c > 1) stack[cb + 1] = entry[1];
                      for (let j = 2; j < c; j++) stack[cb + j] = undefined;
                    }
                    break;
                  }
                }
              }
              if (fn instanceof LuaClosure) {
                this.pushLua(thread, fn, cb, 2, cb, c, 0, C_NONE, 0);
                continue newframe;
              }
              this.countdown = count;
              const status = this.callAt(thread, cb, 2, cb, c, 0, C_NONE, 0);
              count = this.countdown;
              if (status === SAME) break;
              if (status === SUSPEND) return SUSPEND;
              if (status === STOP) return STOP;
              continue newframe;
            }
            case Op.TFORLOOP: {
              const v = stack[base + a + 1];
              if (v !== undefined) {
                stack[base + a] = v;
                pc += (i >>> 14) - 131071;
                if (this.tierAt > 0 && this.backEdge(proto, thread)) {
                  frame.pc = pc;
                  continue newframe;
                }
              }
              break;
            }
            case Op.SETLIST: {
              let n = (i >>> 23) & 0x1ff;
              let c = (i >>> 14) & 0x1ff;
              if (n === 0) n = thread.top - (base + a) - 1;
              if (c === 0) c = code[pc++] >>> 6;
              const t = stack[base + a];
              if (!(t instanceof LuaTable)) {
                // luac always puts the table there; a crafted chunk may not.
                frame.pc = pc;
                throw this.runError('SETLIST on a non-table value');
              }
              t.setList((c - 1) * FIELDS_PER_FLUSH + 1, stack, base + a + 1, n);
              break;
            }
            case Op.CLOSURE:
              stack[base + a] = this.makeClosure(thread, closure, proto.protos[i >>> 14], base);
              if (this.allocated >= this.gcThreshold) {
                frame.pc = pc;
                this.countdown = count;
                this.gc.allocationPass(thread, base + a + 1);
                count = this.countdown;
              }
              break;
            case Op.VARARG: {
              const b = (i >>> 23) & 0x1ff;
              const nv = frame.nvarargs;
              const vb = frame.varargBase;
              if (b === 0) {
                if (base + a + nv + EXTRA_STACK > stack.length) {
                  frame.pc = pc;
                  this.ensureStack(thread, base + a + nv + EXTRA_STACK);
                }
                for (let j = 0; j < nv; j++) stack[base + a + j] = stack[vb + j];
                thread.top = base + a + nv;
              } else {
                for (let j = 0; j < b - 1; j++) stack[base + a + j] = j < nv ? stack[vb + j] : undefined;
              }
              break;
            }
            default:
              frame.pc = pc;
              throw this.runError(`invalid instruction (opcode ${i & 0x3f})`);
          }
        }
      }
    } finally {
      this.countdown = count;
    }
  }

  /**
   * Calls the metamethod found by a slow path (mmFn with mmN arguments) for the instruction of
   * `frame`: its result goes to `ret` (`nresults` 1, or 0 for `__newindex`), then `cont` finishes
   * the instruction. The call is placed above the frame's registers.
   */
  private callMeta(thread: Coroutine, frame: CallFrame, ret: number, nresults: number, cont: number, contData: number): number {
    if (thread.cCalls >= MAX_C_CALLS) throw this.stackError('C stack overflow');
    const func = frame.top;
    const stack = thread.stack;
    this.ensureStack(thread, func + 4 + EXTRA_STACK);
    const n = this.mmN;
    stack[func] = this.mmFn;
    stack[func + 1] = this.mmA;
    stack[func + 2] = this.mmB;
    if (n === 3) stack[func + 3] = this.mmC;
    this.mmFn = this.mmA = this.mmB = this.mmC = undefined;
    if (cont === C_COMPARE) ret = func;
    thread.cCalls++;
    return this.callAt(thread, func, n, ret, nresults, F_META, cont, contData);
  }

  /**
   * OP_CONCAT from the right (luaV_concat): `top` is the stack index of the last value not yet
   * folded; values from register B to `top` remain. Strings and numbers are joined in runs; a
   * pair with another value goes to `__concat` (a meta frame whose return comes back here).
   * Returns SAME when the instruction finished without a call, RELOAD otherwise.
   */
  private concatStep(thread: Coroutine, frame: CallFrame, top: number): number {
    const stack = thread.stack;
    const i = frame.closure!.proto.code[frame.pc - 1];
    const first = frame.base + ((i >>> 23) & 0x1ff);
    while (top > first) {
      const right = stack[top];
      const left = stack[top - 1];
      if (!(typeof left === 'string' || isNumberValue(left)) || !(typeof right === 'string' || isNumberValue(right))) {
        let handler = this.metamethod(left, '__concat');
        if (handler === undefined) handler = this.metamethod(right, '__concat');
        if (handler === undefined) {
          const badIsLeft = !(typeof left === 'string' || isNumberValue(left));
          const reg = (badIsLeft ? top - 1 : top) - frame.base;
          throw this.operandError(badIsLeft ? left : right, 'concatenate', reg);
        }
        this.mmFn = handler;
        this.mmA = left;
        this.mmB = right;
        this.mmN = 2;
        // The result replaces the pair's left value; then concatenation goes on from there.
        const status = this.callMetaConcat(thread, frame, top - 1);
        if (status !== SAME) return status;
        top--;
        continue;
      }
      // Join as many strings and numbers as there are in a row.
      let s = concatText(right);
      let j = top - 1;
      for (; j >= first; j--) {
        const v = stack[j];
        if (typeof v === 'string') s = v + s;
        else if (isNumberValue(v)) s = numberToString(v as LuaNumber) + s;
        else break;
      }
      stack[j + 1] = s;
      top = j + 1;
    }
    stack[frame.base + ((i >>> 6) & 0xff)] = stack[first];
    return SAME;
  }

  /** A `__concat` call of concatStep: a Lua handler gets a meta frame (RELOAD); a native runs now (SAME). */
  private callMetaConcat(thread: Coroutine, frame: CallFrame, left: number): number {
    if (this.mmFn instanceof LuaClosure) return this.callMeta(thread, frame, left, 1, C_CONCAT, left);
    const v = this.callPending();
    thread.stack[left] = v;
    return SAME;
  }

  // ---- numeric for ----------------------------------------------------------------------------

  /**
   * OP_FORPREP: an integer loop when the initial value and the step are integers (the limit is
   * then clipped to an integer, floor or ceiling by the step's sign); a float loop otherwise.
   */
  private forPrep(stack: LuaValue[], ra: number): void {
    const init = stack[ra];
    const step = stack[ra + 2];
    if (isInteger(init) && isInteger(step)) {
      const limit = forLimit(stack[ra + 1], step);
      if (limit !== undefined) {
        stack[ra + 1] = limit[0];
        stack[ra] = intSub(limit[1] ? 0 : init, step);
        return;
      }
    }
    const limit = this.toNumber(stack[ra + 1]);
    if (limit === undefined) throw this.runError("'for' limit must be a number");
    const fstep = this.toNumber(step);
    if (fstep === undefined) throw this.runError("'for' step must be a number");
    const finit = this.toNumber(init);
    if (finit === undefined) throw this.runError("'for' initial value must be a number");
    const s = toFloatValue(fstep);
    stack[ra + 1] = float(toFloatValue(limit));
    stack[ra + 2] = float(s);
    stack[ra] = float(toFloatValue(finit) - s);
  }
}

const NEGATED_PENDING: unique symbol = Symbol('negated pending metamethod call');
/** `desc` values: registers are 0..255; upvalues UPVAL + index; NO_DESC names nothing. */
const UPVAL = 0x1000;
const NO_DESC = -1;

function describe(name: ObjName | undefined): string {
  return name === undefined ? '' : ` (${name.kind} '${name.name}')`;
}

/** The line a Lua frame is at: of the instruction it is running (frame.pc - 1). */
export function currentLine(frame: CallFrame): number {
  const proto = frame.closure!.proto;
  if (proto.lineInfo.length === 0 && proto.code.length > 0) return -1;
  const pc = frame.pc > 0 ? frame.pc - 1 : 0;
  // A stripped chunk has no line information: -1, as PUC reports it.
  return proto.lineInfo[pc] ?? -1;
}

/**
 * Whether the instruction at frame.pc is the jump of a test (EQ, LT, LE, TEST, TESTSET): PUC
 * carries it out with the test without fetching it, so debug hooks neither count nor trace it.
 */
function isTestJump(frame: CallFrame): boolean {
  const pc = frame.pc;
  if (pc === 0) return false;
  const code = frame.closure!.proto.code;
  return (code[pc] & 0x3f) === Op.JMP && OP_INFO[code[pc - 1] & 0x3f].test;
}

/** A Lua function's frame as a call makes it (the fixed parameters at `base`, the extra arguments below it). */
function luaFrame(frame: CallFrame, fn: LuaClosure, func: number, base: number, nargs: number, ret: number, nresults: number, flags: number, cont: number, contData: number): void {
  const np = fn.proto.numParams;
  fillFrame(frame, fn, undefined, func, base, base + fn.proto.maxStackSize, func + 1 + np, nargs > np ? nargs - np : 0, ret, nresults, flags, cont, contData);
}

/** Fills a frame for a call just made (at its first instruction). */
function fillFrame(frame: CallFrame, closure: LuaClosure | undefined, native: NativeFunction | undefined, func: number, base: number, top: number, varargBase: number, nvarargs: number, ret: number, nresults: number, flags: number, cont: number, contData: number): void {
  frame.closure = closure;
  frame.native = native;
  frame.func = func;
  frame.base = base;
  frame.top = top;
  frame.varargBase = varargBase;
  frame.nvarargs = nvarargs;
  frame.pc = 0;
  frame.ret = ret;
  frame.nresults = nresults;
  frame.flags = flags;
  frame.cont = cont;
  frame.contData = contData;
  frame.tail = false;
}

function growStack(stack: LuaValue[], size: number): void {
  // Grow in steps (pushing keeps the array packed).
  const target = Math.max(size, Math.min(stack.length * 2, MAX_STACK + 2 * EXTRA_STACK));
  growth.bytes += (target - stack.length) * SIZE.slot;
  while (stack.length < target) stack.push(undefined);
}

/** A JS exception from a native (or the engine) as a Lua error: a host failure, or a JS stack overflow. */
function hostError(e: unknown): LuaError {
  if (e instanceof LuaError) return e;
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    const err = new LuaError('stack overflow (JavaScript call stack)');
    err.kind = 'stack';
    return err;
  }
  // A string or array beyond what the JS engine can hold: Lua's memory error.
  if (e instanceof RangeError && /Invalid (string|array) length|Array buffer allocation failed/i.test(e.message)) {
    const err = new LuaError('not enough memory');
    err.kind = 'memory';
    return err;
  }
  const message = e instanceof Error ? e.message : String(e);
  const err = new LuaError(message);
  err.kind = 'host';
  err.cause = e;
  return err;
}

/** The metamethod of each arithmetic and bitwise opcode (ADD..BNOT are consecutive): `__add`… */
const ARITH_EVENTS: string[] = [];
for (let op = Op.ADD; op <= Op.BNOT; op++) ARITH_EVENTS[op] = `__${META_EVENT[op]}`;

/** An arithmetic operand as a number: numbers as they are, numeric strings as floats. */
function arithOperand(v: LuaValue): LuaNumber | undefined {
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof LFloat) return v;
  if (typeof v === 'string') {
    const n = stringToNumber(v);
    return n === undefined ? undefined : float(toFloatValue(n));
  }
  return undefined;
}

export function isNumberValue(v: LuaValue): boolean {
  return typeof v === 'number' || typeof v === 'bigint' || v instanceof LFloat;
}

function concatText(v: LuaValue): string {
  return typeof v === 'string' ? v : numberToString(v as LuaNumber);
}

function numEquals(a: LuaNumber, b: LuaNumber): boolean {
  const x = a instanceof LFloat ? a.n : a;
  const y = b instanceof LFloat ? b.n : b;
  return x == y; // eslint-disable-line eqeqeq
}

/**
 * Arithmetic on two numbers with Lua's subtype rules; undefined for an integer division or modulo
 * by zero, or a bitwise operation on a float without an integer value.
 */
export function arithNumbers(op: Op, x: LuaNumber, y: LuaNumber): LuaValue | undefined {
  switch (op) {
    case Op.BAND: case Op.BOR: case Op.BXOR: case Op.SHL: case Op.SHR: case Op.BNOT: {
      const a = toInteger(x);
      const b = toInteger(y);
      if (a === undefined || b === undefined) return undefined;
      switch (op) {
        case Op.BAND: return intAnd(a, b);
        case Op.BOR: return intOr(a, b);
        case Op.BXOR: return intXor(a, b);
        case Op.SHL: return intShl(a, b);
        case Op.SHR: return intShr(a, b);
        default: return intNot(a);
      }
    }
    case Op.DIV:
      return float(toFloatValue(x) / toFloatValue(y));
    case Op.POW:
      return float(floatPow(toFloatValue(x), toFloatValue(y)));
    default:
      break;
  }
  if (isInteger(x) && isInteger(y)) {
    switch (op) {
      case Op.ADD: return intAdd(x, y);
      case Op.SUB: return intSub(x, y);
      case Op.MUL: return intMul(x, y);
      case Op.IDIV: return intIdiv(x, y);
      case Op.MOD: return intMod(x, y);
      case Op.UNM: return intNeg(x);
    }
  }
  const a = toFloatValue(x);
  const b = toFloatValue(y);
  switch (op) {
    case Op.ADD: return float(a + b);
    case Op.SUB: return float(a - b);
    case Op.MUL: return float(a * b);
    case Op.IDIV: return float(floatIdiv(a, b));
    case Op.MOD: return float(floatMod(a, b));
    case Op.UNM: return float(-a);
  }
  return undefined;
}

/**
 * OP_FORLOOP off the fast path (big integers, float loops); true when the loop goes on, undefined
 * when the loop's state is not numbers.
 */
function forLoopSlow(stack: LuaValue[], ra: number): boolean | undefined {
  if (!isNumberValue(stack[ra]) || !isNumberValue(stack[ra + 1]) || !isNumberValue(stack[ra + 2])) return undefined;
  const idx = stack[ra] as LuaNumber;
  const step = stack[ra + 2] as LuaNumber;
  const limit = stack[ra + 1] as LuaNumber;
  if (isInteger(idx)) {
    const next = intAdd(idx, step as LuaInteger);
    if ((step as LuaInteger) > 0 ? next <= (limit as LuaInteger) : (limit as LuaInteger) <= next) {
      stack[ra] = next;
      stack[ra + 3] = next;
      return true;
    }
    return false;
  }
  const s = toFloatValue(step);
  const x = toFloatValue(idx) + s;
  const l = toFloatValue(limit);
  if (s > 0 ? x <= l : l <= x) {
    const v = float(x);
    stack[ra] = v;
    stack[ra + 3] = v;
    return true;
  }
  return false;
}

/**
 * Lua 5.3's forlimit: the integer limit of an integer loop and whether the loop must not run at
 * all (a float limit beyond the integers on the far side); undefined when the limit is not a
 * number (the float path then reports it).
 */
function forLimit(value: LuaValue, step: LuaInteger): [LuaInteger, boolean] | undefined {
  const limit = typeof value === 'string' ? stringToNumber(value) : isNumberValue(value) ? value as LuaNumber : undefined;
  if (limit === undefined) return undefined;
  const exact = toInteger(limit);
  if (exact !== undefined) return [exact, false];
  const f = toFloatValue(limit);
  const rounded = step < 0 ? Math.ceil(f) : Math.floor(f);
  if (rounded >= -(2 ** 63) && rounded < 2 ** 63) return [toInteger(float(rounded))!, false];
  if (0 < f) return [2n ** 63n - 1n, step < 0];
  return [-(2n ** 63n), step >= 0];
}
