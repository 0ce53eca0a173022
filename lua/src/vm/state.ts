// A Lua state: a VM with its global table and the standard library, and `load` to turn source
// text into a function. This is the engine's plain entry point; the sandbox builds on it.

import type { Proto } from './proto';
import { RunOutcome, VM } from './interp';
import { LuaTable } from './table';
import { LuaClosure, LuaError, LuaValue, Upvalue } from './value';
import { openBase } from '../stdlib/base';
import { openMath, DefaultRandom, RandomSource } from '../stdlib/math';
import { openTable, Charge } from '../stdlib/table';
import { openString } from '../stdlib/string';
import { openUtf8 } from '../stdlib/utf8';
import { openOs, Clock, systemClock } from '../stdlib/os';
import { openDebug } from '../stdlib/debug';
import { luaCompiler } from '../compiler/compile';

/** Compiles source text; returns a prototype or the first error message (`name:line: message`). */
export type Compiler = (source: string, chunkName: string) => Proto | string;

export interface StateOptions {
  /** Turns source into a prototype; default: the engine's compiler. */
  compile?: Compiler;
  /** Where `print` writes (default: process.stdout). */
  print?: (line: string) => void;
  clock?: Clock;
  random?: RandomSource;
  /** Budget hook for library loops (see Charge). */
  charge?: Charge;
}

/** Library tables searched for functions' names in messages (PUC searches package.loaded). */
const LIBRARIES = ['coroutine', 'table', 'os', 'string', 'math', 'utf8', 'debug'];

/** The library tables the registry's `_LOADED` may hold (those the globals hold when it is made). */
const LOADED_NAMES = ['_G', 'coroutine', 'table', 'io', 'os', 'string', 'math', 'utf8', 'debug', 'package'];

export class LuaState {
  readonly vm = new VM();
  readonly globals = new LuaTable();
  private readonly compile: Compiler;

  constructor(options: StateOptions = {}) {
    this.compile = options.compile ?? luaCompiler;
    const charge = options.charge ?? (() => {});
    const print = options.print ?? ((line: string) => process.stdout.write(Buffer.from(line + '\n', 'latin1')));
    openBase(this.vm, this.globals, {
      print,
      load: (source, chunkName, env) => this.load(source, chunkName, env),
    });
    openMath(this.vm, this.globals, options.random ?? new DefaultRandom());
    openTable(this.vm, this.globals, charge);
    openString(this.vm, this.globals, charge);
    openUtf8(this.vm, this.globals);
    openOs(this.vm, this.globals, options.clock ?? systemClock);
    openDebug(this.vm, this.globals, () => this.registry);
    for (const name of LIBRARIES) {
      const lib = this.globals.getStr(name);
      if (lib instanceof LuaTable && !this.vm.loaded.has(name)) this.vm.loaded.set(name, lib);
    }
  }

  /**
   * The registry as `debug.getregistry` shows it, made on first use: the main thread at 1, the
   * globals at 2, and `_LOADED` with the library tables the globals hold then. In a sandbox that
   * is after the environment is built, so it holds the granted copies and nothing else.
   */
  get registry(): LuaTable {
    let registry = this.vm.registry;
    if (registry === undefined) {
      registry = new LuaTable();
      registry.set(1, this.vm.main);
      registry.set(2, this.globals);
      const loaded = new LuaTable();
      for (const name of LOADED_NAMES) {
        const lib = this.globals.getStr(name);
        if (lib instanceof LuaTable) loaded.setStr(name, lib);
      }
      registry.setStr('_LOADED', loaded);
      this.vm.registry = registry;
    }
    return registry;
  }

  /**
   * Compiles a chunk into a function whose `_ENV` is `env` (default: the globals). `chunkName`
   * follows Lua: `@file.lua` for files, `=name` for a literal name, else the source itself.
   */
  load(source: string, chunkName: string, env: LuaValue = this.globals): LuaClosure | string {
    // `load` reads the text as it is: a first `#` line or a byte order mark is skipped only for
    // files (the compiler skips them, as luaL_loadfile does), so a space in front keeps them.
    const text = source.startsWith('#') || source.startsWith('\xef\xbb\xbf') ? ' ' + source : source;
    const proto = this.compile(text, chunkName);
    if (typeof proto === 'string') return proto;
    // A main chunk has one upvalue, _ENV; a function from elsewhere may have none.
    const ups = proto.upvalues.map(() => Upvalue.closed(undefined));
    if (ups.length > 0) ups[0] = Upvalue.closed(env);
    return new LuaClosure(proto, ups);
  }

  /** Calls a function synchronously; a Lua error comes out as a LuaError. */
  call(fn: LuaValue, args: LuaValue[] = []): LuaValue[] {
    return this.vm.call(fn, args);
  }

  /** Loads and runs a chunk, returning its results. */
  run(source: string, chunkName: string, args: LuaValue[] = []): LuaValue[] {
    const fn = this.load(source, chunkName);
    if (typeof fn === 'string') throw new LuaError(fn);
    return this.call(fn, args);
  }

  /** Starts a run that may suspend at host calls or pauses (see VM.start/resume). */
  start(fn: LuaValue, args: LuaValue[] = []): RunOutcome {
    return this.vm.start(fn, args);
  }

  /** Loads and runs a chunk, awaiting async host functions as they come. */
  async runAsync(source: string, chunkName: string, args: LuaValue[] = []): Promise<LuaValue[]> {
    const fn = this.load(source, chunkName);
    if (typeof fn === 'string') throw new LuaError(fn);
    return this.vm.runAsync(fn, args);
  }
}
