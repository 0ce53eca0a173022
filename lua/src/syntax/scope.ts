// Scopes and bindings of a Lua 5.3 chunk (manual §3.5): which declaration every variable name
// refers to — a local of its own function, an upvalue (a local of an enclosing function) or a field
// of `_ENV` — and, on top of that, the global paths (`os.execute`, `io.popen`) that expressions
// denote, seen through aliases (`local x = os; x.execute`), `_G` and `_ENV`.
//
// One pass over the tree resolves names, with an explicit stack (chains such as `1+1+…` or
// `a.b.b…` are legal at any length). It also records the "chain tops": the expressions whose value is
// used as a whole (not only indexed further). A second pass over those tops, in source order,
// computes global paths; it runs after the first because an alias must never be reassigned, which
// is known only once the whole chunk has been seen.
//
// Scope ranges serve "which locals are visible here" (completion). A local is visible to a name
// that STARTS at offset N when `scope.start <= N <= scope.end`: from the end of its declaration to
// the end of the construct that holds its block, closing keyword included. When that keyword is
// missing (code being typed), the scope runs to the end of the enclosing one instead.

import * as ast from './ast';
import { replaceRange } from './lists';

export type LocalKind = 'local' | 'param' | 'for' | 'function' | 'self';
export type Access = 'read' | 'write' | 'call';

/**
 * What a variable name refers to:
 * - `local`: a local variable (of this function, or an upvalue when `Reference.upvalue`);
 * - `global`: a field of the chunk's `_ENV` (a global variable);
 * - `env`: the name `_ENV` itself, meaning the chunk's environment (the main function's upvalue);
 * - `env-field`: a free name while a local named `_ENV` is visible — a field of that local (in
 *   `Reference.env`), not a global of the chunk.
 */
export type Binding = 'local' | 'global' | 'env' | 'env-field';

export interface FunctionInfo {
  /** The function expression, or the chunk for the main function. */
  node: ast.FunctionExpression | ast.Chunk;
  parent: FunctionInfo | undefined;
  /** Locals declared directly in this function, in the order they come into scope (`self`, params first). */
  locals: LocalVariable[];
  /**
   * Upvalues in luac's order (order of first need, counting needs of nested functions). `local` is
   * undefined for the chunk's `_ENV` (always the main function's first upvalue).
   */
  upvalues: Upvalue[];
}

export interface Upvalue {
  name: string;
  local: LocalVariable | undefined;
}

export type DeclaringNode =
  | ast.LocalStatement | ast.LocalFunctionStatement | ast.FunctionExpression | ast.FunctionStatement
  | ast.NumericForStatement | ast.GenericForStatement;

export interface LocalVariable {
  /** Index in `ScopeInfo.locals` (the order locals come into scope). */
  id: number;
  name: string;
  kind: LocalKind;
  /** The declaring name; undefined only for the implicit `self` of `function t:m()`. */
  declaration: ast.Name | undefined;
  /**
   * `Local` for `local`, `LocalFunction` for `function`, `Function` for `param`, `NumericFor` or
   * `GenericFor` for `for`, and the `FunctionStatement` (whose target ends with the method name) for `self`.
   */
  declaringNode: DeclaringNode;
  function: FunctionInfo;
  /** Offsets where a name starting there sees this local (both ends included; see the file comment). */
  scope: ast.Range;
  /** Every occurrence of the name that refers to it, in source order (the declaration excluded). */
  references: Reference[];
  /** Assigned somewhere after its declaration. */
  written: boolean;
  /** Referenced from a function nested in the one that declares it. */
  captured: boolean;
  /** For `local` kind: the expression that gives its initial value, when one does (`values[i]`). */
  initializer: ast.Expression | undefined;
  /** The global path this local stands for: declared from a path and never reassigned (`local x = os`). */
  aliasOf: readonly string[] | undefined;
  /** For a local named `_ENV`: the free names that are its fields (which are not in `references`). */
  fieldReferences?: Reference[];
}

export interface Reference {
  node: ast.Name;
  access: Access;
  binding: Binding;
  /** The variable, for binding `local`. */
  local: LocalVariable | undefined;
  /** The local `_ENV` whose field this is, for binding `env-field`. */
  env: LocalVariable | undefined;
  /**
   * The variable (or, for `env-field`, the `_ENV` local) is reached as an upvalue: it belongs to an
   * enclosing function. Always true for `env`, false for `global`.
   */
  upvalue: boolean;
}

export interface GlobalPathUse {
  /** The global path, e.g. `['os', 'execute']`; `[]` is the global table itself (`_G`, `_ENV`). */
  path: readonly string[];
  /**
   * The expression that denotes the path (the longest one in its chain that does); for a method call
   * `a.b:c()` the method `Name`; with `dynamicKey`, the `Index` whose key is not constant.
   */
  node: ast.Expression;
  access: Access;
  /** `node` indexes `path` with a key that is not a constant string (`_G[name]`). */
  dynamicKey?: true;
  /** For access `call`: the call. */
  call?: ast.CallExpression;
  /** The local the path was reached through, when it was (an alias, or a local `_ENV`). */
  via?: LocalVariable;
}

export interface NameOccurrence {
  name: ast.Name;
  /** Set when the name declares a local. */
  local: LocalVariable | undefined;
  /** Set when the name refers to a variable. */
  reference: Reference | undefined;
}

export interface ScopeInfo {
  chunk: ast.Chunk;
  /** The main function first, then nested functions in source order (luac's listing order). */
  functions: FunctionInfo[];
  /** Every local, in the order they come into scope. */
  locals: LocalVariable[];
  /** Every variable reference, in source order. */
  references: Reference[];
  /** References with binding `global`, by name. */
  globals: Map<string, Reference[]>;
  /** Every use of a statically known global path, in source order. */
  uses: GlobalPathUse[];
  /**
   * The chunk assigns the global `_G` (`_G = …`, `_ENV._G = …`); `_G` is then an ordinary global
   * rather than the path root.
   */
  globalTableModified: boolean;
  /** The reference made by this `Name`, if it is a variable reference. */
  referenceOf(name: ast.Name): Reference | undefined;
  /** The local declared by this `Name`, if it declares one. */
  declarationOf(name: ast.Name): LocalVariable | undefined;
  /** The variable name (declaration or reference) at an offset, a cursor just after it included. */
  nameAt(offset: number): NameOccurrence | undefined;
  /**
   * The locals visible to a name starting at `offset` (pass the start of the word being completed),
   * shadowed ones left out, in the order they came into scope.
   */
  localsAt(offset: number): LocalVariable[];
  /** The global path an expression denotes, if statically known (dynamic keys give none). */
  pathOf(expression: ast.Expression): readonly string[] | undefined;
  /**
   * The same object for an analysis and those that took it over after edits (`analyze`'s
   * `previous`), a new one for a fresh analysis: where the lineage is the same, the names of the
   * statements an edit left resolve as they did (the same locals, moved).
   */
  readonly lineage: object;
}

/**
 * The local each declaring name was last declared as (by the analysis that last walked it):
 * `declarationOf` answers from it when that local is still the one its analysis holds there, so
 * that the type analysis's lookup of each `local` statement's names costs no binary search over
 * every declaration of the file (one kept across an edit's takeover, for the names it leaves).
 */
const declaredBy = new WeakMap<ast.Name, LocalVariable>();

/** The index of the first of `references[0..count)` (in source order) that starts at `offset` or after. */
export function firstStartingAt(references: readonly Reference[], offset: number, count: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (references[mid].node.start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The first `count` of `list` (references in source order: those of the statements before an
 * edit's, which start before `prefixEnd`, then the old edited statements' (`old`), then those of
 * the statements after) with the old edited statements' run replaced by `added` (in source order,
 * all between the two): found by a binary search and a scan of the run, where filtering and
 * sorting read the whole list (a name every function uses has thousands).
 */
function replaceRun(list: readonly Reference[], count: number, prefixEnd: number, old: ReadonlySet<Reference>, added: readonly Reference[]): Reference[] {
  const lo = firstStartingAt(list, prefixEnd, count);
  let end = lo;
  while (end < count && old.has(list[end])) end++;
  const out = list.slice(0, lo);
  for (const r of added) out.push(r);
  for (let i = end; i < count; i++) out.push(list[i]);
  return out;
}

/** A local declared from an expression that may denote a path (it must also never be reassigned). */
function mayAlias(local: LocalVariable): boolean {
  const init = local.initializer;
  return local.kind === 'local' && init !== undefined
    && (init.kind === 'Name' || init.kind === 'Member' || init.kind === 'Index' || init.kind === 'Paren');
}

/**
 * Resolves every name of the chunk. Never throws on trees with error nodes.
 *
 * `previous`: the scopes of the parse that `chunk`'s incremental parse took over (issue 16). When
 * the edit left the main block's first and last statements as they were, and the statements between
 * declare the same locals of the main block as before (names, kinds and order; an alias standing
 * for the same path), only those are walked again and the rest is taken over (moved as the parse
 * moved their nodes; the locals declared again are the same objects). The result is exactly a fresh
 * analysis's; `previous` is spent (its objects now belong to the result).
 */
export function analyze(chunk: ast.Chunk, previous?: ScopeInfo): ScopeInfo {
  if (previous instanceof Analyzer) {
    if (previous.chunk === chunk) return previous;
    const taken = previous.takenOverBy(chunk);
    if (taken) return taken;
  }
  return analyzeInSlices(chunk).step(() => true)!;
}

/**
 * A fresh analysis made a slice at a time (`analyzeInSlices`): `step(keepGoing)` walks on while
 * `keepGoing()` says there is time (asked before each statement of the main block), and gives the
 * scopes once every name is resolved (undefined until then). The result is `analyze`'s.
 */
export interface ScopeTask {
  step(keepGoing: () => boolean): ScopeInfo | undefined;
}

export function analyzeInSlices(chunk: ast.Chunk): ScopeTask {
  const analyzer = new Analyzer(chunk);
  analyzer.beginNames();
  let done = false;
  return {
    step(keepGoing) {
      if (done) return analyzer;
      if (!analyzer.walkNames(keepGoing)) return undefined;
      analyzer.computePaths();
      analyzer.releaseWalkState();
      done = true;
      return analyzer;
    },
  };
}

/**
 * Where each statement of the main block starts in the analysis's lists (one entry per statement,
 * then the lists' lengths): what an edit's analysis takes over statement by statement.
 */
interface StatementMarks {
  references: number[];
  locals: number[];
  functions: number[];
  uses: number[];
  /** Chain tops (pass 1's, for pass 2). */
  tops: number[];
}

/** The marks of a finished analysis, packed (an open document keeps them). */
interface PackedMarks {
  references: Int32Array;
  locals: Int32Array;
  functions: Int32Array;
  uses: Int32Array;
}

// ---- the walk ---------------------------------------------------------------------------------

const enum Op {
  Statement,
  /** The callee of a non-method call (the node is the call). */
  Callee,
  /** Opens a scope that ends where the `ends` stack says. */
  EnterScope,
  LeaveScope,
  /** Brings a `local` statement's names into scope (after its values). */
  DeclareLocals,
  /** Opens a for loop's scope (its end on the `ends` stack) and declares its variables. */
  DeclareFor,
  /** A function expression. */
  Function,
  /** The function of a `FunctionStatement` (which declares `self` when it is a method). */
  FunctionOf,
  LeaveFunction,
  /** An expression: `Expression + Ctx`, so that the context needs no stack of its own. */
  Expression = 16,
}

const enum Ctx {
  Read = 0,
  Write = 1,
  Call = 2,
  AccessMask = 3,
  /** The expression's value is used as a whole: a chain top, whose global path matters. */
  Top = 4,
}

const ACCESS: Access[] = ['read', 'write', 'call'];
const ROOT: readonly string[] = Object.freeze([]);
const DYNAMIC = -1;
const NOT_A_NAME = -2;
/** Paths up to this long are shared (one array per distinct path). */
const SHARED_PATH_LENGTH = 8;
/** Past this many upvalues a function tracks them in a set rather than by scanning. */
const UPVALUE_SCAN_LIMIT = 32;

class Analyzer implements ScopeInfo {
  functions: FunctionInfo[] = [];
  locals: LocalVariable[] = [];
  references: Reference[] = [];
  globals = new Map<string, Reference[]>();
  // Filled during the walk (a prototype-less object is the faster dictionary here), copied to `globals`.
  private readonly globalRefs: Record<string, Reference[] | undefined> = Object.create(null);
  uses: GlobalPathUse[] = [];
  globalTableModified = false;
  lineage: object = {};
  private marks: StatementMarks = { references: [], locals: [], functions: [], uses: [], tops: [] };
  private packed: PackedMarks | undefined;
  /** The main block's statements the walk marks (from `firstMarked`; see `StatementMarks`). */
  private firstMarked = 0;

  // The explicit stack: parallel arrays of operation and node, and the scope ends that
  // EnterScope and DeclareFor take (pushed and popped in the same LIFO order as their operations).
  private readonly ops: number[] = [];
  private readonly nodes: (ast.Node | undefined)[] = [];
  private readonly ends: number[] = [];

  // Visible locals, innermost last; `shadowed[i]` is what `active[i]` hides (restored on leaving).
  private readonly active: LocalVariable[] = [];
  private readonly shadowed: (LocalVariable | undefined)[] = [];
  // The visible local of each name. A prototype-less object: names are few and looked up often,
  // which V8 serves faster than a Map; leaving a scope sets entries back rather than deleting.
  private readonly byName: Record<string, LocalVariable | undefined> = Object.create(null);
  private readonly scopeMarks: number[] = [];
  private readonly scopeEnds: number[] = [];
  private fn!: FunctionInfo;
  /** How many visible locals are named `_ENV` (usually none, which saves a lookup per free name). */
  private envLocals = 0;
  private upvalueSets: Map<FunctionInfo, Set<LocalVariable | undefined>> | undefined;
  /**
   * An edit's walk (`takenOverBy`): the main block's locals the replaced statements declared, in
   * order, which the new statements' declarations of the same names and kinds take over (the
   * statements after keep referring to them); `reused` counts those taken, `reuseFailed` is set
   * when a declaration does not match.
   */
  private reusable: LocalVariable[] | undefined;
  private reuseIn: FunctionInfo | undefined;
  private reused = 0;
  private reuseFailed = false;

  // Chain tops, in source order: the expression, its access, its call (for callees), and the index
  // of the first reference made inside it (its base name's, when the base is a name).
  private readonly tops: ast.Expression[] = [];
  private readonly topAccess: Ctx[] = [];
  private readonly topCalls: (ast.CallExpression | undefined)[] = [];
  private readonly topFirstRef: number[] = [];

  // Scratch state of `chain` (arrays reused, with their own lengths).
  private readonly spine: ast.Expression[] = [];
  private readonly keys: string[] = [];
  private keyCount = 0;
  private prefix: readonly string[] = ROOT;
  private maximal = 0;
  private dynamic = false;
  private via: LocalVariable | undefined;

  /** Paths are shared: one array per distinct path, reached from its parent path by key. */
  private readonly pathChildren = new Map<readonly string[], Map<string, readonly string[]>>();
  private sortedReferences: Reference[] | undefined;
  /**
   * The starts of the names of `sortedReferences`, in a list of their own once there are
   * STARTS_FROM of them: a search through the nodes reads another object at every step (a miss of
   * the processor's cache each time, on a long file), a search through these reads one array.
   */
  private referenceStarts: Int32Array | undefined;
  private sortedDeclarations: LocalVariable[] | undefined;

  constructor(readonly chunk: ast.Chunk) {}

  // ---- pass 1: names ----------------------------------------------------------------------------

  /** Sets the walk up over the whole chunk, which `walkNames` makes. */
  beginNames(): void {
    const chunk = this.chunk;
    const main: FunctionInfo = { node: chunk, parent: undefined, locals: [], upvalues: [{ name: '_ENV', local: undefined }] };
    this.functions.push(main);
    this.fn = main;
    this.enterScope(chunk.end);
    this.push(Op.LeaveScope, undefined);
    this.pushStatements(chunk.body);
  }

  /**
   * Walks on (see beginNames) while `keepGoing()` says so, asked before each statement of the main
   * block; true when every name is resolved.
   */
  walkNames(keepGoing: () => boolean): boolean {
    if (!this.walk(this.chunk.body.body.length, keepGoing)) return false;
    for (const name in this.globalRefs) this.globals.set(name, this.globalRefs[name]!);
    return true;
  }

  /**
   * Runs the walk's stack to the end, marking the main block's statements up to `end` (exclusive).
   * False when `keepGoing` said no before one of them: the walk stopped there, and the next call
   * goes on from it.
   */
  private walk(end: number, keepGoing?: () => boolean): boolean {
    const { ops, nodes, marks } = this;
    const body = this.chunk.body.body;
    let next = this.firstMarked;
    while (ops.length > 0) {
      const op = ops.pop()!;
      const node = nodes.pop();
      if (op >= Op.Expression) {
        this.expression(node as ast.Expression, op - Op.Expression);
        continue;
      }
      switch (op as Op) {
        case Op.Statement:
          if (next < end && node === body[next]) {
            if (keepGoing !== undefined && !keepGoing()) {
              ops.push(op);
              nodes.push(node);
              this.firstMarked = next;
              return false;
            }
            next++;
            this.mark();
          }
          this.statement(node as ast.Statement);
          break;
        case Op.Callee: {
          const call = node as ast.CallExpression;
          this.addTop(call.callee, Ctx.Call, call, this.references.length);
          this.expression(call.callee, Ctx.Call);
          break;
        }
        case Op.EnterScope: this.enterScope(this.ends.pop()!); break;
        case Op.LeaveScope: this.leaveScope(); break;
        case Op.DeclareLocals: {
          const s = node as ast.LocalStatement;
          for (let i = 0; i < s.names.length; i++) {
            const local = this.declare(s.names[i], 'local', s, s.end);
            if (local && i < s.values.length) local.initializer = s.values[i];
          }
          break;
        }
        case Op.DeclareFor: {
          this.enterScope(this.ends.pop()!);
          const loop = node as ast.NumericForStatement | ast.GenericForStatement;
          if (loop.kind === 'NumericFor') {
            this.declare(loop.variable, 'for', loop, (loop.step ?? loop.limit).end);
          } else {
            const { iterators, variables } = loop;
            const start = iterators.length > 0 ? iterators[iterators.length - 1].end : variables[variables.length - 1].end;
            for (const v of variables) this.declare(v, 'for', loop, start);
          }
          break;
        }
        case Op.Function: this.enterFunction(node as ast.FunctionExpression, undefined); break;
        case Op.FunctionOf: {
          const s = node as ast.FunctionStatement;
          this.enterFunction(s.func, s.isMethod ? s : undefined);
          break;
        }
        case Op.LeaveFunction:
          this.leaveScope();
          this.fn = this.fn.parent!;
          break;
      }
    }
    this.mark();
    return true;
  }

  /** Notes where the next statement of the main block starts in the lists (the last call: their lengths). */
  private mark(): void {
    const m = this.marks;
    m.references.push(this.references.length);
    m.locals.push(this.locals.length);
    m.functions.push(this.functions.length);
    m.tops.push(this.tops.length);
  }

  private push(op: number, node: ast.Node | undefined): void {
    this.ops.push(op);
    this.nodes.push(node);
  }

  /** Pushes an operation that opens a scope ending at `end`. */
  private pushScope(op: Op.EnterScope | Op.DeclareFor, node: ast.Node | undefined, end: number): void {
    this.ops.push(op);
    this.nodes.push(node);
    this.ends.push(end);
  }

  /** Pushes a block's statements so that they pop in source order. */
  private pushStatements(block: ast.Block): void {
    const body = block.body;
    for (let i = body.length - 1; i >= 0; i--) this.push(Op.Statement, body[i]);
  }

  private pushExpressions(list: ast.Expression[], ctx: Ctx): void {
    for (let i = list.length - 1; i >= 0; i--) this.push(Op.Expression + ctx, list[i]);
  }

  /** Where a scope ends: the construct's end if its closing keyword is there, else the enclosing scope's end. */
  private scopeEnd(construct: ast.Range, body: ast.Range): number {
    // Without its closing keyword a construct ends where its body does (both at the last token read).
    return construct.end > body.end ? construct.end : this.scopeEnds[this.scopeEnds.length - 1];
  }

  private statement(s: ast.Statement): void {
    switch (s.kind) {
      case 'Local':
        this.push(Op.DeclareLocals, s);
        this.pushExpressions(s.values, Ctx.Read | Ctx.Top);
        return;
      case 'Assignment':
        this.pushExpressions(s.values, Ctx.Read | Ctx.Top);
        this.pushExpressions(s.targets, Ctx.Write | Ctx.Top);
        return;
      case 'CallStatement':
        this.push(Op.Expression + Ctx.Read, s.call);
        return;
      case 'Do':
        this.enterScope(this.scopeEnd(s, s.body));
        this.push(Op.LeaveScope, undefined);
        this.pushStatements(s.body);
        return;
      case 'While':
        this.push(Op.LeaveScope, undefined);
        this.pushStatements(s.body);
        this.pushScope(Op.EnterScope, undefined, this.scopeEnd(s, s.body));
        this.push(Op.Expression + (Ctx.Read | Ctx.Top), s.condition);
        return;
      case 'Repeat':
        // The body's locals are visible in the condition.
        this.enterScope(this.scopeEnd(s, s.body));
        this.push(Op.LeaveScope, undefined);
        this.push(Op.Expression + (Ctx.Read | Ctx.Top), s.condition);
        this.pushStatements(s.body);
        return;
      case 'If': {
        const clauses = s.clauses;
        for (let i = clauses.length - 1; i >= 0; i--) {
          const clause = clauses[i];
          const end = i + 1 < clauses.length ? clauses[i + 1].start : this.scopeEnd(s, clause.body);
          this.push(Op.LeaveScope, undefined);
          this.pushStatements(clause.body);
          this.pushScope(Op.EnterScope, undefined, end);
          if (clause.condition) this.push(Op.Expression + (Ctx.Read | Ctx.Top), clause.condition);
        }
        return;
      }
      case 'NumericFor':
        this.push(Op.LeaveScope, undefined);
        this.pushStatements(s.body);
        this.pushScope(Op.DeclareFor, s, this.scopeEnd(s, s.body));
        if (s.step) this.push(Op.Expression + (Ctx.Read | Ctx.Top), s.step);
        this.push(Op.Expression + (Ctx.Read | Ctx.Top), s.limit);
        this.push(Op.Expression + (Ctx.Read | Ctx.Top), s.initial);
        return;
      case 'GenericFor':
        this.push(Op.LeaveScope, undefined);
        this.pushStatements(s.body);
        this.pushScope(Op.DeclareFor, s, this.scopeEnd(s, s.body));
        this.pushExpressions(s.iterators, Ctx.Read | Ctx.Top);
        return;
      case 'FunctionStatement':
        // The name is resolved outside the function; `function f` assigns f (a global unless a local f is visible).
        this.push(Op.FunctionOf, s);
        this.push(Op.Expression + (Ctx.Write | Ctx.Top), s.target);
        return;
      case 'LocalFunction':
        // Unlike `local f = function`, f is visible in its own body.
        this.declare(s.name, 'function', s, s.name.end);
        this.push(Op.Function, s.func);
        return;
      case 'Return':
        this.pushExpressions(s.values, Ctx.Read | Ctx.Top);
        return;
      case 'ErrorStatement':
        if (s.expression) this.push(Op.Expression + (Ctx.Read | Ctx.Top), s.expression);
        return;
      case 'Break': case 'Goto': case 'Label':
        // Labels live in their own namespace: they bind no variable.
        return;
    }
  }

  private expression(e: ast.Expression, ctx: Ctx): void {
    const access = ctx & Ctx.AccessMask;
    // What a chain passes down to its object: a call of `a.b.c` counts as a call for `a`; an
    // assignment to `a.b` only reads `a`.
    const down = access === Ctx.Call ? Ctx.Call : Ctx.Read;
    switch (e.kind) {
      case 'Name': {
        const ref = this.resolve(e, access);
        // A local that can never stand for a path (see computePaths) makes no chain top.
        if (ctx & Ctx.Top && ref && (ref.binding !== 'local' || mayAlias(ref.local!))) this.addTop(e, access, undefined, this.references.length - 1);
        return;
      }
      case 'Member':
        if (ctx & Ctx.Top) this.addTop(e, access, undefined, this.references.length);
        if (access === Ctx.Write && e.name.name === '_G') this.noteGlobalTableWrite(e.object);
        this.push(Op.Expression + down, e.object);
        return;
      case 'Index':
        if (ctx & Ctx.Top) this.addTop(e, access, undefined, this.references.length);
        if (access === Ctx.Write && e.index.kind === 'String' && e.index.value === '_G') this.noteGlobalTableWrite(e.object);
        this.push(Op.Expression + (Ctx.Read | Ctx.Top), e.index);
        this.push(Op.Expression + down, e.object);
        return;
      case 'Paren':
        if (ctx & Ctx.Top) this.addTop(e, access, undefined, this.references.length);
        this.push(Op.Expression + down, e.expression);
        return;
      case 'Call':
        this.pushExpressions(e.args, Ctx.Read | Ctx.Top);
        if (e.method) {
          // `a.b:m()` calls the path `a.b.m`: the call itself is the chain top.
          this.addTop(e, Ctx.Call, e, this.references.length);
          this.push(Op.Expression + Ctx.Call, e.callee);
        } else {
          this.push(Op.Callee, e);
        }
        return;
      case 'Function':
        this.push(Op.Function, e);
        return;
      case 'Binary':
        this.push(Op.Expression + (Ctx.Read | Ctx.Top), e.right);
        this.push(Op.Expression + (Ctx.Read | Ctx.Top), e.left);
        return;
      case 'Unary':
        this.push(Op.Expression + (Ctx.Read | Ctx.Top), e.operand);
        return;
      case 'Table': {
        const fields = e.fields;
        for (let i = fields.length - 1; i >= 0; i--) {
          const field = fields[i];
          this.push(Op.Expression + (Ctx.Read | Ctx.Top), field.value);
          // A named field's key is a string, not a variable.
          if (field.style === 'keyed' && field.key) this.push(Op.Expression + (Ctx.Read | Ctx.Top), field.key);
        }
        return;
      }
      case 'Nil': case 'True': case 'False': case 'Vararg': case 'Number': case 'String': case 'ErrorExpression':
        return;
    }
  }

  private addTop(e: ast.Expression, access: Ctx, call: ast.CallExpression | undefined, firstRef: number): void {
    this.tops.push(e);
    this.topAccess.push(access);
    this.topCalls.push(call);
    this.topFirstRef.push(firstRef);
  }

  /** `X._G = …` where X is the global table itself makes `_G` an ordinary global. */
  private noteGlobalTableWrite(object: ast.Expression): void {
    if (object.kind === 'Name' && (object.name === '_G' || object.name === '_ENV') && !this.byName[object.name]) {
      this.globalTableModified = true;
    }
  }

  private enterScope(end: number): void {
    this.scopeMarks.push(this.active.length);
    this.scopeEnds.push(end);
  }

  private leaveScope(): void {
    const mark = this.scopeMarks.pop()!;
    this.scopeEnds.pop();
    const { active, shadowed, byName } = this;
    while (active.length > mark) {
      const local = active.pop()!;
      if (local.name === '_ENV') this.envLocals--;
      const hidden = shadowed.pop();
      byName[local.name] = hidden;
    }
  }

  private enterFunction(func: ast.FunctionExpression, method: ast.FunctionStatement | undefined): void {
    const info: FunctionInfo = { node: func, parent: this.fn, locals: [], upvalues: [] };
    this.functions.push(info);
    this.fn = info;
    this.enterScope(this.scopeEnd(func, func.body));
    const params = func.params;
    // Parameters are visible from the end of the parameter list.
    const start = params.length > 0 ? params[params.length - 1].end : method ? method.target.end : func.start;
    if (method) this.declareLocal('self', 'self', undefined, method, start);
    for (const p of params) this.declare(p, 'param', func, start);
    this.push(Op.LeaveFunction, undefined);
    this.pushStatements(func.body);
  }

  private declare(name: ast.Name, kind: LocalKind, node: DeclaringNode, start: number): LocalVariable | undefined {
    // An empty name is the parser's stand-in for a missing one: it declares nothing.
    if (name.name === '') return undefined;
    return this.declareLocal(name.name, kind, name, node, start);
  }

  private declareLocal(name: string, kind: LocalKind, declaration: ast.Name | undefined, node: DeclaringNode, start: number): LocalVariable {
    const end = this.scopeEnds[this.scopeEnds.length - 1];
    const scope = { start, end: end >= start ? end : start };
    let local: LocalVariable;
    const old = this.reusable !== undefined && this.fn === this.reuseIn && end === this.chunk.end ? this.reuseLocal(name, kind) : undefined;
    if (old) {
      // Its references from the statements after are put back once the walk is done.
      local = old;
      local.id = this.locals.length;
      local.declaration = declaration;
      local.declaringNode = node;
      local.scope = scope;
      local.references = [];
      local.written = false;
      local.captured = false;
      local.initializer = undefined;
      local.aliasOf = undefined;
    } else {
      local = {
        id: this.locals.length, name, kind, declaration, declaringNode: node, function: this.fn,
        scope, references: [], written: false, captured: false, initializer: undefined, aliasOf: undefined,
      };
    }
    if (declaration) declaredBy.set(declaration, local);
    this.locals.push(local);
    this.fn.locals.push(local);
    this.active.push(local);
    this.shadowed.push(this.byName[name]);
    this.byName[name] = local;
    if (name === '_ENV') this.envLocals++;
    return local;
  }

  /** The next of the replaced statements' main-block locals, when it has this name and kind (see `reusable`). */
  private reuseLocal(name: string, kind: LocalKind): LocalVariable | undefined {
    const old = this.reusable![this.reused];
    if (old === undefined || old.name !== name || old.kind !== kind) {
      this.reuseFailed = true;
      return undefined;
    }
    this.reused++;
    return old;
  }

  private resolve(node: ast.Name, access: Ctx): Reference | undefined {
    const name = node.name;
    if (name === '') return undefined;
    const fn = this.fn;
    const local = this.byName[name];
    let ref: Reference;
    if (local) {
      const upvalue = local.function !== fn;
      ref = { node, access: ACCESS[access], binding: 'local', local, env: undefined, upvalue };
      if (upvalue) this.capture(local);
      if (access === Ctx.Write) local.written = true;
      local.references.push(ref);
    } else if (name === '_ENV') {
      ref = { node, access: ACCESS[access], binding: 'env', local: undefined, env: undefined, upvalue: true };
      this.capture(undefined);
    } else {
      // A free name is `_ENV.name`, with whatever `_ENV` is visible here.
      const env = this.envLocals > 0 ? this.byName._ENV : undefined;
      if (env) {
        const upvalue = env.function !== fn;
        ref = { node, access: ACCESS[access], binding: 'env-field', local: undefined, env, upvalue };
        if (upvalue) this.capture(env);
        (env.fieldReferences ??= []).push(ref);
      } else {
        ref = { node, access: ACCESS[access], binding: 'global', local: undefined, env: undefined, upvalue: false };
        this.capture(undefined);
        const list = this.globalRefs[name];
        if (list) list.push(ref);
        else this.globalRefs[name] = [ref];
        if (access === Ctx.Write && name === '_G') this.globalTableModified = true;
      }
    }
    this.references.push(ref);
    return ref;
  }

  /**
   * Makes `local` (undefined: the chunk's `_ENV`) an upvalue of the current function and of every
   * function between it and the one that declares it, as luac does.
   */
  private capture(local: LocalVariable | undefined): void {
    const owner = local?.function;
    if (local) local.captured = true;
    for (let f: FunctionInfo | undefined = this.fn; f && f !== owner; f = f.parent) {
      if (this.hasUpvalue(f, local)) return;
      f.upvalues.push({ name: local ? local.name : '_ENV', local });
      const set = this.upvalueSets?.get(f);
      if (set) set.add(local);
    }
  }

  private hasUpvalue(f: FunctionInfo, local: LocalVariable | undefined): boolean {
    const upvalues = f.upvalues;
    if (upvalues.length <= UPVALUE_SCAN_LIMIT) {
      for (const u of upvalues) if (u.local === local) return true;
      return false;
    }
    this.upvalueSets ??= new Map();
    let set = this.upvalueSets.get(f);
    if (!set) {
      set = new Set(upvalues.map((u) => u.local));
      this.upvalueSets.set(f, set);
    }
    return set.has(local);
  }

  // ---- an edit's analysis (see `analyze`'s `previous`) ----------------------------------------

  /**
   * The scopes of `chunk`, an edited version of this analysis's chunk whose parse took this one's
   * over: the main block's statements the edit left are taken over, the ones between walked again.
   * Undefined when that cannot be done exactly (then the whole chunk is analysed afresh).
   */
  takenOverBy(chunk: ast.Chunk): Analyzer | undefined {
    const oldBody = this.chunk.body.body;
    const body = chunk.body.body;
    const marks = this.packed;
    if (this.globalTableModified || !marks || marks.references.length !== oldBody.length + 1 || marks.uses.length !== oldBody.length + 1) return undefined;
    let p = 0;
    while (p < oldBody.length && p < body.length && oldBody[p] === body[p]) p++;
    let s = 0;
    while (s < oldBody.length - p && s < body.length - p && oldBody[oldBody.length - 1 - s] === body[body.length - 1 - s]) s++;
    if (p + s === 0) return undefined;
    const oldEnd = oldBody.length - s;
    const end = body.length - s;
    const main = this.functions[0];
    // Statements between that declare a local of the main block decide what the ones after see (a
    // local of the main function in a block of its own, such as a loop's, does not): the new ones
    // must declare the same names, in the same order and of the same kinds, which then take the
    // old locals over (see `reusable`).
    const oldChunkEnd = this.chunk.end;
    const oldMiddle = new Set<Reference>();
    for (let i = marks.references[p]; i < marks.references[oldEnd]; i++) oldMiddle.add(this.references[i]);
    const reusable: LocalVariable[] = [];
    for (let i = marks.locals[p]; i < marks.locals[oldEnd]; i++) {
      const local = this.locals[i];
      if (local.function !== main || local.scope.end !== oldChunkEnd) continue;
      if (local.name === '_ENV') return undefined;
      reusable.push(local);
    }
    // What each of those was, and its references from the statements after.
    const reusedBefore = reusable.map((local) => ({
      written: local.written, aliasOf: local.aliasOf, after: local.references.filter((r) => !oldMiddle.has(r)),
    }));

    // Walk the new statements between, with the main function's locals of the statements before in scope.
    const a = new Analyzer(chunk);
    a.lineage = this.lineage;
    a.firstMarked = p;
    a.fn = main;
    a.enterScope(chunk.end);
    const prefixLocals = marks.locals[p];
    for (let i = 0; i < prefixLocals; i++) {
      const local = this.locals[i];
      a.locals.push(local);
      if (local.function !== main || local.scope.end !== oldChunkEnd) continue;
      a.active.push(local);
      a.shadowed.push(a.byName[local.name]);
      a.byName[local.name] = local;
      if (local.name === '_ENV') a.envLocals++;
    }
    const mainLocalsBefore = main.locals.length;
    a.reusable = reusable;
    a.reuseIn = main;
    a.push(Op.LeaveScope, undefined);
    for (let i = end - 1; i >= p; i--) a.push(Op.Statement, body[i]);
    a.walk(end);
    if (a.globalTableModified || a.reuseFailed || a.reused !== reusable.length) return undefined;
    const taken = new Set(reusable);
    for (let i = prefixLocals; i < a.locals.length; i++) {
      const local = a.locals[i];
      if (local.function === main && local.scope.end === chunk.end && !taken.has(local)) return undefined;
    }
    // The locals taken over: the new statements' references, then the ones after. Written now and
    // not before (or the reverse), it may stand for a path no more.
    for (let k = 0; k < reusable.length; k++) {
      const local = reusable[k];
      const before = reusedBefore[k];
      if (before.after.length > 0) local.references = local.references.concat(before.after);
      settleFlags(local);
      if (local.written !== before.written) return undefined;
    }
    // The references of the locals the old or the new statements refer to (the main function's:
    // no other is visible there), in source order, without the old statements'; whether each is
    // written or captured follows from them. One written now and not before (or the reverse) may
    // stand for a path no more: the whole chunk is analysed again.
    const touched = new Set<LocalVariable>();
    for (const list of [oldMiddle, a.references]) {
      for (const ref of list) {
        const local = ref.local ?? ref.env;
        if (local && local.function === main && local.id < prefixLocals) touched.add(local);
      }
    }
    // Where the statements before the edited ones end: their references start before it, the
    // others' (the old edited statements', the new ones', those moved after) at or after it.
    const prefixEnd = p > 0 ? body[p - 1].end : 0;
    // The walk added the new statements' references after each local's own (and may have written
    // it): how many it added tells where they start, and the ones before tell whether it was
    // written (`written` is whether a reference writes it). Counted from the walk's references
    // rather than noted beforehand for every local of the main function (10,000 of them in a file
    // of top-level locals).
    const walkedRefs = new Map<LocalVariable, number>();
    for (const ref of a.references) {
      const local = ref.local;
      if (local !== undefined && local.id < prefixLocals && local.function === main) walkedRefs.set(local, (walkedRefs.get(local) ?? 0) + 1);
    }
    for (const local of touched) {
      const count = local.references.length - (walkedRefs.get(local) ?? 0);
      let writtenBefore = false;
      for (let i = 0; i < count && !writtenBefore; i++) writtenBefore = local.references[i].access === 'write';
      // The new statements' references, in place of the old ones', before those of the statements after.
      local.references = replaceRun(local.references, count, prefixEnd, oldMiddle, local.references.slice(count));
      if (local.fieldReferences) local.fieldReferences = local.fieldReferences.filter((r) => !oldMiddle.has(r)).sort((x, y) => x.node.start - y.node.start);
      settleFlags(local);
      if (local.written !== writtenBefore) return undefined;
    }
    a.computePaths();
    for (let k = 0; k < reusable.length; k++) if (!samePath(reusable[k].aliasOf, reusedBefore[k].aliasOf)) return undefined;

    // Splice: the lists before, the new statements', and the moved ones after.
    const delta = chunk.end - this.chunk.end;
    const localsDelta = a.locals.length - marks.locals[oldEnd];
    // Each local has a range of its own (see declareLocal), moved in place as its id is.
    for (let i = marks.locals[oldEnd]; i < this.locals.length; i++) {
      const local = this.locals[i];
      local.id += localsDelta;
      local.scope.start += delta;
      local.scope.end += delta;
    }
    for (let i = 0; i < prefixLocals; i++) {
      const local = this.locals[i];
      if (local.scope.end === oldChunkEnd) local.scope.end = chunk.end;
    }
    main.node = chunk;
    // The main function's locals, in id order: the statements before's, the old statements' (out),
    // those after; the new statements' (which the walk added last) go in place of the old ones'.
    const oldMiddleLocals = new Set(this.locals.slice(prefixLocals, marks.locals[oldEnd]));
    const newMain = main.locals.splice(mainLocalsBefore);
    let from = 0;
    let to = mainLocalsBefore;
    while (from < to) {
      const mid = (from + to) >> 1;
      if (main.locals[mid].id < prefixLocals) from = mid + 1;
      else to = mid;
    }
    to = from;
    while (to < mainLocalsBefore && oldMiddleLocals.has(main.locals[to])) to++;
    main.locals = replaceRange(main.locals, from, to - from, newMain);
    const startsBefore = this.sortedReferences === this.references ? this.referenceStarts : undefined;
    // In place: this analysis is used up by the takeover (its locals moved already), and copying
    // lists of a hundred thousand entries at every keystroke cost more than the rest of it.
    const midRefs = a.references;
    const result = a;
    result.locals = replaceRange(this.locals, prefixLocals, marks.locals[oldEnd] - prefixLocals, a.locals.slice(prefixLocals));
    result.references = replaceRange(this.references, marks.references[p], marks.references[oldEnd] - marks.references[p], midRefs);
    result.functions = replaceRange(this.functions, marks.functions[p], marks.functions[oldEnd] - marks.functions[p], a.functions);
    result.uses = replaceRange(this.uses, marks.uses[p], marks.uses[oldEnd] - marks.uses[p], a.uses);
    // Globals: the old statements' references out, the new ones' in, in source order.
    const globals = new Map(this.globals);
    const names = new Set<string>();
    for (const ref of oldMiddle) if (ref.binding === 'global') names.add(ref.node.name);
    for (const ref of midRefs) if (ref.binding === 'global') names.add(ref.node.name);
    for (const name of names) {
      const old = globals.get(name) ?? [];
      const added = (a.globalRefs[name] ?? []).slice().sort((x, y) => x.node.start - y.node.start);
      const list = replaceRun(old, old.length, prefixEnd, oldMiddle, added);
      if (list.length > 0) globals.set(name, list);
      else globals.delete(name);
    }
    // In the order of each name's first reference, as a fresh walk meets them.
    result.globals = new Map([...globals].sort((x, y) => x[1][0].node.start - y[1][0].node.start));
    // Marks: the statements before as they were, the new ones' (counted from the lists' starts), the moved ones'.
    const m = a.marks;
    const spliced = (old: Int32Array, mid: number[], base: number): Int32Array => {
      const midEnd = mid[mid.length - 1] + base;
      const by = midEnd - old[oldEnd];
      const out = new Int32Array(p + mid.length + (old.length - oldEnd - 1));
      out.set(old.subarray(0, p));
      out.set(mid.map((v) => v + base), p);
      out.set(old.subarray(oldEnd + 1).map((v) => v + by), p + mid.length);
      return out;
    };
    result.packed = {
      references: spliced(marks.references, m.references, marks.references[p]),
      locals: spliced(marks.locals, m.locals, 0),
      functions: spliced(marks.functions, m.functions, marks.functions[p]),
      uses: spliced(marks.uses, m.uses, marks.uses[p]),
    };
    // The lookups sorted during the walk saw only the new statements; the references' starts
    // are moved as the statements were, when the list stays in source order.
    const starts = startsBefore && movedStarts(startsBefore, marks.references[p], marks.references[oldEnd], midRefs, delta);
    result.sortedReferences = starts ? result.references : undefined;
    result.referenceStarts = starts;
    result.sortedDeclarations = undefined;
    a.releaseWalkState();
    return result;
  }

  /** Drops what only the two passes need: an analysis may be kept for as long as its document is open. */
  releaseWalkState(): void {
    const m = this.marks;
    if (m.uses.length > 0) {
      this.packed ??= { references: Int32Array.from(m.references), locals: Int32Array.from(m.locals), functions: Int32Array.from(m.functions), uses: Int32Array.from(m.uses) };
    }
    this.marks = { references: [], locals: [], functions: [], uses: [], tops: [] };
    for (const list of [this.ops, this.nodes, this.ends, this.active, this.shadowed, this.scopeMarks, this.scopeEnds, this.tops, this.topAccess, this.topCalls, this.topFirstRef]) {
      list.length = 0;
    }
    this.upvalueSets = undefined;
  }

  // ---- pass 2: global paths ---------------------------------------------------------------------

  computePaths(): void {
    // Locals that may stand for a path: declared from a path-shaped expression and never reassigned.
    let aliases: Map<ast.Expression, LocalVariable> | undefined;
    for (const local of this.locals) {
      if (!local.written && mayAlias(local)) (aliases ??= new Map()).set(local.initializer!, local);
    }
    const { tops, topAccess, topCalls, topFirstRef, uses } = this;
    const topMarks = this.marks.tops;
    const useMarks = this.marks.uses;
    for (let i = 0; i < tops.length; i++) {
      while (useMarks.length < topMarks.length && topMarks[useMarks.length] <= i) useMarks.push(uses.length);
      const top = tops[i];
      // Tops come in source order, so an alias's initializer is done before any use of the alias.
      if (!this.chain(top, topFirstRef[i])) continue;
      const path = this.currentPath();
      const spine = this.spine;
      const m = this.maximal;
      let node: ast.Expression;
      let access: Ctx;
      if (this.dynamic) {
        node = spine[m - 1];
        access = m - 1 === 0 ? topAccess[i] : Ctx.Read;
      } else {
        const n = spine[m];
        node = n.kind === 'Call' ? n.method! : n;
        access = m === 0 ? topAccess[i] : Ctx.Read;
      }
      const use: GlobalPathUse = { path, node, access: ACCESS[access] };
      if (this.dynamic) use.dynamicKey = true;
      if (access === Ctx.Call) use.call = topCalls[i];
      if (this.via) use.via = this.via;
      uses.push(use);
      if (m === 0 && !this.dynamic && aliases) {
        const local = aliases.get(top);
        if (local) local.aliasOf = path;
      }
    }
    while (useMarks.length < topMarks.length) useMarks.push(uses.length);
  }

  /**
   * Walks the chain under `top` (its spine: top first, base name last) and finds the longest part
   * that denotes a global path. Returns false when the base has none. Sets `prefix` and `keys` (the
   * path), `maximal` (the spine index of the longest part) and `dynamic` (the part above it indexes
   * it with a non-constant key). `refHint` is the index of the first reference made inside `top`.
   */
  private chain(top: ast.Expression, refHint: number): boolean {
    const spine = this.spine;
    let length = 0;
    let n: ast.Expression = top;
    for (;;) {
      spine[length++] = n;
      if (n.kind === 'Member' || n.kind === 'Index') n = n.object;
      else if (n.kind === 'Paren') n = n.expression;
      else if (n.kind === 'Call' && n.method && length === 1) n = n.callee;
      else break;
    }
    const base = n;
    if (base.kind !== 'Name' || base.name === '') return false;
    // The base is the first name inside the chain, so its reference is the first one made inside it.
    let ref: Reference | undefined = this.references[refHint];
    if (!ref || ref.node !== base) ref = this.referenceOf(base);
    if (!ref) return false;
    this.keyCount = 0;
    this.via = undefined;
    switch (ref.binding) {
      case 'global':
        this.prefix = ROOT;
        this.addKey(base.name);
        break;
      case 'env':
        this.prefix = ROOT;
        break;
      case 'local':
        if (!ref.local!.aliasOf) return false;
        this.prefix = ref.local!.aliasOf;
        this.via = ref.local;
        break;
      case 'env-field':
        if (!ref.env!.aliasOf) return false;
        this.prefix = ref.env!.aliasOf;
        this.via = ref.env;
        this.addKey(base.name);
        break;
    }
    let j = length - 1;
    this.dynamic = false;
    for (; j > 0; j--) {
      const parent = spine[j - 1];
      if (parent.kind === 'Paren') continue;
      if (parent.kind === 'Member') {
        if (parent.name.name === '') break;
        this.addKey(parent.name.name);
      } else if (parent.kind === 'Index') {
        const key = this.constantKey(parent.index);
        if (typeof key !== 'string') {
          if (key === DYNAMIC) this.dynamic = true;
          break;
        }
        this.addKey(key);
      } else if (parent.kind === 'Call') {
        if (parent.method!.name === '') break;
        this.addKey(parent.method!.name);
      }
    }
    this.maximal = j;
    return true;
  }

  private addKey(key: string): void {
    // `_G` is the global table itself, unless the chunk assigns it.
    if (key === '_G' && !this.globalTableModified && this.prefix.length === 0 && this.keyCount === 0) return;
    this.keys[this.keyCount++] = key;
  }

  private currentPath(): readonly string[] {
    const { keys, keyCount } = this;
    let path = this.prefix;
    // Long paths (`a.b.b.b…` may go on for thousands of keys) are not shared: their prefixes would add up.
    if (path.length + keyCount > SHARED_PATH_LENGTH) {
      const own = path.slice();
      for (let i = 0; i < keyCount; i++) own.push(keys[i]);
      return own;
    }
    for (let i = 0; i < keyCount; i++) {
      let children = this.pathChildren.get(path);
      if (!children) this.pathChildren.set(path, (children = new Map()));
      let child = children.get(keys[i]);
      if (!child) children.set(keys[i], (child = [...path, keys[i]]));
      path = child;
    }
    return path;
  }

  /**
   * The string an index key always has: string literals, `..` of literals (integers included) and
   * locals declared from those and never reassigned. DYNAMIC when unknown; NOT_A_NAME for other
   * constants (numbers, booleans), which cannot name a global path.
   */
  private constantKey(e: ast.Expression): string | number {
    if (e.kind === 'String') return e.value;
    if (e.kind === 'Number' || e.kind === 'True' || e.kind === 'False' || e.kind === 'Nil') return NOT_A_NAME;
    // Concatenations are right-nested (`"a" .. "b" .. "c"`) and may be long: fold with a stack.
    const stack: ast.Expression[] = [e];
    let text = '';
    while (stack.length > 0) {
      let n = stack.pop()!;
      for (;;) {
        if (n.kind === 'Paren') n = n.expression;
        else if (n.kind === 'Name') {
          const local = this.referenceOf(n)?.local;
          if (!local || local.written || !local.initializer || local.kind !== 'local') return DYNAMIC;
          n = local.initializer;
        } else break;
      }
      if (n.kind === 'Binary' && n.operator === '..') {
        stack.push(n.right, n.left);
      } else if (n.kind === 'String') {
        text += n.value;
      } else if (n.kind === 'Number' && n.integer) {
        text += n.int64 !== undefined ? n.int64.toString() : String(n.value);
      } else {
        return DYNAMIC;
      }
    }
    return text;
  }

  // ---- queries ----------------------------------------------------------------------------------

  referenceOf(name: ast.Name): Reference | undefined {
    const refs = this.referencesByStart();
    const starts = this.referenceStarts;
    let lo = 0;
    let hi = refs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const start = starts !== undefined ? starts[mid] : refs[mid].node.start;
      if (start < name.start) lo = mid + 1;
      else if (start > name.start) hi = mid - 1;
      else return refs[mid].node === name ? refs[mid] : undefined;
    }
    return undefined;
  }

  declarationOf(name: ast.Name): LocalVariable | undefined {
    const declared = declaredBy.get(name);
    if (declared !== undefined && declared.declaration === name && this.locals[declared.id] === declared) return declared;
    const decls = this.declarationsByStart();
    let lo = 0;
    let hi = decls.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const start = decls[mid].declaration!.start;
      if (start < name.start) lo = mid + 1;
      else if (start > name.start) hi = mid - 1;
      else return decls[mid].declaration === name ? decls[mid] : undefined;
    }
    return undefined;
  }

  nameAt(offset: number): NameOccurrence | undefined {
    const ref = lastStartingAtOrBefore(this.referencesByStart(), offset, (r) => r.node);
    const decl = lastStartingAtOrBefore(this.declarationsByStart(), offset, (l) => l.declaration!);
    // Names never overlap; of two candidates prefer the one the offset is inside of.
    const refHit = ref && offset <= ref.node.end ? ref : undefined;
    const declHit = decl && offset <= decl.declaration!.end ? decl : undefined;
    if (refHit && declHit) {
      if (offset < refHit.node.end || refHit.node.start > declHit.declaration!.start) return { name: refHit.node, local: undefined, reference: refHit };
      return { name: declHit.declaration!, local: declHit, reference: undefined };
    }
    if (refHit) return { name: refHit.node, local: undefined, reference: refHit };
    if (declHit) return { name: declHit.declaration!, local: declHit, reference: undefined };
    return undefined;
  }

  localsAt(offset: number): LocalVariable[] {
    const visible = new Map<string, LocalVariable>();
    for (const local of this.locals) {
      // A later local visible at the same place shadows an earlier one of the same name.
      if (local.scope.start <= offset && offset <= local.scope.end) {
        visible.delete(local.name);
        visible.set(local.name, local);
      }
    }
    return [...visible.values()].sort((a, b) => a.id - b.id);
  }

  pathOf(expression: ast.Expression): readonly string[] | undefined {
    // A call denotes its result, not the function it calls.
    if (expression.kind === 'Call' || !this.chain(expression, -1) || this.maximal !== 0 || this.dynamic) return undefined;
    return this.currentPath();
  }

  private referencesByStart(): Reference[] {
    if (!this.sortedReferences) {
      // The walk meets names in source order; sort only if error recovery ever broke that.
      const refs = this.references;
      let sorted = true;
      for (let i = 1; i < refs.length && sorted; i++) sorted = refs[i - 1].node.start < refs[i].node.start;
      this.sortedReferences = sorted ? refs : refs.slice().sort((a, b) => a.node.start - b.node.start);
      this.referenceStarts = undefined;
      const sortedRefs = this.sortedReferences;
      if (sortedRefs.length >= STARTS_FROM) {
        const starts = new Int32Array(sortedRefs.length);
        for (let i = 0; i < sortedRefs.length; i++) starts[i] = sortedRefs[i].node.start;
        this.referenceStarts = starts;
      }
    }
    return this.sortedReferences;
  }

  private declarationsByStart(): LocalVariable[] {
    if (!this.sortedDeclarations) {
      // Locals are declared in source order; sort only if that ever fails.
      const decls = this.locals.filter((l) => l.declaration);
      let sorted = true;
      for (let i = 1; i < decls.length && sorted; i++) sorted = decls[i - 1].declaration!.start < decls[i].declaration!.start;
      this.sortedDeclarations = sorted ? decls : decls.sort((a, b) => a.declaration!.start - b.declaration!.start);
    }
    return this.sortedDeclarations;
  }
}

/** References from which their starts get a list of their own (Analyzer.referenceStarts). */
const STARTS_FROM = 4096;

/**
 * The starts of a reference list in source order after a takeover replaced the `[from, to)` ones
 * by `middle` and moved the rest by `delta`; undefined when the new list is not in source order.
 */
function movedStarts(before: Int32Array, from: number, to: number, middle: readonly Reference[], delta: number): Int32Array | undefined {
  const length = before.length - (to - from) + middle.length;
  if (length < STARTS_FROM) return undefined;
  const starts = new Int32Array(length);
  starts.set(before.subarray(0, from));
  let last = from > 0 ? before[from - 1] : -1;
  for (let i = 0; i < middle.length; i++) {
    const start = middle[i].node.start;
    if (start <= last) return undefined;
    starts[from + i] = last = start;
  }
  const at = from + middle.length;
  for (let i = to; i < before.length; i++) starts[at + i - to] = before[i] + delta;
  if (to < before.length && starts[at] <= last) return undefined;
  return starts;
}

/** Whether a local is written and captured, as its references (and, for an `_ENV`, its fields') say. */
function settleFlags(local: LocalVariable): void {
  local.written = local.references.some((r) => r.access === 'write');
  local.captured = local.references.some((r) => r.upvalue) || (local.fieldReferences?.some((r) => r.upvalue) ?? false);
}

/** Whether two aliases stand for the same path (or both for none). */
function samePath(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((key, i) => key === b[i]));
}

/** The last item whose name starts at or before `offset` (items sorted by start). */
function lastStartingAtOrBefore<T>(items: T[], offset: number, nameOf: (item: T) => ast.Name): T | undefined {
  let lo = 0;
  let hi = items.length - 1;
  let found: T | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (nameOf(items[mid]).start <= offset) {
      found = items[mid];
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
