// The Lua 5.3 scanner. It works on a JS string and reports UTF-16 offsets; string values come out
// as byte strings (non-ASCII characters of a text source are UTF-8 encoded, as Lua would read the
// file). It never throws: a lexical error is reported through `onError` and scanning continues.

import { LineMap } from './linemap';
import { parseNumeral, NumeralValue } from './numeral';

export const enum T {
  EOF,
  Name,
  Number,
  String,
  // keywords
  And, Break, Do, Else, Elseif, End, False, For, Function, Goto, If, In, Local, Nil, Not, Or,
  Repeat, Return, Then, True, Until, While,
  // symbols
  Plus, Minus, Star, Slash, DoubleSlash, Percent, Caret, Hash,
  Ampersand, Tilde, Pipe, ShiftLeft, ShiftRight,
  Equal, NotEqual, LessEqual, GreaterEqual, Less, Greater, Assign,
  LeftParen, RightParen, LeftBrace, RightBrace, LeftBracket, RightBracket, DoubleColon,
  Semicolon, Colon, Comma, Dot, Concat, Ellipsis,
  /** A character that starts no token; `text` holds it. */
  Unknown,
}

const KEYWORDS: Record<string, T> = {
  and: T.And, break: T.Break, do: T.Do, else: T.Else, elseif: T.Elseif, end: T.End,
  false: T.False, for: T.For, function: T.Function, goto: T.Goto, if: T.If, in: T.In,
  local: T.Local, nil: T.Nil, not: T.Not, or: T.Or, repeat: T.Repeat, return: T.Return,
  then: T.Then, true: T.True, until: T.Until, while: T.While,
};

const KEYWORD_MAP = new Map<string, T>(Object.entries(KEYWORDS));

/** Steps a name's search in `Names` may take (see find). */
const MAX_PROBES = 32;

/**
 * The names one scan has read, each kept once (with the keywords, entered first): a name is found
 * by a hash of its characters made while they are scanned and compared in place, so a name read
 * again makes no new string, and every node and map that holds it holds the same one (its hash
 * computed once). The 13,000-line real-world shape reads 59,681 names, 144 of them different.
 */
class Names {
  private hashes: Int32Array;
  private texts: (string | undefined)[];
  private types: Uint8Array;
  private mask: number;
  private count: number;
  /** The token type of the name `find` returned last. */
  found: T = T.Name;

  /** A table of the keywords alone, copied by each scan (a chunk given to `load` may be one line). */
  private static readonly keywords = (() => {
    const names = Object.create(Names.prototype) as Names;
    names.hashes = new Int32Array(64);
    names.texts = new Array<string | undefined>(64).fill(undefined);
    names.types = new Uint8Array(64);
    names.mask = 63;
    names.count = 0;
    for (const [word, type] of Object.entries(KEYWORDS)) names.insert(hashOf(word), word, type);
    return names;
  })();

  constructor() {
    const keywords = Names.keywords;
    this.hashes = keywords.hashes.slice();
    this.texts = keywords.texts.slice();
    this.types = keywords.types.slice();
    this.mask = keywords.mask;
    this.count = keywords.count;
  }

  /** The kept text of source[start, end), whose hash is `hash`; its token type (a keyword's, or T.Name) is then in `found`. */
  find(source: string, start: number, end: number, hash: number): string {
    const length = end - start;
    const texts = this.texts;
    const mask = this.mask;
    let i = hash & mask;
    for (let probes = 0; ; i = (i + 1) & mask) {
      const text = texts[i];
      if (text === undefined) break;
      if (++probes > MAX_PROBES) {
        // Names made to share hashes (the hash is simple: "Aa" and "BB" share one) would make
        // every search walk them all; past a few steps the name is not kept, and a keyword is
        // known from the keywords' own map.
        const name = source.slice(start, end);
        this.found = KEYWORD_MAP.get(name) ?? T.Name;
        return name;
      }
      if (this.hashes[i] !== hash || text.length !== length) continue;
      let k = 0;
      while (k < length && text.charCodeAt(k) === source.charCodeAt(start + k)) k++;
      if (k === length) {
        this.found = this.types[i];
        return text;
      }
    }
    const text = source.slice(start, end);
    this.put(i, hash, text, T.Name);
    this.found = T.Name;
    return text;
  }

  private insert(hash: number, text: string, type: T): void {
    const mask = this.mask;
    let i = hash & mask;
    while (this.texts[i] !== undefined) i = (i + 1) & mask;
    this.put(i, hash, text, type);
  }

  /** Keeps a name in free slot `i` (on its probe path), then grows the table past half full. */
  private put(i: number, hash: number, text: string, type: T): void {
    this.hashes[i] = hash;
    this.texts[i] = text;
    this.types[i] = type;
    this.count++;
    if (this.count * 2 > this.mask + 1) this.grow();
  }

  private grow(): void {
    const { hashes, texts, types } = this;
    const size = (this.mask + 1) * 2;
    this.hashes = new Int32Array(size);
    this.texts = new Array<string | undefined>(size).fill(undefined);
    this.types = new Uint8Array(size);
    this.mask = size - 1;
    this.count = 0;
    for (let i = 0; i < texts.length; i++) if (texts[i] !== undefined) this.insert(hashes[i], texts[i]!, types[i]);
  }
}

/** The hash `Names` files a name under: the one the scanner makes as it reads the characters. */
function hashOf(word: string): number {
  let hash = 0;
  for (let i = 0; i < word.length; i++) hash = (Math.imul(hash, 31) + word.charCodeAt(i)) | 0;
  return hash;
}

/** Every token has the same shape, which keeps the parser's property reads monomorphic. */
function token(type: T, start: number, end: number, text: string): Token {
  return { type, start, end, text, number: undefined, quote: undefined, near: undefined };
}

const TOKEN_TEXT: string[] = [];
TOKEN_TEXT[T.EOF] = '<eof>';
TOKEN_TEXT[T.Name] = '<name>';
TOKEN_TEXT[T.Number] = '<number>';
TOKEN_TEXT[T.String] = '<string>';
for (const [word, type] of Object.entries(KEYWORDS)) TOKEN_TEXT[type] = word;
Object.assign(TOKEN_TEXT, {
  [T.Plus]: '+', [T.Minus]: '-', [T.Star]: '*', [T.Slash]: '/', [T.DoubleSlash]: '//',
  [T.Percent]: '%', [T.Caret]: '^', [T.Hash]: '#', [T.Ampersand]: '&', [T.Tilde]: '~',
  [T.Pipe]: '|', [T.ShiftLeft]: '<<', [T.ShiftRight]: '>>', [T.Equal]: '==', [T.NotEqual]: '~=',
  [T.LessEqual]: '<=', [T.GreaterEqual]: '>=', [T.Less]: '<', [T.Greater]: '>', [T.Assign]: '=',
  [T.LeftParen]: '(', [T.RightParen]: ')', [T.LeftBrace]: '{', [T.RightBrace]: '}',
  [T.LeftBracket]: '[', [T.RightBracket]: ']', [T.DoubleColon]: '::', [T.Semicolon]: ';',
  [T.Colon]: ':', [T.Comma]: ',', [T.Dot]: '.', [T.Concat]: '..', [T.Ellipsis]: '...',
});

/** How Lua names a token kind in `X expected` messages: `'='`, `'end'`, `<name>`, `<eof>`. */
export function tokenKindText(type: T): string {
  const text = TOKEN_TEXT[type];
  return type <= T.String ? text : `'${text}'`;
}

export interface Token {
  type: T;
  start: number;
  end: number;
  /** Name text, string value (byte string), or numeral text. */
  text: string;
  /** For T.Number. */
  number: NumeralValue | undefined;
  /** For T.String: the quote that opened it. */
  quote: '"' | "'" | '[' | undefined;
  /** What Lua prints after `near` for this token, when it is not derived from `text`. */
  near: string | undefined;
}

export interface LexError {
  message: string;
  start: number;
  end: number;
  /**
   * Where Lua's scanner stands when it raises this error (the line of its message counts the line
   * breaks before this offset): past the whole token for most errors, but an escape sequence's
   * error stops at the offending character even when that character is a line break.
   */
  scanned: number;
}

export interface ScannedComment {
  start: number;
  end: number;
  text: string;
  long: boolean;
}

function isDigit(c: number): boolean { return c >= 48 && c <= 57; }
function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}
function hexValue(c: number): number { return c <= 57 ? c - 48 : (c | 32) - 87; }
function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isNameChar(c: number): boolean { return isNameStart(c) || isDigit(c); }
function isSpace(c: number): boolean { return c === 32 || (c >= 9 && c <= 13); }

/** The UTF-8 encoding of a code point up to 2^31 as a byte string (Lua 5.3's luaO_utf8esc). */
export function utf8Bytes(code: number): string {
  if (code < 0x80) return String.fromCharCode(code);
  const bytes: number[] = [];
  let limit = 0x3f;
  while (code > limit) {
    bytes.push(0x80 | (code & 0x3f));
    code = Math.floor(code / 64);
    limit >>= 1;
  }
  bytes.push(((~limit << 1) & 0xff) | code);
  return String.fromCharCode(...bytes.reverse());
}

/**
 * How Lua shows a single character in a message: `'@'` or `'<\195>'` for a non-printable byte, and
 * nothing for a NUL byte, which Lua's scanner returns as token 0, the code for "no token".
 */
function charText(source: string, pos: number, bytes: boolean): string | undefined {
  const c = source.charCodeAt(pos);
  if (c >= 32 && c < 127) return `'${source[pos]}'`;
  if (c === 0) return undefined;
  const first = c < 0x80 || bytes ? c : utf8Bytes(source.codePointAt(pos)!).charCodeAt(0);
  return `'<\\${first}>'`;
}

/** Quotes a token's text for a message; Lua prints it as a C string, so it stops at a NUL byte. */
function quoted(text: string): string {
  const nul = text.indexOf('\0');
  return `'${nul < 0 ? text : text.slice(0, nul)}'`;
}

/**
 * A part of the text for a lexer to read in place of the whole (a reparse reads around its edit: a
 * new text made by an edit is, in V8, the old one's pieces joined, and reading any of it copies it
 * all into fresh memory: ~2 ms for 600 KB on the project's machines).
 */
export interface SourceWindow {
  /** The text from `base` on: to the text's end (`complete`), or short of it. */
  text: string;
  base: number;
  complete: boolean;
  /** The text before `base`, read only for a first `#` line. */
  head: string;
}

export class Lexer {
  /** The whole text. */
  private readonly text: string;
  /** What is read: the text, or the window of it (offsets then less the window's `base`). */
  private source: string;
  /** True when the source string holds raw bytes (one char per byte), false for decoded text. */
  private readonly bytes: boolean;
  private pos = 0;
  readonly comments: ScannedComment[] = [];
  private readonly onError: (error: LexError) => void;
  /** Where a `#` first line starts, and its end, which Lua counts as one line whatever `\r` it holds. */
  shebangStart = -1;
  private shebangEnd = -1;
  private luaLineMap: LineMap | undefined;
  private readonly names = new Names();
  /** While a window is read: it, and the errors of the token being read. */
  private window: SourceWindow | undefined;
  private pending: LexError[] | undefined;

  /**
   * `window`: read that part of `source` instead (see SourceWindow), and the whole text from
   * where a token reaches the window's end; the tokens, comments and errors are the same.
   */
  constructor(source: string, onError: (error: LexError) => void, options: { bytes?: boolean; window?: SourceWindow } = {}) {
    this.text = source;
    this.onError = onError;
    this.bytes = options.bytes ?? false;
    this.window = options.window;
    this.source = this.window?.text ?? source;
  }

  /** Whether it still reads the window it was given (none given, or a token read past it: false). */
  get windowed(): boolean {
    return this.window !== undefined;
  }

  /**
   * Skips what `luaL_loadfile` skips before the scanner sees a file: a UTF-8 byte order mark, then a
   * first line starting with `#` (up to its `\n`; a `\r` before it is part of the line, as in Lua).
   * Returns the end of the `#` line, if there is one.
   */
  skipShebang(): number | undefined {
    // In a window, the text before it holds that line (a window starts at a statement, and the
    // parser goes on from there).
    const inWindow = this.window !== undefined;
    const src = this.window?.head ?? this.source;
    let p = 0;
    if (this.bytes ? src.startsWith('\xef\xbb\xbf') : src.charCodeAt(0) === 0xfeff) p = this.bytes ? 3 : 1;
    if (!inWindow) this.pos = p;
    if (src.charCodeAt(p) !== 35 /* # */) return undefined;
    const newline = src.indexOf('\n', p);
    let end = newline < 0 ? src.length : newline;
    if (end > p && src.charCodeAt(end - 1) === 13 && newline >= 0) end--;
    if (!inWindow) this.pos = end;
    this.shebangStart = p;
    this.shebangEnd = end;
    return end;
  }

  /**
   * Lines as Lua's messages number them: `\n\r` is one line break (editors count two), and a `#`
   * first line is one line even when it holds `\r` characters.
   */
  luaLines(): LineMap {
    if (!this.luaLineMap) {
      let text = this.text;
      if (this.shebangEnd > 0) text = text.slice(0, this.shebangEnd).replace(/\r/g, ' ') + text.slice(this.shebangEnd);
      this.luaLineMap = new LineMap(text, { lua: true });
    }
    return this.luaLineMap;
  }

  /** Continues scanning at `offset`, which must be where a token (or the space before one) starts. */
  seek(offset: number): void {
    if (this.window && offset < this.window.base) this.widen();
    this.pos = offset - (this.window?.base ?? 0);
  }

  next(): Token {
    return this.window === undefined ? this.scan() : this.scanInWindow(this.window);
  }

  /** Reads the whole text from now on (each caller then says where, in the text's offsets). */
  private widen(): void {
    this.source = this.text;
    this.window = undefined;
  }

  /**
   * `scan` in a window: the token and what came with it (comments, errors) moved to the text's
   * offsets; read again in the whole text when its scan reached the window's end.
   */
  private scanInWindow(window: SourceWindow): Token {
    const at = this.pos;
    const comments = this.comments.length;
    const pending: LexError[] = (this.pending = []);
    const t = this.scan();
    this.pending = undefined;
    const base = window.base;
    if (!window.complete && this.pos + 1 >= this.source.length) {
      this.comments.length = comments;
      this.widen();
      this.pos = at + base;
      return this.scan();
    }
    t.start += base;
    t.end += base;
    for (let i = comments; i < this.comments.length; i++) {
      const c = this.comments[i];
      c.start += base;
      c.end += base;
    }
    for (const e of pending) this.onError({ message: e.message, start: e.start + base, end: e.end + base, scanned: e.scanned + base });
    return t;
  }

  private scan(): Token {
    const src = this.source;
    const len = src.length;
    for (;;) {
      let pos = this.pos;
      while (pos < len && isSpace(src.charCodeAt(pos))) pos++;
      this.pos = pos;
      if (pos >= len) return token(T.EOF, len, len, '');
      const start = pos;
      const c = src.charCodeAt(pos);
      if (isNameStart(c)) {
        let hash = c;
        pos++;
        for (let d: number; pos < len && isNameChar((d = src.charCodeAt(pos))); pos++) hash = (Math.imul(hash, 31) + d) | 0;
        this.pos = pos;
        const names = this.names;
        const text = names.find(src, start, pos, hash);
        return token(names.found, start, pos, text);
      }
      if (isDigit(c)) return this.numeral(start);
      switch (c) {
        case 45: /* - */
          if (src.charCodeAt(pos + 1) === 45) { this.comment(start); continue; }
          return this.symbol(T.Minus, start, 1);
        case 34: /* " */
        case 39: /* ' */
          return this.shortString(start);
        case 91: /* [ */ {
          const level = this.longBracketLevel(pos);
          if (level >= 0) return this.longString(start, level);
          if (level === -2) {
            // `[=` not followed by a complete opening bracket
            let end = pos + 1;
            while (src.charCodeAt(end) === 61) end++;
            this.error('invalid long string delimiter', start, end, quoted(src.slice(start, end)));
            this.pos = end;
            continue;
          }
          return this.symbol(T.LeftBracket, start, 1);
        }
        case 61: /* = */
          return src.charCodeAt(pos + 1) === 61 ? this.symbol(T.Equal, start, 2) : this.symbol(T.Assign, start, 1);
        case 60: /* < */ {
          const n = src.charCodeAt(pos + 1);
          return n === 61 ? this.symbol(T.LessEqual, start, 2) : n === 60 ? this.symbol(T.ShiftLeft, start, 2) : this.symbol(T.Less, start, 1);
        }
        case 62: /* > */ {
          const n = src.charCodeAt(pos + 1);
          return n === 61 ? this.symbol(T.GreaterEqual, start, 2) : n === 62 ? this.symbol(T.ShiftRight, start, 2) : this.symbol(T.Greater, start, 1);
        }
        case 47: /* / */
          return src.charCodeAt(pos + 1) === 47 ? this.symbol(T.DoubleSlash, start, 2) : this.symbol(T.Slash, start, 1);
        case 126: /* ~ */
          return src.charCodeAt(pos + 1) === 61 ? this.symbol(T.NotEqual, start, 2) : this.symbol(T.Tilde, start, 1);
        case 58: /* : */
          return src.charCodeAt(pos + 1) === 58 ? this.symbol(T.DoubleColon, start, 2) : this.symbol(T.Colon, start, 1);
        case 46: /* . */
          if (src.charCodeAt(pos + 1) === 46) {
            return src.charCodeAt(pos + 2) === 46 ? this.symbol(T.Ellipsis, start, 3) : this.symbol(T.Concat, start, 2);
          }
          if (isDigit(src.charCodeAt(pos + 1))) return this.numeral(start);
          return this.symbol(T.Dot, start, 1);
        case 43: return this.symbol(T.Plus, start, 1);
        case 42: return this.symbol(T.Star, start, 1);
        case 37: return this.symbol(T.Percent, start, 1);
        case 94: return this.symbol(T.Caret, start, 1);
        case 35: return this.symbol(T.Hash, start, 1);
        case 38: return this.symbol(T.Ampersand, start, 1);
        case 124: return this.symbol(T.Pipe, start, 1);
        case 40: return this.symbol(T.LeftParen, start, 1);
        case 41: return this.symbol(T.RightParen, start, 1);
        case 123: return this.symbol(T.LeftBrace, start, 1);
        case 125: return this.symbol(T.RightBrace, start, 1);
        case 93: return this.symbol(T.RightBracket, start, 1);
        case 59: return this.symbol(T.Semicolon, start, 1);
        case 44: return this.symbol(T.Comma, start, 1);
        default: {
          // A character no token starts with; a surrogate pair is one character.
          const width = c >= 0xd800 && c <= 0xdbff && pos + 1 < len ? 2 : 1;
          this.pos = pos + width;
          const unknown = token(T.Unknown, start, pos + width, src.slice(start, pos + width));
          unknown.near = charText(src, start, this.bytes) ?? '';
          return unknown;
        }
      }
    }
  }

  private symbol(type: T, start: number, width: number): Token {
    this.pos = start + width;
    return token(type, start, start + width, TOKEN_TEXT[type]);
  }

  private error(message: string, start: number, end: number, near: string | undefined, scanned = end): void {
    const error = { message: near === undefined ? message : `${message} near ${near}`, start, end, scanned };
    if (this.pending) this.pending.push(error);
    else this.onError(error);
  }

  /** Level of a long bracket opening at `pos` (`[[` is 0), -1 if `[` alone, -2 if `[=` malformed. */
  private longBracketLevel(pos: number): number {
    const src = this.source;
    let p = pos + 1;
    while (src.charCodeAt(p) === 61) p++;
    if (src.charCodeAt(p) === 91) return p - pos - 1;
    return p === pos + 1 ? -1 : -2;
  }

  /** Finds the closing bracket of the given level from `from`; returns its start or -1. */
  private findLongClose(from: number, level: number): number {
    const src = this.source;
    const close = ']' + '='.repeat(level) + ']';
    return src.indexOf(close, from);
  }

  private comment(start: number): void {
    const src = this.source;
    const pos = start + 2;
    if (src.charCodeAt(pos) === 91) {
      const level = this.longBracketLevel(pos);
      if (level >= 0) {
        const body = this.longBody(pos, level, 'comment', start);
        this.comments.push({ start, end: this.pos, text: body, long: true });
        return;
      }
    }
    let end = pos;
    const len = src.length;
    while (end < len) {
      const c = src.charCodeAt(end);
      if (c === 10 || c === 13) break;
      end++;
    }
    this.pos = end;
    this.comments.push({ start, end, text: src.slice(pos, end), long: false });
  }

  /**
   * Reads a long bracket body starting at the `[` at `open`; sets pos past the closing bracket.
   * `start` is where the token or comment starts (`--` for a comment), for an error's range.
   */
  private longBody(open: number, level: number, what: 'string' | 'comment', start = open): string {
    const src = this.source;
    let bodyStart = open + level + 2;
    // A newline right after the opening bracket is not part of the string.
    const c = src.charCodeAt(bodyStart);
    if (c === 13 || c === 10) {
      const d = src.charCodeAt(bodyStart + 1);
      bodyStart += (d === 13 || d === 10) && d !== c ? 2 : 1;
    }
    const close = this.findLongClose(bodyStart, level);
    if (close < 0 && this.window !== undefined && !this.window.complete) {
      // It may close past the window: read again in the whole text (see scanInWindow).
      this.pos = src.length;
      return '';
    }
    if (close < 0) {
      this.error(`unfinished long ${what} (starting at line ${this.luaLines().lineOf(open + (this.window?.base ?? 0))})`, start, src.length, '<eof>');
      this.pos = src.length;
      return src.slice(bodyStart);
    }
    this.pos = close + level + 2;
    return src.slice(bodyStart, close);
  }

  private longString(start: number, level: number): Token {
    const body = this.longBody(start, level, 'string');
    // Lua normalises any newline sequence in a long string to "\n".
    let value = /\r/.test(body) ? body.replace(/\r\n|\n\r|\r/g, '\n') : body;
    value = this.toBytes(value);
    const t = token(T.String, start, this.pos, value);
    t.quote = '[';
    // Lua's message shows the brackets around the string's value (without the dropped first line
    // break, with line breaks normalised), which is what its buffer holds.
    const bracket = '='.repeat(level);
    t.near = quoted(`[${bracket}[${this.display(value)}]${bracket}]`);
    return t;
  }

  private toBytes(text: string): string {
    if (this.bytes) return text;
    // eslint-disable-next-line no-control-regex
    if (!/[^\x00-\x7f]/.test(text)) return text;
    return Buffer.from(text, 'utf8').toString('latin1');
  }

  /**
   * What Lua prints after `near` for a token: `'x'`, `'"str"'`, `<eof>`; empty for a token Lua
   * names no token at all (a NUL byte).
   */
  nearText(t: Token): string {
    if (t.near !== undefined) return t.near;
    if (t.type === T.EOF) return '<eof>';
    if (t.type === T.String) return quoted(`${t.quote}${this.display(t.text)}${t.quote}`);
    return `'${t.text}'`;
  }

  /**
   * What Lua's scanner buffer holds after reading `t`, quoted as its messages quote it. Lua prints a
   * name, string or numeral from that buffer, so when it has already read the next token (a table
   * field's lookahead) its message shows the next token's buffer: `[` for `[`, `.` for `..`, and
   * nothing for most symbols, which the scanner does not save.
   */
  bufferText(t: Token): string {
    switch (t.type) {
      case T.Name: case T.Number: return quoted(t.text);
      case T.String: return this.nearText(t);
      case T.LeftBracket: return "'['";
      case T.Dot: case T.Concat: case T.Ellipsis: return "'.'";
      default: return t.type >= T.And && t.type <= T.While ? quoted(t.text) : "''";
    }
  }

  /** A byte string shown as text, for messages (a terminal would decode Lua's bytes as UTF-8). */
  private display(value: string): string {
    // eslint-disable-next-line no-control-regex
    if (this.bytes || !/[^\x00-\x7f]/.test(value)) return value;
    return Buffer.from(value, 'latin1').toString('utf8');
  }

  private shortString(start: number): Token {
    const src = this.source;
    const len = src.length;
    const quote = src.charCodeAt(start);
    let pos = start + 1;
    let value = '';
    let chunkStart = pos;
    const fail = (message: string, errorEnd: number, near: string | undefined, scanned = errorEnd, resume = errorEnd): Token => {
      this.error(message, start, errorEnd, near, scanned);
      // Recover: skip to the closing quote or the end of the line.
      let p = resume;
      while (p < len) {
        const c = src.charCodeAt(p);
        if (c === quote) { p++; break; }
        if (c === 10 || c === 13) break;
        p++;
      }
      this.pos = p;
      const t = token(T.String, start, p, value);
      t.quote = quote === 34 ? '"' : "'";
      return t;
    };
    for (;;) {
      if (pos >= len) {
        value += this.toBytes(src.slice(chunkStart, pos));
        return fail('unfinished string', len, '<eof>');
      }
      const c = src.charCodeAt(pos);
      if (c === quote) break;
      if (c === 10 || c === 13) {
        value += this.toBytes(src.slice(chunkStart, pos));
        return fail('unfinished string', pos, quoted(`${src[start]}${this.display(value)}`));
      }
      if (c !== 92 /* \ */) { pos++; continue; }
      value += this.toBytes(src.slice(chunkStart, pos));
      const escape = pos;
      const e = src.charCodeAt(pos + 1);
      // Lua shows the string read so far, the escape as written, and the character it stopped at
      // (none at the end of the source); its scanner stands at that character.
      const escapeError = (message: string, at: number): Token =>
        fail(message, Math.min(at + 1, len), quoted(`${src[start]}${this.display(value)}${src.slice(escape, Math.min(at + 1, len))}`), at, at);
      pos += 2;
      switch (e) {
        case 97: value += '\x07'; break;
        case 98: value += '\b'; break;
        case 102: value += '\f'; break;
        case 110: value += '\n'; break;
        case 114: value += '\r'; break;
        case 116: value += '\t'; break;
        case 118: value += '\v'; break;
        case 92: value += '\\'; break;
        case 34: value += '"'; break;
        case 39: value += "'"; break;
        case 10: case 13: {
          value += '\n';
          const f = src.charCodeAt(pos);
          if ((f === 10 || f === 13) && f !== e) pos++;
          break;
        }
        case 120: /* x */ {
          let r = 0;
          for (let i = 0; i < 2; i++) {
            const h = src.charCodeAt(pos);
            if (!isHexDigit(h)) return escapeError('hexadecimal digit expected', pos);
            r = r * 16 + hexValue(h);
            pos++;
          }
          value += String.fromCharCode(r);
          break;
        }
        case 122: /* z */ {
          while (pos < len && isSpace(src.charCodeAt(pos))) pos++;
          break;
        }
        case 117: /* u */ {
          if (src.charCodeAt(pos) !== 123) return escapeError("missing '{'", pos);
          pos++;
          if (!isHexDigit(src.charCodeAt(pos))) return escapeError('hexadecimal digit expected', pos);
          let r = 0;
          while (isHexDigit(src.charCodeAt(pos))) {
            r = r * 16 + hexValue(src.charCodeAt(pos));
            if (r > 0x10ffff) return escapeError('UTF-8 value too large', pos);
            pos++;
          }
          if (src.charCodeAt(pos) !== 125) return escapeError("missing '}'", pos);
          pos++;
          value += utf8Bytes(r);
          break;
        }
        default: {
          if (pos - 1 >= len) return fail('unfinished string', len, '<eof>');
          if (!isDigit(e)) return escapeError('invalid escape sequence', pos - 1);
          let r = e - 48;
          for (let i = 0; i < 2 && isDigit(src.charCodeAt(pos)); i++) {
            r = r * 10 + src.charCodeAt(pos) - 48;
            pos++;
          }
          if (r > 255) return escapeError('decimal escape too large', pos);
          value += String.fromCharCode(r);
        }
      }
      chunkStart = pos;
    }
    value += this.toBytes(src.slice(chunkStart, pos));
    this.pos = pos + 1;
    const t = token(T.String, start, pos + 1, value);
    t.quote = quote === 34 ? '"' : "'";
    return t;
  }

  private numeral(start: number): Token {
    const src = this.source;
    const len = src.length;
    let pos = start;
    let exponent1 = 101, exponent2 = 69; // e E
    // Like Lua, look for `0x` after a leading dot too: `.0x1` is then one malformed numeral.
    if (src.charCodeAt(pos) === 46) pos++;
    if (src.charCodeAt(pos) === 48 && (src.charCodeAt(pos + 1) | 32) === 120) {
      pos += 2;
      exponent1 = 112; exponent2 = 80; // p P
    }
    // Lua's read_numeral: each step takes an optional exponent mark (and its sign), then a hex digit
    // or a dot, or stops; so in `0x1Pp` the second `p` is not part of the numeral.
    for (;;) {
      let c = src.charCodeAt(pos);
      if (c === exponent1 || c === exponent2) {
        c = src.charCodeAt(++pos);
        if (c === 43 || c === 45) c = src.charCodeAt(++pos);
      }
      if (isHexDigit(c) || c === 46) pos++;
      else break;
    }
    this.pos = pos;
    const text = src.slice(start, pos);
    const number = parseNumeral(text);
    if (!number) {
      this.error('malformed number', start, pos, quoted(text));
    }
    const t = token(T.Number, start, pos, text);
    t.number = number ?? { integer: true, value: 0 };
    return t;
  }
}
