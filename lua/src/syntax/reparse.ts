// Incremental reparsing: what of an earlier parse of the same document an edit leaves valid.
//
// The unit of reuse is the top-level statement. The parser starts again one statement before the
// first one the edit touches (an edit just after a statement can extend it: `x = a` + `.b`), and
// before each later top-level statement it asks `tailAt` whether the old statements from there on
// can be taken over: the next token lies past the edit, an old statement started at the same place
// in the old text, and the parser's state there is the same as it was (the main function's count of
// active locals, which decides the 200-locals error). Everything after that point has the same
// tokens in the same state, so it parses to the same statements, shifted by the edit's length.
//
// Only an earlier parse without diagnostics and without top-level labels is reused: then no state
// crosses statements but the locals count (no pending goto, no label to match, no error count or
// suppressed error), and the result is exactly what a full parse gives — which the tests check on
// random edits by comparing both.

import * as ast from './ast';
import { forEachChild } from './visit';

/** What the parser keeps of a parse for the next one (not enumerable on the result). */
export interface ReuseInfo {
  source: string;
  chunk: ast.Chunk;
  /** The parse had diagnostics, or was not of a text string: nothing of it is reused. */
  reusable: boolean;
}

export class ReusePlan {
  /** Index of the first old statement parsed again; the ones before are kept as they are. */
  readonly restart: number;
  /** Where parsing starts again (0 when `restart` is 0). */
  readonly restartOffset: number;
  /** End of the last token before `restartOffset` (the end of the statement before it). */
  readonly prefixEnd: number;
  /** The edit: it replaced old [changeStart, oldChangeEnd) by new [changeStart, newChangeEnd). */
  readonly changeStart: number;
  readonly oldChangeEnd: number;
  readonly newChangeEnd: number;
  readonly delta: number;
  private activesBefore: number[] | undefined;

  private constructor(private readonly old: ast.Chunk, changeStart: number, oldChangeEnd: number, newChangeEnd: number) {
    this.changeStart = changeStart;
    this.oldChangeEnd = oldChangeEnd;
    this.newChangeEnd = newChangeEnd;
    this.delta = newChangeEnd - oldChangeEnd;
    const body = old.body.body;
    // The first statement that ends at or after the edit's start, and one more before it.
    let lo = 0;
    let hi = body.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (body[mid].end < changeStart) lo = mid + 1;
      else hi = mid;
    }
    this.restart = Math.max(0, lo - 1);
    this.restartOffset = this.restart > 0 ? body[this.restart].start : 0;
    this.prefixEnd = this.restart > 0 ? body[this.restart - 1].end : 0;
  }

  /** A plan for parsing `text` with the help of an earlier parse, or undefined when none helps. */
  static for(previous: ReuseInfo | undefined, text: string): ReusePlan | undefined {
    if (!previous || !previous.reusable) return undefined;
    const old = previous.source;
    const body = previous.chunk.body.body;
    if (body.length === 0) return undefined;
    for (const s of body) if (s.kind === 'Label') return undefined;
    const limit = Math.min(old.length, text.length);
    // Equal blocks first (slices compare natively), then characters.
    const BLOCK = 1024;
    let start = 0;
    while (start + BLOCK <= limit && old.slice(start, start + BLOCK) === text.slice(start, start + BLOCK)) start += BLOCK;
    while (start < limit && old.charCodeAt(start) === text.charCodeAt(start)) start++;
    let suffix = 0;
    while (suffix + BLOCK <= limit - start && old.slice(old.length - suffix - BLOCK, old.length - suffix) === text.slice(text.length - suffix - BLOCK, text.length - suffix)) suffix += BLOCK;
    while (suffix < limit - start && old.charCodeAt(old.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)) suffix++;
    // The first line (byte order mark, `#` line) is read before the scanner: edits there start over.
    const shebang = previous.chunk.shebang;
    if (shebang && start <= shebang.end) return undefined;
    return new ReusePlan(previous.chunk, start, old.length - suffix, text.length - suffix);
  }

  /** The statements kept before the restart point, and the names of the locals they declare. */
  prefix(): { statements: ast.Statement[]; locals: string[]; comments: ast.Comment[]; blockStart: number } {
    const statements = this.old.body.body.slice(0, this.restart);
    const locals: string[] = [];
    for (const s of statements) {
      if (s.kind === 'Local') for (const n of s.names) locals.push(n.name);
      else if (s.kind === 'LocalFunction') locals.push(s.name.name);
    }
    const comments = this.old.comments;
    let n = 0;
    while (n < comments.length && comments[n].start < this.restartOffset) n++;
    return { statements, locals, comments: comments.slice(0, n), blockStart: this.old.body.start };
  }

  /**
   * Before a new top-level statement at `offset` with `actives` locals in scope: the index of the
   * old statement from which the rest can be taken over, or -1.
   */
  tailAt(offset: number, actives: number): number {
    if (offset < this.newChangeEnd) return -1;
    const body = this.old.body.body;
    const target = offset - this.delta;
    let lo = this.restart;
    let hi = body.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const start = body[mid].start;
      if (start < target) lo = mid + 1;
      else if (start > target) hi = mid - 1;
      else return this.localsBefore(mid) === actives ? mid : -1;
    }
    return -1;
  }

  /** Takes over the old statements from `index` on, and the comments after them, moved by the edit. */
  takeTail(index: number): { statements: ast.Statement[]; comments: ast.Comment[]; end: number } {
    const statements = this.old.body.body.slice(index);
    const from = statements[0].start;
    const comments = this.old.comments.filter((c) => c.start >= from);
    if (this.delta !== 0) {
      shift(statements, this.delta);
      for (const c of comments) {
        c.start += this.delta;
        c.end += this.delta;
      }
    }
    return { statements, comments, end: this.old.body.end + this.delta };
  }

  /** Active locals of the main function before old statement `index` (top-level `local`s so far). */
  private localsBefore(index: number): number {
    if (!this.activesBefore) {
      const body = this.old.body.body;
      const counts = new Array<number>(body.length + 1);
      let n = 0;
      for (let i = 0; i < body.length; i++) {
        counts[i] = n;
        const s = body[i];
        if (s.kind === 'Local') n += s.names.length;
        else if (s.kind === 'LocalFunction') n++;
      }
      counts[body.length] = n;
      this.activesBefore = counts;
    }
    return this.activesBefore[index];
  }
}

/** Moves every offset in these subtrees by `delta` (in place: the old tree becomes the new one's). */
function shift(roots: ast.Node[], delta: number): void {
  const stack: ast.Node[] = roots.slice();
  const push = (child: ast.Node): void => { stack.push(child); };
  while (stack.length > 0) {
    const node = stack.pop()!;
    node.start += delta;
    node.end += delta;
    if (node.kind === 'Binary') node.operatorStart += delta;
    forEachChild(node, push);
  }
}
