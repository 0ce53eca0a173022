// Offsets to lines and columns. Line breaks are \n, \r\n and \r, as editors count them; with
// `{ lua: true }` also \n\r counts as one break, as Lua's scanner counts lines for its messages.

export interface Position {
  /** 0-based line. */
  line: number;
  /** 0-based UTF-16 column. */
  character: number;
}

export class LineMap {
  private readonly starts: number[];

  constructor(readonly text: string, options: { lua?: boolean } = {}) {
    const lua = options.lua ?? false;
    const starts = [0];
    const len = text.length;
    let i = text.indexOf('\n');
    if (text.indexOf('\r') < 0) {
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
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** Where a 0-based line starts (past the last line: Infinity). */
  lineStart(line: number): number {
    return line < this.starts.length ? this.starts[line] : Infinity;
  }

  positionAt(offset: number): Position {
    offset = Math.max(0, Math.min(offset, this.text.length));
    const starts = this.starts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: offset - starts[low] };
  }

  offsetAt(position: Position): number {
    if (position.line < 0) return 0;
    if (position.line >= this.starts.length) return this.text.length;
    const start = this.starts[position.line];
    const next = position.line + 1 < this.starts.length ? this.starts[position.line + 1] : this.text.length;
    return Math.min(start + Math.max(0, position.character), next);
  }

  /** 1-based line number of an offset, as Lua messages print it. */
  lineOf(offset: number): number {
    return this.positionAt(offset).line + 1;
  }
}
