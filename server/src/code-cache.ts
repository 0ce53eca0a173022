// V8's code cache for the bundle's parts (sandlua-NAME.js beside the entry or the engine's bundle, see scripts/bundle.mjs):
// each part is compiled with the cached data V8 made the last time it ran (its top level and the
// functions that ran, already compiled), so a start does not parse and compile them again. Node
// 20 has no module compile cache of its own (module.enableCompileCache is 22+), hence this small
// loader over `vm.Script`'s cachedData. The cache is the user's own (XDG cache folder, mode 0700),
// keyed by the part's path, size and time and by Node's version; V8 checks the data against the
// source and refuses a mismatch, which is then written again; a cache written by a command that did
// not end well is written again by the first that does (see HEADER). Each command (`run`, `check`,
// `lsp`...) keeps its own: the data holds the functions the writing process ran, so one cache
// for all, written by whichever command came first (an editor's `lsp`), left the others to
// compile theirs at every start (`run` 40-50 ms slower). Anything that goes wrong falls back
// to Node's own loading: the cache only ever saves time. SANDLUA_CODE_CACHE=0 turns it off.

import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'fs';
import { isAscii } from 'buffer';
import type Module = require('module');
import { basename, dirname, join } from 'path';

/** The user's cache folder for sandlua (XDG), or undefined when SANDLUA_CODE_CACHE=0 turns caching off. */
export function cacheRoot(): string | undefined {
  if (process.env.SANDLUA_CODE_CACHE === '0') return undefined;
  return join(process.env.XDG_CACHE_HOME || join(homeFolder(), '.cache'), 'sandlua');
}

/**
 * The user's home folder: os.homedir(), which on POSIX is $HOME when it is set, read here without
 * loading Node's `os` module (~0.7 ms of every start, measured).
 */
function homeFolder(): string {
  const home = process.env.HOME;
  return process.platform !== 'win32' && home !== undefined ? home : (require('os') as typeof import('os')).homedir();
}

/**
 * Node's CommonJS module class, the entry module's: requiring Node's `module` loads its ES module
 * loader as well (~0.75 ms of every start, measured).
 */
function moduleClass(): typeof Module {
  return (require.main?.constructor as typeof Module | undefined) ?? (require('module') as typeof Module);
}

interface Loaded {
  script: import('vm').Script;
  cacheFile: string;
  /** Made now: no cache, or one V8 refused. */
  fresh: boolean;
  /** The cache was written by a command that ended with exit code 0. */
  complete: boolean;
}

/**
 * Bytes before V8's data in a cache file: the first is 1 when the command that wrote it ended with
 * exit code 0, 0 otherwise; eight keep V8's data aligned, which V8 would otherwise copy. A cache
 * holds the functions its writer ran: one written by a command that stopped early (a mistyped
 * argument, an input refused) lacks most of them, and later starts would compile them every time
 * (~5 ms of `run`), so the first command that ends well writes it again, once.
 */
const HEADER = 8;

type Compile = (this: Module, content: string, filename: string) => unknown;

/**
 * Compiles the parts beside `entry` through the code cache of `command` (the command line's first
 * word; another word, or none, shares one cache); `write`: save new caches at exit.
 */
export function useCodeCache(entry: string, write: boolean, command: string | undefined): void {
  const root = cacheRoot();
  if (root === undefined) return;
  const kind = command !== undefined && /^[a-z]{1,16}$/.test(command) ? command : 'other';
  // The parts beside the entry, and those beside the engine's bundle where it is installed apart
  // (the `sandlua` package loads `@sandlua/lua/bundle` and `@sandlua/lua/runtime-bundle`, whose
  // parts are `@sandlua/lua`'s dist/).
  const folders = new Set([dirname(entry)]);
  const cacheFolder = join(root, 'code');
  const isPart = (filename: string): boolean => {
    const name = basename(filename);
    if (name === 'sandlua-engine.js' || name === 'sandlua-runtime.js') folders.add(dirname(filename));
    return folders.has(dirname(filename)) && /^sandlua-[a-z0-9]+\.js$/.test(name);
  };
  const loaded: Loaded[] = [];
  const Module = moduleClass();
  const proto = Module.prototype as unknown as { _compile: Compile };
  const original = proto._compile;
  /** A part's source in Node's module wrapper, read whole by the '.js' loader below, for `_compile`. */
  let wrapped: { filename: string; source: string } | undefined;
  proto._compile = function (content, filename) {
    if (!isPart(filename)) return original.call(this, content, filename);
    const source = wrapped?.filename === filename ? wrapped.source : `${WRAPPER_START}${content}${WRAPPER_END}`;
    wrapped = undefined;
    // Loaded with the first part: `--version` and the like pay nothing for the cache.
    const { Script } = require('vm') as typeof import('vm');
    let cacheFile: string;
    let cachedData: Buffer | undefined;
    let complete = false;
    try {
      const stat = statSync(filename);
      const key = fnv1a(`${filename}\0${stat.size}\0${stat.mtimeMs}\0${process.version}\0${process.arch}`);
      // Named by the part, its folder (installs in different places keep their own) and the command.
      cacheFile = join(cacheFolder, `${basename(filename, '.js')}-${fnv1a(dirname(filename))}-${kind}-${key}.v8`);
      try {
        const file = readFileSync(cacheFile);
        complete = file[0] === 1;
        cachedData = file.subarray(HEADER);
      } catch {
        cachedData = undefined;
      }
    } catch {
      return original.call(this, content, filename);
    }
    const script = new Script(source, { filename, cachedData });
    loaded.push({ script, cacheFile, fresh: cachedData === undefined || script.cachedDataRejected === true, complete });
    const wrapper = script.runInThisContext() as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, Module.createRequire(filename), this, filename, dirname(filename));
  };
  // A part is read as bytes and made a string of one-byte characters: esbuild writes the parts in
  // ASCII, and Node's own UTF-8 read of the 1 MB engine takes ~10 ms where this takes ~1. The bytes
  // are read between the wrapper's, so that the string V8 compiles is made once, flat: the wrapper
  // joined to a string made first (as Node does) is a string of two parts that V8 copies into one
  // before it compiles, and that copy of the engine's runtime part took ~5 ms of `run` and ~250 page
  // faults (measured).
  const extensions = (Module as unknown as { _extensions: Record<string, (module: Module, filename: string) => void> })._extensions;
  const readJs = extensions['.js'];
  extensions['.js'] = function (module, filename) {
    if (!isPart(filename)) return readJs.call(this, module, filename);
    const bytes = readWrapped(filename);
    if (!isAscii(bytes)) return readJs.call(this, module, filename);
    const source = bytes.toString('latin1');
    wrapped = { filename, source };
    // The module's own text, for whoever else may hook `_compile`: a slice of the string, not a copy.
    const content = source.slice(WRAPPER_START.length, source.length - WRAPPER_END.length);
    (module as unknown as { _compile(content: string, filename: string): unknown })._compile(content, filename);
  };
  if (!write) return;
  process.once('exit', (code) => {
    const writing = loaded.filter((l) => l.fresh || (!l.complete && code === 0));
    if (writing.length === 0) return;
    try {
      mkdirSync(cacheFolder, { recursive: true, mode: 0o700 });
      for (const { script, cacheFile } of writing) {
        // Written whole under another name, then renamed: a reader never sees half a file.
        const temporary = `${cacheFile}.${process.pid}`;
        const header = Buffer.alloc(HEADER);
        header[0] = code === 0 ? 1 : 0;
        writeFileSync(temporary, Buffer.concat([header, script.createCachedData()]), { mode: 0o600 });
        renameSync(temporary, cacheFile);
        // The same part's caches (in the same folder, for the same command) for other builds or Node
        // versions are dropped, and those named before caches were the command's (PART-FOLDER-KEY.v8).
        const part = basename(cacheFile).replace(/-[0-9a-f]+\.v8$/, '-');
        const unnamed = new RegExp(`^${basename(cacheFile).replace(/-[a-z]+-[0-9a-f]+\.v8$/, '')}-[0-9a-f]+\\.v8$`);
        for (const other of readdirSync(cacheFolder)) {
          if ((other.startsWith(part) && other !== basename(cacheFile)) || unnamed.test(other)) rmSync(join(cacheFolder, other), { force: true });
        }
      }
      prune(cacheFolder, new Set(writing.map((l) => basename(l.cacheFile))));
    } catch {
      // A cache that cannot be written is only a slower next start.
    }
  });
}

/** The wrapper Node gives a CommonJS module, on the source's first line so that positions stay true. */
const WRAPPER_START = '(function (exports, require, module, __filename, __dirname) { ';
const WRAPPER_END = '\n})';

/** A file's bytes between WRAPPER_START's and WRAPPER_END's, in one buffer. */
function readWrapped(filename: string): Buffer {
  const fd = openSync(filename, 'r');
  try {
    const size = fstatSync(fd).size;
    const bytes = Buffer.allocUnsafe(WRAPPER_START.length + size + WRAPPER_END.length);
    bytes.write(WRAPPER_START, 0, 'latin1');
    let read = 0;
    while (read < size) {
      const n = readSync(fd, bytes, WRAPPER_START.length + read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    const end = WRAPPER_START.length + read;
    bytes.write(WRAPPER_END, end, 'latin1');
    return bytes.subarray(0, end + WRAPPER_END.length);
  } finally {
    closeSync(fd);
  }
}

/** A cache file not read or written for this long is dropped (see prune). */
const STALE_MS = 30 * 24 * 60 * 60 * 1000;
/** The cache folder is kept under this many bytes (see prune). */
const MAX_BYTES = 64 * 1024 * 1024;

/**
 * Drops the caches no command has used for a while. The caches of other builds are dropped above
 * only when they sit in the same folder; an install that moved or went away (a new version in a
 * new folder, each `npx` version, a CI clone) leaves its files behind, ~1 MB per part and command,
 * and the folder grew to hundreds of megabytes. Here a file is dropped when it was last used
 * (read, as the access time tells, or written) more than 30 days ago, and then the least recently
 * used go until the folder holds less than 64 MB; the files just written (`keep`) stay. Runs only
 * when a cache is written, which a build does once per command.
 */
export function prune(folder: string, keep: ReadonlySet<string>, now = Date.now()): void {
  const files: { name: string; used: number; size: number }[] = [];
  for (const name of readdirSync(folder)) {
    if (!name.endsWith('.v8') || keep.has(name)) continue;
    try {
      const stat = statSync(join(folder, name));
      files.push({ name, used: Math.max(stat.atimeMs, stat.mtimeMs), size: stat.size });
    } catch {
      // Gone already (another command pruned it).
    }
  }
  let total = 0;
  for (const name of keep) {
    try {
      total += statSync(join(folder, name)).size;
    } catch {
      // Not written after all.
    }
  }
  files.sort((a, b) => b.used - a.used);
  for (const file of files) {
    if (now - file.used > STALE_MS || total + file.size > MAX_BYTES) rmSync(join(folder, file.name), { force: true });
    else total += file.size;
  }
}

/** A 32-bit FNV-1a hash in hex: names the cache file (V8 itself checks that the data fits the source). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}
