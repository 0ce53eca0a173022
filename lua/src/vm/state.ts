// A Lua state: a VM with its global table and the standard library, and `load` to turn source
// text into a function. This is the engine's plain entry point; the sandbox builds on it.

import type { Proto } from './proto';
import { RunOutcome, VM } from './interp';
import { LuaTable } from './table';
import { LuaClosure, LuaError, LuaValue, NativeFunction, Request, Upvalue } from './value';
import { openBase } from '../stdlib/base';
import { openMath, DefaultRandom, RandomSource } from '../stdlib/math';
import { openTable, Charge } from '../stdlib/table';
import { openString } from '../stdlib/string';
import { openUtf8 } from '../stdlib/utf8';
import { openOs, Clock, systemClock } from '../stdlib/os';
import { openPackage, PackageLibrary, PackageOptions } from '../stdlib/package';
import { openIo, IoLibrary, IoOptions, LineSplitter } from '../stdlib/io';
import { diskFileSystem } from '../stdlib/files';
import { openDebug } from '../stdlib/debug';
import { luaCompiler } from '../compiler/compile';
import { ChunkError, binaryChunkName, undumpString } from './undump';

/** Compiles source text; returns a prototype or the first error message (`name:line: message`). */
export type Compiler = (source: string, chunkName: string, charge?: (steps: number) => void) => Proto | string;

/**
 * Compiles a long chunk for `load` elsewhere while the run waits (a sandbox's compile worker): the
 * prototype or the message, with the steps the compiler charged as it went (Compiler's `charge`),
 * charged when it is done; a rejection is an error raised in the run (a limit). Undefined to
 * compile here, as `compile` does.
 */
export type LaterCompiler = (source: string, chunkName: string) => Promise<{ proto: Proto | string; steps: number }> | undefined;

export interface StateOptions {
  /** Turns source into a prototype; default: the engine's compiler. */
  compile?: Compiler;
  /** `load` in a run that can suspend (VM.start): a chunk this gives a promise for is compiled by it. */
  compileLater?: LaterCompiler;
  /** Where `print` writes (default: process.stdout). */
  print?: (line: string) => void;
  clock?: Clock;
  random?: RandomSource;
  /** Budget hook for library loops (see Charge). */
  charge?: Charge;
  /** Where `require` finds modules (default: Lua's searchers, over the disk). */
  package?: Omit<PackageOptions, 'load' | 'charge'>;
  /**
   * The io library's files and standard streams. Default: the real disk (relative to the working
   * directory), an empty stdin, and stdout/stderr of the process; with `print` and no
   * `io.stdout`, io.stdout's text reaches `print` line by line (the last partial line at flushAll).
   */
  io?: IoOptions;
  /** os.getenv (default: the process's environment). */
  getenv?: (name: string) => string | undefined;
  /**
   * Which of the libraries with state of their own to open (default: all). A sandbox opens only
   * what its contract grants, so that a script that uses none of them pays nothing for them.
   * Without `io`, os.remove/rename/tmpname, loadfile and dofile are absent too (they use io's files).
   */
  libraries?: { io?: boolean; package?: boolean; debug?: boolean };
}

/** A loaded chunk's function (its _ENV `env`), or the compiler's message. */
function closureOf(proto: Proto | string, env: LuaValue): LuaClosure | string {
  if (typeof proto === 'string') return proto;
  // A main chunk has one upvalue, _ENV; a function from elsewhere may have none.
  const ups = proto.upvalues.map(() => Upvalue.closed(undefined));
  if (ups.length > 0) ups[0] = Upvalue.closed(env);
  return new LuaClosure(proto, ups);
}

/** The libraries this state registers in package.loaded (vm.loaded), where messages find functions' names; base and package register _G and package themselves. */
const LIBRARIES = ['coroutine', 'table', 'os', 'string', 'math', 'utf8', 'io', 'debug'];


/**
 * dofile as a Lua function, so that its chunk runs as a tail call (it may yield, as in PUC). A
 * main chunk of its own, compiled once per process: each state makes a closure over its own
 * `loadfile` and `error` (closures made by CLOSURE are cached per VM, never on the prototype).
 */
const DOFILE = `local f, message = loadfile((...))
if f == nil then error(message, 0) end
return f()`;
let dofileCompiled: Proto | undefined;

/**
 * What compiling a byte of source costs, in instructions: the compiler reads ordinary code at about
 * 1.7 MB/s where the VM runs about 30 instructions a microsecond, so a byte is worth some 16.
 */
const COMPILE_STEPS_PER_BYTE = 16;
/** Reading and verifying a binary chunk is about four times faster a byte. */
const UNDUMP_STEPS_PER_BYTE = 4;

/**
 * print and io.stdout write one stream: print's lines go to io's stdout unless the host gave print
 * alone, in which case io.stdout's text is cut into print's lines. (Made here, not in the
 * constructor: closures over the constructor's scope made V8 allocate states in its old space,
 * ten times the cost of a new state.)
 */
function outputStreams(print: ((line: string) => void) | undefined, stdout: ((text: string) => void) | undefined):
  { print: (line: string) => void; stdout: (text: string) => void; lines: LineSplitter | undefined } {
  if (print !== undefined && stdout === undefined) {
    const lines = new LineSplitter(print);
    return { print: (line) => lines.write(line + '\n'), stdout: (text) => lines.write(text), lines };
  }
  if (print === undefined) {
    const out = stdout ?? ((text: string) => process.stdout.write(Buffer.from(text, 'latin1')));
    return { print: (line) => out(line + '\n'), stdout: out, lines: undefined };
  }
  return { print, stdout: stdout!, lines: undefined };
}

function dofileProto(): Proto {
  if (dofileCompiled === undefined) {
    const proto = luaCompiler(DOFILE, '=[C]');
    if (typeof proto === 'string') throw new Error(`dofile does not compile: ${proto}`);
    dofileCompiled = proto;
  }
  return dofileCompiled;
}

export class LuaState {
  readonly vm = new VM();
  readonly globals = new LuaTable();
  /** `require` and `package`: the tables they share with the VM (package.loaded is vm.loaded); undefined when not opened. */
  readonly package: PackageLibrary | undefined;
  /** The io library: its files, and `flushAll` for the end of a run; undefined when not opened. */
  readonly io: IoLibrary | undefined;
  private readonly compile: Compiler;
  private readonly compileLater: LaterCompiler | undefined;
  private readonly lines: LineSplitter | undefined;
  private readonly charge: Charge;

  constructor(options: StateOptions = {}) {
    this.compile = options.compile ?? luaCompiler;
    this.compileLater = options.compileLater;
    const charge = options.charge ?? (() => {});
    this.charge = charge;
    // An explicit collection is library work: charged to the budget with the objects it visits.
    // (The function itself, not a closure over this constructor: such a closure made V8 keep
    // whole states past young-generation collections, several times the cost of a sandbox run.)
    this.vm.gc.charge = charge;
    const ioOptions: IoOptions = { ...options.io };
    const streams = outputStreams(options.print, ioOptions.stdout);
    ioOptions.stdout = streams.stdout;
    const print = streams.print;
    this.lines = streams.lines;
    openBase(this.vm, this.globals, {
      print,
      // Not through load's default: `load(s, name, mode, nil)` gives the chunk a nil _ENV.
      load: (source, chunkName, env, canWait) => this.loadChunk(source, chunkName, env, canWait),
      charge,
    });
    const libraries = options.libraries ?? {};
    if (libraries.package !== false) {
      this.package = openPackage(this.vm, this.globals, {
        ...options.package,
        load: (source, chunkName) => this.load(source, chunkName),
        charge,
      });
    }
    openMath(this.vm, this.globals, options.random ?? new DefaultRandom());
    openTable(this.vm, this.globals, charge);
    openString(this.vm, this.globals, charge);
    openUtf8(this.vm, this.globals, charge);
    openOs(this.vm, this.globals, options.clock ?? systemClock, {
      getenv: options.getenv ?? ((name) => process.env[name]),
      beforeExit: () => this.flushAll(),
      charge,
    });
    if (libraries.io !== false) this.io = this.openIo(ioOptions, charge);
    if (libraries.debug !== false) openDebug(this.vm, this.globals, () => this.registry);
    for (const name of LIBRARIES) {
      const lib = this.globals.getStr(name);
      if (lib instanceof LuaTable && this.vm.loaded.getStr(name) === undefined) this.vm.loaded.setStr(name, lib);
    }
  }

  /** Writes every open file's buffers to its file system and ends a partial output line (the end of a run). */
  flushAll(): void {
    this.io?.flushAll();
    this.lines?.end();
  }

  /** io, with loadfile/dofile over its files and collectgarbage flushing its buffers. */
  private openIo(ioOptions: IoOptions, charge: Charge): IoLibrary {
    const G = this.globals;
    const load = G.getStr('load');
    const io = openIo(this.vm, G, ioOptions.files ?? diskFileSystem(), charge, ioOptions,
      load instanceof NativeFunction ? (text, chunkName, mode, hasEnv, env) => {
        const result = load.call(hasEnv ? [text, chunkName, mode, env] : [text, chunkName, mode]);
        return Array.isArray(result) || result instanceof Request ? result : [undefined, 'cannot load the file'];
      } : undefined,
      (loadfile) => {
        // Its own _ENV, so that a script's changes to its globals do not change dofile.
        const env = new LuaTable();
        env.setStr('loadfile', loadfile);
        env.setStr('error', G.getStr('error'));
        return new LuaClosure(dofileProto(), [Upvalue.closed(env)]);
      });
    // Handles are never collected here: a full collection moves their buffers into their files,
    // which is what closing the unreachable ones would show a later open.
    const collect = G.getStr('collectgarbage');
    if (collect instanceof NativeFunction) {
      G.setStr('collectgarbage', new NativeFunction(collect.name, (args) => {
        if (args[0] === undefined || args[0] === 'collect' || args[0] === 'step') io.flushBuffers();
        return collect.call(args);
      }));
    }
    return io;
  }

  /**
   * The registry as `debug.getregistry` shows it, made on first use: the main thread at 1, the
   * globals at 2, and `_LOADED`, which is package.loaded (vm.loaded) itself — in a sandbox the
   * granted library copies and nothing else.
   */
  get registry(): LuaTable {
    let registry = this.vm.registry;
    if (registry === undefined) {
      registry = new LuaTable();
      registry.set(1, this.vm.main);
      registry.set(2, this.globals);
      registry.setStr('_LOADED', this.vm.loaded);
      this.vm.registry = registry;
    }
    return registry;
  }

  /**
   * Compiles a chunk into a function whose `_ENV` is `env` (default: the globals). `chunkName`
   * follows Lua: `@file.lua` for files, `=name` for a literal name, else the source itself. A
   * binary chunk (starting with ESC, as `string.dump` writes) is read and verified instead.
   */
  load(source: string, chunkName: string, env: LuaValue = this.globals): LuaClosure | string {
    return this.loadChunk(source, chunkName, env, false) as LuaClosure | string;
  }

  /** With `canWait`, a chunk `compileLater` takes gives a promise (load's `await` request). */
  private loadChunk(source: string, chunkName: string, env: LuaValue, canWait: boolean): LuaClosure | string | Promise<LuaClosure | string> {
    // Compiling is work in proportion to the source, charged before it is done (a budget too
    // small for it ends the run first, and the clock is read); the prototypes it makes take
    // memory of that order too. Work that grows faster (long and/or chains) is charged as it goes.
    const charge = this.charge;
    const cost = source.length * (source.charCodeAt(0) === 0x1b ? UNDUMP_STEPS_PER_BYTE : COMPILE_STEPS_PER_BYTE);
    charge(1 + cost, cost);
    let proto: Proto | string;
    if (source.charCodeAt(0) === 0x1b) {
      try {
        proto = undumpString(source, binaryChunkName(chunkName));
      } catch (e) {
        if (!(e instanceof ChunkError)) throw e;
        proto = e.message;
      }
    } else {
      // `load` reads the text as it is: a first `#` line or a byte order mark is skipped only for
      // files (the compiler skips them, as luaL_loadfile does), so a space in front keeps them.
      const text = source.startsWith('#') || source.startsWith('\xef\xbb\xbf') ? ' ' + source : source;
      const later = canWait ? this.compileLater?.(text, chunkName) : undefined;
      if (later !== undefined) {
        return later.then((compiled) => {
          // The compiler's own charges, made there as it went, are this run's work.
          if (compiled.steps > 0) charge(compiled.steps);
          return closureOf(compiled.proto, env);
        });
      }
      proto = this.compile(text, chunkName, charge);
    }
    return closureOf(proto, env);
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
