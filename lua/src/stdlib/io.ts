// The io library (manual §6.8) with liolib.c's semantics and messages, and the file functions of
// os (remove, rename, tmpname), over a FileSystem (files.ts): the real disk in a plain state, the
// contract's declared files in a sandbox.
//
// Model. A file handle is a Userdata whose metatable is the `FILE*` metatable (its own __index,
// as in PUC). The bytes of an open file live here, in one FileData shared by every handle open on
// it (as an operating system's page cache): a handle reads them and writes into them, and each
// handle has its own write buffer with C's buffering modes (setvbuf "no", "full", "line"; "full"
// by default), so that what one handle has written is seen by another exactly when C would show
// it. The bytes reach the FileSystem when the handle is flushed or closed (f:flush, io.flush,
// f:close, io.close, and `flushAll`, which a host calls when a run ends). Opening with "w" creates
// or empties the file at once, as fopen does. os.remove forgets the file (open handles keep their
// bytes, like an unlinked file); os.rename moves it.
//
// There is no garbage collection of handles: `collectgarbage()` (see state.ts) moves every
// handle's write buffer into its file instead, which is what closing the unreachable handles would
// do for the handles a later open can observe. Standard streams: io.stdin reads the `stdin` bytes
// the host gives (empty by default); io.stdout and io.stderr write to the host's text sinks at
// once (the host buffers if it wants to). io.popen has no process to open: it raises PUC's
// "'popen' not supported", as a Lua built without popen does. io.tmpfile is an anonymous file in
// memory. Every byte read or written is charged to the budget.

import type { VM } from '../vm/interp';
import { LuaTable } from '../vm/table';
import { LFloat, formatG, numberToString, stringToNumber } from '../vm/number';
import { LuaClosure, LuaValue, NativeFunction, Request, Userdata, isFalsy, rawToString } from '../vm/value';
import { Args, Charge, library, native } from './args';
import { ERRNO, FileError, FileSystem } from './files';

export interface IoOptions {
  /** Where io.open, io.lines, os.remove, os.rename and os.tmpname reach (a plain state: the disk). */
  files?: FileSystem;
  /** What io.stdin reads (a Lua byte string, or bytes); default: nothing. */
  stdin?: string | Uint8Array;
  /** Where io.stdout writes (Lua byte strings, as written); default: the process's stdout. */
  stdout?: (text: string) => void;
  /** Where io.stderr writes; default: the process's stderr. */
  stderr?: (text: string) => void;
  /** Called when the script flushes the standard output (io.stdout:flush, io.flush). */
  flushStdout?: () => void;
}

/** C's BUFSIZ on Linux: the default size of a "full" buffer. */
const BUFSIZ = 8192;
/** Largest file a plain state makes (a script seeking far and writing gets EFBIG, not a huge allocation). */
const MAX_FILE = 0x7fffffff;
/** liolib's MAXARGLINE: formats io.lines / f:lines keep. */
const MAX_LINE_FORMATS = 250;
/** liolib's L_MAXLENNUM: longest numeral read by "n". */
const MAX_NUMERAL = 200;
const EOF = -1;

type Buffering = 'no' | 'full' | 'line';
type HandleKind = 'file' | 'stdin' | 'stdout' | 'stderr';

/**
 * The bytes of a file nothing was written to yet: one shared empty array (never written: `put`
 * grows into a new one), since an ArrayBuffer per standard stream of every state is a cost V8's
 * collector pays for each run.
 */
const NO_BYTES = new Uint8Array(0);

/** The bytes of one open file, shared by its handles. */
class FileData {
  bytes = NO_BYTES;
  length = 0;
  /** Changed since it was last given to the FileSystem. */
  dirty = false;
  /** Handles open on it (not closed). */
  refs = 0;
  /** @param key the FileSystem key; undefined once removed, and for io.tmpfile and stdin. */
  constructor(public key: string | undefined, content?: Uint8Array) {
    if (content !== undefined) {
      this.bytes = content.slice();
      this.length = content.length;
    }
  }

  text(from: number, to: number): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + from, to - from).toString('latin1');
  }

  /** Writes `text` (bytes as chars) at `at`, zero-filling any gap past the end. */
  put(at: number, text: string): void {
    const end = at + text.length;
    if (end > this.bytes.length) {
      const grown = new Uint8Array(Math.max(end, this.bytes.length * 2, 256));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    if (at > this.length) this.bytes.fill(0, this.length, at);
    this.bytes.set(Buffer.from(text, 'latin1'), at);
    if (end > this.length) this.length = end;
    this.dirty = true;
  }

  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

/** What a FILE* userdata holds. */
class FileHandle {
  closed = false;
  /** Position of the next read, or of the next write once `pending` is written. */
  pos = 0;
  /** Written bytes not yet in the file (C's buffer). */
  pending = '';
  buffering: Buffering = 'full';
  bufferSize = BUFSIZ;
  /** C's error indicator, set by a read or write that failed (cleared by each read call). */
  error = false;
  constructor(readonly kind: HandleKind, readonly data: FileData | undefined, readonly readable: boolean, readonly writable: boolean,
    readonly append: boolean) {}
}

/** One read's outcome (liolib's read_* functions: a value, and whether it succeeded). */
interface ReadResult {
  value: LuaValue;
  ok: boolean;
}

/** The io library of one state: its open files, standard streams and default input/output. */
export class IoLibrary {
  /** Open files by FileSystem key: every handle on a key shares its bytes. */
  private readonly entries = new Map<string, FileData>();
  /** Handles not yet closed (for flushAll and the memory count). */
  private readonly live = new Set<FileHandle>();
  /** The `FILE*` metatable (LUA_FILEHANDLE). */
  readonly meta = new LuaTable();
  readonly stdin: Userdata;
  readonly stdout: Userdata;
  readonly stderr: Userdata;
  /** The default input and output files (io.input(), io.output()). */
  input: Userdata;
  output: Userdata;
  private readonly stdoutSink: (text: string) => void;
  private readonly stderrSink: (text: string) => void;

  constructor(private readonly vm: VM, readonly files: FileSystem, private readonly charge: Charge, private readonly options: IoOptions) {
    const stdin = typeof options.stdin === 'string' ? Buffer.from(options.stdin, 'latin1') : options.stdin;
    this.stdin = this.wrap(new FileHandle('stdin', new FileData(undefined, stdin), true, false, false));
    this.stdout = this.wrap(new FileHandle('stdout', undefined, false, true, false));
    this.stderr = this.wrap(new FileHandle('stderr', undefined, false, true, false));
    this.input = this.stdin;
    this.output = this.stdout;
    this.stdoutSink = options.stdout ?? ((text) => process.stdout.write(Buffer.from(text, 'latin1')));
    this.stderrSink = options.stderr ?? ((text) => process.stderr.write(Buffer.from(text, 'latin1')));
  }

  /** Writes every handle's buffer into its file and every changed file to the FileSystem (end of a run, os.exit). */
  flushAll(): void {
    for (const handle of this.live) {
      try {
        this.sync(handle);
      } catch (error) {
        if (!(error instanceof FileError)) throw error;
      }
    }
    this.options.flushStdout?.();
  }

  /** Moves every handle's write buffer into its file (what collecting unreachable handles would show). */
  flushBuffers(): void {
    for (const handle of this.live) this.flushPending(handle);
  }

  /** Bytes held for open files, buffers and stdin (the sandbox counts them as the script's memory). */
  heldBytes(): number {
    const seen = new Set<FileData>();
    let bytes = 0;
    for (const handle of this.live) {
      bytes += handle.pending.length;
      if (handle.data !== undefined && !seen.has(handle.data)) {
        seen.add(handle.data);
        bytes += handle.data.bytes.length;
      }
    }
    for (const data of this.entries.values()) if (!seen.has(data)) bytes += data.bytes.length;
    return bytes + (this.handleOf(this.stdin)?.data?.bytes.length ?? 0);
  }

  // ---- handles -------------------------------------------------------------------------------

  /** @internal */
  wrap(handle: FileHandle): Userdata {
    const u = new Userdata(handle);
    u.metatable = this.meta;
    if (handle.kind === 'file') this.live.add(handle);
    return u;
  }

  /** The handle of a FILE* userdata, or undefined for any other value (luaL_testudata). */
  handleOf(v: LuaValue): FileHandle | undefined {
    return v instanceof Userdata && v.metatable === this.meta && v.data instanceof FileHandle ? v.data : undefined;
  }

  /** fopen: a new handle, or the FileError fopen would set. */
  open(name: string, mode: string, what: string): Userdata | FileError {
    const files = this.files;
    const key = files.canonical ? files.canonical(name) : name;
    const kind = mode[0];
    const plus = mode.includes('+');
    files.authorize?.(key, plus ? 'read-write' : kind === 'r' ? 'read' : 'write', what);
    let data = this.entries.get(key);
    try {
      if (data === undefined) {
        if (kind === 'w') {
          files.write(key, new Uint8Array(0));
          data = new FileData(key);
        } else {
          const content = files.read(key);
          if (content === undefined) {
            if (kind === 'r') return new FileError(ERRNO.ENOENT);
            files.write(key, new Uint8Array(0));
          }
          data = new FileData(key, content);
          this.charge(1 + (data.length >> 6));
        }
        this.entries.set(key, data);
      } else if (kind === 'w') {
        files.write(key, new Uint8Array(0));
        data.length = 0;
        data.dirty = false;
      }
    } catch (error) {
      if (error instanceof FileError) return error;
      throw error;
    }
    data.refs++;
    return this.wrap(new FileHandle('file', data, kind === 'r' || plus, kind !== 'r' || plus, kind === 'a'));
  }

  /** io.tmpfile: a read-write file of this state only. */
  tmpfile(): Userdata {
    const data = new FileData(undefined);
    data.refs = 1;
    return this.wrap(new FileHandle('file', data, true, true, false));
  }

  /** Writes a handle's buffer into its file. */
  private flushPending(h: FileHandle): void {
    if (h.pending === '' || h.data === undefined) return;
    const at = h.append ? h.data.length : h.pos;
    h.data.put(at, h.pending);
    h.pos = at + h.pending.length;
    h.pending = '';
  }

  /** fflush: the buffer into the file, the file to the FileSystem. */
  private sync(h: FileHandle): void {
    if (h.kind === 'stdout') this.options.flushStdout?.();
    this.flushPending(h);
    const data = h.data;
    if (data !== undefined && data.dirty && data.key !== undefined) {
      this.charge(1 + (data.length >> 6));
      this.files.write(data.key, data.view());
      data.dirty = false;
    }
  }

  /** fwrite: undefined, or why it failed. */
  private write(h: FileHandle, text: string): FileError | undefined {
    if (!h.writable) {
      h.error = true;
      return new FileError(ERRNO.EBADF);
    }
    this.charge(1 + (text.length >> 6), text.length);
    if (h.kind === 'stdout' || h.kind === 'stderr') {
      (h.kind === 'stdout' ? this.stdoutSink : this.stderrSink)(text);
      return undefined;
    }
    const data = h.data!;
    const end = h.append ? data.length + h.pending.length + text.length : h.pos + h.pending.length + text.length;
    if (end > data.length) {
      this.files.grow?.(data.key, end);
      if (end > MAX_FILE) return new FileError(ERRNO.EFBIG);
    }
    h.pending += text;
    if (h.buffering === 'no' || h.pending.length >= h.bufferSize || (h.buffering === 'line' && text.includes('\n'))) this.flushPending(h);
    return undefined;
  }

  /** fclose, for io.close, f:close and the end of io.lines. */
  private close(h: FileHandle): LuaValue[] {
    if (h.kind !== 'file') return [undefined, 'cannot close standard file'];
    let failure: FileError | undefined;
    try {
      this.sync(h);
    } catch (error) {
      if (!(error instanceof FileError)) throw error;
      failure = error;
    }
    h.closed = true;
    h.pending = '';
    this.live.delete(h);
    const data = h.data!;
    data.refs--;
    if (data.refs === 0 && data.key !== undefined && this.entries.get(data.key) === data && !data.dirty) this.entries.delete(data.key);
    return failure === undefined ? [true] : fileResult(failure);
  }

  // ---- reading -------------------------------------------------------------------------------

  /** Before a read: the handle's own writes go into the file first (C requires a seek or flush). */
  private readable(h: FileHandle): FileData | undefined {
    if (!h.readable || h.data === undefined) {
      h.error = true;
      return undefined;
    }
    this.flushPending(h);
    return h.data;
  }

  /** "l" (chop: without the newline) and "L". */
  private readLine(h: FileHandle, chop: boolean): ReadResult {
    const data = this.readable(h);
    if (data === undefined) return { value: undefined, ok: false };
    const start = Math.min(h.pos, data.length);
    const newline = data.bytes.subarray(0, data.length).indexOf(10, start);
    const end = newline < 0 ? data.length : newline;
    this.charge(1 + ((end - start) >> 6), end - start);
    const line = data.text(start, end);
    h.pos = newline < 0 ? end : end + 1;
    if (newline >= 0) return { value: chop ? line : line + '\n', ok: true };
    return { value: line, ok: line.length > 0 };
  }

  private readAll(h: FileHandle): ReadResult {
    const data = this.readable(h);
    if (data === undefined) return { value: '', ok: false };
    const start = Math.min(h.pos, data.length);
    this.charge(1 + ((data.length - start) >> 6), data.length - start);
    h.pos = Math.max(h.pos, data.length);
    return { value: data.text(start, data.length), ok: true };
  }

  private readChars(h: FileHandle, n: number): ReadResult {
    const data = this.readable(h);
    if (data === undefined) return { value: undefined, ok: false };
    const start = Math.min(h.pos, data.length);
    const end = Math.min(data.length, start + n);
    this.charge(1 + ((end - start) >> 6), end - start);
    h.pos = Math.max(h.pos, end);
    return { value: data.text(start, end), ok: end > start };
  }

  /** read(0): "" unless at the end of the file. */
  private testEof(h: FileHandle): ReadResult {
    const data = this.readable(h);
    if (data === undefined) return { value: '', ok: false };
    return { value: '', ok: h.pos < data.length };
  }

  /**
   * "n": as liolib's read_number, the longest prefix that can start a numeral (at most 200
   * characters, one character of look-ahead given back), then converted; nil when it is not one.
   */
  private readNumber(h: FileHandle): ReadResult {
    const data = this.readable(h);
    if (data === undefined) return { value: undefined, ok: false };
    const bytes = data.bytes;
    const getc = (): number => (h.pos < data.length ? bytes[h.pos++] : (h.pos = Math.max(h.pos, data.length), EOF));
    let c = getc();
    while (c === 32 || (c >= 9 && c <= 13)) c = getc();
    let text = '';
    let overflow = false;
    const next = (): boolean => {
      if (text.length >= MAX_NUMERAL) {
        overflow = true;
        return false;
      }
      text += String.fromCharCode(c);
      c = getc();
      return true;
    };
    const accept = (a: string, b: string): boolean => (c === a.charCodeAt(0) || c === b.charCodeAt(0)) && next();
    const digits = (hex: boolean): number => {
      let count = 0;
      while ((isDigit(c) || (hex && isHexLetter(c))) && next()) count++;
      return count;
    };
    let count = 0;
    let hex = false;
    accept('-', '+');
    if (accept('0', '0')) {
      if (accept('x', 'X')) hex = true;
      else count = 1;
    }
    count += digits(hex);
    if (accept('.', '.')) count += digits(hex);
    if (count > 0 && (hex ? accept('p', 'P') : accept('e', 'E'))) {
      accept('-', '+');
      digits(false);
    }
    if (c !== EOF) h.pos--;
    this.charge(1 + (text.length >> 4));
    const value = overflow ? undefined : stringToNumber(text);
    return { value, ok: value !== undefined };
  }

  /** liolib's g_read: formats from argument `first` on; the results, or nil, message, errno. */
  read(a: Args, h: FileHandle, first: number): LuaValue[] {
    h.error = false;
    const out: LuaValue[] = [];
    let ok = true;
    if (a.length < first) {
      const r = this.readLine(h, true);
      out.push(r.value);
      ok = r.ok;
    } else {
      for (let n = first; n <= a.length && ok; n++) {
        const format = a.values[n - 1];
        let r: ReadResult;
        if (typeof format === 'number' || typeof format === 'bigint' || format instanceof LFloat) {
          const count = a.integer(n);
          // A negative count is a huge size_t in C: everything left.
          r = count === 0 ? this.testEof(h) : this.readChars(h, count < 0 ? Number.MAX_SAFE_INTEGER : Number(count));
        } else {
          let p = a.string(n);
          if (p[0] === '*') p = p.slice(1);
          switch (p[0]) {
            case 'n': r = this.readNumber(h); break;
            case 'l': r = this.readLine(h, true); break;
            case 'L': r = this.readLine(h, false); break;
            case 'a': r = this.readAll(h); break;
            default: throw a.error(n, 'invalid format');
          }
        }
        out.push(r.value);
        ok = r.ok;
      }
    }
    if (h.error) return fileResult(new FileError(ERRNO.EBADF));
    if (!ok) out[out.length - 1] = undefined;
    return out;
  }

  /** liolib's g_write: arguments from `first` on; true, or nil, message, errno. */
  writeArgs(a: Args, h: FileHandle, first: number): FileError | undefined {
    let failure: FileError | undefined;
    for (let n = first; n <= a.length; n++) {
      const v = a.values[n - 1];
      let text: string;
      if (typeof v === 'number' || typeof v === 'bigint' || v instanceof LFloat) {
        // LUA_INTEGER_FMT and LUA_NUMBER_FMT ("%.14g": no ".0" on integral floats, unlike tostring).
        text = typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v)) ? numberToString(v) : formatG(v instanceof LFloat ? v.n : v, 14);
      } else {
        text = a.string(n);
      }
      failure ??= this.write(h, text);
    }
    return failure;
  }

  // ---- the library ---------------------------------------------------------------------------

  /** tofile: an open FILE* at argument 1. */
  private checkFile(a: Args): FileHandle {
    const h = this.handleOf(a.values[0]);
    if (h === undefined) throw a.typeError(1, 'FILE*');
    if (h.closed) throw a.fail('attempt to use a closed file');
    return h;
  }

  /** getiofile: the default input or output, which must be open. */
  private defaultFile(a: Args, which: 'input' | 'output'): FileHandle {
    const h = this.handleOf(which === 'input' ? this.input : this.output)!;
    if (h.closed) throw a.fail(`standard ${which} file is closed`);
    return h;
  }

  /** opencheckfile: open or raise "cannot open file". */
  private openOrRaise(a: Args, name: string, mode: string, what: string): Userdata {
    const opened = this.open(name, mode, what);
    if (opened instanceof FileError) throw a.fail(`cannot open file '${name}' (${opened.message})`);
    return opened;
  }

  /** aux_lines: an iterator reading the handle with the formats from argument `first` on. */
  private lines(a: Args, file: Userdata, first: number, toClose: boolean): NativeFunction {
    const formats = a.values.slice(first - 1);
    if (formats.length > MAX_LINE_FORMATS) throw a.error(MAX_LINE_FORMATS + 2, 'too many arguments');
    const h = this.handleOf(file)!;
    return native(this.vm, 'lines', (it) => {
      if (h.closed) throw it.fail('file is already closed');
      const results = this.read(new Args(this.vm, 'lines', [file, ...formats]), h, 2);
      if (!isFalsy(results[0])) return results;
      // The first result is nil: the end of the file, or an error (nil, message, errno).
      if (results.length > 1) throw it.fail(typeof results[1] === 'string' ? results[1] : 'read error');
      if (toClose) this.close(h);
      return [];
    });
  }

  /** Fills the io table and the FILE* metatable. */
  install(io: LuaTable, os: LuaTable | undefined): void {
    const vm = this.vm;
    const meta = this.meta;
    meta.setStr('__name', 'FILE*');
    meta.setStr('__index', meta);
    library(vm, meta, 'FILE*', {
      close: (a) => this.close(this.checkFile(a)),
      flush: (a) => this.flushResult(this.checkFile(a)),
      lines: (a) => {
        this.checkFile(a);
        return [this.lines(a, a.values[0] as Userdata, 2, false)];
      },
      read: (a) => this.read(a, this.checkFile(a), 2),
      seek: (a) => {
        const h = this.checkFile(a);
        const whence = a.checkOption(2, ['set', 'cur', 'end'], 'cur');
        const offset = a.optInteger(3, 0);
        if (h.kind === 'stdout' || h.kind === 'stderr') return fileResult(new FileError(ERRNO.ESPIPE));
        this.flushPending(h);
        const data = h.data!;
        const base = whence === 'set' ? 0 : whence === 'cur' ? h.pos : data.length;
        const target = BigInt(base) + BigInt(offset);
        if (target < 0n) return fileResult(new FileError(ERRNO.EINVAL));
        if (target > BigInt(Number.MAX_SAFE_INTEGER)) return fileResult(new FileError(ERRNO.EFBIG));
        h.pos = Number(target);
        return [h.pos];
      },
      setvbuf: (a) => {
        const h = this.checkFile(a);
        const mode = a.checkOption(2, ['no', 'full', 'line']) as Buffering;
        const size = a.optInteger(3, BUFSIZ);
        this.flushPending(h);
        h.buffering = mode;
        // A size_t in C: a negative size is huge.
        h.bufferSize = size <= 0 ? (size === 0 ? 1 : Number.MAX_SAFE_INTEGER) : Math.min(Number(size), Number.MAX_SAFE_INTEGER);
        return [true];
      },
      write: (a) => {
        const h = this.checkFile(a);
        const failure = this.writeArgs(a, h, 2);
        return failure === undefined ? [a.values[0]] : fileResult(failure);
      },
      __gc: (a) => {
        // luaL_checkudata, as io_gc: any FILE*, open or closed; anything else is a bad argument.
        const h = this.handleOf(a.values[0]);
        if (h === undefined) throw a.typeError(1, 'FILE*');
        if (!h.closed && h.kind === 'file') this.close(h);
        return [];
      },
      __tostring: (a) => {
        const u = a.values[0];
        const h = this.handleOf(u);
        if (h === undefined) throw a.typeError(1, 'FILE*');
        return [h.closed ? 'file (closed)' : `file (${rawToString(u, vm.ids).slice('userdata: '.length)})`];
      },
    });

    library(vm, io, 'io', {
      close: (a) => {
        if (a.length === 0) return this.close(this.checkFile(new Args(vm, 'close', [this.output])));
        return this.close(this.checkFile(a));
      },
      flush: (a) => this.flushResult(this.defaultFile(a, 'output')),
      input: (a) => [this.setDefault(a, 'input')],
      output: (a) => [this.setDefault(a, 'output')],
      lines: (a) => {
        if (a.isNil(1)) {
          const input = this.input;
          this.checkFile(new Args(vm, 'lines', [input]));
          return [this.lines(a, input, 2, false)];
        }
        const name = a.string(1);
        return [this.lines(a, this.openOrRaise(a, name, 'r', 'io.lines'), 2, true)];
      },
      open: (a) => {
        const name = a.string(1);
        const mode = a.optString(2, 'r');
        if (!/^[rwa]\+?b*$/.test(mode)) throw a.error(2, 'invalid mode');
        const opened = this.open(name, mode, 'io.open');
        return opened instanceof FileError ? fileResult(opened, name) : [opened];
      },
      popen: (a) => {
        a.string(1);
        const mode = a.optString(2, 'r');
        if (mode !== 'r' && mode !== 'w') throw a.error(2, 'invalid mode');
        throw a.fail("'popen' not supported");
      },
      read: (a) => this.read(a, this.defaultFile(a, 'input'), 1),
      tmpfile: () => [this.tmpfile()],
      type: (a) => {
        const h = this.handleOf(a.any(1));
        return [h === undefined ? undefined : h.closed ? 'closed file' : 'file'];
      },
      write: (a) => {
        const h = this.defaultFile(a, 'output');
        const failure = this.writeArgs(a, h, 1);
        return failure === undefined ? [this.output] : fileResult(failure);
      },
    });
    io.setStr('stdin', this.stdin);
    io.setStr('stdout', this.stdout);
    io.setStr('stderr', this.stderr);

    if (os === undefined) return;
    library(vm, os, 'os', {
      remove: (a) => {
        const name = a.string(1);
        const key = this.key(name);
        this.files.authorize?.(key, 'write', 'os.remove');
        try {
          this.files.remove(key);
        } catch (error) {
          if (error instanceof FileError) return fileResult(error, name);
          throw error;
        }
        const data = this.entries.get(key);
        if (data !== undefined) {
          this.entries.delete(key);
          data.key = undefined;
        }
        return [true];
      },
      rename: (a) => {
        const from = this.key(a.string(1));
        const to = this.key(a.string(2));
        this.files.authorize?.(from, 'write', 'os.rename');
        this.files.authorize?.(to, 'write', 'os.rename');
        const moving = this.entries.get(from);
        try {
          // What was written to the file through a handle goes with it.
          if (moving !== undefined && moving.dirty) {
            this.files.write(from, moving.view());
            moving.dirty = false;
          }
          this.files.rename(from, to);
        } catch (error) {
          if (error instanceof FileError) return fileResult(error);
          throw error;
        }
        if (from !== to) {
          const replaced = this.entries.get(to);
          if (replaced !== undefined) replaced.key = undefined;
          this.entries.delete(to);
          if (moving !== undefined) {
            this.entries.delete(from);
            moving.key = to;
            this.entries.set(to, moving);
          }
        }
        return [true];
      },
      tmpname: (a) => {
        if (this.files.tmpname === undefined) throw a.fail('unable to generate a unique filename');
        try {
          return [this.files.tmpname()];
        } catch (error) {
          if (error instanceof FileError) throw a.fail('unable to generate a unique filename');
          throw error;
        }
      },
    });
  }

  private key(name: string): string {
    return this.files.canonical ? this.files.canonical(name) : name;
  }

  private flushResult(h: FileHandle): LuaValue[] {
    try {
      this.sync(h);
    } catch (error) {
      if (error instanceof FileError) return fileResult(error);
      throw error;
    }
    return [true];
  }

  /** g_iofile: io.input / io.output with a file name, a file, or nothing. */
  private setDefault(a: Args, which: 'input' | 'output'): Userdata {
    if (!a.isNil(1)) {
      const v = a.values[0];
      let file: Userdata;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || v instanceof LFloat) {
        file = this.openOrRaise(a, a.string(1), which === 'input' ? 'r' : 'w', `io.${which}`);
      } else {
        this.checkFile(a);
        file = v as Userdata;
      }
      if (which === 'input') this.input = file;
      else this.output = file;
    }
    return which === 'input' ? this.input : this.output;
  }

  /**
   * loadfile (luaL_loadfilex): the file's text (stdin without a name), a first line starting
   * with '#' dropped (its newline kept, so line numbers stay), a UTF-8 byte-order mark skipped.
   */
  loadfile(a: Args, load: ChunkLoader): LuaValue[] | Request {
    const name = a.isNil(1) ? undefined : a.string(1);
    const mode = a.optString(2, 'bt');
    const env = a.length >= 3 ? a.values[2] : undefined;
    let text: string;
    if (name === undefined) {
      const h = this.handleOf(this.stdin)!;
      text = this.readAll(h).value as string;
    } else {
      const opened = this.open(name, 'r', 'loadfile');
      if (opened instanceof FileError) return [undefined, `cannot open ${name}: ${opened.message}`];
      const h = this.handleOf(opened)!;
      text = this.readAll(h).value as string;
      this.close(h);
    }
    if (text.startsWith('\xEF\xBB\xBF')) text = text.slice(3);
    if (text.startsWith('#')) {
      const newline = text.indexOf('\n');
      text = newline < 0 ? '' : text.slice(newline);
      // A binary chunk after the comment line is read without it.
      if (text.charCodeAt(1) === 27) text = text.slice(1);
    }
    return load(text, name === undefined ? '=stdin' : '@' + name, mode, a.length >= 3, env);
  }
}

/** Cuts text into lines for a host that takes lines (`print(line)`); `end` gives the last partial line. */
export class LineSplitter {
  private partial = '';
  constructor(private readonly line: (line: string) => void) {}

  write(text: string): void {
    if (!text.includes('\n')) {
      this.partial += text;
      return;
    }
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop()!;
    for (const part of parts) this.line(part);
  }

  end(): void {
    if (this.partial === '') return;
    const last = this.partial;
    this.partial = '';
    this.line(last);
  }
}

/**
 * Compiles a chunk for loadfile: the function, or nil and the message (as `load` returns them), or
 * `load`'s request to wait for them (a long chunk compiled off the thread).
 */
export type ChunkLoader = (text: string, chunkName: string, mode: string, hasEnv: boolean, env: LuaValue) => LuaValue[] | Request;

/** luaL_fileresult for a failure: nil, "name: message" (or the message), errno. */
function fileResult(error: FileError, name?: string): LuaValue[] {
  return [undefined, name === undefined ? error.message : `${name}: ${error.message}`, error.errno];
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHexLetter(c: number): boolean {
  return (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/**
 * Opens io into `G.io`, and os.remove, os.rename, os.tmpname into `G.os` (when os is open). With
 * `load`, also loadfile and dofile, over the same files (unless the state already has them).
 */
export function openIo(vm: VM, G: LuaTable, files: FileSystem, charge: Charge, options: IoOptions, load?: ChunkLoader,
  compileDofile?: (loadfile: NativeFunction) => LuaClosure | undefined): IoLibrary {
  const lib = new IoLibrary(vm, files, charge, options);
  const io = new LuaTable();
  G.setStr('io', io);
  const os = G.getStr('os');
  lib.install(io, os instanceof LuaTable ? os : undefined);
  if (load !== undefined && G.getStr('loadfile') === undefined) {
    const loadfile = native(vm, 'loadfile', (a) => lib.loadfile(a, load));
    G.setStr('loadfile', loadfile);
    const dofile = compileDofile?.(loadfile);
    if (dofile !== undefined && G.getStr('dofile') === undefined) G.setStr('dofile', dofile);
  }
  return lib;
}

