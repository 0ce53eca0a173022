// The contract's modules at run time: what `require` finds in a sandbox. Only the modules the
// contract declares exist, by name (`require "pricing.util"` loads `lib/pricing_util.lua`); a
// module name is a name, never a path, so no name reaches a file the contract does not list.
// Sources come from the host (SandboxOptions.modules) or, by default, from the contract's folder
// on disk, never from outside it (symbolic links included). Each module loaded is recorded
// (name, path, hash and source) so that a replay runs exactly what ran.

import * as nodePath from 'path';
import { MANIFEST_FILE, normalizeRelativePath, relativePathProblem, type Contract } from '../contract/manifest';
import type { Proto } from '../vm/proto';
import { LuaTable } from '../vm/table';
import { LuaClosure, LuaError, Upvalue } from '../vm/value';
import type { ModuleFiles, ModuleLoader } from '../stdlib/package';
import { sha256, type AuditModule } from './audit';
import { folderFiles, type SandboxFiles } from './files';

/**
 * Where a sandbox reads its contract's module files, by their path as the contract declares it
 * (`lib/pricing_util.lua`): a function (undefined: no such file; a thrown Error: why it cannot be
 * read), or an object of sources. Sources are byte strings, as `Sandbox.run` takes the script's.
 */
export type ModuleSource = ((path: string) => string | undefined) | Readonly<Record<string, string>>;

/** A ModuleSource as one function. */
export function moduleReader(source: ModuleSource): (path: string) => string | undefined {
  if (typeof source === 'function') return source;
  return (path) => (Object.prototype.hasOwnProperty.call(source, path) ? source[path] : undefined);
}

/**
 * Reads files below the folder of a contract loaded from disk (`contract.path` absolute), through
 * the same checks as the contract's declared files (`folderFiles`): a path that resolves outside
 * the folder, through `..` or a symbolic link, is refused. Without such a folder (a contract
 * parsed from text), no file exists.
 */
export function contractFolderReader(contract: Pick<Contract, 'path'>): (path: string) => string | undefined {
  if (!nodePath.isAbsolute(contract.path)) return () => undefined;
  let folder: SandboxFiles | undefined;
  return (path) => {
    folder ??= folderFiles(nodePath.dirname(contract.path));
    const bytes = folder.read(path);
    return bytes === undefined ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  };
}

/** `no module 'x' in invoice-normalizer's modules (sandlua.json)` */
export function undeclaredModuleMessage(name: string, contract: Pick<Contract, 'name' | 'path'>): string {
  return `no module '${name}' in ${contract.name}'s modules (${nodePath.basename(contract.path || MANIFEST_FILE)})`;
}

export interface ContractModulesOptions {
  contract: Contract;
  read: (path: string) => string | undefined;
  /** Sources of an audit record being replayed, by path: they win over `read`. */
  recorded?: readonly AuditModule[];
  /** Compiles a module (cached by the sandbox), chunk name `@path`. */
  compile: (source: string, path: string) => Proto | string;
  /**
   * For a run that can wait: a promise of the module's compile (a long one, off the thread), or
   * undefined to compile it at once with `compile`.
   */
  compileLater?: (source: string, path: string) => Promise<Proto | string> | undefined;
  /** The globals modules run with (the script's). */
  globals: () => LuaTable;
  /** Where loaded modules are recorded (the audit record's list). */
  loaded: AuditModule[];
}

/** The contract's modules as `require`'s searcher and `package.searchpath`'s files. */
export class ContractModules {
  /** Declared files by normalized path. */
  private readonly paths: Set<string>;

  constructor(private readonly options: ContractModulesOptions) {
    this.paths = new Set([...options.contract.modules.values()].map((m) => m.path));
  }

  /** The searcher after preload: a declared module's loader, or the line for "module not found". */
  search(name: string, canWait = false): ModuleLoader | string | Promise<ModuleLoader> {
    const { contract } = this.options;
    const declared = contract.modules.get(name);
    if (declared === undefined) return `\n\t${undeclaredModuleMessage(name, contract)}`;
    const path = declared.path;
    const source = this.source(path, name);
    const later = canWait ? this.options.compileLater?.(source, path) : undefined;
    if (later !== undefined) return later.then((proto) => this.loaderOf(name, path, source, proto));
    return this.loaderOf(name, path, source, this.options.compile(source, path));
  }

  /** The loader of a module compiled, recorded as loaded; a LuaError (`syntax`) for one that does not compile. */
  private loaderOf(name: string, path: string, source: string, proto: Proto | string): ModuleLoader {
    if (typeof proto === 'string') {
      const e = new LuaError(`error loading module '${name}' from file '${path}':\n\t${proto}`);
      e.kind = 'syntax';
      throw e;
    }
    const loaded = this.options.loaded;
    if (!loaded.some((m) => m.name === name && m.source === source)) loaded.push({ name, path, sha256: sha256(source), source });
    const G = this.options.globals();
    const loader = new LuaClosure(proto, proto.upvalues.map((_, i) => Upvalue.closed(i === 0 ? G : undefined)));
    return { loader, extra: path };
  }

  /** Only declared files exist for `package.searchpath` (and nothing can be read through it). */
  readonly files: ModuleFiles = {
    readable: (path) => relativePathProblem(path) === undefined && this.paths.has(normalizeRelativePath(path)),
    read: (path) => ({ error: `cannot open ${path}` }),
  };

  private source(path: string, name: string): string {
    const recorded = this.options.recorded?.find((m) => m.path === path);
    if (recorded !== undefined) return recorded.source;
    let source: string | undefined;
    let why = 'no such file';
    try {
      source = this.options.read(path);
    } catch (e) {
      why = e instanceof Error ? e.message : String(e);
    }
    if (typeof source !== 'string') {
      throw new LuaError(`error loading module '${name}' from file '${path}':\n\tcannot read ${path} (${why})`);
    }
    return source;
  }
}
