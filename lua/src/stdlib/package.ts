// The package library (manual §6.3): `require` and the `package` table, with Lua 5.3's semantics
// and messages.
//
// - `package.loaded` is the VM's table of loaded modules (`vm.loaded`, PUC's registry._LOADED):
//   `require` checks it first and stores what a loader returns in it, and messages find
//   functions' global names in it. `package.preload` is likewise one table for good: reassigning
//   the field does not change where `require` looks.
// - `require` calls the searchers and the loader through the dispatch loop (`call` requests):
//   a module's top-level code runs in the VM's loop, so it may wait on host calls and a debugger
//   stops in it. Natives among the searchers (the built-in ones) are called with `vm.call` in a
//   plain loop, so that a long `package.searchers` list cannot grow the JS stack.
// - Files are reached through `ModuleFiles` (the disk by default); a host may also replace the
//   path and C searchers with its own (`search`): the sandbox finds only its contract's modules.
// - There are no dynamic libraries: `loadlib` answers as a Lua built without them does
//   (nil, message, "absent"), and a C module found on `package.cpath` fails to load.

import { closeSync, openSync, readFileSync } from 'fs';
import type { VM } from '../vm/interp';
import { FileError } from './files';
import { isNumber, numberToString, type LuaNumber } from '../vm/number';
import { LuaTable } from '../vm/table';
import { LuaClosure, LuaError, LuaValue, NativeFunction, Request, isFalsy } from '../vm/value';
import { Args, Charge, native } from './args';

/** Lua's `package.config`: directory separator, path separator, name mark, executable-dir mark, ignore mark. */
export const PACKAGE_CONFIG = '/\n;\n?\n!\n-\n';
/** PUC's LUA_PATH_DEFAULT on POSIX systems. */
export const DEFAULT_PATH =
  '/usr/local/share/lua/5.3/?.lua;/usr/local/share/lua/5.3/?/init.lua;/usr/local/lib/lua/5.3/?.lua;/usr/local/lib/lua/5.3/?/init.lua;./?.lua;./?/init.lua';
/** PUC's LUA_CPATH_DEFAULT on POSIX systems. */
export const DEFAULT_CPATH = '/usr/local/lib/lua/5.3/?.so;/usr/local/lib/lua/5.3/loadall.so;./?.so';
/** What a Lua without dynamic libraries says when asked to load one. */
const NO_DYNAMIC_LIBRARIES = 'dynamic libraries not enabled; check your Lua installation';

/** Where `package.searchpath` and the path searcher find files. */
export interface ModuleFiles {
  /** Whether the file exists and can be opened for reading (what searchpath tests). */
  readable(path: string): boolean;
  /** The file's bytes as a byte string, or why it cannot be read (`cannot open x: reason`). */
  read(path: string): string | { error: string };
}

/** A loader a searcher found, with the value passed to it after the module's name (the file). */
export interface ModuleLoader {
  loader: LuaValue;
  extra: LuaValue;
}

/**
 * Finds a module by name: its loader, or the text the searcher adds to "module 'x' not found:"
 * (`\n\tno ...`). May throw a LuaError for a module that is found but cannot be loaded. With
 * `canWait` (the run can suspend), it may answer later: a promise (a long module compiled off
 * the thread), whose rejection is the error.
 */
export type ModuleSearch = (name: string, canWait: boolean) => ModuleLoader | string | Promise<ModuleLoader | string>;

export interface PackageOptions {
  /** Compiles a file's text (`chunkName` is `@file`): a function whose `_ENV` is the globals, or the error message. */
  load: (source: string, chunkName: string) => LuaClosure | string;
  /** Files for `package.searchpath` and the path searcher (default: the disk). */
  files?: ModuleFiles;
  /**
   * Replaces Lua's path and C searchers (after the preload searcher); like the path searcher, it
   * still requires package.path to be a string. A sandbox finds only its contract's modules.
   */
  search?: ModuleSearch;
  /** Initial `package.path` / `package.cpath` (default: PUC's defaults). */
  path?: string;
  cpath?: string;
  charge?: Charge;
}

/** Whether a `package.path` or `package.cpath` value can be read as a string. */
function isPath(v: LuaValue): v is string | LuaNumber {
  return typeof v === 'string' || isNumber(v);
}

/** A searcher's results for what a search found: the loader and its extra value, or the message. */
function searchResults(found: ModuleLoader | string): LuaValue[] {
  return typeof found === 'string' ? [found] : [found.loader, found.extra];
}

/** The package library of a state: its tables, and where `require` reads `package`'s fields. */
export class PackageLibrary {
  /** The `package` table as opened. */
  readonly table = new LuaTable();
  /** The searcher standing for PackageOptions.search, and the search `require` asks directly (see requireModule). */
  replacedSearch: { searcher: NativeFunction; search: ModuleSearch } | undefined;
  /** PUC's registry._PRELOAD: the table the preload searcher reads, whatever `package.preload` holds later. */
  readonly preload = new LuaTable();
  /** The table `require` reads `searchers`, `path` and `cpath` from (PUC's upvalue); see `bind`. */
  private view: LuaTable = this.table;
  private viewFields: ReadonlySet<string> | undefined;

  constructor(private readonly vm: VM) {}

  /** PUC's registry._LOADED, which `package.loaded` is. */
  get loaded(): LuaTable {
    return this.vm.loaded;
  }

  /**
   * Makes `copy` the package table `require` reads (a sandbox gives scripts a copy with the
   * granted fields): the fields named here are read from it, so that a script changing
   * `package.path` or `package.searchers` has Lua's effect; the others from the original.
   */
  bind(copy: LuaTable, fields: readonly string[]): void {
    this.view = copy;
    this.viewFields = new Set(fields);
  }

  /** Tables the library holds whatever the globals still reach (for measuring memory). */
  roots(): LuaTable[] {
    return [this.table, this.view, this.preload];
  }

  /** `package[name]` as `require` and the searchers see it. */
  field(name: string): LuaValue {
    const from = this.viewFields === undefined || this.viewFields.has(name) ? this.view : this.table;
    return this.vm.index(from, name);
  }
}

/** Opens `package` and `require` into `G`; `package` is also registered in `package.loaded`. */
export function openPackage(vm: VM, G: LuaTable, options: PackageOptions): PackageLibrary {
  const lib = new PackageLibrary(vm);
  const pkg = lib.table;
  const files = options.files ?? diskFiles;
  const charge = options.charge ?? (() => {});

  /** `package.path`/`cpath` for a searcher: a string (numbers convert), else Lua's error. */
  const pathField = (a: Args, field: 'path' | 'cpath'): string => {
    const v = lib.field(field);
    if (!isPath(v)) throw a.fail(`'package.${field}' must be a string`);
    return typeof v === 'string' ? v : numberToString(v);
  };

  /** The error of a module found in `filename` that cannot be loaded (PUC's checkload). */
  const loadError = (a: Args, name: string, filename: string, message: string): LuaError =>
    a.fail(`error loading module '${name}' from file '${filename}':\n\t${message}`);

  const searchPreload = native(vm, 'searcher_preload', (a) => {
    const name = a.string(1);
    const loader = vm.index(lib.preload, name);
    return [loader === undefined ? `\n\tno field package.preload['${name}']` : loader];
  });

  const searchLua = native(vm, 'searcher_Lua', (a) => {
    const name = a.string(1);
    const found = searchPath(name, pathField(a, 'path'), '.', '/', files, charge);
    if (found.file === undefined) return [found.message];
    const text = files.read(found.file);
    if (typeof text !== 'string') throw loadError(a, name, found.file, text.error);
    charge(text.length >> 6, text.length);
    const fn = options.load(skipFirstLine(text), '@' + found.file);
    if (typeof fn === 'string') throw loadError(a, name, found.file, fn);
    return [fn, found.file];
  });

  const searchC = native(vm, 'searcher_C', (a) => {
    const name = a.string(1);
    const found = searchPath(name, pathField(a, 'cpath'), '.', '/', files, charge);
    if (found.file === undefined) return [found.message];
    throw loadError(a, name, found.file, NO_DYNAMIC_LIBRARIES);
  });

  const searchCRoot = native(vm, 'searcher_Croot', (a) => {
    const name = a.string(1);
    const dot = name.indexOf('.');
    if (dot < 0) return [];
    const found = searchPath(name.slice(0, dot), pathField(a, 'cpath'), '.', '/', files, charge);
    if (found.file === undefined) return [found.message];
    throw loadError(a, name, found.file, NO_DYNAMIC_LIBRARIES);
  });

  const search = options.search;
  const searchers = new LuaTable();
  searchers.setInt(1, searchPreload);
  if (search === undefined) {
    searchers.setInt(2, searchLua);
    searchers.setInt(3, searchC);
    searchers.setInt(4, searchCRoot);
  } else {
    // Called as a function (a script may), it answers at once; `require` asks `search` itself.
    const searcher = native(vm, 'searcher', (a) => {
      const name = a.string(1);
      // It stands where the path searcher stood, which scripts that change package.path expect.
      pathField(a, 'path');
      return searchResults(search(name, false) as ModuleLoader | string);
    });
    lib.replacedSearch = {
      searcher,
      search: (name, canWait) => {
        // As the searcher checks it; its error carries no place, as a C searcher's has none.
        if (!isPath(lib.field('path'))) throw new LuaError("'package.path' must be a string");
        return search(name, canWait);
      },
    };
    searchers.setInt(2, searcher);
  }

  pkg.setStr('config', PACKAGE_CONFIG);
  pkg.setStr('cpath', options.cpath ?? DEFAULT_CPATH);
  pkg.setStr('loaded', vm.loaded);
  pkg.setStr('loadlib', native(vm, 'package.loadlib', (a) => {
    a.string(1);
    a.string(2);
    return [undefined, NO_DYNAMIC_LIBRARIES, 'absent'];
  }));
  pkg.setStr('path', options.path ?? DEFAULT_PATH);
  pkg.setStr('preload', lib.preload);
  pkg.setStr('searchers', searchers);
  pkg.setStr('searchpath', native(vm, 'package.searchpath', (a) => {
    // PUC's C compiler checks these arguments last to first.
    const dirsep = a.optString(4, '/');
    const sep = a.optString(3, '.');
    const path = a.string(2);
    const found = searchPath(a.string(1), path, sep, dirsep, files, charge);
    return found.file !== undefined ? [found.file] : [undefined, found.message];
  }));

  G.setStr('package', pkg);
  G.setStr('require', native(vm, 'require', (a) => requireModule(vm, lib, a, charge)));
  vm.loaded.setStr('package', pkg);
  return lib;
}

/**
 * `require(name)`: the loaded module, or the first loader the searchers find, called with the
 * name and the searcher's extra value; what it returns (or `true`) becomes `package.loaded[name]`.
 */
function requireModule(vm: VM, lib: PackageLibrary, a: Args, charge: Charge): LuaValue[] | Request {
  const name = a.string(1);
  const loaded = vm.loaded;
  const present = vm.index(loaded, name);
  if (!isFalsy(present)) return [present];
  const searchers = lib.field('searchers');
  if (!(searchers instanceof LuaTable)) throw a.fail("'package.searchers' must be a table");
  let notFound = '';

  /** The loader's result, stored as Lua does: nil leaves what the module put there, or `true`. */
  const store = (results: LuaValue[]): LuaValue[] => {
    if (results[0] !== undefined) vm.setIndex(loaded, name, results[0]);
    let value = vm.index(loaded, name);
    if (value === undefined) {
      value = true;
      vm.setIndex(loaded, name, value);
    }
    return [value];
  };

  /** What a searcher answered: a loader ends the search, a string is added to the message. */
  const answered = (results: LuaValue[]): LuaValue[] | Request | undefined => {
    const found = results[0];
    if (found instanceof LuaClosure || found instanceof NativeFunction) {
      return Request.call(found, [name, results[1]], store);
    }
    if (typeof found === 'string') notFound += found;
    else if (isNumber(found)) notFound += numberToString(found);
    charge(1, notFound.length);
    return undefined;
  };

  /**
   * Asks the searchers from `i` on: natives in this loop, Lua functions through the dispatch loop.
   * The search that replaces the path searchers (a sandbox's contract modules) is asked here
   * directly, where the run can suspend: it may answer later (a long module compiled off the
   * thread), and the search goes on when it has.
   */
  const searchFrom = (i: number): LuaValue[] | Request => {
    for (;; i++) {
      const searcher = searchers.getInt(i);
      if (searcher === undefined) throw a.fail(`module '${name}' not found:${notFound}`);
      if (searcher === lib.replacedSearch?.searcher) {
        const found = lib.replacedSearch.search(name, vm.canSuspend);
        if (found instanceof Promise) {
          const at = i;
          return Request.await(found.then(searchResults), (results) => answered(results) ?? searchFrom(at + 1));
        }
        const next = answered(searchResults(found));
        if (next !== undefined) return next;
        continue;
      }
      if (searcher instanceof NativeFunction) {
        const next = answered(vm.call(searcher, [name]));
        if (next !== undefined) return next;
        continue;
      }
      const at = i;
      return Request.call(searcher, [name], (results) => answered(results) ?? searchFrom(at + 1));
    }
  };

  return searchFrom(1);
}

/** Where searchpath found the file, or the `\n\tno file '...'` lines of every template tried. */
export type SearchResult = { file: string; message?: undefined } | { file?: undefined; message: string };

/**
 * PUC's searchpath: `name` with each `sep` replaced by `dirsep`, put in place of every `?` of each
 * `;`-separated template of `path`; the first readable file wins. Strings end at a NUL, as C sees them.
 */
export function searchPath(name: string, path: string, sep: string, dirsep: string, files: ModuleFiles, charge: Charge): SearchResult {
  name = cString(name);
  path = cString(path);
  sep = cString(sep);
  dirsep = cString(dirsep);
  if (sep !== '') name = name.split(sep).join(dirsep);
  let message = '';
  for (const template of path.split(';')) {
    if (template === '') continue;
    const file = template.split('?').join(name);
    charge(1 + (file.length >> 4), message.length + file.length);
    if (files.readable(file)) return { file };
    message += `\n\tno file '${file}'`;
  }
  return { message };
}

/** A Lua string as C functions see it: up to its first NUL. */
function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/**
 * A file's text as luaL_loadfile reads it: without a UTF-8 byte-order mark, and with a first line
 * starting with `#` (a Unix exec line) left out but its line end kept, so line numbers stay right.
 */
export function skipFirstLine(text: string): string {
  if (text.startsWith('\xef\xbb\xbf')) text = text.slice(3);
  if (!text.startsWith('#')) return text;
  const end = text.indexOf('\n');
  return end < 0 ? '\n' : text.slice(end);
}

/** The disk, for a plain LuaState (paths relative to the process's working directory). */
export const diskFiles: ModuleFiles = {
  readable(path) {
    try {
      closeSync(openSync(path, 'r'));
      return true;
    } catch {
      return false;
    }
  },
  read(path) {
    try {
      return readFileSync(path, 'latin1');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return { error: `cannot ${code === 'ENOENT' || code === 'EACCES' ? 'open' : 'read'} ${path}: ${FileError.fromNode(e)?.message ?? String(e)}` };
    }
  },
};
