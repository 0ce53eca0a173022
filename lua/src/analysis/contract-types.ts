// The contract's types as the analysis's types: host signatures (type strings parsed into
// `TypeNode`s, or JSON Schemas) and the input and output JSON Schemas. Where the contract says a
// value may be nil (`T?`, a field not in `required`) the nil carries its origin, so that a use
// without a check can say why it may fail.

import type { TypeNode, JsonSchema } from '../contract/types';
import type { HostFunction } from '../contract/host';
import {
  ANY_TABLE, BOOLEAN, INTEGER, NIL, NUMBER, STRING, UNKNOWN, union, unionOf,
  type NilOrigin, type Param, type Type, type FunctionType,
} from './types';
import { objectProperties, requiredFields, schemaTypes } from './paths';

/** Schemas nest no deeper than this in types (deeper: unknown). */
const MAX_DEPTH = 16;

/** The type a host type string stands for; `origin` is what a nil in it is blamed on. */
export function typeFromNode(node: TypeNode, origin: NilOrigin | undefined, depth = 0): Type {
  if (depth > MAX_DEPTH) return UNKNOWN;
  switch (node.kind) {
    case 'name':
      switch (node.name) {
        case 'string': return STRING;
        case 'integer': return INTEGER;
        case 'number': return NUMBER;
        case 'boolean': return BOOLEAN;
        case 'nil': return origin ? { kind: 'nil', origin } : NIL;
        case 'table': return ANY_TABLE;
        default: return UNKNOWN;
      }
    case 'literal': return { kind: 'string', value: node.value };
    case 'optional': return union(typeFromNode(node.type, origin, depth + 1), origin ? { kind: 'nil', origin } : NIL);
    case 'array': return { kind: 'table', fields: new Map(), array: typeFromNode(node.element, origin, depth + 1), open: false };
    case 'record': {
      const fields = new Map<string, Type>();
      for (const f of node.fields) {
        const t = typeFromNode(f.type, origin, depth + 1);
        fields.set(f.name, f.optional ? union(t, origin ? { kind: 'nil', origin } : NIL) : t);
      }
      return { kind: 'table', fields, open: false };
    }
    case 'union': return unionOf(node.types.map((t) => typeFromNode(t, origin, depth + 1)));
    case 'schema': return typeFromSchema(node.schema, origin, depth + 1);
  }
}

/**
 * The type of a value that matches a JSON Schema (as the sandbox gives it to Lua: objects and
 * arrays are tables, null is nil). A property not in `required` may be nil: its origin says
 * `<where>.<name> is optional in the contract`. Anything the schema does not pin down is unknown.
 */
export function typeFromSchema(schema: JsonSchema | unknown, origin: NilOrigin | undefined, depth = 0, where?: string): Type {
  if (depth > MAX_DEPTH || typeof schema !== 'object' || schema === null) return UNKNOWN;
  const s = schema as Record<string, unknown>;
  const alternatives = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined;
  if (alternatives && s.type === undefined) return unionOf(alternatives.map((a) => typeFromSchema(a, origin, depth + 1, where)));
  if (s.const !== undefined) return valueType(s.const, origin);
  if (Array.isArray(s.enum) && s.enum.length > 0) return unionOf(s.enum.map((v) => valueType(v, origin)));
  const types = schemaTypes(s);
  if (!types || types.length === 0) return UNKNOWN;
  return unionOf(types.map((t): Type => {
    switch (t) {
      case 'string': return STRING;
      case 'integer': return INTEGER;
      case 'number': return NUMBER;
      case 'boolean': return BOOLEAN;
      case 'null': return origin ? { kind: 'nil', origin } : NIL;
      case 'array': {
        const items = s.items;
        return { kind: 'table', fields: new Map(), array: typeof items === 'object' && items !== null && !Array.isArray(items) ? typeFromSchema(items, origin, depth + 1) : UNKNOWN, open: false };
      }
      case 'object': {
        const properties = objectProperties(s) ?? {};
        const required = new Set(requiredFields(s));
        const fields = new Map<string, Type>();
        for (const [name, sub] of Object.entries(properties)) {
          const path = where !== undefined ? `${where}.${name}` : name;
          const t = typeFromSchema(sub, origin, depth + 1, path);
          fields.set(name, required.has(name) ? t : union(t, { kind: 'nil', origin: { text: `${path} is optional in the contract`, contract: true } }));
        }
        return { kind: 'table', fields, open: s.additionalProperties !== false };
      }
      default: return UNKNOWN;
    }
  }));
}

function valueType(v: unknown, origin: NilOrigin | undefined): Type {
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { kind: 'number', subtype: 'integer', value: v } : { kind: 'number', subtype: 'float', value: v };
  if (typeof v === 'boolean') return { kind: 'boolean', value: v };
  if (v === null) return origin ? { kind: 'nil', origin } : NIL;
  return UNKNOWN;
}

/** The input as the script sees it (`input`, and `...` of the main chunk). */
export function inputType(schema: unknown): Type {
  if (schema === undefined) return UNKNOWN;
  return typeFromSchema(schema, undefined, 0, 'input');
}

/** A host function's type: its parameters, and its result whose nil is blamed on the contract. */
export function hostFunctionType(fn: HostFunction): FunctionType {
  const origin: NilOrigin = { text: `${fn.name} returns ${fn.returns.text}`, contract: true };
  const params: Param[] = fn.params.map((p) => ({ name: p.name, type: typeFromNode(p.type, undefined), ...(p.optional ? { optional: true } : {}) }));
  const returns = [typeFromNode(fn.returns.type, origin)];
  return { kind: 'function', params, ...(fn.variadic ? { variadic: typeFromNode(fn.variadic.type, undefined) } : {}), returns, name: fn.name };
}
