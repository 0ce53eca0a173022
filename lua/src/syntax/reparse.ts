// Incremental reparsing: what of an earlier parse of the same document an edit leaves valid.
//
// The unit of reuse is the top-level statement. While it parses the main block, the parser records
// its boundaries: each time it is about to read a statement there, where the statement's first
// token starts and ends, where the token before it ended, how many locals are active and how many
// statements are in the block so far. To parse an edited text it starts again at the last boundary
// whose token ends before the edit (the scanner looks at one character past a token, so that one
// must be unchanged too), with the statements before it as they are. At each later boundary it asks
// `tailAt` whether the old statements from there on can be taken over: the token starts past the
// edit, the old parse had a boundary at the same token with the same token before it, and what
// decides diagnostics there is the same.
//
// The tree depends on the tokens only (the parser's other state, locals, labels, gotos and the
// errors so far, decides diagnostics, never nodes), so the question is the diagnostics. Three kinds
// of earlier parse are reused:
// - one without diagnostics and without top-level labels: no state crosses top-level statements
//   but the count of active locals (the 200-locals error), no pending goto, no label to match, no
//   error count or suppressed error. The old statements taken over add no diagnostic again when
//   that count agrees;
// - one whose diagnostics (fewer than the limit) all lie between two boundaries, without top-level
//   labels: code being typed is invalid at most keystrokes. The statements before the first
//   diagnostic and after the last one read without any, so the parse starts again at a boundary
//   before both the edit and the first diagnostic, and takes the old statements over only from a
//   boundary after the last one (and the edit), as for a parse without diagnostics;
// - one whose diagnostics reached their limit (100) before the edit: the new parse has the same
//   ones from the same unchanged text, and can add none after.
// Inside the top-level statements it reads again, the parser takes over the old statements of
// nested blocks too (a function's body, a `describe(function() ... end)`): one that
// lies outside the edit (at the same place before it, moved by the edit after it), and that its
// parse recorded as having added no diagnostic, read with the same state as now (its function's
// active locals, the nesting level, whether `...` is allowed), with no goto or label and no
// `break` out of it; before the edit, the token after it (which decided where it ends) must be
// outside the edit too. Its nodes
// are the same objects, so the analyses after the parse take over what they kept of them (the
// type analysis: the functions in them).
//
// When the caller says what the edit was (one replacement), the texts are not compared, and the
// scanner reads only a window of the new text around the edit (see SourceWindow), made from the old
// text and the edit's own: the new text, whose pieces V8 keeps apart until something reads it, is
// not made whole at every keystroke.
//
// The result is exactly what a full parse gives, which the tests check on random edits.

import * as ast from './ast';
import type { SourceWindow } from './lexer';
import type { SyntaxDiagnostic } from './parser';
import { replaceRange } from './lists';
import { forEachChild } from './visit';

/** An edit of a text: what lay from `start` to `end` replaced by `text`. */
export interface SourceEdit {
  start: number;
  end: number;
  text: string;
}

/** The smallest replacement that makes `after` from `before` (what a ranged change of an editor says). */
export function editBetween(before: string, after: string): SourceEdit {
  const limit = Math.min(before.length, after.length);
  // Equal blocks first (slices compare natively), then characters.
  const BLOCK = 1024;
  let start = 0;
  while (start + BLOCK <= limit && before.slice(start, start + BLOCK) === after.slice(start, start + BLOCK)) start += BLOCK;
  while (start < limit && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let suffix = 0;
  while (suffix + BLOCK <= limit - start && before.slice(before.length - suffix - BLOCK, before.length - suffix) === after.slice(after.length - suffix - BLOCK, after.length - suffix)) suffix += BLOCK;
  while (suffix < limit - start && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return { start, end: before.length - suffix, text: after.slice(start, after.length - suffix) };
}

/** Characters of a window past the statement where the rest is taken over: its first token, and the one the scanner looks at after it. */
const WINDOW_MARGIN = 256;

/**
 * Boundaries of the main block, five numbers each: statements before it in the block, its first
 * token's start and end, the end of the token before it, active locals of the main function.
 *
 * A parse that takes an earlier one over takes its numbers over in place: 10,000 top-level
 * statements are 50,000 numbers, and copies of them (the prefix, the tail, both joined) are large
 * objects that V8 places in fresh memory at every keystroke (~4 ms an edit on the project's
 * machines, where a page fault costs ~10 us). `adopt` keeps the earlier
 * parse's prefix in its own array (the earlier parse is used up), the boundaries added after it are
 * held apart (the earlier parse's tail is still in the array, behind them), and `takeTail` or
 * `settle` puts them in place.
 */
export class Boundaries {
  static readonly STRIDE = 5;
  private data: number[] = [];
  /** After `adopt`, until `takeTail` or `settle`: how many numbers of `data` are this parse's. */
  private kept = -1;
  /** The boundaries added meanwhile. */
  private added: number[] = [];

  add(statements: number, tokenStart: number, tokenEnd: number, previousEnd: number, actives: number): void {
    (this.kept >= 0 ? this.added : this.data).push(statements, tokenStart, tokenEnd, previousEnd, actives);
  }

  /** Takes over the first `count` boundaries of `old`, an earlier parse's that this one replaces. */
  adopt(old: Boundaries, count: number): void {
    this.data = old.data;
    this.kept = count * S;
  }

  /**
   * Takes over the boundaries of `old` (the one adopted, if any) from `i` on, after those of this
   * parse, moved by `moved` statements and `delta` characters.
   */
  takeTail(old: Boundaries, i: number, moved: number, delta: number): void {
    const data = old.data;
    const head = this.kept >= 0 ? this.kept : 0;
    const mine = this.kept >= 0 ? this.added : this.data;
    replaceRange(data, head, i * S - head, mine);
    for (let k = head + mine.length; k < data.length; k += S) {
      data[k] += moved;
      data[k + 1] += delta;
      data[k + 2] += delta;
      data[k + 3] += delta;
    }
    this.data = data;
    this.kept = -1;
    this.added = [];
  }

  /** Ends a parse that took no tail over: the adopted prefix, then the boundaries added. */
  settle(): void {
    if (this.kept < 0) return;
    this.data.length = this.kept;
    for (const n of this.added) this.data.push(n);
    this.kept = -1;
    this.added = [];
  }

  get length(): number {
    return this.data.length / S;
  }

  statements(i: number): number { return this.data[i * S]; }
  tokenStart(i: number): number { return this.data[i * S + 1]; }
  tokenEnd(i: number): number { return this.data[i * S + 2]; }
  previousEnd(i: number): number { return this.data[i * S + 3]; }
  actives(i: number): number { return this.data[i * S + 4]; }

  /** The first boundary whose field `field` (1: token start, 2: token end) is at least `offset`. */
  search(field: 1 | 2, offset: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.data[mid * S + field] < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

const S = Boundaries.STRIDE;

/** What the parser keeps of a parse for the next one. */
export interface ReuseInfo {
  source: string;
  chunk: ast.Chunk;
  boundaries: Boundaries;
  diagnostics: SyntaxDiagnostic[];
  firstError: SyntaxDiagnostic | undefined;
  /** Where the scanner stood when the diagnostics reached their limit (-1: they did not). */
  cappedAt: number;
}

/** The statements kept before the restart, and what the parser needs to go on after them. */
export interface Prefix {
  statements: ast.Statement[];
  /** Names of the main function's locals they declare (for messages). */
  locals: string[];
  comments: ast.Comment[];
  blockStart: number;
  tokenStart: number;
  previousEnd: number;
  /** The old boundaries, of which it keeps the first `count` (see Boundaries.adopt). */
  boundaries: { old: Boundaries; count: number };
}

export interface Tail {
  statements: ast.Statement[];
  comments: ast.Comment[];
  /** The main block's end. */
  end: number;
  /** The old boundaries from the tail on, to be moved by the edit (see Boundaries.takeTail). */
  boundaries: { old: Boundaries; from: number; moved: number; delta: number };
}

export class ReusePlan {
  /** The boundary where parsing starts again; -1 to start at the beginning. */
  private readonly restart: number;
  /** Where the edit starts (the same in both texts), where it ends in the new text, and its change of length. */
  readonly changeStart: number;
  readonly newChangeEnd: number;
  readonly delta: number;
  /** The statements nested in each old top-level statement by start (old offsets), made on first use. */
  private readonly nested = new Map<ast.Statement, Map<number, ast.Statement>>();

  private constructor(
    private readonly old: ReuseInfo,
    changeStart: number,
    oldChangeEnd: number,
    newChangeEnd: number,
    /** Set when the earlier parse is reused for having reached its diagnostics limit before the edit. */
    readonly capped: boolean,
    /** Where the earlier parse's diagnostics lie (old offsets), when it has some below the limit. */
    errors: { from: number; to: number } | undefined,
    /** The new text from changeStart to newChangeEnd, when the caller said what the edit was. */
    readonly inserted: string | undefined,
  ) {
    this.changeStart = changeStart;
    this.newChangeEnd = newChangeEnd;
    this.delta = newChangeEnd - oldChangeEnd;
    this.errorsEnd = errors ? errors.to : -1;
    // The last boundary whose token (and the character after it) the edit leaves alone, and that
    // comes before every diagnostic; the first boundary is the start of the text, which needs no restart.
    this.restart = old.boundaries.search(2, Math.min(changeStart, errors ? errors.from : Infinity)) - 1;
  }

  /** The end of the earlier parse's last diagnostic (old offsets; -1: none, or it is capped). */
  private readonly errorsEnd: number;

  /**
   * A plan for parsing `text` with the help of an earlier parse, or undefined when none helps.
   * `edit`: what made `text` from the earlier one, when one replacement did (see ParseOptions.edit);
   * otherwise the two texts are compared.
   */
  static for(previous: ReuseInfo | undefined, text: string, edit?: SourceEdit): ReusePlan | undefined {
    if (!previous || previous.boundaries.length === 0) return undefined;
    const old = previous.source;
    const clean = previous.diagnostics.length === 0;
    const capped = previous.cappedAt >= 0;
    // Where the earlier parse's diagnostics lie, when it has some but fewer than the limit.
    let errors: { from: number; to: number } | undefined;
    if (!capped) {
      for (const s of previous.chunk.body.body) if (s.kind === 'Label') return undefined;
      if (!clean) {
        errors = { from: Infinity, to: -Infinity };
        for (const d of previous.diagnostics) {
          errors.from = Math.min(errors.from, d.start);
          errors.to = Math.max(errors.to, d.end);
        }
      }
    }
    let start: number;
    let oldEnd: number;
    let inserted: string | undefined;
    if (edit && edit.start >= 0 && edit.start <= edit.end && edit.end <= old.length && text.length === old.length - (edit.end - edit.start) + edit.text.length) {
      start = edit.start;
      oldEnd = edit.end;
      inserted = edit.text;
    } else {
      ({ start, end: oldEnd } = editBetween(old, text));
    }
    // The scanner looks at one character past the token it reads: that one must be unchanged too.
    if (capped && previous.cappedAt >= start) return undefined;
    return new ReusePlan(previous, start, oldEnd, text.length - (old.length - oldEnd), capped, errors, inserted);
  }

  /**
   * The part of the new text the parse reads, when the edit was given (see ParseOptions.edit): from
   * the restart boundary to the statements after the edit where the rest can be taken over (and a
   * margin for the first token), made from the earlier text and what the edit inserted.
   * Undefined when there is no statement before the edit.
   */
  window(): SourceWindow | undefined {
    if (this.inserted === undefined || this.restart <= 0) return undefined;
    const b = this.old.boundaries;
    const old = this.old.source;
    const base = b.tokenStart(this.restart);
    const oldChangeEnd = this.newChangeEnd - this.delta;
    // The first statement after the edit, or the one after it when the edit touched the end of the
    // token before that first one (which must be as it was for the rest to be taken over there).
    const next = b.search(1, Math.max(oldChangeEnd, this.errorsEnd)) + 1;
    const end = next < b.length ? Math.min(old.length, b.tokenStart(next) + WINDOW_MARGIN) : old.length;
    const text = old.slice(base, this.changeStart) + this.inserted + old.slice(oldChangeEnd, end);
    return { text, base, complete: end === old.length, head: old.slice(0, base) };
  }

  /** The diagnostics the new parse starts with (all it will have, when capped). */
  get diagnostics(): { diagnostics: SyntaxDiagnostic[]; firstError: SyntaxDiagnostic | undefined; cappedAt: number } | undefined {
    return this.capped ? { diagnostics: this.old.diagnostics, firstError: this.old.firstError, cappedAt: this.old.cappedAt } : undefined;
  }

  /** What is kept before the restart boundary, or undefined to parse from the beginning. */
  prefix(): Prefix | undefined {
    const b = this.old.boundaries;
    if (this.restart <= 0) return undefined;
    const count = b.statements(this.restart);
    const statements = this.old.chunk.body.body.slice(0, count);
    const locals: string[] = [];
    for (const s of statements) {
      if (s.kind === 'Local') for (const n of s.names) locals.push(n.name);
      else if (s.kind === 'LocalFunction') locals.push(s.name.name);
    }
    const tokenStart = b.tokenStart(this.restart);
    const comments = this.old.chunk.comments;
    let n = 0;
    while (n < comments.length && comments[n].start < tokenStart) n++;
    return {
      statements, locals, comments: comments.slice(0, n), blockStart: this.old.chunk.body.start,
      tokenStart, previousEnd: b.previousEnd(this.restart), boundaries: { old: b, count: this.restart },
    };
  }

  /**
   * At a new boundary (its token starting at `offset`, the token before ending at `previousEnd`,
   * `actives` locals active; undefined when the new parse can add no diagnostic any more): the old
   * boundary from which the rest can be taken over, or -1.
   */
  tailAt(offset: number, previousEnd: number, actives: number | undefined): number {
    if (offset < this.newChangeEnd) return -1;
    const b = this.old.boundaries;
    const target = offset - this.delta;
    const i = b.search(1, target);
    if (i >= b.length || b.tokenStart(i) !== target || i <= this.restart || target < this.errorsEnd) return -1;
    // A statement that read nothing stands in empty right after the token before: that must agree.
    if (b.previousEnd(i) + this.delta !== previousEnd) return -1;
    if (actives === undefined) return i;
    return !this.capped && b.actives(i) === actives ? i : -1;
  }

  /**
   * The old statement nested in a block (not a top-level one) that started where the new text's
   * `offset` is, outside the edit: at the same offset before it, moved by the edit after it.
   */
  nestedAt(offset: number): ast.Statement | undefined {
    let old: number;
    if (offset < this.changeStart) old = offset;
    else if (offset >= this.newChangeEnd) old = offset - this.delta;
    else return undefined;
    const body = this.old.chunk.body.body;
    let lo = 0;
    let hi = body.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const top = body[mid];
      if (top.end <= old) lo = mid + 1;
      else if (top.start >= old) hi = mid - 1;
      else {
        let index = this.nested.get(top);
        if (index === undefined) this.nested.set(top, (index = nestedStatements(top)));
        return index.get(old);
      }
    }
    return undefined;
  }

  /** The old comments inside [start, end) (old offsets), moved by `delta`, appended to `out`. */
  commentsIn(start: number, end: number, delta: number, out: { start: number; end: number; text: string; long: boolean }[]): void {
    const comments = this.old.chunk.comments;
    let lo = 0;
    let hi = comments.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (comments[mid].start < start) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < comments.length && comments[i].start < end; i++) {
      const c = comments[i];
      out.push({ start: c.start + delta, end: c.end + delta, text: c.text, long: c.long });
    }
  }

  /** Takes over the old statements from boundary `i` on, and the comments after them, moved by the edit. */
  takeTail(i: number, statementsSoFar: number): Tail {
    const b = this.old.boundaries;
    const first = b.statements(i);
    const statements = this.old.chunk.body.body.slice(first);
    const from = b.tokenStart(i);
    const comments = this.old.chunk.comments.filter((c) => c.start >= from);
    const delta = this.delta;
    const moved = statementsSoFar - first;
    if (delta !== 0) {
      shift(statements, delta);
      for (const c of comments) {
        c.start += delta;
        c.end += delta;
      }
    }
    return { statements, comments, end: this.old.chunk.body.end + delta, boundaries: { old: b, from: i, moved, delta } };
  }
}

/**
 * The nodes of a top-level statement's subtree by kind, made the first time the statement moves
 * and kept while it lives: the statements an edit leaves are taken over as they are, so the same
 * ones move at every keystroke. One array per statement, each kind's nodes after its name and
 * count (`kind, n, node1 ... noden, kind, n, ...`): a file of many short statements keeps one
 * per statement (a map of lists grown by `push` held ~1.1 KB a statement: 11.1 MB for the 10,000
 * valid top-level statements of bench:lsp, against 2.9 MB so).
 */
type ByKind = (string | number | ast.Node)[];

const flattened = new WeakMap<ast.Node, ByKind>();

function flatten(root: ast.Node): ByKind {
  const kinds = new Map<string, ast.Node[]>();
  let count = 0;
  const stack: ast.Node[] = [root];
  const push = (child: ast.Node): void => { stack.push(child); };
  while (stack.length > 0) {
    const node = stack.pop()!;
    const list = kinds.get(node.kind);
    if (list === undefined) kinds.set(node.kind, [node]);
    else list.push(node);
    count++;
    forEachChild(node, push);
  }
  const out: ByKind = new Array(count + 2 * kinds.size);
  let at = 0;
  for (const [kind, list] of kinds) {
    out[at++] = kind;
    out[at++] = list.length;
    for (const node of list) out[at++] = node;
  }
  return out;
}

/** The nodes of one kind in a statement's `flatten`ed array (none when it has none). */
function nodesOf(byKind: ByKind, kind: string): ast.Node[] {
  for (let at = 0; at < byKind.length; at += 2 + (byKind[at + 1] as number)) {
    if (byKind[at] === kind) return byKind.slice(at + 2, at + 2 + (byKind[at + 1] as number)) as ast.Node[];
  }
  return [];
}

type Mover = (byKind: ByKind, from: number, to: number, delta: number) => void;

/**
 * A function per node kind that moves that kind's nodes: its property stores see the few shapes
 * of one kind, where one shared loop sees them all and V8 falls back to its slowest lookups (141,000
 * nodes of the real-world shape: ~1 ms against ~8 ms, and ~10 ms for a walk of the trees). The
 * text is fixed (the kind's name is a comment), so each is a function of its own to V8.
 */
const movers = new Map<string, Mover>();

function mover(kind: string): Mover {
  let move = movers.get(kind);
  if (move === undefined) {
    const third = kind === 'Binary' ? 'n.operatorStart += delta;' : '';
    move = new Function('nodes', 'from', 'to', 'delta', `// ${kind}\nfor (let i = from; i < to; i++) { const n = nodes[i]; n.start += delta; n.end += delta; ${third} }`) as Mover;
    movers.set(kind, move);
  }
  return move;
}

/**
 * The statements in the blocks nested in a top-level statement, by start: from its blocks when its
 * nodes are listed by kind already (`flattened`: the statement an edit read again is, in the idle
 * time after the edit's diagnostics, see prepareMoves), else by a walk of its tree.
 */
function nestedStatements(top: ast.Statement): Map<number, ast.Statement> {
  const index = new Map<number, ast.Statement>();
  const byKind = flattened.get(top);
  if (byKind !== undefined) {
    for (const block of nodesOf(byKind, 'Block') as ast.Block[]) for (const s of block.body) index.set(s.start, s);
    return index;
  }
  const stack: ast.Node[] = [top];
  const push = (child: ast.Node): void => { stack.push(child); };
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.kind === 'Block') for (const s of node.body) index.set(s.start, s);
    forEachChild(node, push);
  }
  return index;
}

/**
 * Makes the top-level statements ready to be moved by the edits to come (their nodes by kind, see
 * `flattened`), while `keepGoing()` says there is time: what the first edit of a long file would
 * otherwise do (~25 ms on 13,000 lines), done while the editor waits for the user. Returns how many
 * it made ready; those made ready before are passed over.
 */
export function prepareMoves(statements: readonly ast.Statement[], keepGoing: () => boolean): number {
  let made = 0;
  for (const statement of statements) {
    if (flattened.has(statement)) continue;
    if (!keepGoing()) break;
    flattened.set(statement, flatten(statement));
    made++;
  }
  return made;
}

/** Moves every offset in these subtrees by `delta` (in place: the old tree becomes the new one's). */
export function shift(roots: ast.Node[], delta: number): void {
  for (const root of roots) {
    let byKind = flattened.get(root);
    if (byKind === undefined) {
      byKind = flatten(root);
      flattened.set(root, byKind);
    }
    for (let at = 0; at < byKind.length; ) {
      const from = at + 2;
      const to = from + (byKind[at + 1] as number);
      mover(byKind[at] as string)(byKind, from, to, delta);
      at = to;
    }
  }
}
