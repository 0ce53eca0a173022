// Files in the sandbox. A host gives a Sandbox its files as a `SandboxFiles` (four small methods,
// paths relative to the contract's folder); `memoryFiles` holds them in a Map and `folderFiles`
// keeps them on disk below the contract's folder (the CLI). A run sees them through `RunFiles`,
// the io library's FileSystem for that run:
//
// - only the paths the contract's `files` declares, with the declared access (read, write,
//   read-write); anything else — an undeclared path, `..`, an absolute path, a NUL byte, writing a
//   read-only file — raises `forbidden` naming the path and the contract;
// - no file larger than limits.fileBytes is read (kind `input`) or written (kind `output`);
// - writes are held by the run and reach the host's files only when the run succeeds
//   (`commit`): a run that fails, and a replay, change nothing;
// - os.tmpname names a scratch file of the run (in memory, never on disk), which io.open accepts;
// - every read of a host file is recorded (path, sha256, content) so that a replay serves it from
//   the record and never touches the files; writes are recorded with path, sha256 and size.

import * as fs from 'fs';
import * as nodePath from 'path';
import { MANIFEST_FILE, relativePathProblem, normalizeRelativePath, type Contract } from '../contract/manifest';
import { ERRNO, FileError, type FileAccessWanted, type FileSystem } from '../stdlib/files';
import { sha256Bytes, type AuditFileRead, type AuditFiles } from './audit';

/** The files a host gives a sandbox. Paths are normalized and relative to the contract's folder (`data/rates.csv`). */
export interface SandboxFiles {
  /** The file's bytes, or undefined when it does not exist. */
  read(path: string): Uint8Array | undefined;
  /** Creates or replaces the file (called when a run that wrote it has succeeded). */
  write(path: string, data: Uint8Array): void;
  /** Removes the file (a successful run that called os.remove on it); without it, removals are not carried out. */
  remove?(path: string): void;
}

/** A file a folder implementation refuses because it resolves outside the folder (a symlink out). */
export class OutsideFolderError extends Error {}

/** Files in memory: for tests and hosts that keep their data elsewhere. */
export function memoryFiles(initial: Record<string, string | Uint8Array> = {}): SandboxFiles & { readonly files: Map<string, Uint8Array>; text(path: string): string | undefined } {
  const files = new Map<string, Uint8Array>();
  for (const [path, content] of Object.entries(initial)) files.set(path, typeof content === 'string' ? Buffer.from(content, 'utf8') : content.slice());
  return {
    files,
    read: (path) => files.get(path),
    write: (path, data) => void files.set(path, data.slice()),
    remove: (path) => void files.delete(path),
    text: (path) => {
      const data = files.get(path);
      return data === undefined ? undefined : Buffer.from(data).toString('utf8');
    },
  };
}

/**
 * Files on disk below `root` (the contract's folder). Refuses, with OutsideFolderError, any path
 * that is absolute, goes through `..`, holds a NUL byte, or resolves (through symbolic links)
 * outside the folder; creates missing folders below the root when writing.
 */
export function folderFiles(root: string): SandboxFiles {
  const realRoot = fs.realpathSync(root);
  const inside = (real: string) => real === realRoot || real.startsWith(realRoot + nodePath.sep);
  /** The absolute path of `path`, checked: every existing part of it resolves inside the root. */
  const locate = (path: string): string => {
    const problem = relativePathProblem(path);
    if (problem !== undefined) throw new OutsideFolderError(`'${path}' ${problem}`);
    const full = nodePath.join(realRoot, normalizeRelativePath(path));
    // The deepest existing ancestor (or the file itself) must resolve inside the root.
    let existing = full;
    while (!fs.existsSync(existing) && existing !== realRoot) existing = nodePath.dirname(existing);
    if (!inside(fs.realpathSync(existing))) throw new OutsideFolderError(`${path} resolves outside the contract's folder`);
    try {
      // A dangling symbolic link would be followed by a write: refuse it too.
      if (fs.lstatSync(full).isSymbolicLink() && !fs.existsSync(full)) throw new OutsideFolderError(`'${path}' is a dangling symbolic link`);
    } catch (error) {
      if (error instanceof OutsideFolderError) throw error;
    }
    return full;
  };
  return {
    read: (path) => {
      const full = locate(path);
      try {
        return fs.readFileSync(full);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    write: (path, data) => {
      const full = locate(path);
      fs.mkdirSync(nodePath.dirname(full), { recursive: true });
      locate(path); // the folders just made are inside; the file is checked again
      fs.writeFileSync(full, data);
    },
    remove: (path) => fs.rmSync(locate(path), { force: true }),
  };
}

/** How a run's files raise what ends the run. */
export interface RunFilesHooks {
  /** A fatal `forbidden` error (the message gets the script's position). */
  forbidden(message: string): never;
  /** A fatal limit error: `input` for reading too much, `output` for writing too much. */
  limit(kind: 'input' | 'output', message: string): never;
  /** A replay that reads what the record does not have (fatal, kind `host`). */
  diverged(message: string): never;
}

/** The io library's FileSystem for one run in a sandbox (see the top of this file). */
export class RunFiles implements FileSystem {
  /** Files the run wrote or removed (null), in the order of their last change; committed on success. */
  private readonly changes = new Map<string, Uint8Array | null>();
  /** Files read from the host (undefined: absent), read once per run. */
  private readonly fromHost = new Map<string, Uint8Array | undefined>();
  /** os.tmpname's scratch files. */
  private readonly scratch = new Map<string, Uint8Array | null>();
  private tmpCount = 0;
  /** What the audit record keeps of the host files read. */
  readonly reads: AuditFileRead[] = [];
  private readonly replayed: Map<string, AuditFileRead> | undefined;

  constructor(private readonly contract: Contract, private readonly host: SandboxFiles | undefined, private readonly hooks: RunFilesHooks,
    replay?: AuditFiles) {
    if (replay !== undefined) {
      this.replayed = new Map();
      for (const read of replay.read) if (!this.replayed.has(read.path)) this.replayed.set(read.path, read);
    }
  }

  canonical(path: string): string {
    if (this.scratch.has(path) || relativePathProblem(path) !== undefined) return path;
    return normalizeRelativePath(path);
  }

  authorize(key: string, access: FileAccessWanted, what: string): void {
    if (this.scratch.has(key)) return;
    const contract = `${this.contract.name} (${nodePath.basename(this.contract.path || MANIFEST_FILE)})`;
    const undeclared = `${what}: file '${printable(key)}' is not declared in the files of ${contract}`;
    const problem = relativePathProblem(key);
    if (problem !== undefined) this.hooks.forbidden(`${undeclared}: the path ${problem}`);
    const declared = this.contract.files.get(key);
    if (declared === undefined) this.hooks.forbidden(undeclared);
    if (access !== 'read' && declared === 'read') this.hooks.forbidden(`${what}: file '${key}' is declared read-only by ${contract}: it cannot be written`);
    if (access !== 'write' && declared === 'write') this.hooks.forbidden(`${what}: file '${key}' is declared write-only by ${contract}: it cannot be read`);
  }

  read(key: string): Uint8Array | undefined {
    if (this.scratch.has(key)) return this.scratch.get(key) ?? undefined;
    const changed = this.changes.get(key);
    if (changed !== undefined) return changed ?? undefined;
    if (this.fromHost.has(key)) return this.fromHost.get(key);
    const data = this.readHost(key);
    this.fromHost.set(key, data);
    return data;
  }

  write(key: string, data: Uint8Array): void {
    if (data.length > this.contract.limits.fileBytes) this.grow(key, data.length);
    const copy = data.slice();
    if (this.scratch.has(key)) {
      this.scratch.set(key, copy);
      return;
    }
    this.changes.delete(key); // keeps the map in the order of last change
    this.changes.set(key, copy);
  }

  remove(key: string): void {
    if (this.scratch.has(key)) {
      if (this.scratch.get(key) === null) throw new FileError(ERRNO.ENOENT);
      this.scratch.set(key, null);
      return;
    }
    if (this.read(key) === undefined) throw new FileError(ERRNO.ENOENT);
    this.changes.delete(key);
    this.changes.set(key, null);
  }

  rename(from: string, to: string): void {
    const data = this.read(from);
    if (data === undefined) throw new FileError(ERRNO.ENOENT);
    if (from === to) return;
    this.write(to, data);
    this.remove(from);
  }

  tmpname(): string {
    // Names follow a counter (not chance), so that a replay makes the same ones.
    const name = `/tmp/lua_${(++this.tmpCount).toString(36).padStart(6, '0')}`;
    this.scratch.set(name, new Uint8Array(0));
    return name;
  }

  grow(key: string | undefined, size: number): void {
    const limit = this.contract.limits.fileBytes;
    if (size > limit) {
      const what = key === undefined ? 'a temporary file' : `file '${printable(key)}'`;
      this.hooks.limit('output', `writing ${what} past the limit of ${limit} bytes (limits.fileBytes)`);
    }
  }

  /** Bytes held for the run (the sandbox counts them as the script's memory). */
  heldBytes(): number {
    let bytes = 0;
    for (const map of [this.changes, this.fromHost, this.scratch]) for (const data of map.values()) bytes += data?.length ?? 0;
    return bytes;
  }

  /** What the run changed: files written (final content) and removed, for the audit record. */
  changed(): Pick<AuditFiles, 'written' | 'removed'> {
    const written: AuditFiles['written'] = [];
    const removed: string[] = [];
    for (const [path, data] of this.changes) {
      if (data === null) removed.push(path);
      else written.push({ path, sha256: sha256Bytes(data), bytes: data.length });
    }
    return { written, removed };
  }

  /** Gives the run's changes to the host's files (a successful run, not a replay). */
  commit(): void {
    if (this.host === undefined) return;
    for (const [path, data] of this.changes) {
      if (data === null) this.host.remove?.(path);
      else this.host.write(path, data);
    }
  }

  private readHost(key: string): Uint8Array | undefined {
    const limit = this.contract.limits.fileBytes;
    if (this.replayed !== undefined) {
      const recorded = this.replayed.get(key);
      if (recorded === undefined) this.hooks.diverged(`replay diverged: the script read file '${key}', which the record does not have`);
      return recorded.missing ? undefined : Buffer.from(recorded.content ?? '', 'base64');
    }
    let data: Uint8Array | undefined;
    try {
      data = this.host?.read(key);
    } catch (error) {
      if (error instanceof OutsideFolderError) this.hooks.forbidden(`file '${key}': ${error.message}`);
      throw FileError.fromNode(error) ?? new FileError(ERRNO.EIO, error instanceof Error ? error.message : String(error));
    }
    if (data === undefined) {
      this.reads.push({ path: key, sha256: '', bytes: 0, missing: true });
      return undefined;
    }
    if (data.length > limit) this.hooks.limit('input', `file '${key}' is ${data.length} bytes, more than the limit of ${limit} (limits.fileBytes)`);
    this.reads.push({ path: key, sha256: sha256Bytes(data), bytes: data.length, content: Buffer.from(data).toString('base64') });
    return data;
  }
}

/** A path for a message: control characters (a NUL byte) shown escaped. */
function printable(path: string): string {
  // eslint-disable-next-line no-control-regex
  return path.replace(/[\x00-\x1f\x7f]/g, (c) => `\\${c.charCodeAt(0)}`);
}
