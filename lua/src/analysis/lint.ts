// Lint: what is legal Lua and within the contract, but most likely not what the author meant.
// Codes (stable; default severity warning):
//
// - `unused`: a local, local function, parameter or loop variable that is never read. Exempt:
//   names starting with `_` (and `_` itself), the implicit `self`, a parameter or loop variable
//   followed by one that is read (it holds a position), the parameters of a vararg function, and a
//   local `_ENV` whose fields are read. A local function read only by its own body is unused.
// - `shadowing`: a local that hides a local of an enclosing block or function. Exempt: `_` names,
//   `self`, `local x = x` (re-localizing the same name on purpose), and a redeclaration in the same
//   block (`local ok, err = …` twice is a new pair, not a hidden one).
// - `unreachable-code`: statements after `break`, `goto`, a call statement of `error(...)` or
//   `os.exit(...)`, or a `do`/`if` (with `else`) whose every way ends like that or with `return`;
//   once per stretch, up to the next label (a `goto` may land there).
// - `assignment-count`: fewer values than names (the last value not a call or `...`), or more.
// - `for-direction`: a numeric `for` with constant bounds and step that runs zero times, or whose
//   step is 0 (Lua 5.3 then runs it zero times or forever, depending on the bounds).
//
// Bindings come from ScopeInfo; the statement checks share one iterative walk.
//
// `ExistenceTests` serves the checker: where a read only tests whether a global or a library
// member exists (`x or y`, `if x then`, `x == nil`, `type(x)`), or runs only when it does (inside
// `if x then … end`, the right of `x and …`), a missing name is no error.

import type * as ast from '../syntax/ast';
import type { ParseResult } from '../syntax/parser';
import type { LocalVariable, ScopeInfo } from '../syntax/scope';
import type { Finding, Fix } from './findings';
import { forEachChild } from '../syntax/visit';
import { withoutEnvironment } from './paths';

/** Appends the lint findings of a script to `findings`. */
export function lint(parsed: ParseResult, scope: ScopeInfo, findings: Finding[]): void {
  new Linter(parsed, scope, findings).run();
}

class Linter {
  private readonly src: string;

  constructor(private readonly parsed: ParseResult, private readonly scope: ScopeInfo, private readonly findings: Finding[]) {
    this.src = parsed.source;
  }

  run(): void {
    this.unused();
    this.shadowing();
    const stack: ast.Node[] = [this.parsed.chunk];
    const push = (child: ast.Node): void => {
      switch (child.kind) {
        case 'Name': case 'String': case 'Number': case 'Nil': case 'True': case 'False': case 'Vararg': case 'Break': break;
        default: stack.push(child);
      }
    };
    while (stack.length > 0) {
      const node = stack.pop()!;
      switch (node.kind) {
        case 'Block': this.unreachable(node); break;
        case 'Local': this.assignmentCount(node.names, node.values, node); break;
        case 'Assignment': this.assignmentCount(node.targets, node.values, node); break;
        case 'NumericFor': this.forDirection(node); break;
        default: break;
      }
      forEachChild(node, push);
    }
  }

  private add(range: ast.Range, code: string, message: string, fixes?: Fix[]): void {
    this.findings.push({ start: range.start, end: range.end, severity: 'warning', code, message, ...(fixes ? { fixes } : {}) });
  }

  // ---- unused ----------------------------------------------------------------------------------

  private unused(): void {
    for (const local of this.scope.locals) {
      const decl = local.declaration;
      if (!decl || local.kind === 'self' || local.name.startsWith('_')) continue;
      if (isRead(local)) continue;
      if (local.kind === 'param') {
        const func = local.declaringNode as ast.FunctionExpression;
        if (func.isVararg || laterRead(local, func.params)) continue;
      } else if (local.kind === 'for' && local.declaringNode.kind === 'GenericFor') {
        if (laterRead(local, local.declaringNode.variables)) continue;
      }
      const what = local.kind === 'param' ? 'parameter' : local.kind === 'for' ? 'loop variable' : local.kind === 'function' ? 'local function' : 'local';
      const written = local.references.length > 0;
      const message = written ? `${what} '${local.name}' is assigned but never read` : `unused ${what} '${local.name}'`;
      this.add(decl, 'unused', message, this.unusedFixes(local, decl));
    }
  }

  private unusedFixes(local: LocalVariable, decl: ast.Name): Fix[] {
    const fixes: Fix[] = [];
    const node = local.declaringNode;
    if (local.references.length === 0) {
      const removable = (node.kind === 'Local' && node.names.length === 1 && node.values.length <= 1 && (node.values.length === 0 || sideEffectFree(node.values[0])))
        || node.kind === 'LocalFunction';
      if (removable) fixes.push({ title: `Remove unused ${node.kind === 'LocalFunction' ? 'local function' : 'local'} '${local.name}'`, edits: [this.statementRemoval(node)] });
    }
    const edits = [decl, ...local.references.map((r) => r.node)].map((n) => ({ start: n.start, end: n.start, newText: '_' }));
    fixes.push({ title: `Rename to '_${local.name}' (unused on purpose)`, edits });
    return fixes;
  }

  /** Deletes a statement, and its whole line when nothing else is on it. */
  private statementRemoval(s: ast.Range): { start: number; end: number; newText: string } {
    const src = this.src;
    let start = s.start;
    while (start > 0 && (src[start - 1] === ' ' || src[start - 1] === '\t')) start--;
    let end = s.end;
    while (end < src.length && (src[end] === ' ' || src[end] === '\t' || src[end] === ';')) end++;
    const lineStart = start === 0 || src[start - 1] === '\n';
    const lineEnd = end === src.length || src[end] === '\n' || src[end] === '\r';
    if (lineStart && lineEnd) {
      if (src[end] === '\r') end++;
      if (src[end] === '\n') end++;
      return { start, end, newText: '' };
    }
    return { start: s.start, end: s.end, newText: '' };
  }

  // ---- shadowing -------------------------------------------------------------------------------

  private shadowing(): void {
    // Per name, the locals whose scope may still be open, innermost last. Locals come into scope
    // in order, and scopes nest, so one whose scope ended before a new one starts never returns.
    const open = new Map<string, LocalVariable[]>();
    for (const local of this.scope.locals) {
      let stack = open.get(local.name);
      if (!stack) open.set(local.name, (stack = []));
      while (stack.length > 0 && stack[stack.length - 1].scope.end < local.scope.start) stack.pop();
      const hidden = stack[stack.length - 1];
      stack.push(local);
      const decl = local.declaration;
      if (!hidden || !decl || local.kind === 'self' || hidden.kind === 'self' || local.name.startsWith('_')) continue;
      if (!(hidden.scope.start <= decl.start && decl.start <= hidden.scope.end)) continue;
      // The same block: a redeclaration, not a hidden local.
      if (hidden.scope.end === local.scope.end && hidden.function === local.function) continue;
      const init = local.initializer;
      if (init && init.kind === 'Name' && init.name === local.name) continue;
      const where = hidden.function === local.function ? '' : ' of an enclosing function';
      const what = hidden.kind === 'param' ? 'parameter' : hidden.kind === 'for' ? 'loop variable' : 'local';
      const at = hidden.declaration ? ` (line ${this.parsed.lineMap.positionAt(hidden.declaration.start).line + 1})` : '';
      this.add(decl, 'shadowing', `'${local.name}' shadows the ${what} '${hidden.name}'${where}${at}`);
    }
  }

  // ---- unreachable code ------------------------------------------------------------------------

  private unreachable(block: ast.Block): void {
    const body = block.body;
    for (let i = 0; i < body.length; i++) {
      const s = body[i];
      const how = this.ends(s);
      if (how === undefined) continue;
      let j = i + 1;
      while (j < body.length && body[j].kind !== 'Label') j++;
      if (j > i + 1) this.add({ start: body[i + 1].start, end: body[j - 1].end }, 'unreachable-code', `unreachable code: it follows ${how}`);
      i = j - 1;
    }
  }

  /** How a statement ends its block for good (`a break`), or undefined when control may go on. */
  private ends(s: ast.Statement): string | undefined {
    // A return is its block's last statement (anything after it is a syntax error, reported as such).
    if (s.kind === 'Return') return undefined;
    // Explicit stack: `if` inside `else` inside `if` may nest deep in generated code.
    const pending: ast.Statement[] = [s];
    let first: string | undefined;
    while (pending.length > 0) {
      const t = pending.pop()!;
      let how: string | undefined;
      switch (t.kind) {
        case 'Break': how = 'a break'; break;
        case 'Goto': how = 'a goto'; break;
        case 'Return': how = 'a return'; break;
        case 'CallStatement': how = this.endingCall(t.call); break;
        case 'Do': {
          const last = t.body.body[t.body.body.length - 1];
          if (!last) return undefined;
          pending.push(last);
          first ??= 'a do block that leaves';
          continue;
        }
        case 'If': {
          if (t.clauses.length === 0 || t.clauses[t.clauses.length - 1].condition) return undefined;
          for (const c of t.clauses) {
            const last = c.body.body[c.body.body.length - 1];
            if (!last) return undefined;
            pending.push(last);
          }
          first ??= 'an if whose every branch leaves';
          continue;
        }
        default: break;
      }
      if (how === undefined) return undefined;
      first ??= how;
    }
    return first;
  }

  private endingCall(call: ast.CallExpression): string | undefined {
    if (call.method) return undefined;
    const path = this.scope.pathOf(call.callee);
    if (!path) return undefined;
    const name = withoutEnvironment(path, this.scope.globalTableModified).join('.');
    if (name === 'error') return 'error(...)';
    if (name === 'os.exit') return 'os.exit(...)';
    return undefined;
  }

  // ---- assignment count ------------------------------------------------------------------------

  private assignmentCount(names: readonly ast.Expression[], values: readonly ast.Expression[], s: ast.Statement): void {
    const n = names.length;
    const m = values.length;
    if (m === 0 || n === 0 || m === n) return;
    const kind = s.kind === 'Local' ? 'local' : 'assignment';
    if (m > n) {
      const extra = m - n;
      this.add({ start: values[n].start, end: values[m - 1].end }, 'assignment-count',
        `${n} ${n === 1 ? 'name' : 'names'} but ${m} values: the last ${extra === 1 ? 'value is' : `${extra} values are`} evaluated and discarded`);
      return;
    }
    const last = values[m - 1];
    if (last.kind === 'Call' || last.kind === 'Vararg') return;
    const left = names.slice(m).map(describeTarget);
    this.add({ start: names[m].start, end: names[n - 1].end }, 'assignment-count',
      `${n} names but ${m} ${m === 1 ? 'value' : 'values'} in this ${kind}: ${left.join(', ')} ${left.length === 1 ? 'gets' : 'get'} nil`);
  }

  // ---- for direction ---------------------------------------------------------------------------

  private forDirection(s: ast.NumericForStatement): void {
    const initial = constantNumber(s.initial);
    const limit = constantNumber(s.limit);
    const step = s.step ? constantNumber(s.step) : 1;
    if (initial === undefined || limit === undefined || step === undefined) return;
    const range = { start: s.start, end: s.limit.end > (s.step?.end ?? 0) ? s.limit.end : s.step!.end };
    if (step === 0) {
      const what = initial < limit ? 'Lua 5.3 runs it zero times' : 'Lua 5.3 never ends it';
      this.add(range, 'for-direction', `this loop's step is 0: ${what}`);
    } else if (step > 0 ? initial > limit : initial < limit) {
      const dir = step > 0 ? `counts up from ${initial} but ${limit} is below` : `counts down from ${initial} but ${limit} is above`;
      this.add(range, 'for-direction', `this loop runs zero times: it ${dir}${step > 0 && !s.step ? ' (write a step of -1 to count down)' : ''}`);
    }
  }
}

// ---- existence tests ---------------------------------------------------------------------------

/**
 * Where the script only tests whether a name exists, or uses it only where it was tested to. Built
 * once per script, on demand (only when a name is missing).
 */
export class ExistenceTests {
  private readonly tested = new Set<ast.Expression>();
  private readonly conditions = new Set<ast.Expression>();
  /** Ranges inside which a path (`setfenv`, `string.formt`) was tested to be truthy. */
  /** By the tested path's first name, in order of their starts. */
  private readonly guards = new Map<string, { start: number; end: number; path: readonly string[] }[]>();

  constructor(chunk: ast.Chunk, private readonly scope: ScopeInfo) {
    const stack: ast.Node[] = [chunk];
    const push = (child: ast.Node): void => { stack.push(child); };
    while (stack.length > 0) {
      const node = stack.pop()!;
      switch (node.kind) {
        case 'Name': case 'String': case 'Number': continue;
        case 'IfClause':
          if (node.condition) {
            this.condition(node.condition);
            this.guard(node.condition, node.body);
          }
          break;
        case 'While': this.condition(node.condition); this.guard(node.condition, node.body); break;
        case 'Repeat': this.condition(node.condition); break;
        case 'Binary':
          if (node.operator === 'or') this.condition(node.left);
          else if (node.operator === 'and') {
            this.condition(node.left);
            this.guard(node.left, node.right);
          } else if (node.operator === '==' || node.operator === '~=') {
            this.mark(node.left);
            this.mark(node.right);
          }
          break;
        case 'Unary': if (node.operator === 'not') this.condition(node.operand); break;
        case 'Call':
          // type(x) tells nil from the rest without failing.
          if (!node.method && node.args.length === 1 && node.callee.kind === 'Name' && node.callee.name === 'type'
            && this.scope.referenceOf(node.callee)?.binding === 'global') this.mark(node.args[0]);
          break;
        default: break;
      }
      forEachChild(node, push);
    }
    for (const list of this.guards.values()) list.sort((a, b) => a.start - b.start);
  }

  /**
   * Whether reading `path` at `node` can not fail for lack of the name at index `missing` (0: the
   * global itself; 1: a library's member): the read only tests it, or a test guards it.
   */
  covers(path: readonly string[], missing: number, node: ast.Expression): boolean {
    if (missing === path.length - 1 && this.tested.has(node)) return true;
    // A guard on the missing name or on a longer part of the path (`if string.gfind then`).
    for (const g of this.guards.get(path[0]) ?? []) {
      if (g.start > node.start) break;
      if (node.end > g.end || g.path.length <= missing || g.path.length > path.length) continue;
      let same = true;
      for (let i = 0; i < g.path.length && same; i++) same = g.path[i] === path[i];
      if (same) return true;
    }
    return false;
  }

  /** Marks what a condition tests: itself, through `not`, parentheses, `and` and `or`. */
  private condition(e: ast.Expression): void {
    const pending: ast.Expression[] = [e];
    while (pending.length > 0) {
      const n = pending.pop()!;
      // Each operand of a chain `a or b or …` is taken apart once (the walk meets every link).
      if (this.conditions.has(n)) continue;
      this.conditions.add(n);
      this.mark(n);
      const inner = unparen(n);
      if (inner.kind === 'Unary' && inner.operator === 'not') pending.push(inner.operand);
      else if (inner.kind === 'Binary' && (inner.operator === 'and' || inner.operator === 'or')) pending.push(inner.left, inner.right);
    }
  }

  private mark(e: ast.Expression): void {
    for (let n = e; ; n = n.expression) {
      this.tested.add(n);
      if (n.kind !== 'Paren') return;
    }
  }

  /** What `e` being truthy proves inside `region`: the paths tested by it and by `and`'s operands, `x ~= nil`. */
  private guard(e: ast.Expression, region: ast.Range): void {
    const pending: ast.Expression[] = [e];
    while (pending.length > 0) {
      const n = unparen(pending.pop()!);
      if (n.kind === 'Binary' && n.operator === 'and') {
        pending.push(n.left, n.right);
        continue;
      }
      let target: ast.Expression = n;
      if (n.kind === 'Binary' && n.operator === '~=') {
        if (n.right.kind === 'Nil') target = n.left;
        else if (n.left.kind === 'Nil') target = n.right;
        else continue;
      }
      target = unparen(target);
      if (target.kind !== 'Name' && target.kind !== 'Member' && target.kind !== 'Index') continue;
      const path = this.scope.pathOf(target);
      if (!path || path.length === 0) continue;
      const tested = withoutEnvironment(path, this.scope.globalTableModified);
      if (tested.length === 0) continue;
      const list = this.guards.get(tested[0]);
      const guard = { start: region.start, end: region.end, path: tested };
      if (list) list.push(guard);
      else this.guards.set(tested[0], [guard]);
    }
  }
}

/** `while 1 do`, `while "x" do`, `while true do`: a condition that is always true. */
export function isTruthyConstant(e: ast.Expression): boolean {
  const n = unparen(e);
  switch (n.kind) {
    case 'True': case 'Number': case 'String': case 'Table': case 'Function': return true;
    case 'Unary': return n.operator === 'not' && isFalsyConstant(n.operand);
    default: return false;
  }
}

/** `nil`, `false`, `not true`: a condition that is always false. */
export function isFalsyConstant(e: ast.Expression): boolean {
  const n = unparen(e);
  switch (n.kind) {
    case 'False': case 'Nil': return true;
    // `not not not … x` nests: a bounded depth is plenty.
    case 'Unary': return n.operator === 'not' && unparen(n.operand).kind !== 'Unary' && isTruthyConstant(n.operand);
    default: return false;
  }
}

// ---- helpers ---------------------------------------------------------------------------------

function unparen(e: ast.Expression): ast.Expression {
  let n = e;
  while (n.kind === 'Paren') n = n.expression;
  return n;
}

/** Read (or called) anywhere; a local `_ENV` is read through the free names that are its fields. */
function isRead(local: LocalVariable): boolean {
  if (local.fieldReferences && local.fieldReferences.length > 0) return true;
  const own = local.kind === 'function' ? (local.declaringNode as ast.LocalFunctionStatement).func : undefined;
  for (const r of local.references) {
    if (r.access === 'write') continue;
    // A local function's calls of itself do not make it used.
    if (own && r.node.start >= own.start && r.node.end <= own.end) continue;
    return true;
  }
  return false;
}

/** Whether a name declared after `local` in the same list is read (this one then holds a position). */
function laterRead(local: LocalVariable, names: readonly ast.Name[]): boolean {
  const i = names.indexOf(local.declaration!);
  if (i < 0) return false;
  for (const other of local.function.locals) {
    if (other.declaringNode === local.declaringNode && other.declaration && names.indexOf(other.declaration) > i && isRead(other)) return true;
  }
  return false;
}

/** Removing the expression changes nothing but the value: literals, names, functions, tables of those. */
function sideEffectFree(e: ast.Expression): boolean {
  const pending: ast.Expression[] = [e];
  while (pending.length > 0) {
    const n = pending.pop()!;
    switch (n.kind) {
      case 'Nil': case 'True': case 'False': case 'Number': case 'String': case 'Vararg': case 'Function': case 'Name': break;
      case 'Paren': pending.push(n.expression); break;
      case 'Table':
        for (const f of n.fields) {
          if (f.key && f.style === 'keyed') pending.push(f.key);
          pending.push(f.value);
        }
        break;
      default: return false;
    }
  }
  return true;
}

function describeTarget(e: ast.Expression): string {
  return e.kind === 'Name' ? `'${e.name}'` : 'a target';
}

function constantNumber(e: ast.Expression): number | undefined {
  let n = unparen(e);
  let sign = 1;
  if (n.kind === 'Unary' && n.operator === '-') {
    sign = -1;
    n = unparen(n.operand);
  }
  if (n.kind !== 'Number' || n.int64 !== undefined || Number.isNaN(n.value)) return undefined;
  return sign * n.value;
}

