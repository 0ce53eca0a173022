// Offsets to lines and columns. Line breaks are \n, \r\n and \r, as editors count them; with
// `{ lua: true }` also \n\r counts as one break, as Lua's scanner counts lines for its messages.

export interface Position {
  /** 0-based line. */
  line: number;
  /** 0-based UTF-16 column. */
  character: number;
}

export class LineMap {
  /**
   * Where the lines start, those from line `from` on moved by `by`: a map made by `edited` for an
   * edit within one line shares its list with the map before it (see `edited`). Never changed.
   */
  private readonly starts: number[];
  private readonly from: number;
  private readonly by: number;
  /** Its breaks are all `\n` (the text has no `\r`). */
  readonly plain: boolean;

  /**
   * `starts`: where the lines start, found already (see `edited`; breaks are `\n` then), those
   * from line `from` on moved by `by`.
   */
  constructor(readonly text: string, options: { lua?: boolean } = {}, starts?: number[], from?: number, by = 0) {
    this.by = by;
    if (starts) {
      this.starts = starts;
      this.from = from ?? starts.length;
      this.plain = true;
      return;
    }
    const lua = options.lua ?? false;
    starts = [0];
    const len = text.length;
    let i = text.indexOf('\n');
    this.plain = text.indexOf('\r') < 0;
    if (this.plain) {
      while (i >= 0) {
        starts.push(i + 1);
        i = text.indexOf('\n', i + 1);
      }
    } else {
      for (let p = 0; p < len; p++) {
        const c = text.charCodeAt(p);
        if (c === 13) {
          if (text.charCodeAt(p + 1) === 10) p++;
          starts.push(p + 1);
        } else if (c === 10) {
          if (lua && text.charCodeAt(p + 1) === 13) p++;
          starts.push(p + 1);
        }
      }
    }
    this.starts = starts;
    this.from = starts.length;
  }

  /**
   * The map of `text`, an edit of `before`'s text that replaced what lay from `changeStart` to
   * `oldEnd` with what lies from `changeStart` to `newEnd` now: the lines before it kept, those
   * after it moved, the edit's own read (a keystroke in a long file does not read it all again).
   * Only for texts of `\n` breaks (a `\r` may pair with a `\n` across the edit's ends).
   */
  static edited(before: LineMap, text: string, changeStart: number, oldEnd: number, newEnd: number, inserted?: string): LineMap {
    // `inserted`, the text from changeStart to newEnd, is read in place of `text` (which then holds
    // a `\r` only if it does: the earlier text had none).
    if (!before.plain || (inserted ?? text).indexOf('\r') >= 0) return new LineMap(text);
    const old = before.starts;
    // The lines that start at or before the edit: their breaks lie before it.
    const lo = before.lineAt(changeStart);
    const inside: number[] = [];
    if (inserted !== undefined) {
      for (let i = inserted.indexOf('\n'); i >= 0; i = inserted.indexOf('\n', i + 1)) inside.push(changeStart + i + 1);
    } else {
      for (let i = text.indexOf('\n', changeStart); i >= 0 && i < newEnd; i = text.indexOf('\n', i + 1)) inside.push(i + 1);
    }
    // Those whose break lies after it (at `oldEnd` or later), moved.
    let k = lo + 1;
    while (k < old.length && before.start(k) <= oldEnd) k++;
    const delta = newEnd - oldEnd;
    // An edit within one line (no break added or removed) moves the lines after it: the list is
    // shared and the move noted, added to the one noted already when that starts at the same line
    // (typing in one place). A keystroke in a long file then copies no list of its lines.
    if (inside.length === 0 && k === lo + 1 && (before.by === 0 || before.from === k)) {
      return new LineMap(text, {}, old, k, before.by + delta);
    }
    // Made at its length: a list grown line by line is copied at every growth, and past 128 KB
    // each copy is fresh memory of V8's large objects.
    const starts = new Array<number>(lo + 1 + inside.length + old.length - k);
    let n = 0;
    for (let j = 0; j <= lo; j++) starts[n++] = before.start(j);
    for (const start of inside) starts[n++] = start;
    for (; k < old.length; k++) starts[n++] = before.start(k) + delta;
    return new LineMap(text, {}, starts);
  }

  /** Where the 0-based line `line` (< lineCount) starts. */
  private start(line: number): number {
    return line < this.from ? this.starts[line] : this.starts[line] + this.by;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** Where a 0-based line starts (past the last line: Infinity). */
  lineStart(line: number): number {
    return line < this.starts.length ? this.start(line) : Infinity;
  }

  positionAt(offset: number): Position {
    offset = Math.max(0, Math.min(offset, this.text.length));
    const line = this.lineAt(offset);
    return { line, character: offset - this.start(line) };
  }

  /** The last line starting at or before `offset` (0-based). */
  private lineAt(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.start(mid) <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  offsetAt(position: Position): number {
    if (position.line < 0) return 0;
    if (position.line >= this.starts.length) return this.text.length;
    const start = this.start(position.line);
    const next = position.line + 1 < this.starts.length ? this.start(position.line + 1) : this.text.length;
    return Math.min(start + Math.max(0, position.character), next);
  }

  /** 1-based line number of an offset, as Lua messages print it. */
  lineOf(offset: number): number {
    return this.positionAt(offset).line + 1;
  }
}
