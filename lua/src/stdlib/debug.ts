// The debug library (Lua 5.3's ldblib): stack levels, locals, upvalues, hooks, raw metatables,
// the registry and tracebacks, over the VM's frames (interp.ts).
//
// What it can reach is what a script could already reach: the frames of its own threads, its own
// closures' upvalues (natives have none here, so nothing of the host is behind them), the
// registry of its own state (holding only the libraries its globals hold), and metatables, of
// which a protected one (`__metatable` set, as the sandbox's library and string metatables are)
// cannot be replaced. Hooks are the VM's per-thread debug hooks, apart from the step hook the
// sandbox's limits use: a hook's own instructions are counted and checked like any others.

import { Coroutine, MASK_CALL, MASK_COUNT, MASK_LINE, MASK_RET, VM, chunkId, currentLine, isNumberValue } from '../vm/interp';
import type { CallFrame } from '../vm/interp';
import { localName } from '../vm/debuginfo';
import { numberToString } from '../vm/number';
import type { LuaNumber } from '../vm/number';
import { LuaTable } from '../vm/table';
import { LuaClosure, LuaFunction, LuaValue, NativeFunction, Upvalue, Userdata } from '../vm/value';
import { Args, library } from './args';

/** What `debug.upvalueid` returns: a light userdata standing for one upvalue (equal ids, same upvalue). */
export class UpvalueId extends Userdata {}

const upvalueIds = new WeakMap<Upvalue, UpvalueId>();

/** The options `debug.getinfo` knows. */
const INFO_OPTIONS = 'SlnutLf';

export function openDebug(vm: VM, G: LuaTable, registry: () => LuaTable): void {
  const lib = new LuaTable();
  G.setStr('debug', lib);
  // getlocal and setlocal see the registers of every frame on the stack.
  vm.tierFullFrames = true;

  /** An optional thread as first argument (getthread): the thread, and how many arguments it takes. */
  const threadArg = (a: Args): [Coroutine, number] => {
    const first = a.values[0];
    return first instanceof Coroutine ? [first, 1] : [vm.current, 0];
  };

  /** The frame index of stack level `level` of a thread (lua_getstack), or -1 when there is none. */
  const levelIndex = (thread: Coroutine, level: number): number =>
    level < 0 || level >= thread.depth ? -1 : thread.depth - 1 - level;

  library(vm, lib, 'debug', {
    // No console in a sandbox: the interactive prompt reads nothing and returns at once (as PUC
    // does at the end of its input).
    debug: () => [],

    getregistry: () => [registry()],

    getmetatable: (a) => [vm.getMetatable(a.any(1))],

    setmetatable: (a) => {
      const value = a.values[0];
      const mt = a.values[1];
      if (mt !== undefined && !(mt instanceof LuaTable)) throw a.error(2, 'nil or table expected');
      // Unlike PUC, a protected metatable stays: the sandbox's library, global and string
      // metatables carry `__metatable`, and nothing may take their guards away.
      if (vm.getMetatable(value)?.getStr('__metatable') !== undefined) throw a.fail('cannot change a protected metatable');
      setMetatable(vm, value, mt);
      return [value];
    },

    getuservalue: (a) => {
      const u = a.values[0];
      return [u instanceof Userdata && !(u instanceof UpvalueId) ? u.userValue : undefined];
    },

    setuservalue: (a) => {
      const u = a.values[0];
      if (u instanceof UpvalueId) throw a.error(1, 'userdata expected, got light userdata');
      if (!(u instanceof Userdata)) throw a.typeError(1, 'userdata');
      u.userValue = a.any(2);
      return [u];
    },

    getinfo: (a) => {
      const [thread, arg] = threadArg(a);
      const options = a.optString(arg + 2, 'flnStu');
      const target = a.values[arg];
      let fn: LuaFunction;
      let frame: CallFrame | undefined;
      let index = -1;
      if (target instanceof LuaClosure || target instanceof NativeFunction) {
        fn = target;
      } else {
        index = levelIndex(thread, a.int(arg + 1));
        if (index < 0) return [undefined];
        frame = thread.frames[index];
        fn = frame.closure ?? frame.native!;
      }
      for (const option of options) if (!INFO_OPTIONS.includes(option)) throw a.error(arg + 2, 'invalid option');
      const proto = fn instanceof LuaClosure ? fn.proto : undefined;
      const info = new LuaTable();
      if (options.includes('S')) {
        const source = proto === undefined ? '=[C]' : proto.source;
        info.setStr('source', source);
        info.setStr('short_src', chunkId(source));
        info.setStr('linedefined', proto === undefined ? -1 : proto.lineDefined);
        info.setStr('lastlinedefined', proto === undefined ? -1 : proto.lastLineDefined);
        info.setStr('what', proto === undefined ? 'C' : proto.lineDefined === 0 ? 'main' : 'Lua');
      }
      if (options.includes('l')) info.setStr('currentline', frame?.closure !== undefined ? currentLine(frame) : -1);
      if (options.includes('u')) {
        info.setStr('nups', fn instanceof LuaClosure ? fn.upvalues.length : 0);
        info.setStr('nparams', proto === undefined ? 0 : proto.numParams);
        info.setStr('isvararg', proto === undefined ? true : proto.isVararg);
      }
      if (options.includes('n')) {
        const name = index < 0 ? undefined : vm.frameName(thread, index);
        info.setStr('name', name?.name);
        info.setStr('namewhat', name?.kind ?? '');
      }
      if (options.includes('t')) info.setStr('istailcall', frame !== undefined && frame.tail);
      if (options.includes('L') && proto !== undefined) {
        const lines = new LuaTable();
        for (const line of proto.lineInfo) lines.set(line, true);
        info.setStr('activelines', lines);
      }
      if (options.includes('f')) info.setStr('func', fn);
      return [info];
    },

    getlocal: (a) => {
      const [thread, arg] = threadArg(a);
      const n = a.int(arg + 2);
      const target = a.values[arg];
      if (target instanceof LuaClosure || target instanceof NativeFunction) {
        // A function that is not running: the names of its parameters.
        return [target instanceof LuaClosure ? localName(target.proto, n, 0) : undefined];
      }
      const index = levelIndex(thread, a.int(arg + 1));
      if (index < 0) throw a.error(arg + 1, 'level out of range');
      const found = findLocal(thread, index, n);
      return found === undefined ? [undefined] : [found.name, thread.stack[found.slot]];
    },

    setlocal: (a) => {
      const [thread, arg] = threadArg(a);
      const level = a.int(arg + 1);
      const n = a.int(arg + 2);
      const index = levelIndex(thread, level);
      if (index < 0) throw a.error(arg + 1, 'level out of range');
      const value = a.any(arg + 3);
      const found = findLocal(thread, index, n);
      if (found === undefined) return [undefined];
      thread.stack[found.slot] = value;
      return [found.name];
    },

    getupvalue: (a) => {
      const n = a.int(2);
      const up = upvalueOf(a.func(1), n);
      return up === undefined ? [] : [up.name, up.upvalue.get()];
    },

    setupvalue: (a) => {
      const value = a.any(3);
      const n = a.int(2);
      const up = upvalueOf(a.func(1), n);
      if (up === undefined) return [];
      up.upvalue.set(value);
      return [up.name];
    },

    upvalueid: (a) => {
      const up = checkUpvalue(a, 1, 2);
      let id = upvalueIds.get(up.upvalue);
      if (id === undefined) {
        id = new UpvalueId(undefined);
        upvalueIds.set(up.upvalue, id);
      }
      return [id];
    },

    upvaluejoin: (a) => {
      const target = checkUpvalue(a, 1, 2);
      const source = checkUpvalue(a, 3, 4);
      if (!(a.values[0] instanceof LuaClosure)) throw a.error(1, 'Lua function expected');
      if (!(a.values[2] instanceof LuaClosure)) throw a.error(3, 'Lua function expected');
      (target.closure as LuaClosure).upvalues[target.index] = source.upvalue;
      return [];
    },

    sethook: (a) => {
      const [thread, arg] = threadArg(a);
      if (a.isNil(arg + 1)) {
        vm.setDebugHook(thread, undefined, 0, 0);
        return [];
      }
      const letters = a.string(arg + 2);
      const fn = a.func(arg + 1);
      const count = clampCount(a.optInt(arg + 3, 0));
      let mask = 0;
      if (letters.includes('c')) mask |= MASK_CALL;
      if (letters.includes('r')) mask |= MASK_RET;
      if (letters.includes('l')) mask |= MASK_LINE;
      if (count > 0) mask |= MASK_COUNT;
      vm.setDebugHook(thread, fn, mask, count);
      return [];
    },

    gethook: (a) => {
      const [thread] = threadArg(a);
      const mask = thread.hookMask;
      const letters = (mask & MASK_CALL ? 'c' : '') + (mask & MASK_RET ? 'r' : '') + (mask & MASK_LINE ? 'l' : '');
      return [mask === 0 ? undefined : thread.hook, letters, thread.hookCount];
    },

    traceback: (a) => {
      const [thread, arg] = threadArg(a);
      const message = a.values[arg];
      // A message that is neither a string nor a number (an error object) comes back untouched.
      if (message !== undefined && typeof message !== 'string' && !isNumberValue(message)) return [message];
      const text = message === undefined ? undefined : typeof message === 'string' ? message : numberToString(message as LuaNumber);
      const level = a.optInt(arg + 2, thread === vm.current ? 1 : 0);
      // The main thread's bottom level is the host's call, as lua.c's `[C]: in ?`.
      return [vm.traceback(text, level, thread, thread === vm.main)];
    },
  });
}

/** Replaces the metatable of a value: its own for tables and userdata, its type's for the others. */
function setMetatable(vm: VM, value: LuaValue, mt: LuaTable | undefined): void {
  if (value instanceof LuaTable || value instanceof Userdata) {
    value.metatable = mt;
    return;
  }
  const types = vm.typeMetatables;
  switch (typeof value) {
    case 'string': types.string = mt; return;
    case 'number': case 'bigint': types.number = mt; return;
    case 'boolean': types.boolean = mt; return;
    case 'undefined': types.nil = mt; return;
    default:
      if (isNumberValue(value)) types.number = mt;
      else if (value instanceof LuaClosure || value instanceof NativeFunction) types.function = mt;
      else types.thread = mt;
  }
}

/**
 * Local `n` of the frame at `index` (findlocal): a named local active at its pc, a vararg for a
 * negative `n`, or a `(*temporary)` slot of the frame's stack below the next frame.
 */
function findLocal(thread: Coroutine, index: number, n: number): { name: string; slot: number } | undefined {
  const frame = thread.frames[index];
  let base: number;
  let name: string | undefined;
  const closure = frame.closure;
  if (closure !== undefined) {
    if (n < 0) {
      if (!closure.proto.isVararg || -n > frame.nvarargs) return undefined;
      return { name: '(*vararg)', slot: frame.varargBase - n - 1 };
    }
    base = frame.base;
    name = localName(closure.proto, n, Math.max(0, frame.pc - 1));
  } else {
    base = frame.func + 1;
  }
  if (name === undefined) {
    const next = thread.frames[index + 1];
    const limit = index === thread.depth - 1 || next === undefined ? frame.top : next.func;
    if (n > 0 && limit - base >= n) name = '(*temporary)';
    else return undefined;
  }
  return { name, slot: base + n - 1 };
}

interface UpvalueRef {
  closure: LuaFunction;
  index: number;
  name: string;
  upvalue: Upvalue;
}

/** Upvalue `n` (1-based) of a function; a native's are named "" (as C closures'), most natives have none. */
function upvalueOf(fn: LuaFunction, n: number): UpvalueRef | undefined {
  if (fn instanceof NativeFunction) {
    const ups = fn.upvalues;
    return ups !== undefined && n >= 1 && n <= ups.length ? { closure: fn, index: n - 1, name: '', upvalue: ups[n - 1] } : undefined;
  }
  if (n < 1 || n > fn.upvalues.length) return undefined;
  // A stripped chunk has no upvalue names.
  const name = fn.proto.upvalues[n - 1]?.name || '(*no name)';
  return { closure: fn, index: n - 1, name, upvalue: fn.upvalues[n - 1] };
}

/** checkupval: argument `fnArg` is a function with an upvalue at the index in argument `nArg`. */
function checkUpvalue(a: Args, fnArg: number, nArg: number): UpvalueRef {
  const n = a.int(nArg);
  const up = upvalueOf(a.func(fnArg), n);
  if (up === undefined) throw a.error(nArg, 'invalid upvalue index');
  return up;
}

/** The hook count as C's int (lua_sethook takes an int). */
function clampCount(count: number): number {
  return count | 0;
}
