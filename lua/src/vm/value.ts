// Lua values in JavaScript:
//
//   nil       undefined
//   boolean   true / false
//   number    see number.ts: JS number (safe integers and non-integral floats), bigint (large
//             integers), LFloat (integral-valued floats)
//   string    a JS string of bytes (each char 0..255), 8-bit clean like Lua's strings
//   table     LuaTable
//   function  LuaClosure (compiled Lua) or NativeFunction (the library and host functions)
//   thread    Coroutine (defined by the interpreter)
//   userdata  Userdata (host objects; none are reachable from scripts unless a host makes them)
//
// Nothing of JavaScript is a Lua value: no JS object, function or prototype key can reach a script.

import { LFloat, numberToString } from './number';
import type { Proto } from './proto';
import { LuaTable } from './table';

export { LFloat, LuaTable };

/** An upvalue: open while its variable lives in a register, closed (holding the value) after. */
export class Upvalue {
  /** The collector's mark: the number of the last pass that reached it (gc.ts). */
  gcMark = 0;
  /** The register array while open; undefined once closed. */
  stack: LuaValue[] | undefined;
  index: number;
  value: LuaValue = undefined;
  constructor(stack: LuaValue[], index: number) {
    this.stack = stack;
    this.index = index;
  }
  /** An upvalue that holds a value from the start (a main chunk's `_ENV`). */
  static closed(value: LuaValue): Upvalue {
    const up = new Upvalue([value], 0);
    up.close();
    return up;
  }
  get(): LuaValue {
    return this.stack !== undefined ? this.stack[this.index] : this.value;
  }
  set(v: LuaValue): void {
    if (this.stack !== undefined) this.stack[this.index] = v;
    else this.value = v;
  }
  close(): void {
    if (this.stack !== undefined) {
      this.value = this.stack[this.index];
      this.stack = undefined;
    }
  }
}

export class LuaClosure {
  /** The collector's mark: the number of the last pass that reached it (gc.ts). */
  gcMark = 0;
  constructor(readonly proto: Proto, readonly upvalues: Upvalue[]) {}
}

/**
 * What a native can return instead of results: a request that the dispatch loop carries out
 * without growing the JS stack (pcall, coroutine switches, `call`) or by leaving the loop (`await`:
 * the VM suspends until the promise settles; see VM.start/resume).
 */
export type RequestKind = 'pcall' | 'xpcall' | 'resume' | 'wrap' | 'yield' | 'await' | 'call' | 'steps';

/** What a native does with the results of the function it asked to call: its results, or another request. */
export type Continuation = (results: LuaValue[]) => LuaValue[] | Request;

/**
 * One bounded slice of a long library call (a pattern match, a sort, a concat): its results when
 * it is done (or another request), or undefined to be called again for the next slice.
 */
export type Stepper = () => LuaValue[] | Request | undefined;

export class Request {
  constructor(
    readonly kind: RequestKind,
    readonly args: LuaValue[],
    /** For `await`: the results the native will return once it settles (a rejection is a Lua error). */
    readonly promise?: Promise<LuaValue[]>,
    /** For `call`: what the native does with the results; for `await`, with what the promise gave (optional). */
    readonly then?: Continuation,
    /** For `steps`: the slices of the work. */
    readonly stepper?: Stepper,
  ) {}

  /**
   * Calls `fn` with `args` in the dispatch loop, then `then` with its results. A native that calls
   * back into Lua this way (gsub) lets the callback be stepped in the debugger and wait on host
   * calls; as for PUC's C boundary, a coroutine still cannot yield inside it.
   */
  static call(fn: LuaValue, args: LuaValue[], then: Continuation): Request {
    return new Request('call', [fn, ...args], undefined, then);
  }

  /**
   * Suspends the run until `promise` settles (see VM.start/resume), then goes on with `then` of
   * what it gave: the native's results, or another request. A rejection is a Lua error.
   */
  static await(promise: Promise<LuaValue[]>, then?: Continuation): Request {
    return new Request('await', NO_ARGS, promise, then);
  }

  /**
   * A resumable native: runs `stepper` once here, and when that slice did not finish the work,
   * asks the dispatch loop to call it again slice after slice. Between slices the VM asks its step
   * hook whether to pause (a sandbox gives the event loop a turn there, then resumes with the next
   * slice); where it cannot suspend (inside a callback from a native, a synchronous run) the
   * slices simply run to the end. Short work costs nothing: it finishes in the first slice.
   */
  static steps(stepper: Stepper): LuaValue[] | Request {
    const first = stepper();
    return first === undefined ? new Request('steps', NO_ARGS, undefined, undefined, stepper) : first;
  }

  /**
   * A resumable native written as a generator: each `yield` ends a slice (after a bounded amount
   * of work), and what it returns is the native's results (or another request).
   */
  static slices(work: Generator<undefined, LuaValue[] | Request, undefined>): LuaValue[] | Request {
    return Request.steps(() => {
      const next = work.next();
      return next.done === true ? next.value : undefined;
    });
  }
}

const NO_ARGS: LuaValue[] = [];

/**
 * A function written in TypeScript: the standard library and host functions. It receives its
 * arguments as an array and returns its results as an array (an empty array for none), or a
 * Request.
 */
export type NativeCall = (args: LuaValue[]) => LuaValue[] | Request;

/** What a native's `unary` or `binary` form gives for values it leaves to the ordinary call. */
export const NOT_FAST: unique symbol = Symbol('not fast');

export class NativeFunction {
  /**
   * What `debug.getupvalue` shows of a library closure that is a C closure in PUC Lua (the
   * gmatch iterator, a wrapped coroutine): cells named "" holding Lua values the implementation
   * keeps in its JavaScript closure, which the collector marks since it cannot see into the
   * closure. Host functions and the sandbox's own natives have none, so nothing of the host is
   * reachable through them.
   */
  readonly upvalues: Upvalue[] | undefined;
  /** The collector's mark: the number of the last pass that reached it (gc.ts). */
  gcMark = 0;
  /**
   * The function's fast form for a call with one argument and no debug hook (math.sqrt and its
   * like): the one result, straight from the argument, or NOT_FAST for the ordinary call (which
   * converts, checks and raises errors). It must do exactly what `call` does for the values it takes.
   */
  unary: ((x: LuaValue) => LuaValue | typeof NOT_FAST) | undefined = undefined;
  /** The same for a call with two arguments (setmetatable): one result, or NOT_FAST. */
  binary: ((x: LuaValue, y: LuaValue) => LuaValue | typeof NOT_FAST) | undefined = undefined;
  constructor(readonly name: string, readonly call: NativeCall, upvalues?: readonly LuaValue[]) {
    this.upvalues = upvalues?.map((value) => Upvalue.closed(value));
  }
}

export type LuaFunction = LuaClosure | NativeFunction;

export class Userdata {
  /** The collector's mark: the number of the last pass that reached it (gc.ts). */
  gcMark = 0;
  metatable: LuaTable | undefined = undefined;
  /** The value `debug.setuservalue` associates with it (Lua 5.3's user value). */
  userValue: LuaValue = undefined;
  constructor(readonly data: unknown) {}
}

/** Any Lua value (threads are interpreter objects; see interp.ts). */
export type LuaValue = undefined | boolean | number | bigint | string | LFloat | LuaTable | LuaFunction | Userdata | { readonly kind: 'thread' };

/**
 * Why an error happened, for hosts: `runtime` (any Lua error, including `error()`), `budget` (the
 * instruction budget ran out), `stack` (stack overflow or the call-depth limit), `host` (a host
 * function failed or a JS exception escaped a native), `exit` (os.exit ended the run). `budget` and
 * `exit` errors cannot be caught by pcall (nor, in a sandbox, `stack` and `memory`: VM.uncatchable).
 */
export type ErrorKind = 'runtime' | 'budget' | 'stack' | 'host' | 'memory' | 'output' | 'forbidden' | 'input' | 'syntax' | 'exit';

/** A Lua error in flight: any Lua value, plus the traceback captured where it was raised. */
export class LuaError extends Error {
  /** `stack traceback:\n\t...` as PUC's luaL_traceback prints it; set when the error leaves the VM. */
  traceback: string | undefined;
  kind: ErrorKind = 'runtime';
  /** Source line of the innermost Lua function when the error was raised (0: unknown). */
  line = 0;
  /** Chunk name (`@file.lua`) of that function. */
  source: string | undefined = undefined;
  constructor(readonly value: LuaValue, traceback?: string) {
    super(typeof value === 'string' ? value : errorText(value));
    this.traceback = traceback;
  }
}

function errorText(value: LuaValue): string {
  if (value === undefined) return 'nil';
  if (typeof value === 'number' || typeof value === 'bigint' || value instanceof LFloat) return numberToString(value);
  return `(error object is a ${typeName(value)} value)`;
}

/** Lua's `type()`. */
export function typeName(v: LuaValue): string {
  switch (typeof v) {
    case 'undefined': return 'nil';
    case 'boolean': return 'boolean';
    case 'number': case 'bigint': return 'number';
    case 'string': return 'string';
    default:
      if (v instanceof LuaTable) return 'table';
      if (v instanceof LuaClosure || v instanceof NativeFunction) return 'function';
      if (v instanceof LFloat) return 'number';
      if (v instanceof Userdata) return 'userdata';
      return 'thread';
  }
}

export function isFalsy(v: LuaValue): boolean {
  return v === undefined || v === false;
}

/**
 * Stable per-object numbers for `tostring(t)` (`table: 0x…`), given in the order objects are first
 * shown. Each state has its own (VM.ids): a run's addresses depend only on the run, never on what
 * other states in the process made, so a replay shows the same ones.
 */
export class ObjectIds {
  private readonly ids = new WeakMap<object, number>();
  private next = 1;

  of(v: object): number {
    let id = this.ids.get(v);
    if (id === undefined) {
      id = this.next++;
      this.ids.set(v, id);
    }
    return id;
  }
}

/** `tostring` without metamethods; `ids` numbers the objects (the state's own). */
export function rawToString(v: LuaValue, ids: ObjectIds): string {
  switch (typeof v) {
    case 'undefined': return 'nil';
    case 'boolean': return v ? 'true' : 'false';
    case 'number': case 'bigint': return numberToString(v);
    case 'string': return v;
    default:
      if (v instanceof LFloat) return numberToString(v);
      return `${typeName(v)}: 0x${(0x55550000 + ids.of(v as object) * 16).toString(16).padStart(8, '0')}`;
  }
}

/** Encodes JS text as a Lua byte string (UTF-8). */
export function toLuaString(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(text)) return text;
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** Decodes a Lua byte string as UTF-8 text for the host (invalid bytes become U+FFFD). */
export function fromLuaString(bytes: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(bytes)) return bytes;
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
