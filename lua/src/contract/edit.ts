// Changes to a contract as JSON (a path and a value), and their text edits on the contract file as
// it is written: the quick fixes that grant a standard name, declare a host function or add an
// output field describe what they change in these terms (plain data, no editor types); the
// language service and the SARIF writer turn them into edits of the file's current text.
//
// The edits are minimal and keep the file as its owner wrote it: a new member or item goes after
// the last one, on its own line with the neighbours' indentation where the container spans lines,
// on the same line where it is written on one (`"allow": ["os.time"]`); nothing else is touched.
// (jsonc-parser's `modify` re-formats the whole line of the neighbouring member, which would rewrite
// hand-written one-line entries; its parse tree is used here, see jsonc.ts.) A new value is
// written on one line when short, else one member per line.

import type * as jsonc from 'jsonc-parser';
import { findNodeAtLocation, parseTree } from './jsonc';

/** One change to the contract's JSON. */
export interface ContractEdit {
  /** Keys (and array indexes) from the contract's root to the value changed: `['stdlib', 'allow']`. */
  path: (string | number)[];
  /**
   * The value set at `path` (members missing on the way are made); with `append`, the item added
   * at the end of the array at `path` (made when missing).
   */
  value: unknown;
  append?: true;
}

/** A replacement in a text (offsets, end exclusive). */
export interface TextChange {
  start: number;
  end: number;
  newText: string;
}

/**
 * The contract text after `edits`, as one minimal replacement of the original text (undefined when
 * the text is not a JSON object without syntax errors, so there is nothing sound to edit, or when
 * nothing changes).
 */
export function contractTextChange(text: string, edits: readonly ContractEdit[]): TextChange | undefined {
  let current = text;
  for (const edit of edits) {
    const errors: jsonc.ParseError[] = [];
    // A byte-order mark is read as a space, as the loader reads it: offsets stay in place.
    const root = parseTree(current.replace(/^\uFEFF/, ' '), errors, { disallowComments: true, allowTrailingComma: false });
    if (!root || root.type !== 'object' || errors.length > 0) return undefined;
    current = applyEdits(current, editsFor(current, root, edit));
  }
  if (current === text) return undefined;
  let start = 0;
  while (start < text.length && start < current.length && text[start] === current[start]) start++;
  let end = 0;
  while (end < text.length - start && end < current.length - start && text[text.length - 1 - end] === current[current.length - 1 - end]) end++;
  return { start, end: text.length - end, newText: current.slice(start, current.length - end) };
}

/** The contract text with `edits` applied (the text itself when nothing applies). */
export function applyContractEdits(text: string, edits: readonly ContractEdit[]): string {
  const change = contractTextChange(text, edits);
  return change ? text.slice(0, change.start) + change.newText + text.slice(change.end) : text;
}

/** Text layout of the file: the indentation unit (its first indented line's) and the line end. */
interface Layout { unit: string; eol: string }

function layoutOf(text: string): Layout {
  const indent = /\n([ \t]+)\S/.exec(text)?.[1];
  return { unit: indent?.startsWith('\t') ? '\t' : indent ?? '  ', eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

/** `text` with `edits` made (they do not overlap), the last first so that the offsets of the others stay true. */
function applyEdits(text: string, edits: readonly jsonc.Edit[]): string {
  for (const e of [...edits].sort((a, b) => b.offset - a.offset)) text = text.slice(0, e.offset) + e.content + text.slice(e.offset + e.length);
  return text;
}

function editsFor(text: string, root: jsonc.Node, edit: ContractEdit): jsonc.Edit[] {
  const layout = layoutOf(text);
  if (!edit.append) return setValue(text, root, edit.path, edit.value, layout);
  const array = findNodeAtLocation(root, edit.path);
  if (!array) return setValue(text, root, edit.path, [edit.value], layout);
  return array.type === 'array' ? [insertInto(text, array, '', edit.value, layout)] : [];
}

/** Sets `path` to `value`: replaces what is there, or adds the member (and the objects missing on the way). */
function setValue(text: string, root: jsonc.Node, path: readonly (string | number)[], value: unknown, layout: Layout): jsonc.Edit[] {
  const existing = findNodeAtLocation(root, [...path]);
  if (existing) {
    return [{ offset: existing.offset, length: existing.length, content: render(value, indentAt(text, existing.offset), layout) }];
  }
  const key = path[path.length - 1];
  if (typeof key !== 'string') return [];
  const parentPath = path.slice(0, -1);
  const parent = parentPath.length === 0 ? root : findNodeAtLocation(root, [...parentPath]);
  if (!parent) return setValue(text, root, parentPath, { [key]: value }, layout);
  return parent.type === 'object' ? [insertInto(text, parent, `${JSON.stringify(key)}: `, value, layout)] : [];
}

/** Adds a member (`prefix` is its `"key": `) or an item after the last one of a container. */
function insertInto(text: string, container: jsonc.Node, prefix: string, value: unknown, layout: Layout): jsonc.Edit {
  const children = container.children ?? [];
  const last = children[children.length - 1];
  const open = container.offset + 1;
  const close = container.offset + container.length - 1;
  if (!text.slice(container.offset, close).includes('\n')) {
    // On one line: the entry joins it.
    const entry = prefix + render(value, undefined, layout);
    if (last) return { offset: last.offset + last.length, length: 0, content: `, ${entry}` };
    return { offset: open, length: close - open, content: container.type === 'object' ? ` ${entry} ` : entry };
  }
  const outer = indentAt(text, container.offset);
  const inner = last && lineStartsAt(text, last.offset) ? indentAt(text, last.offset) : outer + layout.unit;
  const entry = prefix + render(value, inner, layout);
  if (last) return { offset: last.offset + last.length, length: 0, content: `,${layout.eol}${inner}${entry}` };
  return { offset: open, length: close - open, content: `${layout.eol}${inner}${entry}${layout.eol}${outer}` };
}

/** A value as JSON text: on one line when short (or `indent` undefined), else one member per line below `indent`. */
function render(value: unknown, indent: string | undefined, layout: Layout): string {
  const flat = renderFlat(value);
  if (indent === undefined || flat.length <= 60 || typeof value !== 'object' || value === null) return flat;
  const inner = indent + layout.unit;
  const entries = Array.isArray(value) ? value.map((v) => render(v, inner, layout))
    : Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${render(v, inner, layout)}`);
  if (entries.length === 0) return flat;
  const [openBracket, closeBracket] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return `${openBracket}${layout.eol}${entries.map((e) => inner + e).join(`,${layout.eol}`)}${layout.eol}${indent}${closeBracket}`;
}

/** One line, spaced as people write JSON: `{ "type": "string" }`, `["a", "b"]`. */
function renderFlat(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(renderFlat).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${renderFlat(v)}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The indentation of the line `offset` is on. */
function indentAt(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start, offset))![0];
}

/** Whether only indentation comes before `offset` on its line. */
function lineStartsAt(text: string, offset: number): boolean {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*$/.test(text.slice(start, offset));
}
