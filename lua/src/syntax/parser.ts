// The Lua 5.3 parser: recursive descent over the lexer's tokens, shaped like PUC Lua's lparser.c so
// that it accepts and rejects exactly what `luac5.3 -p` does and reports the same first message.
// Unlike luac it never stops: after an error it inserts a stand-in node or skips to a point where a
// statement can start, and goes on, so the editor gets every error and a tree for the whole file.

import * as ast from './ast';
import { Lexer, T, Token, tokenKindText } from './lexer';
import { LineMap } from './linemap';

export interface SyntaxDiagnostic {
  message: string;
  start: number;
  end: number;
  severity: 'error';
  code: 'syntax';
}

export interface ParseOptions {
  /** Chunk name for messages (`name:line: message`). Default `?`. */
  name?: string;
  /** Keep the token list in the result (comments are always kept on the chunk). */
  tokens?: boolean;
}

export interface ParseResult {
  chunk: ast.Chunk;
  diagnostics: SyntaxDiagnostic[];
  lineMap: LineMap;
  /** The source text the offsets refer to (bytes decoded as Latin-1 when a Uint8Array was given). */
  source: string;
  tokens?: Token[];
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
  node: ast.Name;
  /** Active locals at the label (or at block entry when the label ends the block). */
  active: number;
}

interface GotoEntry {
  name: string;
  /** Where to point the diagnostic: the goto statement or the break keyword. */
  start: number;
  end: number;
  active: number;
}

interface FunctionState {
  parent: FunctionState | undefined;
  isVararg: boolean;
  /** Offset of the `function` keyword; -1 for the main chunk. */
  start: number;
  /** Names of active locals, innermost last (for the jumps-into-scope message). */
  actives: string[];
  blocks: BlockState[];
  labels: LabelEntry[];
  gotos: GotoEntry[];
}

/** What closes the block being parsed, for `'end' expected (to close 'while' at line 3)`. */
interface Closer {
  token: T;
  opener: Token | undefined;
}

const STATEMENT_START = new Set<T>([
  T.Local, T.Function, T.If, T.While, T.For, T.Repeat, T.Do, T.Return, T.Break, T.Goto,
  T.DoubleColon, T.Semicolon,
]);

export function parse(source: string | Uint8Array, options: ParseOptions = {}): ParseResult {
  const bytes = typeof source !== 'string';
  const text = typeof source === 'string' ? source : Buffer.from(source.buffer, source.byteOffset, source.byteLength).toString('latin1');
  return new Parser(text, options, bytes).parseChunk();
}

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
  /** The label the last statement defined, for statementList to settle. */
  private newLabel: LabelEntry | undefined;
  private lines: LineMap | undefined;

  constructor(private readonly source: string, private readonly options: ParseOptions, bytes: boolean) {
    this.lexer = new Lexer(source, (e) => this.addDiagnostic(e.message, e.start, e.end), { bytes });
    this.tokens = options.tokens ? [] : undefined;
    this.tok = { type: T.EOF, start: 0, end: 0, text: '', number: undefined, quote: undefined, near: undefined };
  }

  private get lineMap(): LineMap {
    return (this.lines ??= new LineMap(this.source));
  }

  parseChunk(): ParseResult {
    const shebangEnd = this.lexer.skipShebang();
    this.next();
    this.fs = this.newFunction(-1, true);
    const start = this.tok.start;
    this.closers.push({ token: T.EOF, opener: undefined });
    const body: ast.Statement[] = [];
    this.enterBlock(false);
    for (;;) {
      this.statementList(body);
      if (this.tok.type === T.EOF) break;
      // A stray `end`, `until`, `else` or `elseif`.
      this.error(`${tokenKindText(T.EOF)} expected`);
      const stray = this.tok.start;
      this.next();
      body.push({ kind: 'ErrorStatement', start: stray, end: this.prevEnd });
    }
    this.leaveBlock();
    this.closers.pop();
    const block: ast.Block = { kind: 'Block', start, end: this.prevEnd > start ? this.prevEnd : start, body };
    const chunk: ast.Chunk = {
      kind: 'Chunk',
      name: this.options.name ?? '?',
      start: 0,
      end: this.source.length,
      body: block,
      comments: this.lexer.comments.map((c) => ({ kind: 'Comment', start: c.start, end: c.end, text: c.text, long: c.long })),
    };
    if (shebangEnd !== undefined) chunk.shebang = { start: 0, end: shebangEnd };
    this.diagnostics.sort((a, b) => a.start - b.start);
    const result: ParseResult = { chunk, diagnostics: this.diagnostics, source: this.source, tokens: this.tokens, lineMap: undefined! };
    // Most callers never need lines; build the map on first use.
    const parser = this;
    Object.defineProperty(result, 'lineMap', { get: () => parser.lineMap, enumerable: true });
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

  private addDiagnostic(message: string, start: number, end: number): void {
    if (this.diagnostics.length >= MAX_DIAGNOSTICS) return;
    this.diagnostics.push({ message, start, end, severity: 'error', code: 'syntax' });
  }

  /** Reports `message near <token>` at the current token, once per token. */
  private error(message: string, token: Token = this.tok): void {
    if (token.start === this.lastErrorAt) return;
    this.lastErrorAt = token.start;
    this.addDiagnostic(`${message} near ${this.lexer.nearText(token)}`, token.start, token.end);
  }

  /** Reports a semantic error (Lua prints no `near` for these) over a range. */
  private semanticError(message: string, start: number, end: number): void {
    this.addDiagnostic(message, start, end);
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

  /** Like `expect`, naming the opener when it is on another line (Lua's check_match). */
  private expectClosing(type: T, opener: Token): boolean {
    if (this.check(type)) return true;
    if (this.lineMap.lineOf(opener.start) === this.lineMap.lineOf(this.tok.start)) {
      this.error(`${tokenKindText(type)} expected`);
    } else {
      this.error(`${tokenKindText(type)} expected (to close ${tokenKindText(opener.type)} at line ${this.lineMap.lineOf(opener.start)})`);
    }
    return false;
  }

  private name(): ast.Name {
    const t = this.tok;
    if (t.type === T.Name) {
      this.next();
      return { kind: 'Name', start: t.start, end: t.end, name: t.text };
    }
    this.error(`${tokenKindText(T.Name)} expected`);
    // A missing name: an empty stand-in at the current token.
    return { kind: 'Name', start: t.start, end: t.start, name: '' };
  }

  private functionDescription(): string {
    return this.fs.start < 0 ? 'main function' : `function at line ${this.lineMap.lineOf(this.fs.start)}`;
  }

  private enterLevel(): boolean {
    if (++this.level >= MAX_LEVELS) {
      if (!this.tooDeep) this.error(`too many C levels (limit is ${MAX_LEVELS}) in ${this.functionDescription()}`);
      this.tooDeep = true;
      return false;
    }
    return true;
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
    const node: ast.ErrorStatement = { kind: 'ErrorStatement', start, end: Math.max(start, this.prevEnd) };
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

  private newFunction(start: number, isVararg: boolean): FunctionState {
    return { parent: this.fs, isVararg, start, actives: [], blocks: [], labels: [], gotos: [] };
  }

  private enterBlock(isLoop: boolean): void {
    const fs = this.fs;
    fs.blocks.push({ isLoop, activeAtEntry: fs.actives.length, firstLabel: fs.labels.length, firstGoto: fs.gotos.length });
  }

  private leaveBlock(): void {
    const fs = this.fs;
    const block = fs.blocks.pop()!;
    if (block.isLoop) this.resolveGotos(block, { name: 'break', node: undefined!, active: fs.actives.length });
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
          ? `<break> at line ${this.lineMap.lineOf(g.start)} not inside a loop`
          : `no visible label '${g.name}' for <goto> at line ${this.lineMap.lineOf(g.start)}`, g.start, g.end);
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
      this.semanticError(`<goto ${g.name}> at line ${this.lineMap.lineOf(g.start)} jumps into the scope of local '${local}'`, g.start, g.end);
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

  private declareLocal(name: ast.Name): void {
    const fs = this.fs;
    if (fs.actives.length + 1 > MAX_LOCALS) {
      this.error(`too many local variables (limit is ${MAX_LOCALS}) in ${this.functionDescription()}`);
    }
    fs.actives.push(name.name);
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
    if (closer.opener) this.expectClosing(closer.token, closer.opener);
    else this.error(`${tokenKindText(closer.token)} expected`);
  }

  private statementList(body: ast.Statement[]): void {
    // Labels followed only by no-op statements up to the block's end are treated as if the
    // block's locals were already out of scope (a goto may jump to the end of a block past them).
    const pending: LabelEntry[] = [];
    const settle = (atEnd: boolean) => {
      const block = this.fs.blocks[this.fs.blocks.length - 1];
      for (const label of pending) {
        if (atEnd) label.active = block.activeAtEntry;
        this.resolveGotos(block, label);
      }
      pending.length = 0;
    };
    while (!this.blockFollows(true)) {
      const before = this.tok.start;
      if (this.tok.type === T.Return) {
        settle(false);
        body.push(this.returnStatement());
        if (this.blockFollows(true)) return;
        this.reportMisplaced();
        continue;
      }
      this.newLabel = undefined;
      const statement = this.statement();
      if (this.newLabel) pending.push(this.newLabel);
      else if (statement) settle(false);
      if (statement) body.push(statement);
      if (this.tok.start === before && !this.blockFollows(true)) {
        // No progress: skip what cannot start a statement.
        this.error('unexpected symbol');
        body.push(this.skipStatement(before));
      }
    }
    settle(this.tok.type !== T.Until);
  }

  private block(closer: T, opener: Token): ast.Block {
    this.enterBlock(false);
    const start = this.tok.start;
    const body: ast.Statement[] = [];
    this.closers.push({ token: closer, opener });
    this.statementList(body);
    this.closers.pop();
    this.leaveBlock();
    return { kind: 'Block', start, end: Math.max(start, this.prevEnd), body };
  }

  // ---- statements -----------------------------------------------------------------------------

  private statement(): ast.Statement | undefined {
    const t = this.tok;
    if (!this.enterLevel()) {
      this.skipNested();
      this.level--;
      return { kind: 'ErrorStatement', start: t.start, end: Math.max(t.start, this.prevEnd) };
    }
    let result: ast.Statement | undefined;
    switch (t.type) {
      case T.Semicolon: this.next(); break;
      case T.If: result = this.ifStatement(); break;
      case T.While: result = this.whileStatement(); break;
      case T.Do: {
        this.next();
        const body = this.block(T.End, t);
        this.expectClosing(T.End, t);
        result = { kind: 'Do', start: t.start, end: this.prevEnd, body };
        break;
      }
      case T.For: result = this.forStatement(); break;
      case T.Repeat: result = this.repeatStatement(); break;
      case T.Function: result = this.functionStatement(); break;
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
      case T.DoubleColon: result = this.labelStatement(); break;
      case T.Return: result = this.returnStatement(); break;
      case T.Break: {
        this.next();
        this.addGoto('break', t.start, t.end);
        result = { kind: 'Break', start: t.start, end: t.end };
        break;
      }
      case T.Goto: {
        this.next();
        const label = this.name();
        if (label.name) this.addGoto(label.name, t.start, label.end);
        result = { kind: 'Goto', start: t.start, end: this.prevEnd, label };
        break;
      }
      default: result = this.expressionStatement(); break;
    }
    this.level--;
    return result;
  }

  private addGoto(name: string, start: number, end: number): void {
    const fs = this.fs;
    fs.gotos.push({ name, start, end, active: fs.actives.length });
    this.closeGotoWithLabels(fs.gotos.length - 1, fs.blocks[fs.blocks.length - 1]);
  }

  private labelStatement(): ast.LabelStatement {
    const start = this.tok.start;
    this.next();
    const name = this.name();
    const fs = this.fs;
    const block = fs.blocks[fs.blocks.length - 1];
    if (name.name) {
      for (let i = block.firstLabel; i < fs.labels.length; i++) {
        if (fs.labels[i].name === name.name) {
          this.semanticError(`label '${name.name}' already defined on line ${this.lineMap.lineOf(fs.labels[i].node.start)}`, name.start, name.end);
          break;
        }
      }
    }
    this.expect(T.DoubleColon);
    const node: ast.LabelStatement = { kind: 'Label', start, end: this.prevEnd, name };
    if (!name.name) return node;
    const label: LabelEntry = { name: name.name, node: name, active: fs.actives.length };
    fs.labels.push(label);
    this.newLabel = label;
    return node;
  }

  private ifStatement(): ast.IfStatement {
    const ifToken = this.tok;
    const clauses: ast.IfClause[] = [];
    // `if` and each `elseif`
    do {
      const clauseStart = this.tok.start;
      this.next();
      const condition = this.expression();
      this.expect(T.Then);
      const body = this.block(T.End, ifToken);
      clauses.push({ kind: 'IfClause', start: clauseStart, end: this.prevEnd, condition, body });
    } while (this.tok.type === T.Elseif);
    if (this.tok.type === T.Else) {
      const clauseStart = this.tok.start;
      this.next();
      const body = this.block(T.End, ifToken);
      clauses.push({ kind: 'IfClause', start: clauseStart, end: this.prevEnd, body });
    }
    this.expectClosing(T.End, ifToken);
    return { kind: 'If', start: ifToken.start, end: this.prevEnd, clauses };
  }

  private whileStatement(): ast.WhileStatement {
    const whileToken = this.tok;
    this.next();
    const condition = this.expression();
    this.enterBlock(true);
    this.expect(T.Do);
    const body = this.block(T.End, whileToken);
    this.expectClosing(T.End, whileToken);
    this.leaveBlock();
    return { kind: 'While', start: whileToken.start, end: this.prevEnd, condition, body };
  }

  private repeatStatement(): ast.RepeatStatement {
    const repeatToken = this.tok;
    this.next();
    this.enterBlock(true);
    // The body's locals stay visible in the condition, so the scope block closes after it.
    this.enterBlock(false);
    const start = this.tok.start;
    const statements: ast.Statement[] = [];
    this.closers.push({ token: T.Until, opener: repeatToken });
    this.statementList(statements);
    this.closers.pop();
    const body: ast.Block = { kind: 'Block', start, end: Math.max(start, this.prevEnd), body: statements };
    this.expectClosing(T.Until, repeatToken);
    const condition = this.expression();
    this.leaveBlock();
    this.leaveBlock();
    return { kind: 'Repeat', start: repeatToken.start, end: this.prevEnd, body, condition };
  }

  private forStatement(): ast.Statement {
    const forToken = this.tok;
    this.next();
    this.enterBlock(true);
    const first = this.name();
    let result: ast.Statement;
    if (this.tok.type === T.Assign) {
      this.next();
      const initial = this.expression();
      this.expect(T.Comma);
      const limit = this.expression();
      const step = this.check(T.Comma) ? this.expression() : undefined;
      for (const hidden of ['(for index)', '(for limit)', '(for step)']) this.declareLocal({ kind: 'Name', start: first.start, end: first.end, name: hidden });
      const body = this.forBody([first], forToken);
      result = { kind: 'NumericFor', start: forToken.start, end: this.prevEnd, variable: first, initial, limit, body };
      if (step) result.step = step;
    } else if (this.tok.type === T.Comma || this.tok.type === T.In) {
      const variables = [first];
      while (this.check(T.Comma)) variables.push(this.name());
      this.expect(T.In);
      const iterators = this.expressionList();
      for (const hidden of ['(for generator)', '(for state)', '(for control)']) this.declareLocal({ kind: 'Name', start: first.start, end: first.end, name: hidden });
      const body = this.forBody(variables, forToken);
      result = { kind: 'GenericFor', start: forToken.start, end: this.prevEnd, variables, iterators, body };
    } else {
      this.error(`'=' or 'in' expected`);
      const body = this.tok.type === T.Do ? this.forBody([first], forToken) : { kind: 'Block' as const, start: this.tok.start, end: this.tok.start, body: [] };
      result = { kind: 'GenericFor', start: forToken.start, end: this.prevEnd, variables: [first], iterators: [], body };
    }
    this.leaveBlock();
    return result;
  }

  private forBody(variables: ast.Name[], forToken: Token): ast.Block {
    this.expect(T.Do);
    this.enterBlock(false);
    for (const v of variables) this.declareLocal(v);
    const body = this.block(T.End, forToken);
    this.leaveBlock();
    this.expectClosing(T.End, forToken);
    return body;
  }

  private functionStatement(): ast.FunctionStatement {
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
    const func = this.functionBody(functionToken, isMethod);
    return { kind: 'FunctionStatement', start: functionToken.start, end: this.prevEnd, target, isMethod, func };
  }

  private localFunction(localToken: Token, functionToken: Token): ast.LocalFunctionStatement {
    const name = this.name();
    if (name.name) this.declareLocal(name);
    const func = this.functionBody(functionToken, false);
    return { kind: 'LocalFunction', start: localToken.start, end: this.prevEnd, name, func };
  }

  private localStatement(localToken: Token): ast.LocalStatement {
    const names: ast.Name[] = [];
    do {
      names.push(this.name());
    } while (this.check(T.Comma));
    const values = this.check(T.Assign) ? this.expressionList() : [];
    // The new locals come into scope after the whole statement.
    for (const n of names) this.declareLocal(n);
    return { kind: 'Local', start: localToken.start, end: this.prevEnd, names, values };
  }

  private returnStatement(): ast.ReturnStatement {
    const start = this.tok.start;
    this.next();
    const values = this.blockFollows(true) || this.tok.type === T.Semicolon ? [] : this.expressionList();
    this.check(T.Semicolon);
    return { kind: 'Return', start, end: this.prevEnd, values };
  }

  private expressionStatement(): ast.Statement {
    const start = this.tok.start;
    const first = this.suffixedExpression();
    if (this.tok.type === T.Assign || this.tok.type === T.Comma) {
      const targets = [first];
      let ok = this.isAssignable(first);
      while (ok && this.check(T.Comma)) {
        const target = this.suffixedExpression();
        targets.push(target);
        ok = this.isAssignable(target);
      }
      if (!ok) {
        this.error('syntax error');
        return this.skipStatement(start, first);
      }
      this.expect(T.Assign);
      const values = this.expressionList();
      return { kind: 'Assignment', start, end: this.prevEnd, targets, values };
    }
    if (first.kind === 'Call') return { kind: 'CallStatement', start, end: this.prevEnd, call: first };
    if (first.kind === 'ErrorExpression') return { kind: 'ErrorStatement', start, end: Math.max(start, this.prevEnd) };
    this.error('syntax error');
    return this.skipStatement(start, first);
  }

  private isAssignable(e: ast.Expression): boolean {
    return e.kind === 'Name' || e.kind === 'Member' || e.kind === 'Index' || e.kind === 'ErrorExpression';
  }

  // ---- expressions ----------------------------------------------------------------------------

  private expressionList(): ast.Expression[] {
    const list = [this.expression()];
    while (this.check(T.Comma)) list.push(this.expression());
    return list;
  }

  expression(): ast.Expression {
    return this.subexpression(0);
  }

  private subexpression(limit: number): ast.Expression {
    const start = this.tok.start;
    if (!this.enterLevel()) {
      this.skipNested();
      this.level--;
      return { kind: 'ErrorExpression', start, end: Math.max(start, this.prevEnd) };
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
    for (;;) {
      const type = this.tok.type;
      const operator = BINARY_OPERATOR[type];
      if (operator === undefined || LEFT_PRIORITY[type] <= limit) break;
      const operatorStart = this.tok.start;
      this.next();
      const right = this.subexpression(RIGHT_PRIORITY[type]);
      left = { kind: 'Binary', start, end: this.prevEnd, operator, operatorStart, left, right };
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
        return this.functionBody(t, false);
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
      this.next();
      const expression = this.expression();
      this.expectClosing(T.RightParen, t);
      return { kind: 'Paren', start: t.start, end: this.prevEnd, expression };
    }
    this.error('unexpected symbol');
    // Consume the offending token unless it belongs to the structure around us.
    if (!STATEMENT_START.has(t.type) && !this.blockFollows(true) && t.type !== T.Then && t.type !== T.RightParen
      && t.type !== T.RightBrace && t.type !== T.RightBracket && t.type !== T.Comma && t.type !== T.Assign) {
      this.next();
    }
    return { kind: 'ErrorExpression', start: t.start, end: Math.max(t.start, this.prevEnd) };
  }

  private suffixedExpression(): ast.Expression {
    const start = this.tok.start;
    let e = this.primaryExpression();
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
          e = this.callArguments(start, e, method);
          break;
        }
        case T.LeftParen: case T.String: case T.LeftBrace:
          e = this.callArguments(start, e, undefined);
          break;
        default:
          return e;
      }
    }
  }

  private callArguments(start: number, callee: ast.Expression, method: ast.Name | undefined): ast.CallExpression {
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
      this.expectClosing(T.RightParen, t);
    } else {
      this.error('function arguments expected');
    }
    const call: ast.CallExpression = { kind: 'Call', start, end: this.prevEnd, callee, args, argStyle };
    if (method) call.method = method;
    return call;
  }

  private tableConstructor(): ast.TableConstructor {
    const open = this.tok;
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
        if (this.tok.type === T.EOF) break;
        const value = this.expression();
        fields.push({ kind: 'TableField', start: fieldStart, end: this.prevEnd, style: 'positional', value });
        if (value.kind === 'ErrorExpression' && this.tok.start === fieldStart) break;
      }
      if (!this.check(T.Comma) && !this.check(T.Semicolon)) break;
    }
    this.expectClosing(T.RightBrace, open);
    return { kind: 'Table', start: open.start, end: this.prevEnd, fields };
  }

  /** Parameters and body after `function` (and its name); `functionToken` is the keyword. */
  private functionBody(functionToken: Token, isMethod: boolean): ast.FunctionExpression {
    const outer = this.fs;
    const fs = this.newFunction(functionToken.start, false);
    this.fs = fs;
    this.enterBlock(false);
    const params: ast.Name[] = [];
    if (isMethod) this.declareLocal({ kind: 'Name', start: functionToken.start, end: functionToken.start, name: 'self' });
    if (this.expect(T.LeftParen)) {
      if (this.tok.type !== T.RightParen) {
        do {
          if (this.tok.type === T.Ellipsis) {
            this.next();
            fs.isVararg = true;
            break;
          }
          if (this.tok.type !== T.Name) {
            this.error(`${tokenKindText(T.Name)} expected`);
            break;
          }
          const param = this.name();
          params.push(param);
          this.declareLocal(param);
        } while (this.check(T.Comma));
      }
      this.expect(T.RightParen);
    }
    const body = this.block(T.End, functionToken);
    this.expectClosing(T.End, functionToken);
    this.leaveBlock();
    this.fs = outer;
    return { kind: 'Function', start: functionToken.start, end: this.prevEnd, params, isVararg: fs.isVararg, body };
  }
}
