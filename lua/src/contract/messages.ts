// ajv's errors → clear messages that name the field (`limits.instructions must be an integer ≥ 1`,
// `unknown property 'limts' (did you mean 'limits'?)`), each with the JSON path of the node it is
// about. ajv with allErrors reports every failing branch of an `anyOf`; a reader wants the one
// branch that fits the value's type (a string that is not a valid type string), or, when none or
// several fit, one sentence listing what the value may be. The contract loader turns the paths
// into file positions; the runtime uses the same messages for input, output and host values.

import type { ErrorObject } from 'ajv';
import { didYouMean } from './suggest';

/** Where a message points: the value at `path`, the key of the property at `path`, or the object at `path` that misses a property. */
export type MessageTarget = 'value' | 'key' | 'object';

export interface LocatedMessage {
  path: string[];
  target: MessageTarget;
  message: string;
  /** The message is about a property the schema does not know (which a reader of the value ignores). */
  unknownProperty?: true;
}

export interface MessageOptions {
  /** The validated value (to tell array indexes from keys when naming a path). */
  data: unknown;
  /** What the root is called in messages (`input`); without one, paths start at the first key and the root is "the contract". */
  rootName?: string;
  /** `lua` speaks of tables, sequences and nil; `json` (default) of objects, arrays and null. */
  vocabulary?: 'json' | 'lua';
}

/** The draft-07 meta-schema's references and the types they accept, to tell which `anyOf` branch a value was meant for. */
const REF_TYPES: Readonly<Record<string, readonly string[]>> = {
  '#': ['object', 'boolean'],
  'http://json-schema.org/draft-07/schema#': ['object', 'boolean'],
  'http://json-schema.org/draft-07/schema': ['object', 'boolean'],
  '#/definitions/schemaArray': ['array'],
  '#/definitions/stringArray': ['array'],
  '#/definitions/simpleTypes': ['string'],
  '#/definitions/nonNegativeInteger': ['integer'],
  '#/definitions/nonNegativeIntegerDefault0': ['integer'],
};

interface Item {
  error: ErrorObject;
  /** Set for a consolidated anyOf: the sentence that replaces its branches' errors. */
  summary?: string;
}

/** Messages for ajv's errors (validated with `allErrors` and `verbose`), deduplicated, in order. */
export function describeErrors(errors: readonly ErrorObject[], options: MessageOptions): LocatedMessage[] {
  const items: Item[] = [];
  for (const error of errors) {
    if (error.keyword === 'if' || (error.keyword === 'propertyNames' && error.propertyName === undefined)) continue;
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf') {
      let k = items.length;
      while (k > 0 && within(items[k - 1].error.instancePath, error.instancePath)) k--;
      const branchItems = items.splice(k);
      items.push(...consolidate(error, branchItems, options));
      continue;
    }
    items.push({ error });
  }
  // A value of the wrong type also fails its other keywords (`3` is not one of the enum's
  // strings either); the type error says it all.
  const wrongType = new Set(items.filter((i) => i.summary === undefined && i.error.keyword === 'type').map((i) => i.error.instancePath));
  const out: LocatedMessage[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    if (item.error.keyword !== 'type' && item.summary === undefined && wrongType.has(item.error.instancePath) && !isKeyError(item.error)) continue;
    const located = item.summary !== undefined ? { path: pointerPath(item.error.instancePath), target: 'value' as const, message: item.summary } : describe(item.error, options);
    const key = `${located.path.join('\u0000')}|${located.target}|${located.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(located);
  }
  return out;
}

/** Errors about a key of the object at their path rather than about the object's value. */
function isKeyError(error: ErrorObject): boolean {
  return error.keyword === 'additionalProperties' || error.keyword === 'required' || error.propertyName !== undefined;
}

function consolidate(error: ErrorObject, branchItems: Item[], options: MessageOptions): Item[] {
  const branches = Array.isArray(error.schema) ? (error.schema as unknown[]) : [];
  const actual = jsonType(error.data);
  const fitting = branches.filter((branch) => {
    const types = declaredTypes(branch);
    return types === undefined || types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
  });
  if (fitting.length === 1) {
    const kept = branchItems.filter((item) => !(item.error.keyword === 'type' && item.error.instancePath === error.instancePath));
    if (kept.length > 0) return kept;
  }
  const parent = (error.parentSchema ?? {}) as Record<string, unknown>;
  const label = labelOf(pointerPath(error.instancePath), options);
  if (typeof parent.errorMessage === 'string') return [{ error, summary: `${label} ${parent.errorMessage}` }];
  const expected: string[] = [];
  for (const branch of branches) for (const t of declaredTypes(branch) ?? []) if (!expected.includes(t)) expected.push(t);
  const summary = expected.length > 0 ? `${label} must be ${expected.map((t) => typeName(t, options)).join(' or ')}` : `${label} does not match any of the allowed forms`;
  return [{ error, summary }];
}

function declaredTypes(schema: unknown): string[] | undefined {
  if (typeof schema === 'boolean') return schema ? undefined : [];
  if (!schema || typeof schema !== 'object') return undefined;
  const s = schema as Record<string, unknown>;
  if (typeof s.type === 'string') return [s.type];
  if (Array.isArray(s.type)) return s.type as string[];
  if (typeof s.$ref === 'string' && REF_TYPES[s.$ref]) return [...REF_TYPES[s.$ref]];
  if (Array.isArray(s.enum)) return [...new Set(s.enum.map(jsonType))];
  return undefined;
}

function describe(error: ErrorObject, options: MessageOptions): LocatedMessage {
  const path = pointerPath(error.instancePath);
  const label = labelOf(path, options);
  const parent = (error.parentSchema ?? {}) as Record<string, unknown>;
  const params = error.params as Record<string, unknown>;
  const at = (message: string, target: MessageTarget = 'value', where = path): LocatedMessage => ({ path: where, target, message });
  switch (error.keyword) {
    case 'type': {
      const types = Array.isArray(params.type) ? (params.type as string[]) : String(params.type).split(',');
      const range = numericRange(parent);
      const expected = types.map((t) => typeName(t, options)).join(' or ') + (range && types.some((t) => t === 'integer' || t === 'number') ? ` ${range}` : '');
      const actual = actualValue(error.data, options);
      if (typeof parent.$id === 'string' && parent.$id.startsWith('http://json-schema.org/draft-07/schema')) {
        return at(`${label} must be a JSON Schema (an object, or true or false), not ${actual}`);
      }
      if (path.length === 0 && options.rootName === undefined) return at(`a contract must be ${expected}, not ${actual}`);
      return at(`${label} must be ${expected}, not ${actual}`);
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const declared = typeof parent.type === 'string' ? parent.type : undefined;
      const range = numericRange(parent) ?? `${params.comparison} ${params.limit}`;
      return at(`${label} must be ${declared === 'integer' || declared === 'number' ? `${typeName(declared, options)} ` : ''}${range}`);
    }
    case 'required': {
      const missing = String(params.missingProperty);
      const what = options.vocabulary === 'lua' ? 'field' : 'property';
      if (path.length === 0 && options.rootName === undefined) return at(`missing the required ${what} '${missing}'`, 'object');
      return at(`${label} is missing the required ${what} '${missing}'`, 'object');
    }
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const known = parent.properties && typeof parent.properties === 'object' ? Object.keys(parent.properties) : [];
      const where = path.length === 0 && options.rootName === undefined ? '' : ` in ${label}`;
      const what = options.vocabulary === 'lua' ? 'field' : 'property';
      return { ...at(`unknown ${what} '${extra}'${where}${didYouMean(extra, known)}`, 'key', [...path, extra]), unknownProperty: true };
    }
    case 'pattern': {
      const explained = typeof parent.patternErrorMessage === 'string' ? parent.patternErrorMessage : `must match the pattern /${params.pattern}/`;
      if (error.propertyName !== undefined) {
        return at(`${label} name '${error.propertyName}' ${explained}`, 'key', [...path, error.propertyName]);
      }
      return at(`${label} ${explained}`);
    }
    case 'enum': {
      if (typeof parent.errorMessage === 'string') return at(`${label} ${parent.errorMessage}`);
      const allowed = (params.allowedValues as unknown[]) ?? [];
      const hint = typeof error.data === 'string' ? didYouMean(error.data, allowed.filter((v): v is string => typeof v === 'string')) : '';
      const list = allowed.length <= 12 ? allowed.map((v) => literal(v, options)).join(', ') : `${allowed.slice(0, 12).map((v) => literal(v, options)).join(', ')}, …`;
      return at(`${label} must be one of ${list}${hint}`);
    }
    case 'const':
      return at(`${label} must be ${literal(params.allowedValue, options)}`);
    case 'minLength':
      return at(params.limit === 1 ? `${label} must not be empty` : `${label} must be at least ${params.limit} characters long`);
    case 'maxLength':
      return at(`${label} must be at most ${params.limit} characters long`);
    case 'minItems':
      return at(params.limit === 1 ? `${label} must not be empty` : `${label} must have at least ${params.limit} entries`);
    case 'maxItems':
    case 'additionalItems':
      return at(`${label} must have at most ${params.limit} entries`);
    case 'minProperties':
      return at(params.limit === 1 ? `${label} must not be empty` : `${label} must have at least ${params.limit} properties`);
    case 'maxProperties':
      return at(`${label} must have at most ${params.limit} properties`);
    case 'uniqueItems': {
      const duplicate = Math.max(Number(params.i), Number(params.j));
      const value = Array.isArray(error.data) ? error.data[duplicate] : undefined;
      return at(`${label} lists ${literal(value, options)} twice`, 'value', [...path, String(duplicate)]);
    }
    case 'multipleOf':
      return at(`${label} must be a multiple of ${params.multipleOf}`);
    case 'format':
      return at(`${label} must be a valid ${params.format}`);
    case 'false schema':
      return at(path.length === 0 ? `${label} is not allowed here` : `${label} is not allowed`);
    case 'dependencies':
    case 'dependentRequired':
      return at(`${label} must have '${params.missingProperty}' when it has '${params.property}'`, 'object');
    case 'contains':
      return at(`${label} must contain at least one matching entry`);
    case 'not':
      return at(`${label} must not match the schema under 'not'`);
    default:
      return at(`${label} ${error.message ?? 'is not valid'}`);
  }
}

/** `≥ 1`, `between 1 and 10`, `> 0` from a schema's bounds. */
function numericRange(schema: Record<string, unknown>): string | undefined {
  const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  const max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
  const xmin = typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : undefined;
  const xmax = typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum : undefined;
  if (min !== undefined && max !== undefined) return `between ${min} and ${max}`;
  const parts: string[] = [];
  if (min !== undefined) parts.push(`≥ ${min}`);
  if (xmin !== undefined) parts.push(`> ${xmin}`);
  if (max !== undefined) parts.push(`≤ ${max}`);
  if (xmax !== undefined) parts.push(`< ${xmax}`);
  return parts.length > 0 ? parts.join(' and ') : undefined;
}

function typeName(type: string, options: MessageOptions): string {
  const lua = options.vocabulary === 'lua';
  switch (type) {
    case 'string':
      return 'a string';
    case 'integer':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return lua ? 'a table' : 'an object';
    case 'array':
      return lua ? 'a sequence' : 'an array';
    case 'null':
      return lua ? 'nil' : 'null';
    default:
      return type;
  }
}

/** What a value is, for "must be X, not Y": numbers, booleans and null as themselves. */
function actualValue(value: unknown, options: MessageOptions): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return options.vocabulary === 'lua' ? 'nil' : 'null';
  return typeName(jsonType(value), options);
}

function literal(value: unknown, options: MessageOptions): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === null) return options.vocabulary === 'lua' ? 'nil' : 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** The JSON type of a value, telling integers from other numbers. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Whether pointer `inner` is `outer` or below it. */
function within(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(outer + '/');
}

export function pointerPath(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * How a path reads in a message: `limits.instructions`, `host['kb.search'].params[0].type`,
 * `input.items[2]`. Array indexes are told from keys by walking the data.
 */
export function labelOf(path: readonly string[], options: MessageOptions): string {
  let label = options.rootName ?? '';
  let value: unknown = options.data;
  for (const segment of path) {
    if (Array.isArray(value)) {
      label += `[${segment}]`;
      value = value[Number(segment)];
      continue;
    }
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) label += label === '' ? segment : `.${segment}`;
    else label += `['${segment}']`;
    value = value && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, segment) ? (value as Record<string, unknown>)[segment] : undefined;
  }
  return label === '' ? 'the contract' : label;
}
