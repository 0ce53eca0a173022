// The types the analysis infers (see infer.ts): what a value can be at a place in the script.
// `unknown` is the top: nothing is ever reported about an unknown value.
//
// Types are immutable values: the analysis makes new ones rather than changing them, so a type
// recorded for hover stays what it was at that place.

import type * as ast from '../syntax/ast';

export interface Param {
  name: string;
  type: Type;
  optional?: boolean;
}

/**
 * Where a possible nil comes from, for messages (`lookup_vendor_alias returns string?`). `contract`:
 * the contract says so (an optional input field, a host `T?` result): a use without a check is an
 * error; otherwise (the standard library, the script's own code) a warning.
 */
export interface NilOrigin {
  text: string;
  contract: boolean;
}

export type Type =
  | { kind: 'unknown' }
  | { kind: 'nil'; origin?: NilOrigin }
  | { kind: 'boolean'; value?: boolean }
  /** `value`: the value of a literal, when known. */
  | { kind: 'number'; subtype?: 'integer' | 'float'; value?: number }
  | { kind: 'string'; value?: string }
  /**
   * `open`: fields not listed may exist (their type unknown). `array`: the type of `t[i]` for integer i.
   * `fresh`: made by a table constructor of this script, held by one local and never passed anywhere
   * (so it has no metatable and exactly the fields listed).
   */
  | { kind: 'table'; fields: ReadonlyMap<string, Type>; array?: Type; open: boolean; name?: string; fresh?: boolean }
  /** `returns` undefined: not known. `neverReturns`: every call raises an error (a local function that always does). */
  | { kind: 'function'; params: Param[]; variadic?: Type; returns?: Type[]; name?: string; neverReturns?: boolean }
  | { kind: 'union'; types: Type[] };

export type TableType = Extract<Type, { kind: 'table' }>;
export type FunctionType = Extract<Type, { kind: 'function' }>;

export const UNKNOWN: Type = { kind: 'unknown' };
export const NIL: Type = { kind: 'nil' };
export const BOOLEAN: Type = { kind: 'boolean' };
export const NUMBER: Type = { kind: 'number' };
export const INTEGER: Type = { kind: 'number', subtype: 'integer' };
export const FLOAT: Type = { kind: 'number', subtype: 'float' };
export const STRING: Type = { kind: 'string' };
export const ANY_TABLE: Type = { kind: 'table', fields: new Map(), open: true };
export const ANY_FUNCTION: Type = { kind: 'function', params: [], variadic: UNKNOWN };

/**
 * What the analysis knows about a script's values, for the language service. Typed nodes: every
 * expression analysed (a `Name` reference as narrowed where it stands, a `Call` by its first result,
 * a `Function` by its signature, literals); declared names (`local x`, parameters, `for` variables,
 * `local function f`, the target of `function a.b()`); the field `Name` of `a.b` and the method
 * `Name` of `a:m()` (the method's function type). Unreachable code and expressions nested deeper
 * than the analysis goes have none.
 */
export interface TypeInfo {
  /** The type of a node where it stands, after narrowing; undefined when not analysed. */
  typeOf(node: ast.Node): Type | undefined;
}

/** No types known (the analysis did not run). */
export const NO_TYPES: TypeInfo = { typeOf: () => undefined };

/** A type as the editor shows it: `string?`, `integer`, `{ total: number, items: string[] }`, `fun(a: number): string`. */
export function formatType(type: Type, depth = 0): string {
  switch (type.kind) {
    case 'unknown': return 'unknown';
    case 'nil': return 'nil';
    case 'boolean': return type.value === undefined ? 'boolean' : String(type.value);
    case 'number': return type.subtype ?? 'number';
    case 'string': return 'string';
    case 'table': {
      if (type.name) return type.name;
      if (depth > 3) return 'table';
      const all = [...type.fields];
      const fields = all.slice(0, 12).map(([k, v]) => `${k}: ${formatType(v, depth + 1)}`);
      if (fields.length === 0 && type.array) return `${formatType(type.array, depth + 1)}[]`;
      if (type.open || all.length > fields.length) fields.push('...');
      return fields.length === 0 ? 'table' : fields.length === 1 && fields[0] === '...' ? 'table' : `{ ${fields.join(', ')} }`;
    }
    case 'function': {
      if (depth > 3) return 'function';
      const params = type.params.map((p) => `${p.name}${p.optional ? '?' : ''}: ${formatType(p.optional ? withoutNil(p.type) ?? p.type : p.type, depth + 1)}`);
      if (type.variadic) params.push(`...: ${formatType(type.variadic, depth + 1)}`);
      const returns = type.returns === undefined || type.returns.length === 0 ? '' : `: ${type.returns.map((r) => formatType(r, depth + 1)).join(', ')}`;
      return `fun(${params.join(', ')})${returns}`;
    }
    case 'union': {
      const nonNil = type.types.filter((t) => t.kind !== 'nil');
      const text = nonNil.map((t) => (t.kind === 'function' ? `(${formatType(t, depth + 1)})` : formatType(t, depth + 1))).join(' | ');
      return nonNil.length < type.types.length ? (nonNil.length === 1 ? `${text}?` : `(${text})?`) : text;
    }
  }
}

/** The known fields of a table type (or of every table in a union). */
export function fieldsOf(type: Type): ReadonlyMap<string, Type> {
  if (type.kind === 'table') return type.fields;
  if (type.kind === 'union') {
    const out = new Map<string, Type>();
    for (const t of type.types) if (t.kind === 'table') for (const [k, v] of t.fields) if (!out.has(k)) out.set(k, v);
    return out;
  }
  return new Map();
}

// ---- algebra ---------------------------------------------------------------------------------

/** The members of a type (itself unless a union). */
export function members(type: Type): readonly Type[] {
  return type.kind === 'union' ? type.types : [type];
}

/** Unions wider than this become unknown. */
const MAX_UNION = 8;

/** The join of two types: a value of either. Unknown absorbs everything. */
export function union(a: Type, b: Type): Type {
  if (a === b) return a;
  if (a.kind === 'unknown' || b.kind === 'unknown') return UNKNOWN;
  return unionOf([a, b]);
}

/** The join of several types (undefined entries are skipped; none: undefined). */
export function unionOf(list: readonly (Type | undefined)[]): Type {
  let nil: Type | undefined;
  let bool: Type | undefined;
  let num: Type | undefined;
  let str: Type | undefined;
  let table: TableType | undefined;
  const fns: Type[] = [];
  const stack: Type[] = [];
  for (const t of list) if (t) stack.push(t);
  if (stack.length === 0) return NIL;
  while (stack.length > 0) {
    const t = stack.pop()!;
    switch (t.kind) {
      case 'unknown': return UNKNOWN;
      case 'union': for (const m of t.types) stack.push(m); break;
      case 'nil':
        if (!nil || (!nilOrigin(nil) && t.origin) || (t.origin?.contract && !nilOrigin(nil)?.contract)) nil = t;
        break;
      case 'boolean':
        bool = !bool || (bool.kind === 'boolean' && bool.value === t.value) ? t : BOOLEAN;
        break;
      case 'number':
        if (!num) num = t;
        else if (num !== t && num.kind === 'number') {
          const subtype = num.subtype === t.subtype ? t.subtype : undefined;
          num = num.value === t.value && subtype === num.subtype ? num : subtype ? { kind: 'number', subtype } : NUMBER;
        }
        break;
      case 'string':
        str = !str || (str.kind === 'string' && str.value === t.value) ? t : STRING;
        break;
      case 'table':
        table = table ? mergeTables(table, t) : t;
        break;
      case 'function':
        if (!fns.includes(t)) fns.push(t);
        break;
    }
  }
  const out: Type[] = [];
  if (bool) out.push(bool);
  if (num) out.push(num);
  if (str) out.push(str);
  if (table) out.push(table);
  if (fns.length > 3) out.push(ANY_FUNCTION);
  else out.push(...fns);
  if (nil) out.push(nil);
  if (out.length > MAX_UNION) return UNKNOWN;
  return out.length === 1 ? out[0] : { kind: 'union', types: out };
}

function nilOrigin(t: Type): NilOrigin | undefined {
  return t.kind === 'nil' ? t.origin : undefined;
}

/** One table type for a value that is one of two tables: a field missing on one side may be nil there. */
function mergeTables(a: TableType, b: TableType): TableType {
  if (a === b) return a;
  const fields = new Map<string, Type>();
  for (const [k, v] of a.fields) {
    const w = b.fields.get(k);
    fields.set(k, w ? union(v, w) : b.open ? UNKNOWN : union(v, NOT_SET));
  }
  for (const [k, w] of b.fields) if (!a.fields.has(k)) fields.set(k, a.open ? UNKNOWN : union(w, NOT_SET));
  const array = a.array && b.array ? union(a.array, b.array) : a.array ?? b.array;
  const name = a.name === b.name ? a.name : undefined;
  return { kind: 'table', fields, open: a.open || b.open, ...(array ? { array } : {}), ...(name ? { name } : {}), ...(a.fresh && b.fresh ? { fresh: true } : {}) };
}

/** A field set on some paths only. */
export const NOT_SET: Type = { kind: 'nil', origin: { text: 'it is not set on every path', contract: false } };

/** Whether a value of this type may be nil (and is not only nil, nor unknown). */
export function maybeNil(type: Type): boolean {
  return type.kind === 'union' && type.types.some((t) => t.kind === 'nil');
}

/** The nil member of a type, if any. */
export function nilMember(type: Type): Extract<Type, { kind: 'nil' }> | undefined {
  for (const t of members(type)) if (t.kind === 'nil') return t;
  return undefined;
}

/** The type without nil (undefined: nothing is left). */
export function withoutNil(type: Type): Type | undefined {
  if (type.kind === 'nil') return undefined;
  if (type.kind !== 'union') return type;
  const rest = type.types.filter((t) => t.kind !== 'nil');
  return rest.length === type.types.length ? type : rest.length === 0 ? undefined : rest.length === 1 ? rest[0] : { kind: 'union', types: rest };
}

/**
 * The one JSON type a value of this type has when it is not nil (a table with named fields is an
 * object, one with items only an array); undefined when that is not sure. For what the quick fixes
 * write into a contract.
 */
export function jsonTypeOf(type: Type | undefined): 'string' | 'boolean' | 'integer' | 'number' | 'object' | 'array' | undefined {
  const rest = type && withoutNil(type);
  if (rest === undefined) return undefined;
  switch (rest.kind) {
    case 'string': case 'boolean': return rest.kind;
    case 'number': return rest.subtype === 'integer' ? 'integer' : 'number';
    case 'table': return rest.fields.size > 0 ? 'object' : rest.array ? 'array' : undefined;
    default: return undefined;
  }
}

/** What the type can be where a test of it succeeded: neither nil nor false (undefined: nothing). */
export function truthy(type: Type): Type | undefined {
  if (type.kind === 'unknown') return type;
  const rest: Type[] = [];
  for (const t of members(type)) {
    if (t.kind === 'nil') continue;
    if (t.kind === 'boolean') {
      if (t.value === false) continue;
      rest.push(t.value === true ? t : TRUE);
      continue;
    }
    rest.push(t);
  }
  return rest.length === 0 ? undefined : rest.length === 1 ? rest[0] : rest.length === members(type).length && type.kind === 'union' && rest.every((r, i) => r === type.types[i]) ? type : { kind: 'union', types: rest };
}

/** What the type can be where a test of it failed: nil or false (undefined: nothing). */
export function falsy(type: Type): Type | undefined {
  if (type.kind === 'unknown') return type;
  const rest: Type[] = [];
  for (const t of members(type)) {
    if (t.kind === 'nil') rest.push(t);
    else if (t.kind === 'boolean' && t.value !== true) rest.push(FALSE);
  }
  return rest.length === 0 ? undefined : rest.length === 1 ? rest[0] : { kind: 'union', types: rest };
}

export const TRUE: Type = { kind: 'boolean', value: true };
export const FALSE: Type = { kind: 'boolean', value: false };

/** The members of a type that `type(x) == name` admits (unknown: a value of that type). */
export function ofLuaType(type: Type, name: string, keep: boolean): Type | undefined {
  if (type.kind === 'unknown') {
    if (!keep) return type;
    switch (name) {
      case 'string': return STRING;
      case 'number': return NUMBER;
      case 'boolean': return BOOLEAN;
      case 'nil': return NIL;
      case 'table': return ANY_TABLE;
      case 'function': return ANY_FUNCTION;
      default: return type;
    }
  }
  const rest = members(type).filter((t) => (t.kind === name) === keep);
  return rest.length === 0 ? undefined : rest.length === 1 ? rest[0] : { kind: 'union', types: rest };
}

/** Whether two types are the same (structurally, shallowly for tables and functions). */
export function sameType(a: Type, b: Type): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'unknown': return true;
    case 'nil': return true;
    case 'boolean': return a.value === (b as typeof a).value;
    case 'number': return a.subtype === (b as typeof a).subtype && a.value === (b as typeof a).value;
    case 'string': return a.value === (b as typeof a).value;
    case 'table': {
      const t = b as TableType;
      if (a.open !== t.open || a.fresh !== t.fresh || a.fields.size !== t.fields.size || a.name !== t.name) return false;
      if ((a.array === undefined) !== (t.array === undefined) || (a.array && !sameType(a.array, t.array!))) return false;
      for (const [k, v] of a.fields) {
        const w = t.fields.get(k);
        if (!w || !sameType(v, w)) return false;
      }
      return true;
    }
    case 'function': return false;
    case 'union': {
      const u = b as typeof a;
      return a.types.length === u.types.length && a.types.every((t, i) => sameType(t, u.types[i]));
    }
  }
}

/** The Lua type name of a type's single kind (`number`), or undefined for unions and unknown. */
export function luaTypeName(type: Type): string | undefined {
  return type.kind === 'union' || type.kind === 'unknown' ? undefined : type.kind;
}
