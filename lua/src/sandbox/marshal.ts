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

/** Largest integer magnitude a JSON number carries exactly (2^53). */
const EXACT_INTEGER = 2n ** 53n;

export interface FromLuaOptions {
  /** What the value is, for messages ("the output", "argument 'to'"). */
  what?: string;
  /**
   * The JSON schema the value is meant for: an empty table becomes what it says there (an array
   * or an object), and an integer beyond ±2^53 becomes a decimal string where it says string.
   */
  schema?: unknown;
  /** Most bytes of JSON the value may become: refused as soon as the strings met pass it, before more is built. */
  maxBytes?: number;
  /** Told of the work as it goes: values converted, in batches (the sandbox charges its budget and reads its clock). */
  charge?: ValuesCharge;
}

/** Work done converting: `values` more values (called every CHARGE_EVERY values and at the end). */
export type ValuesCharge = (values: number) => void;
const CHARGE_EVERY = 1024;

/**
 * A Lua value as JSON-like JavaScript: nil → null, integers and floats → numbers, strings →
 * strings, a table whose keys are exactly 1..n → an array, any other table → an object (integer
 * keys written as decimal strings), an empty table → what the schema says there (an object
 * unless it says array). What JSON cannot carry faithfully is refused with the place it is at:
 * functions, coroutines, userdata, cycles, NaN and infinities, integers beyond ±2^53 (unless the
 * schema says string there), keys that are not UTF-8, and two keys that become one (1 and "1").
 */
export function fromLua(value: LuaValue, options: FromLuaOptions = {}): Json {
  const seen = new Set<LuaTable>();
  let count = 0;
  let bytes = 0;
  const maxBytes = options.maxBytes ?? Infinity;
  const what = options.what ?? 'the value';
  const schemas = new SchemaView(options.schema);
  const at = (path: string): string => (path ? ` (at ${path})` : '');
  const text = (s: string, path: string): string => {
    // Counted before it is decoded: a huge string is refused without being copied.
    if ((bytes += s.length + 2) > maxBytes) throw new MarshalError(`${what} is more than the limit of ${maxBytes} bytes${at(path)}`);
    return luaStringToJs(s);
  };
  const number = (n: number, path: string): number => {
    if (!Number.isFinite(n)) throw new MarshalError(`${what} has ${Number.isNaN(n) ? 'NaN' : n > 0 ? 'inf' : '-inf'}${at(path)}, which JSON cannot carry`);
    bytes += 8;
    return n;
  };
  const charge = options.charge;
  const convert = (v: LuaValue, schema: unknown, depth: number, path: string): Json => {
    if (++count > MAX_VALUES) throw new MarshalError(`${what} has more than ${MAX_VALUES} values`);
    if (charge !== undefined && count % CHARGE_EVERY === 0) charge(CHARGE_EVERY);
    if (v === undefined || v === null) return null;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string') return text(v, path);
    if (typeof v === 'number') return number(v, path);
    if (typeof v === 'bigint') {
      if (v <= EXACT_INTEGER && v >= -EXACT_INTEGER) return Number(v);
      if (schemas.wantsString(schema)) return text(v.toString(), path);
      throw new MarshalError(`${what} has the integer ${v}${at(path)}, beyond what a JSON number carries exactly (±2^53); the schema can ask for a string there`);
    }
    if (v instanceof LFloat) return number(v.n, path);
    if (v instanceof LuaTable) {
      if (depth >= MAX_DEPTH) throw new MarshalError(`${what} is nested more than ${MAX_DEPTH} tables deep${at(path)}`);
      if (seen.has(v)) throw new MarshalError(`${what} contains a cycle${at(path)}`);
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
        result = schemas.shape(schema) === 'array' ? [] : {};
      } else if (isSequence(entries)) {
        const array: Json[] = new Array(entries.length);
        for (const [k, item] of entries) {
          const index = (k as number) - 1;
          array[index] = convert(item, schemas.item(schema, index), depth + 1, `${path}[${k as number}]`);
        }
        result = array;
      } else {
        const object: { [key: string]: Json } = {};
        const from = new Map<string, LuaValue>();
        for (const [k, item] of entries) {
          let name: string;
          if (typeof k === 'string') {
            if (!isUtf8(k)) throw new MarshalError(`${what} has a key that is not UTF-8${at(path)}: ${JSON.stringify(luaStringToJs(k))}`);
            name = text(k, path);
          } else if (typeof k === 'number' && Number.isInteger(k)) name = String(k);
          else if (typeof k === 'bigint') name = k.toString();
          else throw new MarshalError(`${what} has a ${keyTypeName(k)} key${at(path)}: only string and integer keys convert`);
          const other = from.get(name);
          if (from.has(name)) {
            throw new MarshalError(`${what} has the keys ${describeKey(other)} and ${describeKey(k)}${at(path)}, which both become "${name}"`);
          }
          from.set(name, k);
          // Own data properties only: a key named __proto__ is an ordinary property here.
          Object.defineProperty(object, name, { value: convert(item, schemas.property(schema, name), depth + 1, path ? `${path}.${name}` : name), enumerable: true, writable: true, configurable: true });
        }
        result = object;
      }
      seen.delete(v);
      return result;
    }
    throw new MarshalError(`${what} contains a ${typeNameOf(v)}${at(path)}, which cannot leave the sandbox`);
  };
  const json = convert(value, options.schema, 0, '');
  charge?.(count % CHARGE_EVERY);
  return json;
}

/**
 * What an empty Lua table becomes where `schema` applies (`root`: the schema its `$ref`s point
 * into): an array where it says array (and not object), an object otherwise. The output
 * conversion decides so at every depth, and the analysis judges by it.
 */
export function emptyTableShape(schema: unknown, root: unknown = schema): 'array' | 'object' {
  return new SchemaView(root).shape(schema);
}

/** A key as the script wrote it: 1, or "1". */
function describeKey(k: LuaValue): string {
  return typeof k === 'string' ? JSON.stringify(luaStringToJs(k)) : String(k);
}

/** Whether a Lua byte string is valid UTF-8 (so decoding it changes nothing). */
function isUtf8(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  if (!/[\x80-\xff]/.test(s)) return true;
  const bytes = Buffer.from(s, 'latin1');
  return Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);
}

/**
 * Reading a JSON schema along a value: the subschema of a property or an item (local `$ref`s
 * followed, `anyOf`/`oneOf` branches kept side by side), and what it says of empty tables and
 * of strings. Anything it does not understand says nothing (an empty table is an object).
 */
class SchemaView {
  constructor(private readonly root: unknown) {}

  /** The object schemas `schema` stands for ($ref followed, branches of anyOf/oneOf/allOf). */
  private cases(schema: unknown, depth = 0): Record<string, unknown>[] {
    if (typeof schema !== 'object' || schema === null || depth > 16) return [];
    const s = schema as Record<string, unknown>;
    const out: Record<string, unknown>[] = [s];
    if (typeof s.$ref === 'string') out.push(...this.cases(this.pointer(s.$ref), depth + 1));
    for (const key of ['anyOf', 'oneOf', 'allOf']) {
      const branches = s[key];
      if (Array.isArray(branches)) for (const b of branches) out.push(...this.cases(b, depth + 1));
    }
    return out;
  }

  private pointer(ref: string): unknown {
    if (!ref.startsWith('#')) return undefined;
    let node: unknown = this.root;
    for (const raw of ref.slice(1).split('/').slice(1)) {
      const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
    }
    return node;
  }

  private types(schema: unknown): Set<string> {
    const types = new Set<string>();
    for (const s of this.cases(schema)) {
      if (typeof s.type === 'string') types.add(s.type);
      else if (Array.isArray(s.type)) for (const t of s.type) if (typeof t === 'string') types.add(t);
    }
    return types;
  }

  shape(schema: unknown): 'array' | 'object' {
    const types = this.types(schema);
    return types.has('array') && !types.has('object') ? 'array' : 'object';
  }

  wantsString(schema: unknown): boolean {
    const types = this.types(schema);
    return types.has('string') && !types.has('integer') && !types.has('number');
  }

  property(schema: unknown, name: string): unknown {
    const found = this.cases(schema).map((s) => {
      const props = s.properties;
      if (typeof props === 'object' && props !== null && Object.prototype.hasOwnProperty.call(props, name)) return (props as Record<string, unknown>)[name];
      return typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
    }).filter((x) => x !== undefined);
    return found.length === 0 ? undefined : found.length === 1 ? found[0] : { anyOf: found };
  }

  item(schema: unknown, index: number): unknown {
    const found = this.cases(schema).map((s) => {
      if (Array.isArray(s.prefixItems) && index < s.prefixItems.length) return s.prefixItems[index] as unknown;
      if (Array.isArray(s.items)) return index < s.items.length ? s.items[index] as unknown : s.additionalItems;
      return typeof s.items === 'object' ? s.items : undefined;
    }).filter((x) => x !== undefined);
    return found.length === 0 ? undefined : found.length === 1 ? found[0] : { anyOf: found };
  }
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
 * cycles and deeper nesting than MAX_DEPTH are refused with a MarshalError. `charge` is told
 * of the values converted as it goes.
 */
export function toLua(value: unknown, what = 'the value', charge?: ValuesCharge): LuaValue {
  const seen = new Set<object>();
  let count = 0;
  const convert = (v: unknown, depth: number): LuaValue => {
    if (++count > MAX_VALUES) throw new MarshalError(`${what} has more than ${MAX_VALUES} values`);
    if (charge !== undefined && count % CHARGE_EVERY === 0) charge(CHARGE_EVERY);
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
  const lua = convert(value, 0);
  charge?.(count % CHARGE_EVERY);
  return lua;
}
