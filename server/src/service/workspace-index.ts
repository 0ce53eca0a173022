// The workspace index: a small summary of every Lua file of the workspace (the functions it defines,
// the calls it makes to host functions, module functions and its own functions), so that workspace
// symbols, references and the call hierarchy answer across files without keeping any file's tree.
// Plain data in editor terms (0-based lines, UTF-16 characters); the language service fills it and
// the LSP transport schedules the work.

import { parse, analyze, forEachChild, walk, LineMap, moduleOfFile, requireUses, withoutEnvironment, literalText, type ast, type Contract, type ScopeInfo } from '@sandlua/lua';
import type { Range } from './service';

/**
 * What a call or a definition is, the same in every file:
 * - `host:NAME` — a host function of the file's contract;
 * - `module:MODULE.FIELD` — a function of a declared module (`local u = require("m")` … `u.f()`);
 * - `fn:PATH#NAME` — a function a file defines for itself (`local function f`, `function M:m`).
 */
export type IndexKey = string;

export interface IndexedFunction {
  /** As written: `f`, `M.f`, `M:m`. */
  name: string;
  key: IndexKey;
  kind: 'function' | 'method';
  /** The function whose body holds it, by its index in the file's list (undefined: the main chunk). */
  container?: number;
  range: Range;
  selection: Range;
}

export interface IndexedCall {
  target: IndexKey;
  /** The called name (`emit`, `u.f`, `obj:m`'s `m`). */
  range: Range;
  /** The calling function, by its index in the file's list (undefined: the main chunk). */
  caller?: number;
}

export interface FileSummary {
  functions: IndexedFunction[];
  calls: IndexedCall[];
}

/** Where one indexed function is. */
export interface FunctionAt { path: string; fn: IndexedFunction }
/** Where one indexed call is. */
export interface CallAt { path: string; call: IndexedCall }

/**
 * Summarises a file from its scopes: `contract` is the contract governing it (host functions and
 * declared modules are named by it), `path` its file (a declared module's functions get module keys).
 */
export function summarize(text: string, path: string, contract?: Contract, analysed?: { chunk: ast.Chunk; scope: ScopeInfo; lines: LineMap }): FileSummary {
  let chunk: ast.Chunk;
  let scope: ScopeInfo;
  let lines: LineMap;
  if (analysed) ({ chunk, scope, lines } = analysed);
  else {
    const parsed = parse(text, { name: path });
    chunk = parsed.chunk;
    scope = analyze(chunk);
    lines = parsed.lineMap;
  }
  const at = (node: ast.Range): Range => ({ start: lines.positionAt(node.start), end: lines.positionAt(node.end) });
  const module = contract ? moduleOfFile(contract, path) : undefined;
  // The table a module file returns (`return M`): its functions are the module's.
  let returned: string | undefined;
  for (const s of chunk.body.body) if (s.kind === 'Return' && s.values.length === 1 && s.values[0].kind === 'Name') returned = s.values[0].name;

  const functions: IndexedFunction[] = [];
  const byName = new Map<string, number>();
  /** The function (by index) each function expression is, for the calls inside it. */
  const indexOf = new Map<ast.FunctionExpression, number>();
  const define = (name: string, kind: IndexedFunction['kind'], func: ast.FunctionExpression, node: ast.Range, selection: ast.Range, container: number | undefined): void => {
    const parts = name.split(/[.:]/);
    const key = module && returned !== undefined && parts.length === 2 && parts[0] === returned ? `module:${module.name}.${parts[1]}` : `fn:${path}#${name}`;
    indexOf.set(func, functions.length);
    if (!byName.has(name.replace(':', '.'))) byName.set(name.replace(':', '.'), functions.length);
    functions.push({ name, key, kind, ...(container !== undefined ? { container } : {}), range: at(node), selection: at(selection) });
  };
  // Locals bound to a declared module (`local u = require("m")`), by the local.
  const modules = new Map<unknown, string>();
  if (contract) {
    for (const use of requireUses(scope)) {
      if (!contract.modules.has(use.name)) continue;
      walk(chunk, (s) => {
        if (s.kind !== 'Local') return;
        s.values.forEach((v, i) => {
          if (v === use.call && s.names[i]) {
            const local = scope.declarationOf(s.names[i]);
            if (local) modules.set(local, use.name);
          }
        });
      });
    }
  }

  const calls: IndexedCall[] = [];
  const callTarget = (call: ast.CallExpression): { key: IndexKey; node: ast.Range } | undefined => {
    const callee = call.callee;
    // Through a module's local: `u.f()`, `u:f()`; or at once: `require("m").f()`.
    const objectModule = (object: ast.Expression): string | undefined => {
      if (object.kind === 'Name') {
        const local = scope.referenceOf(object)?.local;
        return local ? modules.get(local) : undefined;
      }
      if (object.kind === 'Call' && object.callee.kind === 'Name' && object.callee.name === 'require' && object.args[0]?.kind === 'String') {
        const name = literalText(object.args[0]);
        return contract?.modules.has(name) ? name : undefined;
      }
      return undefined;
    };
    if (call.method) {
      const m = objectModule(callee);
      if (m) return { key: `module:${m}.${call.method.name}`, node: call.method };
    } else if (callee.kind === 'Member') {
      const m = objectModule(callee.object);
      if (m) return { key: `module:${m}.${callee.name.name}`, node: callee.name };
    }
    const node = call.method ?? (callee.kind === 'Member' ? callee.name : callee);
    // A global path: a host function of the contract.
    const path = scope.pathOf(call.method ? call : callee);
    if (path) {
      const name = withoutEnvironment(path).join('.');
      if (contract?.host.has(name)) return { key: `host:${name}`, node };
    }
    // A function the file defines: by its name as written (`f`, `M.f`, `M:m` called as `M:m()`).
    const written = calleeName(call);
    const own = written === undefined ? undefined : byName.get(written);
    if (own !== undefined) return { key: functions[own].key, node };
    return undefined;
  };

  // Functions first (calls may come before the definition they reach), then calls.
  const visitFunctions = (node: ast.Node, container: number | undefined): void => {
    walkFunctions(node, container, (func, named, holder) => {
      if (named) define(named.name, named.kind, func, named.node, named.selection, holder);
      else indexOf.set(func, holder ?? -1);
    });
  };
  visitFunctions(chunk, undefined);
  walkCalls(chunk, indexOf, (call, caller) => {
    const target = callTarget(call);
    if (target) calls.push({ target: target.key, range: at(target.node), ...(caller !== undefined && caller >= 0 ? { caller } : {}) });
  });
  return { functions, calls };
}

/** `f`, `a.b.f`, `a.b:m` as a call writes its callee, when it is a chain of names. */
function calleeName(call: ast.CallExpression): string | undefined {
  const parts: string[] = [];
  let e: ast.Expression = call.callee;
  while (e.kind === 'Member') {
    parts.unshift(e.name.name);
    e = e.object;
  }
  if (e.kind !== 'Name') return undefined;
  parts.unshift(e.name);
  if (call.method) parts.push(call.method.name);
  return parts.join('.');
}

/** A function statement's name as written (`M.sub.f`, `M:m`). */
function targetName(target: ast.Name | ast.MemberExpression, isMethod: boolean): string | undefined {
  const parts: string[] = [];
  let e: ast.Expression = target;
  while (e.kind === 'Member') {
    parts.unshift(e.name.name);
    e = e.object;
  }
  if (e.kind !== 'Name') return undefined;
  parts.unshift(e.name);
  const last = parts.pop()!;
  return parts.length === 0 ? last : `${parts.join('.')}${isMethod ? ':' : '.'}${last}`;
}

type Named = { name: string; kind: IndexedFunction['kind']; node: ast.Range; selection: ast.Range };

/**
 * Every function expression under `root` in source order, with its name when a statement names it
 * (`function M.f`, `local function f`, `local f = function`, `M.f = function`), and the index of
 * the named function holding it (iterative: any nesting depth).
 */
function walkFunctions(root: ast.Node, container: number | undefined, visit: (func: ast.FunctionExpression, named: Named | undefined, holder: number | undefined) => void): void {
  let count = 0;
  const names = new Map<ast.FunctionExpression, Named>();
  const stack: { node: ast.Node; holder: number | undefined }[] = [{ node: root, holder: container }];
  while (stack.length > 0) {
    const { node, holder } = stack.pop()!;
    let inner = holder;
    switch (node.kind) {
      case 'FunctionStatement': {
        const name = targetName(node.target, node.isMethod);
        if (name !== undefined && name.trim() !== '') {
          names.set(node.func, { name, kind: node.isMethod ? 'method' : 'function', node, selection: node.target.kind === 'Member' ? node.target.name : node.target });
        }
        break;
      }
      case 'LocalFunction':
        if (node.name.name.trim() !== '') names.set(node.func, { name: node.name.name, kind: 'function', node, selection: node.name });
        break;
      case 'Local':
      case 'Assignment': {
        const targets: ast.Expression[] = node.kind === 'Local' ? node.names : node.targets;
        node.values.forEach((v, i) => {
          const t = targets[i];
          const name = v.kind === 'Function' && t && (t.kind === 'Name' || t.kind === 'Member') ? targetName(t, false) : undefined;
          if (v.kind === 'Function' && name !== undefined && name.trim() !== '') {
            names.set(v, { name, kind: 'function', node, selection: t.kind === 'Member' ? t.name : t });
          }
        });
        break;
      }
      case 'Function': {
        const named = names.get(node);
        visit(node, named, holder);
        if (named) inner = count++;
        break;
      }
      default:
    }
    const children: ast.Node[] = [];
    forEachChild(node, (c) => { children.push(c); });
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], holder: inner });
  }
}

/** Every call under `root` with the named function it is in (by index; -1 or undefined: the main chunk). */
function walkCalls(root: ast.Node, indexOf: Map<ast.FunctionExpression, number>, visit: (call: ast.CallExpression, caller: number | undefined) => void): void {
  const stack: { node: ast.Node; caller: number | undefined }[] = [{ node: root, caller: undefined }];
  while (stack.length > 0) {
    const { node, caller } = stack.pop()!;
    let inner = caller;
    if (node.kind === 'Function') {
      const own = indexOf.get(node);
      if (own !== undefined && own >= 0) inner = own;
    }
    if (node.kind === 'Call') visit(node, caller);
    const children: ast.Node[] = [];
    forEachChild(node, (c) => children.push(c));
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], caller: inner });
  }
}

/** The summaries of the workspace's files, and the queries over them. */
export class WorkspaceIndex {
  private readonly files = new Map<string, FileSummary>();

  set(path: string, summary: FileSummary): void {
    this.files.set(path, summary);
  }

  delete(path: string): void {
    this.files.delete(path);
  }

  has(path: string): boolean {
    return this.files.has(path);
  }

  get size(): number {
    return this.files.size;
  }

  paths(): string[] {
    return [...this.files.keys()];
  }

  summary(path: string): FileSummary | undefined {
    return this.files.get(path);
  }

  /** Functions whose name matches `query` (its characters in order, any case), best first, at most `limit`. */
  symbols(query: string, limit = 1000): FunctionAt[] {
    const q = query.toLowerCase();
    const out: { at: FunctionAt; score: number }[] = [];
    for (const [path, summary] of this.files) {
      for (const fn of summary.functions) {
        const score = matchScore(fn.name.toLowerCase(), q);
        if (score >= 0) out.push({ at: { path, fn }, score });
      }
    }
    out.sort((a, b) => a.score - b.score || a.at.fn.name.localeCompare(b.at.fn.name) || a.at.path.localeCompare(b.at.path));
    return out.slice(0, limit).map((o) => o.at);
  }

  /** Every call of `key` in the workspace. */
  callsTo(key: IndexKey): CallAt[] {
    const out: CallAt[] = [];
    for (const [path, summary] of this.files) for (const call of summary.calls) if (call.target === key) out.push({ path, call });
    return out;
  }

  /** Where `key` is defined (a module's or a file's own function), if an indexed file defines it. */
  definition(key: IndexKey): FunctionAt | undefined {
    if (key.startsWith('fn:')) {
      const path = key.slice(3, key.lastIndexOf('#'));
      const fn = this.files.get(path)?.functions.find((f) => f.key === key);
      return fn ? { path, fn } : undefined;
    }
    for (const [path, summary] of this.files) {
      const fn = summary.functions.find((f) => f.key === key);
      if (fn) return { path, fn };
    }
    return undefined;
  }
}

/**
 * How well `name` matches `query`: -1 when the query's characters are not all in it in order;
 * else lower is better (a prefix, then a substring, then a spread-out match).
 */
export function matchScore(name: string, query: string): number {
  if (query === '') return 2;
  if (name.startsWith(query)) return 0;
  if (name.includes(query)) return 1;
  let i = 0;
  for (const ch of name) if (ch === query[i]) i++;
  return i === query.length ? 2 : -1;
}
