// The basic library (manual §6.1) and the coroutine library (§6.2), with PUC Lua 5.3's messages.
// pcall/xpcall and the coroutine switches return a Request: the VM's loop carries them out without
// JS recursion, so a coroutine can yield across pcall and a host call can suspend inside either.

import { Coroutine, VM } from '../vm/interp';
import { LFloat, float, isNumber, stringToIntegerInBase, stringToNumber } from '../vm/number';
import { LuaTable } from '../vm/table';
import { LuaClosure, LuaError, LuaValue, NativeFunction, NOT_FAST, Request, typeName } from '../vm/value';
import { Args, native, type Charge } from './args';

/**
 * Compiles (or, for a binary chunk, reads) a chunk for `load`: returns the function or an error
 * message. With `canWait` (the run can suspend), it may give them later: a promise (a long chunk
 * compiled elsewhere while the run waits, see LuaState's compileLater).
 */
export type ChunkLoader = (source: string, chunkName: string, env: LuaValue, canWait: boolean) => LuaClosure | string | Promise<LuaClosure | string>;

export interface BaseOptions {
  /** Where `print` writes one line (without the newline). */
  print: (line: string) => void;
  /** Compiler for `load`; without it `load` reports that loading is unavailable. */
  load?: ChunkLoader;
  /** Work done inside a call (reading a long numeral), charged like instructions. */
  charge?: Charge;
}

/** What a piece returned by `load`'s reader takes besides its bytes: its slot and string header. */
const READER_PIECE_BYTES = 32;
/** What calling `load`'s reader for a piece costs, in instructions, besides its bytes (a step per 64). */
const READER_PIECE_STEPS = 8;

export function openBase(vm: VM, G: LuaTable, options: BaseOptions): void {
  const set = (name: string, fn: NativeFunction) => G.setStr(name, fn);
  G.setStr('_G', G);
  G.setStr('_VERSION', 'Lua 5.3');
  const charge = options.charge ?? (() => undefined);
  vm.loaded.set('_G', G);

  // print calls the global `tostring` (whatever it is now), as Lua 5.3's print does.
  let builtinToString: NativeFunction | undefined;
  set('print', native(vm, 'print', (a) => {
    const n = a.length;
    const toString = G.getStr('tostring');
    let line = '';
    for (let i = 0; i < n; i++) {
      if (i > 0) line += '\t';
      if (toString === builtinToString) {
        line += vm.tostring(a.values[i]);
        continue;
      }
      if (toString === undefined) throw new LuaError('attempt to call a nil value');
      const s = vm.call(toString, [a.values[i]])[0];
      if (isNumber(s)) {
        line += vm.tostring(s);
        continue;
      }
      if (typeof s !== 'string') throw new LuaError("'tostring' must return a string to 'print'");
      line += s;
    }
    options.print(line);
    return [];
  }));

  const type = native(vm, 'type', (a) => [typeName(a.any(1))]);
  type.unary = typeName;
  set('type', type);

  builtinToString = native(vm, 'tostring', (a) => [vm.tostring(a.any(1))]);
  set('tostring', builtinToString);

  set('tonumber', native(vm, 'tonumber', (a) => {
    if (a.values[1] === undefined) {
      const v = a.any(1);
      if (typeof v === 'number' || typeof v === 'bigint' || v instanceof LFloat) return [v];
      if (typeof v === 'string') {
        charge(v.length >>> 10);
        return [stringToNumber(v)];
      }
      return [undefined];
    }
    const base = a.integer(2);
    const v = a.values[0];
    if (typeof v !== 'string') throw a.typeError(1, 'string');
    if (base < 2 || base > 36) throw a.error(2, 'base out of range');
    charge(v.length >>> 10);
    return [stringToIntegerInBase(v, Number(base))];
  }));

  set('rawequal', native(vm, 'rawequal', (a) => {
    const x = a.any(1);
    const y = a.any(2);
    return [x === y || (isNumberLike(x) && isNumberLike(y) && numbersEqual(x, y))];
  }));

  set('rawlen', native(vm, 'rawlen', (a) => {
    const v = a.values[0];
    if (v instanceof LuaTable) return [v.length()];
    if (typeof v === 'string') return [v.length];
    throw a.error(1, 'table or string expected');
  }));

  set('rawget', native(vm, 'rawget', (a) => {
    const t = a.table(1);
    return [t.get(a.any(2))];
  }));

  set('rawset', native(vm, 'rawset', (a) => {
    const t = a.table(1);
    a.any(2);
    a.any(3);
    vm.rawSet(t, a.values[1], a.values[2]);
    return [t];
  }));

  const setmetatable = native(vm, 'setmetatable', (a) => {
    const t = a.table(1);
    const mt = a.values[1];
    if (mt !== undefined && !(mt instanceof LuaTable)) throw a.error(2, 'nil or table expected');
    if (t.metatable?.getStr('__metatable') !== undefined) throw a.fail('cannot change a protected metatable');
    t.metatable = mt;
    // A metatable with __gc marks t for finalization; one with __gc or __mode arms the collector.
    if (mt !== undefined) vm.gc.noteMetatable(t, mt);
    return [t];
  });
  setmetatable.binary = setmetatableFast(vm);
  set('setmetatable', setmetatable);

  set('getmetatable', native(vm, 'getmetatable', (a) => {
    const mt = vm.getMetatable(a.any(1));
    if (mt === undefined) return [undefined];
    const protectedValue = mt.getStr('__metatable');
    return [protectedValue !== undefined ? protectedValue : mt];
  }));

  const next = native(vm, 'next', (a) => {
    const t = a.table(1);
    const entry = t.next(a.values[1]);
    if (entry === undefined) throw vm.error("invalid key to 'next'");
    return entry === false ? [undefined] : [entry[0], entry[1]];
  });
  set('next', next);
  vm.builtinNext = next;

  set('pairs', native(vm, 'pairs', (a) => {
    const v = a.any(1);
    const handler = vm.metamethod(v, '__pairs');
    if (handler === undefined) return [next, v, undefined];
    const r = vm.call(handler, [v]);
    return [r[0], r[1], r[2]];
  }));

  const ipairsStep = native(vm, 'ipairs_iterator', (a) => {
    const i = a.integer(2);
    const t = a.values[0];
    const n = typeof i === 'number' ? i + 1 : i + 1n;
    const v = t instanceof LuaTable && t.metatable === undefined ? t.get(n) : vm.index(t, n);
    return v === undefined ? [undefined] : [n, v];
  });
  vm.builtinIpairsStep = ipairsStep;
  set('ipairs', native(vm, 'ipairs', (a) => [ipairsStep, a.any(1), 0]));

  set('select', native(vm, 'select', (a) => {
    const n = a.values[0];
    if (n === '#') return [a.length - 1];
    const i = a.int(1);
    if (i < 0) {
      if (-i > a.length - 1) throw a.error(1, 'index out of range');
      return a.values.slice(a.length + i);
    }
    if (i === 0) throw a.error(1, 'index out of range');
    return a.values.slice(i);
  }));

  set('error', native(vm, 'error', (a) => {
    const value = a.values[0];
    const level = a.optInt(2, 1);
    if (typeof value === 'string' && level > 0) throw new LuaError(vm.nativeWhere(level) + value);
    throw new LuaError(value);
  }));

  set('assert', native(vm, 'assert', (a) => {
    const v = a.any(1);
    if (v !== undefined && v !== false) return a.values;
    if (a.length < 2) throw a.fail('assertion failed!');
    const message = a.values[1];
    throw new LuaError(typeof message === 'string' ? vm.nativeWhere() + message : message);
  }));

  set('pcall', new NativeFunction('pcall', (values) => {
    if (values.length === 0) throw new Args(vm, 'pcall', values).error(1, 'value expected');
    return new Request('pcall', values);
  }));

  set('xpcall', new NativeFunction('xpcall', (values) => {
    const a = new Args(vm, 'xpcall', values);
    if (!(values[1] instanceof LuaClosure || values[1] instanceof NativeFunction)) throw a.typeError(2, 'function');
    return new Request('xpcall', values);
  }));

  // A reader is called through this Lua function (`pcall(reader)`), compiled once per state: its
  // instructions run in the VM's dispatch loop, so the step hook comes between the reader's calls
  // (the sandbox's limits and its event-loop turns), even for a native reader that runs no
  // instruction of its own; and an error in the reader is caught there, as lua_load reports it.
  let readerCall: LuaValue | string | undefined;
  const pcallFn = G.getStr('pcall');
  set('load', native(vm, 'load', (a) => {
    const chunk = a.values[0];
    const name = a.optString(2, typeof chunk === 'string' || isNumberLike(chunk) ? (typeof chunk === 'string' ? chunk : a.string(1)) : '=(load)');
    const mode = a.optString(3, 'bt');
    const env = a.length >= 4 ? a.values[3] : G;
    const loadSource = (source: string): LuaValue[] | Request => {
      // The chunk's kind is decided by its first byte (ESC: binary), then the mode must allow it.
      const binary = source.charCodeAt(0) === 27;
      if (!mode.includes(binary ? 'b' : 't')) return [undefined, `attempt to load a ${binary ? 'binary' : 'text'} chunk (mode is '${mode}')`];
      if (!options.load) return [undefined, 'load is not available in this engine configuration'];
      const results = (loaded: LuaClosure | string): LuaValue[] => (typeof loaded === 'string' ? [undefined, loaded] : [loaded]);
      const loaded = options.load(source, name, env, vm.canSuspend);
      // A long chunk in a run that can wait: compiled elsewhere while the run is suspended.
      return loaded instanceof Promise ? Request.await(loaded.then(results)) : results(loaded);
    };
    if (typeof chunk === 'string' || isNumberLike(chunk)) return loadSource(a.string(1));
    if (!(chunk instanceof LuaClosure || chunk instanceof NativeFunction)) throw a.typeError(1, 'string');
    // A reader function: concatenate its pieces until it returns nil or an empty string. Each
    // piece is work (a native reader runs no instruction), and the text gathered is memory: both
    // charged as it grows, so a reader that never ends meets the budget or the memory limit.
    const pieces: string[] = [];
    let length = 0;
    let reserved = 0;
    /** A piece read; undefined to read on, else load's results. */
    const done = (): void => {
      vm.heldOutside -= reserved;
      reserved = 0;
    };
    const take = (piece: LuaValue): LuaValue[] | Request | undefined => {
      if (piece === undefined || piece === '') {
        const source = pieces.join('');
        done();
        return loadSource(source);
      }
      if (typeof piece !== 'string') {
        done();
        return [undefined, 'reader function must return a string'];
      }
      pieces.push(piece);
      length += piece.length;
      // Bytes held: the text, and a slot and a string header per piece. The pieces are no Lua
      // object the collector's measure sees: they are held outside the heap (`vm.heldOutside`,
      // which a measure adds), and what they grew by is charged as about to be made (each time
      // what is held has grown by an eighth), so the memory limit sees the whole.
      const held = length + READER_PIECE_BYTES * pieces.length;
      if (held - reserved > Math.max(4096, reserved >>> 3)) {
        vm.heldOutside += held - reserved;
        const grown = held - reserved;
        reserved = held;
        charge(READER_PIECE_STEPS + (piece.length >>> 6), grown);
      } else {
        charge(READER_PIECE_STEPS + (piece.length >>> 6));
      }
      return undefined;
    };
    if (readerCall === undefined && options.load !== undefined && pcallFn !== undefined) {
      readerCall = options.load('local pcall, reader = ...\nreturn pcall(reader)', '=(load reader)', undefined, false) as LuaClosure | string;
    }
    if (!(readerCall instanceof LuaClosure)) {
      // No compiler: the reader called here, to its end.
      try {
        for (;;) {
          const done = take(vm.call(chunk, [])[0]);
          if (done !== undefined) return done;
        }
      } catch (e) {
        done();
        if (!(e instanceof LuaError) || vm.uncatchable.has(e.kind)) throw e;
        return [undefined, e.value];
      }
    }
    const call = readerCall;
    const next = (results: LuaValue[]): LuaValue[] | Request => {
      // An error in the reader is load's error result (limits still end the run: pcall does not catch them).
      if (results[0] !== true) {
        done();
        return [undefined, results[1]];
      }
      return take(results[1]) ?? Request.call(call, [pcallFn, chunk], next);
    };
    return Request.call(call, [pcallFn, chunk], next);
  }));

  // collectgarbage with 5.3.6's options and results (gc.ts says what a pass is).
  set('collectgarbage', native(vm, 'collectgarbage', (a) => {
    const option = a.checkOption(1, ['stop', 'restart', 'collect', 'count', 'step', 'setpause', 'setstepmul', 'isrunning'], 'collect');
    // PUC passes the argument to lua_gc as a C int.
    const data = Number(BigInt.asIntN(32, BigInt(a.optInteger(2, 0))));
    const gc = vm.gc;
    switch (option) {
      case 'stop':
        gc.running = false;
        gc.updateThreshold();
        return [0];
      case 'restart':
        gc.running = true;
        gc.updateThreshold();
        return [0];
      case 'collect':
        gc.fullCollect();
        return [0];
      case 'count':
        // Kilobytes, as a float: what the last pass found held, plus what was allocated since.
        return [float(gc.count() / 1024)];
      case 'step':
        return [gc.step(data)];
      case 'setpause': {
        const previous = gc.pause;
        gc.pause = data;
        gc.updateThreshold();
        return [previous];
      }
      case 'setstepmul': {
        const previous = gc.stepmul;
        gc.stepmul = Math.max(40, data);
        return [previous];
      }
      default:
        return [gc.running];
    }
  }));

  openCoroutine(vm, G);
}

function isNumberLike(v: LuaValue): boolean {
  return typeof v === 'number' || typeof v === 'bigint' || v instanceof LFloat;
}

function numbersEqual(a: LuaValue, b: LuaValue): boolean {
  const x = a instanceof LFloat ? a.n : a;
  const y = b instanceof LFloat ? b.n : b;
  return x == y; // eslint-disable-line eqeqeq
}

function openCoroutine(vm: VM, G: LuaTable): void {
  const co = new LuaTable();
  G.setStr('coroutine', co);
  vm.loaded.set('coroutine', co);
  const checkCo = (a: Args, i: number): Coroutine => {
    const v = a.values[i - 1];
    if (!(v instanceof Coroutine)) throw a.error(i, 'thread expected');
    return v;
  };
  co.setStr('create', native(vm, 'create', (a) => [new Coroutine(a.func(1))]));
  co.setStr('resume', new NativeFunction('resume', (values) => {
    checkCo(new Args(vm, 'resume', values), 1);
    return new Request('resume', values);
  }));
  co.setStr('yield', new NativeFunction('yield', (values) => new Request('yield', values)));
  co.setStr('status', native(vm, 'status', (a) => [checkCo(a, 1).status]));
  co.setStr('isyieldable', native(vm, 'isyieldable', () => [vm.current !== vm.main && vm.current.nny === 0]));
  co.setStr('running', native(vm, 'running', () => [vm.current, vm.current === vm.main]));
  co.setStr('wrap', native(vm, 'wrap', (a) => {
    const thread = new Coroutine(a.func(1));
    return [new NativeFunction('wrap', (values) => new Request('wrap', [thread, ...values]), [thread])];
  }));
}

/**
 * setmetatable's fast form: the usual call, setmetatable(t, mt) on a table whose metatable is not
 * protected, without the argument and result arrays; anything else (an error to raise) goes the
 * ordinary way. Made here, not in openBase: openBase storing on a native a closure it had made
 * itself (`setmetatable.binary = (t, mt) => ...` there) made V8 carry every state it opened
 * through its young-generation collections (~50 KB of each state copied to the old generation,
 * freed only by full collections: a sandbox's short runs spent a third of their time in V8's
 * collector). Measured, not explained by V8's documentation: the same closure made by this
 * function, or stored by another one, leaves none (load.test.ts guards it).
 */
function setmetatableFast(vm: VM): NonNullable<NativeFunction['binary']> {
  return (t, mt) => {
    if (!(t instanceof LuaTable) || !(mt === undefined || mt instanceof LuaTable)) return NOT_FAST;
    if (t.metatable?.getStr('__metatable') !== undefined) return NOT_FAST;
    t.metatable = mt;
    if (mt !== undefined) vm.gc.noteMetatable(t, mt);
    return t;
  };
}
