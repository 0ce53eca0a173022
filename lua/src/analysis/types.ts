// The types the analysis infers (see infer.ts): what a value can be at a place in the script.
// `unknown` is the top: nothing is ever reported about an unknown value.

import type * as ast from '../syntax/ast';

export interface Param {
  name: string;
  type: Type;
  optional?: boolean;
}

export type Type =
  | { kind: 'unknown' }
  | { kind: 'nil' }
  | { kind: 'boolean'; value?: boolean }
  | { kind: 'number'; subtype?: 'integer' | 'float' }
  | { kind: 'string'; value?: string }
  /** `open`: fields not listed may exist (their type unknown). `array`: the type of `t[i]` for integer i. */
  | { kind: 'table'; fields: ReadonlyMap<string, Type>; array?: Type; open: boolean; name?: string }
  /** `returns` undefined: not known. */
  | { kind: 'function'; params: Param[]; variadic?: Type; returns?: Type[]; name?: string }
  | { kind: 'union'; types: Type[] };

export const UNKNOWN: Type = { kind: 'unknown' };

/** What the analysis knows about a script's values, for the language service. */
export interface TypeInfo {
  /** The type of an expression (or a declared name) where it stands, after narrowing; undefined when not analysed. */
  typeOf(node: ast.Node): Type | undefined;
}

/** No types known (the analysis did not run). */
export const NO_TYPES: TypeInfo = { typeOf: () => undefined };

/** A type as the editor shows it: `string?`, `integer`, `{ total: number, items: string[] }`, `fun(a: number): string`. */
export function formatType(type: Type): string {
  switch (type.kind) {
    case 'unknown': return 'unknown';
    case 'nil': return 'nil';
    case 'boolean': return type.value === undefined ? 'boolean' : String(type.value);
    case 'number': return type.subtype ?? 'number';
    case 'string': return 'string';
    case 'table': {
      if (type.name) return type.name;
      const fields = [...type.fields].map(([k, v]) => `${k}: ${formatType(v)}`);
      if (fields.length === 0 && type.array) return `${formatType(type.array)}[]`;
      if (type.open) fields.push('...');
      return fields.length === 0 ? 'table' : `{ ${fields.join(', ')} }`;
    }
    case 'function': {
      const params = type.params.map((p) => `${p.name}${p.optional ? '?' : ''}: ${formatType(p.type)}`);
      if (type.variadic) params.push(`...: ${formatType(type.variadic)}`);
      const returns = type.returns === undefined ? '' : type.returns.length === 0 ? '' : `: ${type.returns.map(formatType).join(', ')}`;
      return `fun(${params.join(', ')})${returns}`;
    }
    case 'union': {
      const nonNil = type.types.filter((t) => t.kind !== 'nil');
      const text = nonNil.map((t) => (t.kind === 'function' ? `(${formatType(t)})` : formatType(t))).join(' | ');
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
