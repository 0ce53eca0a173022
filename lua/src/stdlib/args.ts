// Argument checking for library functions, with Lua's messages:
// `bad argument #1 to 'insert' (table expected, got nil)`.
//
// A library function is named as PUC's luaL_argerror names it: by how the call site wrote it
// (`rep` for `s:rep()` or `string.rep()`), or, when a native called it (pcall, a metamethod), by
// its qualified library name (`string.rep`), which is the name the function is created with.

import { LFloat, LuaInteger, LuaNumber, isInteger, numberToString, stringToNumber, toInteger } from '../vm/number';
import type { VM } from '../vm/interp';
import { LuaTable } from '../vm/table';
import { LuaClosure, LuaError, LuaValue, NativeFunction, Request } from '../vm/value';

/**
 * Called with a cost estimate by loops in library functions (the sandbox's budget), and with the
 * size in bytes of a string about to be made (the sandbox counts it towards its memory limit and
 * measures first when the limit could be passed).
 */
export type Charge = (steps: number, bytes?: number) => void;

/** Most values a function may return at once (PUC's stack limit, LUAI_MAXSTACK, less some room). */
export const MAX_RESULTS = 999900;

export class Args {
  constructor(readonly vm: VM, readonly name: string, readonly values: LuaValue[]) {}

  get length(): number {
    return this.values.length;
  }

  /** `bad argument #i to 'name' (message)`, named and numbered as the call site wrote it. */
  error(index: number, message: string): LuaError {
    const site = this.vm.nativeCallName();
    if (site?.method) {
      if (index === 1) return new LuaError(`${this.vm.nativeWhere()}calling '${site.name}' on bad self (${message})`);
      return new LuaError(`${this.vm.nativeWhere()}bad argument #${index - 1} to '${site.name}' (${message})`);
    }
    return new LuaError(`${this.vm.nativeWhere()}bad argument #${index} to '${site?.name ?? this.name}' (${message})`);
  }

  /** A plain error raised by the library function (luaL_error): position of its caller. */
  fail(message: string): LuaError {
    return new LuaError(this.vm.nativeWhere() + message);
  }

  typeError(index: number, expected: string): LuaError {
    const v = this.values[index - 1];
    const got = index > this.values.length ? 'no value' : this.vm.typeNameMeta(v);
    return this.error(index, `${expected} expected, got ${got}`);
  }

  /** True when the argument is absent or nil (lua_isnoneornil). */
  isNil(index: number): boolean {
    return this.values[index - 1] === undefined;
  }

  any(index: number): LuaValue {
    if (index > this.values.length) throw this.error(index, 'value expected');
    return this.values[index - 1];
  }

  table(index: number): LuaTable {
    const v = this.values[index - 1];
    if (!(v instanceof LuaTable)) throw this.typeError(index, 'table');
    return v;
  }

  func(index: number): LuaClosure | NativeFunction {
    const v = this.values[index - 1];
    if (!(v instanceof LuaClosure || v instanceof NativeFunction)) throw this.typeError(index, 'function');
    return v;
  }

  /** luaL_checknumber: numbers, and strings that convert to one. */
  number(index: number): LuaNumber {
    const v = this.values[index - 1];
    if (typeof v === 'number' || typeof v === 'bigint' || v instanceof LFloat) return v;
    if (typeof v === 'string') {
      const n = stringToNumber(v);
      if (n !== undefined) return n;
    }
    throw this.typeError(index, 'number');
  }

  optNumber(index: number, fallback: LuaNumber): LuaNumber {
    return this.values[index - 1] === undefined ? fallback : this.number(index);
  }

  /** luaL_checkinteger: integers, floats with an integral value, numeric strings. */
  integer(index: number): LuaInteger {
    const v = this.values[index - 1];
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    const n = typeof v === 'string' ? stringToNumber(v) : v instanceof LFloat || typeof v === 'number' || typeof v === 'bigint' ? v : undefined;
    if (n === undefined) throw this.typeError(index, 'number');
    const i = toInteger(n);
    if (i === undefined) throw this.error(index, 'number has no integer representation');
    return i;
  }

  /** An integer argument as a JS number, clamped to the safe range (for positions and counts). */
  int(index: number): number {
    return clampInt(this.integer(index));
  }

  optInt(index: number, fallback: number): number {
    return this.values[index - 1] === undefined ? fallback : this.int(index);
  }

  optInteger(index: number, fallback: LuaInteger): LuaInteger {
    return this.values[index - 1] === undefined ? fallback : this.integer(index);
  }

  /** A string argument; numbers are converted as Lua does. */
  string(index: number): string {
    const v = this.values[index - 1];
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'bigint' || v instanceof LFloat) return numberToString(v);
    throw this.typeError(index, 'string');
  }

  optString(index: number, fallback: string): string {
    return this.values[index - 1] === undefined ? fallback : this.string(index);
  }

  boolean(index: number): boolean {
    const v = this.values[index - 1];
    return v !== undefined && v !== false;
  }

  /** luaL_checkoption: the argument (or the fallback when nil) must be one of the names. */
  checkOption(index: number, options: string[], fallback?: string): string {
    const s = this.values[index - 1] === undefined && fallback !== undefined ? fallback : this.string(index);
    if (!options.includes(s)) throw this.error(index, `invalid option '${s}'`);
    return s;
  }
}

/**
 * Lua's memory error, for a string longer than a JS engine can hold: "not enough memory", with no
 * position (as PUC raises it), of kind 'memory' for the sandbox.
 */
export function memoryError(): LuaError {
  const e = new LuaError('not enough memory');
  e.kind = 'memory';
  return e;
}

/** Clamps a Lua integer to a JS safe integer (positions beyond that are out of any string anyway). */
export function clampInt(i: LuaInteger): number {
  if (typeof i === 'number') return i;
  return i > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
}

/**
 * A relative string position made absolute (PUC's posrelat): negatives count back from the end,
 * and one before the start becomes 0.
 */
export function posrelat(pos: number, len: number): number {
  if (pos >= 0) return pos;
  if (-pos > len) return 0;
  return len + pos + 1;
}

export { isInteger };

/** Makes a native function whose body gets checked arguments. */
export function native(vm: VM, name: string, body: (args: Args) => LuaValue[] | Request): NativeFunction {
  return new NativeFunction(name, (values) => body(new Args(vm, name, values)));
}

/** Adds the native functions of a library table, each named `prefix.name` for error messages. */
export function library(vm: VM, lib: LuaTable, prefix: string, functions: Record<string, (args: Args) => LuaValue[] | Request>): void {
  for (const key of Object.keys(functions)) lib.setStr(key, native(vm, `${prefix}.${key}`, functions[key]));
}
