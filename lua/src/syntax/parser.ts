// The Lua 5.3 parser: recursive descent over the lexer's tokens, shaped like PUC Lua's lparser.c so
// that it accepts and rejects exactly what `luac5.3 -p` does and reports the same first message.
// Unlike luac it never stops: after an error it inserts a stand-in node or skips to a point where a
// statement can start, and goes on, so the editor gets every error and a tree for the whole file.

import * as ast from './ast';
import { Lexer, T, Token, tokenKindText, type SourceWindow } from './lexer';
import { LineMap } from './linemap';
import { Boundaries, ReusePlan, shift, type Prefix, type ReuseInfo, type SourceEdit } from './reparse';
import { exact } from './lists';

export interface SyntaxDiagnostic {
  message: string;
  start: number;
  end: number;
  severity: 'error';
  code: 'syntax';
  /**
   * The 1-based line Lua prints for this error (`name:line: message`): where its scanner stood when
   * it found the error, which is not always the line of `start` — a `break` outside a loop is found
   * at the end of its function, an error near a multi-line token is reported on the token's last line.
   */
  line?: number;
}

export interface ParseOptions {
  /** Chunk name for messages (`name:line: message`). Default `?`. */
  name?: string;
  /** Keep the token list in the result (comments are always kept on the chunk). */
  tokens?: boolean;
  /**
   * The result of parsing an earlier version of the same document. When it had no diagnostics (or
   * all of its 100 before the edit), the top-level statements the edit cannot have changed are
   * taken over instead of parsed again (those after the edit moved to their new offsets, in
   * place): the earlier result must not be used any more. The new result is the same as a full
   * parse's (see reparse.ts).
   */
  previous?: ParseResult;
  /**
   * With `previous`: the edit that made `source` from its text, when one replacement did. The texts
   * are then not compared, and the parse reads the new text only around the edit (see
   * reparse.ts); `sourceSlice` reads the result's text the same way.
   */
  edit?: SourceEdit;
}

export interface ParseResult {
  chunk: ast.Chunk;
  diagnostics: SyntaxDiagnostic[];
  lineMap: LineMap;
  /** The source text the offsets refer to (bytes decoded as Latin-1 when a Uint8Array was given). */
  source: string;
  tokens?: Token[];
  /**
   * The error Lua itself reports for this source (`luac -p`, `load`): the first one found in reading
   * order. `diagnostics` is sorted by position, where it need not come first (a `break` outside a
   * loop is only found at the end of its function). Undefined when there is no error.
   */
  firstError?: SyntaxDiagnostic;
}

/** Lua's LUAI_MAXCCALLS: nesting of statements and expressions beyond this is an error. */
const MAX_LEVELS = 200;
/** Lua's MAXVARS: active local variables per function. */
const MAX_LOCALS = 200;
/** Diagnostics kept per file; past this the rest of the file is only skimmed. */
const MAX_DIAGNOSTICS = 100;

// Binary operator priorities (left, right) as in Lua 5.3; right < left makes `..` and `^` right-associative.
const BINARY: Partial<Record<T, [ast.BinaryOperator, number, number]>> = {
  [T.Plus]: ['+', 10, 10], [T.Minus]: ['-', 10, 10],
  [T.Star]: ['*', 11, 11], [T.Percent]: ['%', 11, 11],
  [T.Caret]: ['^', 14, 13],
  [T.Slash]: ['/', 11, 11], [T.DoubleSlash]: ['//', 11, 11],
  [T.Ampersand]: ['&', 6, 6], [T.Pipe]: ['|', 4, 4], [T.Tilde]: ['~', 5, 5],
  [T.ShiftLeft]: ['<<', 7, 7], [T.ShiftRight]: ['>>', 7, 7],
  [T.Concat]: ['..', 9, 8],
  [T.Equal]: ['==', 3, 3], [T.Less]: ['<', 3, 3], [T.LessEqual]: ['<=', 3, 3],
  [T.NotEqual]: ['~=', 3, 3], [T.Greater]: ['>', 3, 3], [T.GreaterEqual]: ['>=', 3, 3],
  [T.And]: ['and', 2, 2], [T.Or]: ['or', 1, 1],
};
const UNARY_PRIORITY = 12;
// The same table as arrays indexed by token type, for the hot loop in `subexpression`.
const BINARY_OPERATOR: (ast.BinaryOperator | undefined)[] = [];
const LEFT_PRIORITY: number[] = [];
const RIGHT_PRIORITY: number[] = [];
for (const [type, [operator, left, right]] of Object.entries(BINARY) as unknown as [T, [ast.BinaryOperator, number, number]][]) {
  BINARY_OPERATOR[type] = operator;
  LEFT_PRIORITY[type] = left;
  RIGHT_PRIORITY[type] = right;
}

interface BlockState {
  isLoop: boolean;
  /** Active locals when the block was entered. */
  activeAtEntry: number;
  firstLabel: number;
  firstGoto: number;
}

interface LabelEntry {
  name: string;
  /** Lua's scanner position at the label, for `already defined on line N`. */
  at: number;
  /** Active locals at the label (or at block entry when the label ends the block). */
  active: number;
}

interface GotoEntry {
  name: string;
  /** Where to point the diagnostic: the goto statement or the break keyword. */
  start: number;
  end: number;
  /** Lua's scanner position at the statement, for `<goto x> at line N`. */
  at: number;
  active: number;
}

interface FunctionState {
  parent: FunctionState | undefined;
  isVararg: boolean;
  /**
   * Lua's scanner position where the function's line is taken (its `linedefined`, named in
   * messages); -1 for the main chunk.
   */
  at: number;
  /** Names of active locals, innermost last (for the jumps-into-scope message). */
  actives: string[];
  /** Locals declared by the statement being parsed, not yet in scope; they count against the limit. */
  declared: number;
  blocks: BlockState[];
  labels: LabelEntry[];
  gotos: GotoEntry[];
}

/** What closes the block being parsed, for `'end' expected (to close 'while' at line 3)`. */
interface Closer {
  token: T;
  /** The opening keyword or bracket; undefined for the main chunk, which `<eof>` closes. */
  opener: T | undefined;
  /** Lua's scanner position at the opener, which gives the line Lua names. */
  at: number;
}

const STATEMENT_START = new Set<T>([
  T.Local, T.Function, T.If, T.While, T.For, T.Repeat, T.Do, T.Return, T.Break, T.Goto,
  T.DoubleColon, T.Semicolon,
]);

export function parse(source: string | Uint8Array, options: ParseOptions = {}): ParseResult {
  return parseInSlices(source, options).step(() => true)!;
}

/**
 * A parse made a slice at a time (`parseInSlices`): `step(keepGoing)` reads on while `keepGoing()`
 * says there is time, and gives the result once the text is read (undefined until then). It stops
 * only between the main block's statements, where its state is the parser's own: the result is
 * the one `parse` gives, whatever the slices.
 */
export interface ParseTask {
  step(keepGoing: () => boolean): ParseResult | undefined;
}

/** `parse`, made in slices (see ParseTask): a language server answers other requests between them. */
export function parseInSlices(source: string | Uint8Array, options: ParseOptions = {}): ParseTask {
  const bytes = typeof source !== 'string';
  const text = typeof source === 'string' ? source : Buffer.from(source.buffer, source.byteOffset, source.byteLength).toString('latin1');
  const previous = options.previous && reuseInfo.get(options.previous);
  // An earlier result is taken over at most once (its nodes may move).
  if (options.previous) reuseInfo.delete(options.previous);
  const reusable = !bytes && !options.tokens;
  const plan = reusable ? ReusePlan.for(previous, text, options.edit) : undefined;
  const window = plan?.window();
  // The parser lives on with its result (the line map is built on demand): it keeps no earlier result.
  const parser = new Parser(text, { name: options.name, tokens: options.tokens }, bytes, plan, reusable ? new Boundaries() : undefined, window);
  // The earlier text's lines, when they were counted, give these (see LineMap.edited).
  const lines = plan && builtLines.get(options.previous!);
  if (plan && lines) parser.startLines(LineMap.edited(lines, text, plan.changeStart, plan.newChangeEnd - plan.delta, plan.newChangeEnd, plan.inserted));
  parser.begin();
  // Let go once the result is made (a task may be held longer than its parser is needed).
  let reading: Parser | undefined = parser;
  let result: ParseResult | undefined;
  return {
    step(keepGoing) {
      if (!reading) return result;
      result = reading.resume(keepGoing);
      if (!result) return undefined;
      if (reusable) {
        const { chunk, diagnostics, firstError } = result;
        reading.boundaries!.settle();
        reuseInfo.set(result, { source: text, chunk, boundaries: reading.boundaries!, diagnostics, firstError, cappedAt: reading.cappedAt });
      }
      if (window) {
        windows.set(result, { window, widened: !reading.readWindowOnly, old: previous!.source, delta: plan!.delta });
        const before = gotoWords.get(options.previous!);
        const after = before && gotoAfterEdit(before, previous!.source, plan!, window);
        if (after) gotoWords.set(result, after);
      }
      reading = undefined;
      return result;
    },
  };
}

/** What a later `parse` of the same document may take over from a result. */
const reuseInfo = new WeakMap<ParseResult, ReuseInfo>();

/**
 * The windows of their text that reparses read (see ParseOptions.edit), whether they read past
 * them, and the earlier text, which the new one is before and after the window (moved by `delta`).
 */
const windows = new WeakMap<ParseResult, { window: SourceWindow; widened: boolean; old: string; delta: number }>();

/**
 * `parsed.source.slice(start, end)`, read after a windowed reparse from its window or from the
 * earlier text, which the new one is outside the window: the analyses of an edit read the text
 * this way, and the new text is made whole only when something else reads it (see
 * ParseOptions.edit). Only a part across the window's ends reads the new text.
 */
export function sourceSlice(parsed: ParseResult, start: number, end: number): string {
  const entry = windows.get(parsed);
  if (entry) {
    const { window: w, old, delta } = entry;
    const windowEnd = w.base + w.text.length;
    if (start >= w.base && end <= windowEnd) return w.text.slice(start - w.base, end - w.base);
    if (end <= w.base) return old.slice(start, end);
    if (start >= windowEnd) return old.slice(start - delta, end - delta);
  }
  return parsed.source.slice(start, end);
}

/** Where a result's text says `goto` first and last (-1: nowhere): found once, then followed through the edits (see mentionsGoto). */
const gotoWords = new WeakMap<ParseResult, { first: number; last: number }>();

/**
 * Whether the text says `goto` anywhere (a statement, a name or a comment holding it): what the
 * analyses ask before taking statements over. After a windowed reparse, known from the earlier
 * text's answer and the window, without making the new text whole.
 */
export function mentionsGoto(parsed: ParseResult): boolean {
  return gotoSpan(parsed).first >= 0;
}

/** Where the text says `goto` first and last (-1: nowhere; see mentionsGoto). */
export function gotoSpan(parsed: ParseResult): { first: number; last: number } {
  let at = gotoWords.get(parsed);
  if (!at) {
    const first = parsed.source.indexOf('goto');
    at = { first, last: first < 0 ? -1 : parsed.source.lastIndexOf('goto') };
    gotoWords.set(parsed, at);
  }
  return at;
}

/**
 * The first and last `goto` of the new text, from the earlier text's (`before`, in `old`) and the
 * window: one that ends before the edit or starts after it is where it was (moved), one that meets
 * the edit lies within three characters of it. Undefined when the window does not hold those.
 */
function gotoAfterEdit(before: { first: number; last: number }, old: string, plan: ReusePlan, window: SourceWindow): { first: number; last: number } | undefined {
  const start = plan.changeStart;
  const newEnd = plan.newChangeEnd;
  const oldEnd = newEnd - plan.delta;
  const from = start - 3;
  const to = newEnd + 3;
  if (from < window.base || to > window.base + window.text.length) return undefined;
  const around = window.text.slice(from - window.base, to - window.base);
  const inside = around.indexOf('goto');
  let first: number;
  if (before.first >= 0 && before.first + 4 <= start) first = before.first;
  else if (inside >= 0) first = from + inside;
  else {
    const k = before.first < 0 ? -1 : old.indexOf('goto', oldEnd);
    first = k < 0 ? -1 : k + plan.delta;
  }
  let last: number;
  if (before.last >= oldEnd) last = before.last + plan.delta;
  else if (inside >= 0) last = from + around.lastIndexOf('goto');
  else last = before.last < 0 || start < 4 ? -1 : old.lastIndexOf('goto', start - 4);
  return { first, last };
}

/** The window of its text a reparse read, and whether its scanner read past it (for tests and benchmarks). */
export function windowRead(parsed: ParseResult): { base: number; length: number; widened: boolean } | undefined {
  const w = windows.get(parsed);
  return w && { base: w.window.base, length: w.window.text.length, widened: w.widened };
}

/** The line maps results have built (their `lineMap`, built on first use). */
const builtLines = new WeakMap<ParseResult, LineMap>();

/**
 * Statements nested in blocks that added no diagnostic (and that no diagnostic before them could
 * have hidden), with what their parse depended on besides their tokens: a reparse takes one over
 * where that is the same (Parser.reuseNested). Such a statement has no goto or label and sends no
 * `break` out of itself. What is kept is one number (a record per statement as an object made
 * every full parse of a long file measurably slower): from the statement's end to the end of the
 * token after it (which decided where it ends), its function's active locals, the nesting level,
 * and whether `...` is allowed. The locals it brings into scope are its own names (`local x`).
 */
const nestedRecords = new WeakMap<ast.Statement, number>();

/** The state part of a record: active locals and nesting level (each under 256), `...` allowed. */
function stateKey(actives: number, level: number, vararg: boolean): number {
  return (actives * 256 + level) * 2 + (vararg ? 1 : 0);
}

/** Records are `followGap * STATES + stateKey`. */
const STATES = 2 ** 17;

class Parser {
  private readonly lexer: Lexer;
  private readonly diagnostics: SyntaxDiagnostic[] = [];
  private readonly tokens: Token[] | undefined;
  private tok: Token;
  private ahead: Token | undefined;
  private prevEnd = 0;
  private level = 0;
  private fs!: FunctionState;
  private closers: Closer[] = [];
  private lastErrorAt = -1;
  private tooDeep = false;
  /** `goto` statements and labels read so far (a nested statement with either is not taken over). */
  private gotoStatements = 0;
  private labelStatements = 0;
  private firstError: SyntaxDiagnostic | undefined;
  private lines: LineMap | undefined;

  /** The main block's statement list, whose boundaries are recorded for a later reparse. */
  private mainBody: ast.Statement[] | undefined;
  /** Where the main block starts, what was taken over before it and the end of a `#` first line (set by `begin`). */
  private chunkStart = 0;
  private prefix: Prefix | undefined;
  private shebangEnd: number | undefined;
  /** Asked before each statement of the main block (see ParseTask); `paused` when it said no. */
  private keepGoing: (() => boolean) | undefined;
  private paused = false;
  private tailComments: ast.Comment[] = [];
  /** Where the scanner stood when the diagnostics reached their limit (-1: they did not). */
  cappedAt = -1;

  constructor(
    private readonly source: string,
    private readonly options: ParseOptions,
    bytes: boolean,
    private plan: ReusePlan | undefined,
    readonly boundaries: Boundaries | undefined,
    window?: SourceWindow,
  ) {
    this.lexer = new Lexer(source, (e) => this.addDiagnostic(e.message, e.start, e.end, e.scanned), { bytes, window });
    this.tokens = options.tokens ? [] : undefined;
    this.tok = { type: T.EOF, start: 0, end: 0, text: '', number: undefined, quote: undefined, near: undefined };
  }

  /** The scanner read only the window it was given (see SourceWindow). */
  get readWindowOnly(): boolean {
    return this.lexer.windowed;
  }

  /** Lines counted already (see LineMap.edited). */
  startLines(lines: LineMap): void {
    this.lines = lines;
  }

  private get lineMap(): LineMap {
    return (this.lines ??= new LineMap(this.source));
  }

  /** Line numbers as Lua's messages count them (see `Lexer.luaLines`). */
  private luaLineOf(offset: number): number {
    return this.lexer.luaLines().lineOf(offset);
  }

  /**
   * Where Lua's scanner stands: just past the current token, or past the lookahead token when one
   * was read. Its line is Lua's `ls->linenumber`, which Lua uses for every message and every
   * `at line N`; the parser keeps offsets and counts lines only when it reports an error.
   */
  private scanned(): number {
    return (this.ahead ?? this.tok).end;
  }

  /** Reads what comes before the main block's statements (see ParseTask). */
  begin(): void {
    this.shebangEnd = this.lexer.skipShebang();
    const plan = this.plan;
    const prefix: Prefix | undefined = plan?.prefix();
    const capped = plan?.diagnostics;
    if (capped) {
      // The earlier parse reached the limit of diagnostics before the edit: so does this one, with
      // the same ones, and nothing after can add any.
      for (const d of capped.diagnostics) this.diagnostics.push(d);
      this.firstError = capped.firstError;
      this.cappedAt = capped.cappedAt;
    }
    if (prefix) {
      // Start again at a boundary of the main block, as if the statements before it had just been read.
      this.lexer.seek(prefix.tokenStart);
      this.tok.end = prefix.previousEnd;
      this.boundaries!.adopt(prefix.boundaries.old, prefix.boundaries.count);
    }
    this.prefix = prefix;
    this.next();
    this.fs = this.newFunction(-1, true);
    this.chunkStart = prefix ? prefix.blockStart : this.tok.start;
    this.closers.push({ token: T.EOF, opener: undefined, at: 0 });
    const body: ast.Statement[] = prefix ? prefix.statements : [];
    this.enterBlock(false);
    if (prefix) for (const name of prefix.locals) this.fs.actives.push(name);
    this.mainBody = body;
  }

  /**
   * Reads the main block's statements on while `keepGoing()` says so (asked before each one), and
   * the result once the text is read; undefined when it stopped first (see ParseTask).
   */
  resume(keepGoing: () => boolean): ParseResult | undefined {
    const body = this.mainBody!;
    this.keepGoing = keepGoing;
    for (;;) {
      this.statementList(body);
      if (this.paused) {
        this.paused = false;
        this.keepGoing = undefined;
        return undefined;
      }
      if (this.tok.type === T.EOF) break;
      // A stray `end`, `until`, `else` or `elseif`; the condition after `until` or `elseif` is
      // part of it (and `then`), rather than the start of a next statement.
      this.error(`${tokenKindText(T.EOF)} expected`);
      const stray = this.tok;
      this.next();
      const condition = stray.type === T.Until || stray.type === T.Elseif ? this.expression() : undefined;
      if (stray.type === T.Elseif) this.check(T.Then);
      const node: ast.ErrorStatement = { kind: 'ErrorStatement', start: stray.start, end: this.prevEnd };
      if (condition) node.expression = condition;
      body.push(node);
    }
    this.keepGoing = undefined;
    return this.finish(body);
  }

  private finish(body: ast.Statement[]): ParseResult {
    const { prefix, shebangEnd } = this;
    const start = this.chunkStart;
    this.leaveBlock();
    this.closers.pop();
    this.plan = undefined;
    this.mainBody = undefined;
    this.prefix = undefined;
    const block: ast.Block = { kind: 'Block', ...this.blockRange(start, body), body };
    const chunk: ast.Chunk = {
      kind: 'Chunk',
      name: this.options.name ?? '?',
      start: 0,
      end: this.source.length,
      body: block,
      comments: this.lexer.comments.map((c): ast.Comment => ({ kind: 'Comment', start: c.start, end: c.end, text: c.text, long: c.long })),
    };
    if (prefix || this.tailComments.length > 0) chunk.comments = [...(prefix?.comments ?? []), ...chunk.comments, ...this.tailComments];
    // The `#` line may follow a byte order mark.
    if (shebangEnd !== undefined) chunk.shebang = { start: this.lexer.shebangStart, end: shebangEnd };
    this.diagnostics.sort((a, b) => a.start - b.start);
    const result: ParseResult = { chunk, diagnostics: this.diagnostics, source: this.source, tokens: this.tokens, lineMap: undefined! };
    if (this.firstError) result.firstError = this.firstError;
    // Most callers never need lines; build the map on first use.
    // (Only the text and the map are kept, not the parser: a result may be held for long.)
    let lines = this.lines;
    const source = this.source;
    Object.defineProperty(result, 'lineMap', {
      get: () => {
        if (lines === undefined) {
          lines = new LineMap(source);
          builtLines.set(result, lines);
        }
        return lines;
      },
      enumerable: true,
    });
    if (lines !== undefined) builtLines.set(result, lines);
    return result;
  }

  // ---- tokens and errors ----------------------------------------------------------------------

  private next(): void {
    this.prevEnd = this.tok.end;
    if (this.ahead) {
      this.tok = this.ahead;
      this.ahead = undefined;
    } else {
      this.tok = this.lexer.next();
      if (this.tokens && this.tok.type !== T.EOF) this.tokens.push(this.tok);
    }
  }

  private peek(): Token {
    if (!this.ahead) {
      this.ahead = this.lexer.next();
      if (this.tokens && this.ahead.type !== T.EOF) this.tokens.push(this.ahead);
    }
    return this.ahead;
  }

  /** Records a diagnostic; `scanned` is where Lua's scanner stood, which gives the line Lua reports. */
  private addDiagnostic(message: string, start: number, end: number, scanned: number): void {
    if (this.diagnostics.length >= MAX_DIAGNOSTICS) return;
    const diagnostic: SyntaxDiagnostic = { message, start, end, severity: 'error', code: 'syntax', line: this.luaLineOf(scanned) };
    this.firstError ??= diagnostic;
    this.diagnostics.push(diagnostic);
    if (this.diagnostics.length === MAX_DIAGNOSTICS) this.cappedAt = scanned;
  }

  /** Reports `message near <token>` at the current token, once per token. */
  private error(message: string, token: Token = this.tok): void {
    if (token.start === this.lastErrorAt) return;
    this.lastErrorAt = token.start;
    const near = this.ahead && token === this.tok && (token.type === T.Name || token.type === T.String || token.type === T.Number)
      ? this.lexer.bufferText(this.ahead)
      : this.lexer.nearText(token);
    this.addDiagnostic(near ? `${message} near ${near}` : message, token.start, token.end, this.scanned());
  }

  /** Reports a semantic error (Lua prints no `near` for these) over a range; Lua's scanner is past the current token. */
  private semanticError(message: string, start: number, end: number): void {
    this.addDiagnostic(message, start, end, this.scanned());
  }

  private check(type: T): boolean {
    if (this.tok.type === type) {
      this.next();
      return true;
    }
    return false;
  }

  /** Consumes the token or reports `'x' expected` without consuming anything. */
  private expect(type: T): boolean {
    if (this.check(type)) return true;
    this.error(`${tokenKindText(type)} expected`);
    return false;
  }

  /**
   * Like `expect`, naming the opener when the scanner has left its line (Lua's check_match).
   * `at` is the scanner position that gives Lua's line for the opener, not always the opener's own.
   */
  private expectClosing(type: T, opener: T, at: number): boolean {
    if (this.check(type)) return true;
    const line = this.luaLineOf(at);
    if (line === this.luaLineOf(this.scanned())) {
      this.error(`${tokenKindText(type)} expected`);
    } else {
      this.error(`${tokenKindText(type)} expected (to close ${tokenKindText(opener)} at line ${line})`);
    }
    return false;
  }

  /**
   * `expectClosing` for a bracket; when it is missing in the middle of a line, skips what is left of
   * the bracket's contents on that line (`f(a b)`), so that it does not produce a spurious error.
   */
  private closeBracket(type: T, opener: T, at: number): void {
    if (this.expectClosing(type, opener, at)) return;
    const errorLine = this.lineMap.lineOf(this.tok.start);
    // A closer forgotten at the end of a line: the next line is not part of the brackets.
    if (this.lineMap.lineOf(this.prevEnd) !== errorLine) return;
    const start = this.tok.start;
    for (;;) {
      const t = this.tok.type;
      if (t === type) {
        this.next();
        return;
      }
      if (t === T.EOF || STATEMENT_START.has(t) || this.blockFollows(true) || t === T.Then
        || t === T.RightParen || t === T.RightBrace || t === T.RightBracket
        || (this.tok.start !== start && this.lineMap.lineOf(this.tok.start) !== errorLine)) return;
      this.skipNested();
    }
  }

  private name(): ast.Name {
    const t = this.tok;
    if (t.type === T.Name) {
      this.next();
      return { kind: 'Name', start: t.start, end: t.end, name: t.text };
    }
    this.error(`${tokenKindText(T.Name)} expected`);
    // A missing name: an empty stand-in right after the last token read.
    return { kind: 'Name', ...this.rangeFrom(t.start), name: '' };
  }

  private functionDescription(): string {
    return this.fs.at < 0 ? 'main function' : `function at line ${this.luaLineOf(this.fs.at)}`;
  }

  private enterLevel(): boolean {
    if (++this.level >= MAX_LEVELS) {
      this.tooManyLevels();
      return false;
    }
    return true;
  }

  private tooManyLevels(): void {
    if (!this.tooDeep) this.error(`too many C levels (limit is ${MAX_LEVELS}) in ${this.functionDescription()}`);
    this.tooDeep = true;
  }

  /**
   * Skips the construct at the current token and everything nested in it (brackets and blocks),
   * so that a too-deep or unreadable part is passed over in one linear step.
   */
  private skipNested(): void {
    let depth = 0;
    do {
      switch (this.tok.type) {
        case T.EOF: return;
        case T.LeftParen: case T.LeftBrace: case T.LeftBracket: case T.Do: case T.If:
        case T.Function: case T.Repeat:
          depth++;
          break;
        case T.RightParen: case T.RightBrace: case T.RightBracket: case T.End: case T.Until:
          if (depth === 0) return;
          depth--;
          break;
      }
      this.next();
    } while (depth > 0);
  }

  /**
   * The range from `start` to the end of the last consumed token; when nothing was consumed since
   * `start` (a missing name or expression), an empty range right after the last consumed token, so
   * that a stand-in node stays inside its parent's range.
   */
  private rangeFrom(start: number): ast.Range {
    return this.prevEnd > start ? { start, end: this.prevEnd } : { start: this.prevEnd, end: this.prevEnd };
  }

  /** A block's range: from its first token (or first statement, a stand-in maybe) to the last token read. */
  private blockRange(start: number, body: ast.Statement[]): ast.Range {
    const range = this.rangeFrom(start);
    if (body.length > 0 && body[0].start < range.start) range.start = body[0].start;
    return range;
  }

  /** Skips to a token that can start a statement or end a block; returns the skipped range. */
  private skipStatement(start: number, expression?: ast.Expression): ast.ErrorStatement {
    const startLine = this.tok.start;
    let first = true;
    for (;;) {
      const t = this.tok.type;
      if (t === T.EOF) break;
      if (!first) {
        if (STATEMENT_START.has(t) || t === T.End || t === T.Else || t === T.Elseif || t === T.Until) break;
        if ((t === T.Name || t === T.LeftParen) && this.startsLine(this.tok.start) && this.tok.start !== startLine) break;
      }
      first = false;
      this.skipNested();
      if (this.tok.type === T.RightParen || this.tok.type === T.RightBrace || this.tok.type === T.RightBracket) this.next();
      else if (this.tok.type === T.End || this.tok.type === T.Until) break;
    }
    const node: ast.ErrorStatement = { kind: 'ErrorStatement', ...this.rangeFrom(start) };
    if (expression) node.expression = expression;
    return node;
  }

  private startsLine(offset: number): boolean {
    const src = this.source;
    for (let p = offset - 1; p >= 0; p--) {
      const c = src.charCodeAt(p);
      if (c === 10 || c === 13) return true;
      if (c !== 32 && c !== 9) return false;
    }
    return true;
  }

  // ---- functions, blocks, labels --------------------------------------------------------------

  private newFunction(at: number, isVararg: boolean): FunctionState {
    return { parent: this.fs, isVararg, at, actives: [], declared: 0, blocks: [], labels: [], gotos: [] };
  }

  private enterBlock(isLoop: boolean): void {
    const fs = this.fs;
    fs.blocks.push({ isLoop, activeAtEntry: fs.actives.length, firstLabel: fs.labels.length, firstGoto: fs.gotos.length });
  }

  private leaveBlock(): void {
    const fs = this.fs;
    const block = fs.blocks.pop()!;
    if (block.isLoop) this.resolveGotos(block, { name: 'break', at: 0, active: fs.actives.length });
    fs.actives.length = block.activeAtEntry;
    fs.labels.length = block.firstLabel;
    if (fs.blocks.length > 0) {
      // Pending gotos leave the block: they now see only the enclosing block's locals and labels.
      const outer = fs.blocks[fs.blocks.length - 1];
      for (let i = block.firstGoto; i < fs.gotos.length;) {
        const g = fs.gotos[i];
        if (g.active > block.activeAtEntry) g.active = block.activeAtEntry;
        if (!this.closeGotoWithLabels(i, outer)) i++;
      }
    } else {
      for (let i = block.firstGoto; i < fs.gotos.length; i++) {
        const g = fs.gotos[i];
        this.semanticError(g.name === 'break'
          ? `<break> at line ${this.luaLineOf(g.at)} not inside a loop`
          : `no visible label '${g.name}' for <goto> at line ${this.luaLineOf(g.at)}`, g.start, g.end);
      }
      fs.gotos.length = block.firstGoto;
    }
  }

  /** Matches goto `index` against the labels of `block`; removes it when found. */
  private closeGotoWithLabels(index: number, block: BlockState): boolean {
    const fs = this.fs;
    const g = fs.gotos[index];
    for (let i = block.firstLabel; i < fs.labels.length; i++) {
      const label = fs.labels[i];
      if (label.name === g.name) {
        this.closeGoto(index, label);
        return true;
      }
    }
    return false;
  }

  private closeGoto(index: number, label: LabelEntry): void {
    const fs = this.fs;
    const g = fs.gotos[index];
    if (g.active < label.active) {
      const local = fs.actives[g.active];
      this.semanticError(`<goto ${g.name}> at line ${this.luaLineOf(g.at)} jumps into the scope of local '${local}'`, g.start, g.end);
    }
    fs.gotos.splice(index, 1);
  }

  /** Closes the pending gotos of the current block that target `label`. */
  private resolveGotos(block: BlockState, label: LabelEntry): void {
    const fs = this.fs;
    for (let i = block.firstGoto; i < fs.gotos.length;) {
      if (fs.gotos[i].name === label.name) this.closeGoto(i, label);
      else i++;
    }
  }

  /**
   * Lua's new_localvar: a local is counted against the limit when its name is read, before it comes
   * into scope (so the message is near the token after the name).
   */
  private declareLocal(): void {
    const fs = this.fs;
    if (fs.actives.length + fs.declared + 1 > MAX_LOCALS) {
      this.error(`too many local variables (limit is ${MAX_LOCALS}) in ${this.functionDescription()}`);
    }
    fs.declared++;
  }

  /** Lua's adjustlocalvars: declared locals come into scope. */
  private activateLocals(names: string[]): void {
    const fs = this.fs;
    for (const name of names) fs.actives.push(name);
    fs.declared = Math.max(0, fs.declared - names.length);
  }

  private blockFollows(withUntil: boolean): boolean {
    switch (this.tok.type) {
      case T.Else: case T.Elseif: case T.End: case T.EOF: return true;
      case T.Until: return withUntil;
      default: return false;
    }
  }

  /** Reports a statement after `return`, as the enclosing construct would see it. */
  private reportMisplaced(): void {
    const closer = this.closers[this.closers.length - 1];
    if (closer.opener !== undefined) this.expectClosing(closer.token, closer.opener, closer.at);
    else this.error(`${tokenKindText(closer.token)} expected`);
  }

  private statementList(body: ast.Statement[]): void {
    // In a parse that records for a later one, each statement of a nested block is recorded, or taken over.
    const nested = body !== this.mainBody && this.boundaries !== undefined;
    while (!this.blockFollows(true)) {
      if (body === this.mainBody) {
        // Between two statements of the main block, where nothing but the parser's fields holds its state.
        if (this.keepGoing !== undefined && !this.keepGoing()) {
          this.paused = true;
          return;
        }
        if (this.boundary(body)) return;
      }
      const before = this.tok.start;
      if (this.tok.type === T.Return) {
        this.statement(body);
        if (this.blockFollows(true)) return;
        // `return` must be the last statement: Lua stops the block here and the closer is missing.
        this.reportMisplaced();
        continue;
      }
      if (!nested) this.statement(body);
      else if (this.plan && this.reuseNested(body)) continue;
      else this.recordedStatement(body);
      if (this.tok.start === before && !this.blockFollows(true)) {
        // No progress: skip what cannot start a statement.
        this.error('unexpected symbol');
        body.push(this.skipStatement(before));
      }
    }
  }

  /**
   * At a boundary of the main block: takes over the rest of the earlier parse when the plan says it
   * is the same from here (and leaves the scanner at the end of the text), or records the boundary.
   */
  private boundary(body: ast.Statement[]): boolean {
    const boundaries = this.boundaries;
    if (!boundaries || this.ahead) return false;
    const plan = this.plan;
    if (plan) {
      // Once no diagnostic can be added, what follows depends on its tokens only.
      const capped = this.diagnostics.length >= MAX_DIAGNOSTICS;
      const i = plan.tailAt(this.tok.start, this.prevEnd, capped ? undefined : this.fs.actives.length);
      if (i >= 0) {
        const tail = plan.takeTail(i, body.length);
        for (const s of tail.statements) body.push(s);
        boundaries.takeTail(tail.boundaries.old, tail.boundaries.from, tail.boundaries.moved, tail.boundaries.delta);
        this.tailComments = tail.comments;
        this.plan = undefined;
        const end = this.source.length;
        this.lexer.seek(end);
        this.tok = { type: T.EOF, start: end, end, text: '', number: undefined, quote: undefined, near: undefined };
        this.prevEnd = tail.end;
        return true;
      }
    }
    boundaries.add(body.length, this.tok.start, this.tok.end, this.prevEnd, this.fs.actives.length);
    return false;
  }

  /** Parses a statement of a nested block, and records it for a later parse when it qualifies (see nestedRecords). */
  private recordedStatement(body: ast.Statement[]): void {
    const fs = this.fs;
    const start = this.tok.start;
    // Errors before it must not hide its own: none at its first token or after, none capped, not too deep.
    const diagnostics = this.diagnostics.length;
    const clean = !this.ahead && diagnostics < MAX_DIAGNOSTICS && this.lastErrorAt < start && !this.tooDeep;
    const actives = fs.actives.length;
    const level = this.level;
    const gotos = fs.gotos.length;
    const gotoStatements = this.gotoStatements;
    const labelStatements = this.labelStatements;
    const count = body.length;
    this.statement(body);
    if (!clean || this.diagnostics.length !== diagnostics || this.ahead || this.tooDeep || body.length !== count + 1) return;
    if (fs.gotos.length !== gotos || this.gotoStatements !== gotoStatements || this.labelStatements !== labelStatements) return;
    const statement = body[count];
    if (statement.start !== start || statement.end !== this.prevEnd || statement.kind === 'Return') return;
    const followGap = this.tok.end - statement.end;
    if (followGap < 2 ** 30 && actives < 256 && level < 256) nestedRecords.set(statement, followGap * STATES + stateKey(actives, level, fs.isVararg));
  }

  /**
   * Takes over the earlier parse's statement of a nested block that starts here, outside the edit,
   * when it was read without diagnostics in the same state as now and so would read the same
   * (see nestedRecords); then reads on after it. Diagnostics before it do not matter: it adds none.
   */
  private reuseNested(body: ast.Statement[]): boolean {
    const plan = this.plan!;
    if (this.ahead) return false;
    const offset = this.tok.start;
    const statement = plan.nestedAt(offset);
    const record = statement && nestedRecords.get(statement);
    if (!statement || record === undefined) return false;
    const fs = this.fs;
    if (record % STATES !== stateKey(fs.actives.length, this.level, fs.isVararg)) return false;
    const after = offset >= plan.newChangeEnd;
    const delta = after ? plan.delta : 0;
    if (statement.start + delta !== offset) return false;
    // Before the edit, the token after it (and the character after that) must be outside the edit too.
    if (!after && statement.end + Math.floor(record / STATES) >= plan.changeStart) return false;
    const oldStart = statement.start;
    const oldEnd = statement.end;
    if (delta !== 0) shift([statement], delta);
    body.push(statement);
    if (statement.kind === 'Local') for (const name of statement.names) fs.actives.push(name.name);
    else if (statement.kind === 'LocalFunction') fs.actives.push(statement.name.name);
    plan.commentsIn(oldStart, oldEnd, delta, this.lexer.comments);
    this.lexer.seek(statement.end);
    this.tok = { type: T.EOF, start: statement.end, end: statement.end, text: '', number: undefined, quote: undefined, near: undefined };
    this.next();
    return true;
  }

  /** A block closed by `closer` (checked by the caller), opened by `opener` (Lua's line from `at`). */
  private block(closer: T, opener: T, at: number, firstUncounted = false): ast.Block {
    this.enterBlock(false);
    const start = this.tok.start;
    const body: ast.Statement[] = [];
    this.closers.push({ token: closer, opener, at });
    // Lua parses a `goto` or `break` right after `then` without counting a nesting level.
    if (firstUncounted && (this.tok.type === T.Goto || this.tok.type === T.Break)) this.statement(body, false);
    this.statementList(body);
    this.closers.pop();
    this.leaveBlock();
    return { kind: 'Block', ...this.blockRange(start, body), body: exact(body) };
  }

  // ---- statements -----------------------------------------------------------------------------

  /** Parses one statement and appends it to `body` (a label appends the no-op statements after it too). */
  private statement(body: ast.Statement[], counted = true): void {
    const t = this.tok;
    if (counted && !this.enterLevel()) {
      this.skipNested();
      this.level--;
      body.push({ kind: 'ErrorStatement', ...this.rangeFrom(t.start) });
      return;
    }
    const at = this.scanned();
    let result: ast.Statement | undefined;
    switch (t.type) {
      case T.Semicolon: this.next(); break;
      case T.If: result = this.ifStatement(at); break;
      case T.While: result = this.whileStatement(at); break;
      case T.Do: {
        this.next();
        const block = this.block(T.End, T.Do, at);
        this.expectClosing(T.End, T.Do, at);
        result = { kind: 'Do', start: t.start, end: this.prevEnd, body: block };
        break;
      }
      case T.For: result = this.forStatement(at); break;
      case T.Repeat: result = this.repeatStatement(at); break;
      case T.Function: result = this.functionStatement(at); break;
      case T.Local:
        this.next();
        if (this.tok.type === T.Function) {
          const functionToken = this.tok;
          this.next();
          result = this.localFunction(t, functionToken);
        } else {
          result = this.localStatement(t);
        }
        break;
      case T.DoubleColon: this.labelStatement(body); break;
      case T.Return: result = this.returnStatement(); break;
      case T.Break: {
        this.next();
        this.addGoto('break', t.start, t.end, at);
        result = { kind: 'Break', start: t.start, end: t.end };
        break;
      }
      case T.Goto: {
        this.gotoStatements++;
        this.next();
        const label = this.name();
        if (label.name) this.addGoto(label.name, t.start, label.end, at);
        result = { kind: 'Goto', start: t.start, end: this.prevEnd, label };
        break;
      }
      default: result = this.expressionStatement(); break;
    }
    if (result) body.push(result);
    if (counted) this.level--;
  }

  private addGoto(name: string, start: number, end: number, at: number): void {
    const fs = this.fs;
    fs.gotos.push({ name, start, end, at, active: fs.actives.length });
    this.closeGotoWithLabels(fs.gotos.length - 1, fs.blocks[fs.blocks.length - 1]);
  }

  /**
   * `::name::`, checked as Lua does: the name must be new in its block; the no-op statements after
   * it (`;` and further labels, parsed here as Lua parses them, nested) decide whether the label
   * ends the block, in which case the block's locals count as out of scope for gotos jumping to it.
   */
  private labelStatement(body: ast.Statement[]): void {
    this.labelStatements++;
    const start = this.tok.start;
    const at = this.scanned();
    this.next();
    const name = this.name();
    const fs = this.fs;
    const block = fs.blocks[fs.blocks.length - 1];
    if (name.name) {
      for (let i = block.firstLabel; i < fs.labels.length; i++) {
        if (fs.labels[i].name === name.name) {
          this.semanticError(`label '${name.name}' already defined on line ${this.luaLineOf(fs.labels[i].at)}`, name.start, name.end);
          break;
        }
      }
    }
    this.expect(T.DoubleColon);
    body.push({ kind: 'Label', start, end: this.prevEnd, name });
    if (!name.name) return;
    const label: LabelEntry = { name: name.name, at, active: fs.actives.length };
    fs.labels.push(label);
    while (this.tok.type === T.Semicolon || this.tok.type === T.DoubleColon) this.statement(body);
    if (this.blockFollows(false)) label.active = block.activeAtEntry;
    this.resolveGotos(block, label);
  }

  private ifStatement(at: number): ast.IfStatement {
    const ifToken = this.tok;
    const clauses: ast.IfClause[] = [];
    // `if` and each `elseif`
    do {
      const clauseStart = this.tok.start;
      this.next();
      const condition = this.expression();
      this.expect(T.Then);
      const body = this.block(T.End, T.If, at, true);
      clauses.push({ kind: 'IfClause', start: clauseStart, end: this.prevEnd, condition, body });
    } while (this.tok.type === T.Elseif);
    if (this.tok.type === T.Else) {
      const clauseStart = this.tok.start;
      this.next();
      const body = this.block(T.End, T.If, at);
      clauses.push({ kind: 'IfClause', start: clauseStart, end: this.prevEnd, body });
    }
    this.expectClosing(T.End, T.If, at);
    return { kind: 'If', start: ifToken.start, end: this.prevEnd, clauses: exact(clauses) };
  }

  private whileStatement(at: number): ast.WhileStatement {
    const whileToken = this.tok;
    this.next();
    const condition = this.expression();
    this.enterBlock(true);
    this.expect(T.Do);
    const body = this.block(T.End, T.While, at);
    this.expectClosing(T.End, T.While, at);
    this.leaveBlock();
    return { kind: 'While', start: whileToken.start, end: this.prevEnd, condition, body };
  }

  private repeatStatement(at: number): ast.RepeatStatement {
    const repeatToken = this.tok;
    this.enterBlock(true);
    // The body's locals stay visible in the condition, so the scope block closes after it.
    this.enterBlock(false);
    this.next();
    const start = this.tok.start;
    const statements: ast.Statement[] = [];
    this.closers.push({ token: T.Until, opener: T.Repeat, at });
    this.statementList(statements);
    this.closers.pop();
    const body: ast.Block = { kind: 'Block', ...this.blockRange(start, statements), body: statements };
    this.expectClosing(T.Until, T.Repeat, at);
    const condition = this.expression();
    this.leaveBlock();
    this.leaveBlock();
    return { kind: 'Repeat', start: repeatToken.start, end: this.prevEnd, body, condition };
  }

  private forStatement(at: number): ast.Statement {
    const forToken = this.tok;
    this.enterBlock(true);
    this.next();
    const first = this.name();
    let result: ast.Statement;
    if (this.tok.type === T.Assign) {
      // The three hidden control variables and the loop variable are declared before the limits.
      for (let i = 0; i < 4; i++) this.declareLocal();
      this.next();
      const initial = this.expression();
      this.expect(T.Comma);
      const limit = this.expression();
      const step = this.check(T.Comma) ? this.expression() : undefined;
      const body = this.forBody(['(for index)', '(for limit)', '(for step)'], [first], at);
      result = { kind: 'NumericFor', start: forToken.start, end: this.prevEnd, variable: first, initial, limit, body };
      if (step) result.step = step;
    } else if (this.tok.type === T.Comma || this.tok.type === T.In) {
      for (let i = 0; i < 4; i++) this.declareLocal();
      const variables = [first];
      while (this.check(T.Comma)) {
        variables.push(this.name());
        this.declareLocal();
      }
      this.expect(T.In);
      const iterators = this.expressionList();
      const body = this.forBody(['(for generator)', '(for state)', '(for control)'], variables, at);
      result = { kind: 'GenericFor', start: forToken.start, end: this.prevEnd, variables: exact(variables), iterators, body };
    } else {
      this.error(`'=' or 'in' expected`);
      const body = this.tok.type === T.Do ? this.forBody([], [first], at) : { kind: 'Block' as const, ...this.rangeFrom(this.tok.start), body: [] };
      result = { kind: 'GenericFor', start: forToken.start, end: this.prevEnd, variables: [first], iterators: [], body };
    }
    this.leaveBlock();
    return result;
  }

  private forBody(hidden: string[], variables: ast.Name[], at: number): ast.Block {
    this.activateLocals(hidden);
    this.expect(T.Do);
    this.enterBlock(false);
    this.activateLocals(variables.map((v) => v.name));
    const body = this.block(T.End, T.For, at);
    this.leaveBlock();
    this.expectClosing(T.End, T.For, at);
    return body;
  }

  private functionStatement(at: number): ast.FunctionStatement {
    const functionToken = this.tok;
    this.next();
    let target: ast.Name | ast.MemberExpression = this.name();
    let isMethod = false;
    while (this.tok.type === T.Dot || this.tok.type === T.Colon) {
      isMethod = this.tok.type === T.Colon;
      this.next();
      const key = this.name();
      target = { kind: 'Member', start: target.start, end: key.end, object: target, name: key };
      if (isMethod) break;
    }
    const func = this.functionBody(functionToken, isMethod, at);
    return { kind: 'FunctionStatement', start: functionToken.start, end: this.prevEnd, target, isMethod, func };
  }

  private localFunction(localToken: Token, functionToken: Token): ast.LocalFunctionStatement {
    const name = this.name();
    this.declareLocal();
    this.activateLocals([name.name]);
    // Lua dates the function from the token after its name (normally `(`).
    const func = this.functionBody(functionToken, false, this.scanned());
    return { kind: 'LocalFunction', start: localToken.start, end: this.prevEnd, name, func };
  }

  private localStatement(localToken: Token): ast.LocalStatement {
    const names: ast.Name[] = [];
    do {
      names.push(this.name());
      this.declareLocal();
    } while (this.check(T.Comma));
    const values = this.check(T.Assign) ? this.expressionList() : [];
    // The new locals come into scope after the whole statement.
    this.activateLocals(names.map((n) => n.name));
    return { kind: 'Local', start: localToken.start, end: this.prevEnd, names: exact(names), values };
  }

  private returnStatement(): ast.ReturnStatement {
    const start = this.tok.start;
    this.next();
    const values = this.blockFollows(true) || this.tok.type === T.Semicolon ? [] : this.expressionList();
    this.check(T.Semicolon);
    return { kind: 'Return', start, end: this.prevEnd, values };
  }

  private expressionStatement(): ast.Statement {
    const first = this.suffixedExpression();
    const start = first.start;
    if (this.tok.type === T.Assign || this.tok.type === T.Comma) {
      const targets = [first];
      let ok = this.isAssignable(first);
      while (ok && this.check(T.Comma)) {
        const target = this.suffixedExpression();
        targets.push(target);
        // Lua's assignment recurses once per target and counts the targets as nesting levels.
        if (targets.length - 1 + this.level >= MAX_LEVELS) this.tooManyLevels();
        ok = this.isAssignable(target);
      }
      if (!ok) {
        this.error('syntax error');
        return this.skipStatement(start, first);
      }
      this.expect(T.Assign);
      const values = this.expressionList();
      return { kind: 'Assignment', start, end: this.prevEnd, targets: exact(targets), values };
    }
    if (first.kind === 'Call') return { kind: 'CallStatement', start, end: this.prevEnd, call: first };
    if (first.kind === 'ErrorExpression') return { kind: 'ErrorStatement', ...this.rangeFrom(start) };
    this.error('syntax error');
    return this.skipStatement(start, first);
  }

  private isAssignable(e: ast.Expression): boolean {
    return e.kind === 'Name' || e.kind === 'Member' || e.kind === 'Index' || e.kind === 'ErrorExpression';
  }

  // ---- expressions ----------------------------------------------------------------------------

  private expressionList(): ast.Expression[] {
    const list = [this.expression()];
    if (this.tok.type !== T.Comma) return list;
    while (this.check(T.Comma)) list.push(this.expression());
    return exact(list);
  }

  expression(): ast.Expression {
    return this.subexpression(0);
  }

  private subexpression(limit: number): ast.Expression {
    const start = this.tok.start;
    if (!this.enterLevel()) {
      this.skipNested();
      this.level--;
      return { kind: 'ErrorExpression', ...this.rangeFrom(start) };
    }
    let left: ast.Expression;
    const t = this.tok.type;
    if (t === T.Not || t === T.Minus || t === T.Hash || t === T.Tilde) {
      this.next();
      const operand = this.subexpression(UNARY_PRIORITY);
      const operator: ast.UnaryOperator = t === T.Not ? 'not' : t === T.Minus ? '-' : t === T.Hash ? '#' : '~';
      left = { kind: 'Unary', start, end: this.prevEnd, operator, operand };
    } else {
      left = this.simpleExpression();
    }
    // A chain starts where its first operand does (a stand-in for a missing one may lie before `start`).
    const chainStart = left.start;
    for (;;) {
      const type = this.tok.type;
      const operator = BINARY_OPERATOR[type];
      if (operator === undefined || LEFT_PRIORITY[type] <= limit) break;
      const operatorStart = this.tok.start;
      this.next();
      const right = this.subexpression(RIGHT_PRIORITY[type]);
      left = { kind: 'Binary', start: chainStart, end: this.prevEnd, operator, operatorStart, left, right };
    }
    this.level--;
    return left;
  }

  private simpleExpression(): ast.Expression {
    const t = this.tok;
    switch (t.type) {
      case T.Number:
        this.next();
        return t.number!.int64 !== undefined
          ? { kind: 'Number', start: t.start, end: t.end, integer: true, value: t.number!.value, int64: t.number!.int64, raw: t.text }
          : { kind: 'Number', start: t.start, end: t.end, integer: t.number!.integer, value: t.number!.value, raw: t.text };
      case T.String:
        this.next();
        return { kind: 'String', start: t.start, end: t.end, value: t.text, quote: t.quote! };
      case T.Nil: this.next(); return { kind: 'Nil', start: t.start, end: t.end };
      case T.True: this.next(); return { kind: 'True', start: t.start, end: t.end };
      case T.False: this.next(); return { kind: 'False', start: t.start, end: t.end };
      case T.Ellipsis:
        if (!this.fs.isVararg) this.error(`cannot use '...' outside a vararg function`);
        this.next();
        return { kind: 'Vararg', start: t.start, end: t.end };
      case T.LeftBrace: return this.tableConstructor();
      case T.Function:
        this.next();
        // Lua dates an anonymous function from the token after `function`.
        return this.functionBody(t, false, this.scanned());
      default:
        return this.suffixedExpression();
    }
  }

  private primaryExpression(): ast.Expression {
    const t = this.tok;
    if (t.type === T.Name) {
      this.next();
      return { kind: 'Name', start: t.start, end: t.end, name: t.text };
    }
    if (t.type === T.LeftParen) {
      const at = this.scanned();
      this.next();
      const expression = this.expression();
      this.closeBracket(T.RightParen, T.LeftParen, at);
      return { kind: 'Paren', start: t.start, end: this.prevEnd, expression };
    }
    this.error('unexpected symbol');
    // Consume the offending token unless it belongs to the structure around us.
    if (!STATEMENT_START.has(t.type) && !this.blockFollows(true) && t.type !== T.Then && t.type !== T.RightParen
      && t.type !== T.RightBrace && t.type !== T.RightBracket && t.type !== T.Comma && t.type !== T.Assign) {
      this.next();
    }
    return { kind: 'ErrorExpression', ...this.rangeFrom(t.start) };
  }

  private suffixedExpression(): ast.Expression {
    // Lua names the line where the whole expression starts when a call's `)` is missing.
    const at = this.scanned();
    let e = this.primaryExpression();
    const start = e.start;
    for (;;) {
      switch (this.tok.type) {
        case T.Dot: {
          this.next();
          const name = this.name();
          e = { kind: 'Member', start, end: this.prevEnd, object: e, name };
          break;
        }
        case T.LeftBracket: {
          this.next();
          const index = this.expression();
          this.expect(T.RightBracket);
          e = { kind: 'Index', start, end: this.prevEnd, object: e, index };
          break;
        }
        case T.Colon: {
          this.next();
          const method = this.name();
          e = this.callArguments(start, e, method, at);
          break;
        }
        case T.LeftParen: case T.String: case T.LeftBrace:
          e = this.callArguments(start, e, undefined, at);
          break;
        default:
          return e;
      }
    }
  }

  private callArguments(start: number, callee: ast.Expression, method: ast.Name | undefined, at: number): ast.CallExpression {
    const t = this.tok;
    let args: ast.Expression[] = [];
    let argStyle: ast.CallExpression['argStyle'] = 'parens';
    if (t.type === T.String) {
      this.next();
      args = [{ kind: 'String', start: t.start, end: t.end, value: t.text, quote: t.quote! }];
      argStyle = 'string';
    } else if (t.type === T.LeftBrace) {
      args = [this.tableConstructor()];
      argStyle = 'table';
    } else if (t.type === T.LeftParen) {
      this.next();
      if (this.tok.type !== T.RightParen) args = this.expressionList();
      this.closeBracket(T.RightParen, T.LeftParen, at);
    } else {
      this.error('function arguments expected');
    }
    const call: ast.CallExpression = { kind: 'Call', start, end: this.prevEnd, callee, args, argStyle };
    if (method) call.method = method;
    return call;
  }

  private tableConstructor(): ast.TableConstructor {
    const open = this.tok;
    const at = this.scanned();
    this.next();
    const fields: ast.TableField[] = [];
    while (this.tok.type !== T.RightBrace) {
      const fieldStart = this.tok.start;
      if (this.tok.type === T.Name && this.peek().type === T.Assign) {
        const key = this.tok;
        this.next();
        this.next();
        const value = this.expression();
        fields.push({ kind: 'TableField', start: fieldStart, end: this.prevEnd, style: 'named', key: { kind: 'String', start: key.start, end: key.end, value: key.text, quote: '"' }, value });
      } else if (this.tok.type === T.LeftBracket) {
        this.next();
        const key = this.expression();
        this.expect(T.RightBracket);
        this.expect(T.Assign);
        const value = this.expression();
        fields.push({ kind: 'TableField', start: fieldStart, end: this.prevEnd, style: 'keyed', key, value });
      } else {
        // At `<eof>` too Lua reads a field, so its message is `unexpected symbol near <eof>`.
        const value = this.expression();
        // No field where nothing could be read (the error is reported).
        if (value.kind === 'ErrorExpression' && this.tok.start === fieldStart) break;
        fields.push({ kind: 'TableField', start: fieldStart, end: this.prevEnd, style: 'positional', value });
      }
      if (!this.check(T.Comma) && !this.check(T.Semicolon)) break;
    }
    this.closeBracket(T.RightBrace, T.LeftBrace, at);
    return { kind: 'Table', start: open.start, end: this.prevEnd, fields: exact(fields) };
  }

  /**
   * Parameters and body after `function` (and its name); `functionToken` is the keyword, `at` the
   * scanner position Lua dates the function from (its messages say `function at line N`).
   */
  private functionBody(functionToken: Token, isMethod: boolean, at: number): ast.FunctionExpression {
    const outer = this.fs;
    const fs = this.newFunction(at, false);
    this.fs = fs;
    this.enterBlock(false);
    const params: ast.Name[] = [];
    if (this.expect(T.LeftParen)) {
      if (isMethod) {
        this.declareLocal();
        this.activateLocals(['self']);
      }
      if (this.tok.type !== T.RightParen) {
        do {
          if (this.tok.type === T.Ellipsis) {
            this.next();
            fs.isVararg = true;
            break;
          }
          if (this.tok.type !== T.Name) {
            this.error(`${tokenKindText(T.Name)} or ${tokenKindText(T.Ellipsis)} expected`);
            break;
          }
          params.push(this.name());
          this.declareLocal();
        } while (this.check(T.Comma));
      }
      this.activateLocals(params.map((p) => p.name));
      this.expect(T.RightParen);
    }
    const body = this.block(T.End, T.Function, at);
    this.expectClosing(T.End, T.Function, at);
    this.leaveBlock();
    this.fs = outer;
    return { kind: 'Function', start: functionToken.start, end: this.prevEnd, params: exact(params), isVararg: fs.isVararg, body };
  }
}
