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

/** The globals a chunk defines: plain writes, `_G.x = …` / `_ENV.x = …`, and `rawset(_G, "x", …)`. */
export function globalsWritten(scope: ScopeInfo): Set<string> {
  const out = new Set<string>();
  for (const [name, refs] of scope.globals) if (refs.some((r) => r.access === 'write')) out.add(name);
  for (const use of scope.uses) {
    if (use.access === 'write') {
      const path = withoutEnvironment(use.path, scope.globalTableModified);
      if (path.length === 1) out.add(path[0]);
    } else if (use.access === 'call' && use.call && use.path.length === 1 && use.path[0] === 'rawset') {
      const [table, key] = use.call.args;
      const path = table ? scope.pathOf(table) : undefined;
      if (key?.kind === 'String' && path && (path.length === 0 || (path.length === 1 && isEnvironment(path[0])))) out.add(key.value);
    }
  }
  return out;
}
