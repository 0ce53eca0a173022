// The framing both protocols share on stdio: `Content-Length: N\r\n\r\n` and N bytes of JSON
// (LSP's base protocol, and DAP's). `sandlua lsp --stdio` and `sandlua dap` read stdin through a
// `FramingGuard`, which passes on whole, well-framed messages only: malformed input never reaches
// the protocol libraries (whose readers wait for ever after a huge Content-Length, or stop on a
// header line they cannot split). What is wrong is said on stderr, the bad bytes are dropped, and
// reading goes on at the next `Content-Length` header (resynchronisation).
//
// The resynchronisation is exact for valid messages: a JSON body cannot hold `Content-Length:`,
// digits and a line break (outside a string it is no JSON token; inside one, a raw line break is
// not allowed), so such a header line inside a body means the body was cut short (a header
// without its body, a Content-Length too large) and the next message starts there.

import { Transform, type TransformCallback } from 'stream';

export interface FramingOptions {
  /** Largest body accepted, in bytes; a larger Content-Length is refused (the bytes skipped). */
  maxBytes: number;
  /** Where problems are reported, one line each (stderr). */
  report: (line: string) => void;
  /**
   * Pass on each message as the object its body parses to (the guard reads in object mode)
   * instead of its bytes framed again: a reader that takes it as it is parses no body twice.
   */
  messages?: boolean;
}

/** Longest header block (all header lines) accepted, in bytes. */
const MAX_HEADER = 8192;
const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');
const CONTENT_LENGTH = 'content-length:';
const CRLF = Buffer.from('\r\n', 'latin1');
/** Bytes of a body kept to find a header line split over chunks. */
const KEEP = 64;

/**
 * Where the first Content-Length header line (`content-length:`, any case, spaces or tabs, digits,
 * spaces or tabs, CR LF) that ends in `bytes` starts, counted in `before` followed by `bytes`, or
 * -1 (`before`: the bytes just before, where the line may start). Found from the line breaks back,
 * by native searches and no text made of the bytes: a JSON body seldom holds a CR LF at all.
 */
export function headerLineAt(before: Buffer, bytes: Buffer): number {
  const at = (i: number): number => (i < before.length ? before[i] : bytes[i - before.length]);
  const check = (end: number): number => {
    let i = end - 1;
    while (i >= 0 && (at(i) === 32 || at(i) === 9)) i--;
    const digitsEnd = i;
    while (i >= 0 && at(i) >= 48 && at(i) <= 57) i--;
    if (i === digitsEnd) return -1;
    while (i >= 0 && (at(i) === 32 || at(i) === 9)) i--;
    const start = i - CONTENT_LENGTH.length + 1;
    if (start < 0) return -1;
    for (let k = 0; k < CONTENT_LENGTH.length; k++) {
      const c = at(start + k);
      if ((c >= 65 && c <= 90 ? c + 32 : c) !== CONTENT_LENGTH.charCodeAt(k)) return -1;
    }
    return start;
  };
  // A line that ends inside `before` was looked at with it (and more before it) already; one whose
  // CR LF is split between the two was not.
  if (before.length > 0 && before[before.length - 1] === 13 && bytes[0] === 10) {
    const start = check(before.length - 1);
    if (start >= 0) return start;
  }
  for (let i = bytes.indexOf(CRLF); i >= 0; i = bytes.indexOf(CRLF, i + 1)) {
    const start = check(before.length + i);
    if (start >= 0) return start;
  }
  return -1;
}

export class FramingGuard extends Transform {
  /** Bytes not yet framed: a header in progress, or the start of the next one. */
  private head: Buffer = Buffer.alloc(0);
  /** The body being read: its expected length, the chunks so far and their size. */
  private expected = -1;
  private body: Buffer[] = [];
  private bodyBytes = 0;
  /** The body's last few bytes looked at (for a header split over chunks). */
  private lastBytes: Buffer = Buffer.alloc(0);

  constructor(private readonly options: FramingOptions) {
    super({ readableObjectMode: options.messages === true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      if (this.expected >= 0) this.addBody(chunk);
      else this.head = this.head.length === 0 ? chunk : Buffer.concat([this.head, chunk]);
      this.frame();
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    const left = this.head.length + this.bodyBytes;
    if (left > 0 && /\S/.test(Buffer.concat([this.head, ...this.body]).toString('latin1'))) {
      this.options.report(`the input ended inside a message (${left} bytes unread)`);
    }
    done();
  }

  /** Frames what `head` holds: headers, then bodies as they complete. */
  private frame(): void {
    for (;;) {
      if (this.expected >= 0) {
        if (this.bodyBytes < this.expected) return;
        const all = this.body.length === 1 ? this.body[0] : Buffer.concat(this.body, this.bodyBytes);
        const length = this.expected;
        this.endBody();
        const body = all.subarray(0, length);
        this.head = all.subarray(length);
        if (!this.deliver(body)) {
          // Not JSON: the Content-Length was wrong; the next message may start inside these bytes.
          this.head = all;
          this.resync(0, 'a message body that is not JSON');
        }
        continue;
      }
      const end = this.head.indexOf(HEADER_END);
      if (end < 0) {
        if (this.head.length <= MAX_HEADER) return;
        this.resync(1, `a header longer than ${MAX_HEADER} bytes`);
        continue;
      }
      const problem = this.readHeader(this.head.subarray(0, end).toString('latin1'));
      if (problem !== undefined) {
        this.resync(1, problem);
        continue;
      }
      const rest = this.head.subarray(end + HEADER_END.length);
      this.head = Buffer.alloc(0);
      this.addBody(rest);
    }
  }

  /** The header block's problem, or undefined after setting `expected` from its Content-Length. */
  private readHeader(text: string): string | undefined {
    let length: number | undefined;
    for (const line of text.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) return `a header line without a name and value (${JSON.stringify(line.slice(0, 80))})`;
      if (line.slice(0, colon).trim().toLowerCase() !== 'content-length') continue;
      const value = line.slice(colon + 1).trim();
      if (!/^\d+$/.test(value)) return `a Content-Length that is not a number of bytes (${JSON.stringify(value.slice(0, 80))})`;
      length = Number(value);
    }
    if (length === undefined) return 'a header without Content-Length';
    if (length > this.options.maxBytes) return `a Content-Length of ${length} bytes, more than the limit of ${this.options.maxBytes}`;
    this.expected = length;
    return undefined;
  }

  /** Adds body bytes; a header line inside them means the body was cut short. */
  private addBody(chunk: Buffer): void {
    if (chunk.length === 0) return;
    const before = this.bodyBytes;
    this.body.push(chunk);
    this.bodyBytes += chunk.length;
    // Only the new bytes of this body are looked at, with the few before them (a header split
    // over two chunks): never the whole body again.
    const inBody = Math.min(chunk.length, this.expected - before);
    if (inBody <= 0) return;
    const fresh = chunk.subarray(0, inBody);
    const at = headerLineAt(this.lastBytes, fresh);
    const windowLength = this.lastBytes.length + inBody;
    this.lastBytes = fresh.length >= KEEP ? fresh.subarray(fresh.length - KEEP) : Buffer.concat([this.lastBytes, fresh]).subarray(Math.max(0, windowLength - KEEP));
    if (at < 0) return;
    // A body that holds a header: everything from there is read as headers again.
    const offset = before - (windowLength - inBody) + at;
    const all = Buffer.concat(this.body, this.bodyBytes);
    this.endBody();
    this.options.report(`dropped ${offset} bytes: a message body cut short by the next header (its Content-Length was wrong)`);
    this.head = all.subarray(offset);
  }

  private endBody(): void {
    this.body = [];
    this.bodyBytes = 0;
    this.expected = -1;
    this.lastBytes = Buffer.alloc(0);
  }

  /** Passes a whole body on, re-framed; false when it is not JSON. */
  private deliver(body: Buffer): boolean {
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      return false;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.options.report(`dropped a message that is JSON but not an object (${body.length} bytes)`);
      return true;
    }
    if (this.options.messages) {
      this.push(value);
    } else {
      this.push(Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'latin1'));
      this.push(body);
    }
    return true;
  }

  /**
   * Drops bytes up to the next `Content-Length:` at `from` or later of `head` (anywhere: what is
   * dropped was no message, and a message may follow it on the same line), and says why.
   */
  private resync(from: number, why: string): void {
    const text = this.head.toString('latin1').toLowerCase();
    let cut = text.indexOf(CONTENT_LENGTH, from);
    if (cut < 0) {
      // No header in sight: keep only a tail that may be the start of one split across chunks.
      cut = this.head.length;
      for (let keep = Math.min(CONTENT_LENGTH.length - 1, text.length - from); keep > 0; keep--) {
        if (CONTENT_LENGTH.startsWith(text.slice(text.length - keep))) {
          cut = text.length - keep;
          break;
        }
      }
    }
    this.options.report(`dropped ${cut} bytes: ${why}; reading on from the next Content-Length header`);
    this.head = this.head.subarray(cut);
  }
}

/** Largest message `sandlua lsp --stdio` and `sandlua dap` read (a 50 MB script, JSON-escaped, fits). */
export const MAX_MESSAGE_BYTES = 128 * 1024 * 1024;

/**
 * The process's stdin through a FramingGuard, problems reported on stderr as `name: ...`; with
 * `messages`, the guard passes on parsed messages (see FramingOptions).
 */
export function guardedStdin(name: string, messages = false): NodeJS.ReadableStream {
  const guard = new FramingGuard({ maxBytes: MAX_MESSAGE_BYTES, report: (line) => process.stderr.write(`${name}: ${line}\n`), messages });
  return process.stdin.pipe(guard);
}

/** Elements of a long array written by one `JSON.stringify` (see jsonBytes): ~50 KB of diagnostics. */
const ELEMENTS_PER_PIECE = 256;
/** Characters gathered before they are encoded (see jsonBytes). */
const PIECE_CHARS = 32 * 1024;

/**
 * `value` as JSON in UTF-8, the bytes `JSON.stringify` gives, made a piece at a time: plain objects
 * field by field, arrays of more than ELEMENTS_PER_PIECE elements that many elements at a time, the
 * rest by `JSON.stringify`, the pieces encoded as they add up to PIECE_CHARS.
 * One string of a whole large message (a publish of 1,439 diagnostics is 288 KB) is made by V8 as
 * a tree of parts that has to be copied into one before it can be encoded, in memory of its own for
 * large objects, fresh at every message; the pieces stay small. The language server's messages are
 * written with it (a StreamMessageWriter's content type encoder). One difference no message of
 * theirs meets: a `toJSON` inside a long array's piece is given its index in the piece.
 */
export function jsonBytes(value: unknown): Buffer {
  const buffers: Buffer[] = [];
  let parts: string[] = [];
  let chars = 0;
  const put = (text: string): void => {
    parts.push(text);
    chars += text.length;
    if (chars >= PIECE_CHARS) flush();
  };
  const flush = (): void => {
    if (parts.length > 0) buffers.push(Buffer.from(parts.join(''), 'utf8'));
    parts = [];
    chars = 0;
  };
  const write = (v: unknown): void => {
    if (Array.isArray(v)) {
      if (v.length <= ELEMENTS_PER_PIECE) {
        put(JSON.stringify(v));
        return;
      }
      put('[');
      for (let i = 0; i < v.length; i += ELEMENTS_PER_PIECE) {
        const piece = JSON.stringify(v.slice(i, i + ELEMENTS_PER_PIECE));
        put(i === 0 ? piece.slice(1, -1) : `,${piece.slice(1, -1)}`);
      }
      put(']');
      return;
    }
    if (!isPlainObject(v)) {
      put(JSON.stringify(v));
      return;
    }
    // JSON.stringify's order and omissions: own enumerable keys, those whose value has no JSON
    // (undefined, a function, a symbol, a `toJSON` giving undefined) left out.
    let first = true;
    put('{');
    for (const key of Object.keys(v)) {
      let field = v[key];
      if (typeof (field as { toJSON?: unknown } | null)?.toJSON === 'function') field = (field as { toJSON(key: string): unknown }).toJSON(key);
      const nested = Array.isArray(field) || isPlainObject(field);
      const json = nested ? undefined : (JSON.stringify(field) as string | undefined);
      if (!nested && json === undefined) continue;
      put(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
      first = false;
      if (nested) write(field);
      else put(json!);
    }
    put('}');
  };
  write(value);
  flush();
  return buffers.length === 1 ? buffers[0] : Buffer.concat(buffers);
}

/** An object JSON.stringify writes field by field: a plain one (no class, no `toJSON`). */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}
