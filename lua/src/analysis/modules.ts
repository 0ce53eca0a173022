// How a script reaches modules and files: `require("pricing.util")` and
// `io.open("data/rates.csv", "w")` with literal arguments, read from the engine's global-path uses
// (so aliases such as `local open = io.open`, `_G` and `_ENV` are seen through). The checker judges
// them (`unknown-module`, `ungranted-file`), the capability report lists them, and the language
// service navigates them: one reading for all three. Also here: what a module file exports, read
// from its syntax tree (the table it returns), for completion and hover.

import * as nodePath from 'path';
import { parse } from '../syntax/parser';
import { LineMap } from '../syntax/linemap';
import type * as ast from '../syntax/ast';
import type { ScopeInfo } from '../syntax/scope';
import { unparen } from '../syntax/visit';
import { normalizeRelativePath, relativePathProblem, type Contract, type ModuleDeclaration } from '../contract/manifest';
import type { FileAccess } from '../contract/schema';
import { chunkGlobals, luaText, withoutEnvironment, type ChunkGlobals } from './paths';
import { analyze } from '../syntax/scope';
import * as fs from 'fs';

/** `require("pricing.util")` (or `require "pricing.util"`) with a literal name. */
export interface RequireUse {
  /** The name as written (the literal's bytes read as UTF-8). */
  name: string;
  literal: ast.StringLiteral;
  call: ast.CallExpression;
}

/** What a call does with a file: `read-write` for the update modes (`r+`, `w+`, `a+`). */
export type FileNeed = 'read' | 'write' | 'read-write';

/** `io.open(path [, mode])` or `io.lines(path, ...)` with a literal path. */
export interface FileUse {
  fn: 'io.open' | 'io.lines';
  /** The path as written. */
  path: string;
  /** Relative to the contract's folder, normalized (`data/rates.csv`); undefined when the path leaves it. */
  normalized: string | undefined;
  /** Why the path can never be granted (absolute, through `..`, no file name), when it cannot. */
  outside?: string;
  literal: ast.StringLiteral;
  /** What the call needs; undefined when the mode is not a literal, or not a mode Lua accepts. */
  need: FileNeed | undefined;
  /** The literal mode, when the call passes one. */
  mode?: ast.StringLiteral;
  call: ast.CallExpression;
}

/** A string literal's bytes as text (the engine keeps one char per byte). */
export function literalText(literal: ast.StringLiteral): string {
  return luaText(literal.value);
}

/** Calls of a global path (`require`, `io.open`), through aliases, `_G` and `_ENV`; method calls are left out. */
function callsOf(scope: ScopeInfo, wanted: Wanted): { name: string; call: ast.CallExpression }[] {
  const out: { name: string; call: ast.CallExpression }[] = [];
  // An indexed loop: run over every use at each analysis, where `for...of` made an iterator result
  // per use until V8 optimized it.
  const uses = scope.uses;
  for (let i = 0; i < uses.length; i++) {
    const use = uses[i];
    // Most uses are of other names: tell by the last one first (before the call node, whose
    // fields are read at many shapes of node).
    if (!wanted.last.has(use.path[use.path.length - 1] ?? '')) continue;
    if (use.access !== 'call' || !use.call || use.call.method) continue;
    const name = withoutEnvironment(use.path, scope.globalTableModified).join('.');
    if (wanted.names.has(name)) out.push({ name, call: use.call });
  }
  return out;
}

/** Global paths whose calls are looked for, and their last names (`open` of `io.open`). */
interface Wanted { names: ReadonlySet<string>; last: ReadonlySet<string> }

function wanted(...names: string[]): Wanted {
  return { names: new Set(names), last: new Set(names.map((n) => n.slice(n.lastIndexOf('.') + 1))) };
}

const REQUIRE = wanted('require');
const FILE_FUNCTIONS = wanted('io.open', 'io.lines');

/** Each analysis's `require`s and file calls, found once (the checker, inference and modules all ask). */
const requiresOf = new WeakMap<ScopeInfo, readonly RequireUse[]>();
const filesOf = new WeakMap<ScopeInfo, readonly FileUse[]>();

/** Every `require` with a literal module name, in source order. */
export function requireUses(scope: ScopeInfo): readonly RequireUse[] {
  let out = requiresOf.get(scope);
  if (out === undefined) requiresOf.set(scope, (out = findRequireUses(scope)));
  return out;
}

function findRequireUses(scope: ScopeInfo): RequireUse[] {
  const out: RequireUse[] = [];
  for (const { call } of callsOf(scope, REQUIRE)) {
    const literal = call.args[0];
    if (literal?.kind === 'String') out.push({ name: literalText(literal), literal, call });
  }
  return out;
}

/** Every `io.open`/`io.lines` with a literal path, in source order (`io.lines()` reads standard input: none). */
export function fileUses(scope: ScopeInfo): readonly FileUse[] {
  let out = filesOf.get(scope);
  if (out === undefined) filesOf.set(scope, (out = findFileUses(scope)));
  return out;
}

function findFileUses(scope: ScopeInfo): FileUse[] {
  const out: FileUse[] = [];
  for (const { name, call } of callsOf(scope, FILE_FUNCTIONS)) {
    const literal = call.args[0];
    if (literal?.kind !== 'String') continue;
    const path = literalText(literal);
    const outside = relativePathProblem(path);
    const use: FileUse = { fn: name as FileUse['fn'], path, normalized: outside === undefined ? normalizeRelativePath(path) : undefined, literal, need: undefined, call };
    if (outside !== undefined) use.outside = outside;
    if (name === 'io.lines') {
      use.need = 'read';
    } else {
      const mode = call.args[1];
      if (mode === undefined || mode.kind === 'Nil') use.need = 'read';
      else if (mode.kind === 'String') {
        use.mode = mode;
        use.need = modeNeed(mode.value);
      }
    }
    out.push(use);
  }
  return out;
}

/** What an `io.open` mode needs (`r`, `w`, `a`, each with an optional `+`, then any `b`); undefined: not a mode. */
export function modeNeed(mode: string): FileNeed | undefined {
  const m = /^([rwa])(\+?)b*$/.exec(mode);
  if (!m) return undefined;
  if (m[2] === '+') return 'read-write';
  return m[1] === 'r' ? 'read' : 'write';
}

/** Whether a declared access allows what a call needs. */
export function accessAllows(access: FileAccess, need: FileNeed): boolean {
  return access === 'read-write' || access === need;
}

/** The folder a contract's relative paths start from. */
export function contractFolder(contract: Pick<Contract, 'path'>): string {
  return nodePath.dirname(nodePath.resolve(contract.path));
}

/** A declared module's file, absolute. */
export function moduleFile(contract: Pick<Contract, 'path'>, module: ModuleDeclaration): string {
  return nodePath.join(contractFolder(contract), ...module.path.split('/'));
}

/** The declared module whose file a script is, if it is one (its `return` is then no output). */
export function moduleOfFile(contract: Contract, file: string): ModuleDeclaration | undefined {
  const relative = nodePath.relative(contractFolder(contract), nodePath.resolve(file)).split(nodePath.sep).join('/');
  for (const module of contract.modules.values()) if (module.path === relative) return module;
  return undefined;
}

/** The key of `files` as the contract writes it (`./data/rates.csv`) for a normalized path, to locate it. */
export function declaredFileKey(contract: Contract, normalized: string): string | undefined {
  const files = contract.raw.files;
  if (typeof files !== 'object' || files === null) return undefined;
  return Object.keys(files).find((key) => relativePathProblem(key) === undefined && normalizeRelativePath(key) === normalized);
}

// ---- what a module exports ---------------------------------------------------------------------

export interface ModuleField {
  name: string;
  kind: 'function' | 'value';
  /** `format(amount, currency)`; for a value, its kind (`number`, `table`, …). */
  signature: string;
  params?: string[];
  /** Defined with `function M:name()`: called with `:`. */
  method?: boolean;
  /** The comment lines right above the definition. */
  doc?: string;
  /** Where the field is defined in the module file (its name). */
  start: number;
  end: number;
}

/**
 * The fields of the table a module returns, read from its last top-level `return`: either a table
 * constructor (`return { f = function(a) end }`) or a local built up at the top level
 * (`local M = {} … function M.f(a, b) end … M.x = 1 … return M`). Anything else gives no fields.
 */
export function moduleExports(source: string): ModuleField[] {
  const parsed = parse(source, { name: 'module' });
  const chunk = parsed.chunk;
  const statements = flatten(chunk.body);
  let last: ast.ReturnStatement | undefined;
  for (const s of statements) if (s.kind === 'Return') last = s;
  const value = last?.values.length === 1 ? unparen(last.values[0]) : undefined;
  if (!value) return [];
  const docs = new Docs(chunk.comments, parsed.lineMap, parsed.source);
  const fields = new Map<string, ModuleField>();
  // Top-level local functions, so that `M.f = helper` is known to be a function (and its parameters).
  const functions = new Map<string, ast.FunctionExpression>();
  const set = (at: ast.Range, name: string, expression: ast.Expression, statement: ast.Range, method = false): void => {
    const value = unparen(expression);
    const resolved = value.kind === 'Name' ? functions.get(value.name) ?? value : value;
    fields.delete(name); // a later definition wins, and moves the field to the end
    fields.set(name, describeField(name, at, resolved, docs.before(statement.start), method));
  };
  if (value.kind === 'Table') {
    addTableFields(value, fields, docs);
    return [...fields.values()];
  }
  if (value.kind !== 'Name') return [];
  const table = value.name;
  for (const s of statements) {
    if (s.start >= last!.start) break;
    if (s.kind === 'LocalFunction') functions.set(s.name.name, s.func);
    else if (s.kind === 'Local') {
      s.names.forEach((n, i) => {
        const v = s.values[i] && unparen(s.values[i]);
        if (v?.kind === 'Function') functions.set(n.name, v);
        else functions.delete(n.name);
      });
    }
    if (s.kind === 'Local' && s.names.some((n) => n.name === table)) {
      // A new declaration starts the table over.
      fields.clear();
      const init = s.values[s.names.findIndex((n) => n.name === table)];
      if (init && unparen(init).kind === 'Table') addTableFields(unparen(init) as ast.TableConstructor, fields, docs);
    } else if (s.kind === 'FunctionStatement' && s.target.kind === 'Member' && s.target.object.kind === 'Name' && s.target.object.name === table) {
      set(s.target.name, s.target.name.name, s.func, s, s.isMethod);
    } else if (s.kind === 'Assignment') {
      s.targets.forEach((target, i) => {
        const v = s.values[i];
        if (!v) return;
        if (target.kind === 'Member' && target.object.kind === 'Name' && target.object.name === table) set(target.name, target.name.name, v, s);
        else if (target.kind === 'Index' && target.object.kind === 'Name' && target.object.name === table && target.index.kind === 'String') set(target.index, literalText(target.index), v, s);
      });
    }
  }
  return [...fields.values()];
}

function addTableFields(table: ast.TableConstructor, fields: Map<string, ModuleField>, docs: Docs): void {
  for (const field of table.fields) {
    if (field.style === 'positional' || field.key?.kind !== 'String') continue;
    const name = literalText(field.key);
    fields.delete(name);
    fields.set(name, describeField(name, field.key, field.value, docs.before(field.start), false));
  }
}

function describeField(name: string, at: ast.Range, value: ast.Expression, doc: string | undefined, method: boolean): ModuleField {
  const v = unparen(value);
  const field: ModuleField = { name, kind: 'value', signature: valueKind(v), start: at.start, end: at.end };
  if (v.kind === 'Function') {
    field.kind = 'function';
    field.params = [...v.params.map((p) => p.name), ...(v.isVararg ? ['...'] : [])];
    field.signature = `${name}(${field.params.join(', ')})`;
  }
  if (method) field.method = true;
  if (doc) field.doc = doc;
  return field;
}

function valueKind(v: ast.Expression): string {
  switch (v.kind) {
    case 'Number': return v.integer ? 'integer' : 'number';
    case 'Unary': return v.operator === 'not' ? 'boolean' : v.operator === '-' && v.operand.kind === 'Number' ? (v.operand.integer ? 'integer' : 'number') : 'value';
    case 'String': return 'string';
    case 'True': case 'False': return 'boolean';
    case 'Table': return 'table';
    case 'Nil': return 'nil';
    default: return 'value';
  }
}

/** The top-level statements, `do … end` blocks opened (they run once, in order). */
function flatten(block: ast.Block): ast.Statement[] {
  const out: ast.Statement[] = [];
  for (const s of block.body) {
    if (s.kind === 'Do') out.push(...flatten(s.body));
    else out.push(s);
  }
  return out;
}

/** Comment lines right above a definition, as its documentation. */
class Docs {
  private readonly byEndLine = new Map<number, ast.Comment>();

  constructor(comments: readonly ast.Comment[], private readonly lines: LineMap, source: string) {
    for (const c of comments) {
      // Only comments on lines of their own: `x = 1 -- note` documents x, not what follows.
      const start = lines.positionAt(c.start);
      if (source.slice(c.start - start.character, c.start).trim() !== '') continue;
      this.byEndLine.set(lines.positionAt(Math.max(c.start, c.end - 1)).line, c);
    }
  }

  before(offset: number): string | undefined {
    const texts: string[] = [];
    let line = this.lines.positionAt(offset).line - 1;
    for (let c = this.byEndLine.get(line); c; c = this.byEndLine.get(line)) {
      texts.unshift(c.text.replace(/^-+/, '').trim());
      line = this.lines.positionAt(c.start).line - 1;
    }
    const doc = texts.join('\n').trim();
    return doc === '' ? undefined : doc;
  }
}

/** What a module defines in the global table when it runs, and the modules it requires in turn. */
export interface ModuleGlobals extends ChunkGlobals {
  requires: string[];
}

const NO_GLOBALS: ModuleGlobals = { names: new Set(), open: false, requires: [] };
const MODULE_GLOBALS = new Map<string, { mtimeMs: number; size: number; globals: ModuleGlobals }>();
const MODULE_GLOBALS_MAX = 256;

/**
 * The globals a module file defines when it runs (modules share the script's globals in a run), read
 * from disk and kept while the file is unchanged. A missing or unreadable file defines none.
 */
export function moduleGlobals(file: string): ModuleGlobals {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return NO_GLOBALS;
  }
  const known = MODULE_GLOBALS.get(file);
  if (known && known.mtimeMs === stat.mtimeMs && known.size === stat.size) return known.globals;
  let globals = NO_GLOBALS;
  try {
    const scope = analyze(parse(new Uint8Array(fs.readFileSync(file)), { name: file }).chunk);
    globals = { ...chunkGlobals(scope), requires: requireUses(scope).map((use) => use.name) };
  } catch {
    // Unreadable: nothing known.
  }
  if (MODULE_GLOBALS.size >= MODULE_GLOBALS_MAX) MODULE_GLOBALS.delete(MODULE_GLOBALS.keys().next().value as string);
  MODULE_GLOBALS.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, globals });
  return globals;
}

/**
 * What a script and the declared modules it requires (and they in turn) define in the global table:
 * they share it in a run. Only a contract loaded from a file has a folder its modules are found in.
 */
export function runGlobals(scope: ScopeInfo, contract: Contract | undefined): ChunkGlobals {
  const own = chunkGlobals(scope);
  if (!contract || !nodePath.isAbsolute(contract.path) || contract.modules.size === 0) return own;
  const names = new Set(own.names);
  let open = own.open;
  const pending = requireUses(scope).map((use) => use.name);
  const seen = new Set<string>();
  while (pending.length > 0) {
    const name = pending.pop()!;
    const declared = contract.modules.get(name);
    if (seen.has(name) || !declared) continue;
    seen.add(name);
    const module = moduleGlobals(moduleFile(contract, declared));
    for (const n of module.names) names.add(n);
    open ||= module.open;
    pending.push(...module.requires);
  }
  return { names, open };
}
