// The style a Lua file is formatted with, resolved for that file: the nearest `stylua.toml` or
// `.stylua.toml` walking up from its folder; else what `.editorconfig` says about it; else the
// editor's options (tab size, spaces) when an editor asks; else StyLua's defaults. Plain data, no
// engine: the formatter (format.ts) turns it into StyLua's configuration.

import { existsSync, readFileSync } from 'fs';
import { dirname, join } from 'path';

export type IndentType = 'Tabs' | 'Spaces';
export type LineEndings = 'Unix' | 'Windows';
export type QuoteStyle = 'AutoPreferDouble' | 'AutoPreferSingle' | 'ForceDouble' | 'ForceSingle';
export type CallParentheses = 'Always' | 'NoSingleString' | 'NoSingleTable' | 'None' | 'Input';
export type CollapseSimpleStatement = 'Never' | 'FunctionOnly' | 'ConditionalOnly' | 'Always';
export type SpaceAfterFunctionNames = 'Never' | 'Definitions' | 'Calls' | 'Always';
export type BlockNewlineGaps = 'Never' | 'Preserve';
export type Syntax = 'All' | 'Lua51' | 'Lua52' | 'Lua53' | 'Lua54' | 'Luau' | 'LuaJIT' | 'CfxLua';

/** StyLua's options, by their `stylua.toml` names. */
export interface Style {
  column_width: number;
  line_endings: LineEndings;
  indent_type: IndentType;
  indent_width: number;
  quote_style: QuoteStyle;
  call_parentheses: CallParentheses;
  collapse_simple_statement: CollapseSimpleStatement;
  space_after_function_names: SpaceAfterFunctionNames;
  block_newline_gaps: BlockNewlineGaps;
  /** The grammar StyLua parses: Lua 5.3 (Sandlua's language) unless a stylua.toml says otherwise. */
  syntax: Syntax;
  sort_requires: boolean;
}

/** StyLua's defaults, in Lua 5.3. */
export const DEFAULT_STYLE: Readonly<Style> = {
  column_width: 120,
  line_endings: 'Unix',
  indent_type: 'Tabs',
  indent_width: 4,
  quote_style: 'AutoPreferDouble',
  call_parentheses: 'Always',
  collapse_simple_statement: 'Never',
  space_after_function_names: 'Never',
  block_newline_gaps: 'Never',
  syntax: 'Lua53',
  sort_requires: false,
};

/** An editor's formatting options (LSP FormattingOptions). */
export interface EditorOptions {
  tabSize: number;
  insertSpaces: boolean;
}

export interface ResolvedStyle {
  style: Style;
  /** Where it came from: the config file's path, or `editor` / `default`. */
  from: string;
}

/** A style file that cannot be used, with the place of the problem (1-based line and column). */
export class StyleError extends Error {
  constructor(readonly file: string, readonly line: number, readonly column: number, message: string) {
    super(`${file}:${line}:${column}: ${message}`);
  }
}

const CHOICES: { [K in keyof Style]?: readonly string[] } = {
  line_endings: ['Unix', 'Windows'],
  indent_type: ['Tabs', 'Spaces'],
  quote_style: ['AutoPreferDouble', 'AutoPreferSingle', 'ForceDouble', 'ForceSingle'],
  call_parentheses: ['Always', 'NoSingleString', 'NoSingleTable', 'None', 'Input'],
  collapse_simple_statement: ['Never', 'FunctionOnly', 'ConditionalOnly', 'Always'],
  space_after_function_names: ['Never', 'Definitions', 'Calls', 'Always'],
  block_newline_gaps: ['Never', 'Preserve'],
  syntax: ['All', 'Lua51', 'Lua52', 'Lua53', 'Lua54', 'Luau', 'LuaJIT', 'CfxLua'],
};

/** The style for the Lua file at `file` (an absolute path; the file itself need not exist). */
export function resolveStyle(file: string, editor?: EditorOptions): ResolvedStyle {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    for (const name of ['stylua.toml', '.stylua.toml']) {
      const path = join(dir, name);
      if (existsSync(path)) return { style: readStyluaToml(path), from: path };
    }
    if (dirname(dir) === dir) break;
  }
  const fromEditorconfig = editorconfigStyle(file);
  if (fromEditorconfig) return fromEditorconfig;
  if (editor) {
    return { style: { ...DEFAULT_STYLE, indent_type: editor.insertSpaces ? 'Spaces' : 'Tabs', indent_width: positive(editor.tabSize) ?? DEFAULT_STYLE.indent_width }, from: 'editor' };
  }
  return { style: { ...DEFAULT_STYLE }, from: 'default' };
}

/** A `stylua.toml`: StyLua's own keys, each checked (an unknown key or value is an error at its line). */
export function readStyluaToml(path: string): Style {
  const text = readFileSync(path, 'utf8');
  // Loaded when a config is read, not with the command line.
  const toml = require('smol-toml') as typeof import('smol-toml', { with: { 'resolution-mode': 'require' } });
  let table: Record<string, unknown>;
  try {
    table = toml.parse(text) as Record<string, unknown>;
  } catch (error) {
    const e = error as { line?: number; column?: number; message: string };
    throw new StyleError(path, e.line ?? 1, e.column ?? 1, `invalid TOML: ${e.message.split('\n')[0]}`);
  }
  const style: Style = { ...DEFAULT_STYLE };
  const fail = (key: string, message: string): never => {
    const { line, column } = keyPlace(text, key);
    throw new StyleError(path, line, column, message);
  };
  for (const [key, value] of Object.entries(table)) {
    if (key === 'column_width' || key === 'indent_width') {
      if (typeof value !== 'number' && typeof value !== 'bigint') fail(key, `${key} must be a positive integer`);
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) fail(key, `${key} must be a positive integer, not ${n}`);
      style[key] = n;
    } else if (key === 'no_call_parentheses') {
      if (typeof value !== 'boolean') fail(key, `${key} must be true or false`);
      if (value === true) style.call_parentheses = 'None';
    } else if (key === 'sort_requires') {
      const enabled = typeof value === 'object' && value !== null ? (value as Record<string, unknown>).enabled : undefined;
      const others = typeof value === 'object' && value !== null ? Object.keys(value).filter((k) => k !== 'enabled') : [];
      if (typeof enabled !== 'boolean' || others.length > 0) fail(key, 'sort_requires must be a table with only enabled = true or false');
      style.sort_requires = enabled as boolean;
    } else if (key in CHOICES) {
      const choices = CHOICES[key as keyof Style]!;
      if (typeof value !== 'string' || !choices.includes(value)) fail(key, `${key} must be one of ${choices.join(', ')}, not ${JSON.stringify(value)}`);
      (style as unknown as Record<string, unknown>)[key] = value;
    } else {
      fail(key, `unknown option '${key}' (StyLua's options: ${[...Object.keys(DEFAULT_STYLE), 'no_call_parentheses'].sort().join(', ')})`);
    }
  }
  return style;
}

/** Where `key` is assigned or opened as a table in a TOML text (its first occurrence). */
function keyPlace(text: string, key: string): { line: number; column: number } {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = new RegExp(`^(\\s*)(\\[\\s*)?["']?${key}["']?\\s*[=\\]]`).exec(lines[i]);
    if (m) return { line: i + 1, column: m[1].length + (m[2]?.length ?? 0) + 1 };
  }
  return { line: 1, column: 1 };
}

/** The properties `.editorconfig` files give `file`, as a style, when they say anything StyLua uses. */
function editorconfigStyle(file: string): ResolvedStyle | undefined {
  const editorconfig = require('editorconfig') as typeof import('editorconfig');
  let props: import('editorconfig').Props;
  try {
    props = editorconfig.parseSync(file);
  } catch (error) {
    throw new StyleError(file, 1, 1, `cannot read .editorconfig: ${(error as Error).message}`);
  }
  const style: Style = { ...DEFAULT_STYLE };
  let used = false;
  if (props.indent_style === 'tab' || props.indent_style === 'space') {
    style.indent_type = props.indent_style === 'tab' ? 'Tabs' : 'Spaces';
    used = true;
  }
  const width = positive(props.indent_size) ?? positive(props.tab_width);
  if (width !== undefined) {
    style.indent_width = width;
    used = true;
  }
  const column = positive(props.max_line_length);
  if (column !== undefined || props.max_line_length === 'off') {
    style.column_width = column ?? 0x7fffffff;
    used = true;
  }
  if (props.end_of_line === 'lf' || props.end_of_line === 'crlf') {
    style.line_endings = props.end_of_line === 'lf' ? 'Unix' : 'Windows';
    used = true;
  }
  if (props.quote_type === 'single' || props.quote_type === 'double' || props.quote_type === 'auto') {
    style.quote_style = props.quote_type === 'single' ? 'AutoPreferSingle' : 'AutoPreferDouble';
    used = true;
  }
  return used ? { style, from: '.editorconfig' } : undefined;
}

function positive(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}
