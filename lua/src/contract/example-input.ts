// The input to use when none is given (F5 without a launch configuration, Run Script): the input
// schema's own example (`examples[0]`, then `default`), else the smallest value built from the
// schema (required properties filled, minimum lengths, counts and bounds honoured). Whatever is
// chosen is checked with the engine's validator, so a caller knows whether a run would accept it.

import type { JsonSchema } from './types';
import type { LocatedMessage } from './messages';
import { validateValue } from './validate';

/** Where a default input came from. */
export type ExampleInputOrigin = 'examples' | 'default' | 'built' | 'none';

export interface ExampleInput {
  value: unknown;
  /** `examples`/`default`: the schema's keyword; `built`: made from the schema; `none`: no input schema (any input). */
  origin: ExampleInputOrigin;
  /** The schema's problems with `value` (empty when a run accepts it). */
  problems: LocatedMessage[];
}

/** Nesting beyond this (or a cycle of `$ref`s) gives up with null. */
const MAX_DEPTH = 32;

type SchemaObject = { [keyword: string]: unknown };

/**
 * The input to use when none is given, for an input schema (a contract's `input`; undefined: any
 * input, which gets `{}`, the usual shape of an input). The first candidate the schema accepts
 * wins; when none is accepted, the first candidate is returned with its problems.
 */
export function exampleInput(schema: JsonSchema | undefined): ExampleInput {
  if (schema === undefined || schema === true) return { value: {}, origin: 'none', problems: [] };
  const candidates: { value: unknown; origin: ExampleInputOrigin }[] = [];
  if (typeof schema === 'object') {
    if (Array.isArray(schema.examples) && schema.examples.length > 0) candidates.push({ value: schema.examples[0], origin: 'examples' });
    if (schema.default !== undefined) candidates.push({ value: schema.default, origin: 'default' });
    const empty = Object.keys(schema).every((key) => ANNOTATIONS.has(key));
    candidates.push({ value: empty ? {} : new Builder(schema).build(schema, 0), origin: 'built' });
  } else {
    candidates.push({ value: null, origin: 'built' });
  }
  let first: ExampleInput | undefined;
  for (const candidate of candidates) {
    const problems = validateValue(schema, candidate.value, { rootName: 'the input' });
    if (problems.length === 0) return { ...candidate, problems };
    first ??= { ...candidate, problems };
  }
  return first!;
}

/** Keywords that do not constrain a value. */
const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'title', 'description', 'examples', 'default', 'definitions', '$defs', 'readOnly', 'writeOnly',
  'markdownDescription', 'errorMessage', 'patternErrorMessage', 'defaultSnippets', 'enumDescriptions']);

class Builder {
  constructor(private readonly root: SchemaObject) {}

  build(schema: unknown, depth: number): unknown {
    if (depth > MAX_DEPTH || schema === false) return null;
    if (schema === true || typeof schema !== 'object' || schema === null || Array.isArray(schema)) return null;
    let s = schema as SchemaObject;
    if (typeof s.$ref === 'string') {
      const target = this.resolve(s.$ref);
      return target === undefined ? null : this.build(target, depth + 1);
    }
    if ('const' in s) return s.const;
    if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
    if (depth > 0) {
      // A nested value's own example or default, when its type fits (the whole is validated at the end).
      const own = Array.isArray(s.examples) && s.examples.length > 0 ? s.examples[0] : s.default;
      if (own !== undefined && fitsType(s.type, own)) return own;
    }
    if (Array.isArray(s.allOf)) s = merge(s, s.allOf, this);
    const branches = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined;
    if (branches && branches.length > 0 && s.type === undefined && s.properties === undefined) return this.build(branches[0], depth + 1);
    switch (typeOf(s)) {
      case 'null': return null;
      case 'boolean': return false;
      case 'integer': return numberIn(s, true);
      case 'number': return numberIn(s, false);
      case 'string': return stringOf(s);
      case 'array': {
        const count = typeof s.minItems === 'number' ? Math.min(Math.max(0, Math.ceil(s.minItems)), 1000) : 0;
        const out: unknown[] = [];
        for (let i = 0; i < count; i++) {
          const item = Array.isArray(s.items) ? (i < s.items.length ? s.items[i] : s.additionalItems) : s.items;
          out.push(item === undefined ? null : this.build(item, depth + 1));
        }
        return out;
      }
      case 'object': {
        const out: Record<string, unknown> = {};
        const properties = isObject(s.properties) ? s.properties : {};
        for (const name of Array.isArray(s.required) ? s.required : []) {
          if (typeof name !== 'string' || name in out) continue;
          const property = Object.prototype.hasOwnProperty.call(properties, name) ? properties[name]
            : s.additionalProperties !== undefined && typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
          out[name] = property === undefined ? null : this.build(property, depth + 1);
        }
        return out;
      }
      default:
        return null;
    }
  }

  /** A local reference (`#`, `#/definitions/x`, `#/$defs/x`, JSON-pointer escapes honoured). */
  resolve(ref: string): unknown {
    if (!ref.startsWith('#')) return undefined;
    let node: unknown = this.root;
    for (const raw of ref.slice(1).split('/').slice(1)) {
      const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      if (!isObject(node) || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
      node = node[key];
    }
    return node;
  }
}

function isObject(value: unknown): value is SchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The schema's type: the first listed, else what its keywords imply. */
function typeOf(s: SchemaObject): string | undefined {
  if (typeof s.type === 'string') return s.type;
  if (Array.isArray(s.type) && s.type.length > 0) return String(s.type[0]);
  if (s.properties !== undefined || s.required !== undefined || s.additionalProperties !== undefined) return 'object';
  if (s.items !== undefined || s.minItems !== undefined) return 'array';
  if (s.minLength !== undefined || s.maxLength !== undefined || s.pattern !== undefined) return 'string';
  if (s.minimum !== undefined || s.maximum !== undefined || s.exclusiveMinimum !== undefined || s.exclusiveMaximum !== undefined) return 'number';
  return undefined;
}

function fitsType(type: unknown, value: unknown): boolean {
  if (type === undefined) return true;
  const types = Array.isArray(type) ? type : [type];
  const json = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'object' ? 'object' : typeof value;
  return types.some((t) => t === json || (t === 'integer' && typeof value === 'number' && Number.isInteger(value)));
}

/** `allOf` folded into one schema: properties and required lists joined, other keywords the first's. */
function merge(s: SchemaObject, parts: unknown[], builder: Builder): SchemaObject {
  const out: SchemaObject = { ...s };
  delete out.allOf;
  for (const raw of parts) {
    const part = isObject(raw) && typeof raw.$ref === 'string' ? builder.resolve(raw.$ref) : raw;
    if (!isObject(part)) continue;
    for (const [key, value] of Object.entries(part)) {
      if (key === 'properties' && isObject(value)) out.properties = { ...(isObject(out.properties) ? out.properties : {}), ...value };
      else if (key === 'required' && Array.isArray(value)) out.required = [...(Array.isArray(out.required) ? out.required : []), ...value];
      else if (!(key in out)) out[key] = value;
    }
  }
  return out;
}

function numberIn(s: SchemaObject, integer: boolean): number {
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  let low = num(s.minimum);
  const exclusiveLow = num(s.exclusiveMinimum);
  if (exclusiveLow !== undefined && (low === undefined || exclusiveLow >= low)) low = integer ? Math.floor(exclusiveLow) + 1 : exclusiveLow + 1;
  let high = num(s.maximum);
  const exclusiveHigh = num(s.exclusiveMaximum);
  if (exclusiveHigh !== undefined && (high === undefined || exclusiveHigh <= high)) high = integer ? Math.ceil(exclusiveHigh) - 1 : exclusiveHigh - 1;
  let value = low !== undefined ? low : high !== undefined && high < 0 ? high : 0;
  if (integer) value = low !== undefined ? Math.ceil(value) : Math.floor(value);
  const step = num(s.multipleOf);
  if (step !== undefined && step > 0 && value % step !== 0) value = Math.ceil(value / step) * step;
  return value;
}

function stringOf(s: SchemaObject): string {
  const min = typeof s.minLength === 'number' ? Math.min(Math.max(0, Math.ceil(s.minLength)), 10_000) : 0;
  return 'x'.repeat(min);
}
