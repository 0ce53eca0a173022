// Formatting a script: the style resolved for its file (../format/style.ts), StyLua through
// ../format/format.ts, and one guarantee on top: a format never changes what the script compiles to.
// The compiled code of the text before and after is compared with line numbers left out; a format
// that would change it is refused, with the reason. The language service, the CLI (`sandlua fmt`)
// and the tests all format through here.

import { compile, disassemble, forEachChild, normaliseAddresses, parse, LineMap, type ast } from '@sandlua/lua';
import { formatLua } from '../format/format';
import { resolveStyle, StyleError, type EditorOptions } from '../format/style';

/** Why a text was left as it was: the file and 1-based place the problem is at. */
export interface FormatFailure {
  file: string;
  line: number;
  column: number;
  message: string;
}

export type FormatOutcome = { text: string } | { failure: FormatFailure };

export interface FormatRequest {
  /** The editor's options (used when neither a stylua.toml nor an .editorconfig applies). */
  editor?: EditorOptions;
  /** Only the statements inside this range (UTF-16 offsets). */
  range?: { start: number; end: number };
}

/** `text`, the content of the script at `path`, formatted in the style resolved for that path. */
export function formatScript(path: string, text: string, request: FormatRequest = {}): FormatOutcome {
  let style;
  try {
    style = resolveStyle(path, request.editor).style;
  } catch (error) {
    if (error instanceof StyleError) return { failure: { file: error.file, line: error.line, column: error.column, message: error.message.slice(error.message.indexOf(': ') + 2) } };
    throw error;
  }
  // A syntax error as Lua 5.3 reports it (StyLua's grammar may be more or less permissive).
  const parsed = parse(text);
  if (parsed.firstError) {
    const at = parsed.lineMap.positionAt(parsed.firstError.start);
    return { failure: { file: path, line: parsed.firstError.line ?? at.line + 1, column: at.character + 1, message: parsed.firstError.message } };
  }
  const result = formatLua(text, style, request.range);
  if ('problem' in result) return { failure: { file: path, ...result.problem, message: `StyLua cannot format this: ${result.problem.message}` } };
  if (result.text !== text && codeListing(result.text) !== codeListing(text)) {
    // Refused, not trusted: StyLua's rewrites (redundant parentheses, sort_requires reordering
    // statements) must leave the instructions as they were.
    const line = firstChangedLine(text, result.text);
    return { failure: { file: path, line, column: 1, message: `formatting would change the compiled code (the first change is on line ${line}); the text is left as it is` } };
  }
  return result;
}

/**
 * The compiled code of a text as our compiler lists it (`luac -l -l`), without line numbers, so two
 * texts list the same exactly when they compile to the same instructions, constants, locals and
 * upvalues. Undefined when the text does not compile.
 */
export function codeListing(text: string): string | undefined {
  const proto = compile(Buffer.from(text, 'utf8').toString('latin1'), '=script');
  if (typeof proto === 'string') return undefined;
  return normaliseAddresses(disassemble(proto))
    .replace(/^(main|function) <([^>:]*):\d+,\d+>/gm, '$1 <$2>')
    .replace(/^(\t\d+\t)\[\d+\]\t/gm, '$1[]\t');
}

/**
 * The range of the statement a newline just finished: the outermost statement that ends where the
 * line before `offset` ends (comments and blanks after it left out). Undefined when there is none or
 * the text does not parse.
 */
export function finishedStatement(text: string, offset: number): { start: number; end: number } | undefined {
  const parsed = parse(text);
  if (parsed.diagnostics.length > 0) return undefined;
  const lines = new LineMap(text);
  const line = lines.positionAt(offset).line - 1;
  if (line < 0) return undefined;
  const lineStart = lines.offsetAt({ line, character: 0 });
  let end = lines.offsetAt({ line: line + 1, character: 0 });
  const trim = (): void => {
    while (end > lineStart && /\s/.test(text[end - 1])) end--;
  };
  trim();
  const comment = parsed.chunk.comments.find((c) => c.end === end && c.start >= lineStart);
  if (comment) {
    end = comment.start;
    trim();
  }
  if (end === lineStart) return undefined;
  const stack: ast.Node[] = [parsed.chunk];
  while (stack.length > 0) {
    const node = stack.shift()!;
    if (node.start > end || node.end < end) continue;
    if (node.kind === 'Block') {
      const statement = node.body.find((s) => s.end === end);
      if (statement) return { start: statement.start, end: statement.end };
    }
    forEachChild(node, (child) => stack.push(child));
  }
  return undefined;
}

function firstChangedLine(a: string, b: string): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return new LineMap(a).positionAt(i).line + 1;
}
