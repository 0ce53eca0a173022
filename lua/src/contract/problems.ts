// Problems in a contract file, each at the exact JSON node it is about: offsets into the text and
// the 1-based lines and columns that `sandlua check --format json` prints (columns count UTF-16
// units, end exclusive, as the Lua diagnostics do).

import { LineMap } from '../syntax/linemap';
import { keyOf, nodeAtPath, propertyNode, type JsonNode } from './json';
import { labelOf, type LocatedMessage } from './messages';

export type ProblemSeverity = 'error' | 'warning';

/** A range of the contract file: offsets (end exclusive) and 1-based line/column of both ends. */
export interface Span {
  start: number;
  end: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface ManifestProblem extends Span {
  message: string;
  severity: ProblemSeverity;
  /** A JSON syntax error: an editor with its own JSON support (VS Code) reports it already. */
  syntax?: true;
}

/** Collects problems for one contract text. */
export class ProblemSink {
  readonly problems: ManifestProblem[] = [];
  private lineMap: LineMap | undefined;

  constructor(
    readonly text: string,
    readonly root: JsonNode | undefined,
    readonly value: unknown,
  ) {}

  span(start: number, end: number): Span {
    this.lineMap ??= new LineMap(this.text);
    const from = this.lineMap.positionAt(start);
    const to = this.lineMap.positionAt(end);
    return { start, end, line: from.line + 1, column: from.character + 1, endLine: to.line + 1, endColumn: to.character + 1 };
  }

  nodeSpan(node: JsonNode): Span {
    return this.span(node.offset, node.offset + node.length);
  }

  add(start: number, end: number, message: string, severity: ProblemSeverity = 'error'): void {
    this.problems.push({ message, severity, ...this.span(start, end) });
  }

  /** A JSON syntax error (always an error; nothing else is checked then). */
  addSyntax(start: number, end: number, message: string): void {
    this.problems.push({ message, severity: 'error', syntax: true, ...this.span(start, end) });
  }

  addAt(node: JsonNode, message: string, severity: ProblemSeverity = 'error'): void {
    this.add(node.offset, node.offset + node.length, message, severity);
  }

  /** A message from validation; `base` is the path of the validated value inside the contract. */
  addLocated(located: LocatedMessage, severity: ProblemSeverity = 'error', base: readonly (string | number)[] = []): void {
    const path = [...base, ...located.path];
    const target = this.targetNode(path, located.target);
    if (target) this.addAt(target, located.message, severity);
    else this.add(0, 0, located.message, severity);
  }

  /** Whether an error was already reported inside the value at `path` (or on its key). */
  hasErrorWithin(path: readonly (string | number)[]): boolean {
    const node = nodeAtPath(this.root, path);
    if (!node) return false;
    const from = node.parent?.type === 'property' ? node.parent.offset : node.offset;
    const to = node.offset + node.length;
    return this.problems.some((p) => p.severity === 'error' && p.start >= from && p.end <= to);
  }

  /** How a path in the contract reads in a message (`host['kb.search'].params[0]`). */
  label(path: readonly (string | number)[]): string {
    return labelOf(path.map(String), { data: this.value });
  }

  /**
   * The node a message underlines. A key for unknown properties. For an object that misses a
   * property: the whole object when it fits on one line, else the key it is the value of (or its
   * opening brace), so that a multi-line object is not underlined from end to end.
   */
  private targetNode(path: readonly (string | number)[], target: LocatedMessage['target']): JsonNode | undefined {
    if (target === 'key' && path.length > 0) {
      const parent = nodeAtPath(this.root, path.slice(0, -1));
      const property = parent && parent.type === 'object' ? propertyNode(parent, String(path[path.length - 1])) : undefined;
      if (property?.children?.[0]) return property.children[0];
    }
    const node = this.nearest(path);
    if (!node || target !== 'object') return node;
    if (!this.text.slice(node.offset, node.offset + node.length).includes('\n')) return node;
    return keyOf(node) ?? { type: 'null', offset: node.offset, length: 1 };
  }

  /** The node at `path`, or its nearest ancestor that exists. */
  private nearest(path: readonly (string | number)[]): JsonNode | undefined {
    for (let n = path.length; n >= 0; n--) {
      const node = nodeAtPath(this.root, path.slice(0, n));
      if (node) return node;
    }
    return undefined;
  }

  /** Problems in file order, errors before warnings at the same place, without repeats. */
  sorted(): ManifestProblem[] {
    const seen = new Set<string>();
    return this.problems
      .filter((p) => {
        const key = `${p.start}:${p.end}:${p.severity}:${p.message}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .sort((a, b) => a.start - b.start || a.end - b.end || (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  }
}
