// The `host` section resolved into signatures: each parameter's and result's type string parsed
// (errors at their exact character in the file) or JSON Schema taken as given, the JSON Schema
// every argument is checked against, and the checks a schema cannot express — names that collide
// (`tools` as a function and `tools.x`), names that would change the standard library, parameter
// constraints that cannot apply to the type, and examples that do not match the signature.

import { nodeAtPath, stringOffset } from './json';
import type { ProblemSink, Span } from './problems';
import { HOST_NAME_PATTERN } from './schema';
import { LUA53_BASE, LUA53_LIBRARIES } from './stdlib-names';
import { checkDeclaredSchema } from './schema-checks';
import { acceptsNil, admitsJsonType, formatType, parseType, typeToSchema, type JsonSchema, type TypeNode } from './types';
import { patternProblem } from './pattern';
import { validateValue } from './validate';

/** A resolved type: the parsed type, its JSON Schema and its text for hover. */
export interface HostType {
  type: TypeNode;
  schema: JsonSchema;
  /** The type in the type-string language (`{title: string, url: string}[]`). */
  text: string;
}

export interface HostParam extends HostType {
  name: string;
  doc?: string;
  /** nil (or leaving the argument out) is accepted. */
  optional: boolean;
  /**
   * What an argument is checked against (JSON values: nil is null): the type, the parameter's
   * constraints (`maxLength`, …), and null when the parameter is optional.
   */
  schema: JsonSchema;
}

export interface HostExample {
  args: unknown[];
  /** What the host returns for these arguments; absent means nil. */
  returns?: unknown;
  doc?: string;
}

export interface HostFunction {
  /** The name as the contract writes it (`tools.emit_review_note`). */
  name: string;
  /** The name's segments: the global, then fields (`['tools', 'emit_review_note']`). */
  path: string[];
  doc?: string;
  owner?: string;
  params: HostParam[];
  /** The type of extra arguments when the last parameter is `...`. */
  variadic?: HostParam;
  returns: HostType;
  examples: HostExample[];
  /** The signature for hover: `kb.search(query: string, limit: integer): {title: string, url: string}[]`. */
  signature: string;
  /** Where the function's name is in the contract (go to definition). */
  span: Span;
}

/** Globals a host function may not take: the standard library's and the script's input. */
const RESERVED_GLOBALS = new Set<string>([...LUA53_BASE, ...Object.keys(LUA53_LIBRARIES), 'input', '_ENV', 'arg']);

const CONSTRAINTS: readonly { keyword: string; applies: 'string' | 'number' | 'array'; what: string }[] = [
  { keyword: 'minLength', applies: 'string', what: 'strings' },
  { keyword: 'maxLength', applies: 'string', what: 'strings' },
  { keyword: 'pattern', applies: 'string', what: 'strings' },
  { keyword: 'minimum', applies: 'number', what: 'numbers' },
  { keyword: 'maximum', applies: 'number', what: 'numbers' },
  { keyword: 'minItems', applies: 'array', what: 'sequences (T[])' },
  { keyword: 'maxItems', applies: 'array', what: 'sequences (T[])' },
];

/** What a function without `returns` returns (a fresh object: callers may keep and extend it). */
const any = (): HostType => ({ type: { kind: 'name', name: 'any' }, schema: {}, text: 'any' });

/**
 * Resolves the host functions of a contract value. Entries that the schema already rejected are
 * skipped quietly (their problem is reported once, by the schema); every other problem goes to `sink`.
 */
export function resolveHost(host: unknown, sink: ProblemSink): Map<string, HostFunction> {
  const functions = new Map<string, HostFunction>();
  if (!isObject(host)) return functions;
  const hostNode = nodeAtPath(sink.root, ['host']);
  const nameRule = new RegExp(HOST_NAME_PATTERN, 'u');
  for (const name of Object.keys(host)) {
    const entry = host[name];
    const keyNode = hostNode?.children?.find((p) => p.children?.[0]?.value === name)?.children?.[0];
    if (!nameRule.test(name) || !isObject(entry)) continue;
    const segments = name.split('.');
    if (RESERVED_GLOBALS.has(segments[0]) && keyNode) {
      const what = segments.length === 1 ? `would replace the standard global '${name}'` : `would add to the standard global '${segments[0]}'`;
      const reason = segments[0] === 'input' ? `would replace the script's input` : what;
      sink.addAt(keyNode, `host function '${name}' ${reason}; choose another name`);
    }
    const fn = resolveFunction(name, entry, sink);
    if (fn && keyNode) functions.set(name, { ...fn, span: sink.nodeSpan(keyNode) });
  }
  reportCollisions(functions, sink);
  return functions;
}

/** `tools` as a function and `tools.x` need `tools` to be both a function and a table. */
function reportCollisions(functions: Map<string, HostFunction>, sink: ProblemSink): void {
  for (const fn of functions.values()) {
    for (let n = 1; n < fn.path.length; n++) {
      const prefix = fn.path.slice(0, n).join('.');
      if (functions.has(prefix)) {
        const node = nodeAtPath(sink.root, ['host'])?.children?.find((p) => p.children?.[0]?.value === fn.name)?.children?.[0];
        if (node) sink.addAt(node, `host function '${fn.name}' needs '${prefix}' to be a table, but '${prefix}' is also a host function`);
        break;
      }
    }
  }
}

function resolveFunction(name: string, entry: Record<string, unknown>, sink: ProblemSink): Omit<HostFunction, 'span'> | undefined {
  const base = ['host', name];
  let ok = true;
  const params: HostParam[] = [];
  let variadic: HostParam | undefined;
  const rawParams = Array.isArray(entry.params) ? entry.params : [];
  const seen = new Map<string, number>();
  for (let i = 0; i < rawParams.length; i++) {
    const raw = rawParams[i];
    if (!isObject(raw) || typeof raw.name !== 'string') {
      ok = false;
      continue;
    }
    const path = [...base, 'params', i];
    const nameNode = nodeAtPath(sink.root, [...path, 'name']);
    if (seen.has(raw.name) && nameNode) {
      sink.addAt(nameNode, `duplicate parameter '${raw.name}' in host function '${name}'`);
      ok = false;
    }
    seen.set(raw.name, i);
    if (raw.name === '...' && i !== rawParams.length - 1 && nameNode) {
      sink.addAt(nameNode, `'...' must be the last parameter of host function '${name}'`);
      ok = false;
    }
    const resolved = resolveType(raw.type, [...path, 'type'], sink);
    if (!resolved) {
      ok = false;
      continue;
    }
    const optional = raw.optional === true || acceptsNil(resolved.type);
    const param: HostParam = {
      ...resolved,
      name: raw.name,
      optional,
      schema: paramSchema(resolved, raw, optional),
    };
    if (typeof raw.doc === 'string') param.doc = raw.doc;
    checkConstraints(name, param, raw, path, sink);
    if (raw.name === '...') variadic = param;
    else params.push(param);
  }
  const returns = entry.returns === undefined ? any() : resolveType(entry.returns, [...base, 'returns'], sink);
  if (!returns) ok = false;
  if (!ok || !returns) return undefined;

  const examples: HostExample[] = [];
  const rawExamples = Array.isArray(entry.examples) ? entry.examples : [];
  for (let i = 0; i < rawExamples.length; i++) {
    const raw = rawExamples[i];
    if (!isObject(raw) || !Array.isArray(raw.args)) continue;
    checkExample(name, params, variadic, returns, raw, [...base, 'examples', i], sink);
    const example: HostExample = { args: raw.args };
    if ('returns' in raw) example.returns = raw.returns;
    if (typeof raw.doc === 'string') example.doc = raw.doc;
    examples.push(example);
  }
  const fn: Omit<HostFunction, 'span'> = { name, path: name.split('.'), params, returns, examples, signature: '' };
  if (variadic) fn.variadic = variadic;
  if (typeof entry.doc === 'string') fn.doc = entry.doc;
  if (typeof entry.owner === 'string') fn.owner = entry.owner;
  fn.signature = formatSignature(fn);
  return fn;
}

/** A type string or a JSON Schema at `path`, resolved; undefined (and a problem) when unusable. */
function resolveType(raw: unknown, path: (string | number)[], sink: ProblemSink): HostType | undefined {
  const node = nodeAtPath(sink.root, path);
  if (typeof raw === 'string') {
    if (raw === '') return undefined; // the schema reports it
    const parsed = parseType(raw);
    if (!parsed.type) {
      const error = parsed.error!;
      if (node && node.type === 'string') {
        const start = stringOffset(sink.text, node, error.start);
        const end = Math.max(stringOffset(sink.text, node, error.end), start);
        // An error at the end of the type points at the closing quote: something is missing there.
        sink.add(start, end === start ? start + 1 : end, `${sink.label(path)}: ${error.message}`);
      }
      return undefined;
    }
    return { type: parsed.type, schema: typeToSchema(parsed.type), text: formatType(parsed.type) };
  }
  if (typeof raw === 'boolean' || isObject(raw)) {
    // The contract schema already checks it against the meta-schema; only a valid one goes on.
    if (sink.hasErrorWithin(path) || !checkDeclaredSchema(raw, path, sink)) return undefined;
    const type: TypeNode = { kind: 'schema', schema: raw };
    return { type, schema: raw, text: formatType(type) };
  }
  return undefined; // wrong JSON type: the schema reports it
}

function paramSchema(resolved: HostType, raw: Record<string, unknown>, optional: boolean): JsonSchema {
  const constraints: Record<string, unknown> = {};
  for (const keyword of ['minLength', 'maxLength', 'pattern', 'minimum', 'maximum', 'minItems', 'maxItems', 'enum']) {
    if (raw[keyword] !== undefined) constraints[keyword] = raw[keyword];
  }
  let schema: JsonSchema = resolved.schema;
  if (Object.keys(constraints).length > 0) {
    if (schema === true) schema = constraints;
    // A schema the author wrote is kept as written; one made from a type string is ours to extend.
    else if (schema !== false) schema = resolved.type.kind === 'schema' ? { allOf: [schema, constraints] } : { ...schema, ...constraints };
  }
  if (optional && !acceptsNil(resolved.type)) schema = { anyOf: [schema, { type: 'null' }] };
  return schema;
}

function checkConstraints(fnName: string, param: HostParam, raw: Record<string, unknown>, path: (string | number)[], sink: ProblemSink): void {
  for (const { keyword, applies, what } of CONSTRAINTS) {
    if (raw[keyword] === undefined) continue;
    const node = nodeAtPath(sink.root, [...path, keyword]);
    if (!node) continue;
    const keyNode = node.parent?.children?.[0] ?? node;
    if (!admitsJsonType(param.type, applies)) {
      sink.addAt(keyNode, `${keyword} only applies to ${what}, and parameter '${param.name}' of '${fnName}' is ${param.text}`, 'warning');
    }
    if (keyword === 'pattern' && typeof raw.pattern === 'string') {
      const problem = patternProblem(raw.pattern);
      if (problem !== undefined) sink.addAt(node, `${sink.label([...path, 'pattern'])} is not a usable regular expression: ${problem}`);
    }
  }
  const pairs: [string, string][] = [
    ['minLength', 'maxLength'],
    ['minimum', 'maximum'],
    ['minItems', 'maxItems'],
  ];
  for (const [low, high] of pairs) {
    if (typeof raw[low] === 'number' && typeof raw[high] === 'number' && (raw[low] as number) > (raw[high] as number)) {
      const node = nodeAtPath(sink.root, [...path, low]);
      if (node) sink.addAt(node, `${sink.label([...path, low])} is greater than ${high}: no argument can match`);
    }
  }
}

function checkExample(
  fnName: string,
  params: HostParam[],
  variadic: HostParam | undefined,
  returns: HostType,
  example: Record<string, unknown>,
  path: (string | number)[],
  sink: ProblemSink,
): void {
  const args = example.args as unknown[];
  const argsNode = nodeAtPath(sink.root, [...path, 'args']);
  const required = requiredCount(params);
  if (argsNode && args.length < required) {
    sink.addAt(argsNode, `example passes ${count(args.length, 'argument')} but '${fnName}' needs ${required === params.length ? '' : 'at least '}${required}`);
  } else if (argsNode && args.length > params.length && !variadic) {
    sink.addAt(argsNode, `example passes ${count(args.length, 'argument')} but '${fnName}' takes ${params.length === 0 ? 'none' : `at most ${params.length}`}`);
  }
  for (let i = 0; i < args.length; i++) {
    const param = i < params.length ? params[i] : variadic;
    if (!param) break;
    const argPath = [...path, 'args', i];
    for (const message of validateValue(param.schema, args[i], { rootName: sink.label(argPath) })) {
      sink.addLocated({ ...message, message: `${message.message} (parameter '${param.name}' is ${param.text})` }, 'error', argPath);
    }
  }
  if ('returns' in example) {
    const returnsPath = [...path, 'returns'];
    for (const message of validateValue(returns.schema, example.returns, { rootName: sink.label(returnsPath) })) {
      sink.addLocated({ ...message, message: `${message.message} ('${fnName}' returns ${returns.text})` }, 'error', returnsPath);
    }
  }
}

/** Parameters before the last one that must be given. */
function requiredCount(params: HostParam[]): number {
  let n = params.length;
  while (n > 0 && params[n - 1].optional) n--;
  return n;
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `name(a: string, b?: integer, ...: any): string?` */
export function formatSignature(fn: Pick<HostFunction, 'name' | 'params' | 'variadic' | 'returns'>): string {
  const parts = fn.params.map((p) => `${p.name}${p.optional && !acceptsNil(p.type) ? '?' : ''}: ${p.text}`);
  if (fn.variadic) parts.push(`...: ${fn.variadic.text}`);
  return `${fn.name}(${parts.join(', ')}): ${fn.returns.text}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

