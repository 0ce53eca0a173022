// Small readings shared by the checker, the capability report and the language service: global
// paths without their environment root, the host function a path reaches, and the object shape
// of a JSON Schema (the contract's input and output).

/** The names of the global table as a path root. */
const ENVIRONMENT = new Set(['_G', '_ENV']);

import type { ScopeInfo } from '../syntax/scope';

export function isEnvironment(name: string): boolean {
  return ENVIRONMENT.has(name);
}

/** `_G.os.execute` and `_ENV.os.execute` are `os.execute` (unless the script reassigned `_G`). */
export function withoutEnvironment(path: readonly string[], globalTableModified = false): readonly string[] {
  let start = 0;
  if (!globalTableModified) while (start < path.length && ENVIRONMENT.has(path[start])) start++;
  return start === 0 ? path : path.slice(start);
}

/** The host function a path reaches (`tools.note.x` reaches `tools.note`), if any. */
export function longestHostPrefix(host: ReadonlyMap<string, unknown>, path: readonly string[]): string | undefined {
  let name = '';
  let found: string | undefined;
  for (let i = 0; i < path.length; i++) {
    name = i === 0 ? path[0] : `${name}.${path[i]}`;
    if (host.has(name)) found = name;
  }
  return found;
}

/**
 * A Lua string (one char per byte) as the text the contract's names and values are compared with:
 * UTF-8 decoded, as the runtime decodes strings it hands to JSON; bytes that are not UTF-8 kept.
 */
export function luaText(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\x80-\xff]/.test(value)) return value;
  const bytes = Buffer.from(value, 'latin1');
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : value;
}

/** The `properties` of an object schema, if it declares them. */
export function objectProperties(schema: unknown): Record<string, unknown> | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const p = (schema as { properties?: unknown }).properties;
  return typeof p === 'object' && p !== null ? (p as Record<string, unknown>) : undefined;
}

/** The JSON types a schema's `type` names (undefined: it names none, so any type may do). */
export function schemaTypes(schema: unknown): string[] | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const t = (schema as { type?: unknown }).type;
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  return undefined;
}

/** The `required` fields of an object schema. */
export function requiredFields(schema: unknown): string[] {
  const r = (schema as { required?: unknown } | undefined)?.required;
  return Array.isArray(r) ? r.filter((x): x is string => typeof x === 'string') : [];
}

export interface ChunkGlobals {
  /** The globals the chunk defines by name: plain writes, `_G.x = …` / `_ENV.x = …`, `rawset(_G, "x", …)`. */
  names: Set<string>;
  /**
   * Whether it may define others by computed names: the global table itself escapes (`_G[k] = v`,
   * `local env = _G`, `setmetatable(_G, …)`, `pairs(_G)`), or code is loaded at run time (`load`,
   * `loadfile`, `dofile`).
   */
  open: boolean;
}

const LOADERS = new Set(['load', 'loadfile', 'dofile', 'loadstring']);

/** What globals a chunk defines when it runs (see `ChunkGlobals`). */
export function chunkGlobals(scope: ScopeInfo): ChunkGlobals {
  const names = new Set<string>();
  let open = false;
  for (const [name, refs] of scope.globals) if (refs.some((r) => r.access === 'write')) names.add(name);
  // `rawget(_G, "x")` and `rawset(_G, "x", v)` name what they touch: the global table does not escape.
  const named = new Set<unknown>();
  for (const use of scope.uses) {
    if (use.access !== 'call' || !use.call || use.path.length !== 1) continue;
    const fn = use.path[0];
    if (LOADERS.has(fn)) open = true;
    if (fn !== 'rawget' && fn !== 'rawset') continue;
    const [table, key] = use.call.args;
    const path = table ? scope.pathOf(table) : undefined;
    if (!path || !(path.length === 0 || (path.length === 1 && isEnvironment(path[0])))) continue;
    if (key?.kind !== 'String') {
      if (fn === 'rawset') open = true;
      continue;
    }
    named.add(table);
    if (fn === 'rawset') names.add(key.value);
  }
  for (const use of scope.uses) {
    const path = withoutEnvironment(use.path, scope.globalTableModified);
    if (use.access === 'write') {
      if (path.length === 1) names.add(path[0]);
      else if (path.length === 0) open = true;
    } else if (path.length === 0 && use.path.length <= 1 && !named.has(use.node)) {
      open = true;
    }
  }
  return { names, open };
}
