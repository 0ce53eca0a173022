// Where the io library's files live: a small interface (FileSystem) that io.ts works over, the
// C library's error numbers and messages that io functions return (`nil, "x: No such file or
// directory", 2`), and the plain state's implementation on the real disk. The sandbox gives io
// another implementation (sandbox/files.ts) that only knows the files a contract declares.
//
// The interface is whole-file: io.ts keeps each open file's bytes in memory (shared by every
// handle open on it, like an operating system's page cache) and hands the bytes back at flush and
// close. That keeps an implementation a few lines long, and lets the sandbox hold writes back
// until a run has succeeded.

import * as fs from 'fs';
import * as nodePath from 'path';

/** Node's `os`, loaded where it is used: most runs never ask for it. */
function nodeOs(): typeof import('os') {
  return require('os') as typeof import('os');
}

/** The errno values io reports (Linux numbering, as lua5.3 on Linux returns them). */
export const ERRNO = {
  EPERM: 1, ENOENT: 2, EIO: 5, EBADF: 9, EACCES: 13, EBUSY: 16, EEXIST: 17, EXDEV: 18, ENOTDIR: 20, EISDIR: 21, EINVAL: 22,
  EMFILE: 24, EFBIG: 27, ENOSPC: 28, ESPIPE: 29, EROFS: 30, ENAMETOOLONG: 36, ENOTEMPTY: 39, ELOOP: 40,
} as const;

/** glibc's strerror texts for those numbers. */
const MESSAGES: Readonly<Record<number, string>> = {
  1: 'Operation not permitted', 2: 'No such file or directory', 5: 'Input/output error', 9: 'Bad file descriptor',
  13: 'Permission denied', 16: 'Device or resource busy', 17: 'File exists', 18: 'Invalid cross-device link',
  20: 'Not a directory', 21: 'Is a directory', 22: 'Invalid argument', 24: 'Too many open files', 27: 'File too large',
  28: 'No space left on device', 29: 'Illegal seek', 30: 'Read-only file system', 36: 'File name too long',
  39: 'Directory not empty', 40: 'Too many levels of symbolic links',
};

/** C's strerror. */
export function strerror(errno: number): string {
  return MESSAGES[errno] ?? `Unknown error ${errno}`;
}

/** A failure io reports as `nil, message, errno` (never an exception that reaches the script). */
export class FileError extends Error {
  constructor(readonly errno: number, message: string = strerror(errno)) {
    super(message);
  }

  /** The FileError for a Node.js error (its `code`), or undefined when it is not a file-system error. */
  static fromNode(error: unknown): FileError | undefined {
    const code = (error as NodeJS.ErrnoException | null)?.code;
    if (typeof code !== 'string') return undefined;
    const errno = (ERRNO as Record<string, number>)[code] ?? (nodeOs().constants.errno as Record<string, number>)[code];
    return errno === undefined ? new FileError(ERRNO.EIO, code) : new FileError(errno);
  }
}

/**
 * The files io reaches. Paths are the script's strings; `canonical` turns one into the key every
 * other method gets (so that `./a.txt` and `a.txt` share one open file). Each method throws a
 * FileError for a failure the script sees as `nil, message, errno`; any other exception (a
 * LuaError, say a sandbox's `forbidden`) goes on to the script as an error.
 */
export interface FileSystem {
  /** The key of a path (may throw: a path the implementation refuses). Default: the path itself. */
  canonical?(path: string): string;
  /** Before a file is opened, removed or renamed: may refuse (throw). `what` is the function (`io.open`). */
  authorize?(key: string, access: FileAccessWanted, what: string): void;
  /** The file's bytes, or undefined when there is no such file. */
  read(key: string): Uint8Array | undefined;
  /** Creates or replaces the file. The bytes are the caller's: keep a copy if they must outlive the call. */
  write(key: string, data: Uint8Array): void;
  /** Removes the file (FileError ENOENT when there is none). */
  remove(key: string): void;
  /** Renames the file, replacing `to` (FileError ENOENT when `from` does not exist). */
  rename(from: string, to: string): void;
  /** A fresh file name io.open accepts (os.tmpname); without it os.tmpname fails as C's does. */
  tmpname?(): string;
  /** Before a file's content grows to `size` bytes (key undefined: io.tmpfile): may throw (a limit). */
  grow?(key: string | undefined, size: number): void;
}

/** What an opener wants to do with a file: io.open's "r" reads, "w"/"a" write, a "+" does both. */
export type FileAccessWanted = 'read' | 'write' | 'read-write';

/**
 * The real disk, paths relative to `base` (default: the process's working directory at each
 * call), as the C library sees it. For plain states (tests, the conformance runner); a sandbox
 * never uses it.
 */
export function diskFileSystem(base?: string): FileSystem {
  const node = <T>(f: () => T): T => {
    try {
      return f();
    } catch (error) {
      throw FileError.fromNode(error) ?? error;
    }
  };
  return {
    // C sees a path up to its first NUL byte; Node refuses such a path outright.
    canonical: (path) => nodePath.resolve(base ?? process.cwd(), path.split('\0', 1)[0]),
    read: (key) => {
      try {
        return fs.readFileSync(key);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw FileError.fromNode(error) ?? error;
      }
    },
    write: (key, data) => node(() => fs.writeFileSync(key, data)),
    remove: (key) => node(() => {
      // C's remove also removes an empty folder.
      if (fs.lstatSync(key).isDirectory()) fs.rmdirSync(key);
      else fs.unlinkSync(key);
    }),
    rename: (from, to) => node(() => fs.renameSync(from, to)),
    tmpname: () => node(() => {
      // As mkstemp: a new file that did not exist, created empty.
      for (;;) {
        const name = nodePath.join(nodeOs().tmpdir(), 'lua_' + Math.random().toString(36).slice(2, 8).padEnd(6, '0'));
        try {
          fs.closeSync(fs.openSync(name, 'wx'));
          return name;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
      }
    }),
  };
}

/** No files at all: nothing exists, nothing can be made (for states that must not reach the disk). */
export function noFileSystem(): FileSystem {
  const refuse = (): never => {
    throw new FileError(ERRNO.EACCES);
  };
  return { read: () => undefined, write: refuse, remove: refuse, rename: refuse };
}
