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
// Bindings come from ScopeInfo; the statement checks share one iterative walk. The checker runs
// lint only on scripts that parse (error recovery leaves half-typed locals that would all be unused).
//
// `ExistenceTests` serves the checker: where a read only tests whether a global or a library
// member exists (`x or y`, `if x then`, `x == nil`, `type(x)`), or runs only when it does (inside
// `if x then … end`, the right of `x and …`), a missing name is no error.

import type * as ast from '../syntax/ast';
import { sourceSlice, type ParseResult } from '../syntax/parser';
import type { FunctionInfo, LocalVariable, ScopeInfo } from '../syntax/scope';
import { movedFinding, type Finding, type Fix } from './findings';
import { forEachChild, unparen } from '../syntax/visit';
import { withoutEnvironment } from './paths';
import { LUA53_LIBRARIES, LUA53_STDLIB } from '../contract/stdlib-names';

/** Appends the lint findings of a script to `findings`. */
export function lint(parsed: ParseResult, scope: ScopeInfo, findings: Finding[]): void {
  new Linter(parsed, scope, findings).run();
}

/**
 * What lint found in the functions nested in one top-level statement (offsets as of `start`), for
 * the analysis of an edited version that took the scopes over (the same main function): those
 * findings depend on the statement alone and on the main block's locals before it, which such an
 * edit leaves as they were. A shadowing finding names the hidden local's line, which an edit before
 * the statement may move: `lines` says which findings end with it and of which declaration.
 */
interface StatementLint {
  main: FunctionInfo;
  start: number;
  findings: readonly Finding[];
  lines: readonly LineNote[];
}

/** A shadowing finding (at `index` in its list) whose message is `prefix` and the line of `hidden`. */
interface LineNote { index: number; prefix: string; hidden: ast.Name }

const NO_FINDINGS: readonly Finding[] = [];
const NO_LINES: readonly LineNote[] = [];
const statementLint = new WeakMap<ast.Statement, StatementLint>();

/** The functions nested in one top-level statement, linted together (see StatementLint). */
interface Group {
  functions: FunctionInfo[];
  findings: Finding[];
  lines: LineNote[];
}

class Linter {
  /** Where findings go now: the main function's list or a group's. */
  private out: Finding[];

  constructor(private readonly parsed: ParseResult, private readonly scope: ScopeInfo, private readonly findings: Finding[]) {
    this.out = findings;
  }

  run(): void {
    // The main function is linted every time (its locals may be read by any statement); the
    // functions nested in a top-level statement that an edit left as it was give what they gave.
    const functions = this.scope.functions;
    const main = functions[0];
    const body = this.parsed.chunk.body.body;
    const fresh: Group[] = [];
    const order: { statement: ast.Statement; kept?: StatementLint; group?: Group }[] = [];
    let next = 1;
    for (const statement of body) {
      const from = next;
      while (next < functions.length && functions[next].node.start < statement.end) next++;
      if (next === from) continue;
      const kept = statementLint.get(statement);
      if (kept !== undefined && kept.main === main) {
        order.push({ statement, kept });
        continue;
      }
      const group: Group = { functions: functions.slice(from, next), findings: [], lines: [] };
      fresh.push(group);
      order.push({ statement, group });
    }
    // Functions past the last statement's end (none in a tree that parses): linted with the main one.
    const mainGroup: Group = { functions: [main, ...functions.slice(next)], findings: this.findings, lines: [] };
    const groups = [mainGroup, ...fresh];

    for (const group of groups) {
      this.out = group.findings;
      for (const f of group.functions) this.unused(f.locals);
    }
    this.shadowing(groups, fresh.length === order.length);
    for (const group of groups) {
      this.out = group.findings;
      for (const f of group.functions) this.statementChecks(f.node.body);
    }
    this.out = this.findings;

    const lineOf = (name: ast.Name): number => this.parsed.lineMap.positionAt(name.start).line + 1;
    for (const { statement, kept, group } of order) {
      if (group !== undefined) {
        this.findings.push(...group.findings);
        statementLint.set(statement, {
          main, start: statement.start,
          findings: group.findings.length === 0 ? NO_FINDINGS : group.findings.map((f) => movedFinding(f, 0)),
          lines: group.lines.length === 0 ? NO_LINES : group.lines,
        });
      } else if (kept !== undefined) {
        const delta = statement.start - kept.start;
        const at = this.findings.length;
        for (const f of kept.findings) this.findings.push(movedFinding(f, delta));
        for (const l of kept.lines) this.findings[at + l.index].message = `${l.prefix} (line ${lineOf(l.hidden)})`;
      }
    }
  }

  /** The statement checks of a function's blocks (nested functions' blocks are theirs). */
  private statementChecks(root: ast.Block): void {
    const blocks: ast.Block[] = [root];
    while (blocks.length > 0) {
      const block = blocks.pop()!;
      this.unreachable(block);
      for (const s of block.body) {
        switch (s.kind) {
          case 'Local': this.assignmentCount(s.names, s.values, s); break;
          case 'Assignment': this.assignmentCount(s.targets, s.values, s); break;
          case 'NumericFor': this.forDirection(s); blocks.push(s.body); break;
          case 'Do': case 'While': case 'Repeat': case 'GenericFor': blocks.push(s.body); break;
          case 'If': for (const c of s.clauses) blocks.push(c.body); break;
          default: break;
        }
      }
    }
  }

  private add(range: ast.Range, code: string, message: string, fixes?: Fix[]): void {
    this.out.push({ start: range.start, end: range.end, severity: 'warning', code, message, ...(fixes ? { fixes } : {}) });
  }

  // ---- unused ----------------------------------------------------------------------------------

  private unused(locals: readonly LocalVariable[]): void {
    for (const local of locals) {
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
    // Read: its lines, with the break before them and the two characters after (see sourceSlice).
    const length = this.parsed.source.length;
    const lines = this.parsed.lineMap;
    const from = Math.max(0, lines.lineStart(lines.positionAt(s.start).line) - 1);
    const to = Math.min(length, lines.lineStart(lines.positionAt(s.end).line + 1) + 1);
    const text = sourceSlice(this.parsed, from, to);
    const at = (i: number): string => text[i - from];
    let start = s.start;
    while (start > 0 && (at(start - 1) === ' ' || at(start - 1) === '\t')) start--;
    let end = s.end;
    while (end < length && (at(end) === ' ' || at(end) === '\t' || at(end) === ';')) end++;
    const lineStart = start === 0 || at(start - 1) === '\n';
    const lineEnd = end === length || at(end) === '\n' || at(end) === '\r';
    if (lineStart && lineEnd) {
      if (at(end) === '\r') end++;
      if (at(end) === '\n') end++;
      return { start, end, newText: '' };
    }
    return { start: s.start, end: s.end, newText: '' };
  }

  // ---- shadowing -------------------------------------------------------------------------------

  /**
   * The locals of `groups`' functions that hide a local of an enclosing block or function. Those
   * are the enclosing functions' locals or the main block's, which are all in the groups (the main
   * function's is the first). `all`: the groups hold every function.
   */
  private shadowing(groups: readonly Group[], all: boolean): void {
    const groupOf = new Map<FunctionInfo, Group>();
    for (const group of groups) for (const f of group.functions) groupOf.set(f, group);
    let locals: readonly LocalVariable[] = this.scope.locals;
    if (!all) {
      const some: LocalVariable[] = [];
      for (const group of groups) for (const f of group.functions) for (const local of f.locals) some.push(local);
      locals = some.sort((x, y) => x.id - y.id);
    }
    // Per name, the locals whose scope may still be open, innermost last. Locals come into scope
    // in order, and scopes nest, so one whose scope ended before a new one starts never returns.
    const open = new Map<string, LocalVariable[]>();
    for (const local of locals) {
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
      const prefix = `'${local.name}' shadows the ${what} '${hidden.name}'${where}`;
      const group = groupOf.get(local.function)!;
      this.out = group.findings;
      if (hidden.declaration) {
        group.lines.push({ index: group.findings.length, prefix, hidden: hidden.declaration });
        this.add(decl, 'shadowing', `${prefix} (line ${this.parsed.lineMap.positionAt(hidden.declaration.start).line + 1})`);
      } else {
        this.add(decl, 'shadowing', prefix);
      }
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
    // Most calls are of neither: tell by the name called (a local may stand for either, an alias).
    const callee = call.callee;
    if (callee.kind === 'Member' && callee.name.name !== 'exit' && callee.name.name !== 'error') return undefined;
    if (callee.kind === 'Name' && callee.name !== 'error') {
      const ref = this.scope.referenceOf(callee);
      if (!ref || ref.binding === 'global' || (ref.binding === 'local' && ref.local!.aliasOf === undefined)) return undefined;
    }
    const path = this.scope.pathOf(callee);
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
    // A call or `...` may give more values; `local a, b = nil` means all of them nil.
    if (last.kind === 'Call' || last.kind === 'Vararg' || last.kind === 'Nil') return;
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
  /** Code Lua 5.3 never runs: `if not table.unpack then …`, `if _VERSION == "Lua 5.1" then …`. */
  private readonly dead: ast.Range[] = [];
  /** Ranges inside which a path (`setfenv`, `string.formt`) was tested to exist, by its first name, in order of their starts. */
  private readonly guards = new Map<string, { start: number; end: number; path: readonly string[] }[]>();

  /** The main block's statements walked so far (each is walked when a question first falls in it). */
  private readonly walked = new Set<ast.Statement>();
  private unsorted = false;

  constructor(private readonly chunk: ast.Chunk, private readonly scope: ScopeInfo) {
    // `if not x then return end` in the main block guards the rest of it: the only facts that reach
    // from one top-level statement into others.
    const body = chunk.body.body;
    for (let i = 0; i < body.length; i++) {
      const s = body[i];
      if (s.kind === 'If') this.ifGuards(s, i + 1 < body.length ? { start: s.end, end: chunk.body.end } : undefined);
    }
    this.unsorted = true;
  }

  /** Walks the top-level statement that holds `node`, if not yet walked: what is asked of a script is usually in a few. */
  private prepare(node: ast.Range): void {
    const body = this.chunk.body.body;
    let lo = 0;
    let hi = body.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = body[mid];
      if (s.end < node.start) lo = mid + 1;
      else if (s.start > node.start) hi = mid - 1;
      else {
        if (!this.walked.has(s)) {
          this.walked.add(s);
          this.walk(s);
        }
        break;
      }
    }
    if (this.unsorted) {
      for (const list of this.guards.values()) list.sort((a, b) => a.start - b.start);
      this.unsorted = false;
    }
  }

  private walk(statement: ast.Statement): void {
    const stack: ast.Node[] = [statement];
    const push = (child: ast.Node): void => { stack.push(child); };
    while (stack.length > 0) {
      const node = stack.pop()!;
      switch (node.kind) {
        case 'Name': case 'String': case 'Number': continue;
        case 'Block':
          // `if not x then return end` guards the rest of the block.
          for (let i = 0; i < node.body.length; i++) {
            const s = node.body[i];
            if (s.kind === 'If') this.ifGuards(s, i + 1 < node.body.length ? { start: s.end, end: node.end } : undefined);
          }
          break;
        case 'If': this.deadBranches(node); break;
        case 'IfClause': if (node.condition) this.condition(node.condition); break;
        case 'While': this.condition(node.condition); this.guard(node.condition, node.body); break;
        case 'Repeat': this.condition(node.condition); break;
        case 'Binary':
          if (node.operator === 'or') {
            this.condition(node.left);
            // `table.unpack or unpack`: Lua 5.3 never reads the fallback.
            if (this.truthIn53(node.left) === true) this.dead.push(node.right);
            this.guard(node.left, node.right, false);
          } else if (node.operator === 'and') {
            this.condition(node.left);
            this.guard(node.left, node.right);
            // `_VERSION == "Lua 5.1" and setfenv(…)`: Lua 5.3 never gets to the right.
            if (this.truthIn53(node.left) === false) this.dead.push(node.right);
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
    this.unsorted = true;
  }

  /**
   * Whether reading `path` at `node` can not fail for lack of the name at index `missing` (0: the
   * global itself; 1: a library's member): the read only tests it, or a test guards it.
   */
  covers(path: readonly string[], missing: number, node: ast.Expression): boolean {
    this.prepare(node);
    if (missing === path.length - 1 && this.tested.has(node)) return true;
    if (this.unreached(node)) return true;
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

  /** The bodies of an `if` that Lua 5.3 never enters: after an always-true condition, or under an always-false one. */
  private deadBranches(s: ast.IfStatement): void {
    let taken = false;
    for (const c of s.clauses) {
      if (taken) {
        this.dead.push(c);
        continue;
      }
      const truth = c.condition ? this.truthIn53(c.condition) : undefined;
      if (truth === false) this.dead.push(c.body);
      else if (truth === true) taken = true;
    }
  }

  /**
   * Whether a condition is always true or always false under Lua 5.3's standard library (whose
   * names exist, and whose `_VERSION` is "Lua 5.3"); undefined when that does not decide it.
   */
  private truthIn53(e: ast.Expression, depth = 0): boolean | undefined {
    // Both sides of and/or are looked at: a small depth keeps that cheap on any tree.
    if (depth > 8) return undefined;
    const n = unparen(e);
    switch (n.kind) {
      case 'Name': case 'Member': case 'Index': {
        // `require("table").unpack`: a library reached through require.
        if (n.kind === 'Member') {
          const library = requiredLibrary(unparen(n.object));
          if (library !== undefined) return LUA53_STDLIB.has(`${library}.${n.name.name}`) ? true : undefined;
        }
        const path = this.scope.pathOf(n);
        if (!path) return undefined;
        return LUA53_STDLIB.has(withoutEnvironment(path, this.scope.globalTableModified).join('.')) ? true : undefined;
      }
      case 'Unary': {
        if (n.operator !== 'not') return undefined;
        const inner = this.truthIn53(n.operand, depth + 1);
        return inner === undefined ? undefined : !inner;
      }
      case 'Binary': {
        if (n.operator === 'and' || n.operator === 'or') {
          const left = this.truthIn53(n.left, depth + 1);
          const right = this.truthIn53(n.right, depth + 1);
          if (n.operator === 'and') return left === false || right === false ? false : left === true && right === true ? true : undefined;
          return left === true || right === true ? true : left === false && right === false ? false : undefined;
        }
        if (n.operator !== '==' && n.operator !== '~=') return undefined;
        const equal = this.equalIn53(unparen(n.left), unparen(n.right), depth) ?? this.equalIn53(unparen(n.right), unparen(n.left), depth);
        return equal === undefined ? undefined : n.operator === '==' ? equal : !equal;
      }
      case 'Call': {
        // `_VERSION:find("5.1")`, `_VERSION:match "5%.2"`
        if (!n.method || (n.method.name !== 'find' && n.method.name !== 'match') || n.args.length !== 1 || n.args[0].kind !== 'String') return undefined;
        if (!this.isVersion(n.callee)) return undefined;
        const text = n.args[0].value;
        return /5%?\.[0-24-9]/.test(text) && !text.includes('5.3') ? false : undefined;
      }
      default: return undefined;
    }
  }

  /** `x == nil` for a standard name, `_VERSION == "Lua 5.1"`. */
  private equalIn53(a: ast.Expression, b: ast.Expression, depth: number): boolean | undefined {
    if (b.kind === 'Nil') return this.truthIn53(a, depth + 1) === true ? false : undefined;
    if (b.kind === 'String' && this.isVersion(a)) return b.value === 'Lua 5.3';
    return undefined;
  }

  private isVersion(e: ast.Expression): boolean {
    const path = e.kind === 'Name' || e.kind === 'Member' || e.kind === 'Index' ? this.scope.pathOf(e) : undefined;
    return path !== undefined && withoutEnvironment(path, this.scope.globalTableModified).join('.') === '_VERSION';
  }

  /** Whether Lua 5.3 never evaluates `node` (a fallback after a standard name, a branch for another version). */
  unreached(node: ast.Range): boolean {
    this.prepare(node);
    for (const d of this.dead) if (d.start <= node.start && node.end <= d.end) return true;
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

  /**
   * What `e` being truthy (or, with `truthy` false, falsy) proves inside `region`: that the paths
   * it tests exist. Truthy: `x`, `x ~= nil`, `type(x) == "table"`, both sides of `and`. Falsy:
   * `not x`, `x == nil`, `type(x) ~= "table"`, both sides of `or`.
   */
  private guard(e: ast.Expression, region: ast.Range, truthy = true): void {
    const pending: ast.Expression[] = [e];
    const signs: boolean[] = [truthy];
    // A long chain `a and b and …` is taken apart at every link: a bound keeps that linear.
    for (let budget = 64; pending.length > 0 && budget > 0; budget--) {
      const n = unparen(pending.pop()!);
      const sign = signs.pop()!;
      let target: ast.Expression | undefined;
      if (n.kind === 'Binary') {
        if (n.operator === (sign ? 'and' : 'or')) {
          pending.push(n.left, n.right);
          signs.push(sign, sign);
          continue;
        }
        const left = unparen(n.left);
        const right = unparen(n.right);
        // `x ~= nil` true, `x == nil` false; `type(x) == "table"` true, `type(x) ~= "table"` false.
        if (n.operator === (sign ? '~=' : '==')) {
          if (right.kind === 'Nil') target = left;
          else if (left.kind === 'Nil') target = right;
        } else if (n.operator === (sign ? '==' : '~=')) {
          if (right.kind === 'String' && right.value !== 'nil') target = typeArgument(left);
          else if (left.kind === 'String' && left.value !== 'nil') target = typeArgument(right);
        }
      } else if (n.kind === 'Unary' && n.operator === 'not') {
        pending.push(n.operand);
        signs.push(!sign);
        continue;
      } else if (sign) {
        target = n;
      }
      if (!target) continue;
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

  /** Inside each clause of an `if`, the earlier conditions were false; after one whose every clause leaves, all were. */
  private ifGuards(s: ast.IfStatement, after: ast.Range | undefined): void {
    const clauses = s.clauses;
    for (let i = 0; i < clauses.length; i++) {
      const c = clauses[i];
      if (!c.condition) continue;
      this.guard(c.condition, c.body);
      if (i + 1 < clauses.length) this.guard(c.condition, { start: clauses[i + 1].start, end: s.end }, false);
    }
    if (after && clauses.length > 0 && clauses.every((c) => c.condition && leaves(c.body))) {
      for (const c of clauses) this.guard(c.condition!, after, false);
    }
  }
}

/** `x` of `type(x)`. */
function typeArgument(e: ast.Expression): ast.Expression | undefined {
  return e.kind === 'Call' && !e.method && e.callee.kind === 'Name' && e.callee.name === 'type' && e.args.length === 1 ? e.args[0] : undefined;
}

/** A block whose last statement leaves it: `return`, `break`, `goto`, `error(...)`. */
function leaves(block: ast.Block): boolean {
  const last = block.body[block.body.length - 1];
  if (!last) return false;
  if (last.kind === 'Return' || last.kind === 'Break' || last.kind === 'Goto') return true;
  return last.kind === 'CallStatement' && !last.call.method && last.call.callee.kind === 'Name' && last.call.callee.name === 'error';
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


/** `require("string")`, `require "table"`: the standard library it loads (undefined for anything else). */
function requiredLibrary(e: ast.Expression): string | undefined {
  if (e.kind !== 'Call' || e.method || e.callee.kind !== 'Name' || e.callee.name !== 'require' || e.args.length !== 1) return undefined;
  const arg = e.args[0];
  return arg.kind === 'String' && Object.prototype.hasOwnProperty.call(LUA53_LIBRARIES, arg.value) ? arg.value : undefined;
}
