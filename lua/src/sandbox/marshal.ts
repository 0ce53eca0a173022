// Values across the sandbox boundary: Lua values to plain JSON-like JavaScript (host arguments, the
// script's output) and back (input, host results). Conversion reads tables raw — no metamethod
// runs, so no script code runs inside the host's call — and is bounded: cycles are refused and
// nesting and size are limited, so a hostile value cannot hang or exhaust the host.
//
// Strings: Lua strings are bytes; they reach JavaScript decoded as UTF-8 (invalid sequences as
// U+FFFD) and JavaScript strings reach Lua encoded as UTF-8.

import { LFloat } from '../vm/number';
import { LuaTable } from '../vm/table';
import type { LuaValue } from '../vm/value';

/** Deepest nesting converted either way. */
export const MAX_DEPTH = 100;
/** Most values (table entries, array items, object properties) converted in one value. */
export const MAX_VALUES = 1_000_000;

export class MarshalError extends Error {}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A Lua byte string as a JavaScript string (UTF-8 decoded). */
export function luaStringToJs(s: string): string {
  // ASCII needs no decoding (the common case).
  // eslint-disable-next-line no-control-regex
  if (!/[\x80-\xff]/.test(s)) return s;
  return Buffer.from(s, 'latin1').toString('utf8');
}

/** A JavaScript string as a Lua byte string (UTF-8 encoded). */
export function jsStringToLua(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(s)) return s;
  return Buffer.from(s, 'utf8').toString('latin1');
}

/**
 * A Lua value as JSON-like JavaScript: nil → null, integers and floats → numbers, strings →
 * strings, a table whose keys are exactly 1..n → an array, any other table → an object (integer
 * keys written as decimal strings), an empty table → `emptyTable` (an object unless the caller
 * knows better). Functions, coroutines and userdata cannot cross; neither can cycles.
 */
export function fromLua(value: LuaValue, options: { emptyTable?: 'object' | 'array'; what?: string } = {}): Json {
  const seen = new Set<LuaTable>();
  let count = 0;
  const what = options.what ?? 'the value';
  const convert = (v: LuaValue, depth: number, path: string): Json => {
    if (++count > MAX_VALUES) throw new MarshalError(`${what} has more than ${MAX_VALUES} values`);
    if (v === undefined || v === null) return null;
    if (typeof v === 'boolean' || typeof v === 'string') return typeof v === 'string' ? luaStringToJs(v) : v;
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    if (v instanceof LFloat) return v.n;
    if (v instanceof LuaTable) {
      if (depth >= MAX_DEPTH) throw new MarshalError(`${what} is nested more than ${MAX_DEPTH} tables deep${path ? ` (at ${path})` : ''}`);
      if (seen.has(v)) throw new MarshalError(`${what} contains a cycle${path ? ` (at ${path})` : ''}`);
      seen.add(v);
      const entries: [LuaValue, LuaValue][] = [];
      let key: LuaValue = undefined;
      for (;;) {
        const next = v.next(key);
        if (!next) break;
        entries.push(next as [LuaValue, LuaValue]);
        key = next[0];
        if (entries.length > MAX_VALUES) throw new MarshalError(`${what} has more than ${MAX_VALUES} values`);
      }
      let result: Json;
      if (entries.length === 0) {
        result = options.emptyTable === 'array' ? [] : {};
      } else if (isSequence(entries)) {
        const array: Json[] = new Array(entries.length);
        for (const [k, item] of entries) array[(k as number) - 1] = convert(item, depth + 1, `${path}[${k as number}]`);
        result = array;
      } else {
        const object: { [key: string]: Json } = {};
        for (const [k, item] of entries) {
          let name: string;
          if (typeof k === 'string') name = luaStringToJs(k);
          else if (typeof k === 'number' && Number.isInteger(k)) name = String(k);
          else if (typeof k === 'bigint') name = k.toString();
          else throw new MarshalError(`${what} has a ${keyTypeName(k)} key${path ? ` (at ${path})` : ''}: only string and integer keys convert`);
          // Own data properties only: a key named __proto__ is an ordinary property here.
          Object.defineProperty(object, name, { value: convert(item, depth + 1, path ? `${path}.${name}` : name), enumerable: true, writable: true, configurable: true });
        }
        result = object;
      }
      seen.delete(v);
      return result;
    }
    throw new MarshalError(`${what} contains a ${typeNameOf(v)}${path ? ` (at ${path})` : ''}, which cannot leave the sandbox`);
  };
  return convert(value, 0, '');
}

function isSequence(entries: [LuaValue, LuaValue][]): boolean {
  const n = entries.length;
  for (const [k] of entries) {
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > n) return false;
  }
  return true; // n distinct keys in 1..n: exactly 1..n
}

function keyTypeName(k: LuaValue): string {
  if (typeof k === 'number' || k instanceof LFloat) return 'float';
  return typeNameOf(k);
}

function typeNameOf(v: LuaValue): string {
  if (v === undefined) return 'nil';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof LFloat) return 'number';
  if (v instanceof LuaTable) return 'table';
  const name = (v as object).constructor?.name;
  if (name === 'LuaClosure' || name === 'NativeFunction') return 'function';
  if (name === 'Coroutine') return 'thread';
  return 'userdata';
}

/**
 * A JavaScript value as a Lua value: null/undefined → nil, numbers → integers when integral
 * (floats otherwise), bigints → integers, strings → UTF-8 bytes, arrays → sequences, plain
 * objects → tables of their own enumerable string keys, Dates → ISO strings. Functions, symbols,
 * cycles and deeper nesting than MAX_DEPTH are refused with a MarshalError.
 */
export function toLua(value: unknown, what = 'the value'): LuaValue {
  const seen = new Set<object>();
  let count = 0;
  const convert = (v: unknown, depth: number): LuaValue => {
    if (++count > MAX_VALUES) throw new MarshalError(`${what} has more than ${MAX_VALUES} values`);
    switch (typeof v) {
      case 'undefined': return undefined;
      case 'boolean': return v;
      case 'string': return jsStringToLua(v);
      case 'number':
        if (Number.isInteger(v)) return Number.isSafeInteger(v) ? v : new LFloat(v);
        return v;
      case 'bigint': {
        const wrapped = BigInt.asIntN(64, v);
        return wrapped >= BigInt(Number.MIN_SAFE_INTEGER) && wrapped <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(wrapped) : wrapped;
      }
      case 'object': {
        if (v === null) return undefined;
        if (v instanceof Date) return jsStringToLua(v.toISOString());
        if (depth >= MAX_DEPTH) throw new MarshalError(`${what} is nested more than ${MAX_DEPTH} levels deep`);
        if (seen.has(v)) throw new MarshalError(`${what} contains a cycle`);
        seen.add(v);
        const t = new LuaTable();
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) t.setInt(i + 1, convert(v[i], depth + 1));
        } else {
          for (const key of Object.keys(v)) t.set(jsStringToLua(key), convert((v as Record<string, unknown>)[key], depth + 1));
        }
        seen.delete(v);
        return t;
      }
      default:
        throw new MarshalError(`${what} contains a JavaScript ${typeof v}, which cannot enter the sandbox`);
    }
  };
  return convert(value, 0);
}
