// How the debugger shows Lua values: one line per value (the Variables view, hovers, the Debug
// Console, logpoints) and a table's entries in a stable order (its children). Tables are read raw,
// from their array part and hash, so no script code runs and the program's own `next` traversals
// are not disturbed.

import { LuaTable, LuaClosure, NativeFunction, LFloat, numberToString, typeName, type LuaValue } from '@sandlua/lua';

/** How many characters a table's preview may take before it is cut with `…`. */
export const PREVIEW_LENGTH = 80;
/** Above this many hash entries, a table's keys keep their insertion order (sorting them costs too much). */
const SORT_LIMIT = 10000;

/** A value on one line: strings quoted, numbers as Lua prints them, tables as a preview of their entries. */
export function display(v: LuaValue): string {
  if (v instanceof LuaTable) return tableSummary(v);
  return scalar(v);
}

function scalar(v: LuaValue): string {
  if (v === undefined) return 'nil';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof LFloat) return numberToString(v);
  if (typeof v === 'boolean') return String(v);
  if (v instanceof LuaTable) return '{…}';
  if (v instanceof LuaClosure) return `function <line ${v.proto.lineDefined}>`;
  if (v instanceof NativeFunction) return `function ${v.name}`;
  return typeName(v);
}

/**
 * A Lua string (bytes, one char each) quoted as text: UTF-8 decoded (`"café"`), other bytes above
 * 127 as Lua's decimal escapes (`"\255"`).
 */
function quote(bytes: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(bytes)) return JSON.stringify(bytes);
  const text = Buffer.from(bytes, 'latin1').toString('utf8');
  if (Buffer.from(text, 'utf8').toString('latin1') === bytes) return JSON.stringify(text);
  return JSON.stringify(bytes).replace(/[\x80-\xff]/g, (ch) => `\\${ch.charCodeAt(0)}`);
}

/** Entries in the stable order: numeric keys ascending, then string keys sorted (digits as numbers), then other keys as inserted. */
export function tableEntries(table: LuaTable): [LuaValue, LuaValue][] {
  const out: [LuaValue, LuaValue][] = [];
  table.arr.forEach((v, i) => { if (v !== undefined) out.push([i + 1, v]); });
  const numbers: [LuaValue, LuaValue][] = [];
  const strings: [LuaValue, LuaValue][] = [];
  const others: [LuaValue, LuaValue][] = [];
  const fields = table.strs;
  for (const k in fields) {
    const v = fields[k];
    if (v !== undefined) strings.push([k, v]);
  }
  for (const [k, v] of table.hash ?? []) {
    if (v === undefined) continue;
    // A table of many fields keeps its string keys here too (table.ts, MAX_FIELDS).
    (typeof k === 'number' || typeof k === 'bigint' ? numbers : typeof k === 'string' ? strings : others).push([k, v]);
  }
  if ((table.hash?.size ?? 0) + table.fieldCount <= SORT_LIMIT) {
    numbers.sort((a, b) => compareNumbers(a[0] as number | bigint, b[0] as number | bigint));
    strings.sort((a, b) => naturalCompare(a[0] as string, b[0] as string));
  }
  return out.concat(numbers, strings, others);
}

/** Strings in order with their runs of digits compared as numbers: `k2` before `k10`. */
function naturalCompare(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const [x, y] = [pa[i], pb[i]];
    if (x === y) continue;
    if (/^\d/.test(x) && /^\d/.test(y)) {
      const [u, v] = [x.replace(/^0+(?=\d)/, ''), y.replace(/^0+(?=\d)/, '')];
      if (u.length !== v.length) return u.length - v.length;
      if (u !== v) return u < v ? -1 : 1;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length || (a < b ? -1 : a > b ? 1 : 0);
}

function compareNumbers(a: number | bigint, b: number | bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** How a key is written in a table's preview and as the name of its child: `name`, `[1]`, `["a b"]`, `[true]`. */
export function keyName(key: LuaValue): string {
  return typeof key === 'string' && /^[A-Za-z_]\w*$/.test(key) && !LUA_KEYWORDS.has(key) ? key : `[${scalar(key)}]`;
}

const LUA_KEYWORDS = new Set(['and', 'break', 'do', 'else', 'elseif', 'end', 'false', 'for', 'function', 'goto', 'if', 'in', 'local', 'nil', 'not', 'or', 'repeat', 'return', 'then', 'true', 'until', 'while']);

/**
 * `{}`, `{1, 2, 3}`, `{n = 2, name = "ann"}`: every entry (integer keys 1..n as a list), nested
 * tables as `{…}`; cut at PREVIEW_LENGTH with `…` and the entry count; `(metatable)` when it has one.
 */
function tableSummary(table: LuaTable): string {
  const entries = tableEntries(table);
  const parts: string[] = [];
  let length = 2;
  let cut = false;
  for (let i = 0; i < entries.length; i++) {
    const [k, v] = entries[i];
    const part = k === i + 1 ? scalar(v) : `${keyName(k)} = ${scalar(v)}`;
    if (length + part.length + (parts.length > 0 ? 2 : 0) > PREVIEW_LENGTH && parts.length > 0) {
      cut = true;
      break;
    }
    parts.push(part.length > PREVIEW_LENGTH ? part.slice(0, PREVIEW_LENGTH - 1) + '…' : part);
    length += part.length + 2;
  }
  const notes: string[] = [];
  if (cut) notes.push(`${entries.length} entries`);
  if (table.metatable) notes.push('metatable');
  return `{${parts.join(', ')}${cut ? ', …' : ''}}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
}
