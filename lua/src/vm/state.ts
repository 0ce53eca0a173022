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
const LIBRARIES = ['coroutine', 'table', 'os', 'string', 'math', 'utf8'];

export class LuaState {
  readonly vm = new VM();
  readonly globals = new LuaTable();
  private readonly compile: Compiler;

  constructor(options: StateOptions = {}) {
    this.compile = options.compile ?? luaCompiler;
    const charge = options.charge ?? (() => {});
    // An explicit collection is library work: charged to the budget with the objects it visits.
    // (The function itself, not a closure over this constructor: such a closure made V8 keep
    // whole states past young-generation collections, several times the cost of a sandbox run.)
    this.vm.gc.charge = charge;
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
    for (const name of LIBRARIES) {
      const lib = this.globals.getStr(name);
      if (lib instanceof LuaTable && !this.vm.loaded.has(name)) this.vm.loaded.set(name, lib);
    }
  }

  /**
   * Compiles a chunk into a function whose `_ENV` is `env` (default: the globals). `chunkName`
   * follows Lua: `@file.lua` for files, `=name` for a literal name, else the source itself.
   */
  load(source: string, chunkName: string, env: LuaValue = this.globals): LuaClosure | string {
    const proto = this.compile(source, chunkName);
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

  /**
   * Ends the state's life as lua_close does: the finalizers of every object still marked for
   * finalization run (reachable or not, newest first, errors ignored).
   */
  close(): void {
    this.vm.gc.close();
  }

  /** Loads and runs a chunk, awaiting async host functions as they come. */
  async runAsync(source: string, chunkName: string, args: LuaValue[] = []): Promise<LuaValue[]> {
    const fn = this.load(source, chunkName);
    if (typeof fn === 'string') throw new LuaError(fn);
    return this.vm.runAsync(fn, args);
  }
}
