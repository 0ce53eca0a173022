// Formats Lua text with StyLua (its WebAssembly build) in a resolved style (style.ts): the whole
// text, or only the statements inside a range. Plain data in and out, no engine. A text StyLua cannot
// parse gives no text but the first problem StyLua names, with its place; StyLua never throws past
// this module.

import type { Style } from './style';

type StyLua = typeof import('@johnnymorganz/stylua', { with: { 'resolution-mode': 'require' } });

let stylua: StyLua | undefined;

/** StyLua, loaded (and its WebAssembly compiled) on first use, not with the command line. */
function load(): StyLua {
  stylua ??= require('@johnnymorganz/stylua') as StyLua;
  return stylua;
}

/** A place in the text: 1-based line and column. */
export interface FormatProblem {
  message: string;
  line: number;
  column: number;
}

export type FormatResult = { text: string } | { problem: FormatProblem };

/**
 * `text` formatted in `style`; with `range` (UTF-16 offsets), only the statements that lie inside it
 * are, the rest of the text is returned as it was.
 */
export function formatLua(text: string, style: Style, range?: { start: number; end: number }): FormatResult {
  const s = load();
  // StyLua takes ownership of the configuration and range objects: new ones for every call.
  const config = s.Config.new();
  config.column_width = style.column_width;
  config.line_endings = s.LineEndings[style.line_endings];
  config.indent_type = s.IndentType[style.indent_type];
  config.indent_width = style.indent_width;
  config.quote_style = s.QuoteStyle[style.quote_style];
  config.call_parentheses = s.CallParenType[style.call_parentheses];
  config.collapse_simple_statement = s.CollapseSimpleStatement[style.collapse_simple_statement];
  config.space_after_function_names = s.SpaceAfterFunctionNames[style.space_after_function_names];
  config.block_newline_gaps = s.BlockNewlineGaps[style.block_newline_gaps];
  config.syntax = s.LuaVersion[style.syntax];
  config.sort_requires = s.SortRequiresConfig.new().set_enabled(style.sort_requires);
  // StyLua's range is in UTF-8 bytes.
  const bytes = range && s.Range.from_values(Buffer.byteLength(text.slice(0, range.start)), Buffer.byteLength(text.slice(0, range.end)));
  try {
    return { text: s.formatCode(text, config, bytes, s.OutputVerification.None) };
  } catch (error) {
    return { problem: problemOf(error instanceof Error ? error.message : String(error)) };
  }
}

/**
 * StyLua's message (`error parsing: unexpected token ... (3:9 to 3:10), expected an expression`,
 * or a list of ` - ` items when there are several) as its first problem and that problem's place.
 */
function problemOf(message: string): FormatProblem {
  const items = message.split('\n').map((l) => l.replace(/^\s*-\s*/, '').trim()).filter((l) => l !== '');
  const head = items[0]?.replace(/^error parsing:\s*/, '') ?? 'StyLua failed';
  const first = head === '' && items.length > 1 ? items[1] : head;
  const place = /\((\d+):(\d+) to \d+:\d+\)/.exec(first);
  const text = first.replace(/\s*\(\d+:\d+ to \d+:\d+\)/, '');
  return { message: text, line: place ? Number(place[1]) : 1, column: place ? Number(place[2]) : 1 };
}
