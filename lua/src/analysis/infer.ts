// The type and flow analysis: a forward abstract interpretation of each function over the syntax
// tree, with an environment from locals (and field paths such as `input.a`) to types. Conditions
// narrow (`if x then`, `x ~= nil`, `type(x) == "string"`, `assert(x)`, `x and x.y`, `x or d`, guards
// that return, error or break); merges join; loops iterate to a fixpoint, widening what keeps
// changing to unknown. Types come from literals, the contract (input schema, host signatures), the
// standard library, the script's own functions and LuaCATS annotations.
//
// Invariants: unknown is never reported; a local written from a nested function is unknown
// everywhere, and an upvalue read in a closure has its declared type only when never reassigned; a
// table is `fresh` (exactly the listed fields, no metatable) only while held by one local and never
// passed anywhere. Each function's body is analysed once (loop bodies a few more times, silently),
// and expression recursion is bounded: the analysis is linear in the script.
//
// It reports `maybe-nil` and `type-mismatch`, and gives the checker its `host-args` and
// `output-shape` findings (the checker decides when those apply).

import { requireUses } from './modules';
import type * as ast from '../syntax/ast';
import { mentionsGoto, sourceSlice, type ParseResult } from '../syntax/parser';
import { firstStartingAt, type FunctionInfo, type LocalVariable, type ScopeInfo } from '../syntax/scope';
import { visit } from '../syntax/visit';
import type { Contract } from '../contract/manifest';
import type { HostFunction, HostParam } from '../contract/host';
import { acceptsNil, admitsJsonType, type TypeNode } from '../contract/types';
import { schemaError, validateValue } from '../contract/validate';
import { suggest } from '../contract/suggest';
import { emptyTableShape } from '../sandbox/marshal';
import { changeTo, contractFix, movedFinding, type Finding, type Fix, type Severity } from './findings';
import {
  ANY_TABLE, BOOLEAN, FLOAT, INTEGER, NIL, NUMBER, STRING, UNKNOWN, falsy, formatType, maybeNil, members, nilMember,
  ofLuaType, sameType, truthy, union, unionOf, withoutNil, jsonTypeOf,
  type FunctionType, type NilOrigin, type Param, type TableType, type Type, type TypeInfo,
} from './types';
import { hostFunctionType, inputType } from './contract-types';
import { stdlibType, stringMethod } from './stdlib-types';
import { NO_ANNOTATIONS, readAnnotations, type AnnotationIndex, type Annotations } from './annotations';
import { chunkGlobals, luaText, objectProperties, requiredFields, schemaTypes } from './paths';

export interface Inference {
  types: TypeInfo;
  /** `maybe-nil` and `type-mismatch` findings. */
  findings: Finding[];
  /** `host-args` findings (arity, argument types, constraints on literals). */
  hostArgs: Finding[];
  /** `output-shape` findings (and `maybe-nil` for a required output field), on the main chunk's returns. */
  output: Finding[];
  /** What the analysis of the next version of the script may take over (`infer`'s `memo`). */
  memo: InferenceMemo;
  /**
   * An object that is the same in a later analysis exactly when the types recorded for the nodes
   * directly inside the innermost function around `node`, and for the functions it holds, are
   * (that function and those around it were taken over); undefined for the main function's nodes
   * or when that cannot be told.
   */
  typesHolder(node: ast.Node): object | undefined;
}

/** Expressions nest no deeper than this in the analysis (deeper: unknown, nothing reported). */
const MAX_EXPRESSION_DEPTH = 150;
/** Field paths longer than this are not narrowed. */
const MAX_PATH = 6;
/** Tables in tables in the output checked no deeper than this. */
const MAX_OUTPUT_DEPTH = 32;
/** Fields tracked per table (more: the table is open). */
const MAX_TRACKED_FIELDS = 48;
/** Loop passes before widening what still changes. */
const JOIN_PASSES = 2;
const MAX_PASSES = 6;
/**
 * Loops whose fixpoint is found while an enclosing loop's is (passes within passes): past this
 * many at once, a loop's head only widens what its body assigns to unknown (which hides what the
 * loop's locals held before it), so that the passes stay a constant factor of the script.
 */
const MAX_NESTED_FIXPOINTS = 2;

/** Bits of a local's id that a level of an environment's trie takes (16 slots a node). */
const TRIE_BITS = 4;
const TRIE_WIDTH = 1 << TRIE_BITS;
const TRIE_MASK = TRIE_WIDTH - 1;

/**
 * A node of an environment's trie: below the last level, child nodes; at it, locals' types. A node
 * is changed in place only by the environment whose token it carries; a copy or a join gives both
 * environments new tokens, so that the nodes they share are never changed again.
 */
class TrieNode {
  constructor(
    readonly owner: number,
    readonly slots: (TrieNode | Type | undefined)[],
  ) {}
}

/** The last token handed out (0 is no environment's: the nodes a join or a lift makes for no one). */
let lastToken = 0;

function emptySlots(): (TrieNode | Type | undefined)[] {
  const slots = new Array<TrieNode | Type | undefined>(TRIE_WIDTH);
  for (let i = 0; i < TRIE_WIDTH; i++) slots[i] = undefined;
  return slots;
}

/** `root` (of a trie with `from` levels below its root) as the root of one with `to` levels. */
function lift(root: TrieNode | undefined, from: number, to: number): TrieNode | undefined {
  for (let level = from; level < to && root !== undefined; level++) {
    const slots = emptySlots();
    slots[0] = root;
    root = new TrieNode(0, slots);
  }
  return root;
}

/** The node where two tries of `levels` levels below it join: what both hold, united (undefined: nothing). */
function joinNodes(x: TrieNode | undefined, y: TrieNode | undefined, levels: number): TrieNode | undefined {
  if (x === y) return x;
  if (x === undefined || y === undefined) return undefined;
  const slots = emptySlots();
  let any = false;
  for (let i = 0; i < TRIE_WIDTH; i++) {
    const v = x.slots[i];
    const w = y.slots[i];
    if (v === undefined || w === undefined) continue;
    let out: TrieNode | Type | undefined;
    if (levels > 0) {
      out = joinNodes(v as TrieNode, w as TrieNode, levels - 1);
    } else {
      const t = v === w ? (v as Type) : union(v as Type, w as Type);
      out = t.kind === 'unknown' ? undefined : t;
    }
    if (out !== undefined) {
      slots[i] = out;
      any = true;
    }
  }
  return any ? new TrieNode(0, slots) : undefined;
}

/** Whether two tries of `levels` levels below these nodes hold the same locals with the same types. */
function sameNodes(x: TrieNode | undefined, y: TrieNode | undefined, levels: number, same: (a: Type, b: Type) => boolean): boolean {
  if (x === y) return true;
  if (x === undefined || y === undefined) return emptyNode(x ?? y, levels);
  for (let i = 0; i < TRIE_WIDTH; i++) {
    const v = x.slots[i];
    const w = y.slots[i];
    if (v === w) continue;
    if (levels > 0) {
      if (!sameNodes(v as TrieNode | undefined, w as TrieNode | undefined, levels - 1, same)) return false;
    } else if (v === undefined || w === undefined || !same(v as Type, w as Type)) {
      return false;
    }
  }
  return true;
}

/** Whether a trie holds no local (a delete leaves its nodes in place, empty). */
function emptyNode(node: TrieNode | undefined, levels: number): boolean {
  if (node === undefined) return true;
  for (const slot of node.slots) {
    if (slot === undefined) continue;
    if (levels === 0 || !emptyNode(slot as TrieNode, levels - 1)) return false;
  }
  return true;
}

/**
 * The environment: locals by id, and narrowed field paths (`3.a.b`, `input.x`). Locals are in a
 * persistent trie by id (16 slots a level), shared between an environment and its copies: a
 * change copies the nodes on its path that the environment does not own, and a join or a
 * comparison passes over the subtrees both share. So copying costs nothing, and a change, a join
 * and a comparison cost what changed, not the number of locals in scope. (Maps of changes over a
 * shared base, folded into a new base now and then, cost a copy of every local at each fold: a
 * main function of 10,000 locals, which Lua rejects but an editor shows, took 400 ms an edit.)
 */
class Env {
  /** The levels of the trie below its root: the root holds ids under TRIE_WIDTH ** (levels + 1). */
  private levels = 0;
  private root: TrieNode | undefined = undefined;
  /** The nodes this environment may change in place carry this token. */
  private token = ++lastToken;
  /** Whether this environment owns its `paths` map: a copy shares it until either changes it. */
  private ownPaths = true;

  constructor(private pathMap: Map<string, Type> = new Map()) {}

  /** The narrowed field paths (read only: change them with `setPath` and `deletePath`). */
  get paths(): ReadonlyMap<string, Type> {
    return this.pathMap;
  }

  get(id: number): Type | undefined {
    if (id >>> (TRIE_BITS * (this.levels + 1)) !== 0) return undefined;
    let node = this.root;
    for (let shift = TRIE_BITS * this.levels; shift > 0 && node !== undefined; shift -= TRIE_BITS) {
      node = node.slots[(id >>> shift) & TRIE_MASK] as TrieNode | undefined;
    }
    return node?.slots[id & TRIE_MASK] as Type | undefined;
  }

  /** Unknown is not stored: a local missing here is unknown (an upvalue: its declared type). */
  set(id: number, type: Type): void {
    if (type.kind === 'unknown') this.delete(id);
    else this.put(id, type);
  }

  delete(id: number): void {
    if (this.get(id) !== undefined) this.put(id, undefined);
  }

  private put(id: number, type: Type | undefined): void {
    while (id >>> (TRIE_BITS * (this.levels + 1)) !== 0) {
      this.root = lift(this.root, this.levels, this.levels + 1);
      this.levels++;
    }
    let node = this.owned(this.root);
    this.root = node;
    for (let shift = TRIE_BITS * this.levels; shift > 0; shift -= TRIE_BITS) {
      const i = (id >>> shift) & TRIE_MASK;
      const child = this.owned(node.slots[i] as TrieNode | undefined);
      node.slots[i] = child;
      node = child;
    }
    node.slots[id & TRIE_MASK] = type;
  }

  /** `node` if this environment may change it, else a copy it may. */
  private owned(node: TrieNode | undefined): TrieNode {
    if (node !== undefined && node.owner === this.token) return node;
    return new TrieNode(this.token, node ? node.slots.slice() : emptySlots());
  }

  setPath(key: string, type: Type): void {
    this.ownedPaths().set(key, type);
  }

  deletePath(key: string): void {
    if (this.pathMap.has(key)) this.ownedPaths().delete(key);
  }

  private ownedPaths(): Map<string, Type> {
    if (!this.ownPaths) {
      this.pathMap = new Map(this.pathMap);
      this.ownPaths = true;
    }
    return this.pathMap;
  }

  clear(): void {
    this.root = undefined;
    this.levels = 0;
    this.pathMap = new Map();
    this.ownPaths = true;
  }

  /** Every local's type, by id. */
  entries(): Map<number, Type> {
    const out = new Map<number, Type>();
    const visit = (node: TrieNode | undefined, levels: number, prefix: number): void => {
      if (node === undefined) return;
      for (let i = 0; i < TRIE_WIDTH; i++) {
        const slot = node.slots[i];
        if (slot === undefined) continue;
        const id = prefix * TRIE_WIDTH + i;
        if (levels > 0) visit(slot as TrieNode, levels - 1, id);
        else out.set(id, slot as Type);
      }
    };
    visit(this.root, this.levels, 0);
    return out;
  }

  /** From now on, neither this environment nor any other changes the nodes it has. */
  private freeze(): void {
    this.token = ++lastToken;
  }

  /** A copy sharing this one's trie (and paths, unless `paths` is false) until either changes them. */
  private shared(paths: boolean): Env {
    this.freeze();
    const copy = new Env(paths ? this.pathMap : new Map());
    copy.root = this.root;
    copy.levels = this.levels;
    if (paths) {
      copy.ownPaths = false;
      this.ownPaths = false;
    }
    return copy;
  }

  withoutPaths(): Env {
    return this.shared(false);
  }

  clone(): Env {
    return this.shared(true);
  }

  static join(a: Env, b: Env): Env {
    const paths = new Map<string, Type>();
    if (a.paths.size > 0 && b.paths.size > 0) {
      for (const [k, v] of a.paths) {
        const w = b.paths.get(k);
        if (w !== undefined) paths.set(k, v === w ? v : union(v, w));
      }
    }
    // The joined trie shares the nodes both have: neither may change them from here.
    a.freeze();
    b.freeze();
    const levels = Math.max(a.levels, b.levels);
    const out = new Env(paths);
    out.levels = levels;
    out.root = joinNodes(lift(a.root, a.levels, levels), lift(b.root, b.levels, levels), levels);
    return out;
  }

  /** Whether two environments hold the same types (by `same`: the same structure, unless told). */
  static same(a: Env, b: Env, same: (x: Type, y: Type) => boolean = sameType): boolean {
    if (a.paths.size !== b.paths.size) return false;
    for (const [k, v] of a.paths) {
      const w = b.paths.get(k);
      if (w === undefined || !same(v, w)) return false;
    }
    const levels = Math.max(a.levels, b.levels);
    return sameNodes(lift(a.root, a.levels, levels), lift(b.root, b.levels, levels), levels, same);
  }
}

function join(a: Env | null, b: Env | null): Env | null {
  if (!a) return b;
  if (!b) return a;
  if (a === b) return a;
  return Env.join(a, b);
}

function sameEnv(a: Env, b: Env): boolean {
  return Env.same(a, b);
}

interface FunctionState {
  info: FunctionInfo | undefined;
  node: ast.FunctionExpression | ast.Chunk;
  name: string;
  main: boolean;
  /** Each return's values (undefined: an unknown number of them). */
  returns: (Type[] | undefined)[];
  /** The break environments of the loops being analysed, innermost last. */
  breaks: (Env | null)[][];
  /** The environments at each `goto`, by label name. */
  gotos: Map<string, Env[]>;
  /** The types of the function's own nodes (a nested function's are in its own map). */
  types: TypeMap;
  /** What the next analysis may take over of this one (undefined: the main function's). */
  memo?: FunctionMemo;
}

interface MainReturn {
  statement: ast.ReturnStatement;
  types: Type[];
  /** The environment at the return (to tell whether a table stored in the output was touched since). */
  env: Env | null;
}

/** What each table type's fields were set by (for messages and fixes on the output). */
interface TableSites {
  fields: Map<string, ast.Node>;
  constructor?: ast.TableConstructor;
  /** Fields holding a table whose exact contents are known (for the output's nested values). */
  nested?: Map<string, Nested>;
  /** The items 1..n, when every integer key the table has is known (a constructor, appends); undefined: not known. */
  items?: Item[];
}

/**
 * A table stored in another one, as it was when stored: a constructor, or a fresh table held by a
 * local. `anchor`: that local's type right after the store; any later use of the local replaces
 * it, so the snapshot holds only where the local still has exactly this type.
 */
interface Nested {
  type: TableType;
  anchor?: { id: number; marker: Type };
}

interface Item {
  node: ast.Expression;
  type: Type;
  nested?: Nested;
}

/**
 * `globals`: the names the script (and the modules it requires) define in the global table (`runGlobals`).
 * `memo`: what the analysis of an earlier version of the same script kept (`Inference.memo`): the
 * functions whose analysis it can tell would come out the same are not analysed again. It is spent:
 * the earlier analysis's types may change.
 */
export function infer(
  parsed: ParseResult, scope: ScopeInfo, contract: Contract | undefined, globals: ReadonlySet<string> = chunkGlobals(scope).names, memo?: InferenceMemo, keepGoing?: () => boolean,
): Inference {
  const inferer = new Inferer(parsed, scope, contract, globals, memo, keepGoing);
  inferer.run();
  inferer.memo.finished = true;
  return {
    types: inferer.typeInfo(),
    findings: inferer.findings,
    hostArgs: inferer.hostArgs,
    output: inferer.outputFindings(),
    memo: inferer.memo,
    typesHolder: inferer.typesHolder(),
  };
}

/**
 * The type an analysis recorded for `node` (see `Inferer.nodeType`): `main` holds the main
 * function's, `functions` the others', of which `used` are the analysis's own (and those made in
 * the analysis of a function around them that is: a function taken over brings its nested ones).
 */
function recordedType(main: TypeMap, functions: WeakMap<ast.FunctionExpression, NodeTypes>, used: ReadonlySet<NodeTypes>,
  owners: readonly FunctionInfo[], node: ast.Node): Type | undefined {
  const count = chainMaps(functions, used, owners, node);
  const maps = MAPS;
  let found: Type | undefined;
  for (let i = count - 1; i >= 0 && found === undefined; i--) found = maps[i].get(node);
  maps.fill(undefined!, 0, count);
  return found ?? main.get(node);
}

/**
 * The maps recordedType looks in for `node`, put in MAPS from the outermost function's in; returns
 * how many, and sets chainDepth to how many functions (the main one left out) are around the node.
 * In lists kept for every call (the checker asks for each argument of every host call at every
 * keystroke), filled by count and emptied by the caller: setting a list's length to 0 would let
 * its storage go, to be made again.
 */
function chainMaps(functions: WeakMap<ast.FunctionExpression, NodeTypes>, used: ReadonlySet<NodeTypes>, owners: readonly FunctionInfo[], node: ast.Node): number {
  // The functions around the node, innermost first; then, from the outermost in, their maps as
  // far as they were analysed together.
  const chain = CHAIN;
  const maps = MAPS;
  let depth = 0;
  for (let info = innermostFunction(owners, node); info?.parent; info = info.parent) chain[depth++] = info;
  let count = 0;
  let outer: NodeTypes | undefined;
  for (let i = depth - 1; i >= 0; i--) {
    const entry = functions.get(chain[i].node as ast.FunctionExpression);
    if (!entry || !(used.has(entry) || (outer !== undefined && entry.parent === outer))) break;
    maps[count++] = entry.types;
    outer = entry;
  }
  chain.fill(undefined!, 0, depth);
  chainDepth = depth;
  return count;
}

/** The functions around the node chainMaps was last given. */
let chainDepth = 0;

/**
 * The map that holds the types recorded in the innermost function around `node` (not in the main
 * function) when every function around it is part of the analysis, as recordedType reads them:
 * a map is never changed once its function is analysed, and a later analysis that took the
 * function over (with those around it) gives the same one. Undefined otherwise.
 */
function typesHolder(functions: WeakMap<ast.FunctionExpression, NodeTypes>, used: ReadonlySet<NodeTypes>, owners: readonly FunctionInfo[], node: ast.Node): object | undefined {
  const count = chainMaps(functions, used, owners, node);
  const holder = count === chainDepth && count > 0 ? MAPS[count - 1] : undefined;
  MAPS.fill(undefined!, 0, count);
  return holder;
}

/** recordedType's lists (it calls nothing that calls it again). */
const CHAIN: FunctionInfo[] = [];
const MAPS: TypeMap[] = [];

/** The innermost function (of `functions`, in source order, the main one first) whose range holds `node`. */
function innermostFunction(functions: readonly FunctionInfo[], node: ast.Range): FunctionInfo | undefined {
  let lo = 1;
  let hi = functions.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (functions[mid].node.start <= node.start) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  let info: FunctionInfo | undefined = functions[found];
  while (info && info.parent && !(info.node.start <= node.start && node.end <= info.node.end)) info = info.parent;
  return info;
}

// ---- what one analysis keeps for the next (issue 16) -------------------------------------------
//
// An editor analyses a script again after every keystroke, and an edit changes one function or
// statement. A function's analysis depends only on its own text, on what it sees of the enclosing
// functions' locals (the types they have where it is defined, their declared types, whether they are
// ever reassigned), on its annotations and name, and on what holds for the whole script (the
// contract, the globals the script defines, whether strings may have metamethods...: the `World`).
// So each analysed function keeps those inputs beside what it gave (its type, its findings, the types
// of its nodes, and the few traces it leaves on the analysis's state), and the next analysis, meeting
// the very same node (the incremental parse takes over unchanged statements, moving them in place)
// with the same inputs, takes the results instead of analysing the body again. A world that differs
// starts afresh. The results are exactly a fresh analysis's (tested on random edit sequences).

/**
 * Thrown by an analysis whose `keepGoing` said stop (a language server gives each slice of a long
 * analysis its time, and answers requests between). It stops only between functions (and between
 * top-level statements), once it has finished one since it started; `memo` holds what it finished,
 * and the next analysis of the script, of this version or an edited one, takes that over as it
 * takes over an earlier version's (so each slice goes further, and the last one gives exactly what
 * one analysis would have).
 */
export class AnalysisInterrupted extends Error {
  constructor(readonly memo: InferenceMemo) {
    super('the analysis stopped before its end (its time was up)');
  }
}

/** What the analysis keeps of an earlier version of a script for the next one. */
export interface InferenceMemo {
  readonly world: World;
  /** Each function analysed, by its node (the nodes of a version no longer parsed are let go). */
  readonly functions: WeakMap<ast.FunctionExpression, FunctionMemo>;
  /** Their node types: what the language service's types hold on to (`TypeInfo`), without the rest. */
  readonly nodeTypes: WeakMap<ast.FunctionExpression, NodeTypes>;
  /** The main function's top-level statements (see `MainMemo`); undefined when it could not be kept. */
  main?: MainMemo;
  /** The statements of long function bodies, each as its last analysis left it (see `BodyStatementMemo`). */
  readonly bodies: WeakMap<ast.Statement, BodyStatementMemo>;
  /**
   * The last analysis with this memo ran to its end. Long function bodies are kept statement by
   * statement only in an analysis that follows one (an edit's): an analysis after an open keeps
   * the body it analyses again, which the next edit of it takes over, and the open pays nothing.
   */
  finished?: boolean;
}

/**
 * What the analysis of a statement of a long function body gave (a body of BODY_MEMO_STATEMENTS
 * or more: a 400-line function, a `describe` callback of a thousand lines), and what it started
 * from. An edit reparses the top-level statement it is in, so the function is new; the parser
 * takes the body's unchanged statements that span lines over as the same objects, and the next
 * analysis of the function takes each of those over where it starts from what it started from:
 * the same state (`before`, compared as the main block's early cutoff compares), its names
 * resolving to the same locals, and the upvalues it reads by their declared types declared with
 * the same types. The statements of one line are new objects: they are analysed again (they are
 * cheap), and the state after one shares all but what it changed with the state it started from.
 */
interface BodyStatementMemo extends StatementResults<Type[] | undefined> {
  before: BoundaryState;
  /** The analysis's `escaped` list (only ever appended to: `before.escaped` long then). */
  escapedList: readonly number[];
  /** The locals' count and flags of the analysis (see `MainMemo`), and its fixpoints. */
  locals: number;
  flags: Uint8Array;
  fixpoints: number;
  /** Each reference in it: what it resolved to (see `referenceKey`). */
  refs: Int32Array;
  /** The declared types of the locals it reads as upvalues, a reference at a time (what a closure, or a read the environment does not answer, sees of them). */
  upvalueTypes: (Type | undefined)[];
}

/** A reference key no statement has (see `referenceKey`). */
const UNMATCHED = new Int32Array([-1]);

/** Function bodies of this many statements or more keep their statements' analyses (see BodyStatementMemo). */
const BODY_MEMO_STATEMENTS = 32;

/**
 * What the analysis of the main function's top-level statements gave, statement by statement. A
 * long script of top-level statements (generated data, configuration) is analysed again at every
 * edit; the next analysis takes over the statements before the edit (they start from what they
 * started from), and those after it from the first one that starts from what it started from
 * before (early cutoff: an edit inside an expression seldom changes what comes after). Kept for a
 * main block of MAIN_MEMO_STATEMENTS or more, and only when nothing else ties statements together:
 * no annotations, no gotos.
 */
interface MainMemo {
  statements: StatementMemo[];
  /** The scope analysis's lineage (see `ScopeInfo.lineage`) and count of locals. */
  lineage: object;
  locals: number;
  /** Each local's flags, by id: written, captured, written from a closure (what a statement reads of them). */
  flags: Uint8Array;
  /** The analysis's `escaped` list at the end (each statement knows how much of it was there after it). */
  escaped: number[];
}

/** Top-level statements from which the main function's analysis is kept statement by statement (see MainMemo). */
const MAIN_MEMO_STATEMENTS = 100;

/** What the analysis is at a top-level statement's boundary (the rest is the same there). */
interface BoundaryState {
  env: Env | null;
  anchored: boolean;
  moreResults: boolean;
  lastCallee: FunctionType | undefined;
  /** The length of `escaped`. */
  escaped: number;
}

/** What the analysis of a kept statement gave (see MainMemo, BodyStatementMemo), and the state it left. */
interface StatementResults<Return> {
  /** Its start when analysed (the findings' offsets are as of then). */
  start: number;
  /** Its nodes' types (its function's map holds one per kept statement: see MainTypes). */
  types: Map<ast.Node, Type>;
  findings: readonly Finding[];
  hostArgs: readonly Finding[];
  /** The locals whose tables it passed on, the types it declared locals with (id, type, ...), the nested functions' node types it used, its returns. */
  escaped: readonly number[];
  declared: (number | Type)[];
  used: NodeTypes[];
  returns: readonly Return[];
  after: BoundaryState;
}

interface StatementMemo extends StatementResults<MainReturn> {
  statement: ast.Statement;
}

/** A function's node types, and those of the analysis of the enclosing function they were made in. */
interface NodeTypes {
  types: TypeMap;
  /** Undefined: made in the main function's. A function taken over brings its nested ones' along. */
  parent: NodeTypes | undefined;
}

/** What holds for a whole script, and the state that types made under it carry with them. */
interface World {
  contract: Contract | undefined;
  ownGlobals: ReadonlySet<string>;
  /** The flags and annotation classes the analysis reads of the whole script. */
  key: string;
  readonly globalCache: Map<string, Type>;
  readonly hostOf: Map<Type, HostFunction>;
  readonly ownFunctions: WeakSet<FunctionType>;
  readonly sites: WeakMap<TableType, TableSites>;
  readonly anchors: WeakSet<Type>;
}

/** What a function's analysis saw of an enclosing function's local (an upvalue), or `_ENV` (`decl` undefined). */
interface UpvalueSeen {
  /** The local's declaring node (a `self`'s: its function statement). */
  decl: ast.Node | undefined;
  /**
   * The local itself, by number (see `localNumber`): an edit's scope analysis keeps the local of a
   * declaration typed in (the same name, in the same place of the main block; see `analyze`), whose
   * node is new. Either that or `decl` the same is the same variable.
   */
  local: number;
  closureWritten: boolean;
  written: boolean;
  /** Its type where the function is defined, and its declared type. */
  type: Type | undefined;
  declared: Type | undefined;
}

interface FunctionMemo {
  /** The function's start when it was analysed (the findings' offsets are as of then). */
  start: number;
  /** False when a later analysis must not take it over (it left a trace that cannot be replayed). */
  reusable: boolean;
  name: string;
  method: boolean;
  ann: Annotations | undefined;
  fixpoints: number;
  anchored: boolean;
  upvalues: readonly UpvalueSeen[];
  nodeTypes: NodeTypes;
  findings: readonly Finding[];
  hostArgs: readonly Finding[];
  /** The locals whose tables its body passed on (`Inferer.escaped`), by declaring name. */
  escaped: readonly ast.Name[];
  type: FunctionType;
  /** The call state its body left behind (`moreResults`, `lastCallee`) and whether it anchored a table. */
  moreResults: boolean;
  lastCallee: FunctionType | undefined;
  anchoredAfter: boolean;
}

/**
 * A number for each local, for as long as it lives: a memo holding the local itself would hold the
 * scope analysis it came from.
 */
const localNumbers = new WeakMap<LocalVariable, number>();
let lastLocalNumber = 0;

function localNumber(local: LocalVariable): number {
  let n = localNumbers.get(local);
  if (n === undefined) {
    n = ++lastLocalNumber;
    localNumbers.set(local, n);
  }
  return n;
}

function sameFlags(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether a type can hold a table (its results', for a function), so far as it is known. */
function carriesTables(t: Type | undefined, depth = 0): boolean {
  if (t === undefined) return false;
  if (depth > 16) return true;
  switch (t.kind) {
    case 'table': return true;
    case 'union': return t.types.some((u) => carriesTables(u, depth + 1));
    case 'function': return (t.returns ?? []).some((u) => carriesTables(u, depth + 1));
    default: return false;
  }
}

/** A memo's empty lists (most functions have no findings): one shared, never changed. */
const NONE: never[] = [];

/** What the analysis reads and writes of a function's node types. */
interface TypeMap {
  get(node: ast.Node): Type | undefined;
  set(node: ast.Node, type: Type): unknown;
}

/** The text a map of MainTypes's `rest` covers: 4 KB. */
const SHARD_BITS = 12;

/**
 * The main function's node types, in small maps (and a long function body's, kept statement by
 * statement in the same way: see BodyStatementMemo). The main function is analysed again at every
 * edit, and a script of 10,000 top-level statements records 100,000 types: one Map of them grows
 * through fresh memory at every analysis (V8 places a large table apart from the young objects),
 * which cost half of that analysis; small maps do not. A top-level statement whose analysis is kept
 * (see `MainMemo`) has a map of its own, which an analysis that takes it over brings along, found
 * by the statement's place (nodes move with their statement: a map stays right after an edit). The
 * other nodes' types are in a map per 4 KB of text, by their start (nodes do not move during one
 * analysis, and only a kept statement's map outlives it).
 */
class MainTypes implements TypeMap {
  private readonly maps: (Map<ast.Node, Type> | undefined)[] = [];
  /** Types of nodes outside every statement kept so (see MainMemo), in a Map per 4 KB of text. */
  private readonly rest: (Map<ast.Node, Type> | undefined)[] = [];
  /** The statement being analysed, and its map. */
  private current: ast.Statement | undefined;
  private currentMap: Map<ast.Node, Type> | undefined;

  constructor(private readonly body: readonly ast.Statement[]) {}

  /** Statement `i`'s types are `map` (from here on, recorded into it while it is analysed). */
  enter(i: number, map: Map<ast.Node, Type>): void {
    this.maps[i] = map;
    this.current = this.body[i];
    this.currentMap = map;
  }

  leave(): void {
    this.current = undefined;
    this.currentMap = undefined;
  }

  get(node: ast.Node): Type | undefined {
    const current = this.current;
    if (current !== undefined && current.start <= node.start && node.end <= current.end) return this.currentMap!.get(node);
    return (this.maps.length > 0 ? this.mapOf(node)?.get(node) : undefined) ?? this.rest[node.start >>> SHARD_BITS]?.get(node);
  }

  set(node: ast.Node, type: Type): void {
    const current = this.current;
    if (current !== undefined && current.start <= node.start && node.end <= current.end) {
      this.currentMap!.set(node, type);
      return;
    }
    const i = node.start >>> SHARD_BITS;
    let shard = this.rest[i];
    if (shard === undefined) {
      while (this.rest.length < i) this.rest.push(undefined);
      this.rest[i] = shard = new Map();
    }
    shard.set(node, type);
  }

  /** The map of the statement that holds `node`. */
  private mapOf(node: ast.Node): Map<ast.Node, Type> | undefined {
    const body = this.body;
    let lo = 0;
    let hi = body.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = body[mid];
      if (s.end <= node.start) lo = mid + 1;
      else if (s.start > node.start) hi = mid - 1;
      else return node.end <= s.end ? this.maps[mid] : undefined;
    }
    return undefined;
  }
}

class Inferer {
  /** The main function's node types (each function's are in its memo). */
  readonly types: MainTypes;
  readonly memo: InferenceMemo;
  /** The node types of the functions this analysis analysed or took over (the others' are not its own; see `nodeType`). */
  private readonly used = new Set<NodeTypes>();
  /** Labels reached by a `goto` written after them (loops): nothing is known after such a label. */
  private backwardLabels: Set<ast.LabelStatement> | undefined;
  readonly findings: Finding[] = [];
  readonly hostArgs: Finding[] = [];
  private readonly annotations: AnnotationIndex;
  private readonly host: ReadonlyMap<string, HostFunction>;
  private readonly hostGlobals: ReadonlyMap<string, 'function' | 'table'>;
  private readonly hostOf: Map<Type, HostFunction>;
  private readonly globalCache: Map<string, Type>;
  private readonly primitiveMetatables: boolean;
  /** Locals written from a function nested in the one that declares them: unknown everywhere. */
  private readonly closureWritten = new Set<number>();
  /** The type each local was declared with (what a closure sees of a local never reassigned). */
  private readonly declared = new Map<number, Type>();
  private readonly sites: WeakMap<TableType, TableSites>;
  /** Types of locals whose table was stored in another table (see `Nested`). */
  private readonly anchors: WeakSet<Type>;
  /** The innermost statement being analysed (where a nil check would go). */
  private stmt: ast.Statement | undefined;
  private anchored = false;
  private readonly functionInfo = new Map<ast.Node, FunctionInfo>();
  private readonly mainReturns: MainReturn[] = [];
  /** The top-level statement being analysed, whose analysis is kept (see `mainBlock`). */
  private recording: { declared: (number | Type)[]; used: NodeTypes[] } | undefined;
  /** The statements of long function bodies being analysed and kept, innermost last (see BodyStatementMemo). */
  private readonly bodyRecords: BodyStatementMemo[] = [];
  /** Whether long function bodies are kept statement by statement (see `keepsBodies`), found on first use. */
  private bodiesKept: boolean | undefined;
  /** This analysis follows a finished one with the same memo (see `InferenceMemo.finished`). */
  private readonly editing: boolean;
  /** The locals' flags of this analysis (see `MainMemo.flags`), made on first use. */
  private flagsNow: Uint8Array | undefined;
  /** Earlier analyses' flags found the same as this one's, or not. */
  private readonly flagsSame = new Map<Uint8Array, boolean>();
  /** The main chunk's end is reachable (it then returns nothing). */
  private mainFallsOff = false;
  private readonly input: Type;

  private env: Env | null = new Env();
  private fn!: FunctionState;
  /** > 0 while a loop body is analysed to find its fixpoint: nothing is recorded or reported. */
  private silent = 0;
  /** Loop fixpoints being found, one inside another (see MAX_NESTED_FIXPOINTS). */
  private fixpoints = 0;
  private depth = 0;
  /** Set by `call`: whether the callee may give more results than its known ones (the standard library's). */
  private moreResults = false;
  private lastCallee: FunctionType | undefined;
  /** Locals whose tables were passed on, in order (for the operands of `and`/`or`). */
  private readonly escaped: number[] = [];
  /** The types of the script's own functions (their results are exactly the ones inferred). */
  private readonly ownFunctions: WeakSet<FunctionType>;
  /** Strings may have metamethods (the script reaches the string metatable, or requires code that may). */
  private readonly stringMetamethods: boolean;
  /** Whether this analysis has finished a function or top-level statement (before that it does not stop: see `mayStop`). */
  private progressed = false;

  constructor(
    private readonly parsed: ParseResult,
    private readonly scope: ScopeInfo,
    private readonly contract: Contract | undefined,
    /** Globals the script or its modules define: their types are the script's, unknown here. */
    private readonly ownGlobals: ReadonlySet<string>,
    memo?: InferenceMemo,
    /** Asked between functions whether to go on (see AnalysisInterrupted). */
    private readonly keepGoing?: () => boolean,
  ) {
    this.types = new MainTypes(parsed.chunk.body.body);
    this.annotations = readAnnotations(parsed.chunk, parsed.source);
    this.host = contract?.host ?? new Map();
    this.hostGlobals = contract?.hostGlobals ?? new Map();
    this.input = inputType(contract?.input);
    // Indexed loops: these run once per analysis over the whole file, often before V8 optimizes
    // them, where `for...of` made an iterator result per element (~370 KB an edit on 13,000 lines).
    // Locals written from a closure: of those written and captured, the ones with a write that is
    // an upvalue's (a pass over a few locals' references, not over every reference of the file).
    const locals = scope.locals;
    for (let i = 0; i < locals.length; i++) {
      const local = locals[i];
      if (!local.written || !local.captured) continue;
      const refs = local.references;
      for (let k = 0; k < refs.length; k++) {
        if (refs[k].access === 'write' && refs[k].upvalue) {
          this.closureWritten.add(local.id);
          break;
        }
      }
    }
    const functions = scope.functions;
    for (let i = 0; i < functions.length; i++) this.functionInfo.set(functions[i].node, functions[i]);
    this.stringMetamethods = scope.globals.has('getmetatable') || scope.globals.has('require') || scope.globals.has('debug');
    this.primitiveMetatables = scope.globals.has('debug') || requireUses(scope).some((use) => use.name === 'debug');
    const key = this.worldKey(parsed.chunk);
    const old = memo?.world;
    const same = old !== undefined && old.contract === contract && old.key === key
      && old.ownGlobals.size === ownGlobals.size && [...ownGlobals].every((g) => old.ownGlobals.has(g));
    const world: World = same ? old : {
      contract, ownGlobals: new Set(ownGlobals), key, globalCache: new Map(), hostOf: new Map(),
      ownFunctions: new WeakSet(), sites: new WeakMap(), anchors: new WeakSet(),
    };
    this.memo = same ? memo! : { world, functions: new WeakMap(), nodeTypes: new WeakMap(), bodies: new WeakMap() };
    this.editing = this.memo.finished === true;
    this.memo.finished = false;
    this.globalCache = world.globalCache;
    this.hostOf = world.hostOf;
    this.ownFunctions = world.ownFunctions;
    this.sites = world.sites;
    this.anchors = world.anchors;
  }

  /**
   * The type recorded for a node: in the map of the function whose body holds it, or of one
   * enclosing that (a function's own node and the name a statement declares it by are its parent's).
   */
  nodeType(node: ast.Node): Type | undefined {
    return recordedType(this.types, this.memo.nodeTypes, this.used, this.scope.functions, node);
  }

  /** The types for the language service (holding only the maps, not the analysis's state). */
  typeInfo(): TypeInfo {
    const { types, used, scope } = this;
    const functions = this.memo.nodeTypes;
    const owners = scope.functions;
    return { typeOf: (node) => recordedType(types, functions, used, owners, node) ?? literalType(node) };
  }

  /** Inference.typesHolder for this analysis (holding only the maps, as typeInfo does). */
  typesHolder(): Inference['typesHolder'] {
    const { used, scope } = this;
    const functions = this.memo.nodeTypes;
    const owners = scope.functions;
    return (node) => typesHolder(functions, used, owners, node);
  }

  /** What the analysis reads of the whole script besides the contract and its globals (see `World`). */
  private worldKey(chunk: ast.Chunk): string {
    let key = `${this.stringMetamethods}|${this.primitiveMetatables}|${this.crlf()}|${this.scope.globals.has('error')}`;
    for (const c of chunk.comments) if (!c.long && /^-@(class|field)\b/.test(c.text)) key += `|${c.text}`;
    return key;
  }

  run(): void {
    const chunk = this.parsed.chunk;
    this.fn = { info: this.functionInfo.get(chunk), node: chunk, name: 'the script', main: true, returns: [], breaks: [], gotos: new Map(), types: this.types };
    this.env = new Env();
    this.mainBlock(chunk.body);
    this.mainFallsOff = this.env !== null;
  }

  // ---- the main function's statements, taken over from the last analysis (see MainMemo) --------

  /** The main block: each top-level statement analysed or taken over, and kept for the next analysis. */
  private mainBlock(block: ast.Block): void {
    const body = block.body;
    // Annotations and gotos tie statements to others (comments above them, labels anywhere): not
    // kept; nor for a short main block, which is analysed again faster than kept.
    const keep = body.length >= MAIN_MEMO_STATEMENTS && this.annotations === NO_ANNOTATIONS && !mentionsGoto(this.parsed);
    if (!keep) {
      this.memo.main = undefined;
      this.block(block);
      return;
    }
    const flags = this.localFlags();
    const old = this.memo.main;
    this.memo.main = undefined;
    // Statements read the locals' flags and ids: the same ones, or nothing is taken over. Those
    // after the edit are taken over only when the scopes were (their names resolve as before).
    const usable = old !== undefined && old.locals === this.scope.locals.length && sameFlags(old.flags, flags);
    let after = usable && old.lineage === this.scope.lineage;
    const records: StatementMemo[] = [];
    let i = 0;
    if (usable) {
      while (i < body.length && i < old.statements.length && body[i] === old.statements[i].statement) {
        records.push(this.takeOverStatement(old.statements[i], i));
        i++;
      }
    }
    const prefix = i;
    const shift = usable ? old.statements.length - body.length : 0;
    const kept = (): MainMemo => ({ statements: records, lineage: this.scope.lineage, locals: this.scope.locals.length, flags, escaped: this.escaped.slice() });
    try {
      for (; i < body.length; i++) {
        const k = i + shift;
        if (after && old !== undefined && k > prefix && k < old.statements.length && body[i] === old.statements[k].statement && this.atState(old.statements[k - 1].after, old.escaped)) {
          // A local declared with another type stays so (this is not tried again: it costs the statements so far).
          after = this.sameDeclared(old.statements.slice(prefix, k), records.slice(prefix));
          // The rest starts from where it started before: all of it is taken over.
          while (after && i < body.length && i + shift < old.statements.length && body[i] === old.statements[i + shift].statement) {
            records.push(this.takeOverStatement(old.statements[i + shift], i));
            i++;
          }
          if (i === body.length) break;
        }
        this.mayStop();
        records.push(this.topLevel(body[i], i));
        this.progressed = true;
      }
    } catch (error) {
      // Stopped: the statements finished are kept, and the next analysis takes them over as a prefix.
      if (error instanceof AnalysisInterrupted) this.memo.main = kept();
      throw error;
    }
    this.leaveBlock(block);
    this.memo.main = kept();
  }

  /** Analyses top-level statement `i`, keeping what it gave. */
  private topLevel(s: ast.Statement, i: number): StatementMemo {
    const record: StatementMemo = {
      statement: s, start: s.start, types: new Map(), findings: NONE, hostArgs: NONE, escaped: NONE, declared: [], used: [], returns: NONE, after: undefined!,
    };
    const findings = this.findings.length;
    const hostArgs = this.hostArgs.length;
    const escaped = this.escaped.length;
    const returns = this.mainReturns.length;
    this.recording = record;
    this.types.enter(i, record.types);
    // Unreachable, unless a label brings control back (there are none here).
    if (this.env !== null) this.statement(s);
    this.types.leave();
    this.recording = undefined;
    if (this.findings.length > findings) record.findings = this.findings.slice(findings).map((x) => movedFinding(x, 0));
    if (this.hostArgs.length > hostArgs) record.hostArgs = this.hostArgs.slice(hostArgs).map((x) => movedFinding(x, 0));
    if (this.escaped.length > escaped) record.escaped = this.escaped.slice(escaped);
    if (this.mainReturns.length > returns) record.returns = this.mainReturns.slice(returns);
    record.after = this.boundary();
    return record;
  }

  /** Takes a top-level statement's earlier analysis over: what it recorded, and the state it left. */
  private takeOverStatement(record: StatementMemo, i: number): StatementMemo {
    this.types.enter(i, record.types);
    this.types.leave();
    this.replay(record, record.statement.start - record.start);
    for (const r of record.returns) this.mainReturns.push(r);
    return record;
  }

  /** What taking over a kept statement (its function's map holding its types already) repeats of its analysis, `delta` its move since. */
  private replay(record: StatementResults<unknown>, delta: number): void {
    for (const x of record.findings) this.findings.push(movedFinding(x, delta));
    for (const x of record.hostArgs) this.hostArgs.push(movedFinding(x, delta));
    for (const id of record.escaped) this.escaped.push(id);
    for (let k = 0; k < record.declared.length; k += 2) this.setDeclared(record.declared[k] as number, record.declared[k + 1] as Type);
    for (const types of record.used) this.use(types);
    const state = record.after;
    this.env = state.env ? state.env.clone() : null;
    this.anchored = state.anchored;
    this.moreResults = state.moreResults;
    this.lastCallee = state.lastCallee;
  }

  /** The state at a top-level statement's boundary, kept (the environment is shared from here on). */
  private boundary(): BoundaryState {
    return { env: this.env ? this.env.clone() : null, anchored: this.anchored, moreResults: this.moreResults, lastCallee: this.lastCallee, escaped: this.escaped.length };
  }

  /** Whether the analysis stands where `state` (of the last analysis, whose `escaped` list was `escaped`) stood. */
  private atState(state: BoundaryState, escaped: readonly number[]): boolean {
    if (state.anchored !== this.anchored || state.moreResults !== this.moreResults || state.lastCallee !== this.lastCallee) return false;
    if (state.escaped !== this.escaped.length) return false;
    for (let k = 0; k < state.escaped; k++) if (escaped[k] !== this.escaped[k]) return false;
    if (state.env === null || this.env === null) return state.env === this.env;
    return Env.same(state.env, this.env, (a, b) => this.identical(a, b, true));
  }

  /**
   * Whether the statements an edit replaced declared their locals with the same types as the new
   * ones do (a closure after them sees a local never reassigned by the type it was declared with).
   */
  private sameDeclared(before: readonly StatementMemo[], now: readonly StatementMemo[]): boolean {
    const declared = (records: readonly StatementMemo[]): Map<number, Type> => {
      const out = new Map<number, Type>();
      for (const r of records) for (let k = 0; k < r.declared.length; k += 2) out.set(r.declared[k] as number, r.declared[k + 1] as Type);
      return out;
    };
    const a = declared(before);
    const b = declared(now);
    if (a.size !== b.size) return false;
    for (const [id, type] of a) if (!this.identical(type, b.get(id), true)) return false;
    return true;
  }

  /** Each local's flags by id (see `MainMemo.flags`). */
  private localFlags(): Uint8Array {
    const locals = this.scope.locals;
    const flags = new Uint8Array(locals.length);
    for (let i = 0; i < locals.length; i++) {
      const local = locals[i];
      flags[i] = (local.written ? 1 : 0) | (local.captured ? 2 : 0) | (this.closureWritten.has(i) ? 4 : 0);
    }
    return flags;
  }

  /** A local's declared type, noted in the statements being recorded too (their `declared`). */
  private setDeclared(id: number, type: Type): void {
    this.declared.set(id, type);
    this.recording?.declared.push(id, type);
    for (const r of this.bodyRecords) r.declared.push(id, type);
  }

  private use(types: NodeTypes): void {
    this.used.add(types);
    this.recording?.used.push(types);
    for (const r of this.bodyRecords) r.used.push(types);
  }

  // ---- long function bodies, statement by statement (see BodyStatementMemo) ----------------------

  /** A long function body, statement by statement, each taken over or analysed and kept (its types in `types`). */
  private functionBody(block: ast.Block, types: MainTypes): void {
    const body = block.body;
    const fn = this.fn;
    let before = this.boundary();
    for (let i = 0; i < body.length; i++) {
      const s = body[i];
      // Unreachable, unless a label brings control back (as `block` does).
      if (this.env === null && s.kind !== 'Label') continue;
      const kept = this.memo.bodies.get(s);
      if (kept !== undefined && this.startsAsBefore(kept, s)) {
        types.enter(i, kept.types);
        types.leave();
        this.replay(kept, s.start - kept.start);
        for (const r of kept.returns) fn.returns.push(r);
        before = kept.after;
      } else {
        before = this.bodyStatement(s, i, before, fn, types).after;
      }
    }
    this.leaveBlock(block);
  }

  /**
   * Whether long function bodies are kept statement by statement: in an edit's analysis (see
   * `InferenceMemo.finished`), not with annotations or gotos (which tie statements to others, as
   * for the main block), nor syntax errors (without them the scope analysis's references are in
   * source order, which `referenceKey` searches).
   */
  private keepsBodies(): boolean {
    return (this.bodiesKept ??= this.editing && this.annotations === NO_ANNOTATIONS && this.parsed.diagnostics.length === 0 && !mentionsGoto(this.parsed));
  }

  /** Analyses a statement of a long function body, keeping what it gave and what it started from. */
  private bodyStatement(s: ast.Statement, i: number, before: BoundaryState, fn: FunctionState, types: MainTypes): BodyStatementMemo {
    const { refs, upvalueTypes } = this.referenceKey(s);
    const record: BodyStatementMemo = {
      start: s.start, before, after: before, escapedList: this.escaped, locals: this.scope.locals.length, flags: this.localFlagsNow(), fixpoints: this.fixpoints,
      refs, upvalueTypes, types: new Map(), findings: NONE, hostArgs: NONE, escaped: NONE, declared: [], used: [], returns: NONE,
    };
    const findings = this.findings.length;
    const hostArgs = this.hostArgs.length;
    const escaped = this.escaped.length;
    const returns = fn.returns.length;
    this.bodyRecords.push(record);
    types.enter(i, record.types);
    try {
      this.statement(s);
    } finally {
      types.leave();
      this.bodyRecords.pop();
    }
    if (this.findings.length > findings) record.findings = this.findings.slice(findings).map((x) => movedFinding(x, 0));
    if (this.hostArgs.length > hostArgs) record.hostArgs = this.hostArgs.slice(hostArgs).map((x) => movedFinding(x, 0));
    if (this.escaped.length > escaped) record.escaped = this.escaped.slice(escaped);
    if (fn.returns.length > returns) record.returns = fn.returns.slice(returns);
    record.after = this.boundary();
    this.memo.bodies.set(s, record);
    return record;
  }

  /**
   * Whether analysing a statement kept from an earlier analysis would give what it gave: the same
   * fixpoint depth, locals and flags, its names resolving as they did, the upvalues it reads
   * declared with the same types, and the same state where it starts.
   */
  private startsAsBefore(kept: BodyStatementMemo, s: ast.Statement): boolean {
    if (kept.fixpoints !== this.fixpoints || kept.locals !== this.scope.locals.length || !this.sameFlagsAsNow(kept.flags)) return false;
    const { refs, upvalueTypes } = this.referenceKey(s);
    if (refs === UNMATCHED || kept.refs === UNMATCHED) return false;
    if (refs.length !== kept.refs.length || upvalueTypes.length !== kept.upvalueTypes.length) return false;
    for (let i = 0; i < refs.length; i++) if (refs[i] !== kept.refs[i]) return false;
    for (let i = 0; i < upvalueTypes.length; i++) if (!this.identical(upvalueTypes[i], kept.upvalueTypes[i], true)) return false;
    return this.atState(kept.before, kept.escapedList);
  }

  /**
   * What a statement's names resolve to, each reference in it in order (a local by its id, a
   * global, `_ENV`, a field of a local `_ENV`), and the declared types of the upvalues among them
   * (what a closure, or a read the environment does not answer, sees of them).
   */
  private referenceKey(s: ast.Statement): { refs: Int32Array; upvalueTypes: (Type | undefined)[] } {
    const references = this.scope.references;
    const lo = firstStartingAt(references, s.start, references.length);
    let end = lo;
    while (end < references.length && references[end].node.start < s.end) end++;
    // Out of order here (none is expected), the statement's references may not all be between: it matches nothing.
    for (let i = lo + 1; i < end; i++) if (references[i - 1].node.start >= references[i].node.start) return { refs: UNMATCHED, upvalueTypes: [] };
    const refs = new Int32Array(end - lo);
    const upvalueTypes: (Type | undefined)[] = [];
    for (let i = lo; i < end; i++) {
      const r = references[i];
      refs[i - lo] = r.local ? r.local.id * 4 : r.env ? r.env.id * 4 + 3 : r.binding === 'global' ? 1 : 2;
      if (r.upvalue && r.local) upvalueTypes.push(this.declared.get(r.local.id));
    }
    return { refs, upvalueTypes };
  }

  private localFlagsNow(): Uint8Array {
    return (this.flagsNow ??= this.localFlags());
  }

  private sameFlagsAsNow(flags: Uint8Array): boolean {
    let same = this.flagsSame.get(flags);
    if (same === undefined) {
      const now = this.localFlagsNow();
      same = flags === now || sameFlags(flags, now);
      this.flagsSame.set(flags, same);
    }
    return same;
  }

  // ---- recording and reporting -------------------------------------------------------------------

  private record(node: ast.Node, type: Type): Type {
    if (this.silent === 0) this.fn.types.set(node, type);
    return type;
  }



  private report(list: Finding[], node: ast.Range, severity: Severity, code: string, message: string, fixes?: Fix[]): void {
    if (this.silent > 0) return;
    list.push({ start: node.start, end: node.end, severity, code, message, ...(fixes && fixes.length > 0 ? { fixes } : {}) });
  }

  /** The script's line breaks are `\r\n` (asked of the text only when it has a `\r`). */
  private crlf(): boolean {
    return !this.parsed.lineMap.plain && this.parsed.source.includes('\r\n');
  }

  private text(node: ast.Node): string {
    const t = sourceSlice(this.parsed, node.start, node.end);
    return t.length <= 40 && !t.includes('\n') ? `\`${t}\`` : 'this value';
  }

  /** `maybe-nil` on a use of a possibly-nil value: an error when the contract said it may be nil. */
  private maybeNil(list: Finding[], node: ast.Expression, type: Type, use: string): void {
    if (this.silent > 0) return;
    const nil = nilMember(type);
    const origin = nil?.origin;
    const severity: Severity = origin?.contract ? 'error' : 'warning';
    const why = origin ? ` (${origin.text})` : '';
    const fixes: Fix[] = [];
    const fallback = defaultFor(withoutNil(type));
    if (fallback !== undefined) {
      const text = sourceSlice(this.parsed, node.start, node.end);
      fixes.push({ title: `Add \`or ${fallback}\``, edits: [{ start: node.start, end: node.end, newText: `(${text} or ${fallback})` }] });
    }
    const check = this.nilCheck(node);
    if (check) fixes.push(check);
    this.report(list, node, severity, 'maybe-nil', `${this.text(node)} may be nil${why}; ${use}`, fixes);
  }

  /**
   * "Add a nil check": `if name == nil then error("name is nil") end` before the statement that uses
   * a local (indented as it is). Only where the check runs right before the use: a statement that
   * uses it directly, or the first condition of an `if` (not an `elseif` or a loop's condition).
   * `error`, not `return`: returning nothing from the script fails the output's check.
   */
  private nilCheck(node: ast.Expression): Fix | undefined {
    const s = this.stmt;
    if (node.kind !== 'Name' || !s || this.scope.referenceOf(node)?.binding !== 'local') return undefined;
    const direct = s.kind === 'Local' || s.kind === 'Assignment' || s.kind === 'CallStatement' || s.kind === 'Return';
    const condition = s.kind === 'If' ? s.clauses[0]?.condition : undefined;
    if (!direct && !(condition && node.start >= condition.start && node.end <= condition.end)) return undefined;
    if (this.scope.globals.has('error') && this.ownGlobals.has('error')) return undefined;
    // Its line's start (by `\n`, as the text has no other break when the lines are plain).
    const lines = this.parsed.lineMap;
    const lineStart = lines.plain ? lines.lineStart(lines.positionAt(s.start).line) : this.parsed.source.lastIndexOf('\n', s.start - 1) + 1;
    const before = sourceSlice(this.parsed, lineStart, s.start);
    const eol = this.crlf() ? '\r\n' : '\n';
    const check = `if ${node.name} == nil then error("${node.name} is nil") end`;
    const newText = /^[ \t]*$/.test(before) ? `${check}${eol}${before}` : `${check} `;
    return { title: 'Add a nil check', edits: [{ start: s.start, end: s.start, newText }] };
  }

  private mismatch(node: ast.Range, message: string): void {
    // `debug.setmetatable(10, mt)` gives numbers, booleans, nil and functions metamethods: nothing is sure.
    if (this.primitiveMetatables) return;
    this.report(this.findings, node, 'error', 'type-mismatch', message);
  }

  // ---- statements ----------------------------------------------------------------------------

  private block(block: ast.Block, keep = false): void {
    const body = block.body;
    for (let i = 0; i < body.length; i++) {
      if (this.env === null) {
        // Unreachable, unless a label brings control back.
        if (body[i].kind !== 'Label') continue;
      }
      this.statement(body[i]);
    }
    if (!keep) this.leaveBlock(block);
  }

  /** Forgets the block's locals (out of scope): the environment stays as small as the visible locals. */
  private leaveBlock(block: ast.Block): void {
    const env = this.env;
    if (!env) return;
    for (const s of block.body) {
      if (s.kind === 'Local') {
        for (const n of s.names) {
          const local = this.scope.declarationOf(n);
          if (local) env.delete(local.id);
        }
      } else if (s.kind === 'LocalFunction') {
        const local = this.scope.declarationOf(s.name);
        if (local) env.delete(local.id);
      }
    }
  }

  private statement(s: ast.Statement): void {
    const outer = this.stmt;
    this.stmt = s;
    try {
      this.statementInner(s);
    } finally {
      this.stmt = outer;
    }
  }

  private statementInner(s: ast.Statement): void {
    switch (s.kind) {
      case 'Local': this.local(s); return;
      case 'Assignment': this.assignment(s); return;
      case 'CallStatement': {
        this.call(s.call);
        if (this.endsRun(s.call)) this.env = null;
        return;
      }
      case 'Do': this.block(s.body); return;
      case 'While': this.whileLoop(s); return;
      case 'Repeat': this.repeatLoop(s); return;
      case 'If': this.ifStatement(s); return;
      case 'NumericFor': this.numericFor(s); return;
      case 'GenericFor': this.genericFor(s); return;
      case 'FunctionStatement': this.functionStatement(s); return;
      case 'LocalFunction': {
        const local = this.scope.declarationOf(s.name);
        const ann = this.annotations.at(s);
        // Visible in its own body: recursive calls see the signature (results unknown).
        const provisional = this.functionSignature(s.func, s.name.name, ann, false);
        if (local) this.declare(local, provisional, s.name);
        const type = this.functionExpression(s.func, s.name.name, ann);
        if (local) this.declare(local, type, s.name);
        return;
      }
      case 'Return': this.returnStatement(s); return;
      case 'Break': {
        const breaks = this.fn.breaks[this.fn.breaks.length - 1];
        if (breaks) breaks.push(this.env);
        this.env = null;
        return;
      }
      case 'Goto': {
        if (this.env) {
          const list = this.fn.gotos.get(s.label.name) ?? [];
          list.push(this.env);
          this.fn.gotos.set(s.label.name, list);
        }
        this.env = null;
        return;
      }
      case 'Label': {
        // Reached by the gotos before it; one after it (a loop) makes everything unknown.
        if (this.isBackwardLabel(s)) this.env = new Env();
        else for (const e of this.fn.gotos.get(s.name.name) ?? []) this.env = join(this.env, e);
        return;
      }
      case 'ErrorStatement': if (s.expression) this.expr(s.expression); return;
    }
  }

  private isBackwardLabel(label: ast.LabelStatement): boolean {
    if (!this.backwardLabels) {
      const set = new Set<ast.LabelStatement>();
      this.backwardLabels = set;
      if (mentionsGoto(this.parsed)) {
        const labels: ast.LabelStatement[] = [];
        const gotos: ast.GotoStatement[] = [];
        visit(this.parsed.chunk, { enter(n) {
          if (n.kind === 'Label') labels.push(n);
          else if (n.kind === 'Goto') gotos.push(n);
        } });
        for (const l of labels) if (gotos.some((g) => g.label.name === l.name.name && g.start > l.start)) set.add(l);
      }
    }
    return this.backwardLabels.has(label);
  }

  /** `error(...)` and `os.exit(...)` end the run, and so does a local function that always raises. */
  private endsRun(call: ast.CallExpression): boolean {
    if (call.method) return false;
    const t = this.fn.types.get(call.callee);
    if (t?.kind === 'function' && t.neverReturns) return true;
    const callee = call.callee;
    if (callee.kind === 'Name') return callee.name === 'error' && this.scope.referenceOf(callee)?.binding === 'global';
    const path = this.scope.pathOf(callee);
    return path !== undefined && path.length === 2 && path[0] === 'os' && path[1] === 'exit';
  }

  private declare(local: LocalVariable, type: Type, name: ast.Name | undefined): void {
    // A closure may change a captured table's fields whenever it runs.
    if (local.captured && local.kind !== 'function') type = opened(type);
    this.setDeclared(local.id, type);
    if (this.env && !this.closureWritten.has(local.id)) this.env.set(local.id, type);
    if (name) this.record(name, this.closureWritten.has(local.id) ? UNKNOWN : type);
  }

  private local(s: ast.LocalStatement): void {
    const ann = this.annotations.at(s);
    const values = ann && s.values.length === 1 && s.values[0].kind === 'Function' && s.names.length === 1
      ? [this.record(s.values[0], this.functionExpression(s.values[0], s.names[0].name, ann))]
      : this.exprList(s.values, s.names.length, true);
    for (let i = 0; i < s.names.length; i++) {
      const local = this.scope.declarationOf(s.names[i]);
      let type = values[i];
      if (i === 0 && ann?.type) type = ann.type;
      if (local) this.declare(local, type, s.names[i]);
    }
  }

  private assignment(s: ast.AssignmentStatement): void {
    // Targets' objects and keys are evaluated before the values (as Lua does).
    const objects: (Type | undefined)[] = s.targets.map((t) => (t.kind === 'Member' || t.kind === 'Index' ? this.indexedObject(t) : undefined));
    const before = s.values.map((v) => this.heldTable(v));
    const values = this.exprList(s.values, s.targets.length, true);
    for (let i = 0; i < s.targets.length; i++) {
      const single = i < s.values.length && !(i === s.values.length - 1 && isMulti(s.values[i]));
      this.assign(s.targets[i], values[i], objects[i], single ? s.values[i] : undefined, single ? before[i] : undefined);
    }
  }

  /** Evaluates the object of an assignment target (`t` of `t.x = v`), checking it can be indexed. */
  private indexedObject(target: ast.MemberExpression | ast.IndexExpression): Type {
    const type = this.expr(target.object);
    this.checkIndexable(target.object, type, 'indexing it fails');
    if (target.kind === 'Index') this.expr(target.index);
    return type;
  }

  private assign(target: ast.Expression, value: Type, objectType: Type | undefined, valueNode?: ast.Expression, held?: TableType): void {
    if (target.kind === 'Name') {
      const ref = this.scope.referenceOf(target);
      if (ref?.binding === 'local' && ref.local) {
        this.invalidatePaths(`${ref.local.id}`, undefined);
        if (this.env && !this.closureWritten.has(ref.local.id) && !ref.upvalue) this.env.set(ref.local.id, value);
        this.record(target, this.closureWritten.has(ref.local.id) || ref.upvalue ? UNKNOWN : value);
      }
      return;
    }
    if (target.kind !== 'Member' && target.kind !== 'Index') return;
    const key = target.kind === 'Member' ? target.name.name : target.index.kind === 'String' ? luaText(target.index.value) : undefined;
    this.invalidatePaths(undefined, key);
    // A table held by a local: its field changes from here on.
    const base = target.object.kind === 'Name' ? this.scope.referenceOf(target.object) : undefined;
    if (!this.env || !base || base.binding !== 'local' || !base.local || base.upvalue || this.closureWritten.has(base.local.id)) return;
    const current = this.env.get(base.local.id) ?? objectType;
    if (!current) return;
    if (current.kind !== 'table') {
      if (members(current).some((m) => m.kind === 'table')) this.env.set(base.local.id, opened(current));
      return;
    }
    let next: TableType;
    if (key !== undefined && current.fields.size >= MAX_TRACKED_FIELDS && !current.fields.has(key)) {
      // A table used as a namespace of many fields: new fields are no longer tracked one by one.
      if (!current.open || current.fresh) this.env.set(base.local.id, opened(current));
      return;
    }
    if (key !== undefined) {
      const fields = new Map(current.fields);
      fields.set(key, settle(value));
      next = { ...current, fields };
      const old = this.sites.get(current);
      const sites: TableSites = { fields: new Map(old?.fields ?? []), constructor: old?.constructor, items: old?.items };
      sites.fields.set(key, valueNode ?? target);
      const nested = valueNode ? this.nestedValue(valueNode, value, held) : undefined;
      if (old?.nested || nested) {
        sites.nested = new Map(old?.nested ?? []);
        if (nested) sites.nested.set(key, nested);
        else sites.nested.delete(key);
      }
      this.sites.set(next, sites);
    } else if (current.fresh && valueNode && this.isAppend(target, base.local.id) && this.sites.get(current)?.items) {
      // `t[#t + 1] = v` on a fresh table whose items are known: one more item.
      next = this.appended(current, valueNode, value, held);
    } else {
      // A computed key: the table may now hold anything.
      const array = current.array ? union(current.array, settle(value)) : settle(value);
      next = { kind: 'table', fields: current.fields, array, open: true, ...(current.name ? { name: current.name } : {}) };
    }
    this.env.set(base.local.id, next);
  }

  /** Drops narrowed paths that an assignment may change: those under a local, or through a field name. */
  private invalidatePaths(root: string | undefined, field: string | undefined): void {
    const env = this.env;
    if (!env || env.paths.size === 0) return;
    for (const k of [...env.paths.keys()]) {
      if ((root !== undefined && (k === root || k.startsWith(`${root}.`)))
        || (field !== undefined && (k.endsWith(`.${field}`) || k.includes(`.${field}.`)))
        || (root === undefined && field === undefined)) env.deletePath(k);
    }
  }

  private ifStatement(s: ast.IfStatement): void {
    let rest: Env | null = this.env;
    let out: Env | null = null;
    let hasElse = false;
    for (const clause of s.clauses) {
      this.env = rest;
      if (rest === null) {
        // Unreachable clause (an earlier condition always held): nothing to learn.
        continue;
      }
      if (clause.condition) {
        this.expr(clause.condition);
        const [t, f] = this.branches(clause.condition, this.env ?? rest);
        this.env = t;
        rest = f;
      } else {
        hasElse = true;
        rest = null;
      }
      if (this.env) this.block(clause.body);
      out = join(out, this.env);
    }
    this.env = hasElse ? out : join(out, rest);
  }

  /** Runs a loop to a fixpoint: `pass` analyses one iteration from the head and gives the back edge. */
  private loopHead(entry: Env, body: ast.Node, pass: (head: Env) => Env | null): Env {
    if (this.fixpoints >= MAX_NESTED_FIXPOINTS || (this.silent > 0 && this.fixpoints === 0)) return widenAssigned(entry, body, this.scope);
    this.silent++;
    this.fixpoints++;
    let head = entry;
    try {
      for (let i = 0; i < MAX_PASSES; i++) {
        this.fn.breaks.push([]);
        const back = pass(head.clone());
        this.fn.breaks.pop();
        let next = join(entry, back) ?? entry;
        if (i >= JOIN_PASSES) next = widenChanged(head, next);
        if (sameEnv(next, head)) return head;
        head = next;
      }
    } finally {
      this.silent--;
      this.fixpoints--;
    }
    return widenAssigned(head, body, this.scope);
  }

  private whileLoop(s: ast.WhileStatement): void {
    const entry = this.env;
    if (!entry) return;
    const pass = (head: Env): Env | null => {
      this.env = head;
      this.expr(s.condition);
      const [t] = this.narrow(s.condition, this.env ?? head);
      this.env = t;
      if (t) this.block(s.body);
      return this.env;
    };
    const head = this.loopHead(entry, s.body, pass);
    this.fn.breaks.push([]);
    this.env = head.clone();
    this.expr(s.condition);
    const [t, f] = this.branches(s.condition, this.env);
    this.env = t;
    if (t) this.block(s.body);
    const breaks = this.fn.breaks.pop()!;
    let exit = f;
    for (const b of breaks) exit = join(exit, b);
    this.env = exit;
  }

  private repeatLoop(s: ast.RepeatStatement): void {
    const entry = this.env;
    if (!entry) return;
    const pass = (head: Env): Env | null => {
      this.env = head;
      this.block(s.body, true);
      if (!this.env) return null;
      this.expr(s.condition);
      const back = this.narrow(s.condition, this.env)[1];
      this.env = back;
      this.leaveBlock(s.body);
      return back;
    };
    const head = this.loopHead(entry, s.body, pass);
    this.fn.breaks.push([]);
    this.env = head.clone();
    this.block(s.body, true);
    let exit: Env | null = null;
    if (this.env) {
      this.expr(s.condition);
      exit = this.narrow(s.condition, this.env)[0];
      this.env = exit;
      this.leaveBlock(s.body);
      exit = this.env;
    }
    for (const b of this.fn.breaks.pop()!) exit = join(exit, b);
    this.env = exit;
  }

  private numericFor(s: ast.NumericForStatement): void {
    const a = this.expr(s.initial);
    const b = this.expr(s.limit);
    const c = s.step ? this.expr(s.step) : INTEGER;
    for (const [node, t] of [[s.initial, a], [s.limit, b], [s.step, c]] as const) {
      if (node && t.kind !== 'unknown' && t.kind !== 'number' && t.kind !== 'string') {
        if (maybeNil(t)) this.maybeNil(this.findings, node, t, "a 'for' bound must be a number");
      }
    }
    const integer = isInteger(a) && isInteger(c);
    this.forLoop(s, [[s.variable, integer ? INTEGER : a.kind === 'number' || a.kind === 'unknown' ? (a.kind === 'unknown' ? UNKNOWN : NUMBER) : UNKNOWN]]);
  }

  private genericFor(s: ast.GenericForStatement): void {
    const types = this.exprList(s.iterators, 3, false);
    const vars: [ast.Name, Type][] = s.variables.map((v) => [v, UNKNOWN]);
    const first = s.iterators[0];
    if (s.iterators.length === 1 && first?.kind === 'Call' && !first.method && first.callee.kind === 'Name' && first.callee.name === 'ipairs'
      && this.scope.referenceOf(first.callee)?.binding === 'global') {
      // ipairs gives (iterator, the table, 0): the key is an integer, the value an element.
      const t = types[1];
      if (vars[0]) vars[0][1] = INTEGER;
      if (vars[1] && t?.kind === 'table' && t.array) vars[1][1] = t.array;
    }
    this.forLoop(s, vars);
  }

  private forLoop(s: ast.NumericForStatement | ast.GenericForStatement, vars: [ast.Name, Type][]): void {
    const entry = this.env;
    if (!entry) return;
    const bind = (): void => {
      for (const [name, type] of vars) {
        const local = this.scope.declarationOf(name);
        if (local) this.declare(local, type, name);
      }
    };
    const pass = (head: Env): Env | null => {
      this.env = head;
      bind();
      this.block(s.body);
      return this.env;
    };
    const head = this.loopHead(entry, s.body, pass);
    this.fn.breaks.push([]);
    this.env = head.clone();
    bind();
    this.block(s.body);
    let exit: Env | null = head;
    // The loop may run zero times, or end after any iteration.
    exit = join(exit, this.env);
    for (const b of this.fn.breaks.pop()!) exit = join(exit, b);
    this.env = exit;
    if (exit) {
      for (const [name] of vars) {
        const local = this.scope.declarationOf(name);
        if (local) exit.delete(local.id);
      }
    }
  }

  private functionStatement(s: ast.FunctionStatement): void {
    const ann = this.annotations.at(s);
    const name = sourceSlice(this.parsed, s.target.start, s.target.end);
    let objectType: Type | undefined;
    if (s.target.kind === 'Member') objectType = this.indexedObject(s.target);
    const type = this.functionExpression(s.func, name, ann, s.isMethod);
    if (s.target.kind === 'Name') this.assign(s.target, type, undefined);
    else this.assign(s.target, type, objectType);
    this.record(s.target.kind === 'Name' ? s.target : s.target.name, type);
  }

  private returnStatement(s: ast.ReturnStatement): void {
    const open = s.values.length > 0 && isMulti(s.values[s.values.length - 1]);
    this.moreResults = false;
    const types = this.exprList(s.values, s.values.length, !this.fn.main, true);
    const last = s.values[s.values.length - 1];
    // `return f()` of a function whose results are not all known: neither are this function's.
    const known = !open || (last.kind === 'Call' && this.lastCallee !== undefined && !this.moreResults && this.lastCallee.returns !== undefined);
    if (this.fn.main && this.silent === 0) this.mainReturns.push({ statement: s, types, env: this.env ? this.env.clone() : null });
    if (this.silent === 0) this.fn.returns.push(known ? types : undefined);
    this.env = null;
  }

  // ---- functions -----------------------------------------------------------------------------

  /** The signature of a function from its parameters and annotations (results not yet known). */
  private functionSignature(f: ast.FunctionExpression, name: string, ann: Annotations | undefined, method: boolean): FunctionType {
    const params: Param[] = [];
    if (method) params.push({ name: 'self', type: UNKNOWN });
    for (const p of f.params) params.push({ name: p.name, type: ann?.params.get(p.name) ?? UNKNOWN });
    return {
      kind: 'function', params, ...(f.isVararg ? { variadic: UNKNOWN } : {}),
      ...(ann?.returns ? { returns: ann.returns } : {}), name,
    };
  }

  /** Analyses a function's body (once, outside the silent passes) and gives its type. */
  private functionExpression(f: ast.FunctionExpression, name: string, ann: Annotations | undefined, method = false): FunctionType {
    const known = this.fn.types.get(f);
    if (known && known.kind === 'function') return known;
    const signature = this.functionSignature(f, name, ann, method);
    if (this.silent > 0) return signature;
    const info = this.functionInfo.get(f);
    const upvalues = info ? this.upvaluesSeen(info) : undefined;
    const kept = this.memo.functions.get(f);
    if (kept && upvalues && this.takesOver(kept, upvalues, name, method, ann)) {
      this.use(kept.nodeTypes);
      kept.nodeTypes.parent = this.fn.memo?.nodeTypes;
      return this.takeOver(f, kept);
    }
    this.mayStop();
    const savedEnv = this.env;
    const savedFn = this.fn;
    const savedDepth = this.depth;
    const findingsBefore = this.findings.length;
    const hostArgsBefore = this.hostArgs.length;
    const escapedBefore = this.escaped.length;
    // A long body's types go in a map per statement, which the next analysis takes over whole
    // for the statements it takes over (see BodyStatementMemo).
    const bodyTypes = f.body.body.length >= BODY_MEMO_STATEMENTS && this.keepsBodies() ? new MainTypes(f.body.body) : undefined;
    const types: TypeMap = bodyTypes ?? new Map<ast.Node, Type>();
    // Kept for the next analysis of an edited version (see `InferenceMemo`), completed below.
    const entry: FunctionMemo = {
      start: f.start, reusable: false, name, method, ann, fixpoints: this.fixpoints, anchored: this.anchored,
      upvalues: upvalues ?? NONE, nodeTypes: { types, parent: savedFn.memo?.nodeTypes }, findings: NONE, hostArgs: NONE, escaped: NONE, type: signature, moreResults: false, lastCallee: undefined, anchoredAfter: false,
    };
    this.fn = { info, node: f, name, main: false, returns: [], breaks: [], gotos: new Map(), types, memo: entry };
    // What is known of the enclosing function's locals here holds in the closure for those never
    // reassigned (the others are unknown there); field paths may change before it runs.
    this.env = savedEnv ? savedEnv.withoutPaths() : new Env();
    this.depth = 0;
    if (info) {
      let i = method ? 1 : 0;
      for (const local of info.locals) {
        if (local.kind === 'self') this.declare(local, UNKNOWN, undefined);
        else if (local.kind === 'param') {
          this.declare(local, signature.params[i]?.type ?? UNKNOWN, local.declaration);
          i++;
        }
      }
    }
    if (bodyTypes) this.functionBody(f.body, bodyTypes);
    else this.block(f.body);
    const fallsOff = this.env !== null;
    const neverReturns = !fallsOff && this.fn.returns.length === 0;
    const returns = ann?.returns ?? summarize(this.fn.returns, fallsOff, name);
    this.fn = savedFn;
    this.env = savedEnv;
    this.depth = savedDepth;
    const type: FunctionType = { ...signature, ...(returns ? { returns } : {}), ...(neverReturns ? { neverReturns: true } : {}) };
    if (!ann?.returns) this.ownFunctions.add(type);
    if (!returns) delete (type as { returns?: Type[] }).returns;
    this.record(f, type);
    entry.reusable = upvalues !== undefined;
    if (this.escaped.length > escapedBefore) {
      const escaped: ast.Name[] = [];
      for (let i = escapedBefore; i < this.escaped.length; i++) {
        const declaration = this.scope.locals[this.escaped[i]]?.declaration;
        if (declaration) escaped.push(declaration);
        else entry.reusable = false;
      }
      entry.escaped = escaped;
    }
    if (this.findings.length > findingsBefore) entry.findings = this.findings.slice(findingsBefore).map((x) => movedFinding(x, 0));
    if (this.hostArgs.length > hostArgsBefore) entry.hostArgs = this.hostArgs.slice(hostArgsBefore).map((x) => movedFinding(x, 0));
    entry.type = type;
    entry.moreResults = this.moreResults;
    entry.lastCallee = this.lastCallee;
    entry.anchoredAfter = this.anchored;
    this.memo.functions.set(f, entry);
    this.memo.nodeTypes.set(f, entry.nodeTypes);
    this.use(entry.nodeTypes);
    this.progressed = true;
    return type;
  }

  /** Stops the analysis (see AnalysisInterrupted) when it has finished something and `keepGoing` says its time is up. */
  private mayStop(): void {
    if (this.progressed && this.keepGoing !== undefined && !this.keepGoing()) throw new AnalysisInterrupted(this.memo);
  }

  /** What a function defined here sees of its upvalues (see `UpvalueSeen`). */
  private upvaluesSeen(info: FunctionInfo): UpvalueSeen[] {
    const out: UpvalueSeen[] = [];
    for (const u of info.upvalues) {
      const local = u.local;
      if (!local) {
        out.push({ decl: undefined, local: 0, closureWritten: false, written: false, type: undefined, declared: undefined });
        continue;
      }
      out.push({
        decl: local.declaration ?? local.declaringNode, local: localNumber(local), closureWritten: this.closureWritten.has(local.id), written: local.written,
        type: this.env?.get(local.id), declared: this.declared.get(local.id),
      });
    }
    return out;
  }

  /** Whether a function's earlier analysis is what analysing it here would give. */
  private takesOver(kept: FunctionMemo, upvalues: UpvalueSeen[], name: string, method: boolean, ann: Annotations | undefined): boolean {
    if (!kept.reusable || kept.name !== name || kept.method !== method || kept.fixpoints !== this.fixpoints || kept.anchored !== this.anchored) return false;
    if (kept.upvalues.length !== upvalues.length || !this.sameAnnotations(kept.ann, ann)) return false;
    // Where a table's fields were set matters only to the output's checks, which a table can reach
    // from here only through the function's results.
    const sites = carriesTables(kept.type);
    for (let i = 0; i < upvalues.length; i++) {
      const a = kept.upvalues[i];
      const b = upvalues[i];
      if ((a.decl !== b.decl && a.local !== b.local) || a.closureWritten !== b.closureWritten || a.written !== b.written) return false;
      if (!this.identical(a.type, b.type, sites) || !this.identical(a.declared, b.declared, sites)) return false;
    }
    // The locals whose tables it passed on, by declaring name: a local kept with a new declaration
    // is not found by its old one.
    for (const declaration of kept.escaped) if (!this.scope.declarationOf(declaration)) return false;
    return true;
  }

  /** Takes a function's earlier analysis over: its type, findings and node types, and the traces its body left. */
  private takeOver(f: ast.FunctionExpression, kept: FunctionMemo): FunctionType {
    const delta = f.start - kept.start;
    for (const x of kept.findings) this.findings.push(movedFinding(x, delta));
    for (const x of kept.hostArgs) this.hostArgs.push(movedFinding(x, delta));
    for (const declaration of kept.escaped) {
      const local = this.scope.declarationOf(declaration);
      if (local) this.escaped.push(local.id);
    }
    this.moreResults = kept.moreResults;
    this.lastCallee = kept.lastCallee;
    this.anchored = kept.anchoredAfter;
    this.record(f, kept.type);
    return kept.type;
  }

  private sameAnnotations(a: Annotations | undefined, b: Annotations | undefined): boolean {
    if (a === b) return true;
    if (!a || !b || a.params.size !== b.params.size || !this.identical(a.type, b.type)) return false;
    if ((a.returns === undefined) !== (b.returns === undefined) || (a.returns && !this.identicalList(a.returns, b.returns!))) return false;
    for (const [k, v] of a.params) if (!this.identical(v, b.params.get(k))) return false;
    return true;
  }

  private identicalList(a: readonly Type[], b: readonly Type[], sites = false, depth = 0): boolean {
    return a.length === b.length && a.every((t, i) => this.identical(t, b[i], sites, depth));
  }

  /** Whether two tables' fields were set at the same places (see `TableSites`; nested snapshots: not known to be). */
  private sameSites(a: TableType, b: TableType): boolean {
    const x = this.sites.get(a);
    const y = this.sites.get(b);
    if (x === y) return true;
    if (!x || !y || x.constructor !== y.constructor || x.nested || y.nested || x.fields.size !== y.fields.size) return false;
    for (const [k, v] of x.fields) if (y.fields.get(k) !== v) return false;
    if ((x.items === undefined) !== (y.items === undefined)) return false;
    return !x.items || (x.items.length === y.items!.length && x.items.every((item, i) => {
      const other = y.items![i];
      return item.node === other.node && !item.nested && !other.nested && this.identical(item.type, other.type, true);
    }));
  }

  /**
   * Whether two types are the same in everything the analysis reads of them: their structure, nil
   * origins, and what it knows of them by identity (the script's own functions, host functions,
   * anchored tables). Past a depth, not the same.
   */
  private identical(a: Type | undefined, b: Type | undefined, sites = false, depth = 0): boolean {
    if (a === b) return true;
    if (a === undefined || b === undefined || a.kind !== b.kind || depth > 16) return false;
    switch (a.kind) {
      case 'unknown': return true;
      case 'nil': {
        const o = a.origin;
        const p = (b as typeof a).origin;
        return o === p || (o !== undefined && p !== undefined && o.text === p.text && o.contract === p.contract);
      }
      case 'boolean': return a.value === (b as typeof a).value;
      case 'number': return a.subtype === (b as typeof a).subtype && Object.is(a.value, (b as typeof a).value);
      case 'string': return a.value === (b as typeof a).value;
      case 'table': {
        const t = b as TableType;
        if (a.open !== t.open || a.fresh !== t.fresh || a.name !== t.name || a.fields.size !== t.fields.size) return false;
        if (this.anchors.has(a) !== this.anchors.has(t) || (sites && !this.sameSites(a, t))) return false;
        if (!this.identical(a.array, t.array, sites, depth + 1)) return false;
        for (const [k, v] of a.fields) if (!this.identical(v, t.fields.get(k), sites, depth + 1)) return false;
        return true;
      }
      case 'function': {
        const g = b as FunctionType;
        if (a.name !== g.name || a.neverReturns !== g.neverReturns || a.params.length !== g.params.length) return false;
        if (this.ownFunctions.has(a) !== this.ownFunctions.has(g) || this.hostOf.get(a) !== this.hostOf.get(g)) return false;
        if (!this.identical(a.variadic, g.variadic, sites, depth + 1)) return false;
        if ((a.returns === undefined) !== (g.returns === undefined) || (a.returns && !this.identicalList(a.returns, g.returns!, sites, depth + 1))) return false;
        return a.params.every((p, i) => p.name === g.params[i].name && p.optional === g.params[i].optional && this.identical(p.type, g.params[i].type, sites, depth + 1));
      }
      case 'union': return this.identicalList(a.types, (b as typeof a).types, sites, depth + 1);
    }
  }

  // ---- expressions ---------------------------------------------------------------------------

  /** The values of an expression list, `want` of them (the last expression gives several). */
  private exprList(list: ast.Expression[], want: number, escapes: boolean, all = false): Type[] {
    const out: Type[] = [];
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      if (i === list.length - 1 && isMulti(e)) {
        const values = this.multi(e);
        if (escapes) this.escape(e);
        const more = this.moreResults ? UNKNOWN : NIL;
        const count = all && values !== undefined ? out.length + values.length : Math.max(want, list.length);
        for (let j = 0; out.length < count; j++) out.push(values === undefined ? UNKNOWN : values[j] ?? more);
        break;
      }
      const value = this.expr(e);
      // A local's table passed on is shared from here: neither copy is fresh.
      out.push(escapes && e.kind !== 'Table' && e.kind !== 'Function' ? settle(value) : value);
      if (escapes) this.escape(e);
    }
    while (out.length < want) out.push(NIL);
    return out;
  }

  /** The values of a call or `...` (undefined: how many is not known). */
  private multi(e: ast.Expression): Type[] | undefined {
    if (e.kind === 'Vararg') {
      const t = this.fn.main ? this.input : UNKNOWN;
      this.record(e, t);
      return this.fn.main ? [t] : undefined;
    }
    if (e.kind === 'Call') {
      if (++this.depth > MAX_EXPRESSION_DEPTH) {
        this.depth--;
        return undefined;
      }
      try {
        const values = this.call(e);
        this.record(e, values === undefined ? UNKNOWN : values[0] ?? NIL);
        return values;
      } finally {
        this.depth--;
      }
    }
    return [this.expr(e)];
  }

  expr(e: ast.Expression): Type {
    // Literals are typed by `literalType` when asked: not recorded.
    const literal = literalType(e);
    if (literal) return literal;
    if (++this.depth > MAX_EXPRESSION_DEPTH) {
      this.depth--;
      return UNKNOWN;
    }
    try {
      return this.record(e, this.exprInner(e));
    } finally {
      this.depth--;
    }
  }

  private exprInner(e: ast.Expression): Type {
    switch (e.kind) {
      case 'Nil': return NIL;
      case 'True': return { kind: 'boolean', value: true };
      case 'False': return { kind: 'boolean', value: false };
      case 'Number': return e.integer ? { kind: 'number', subtype: 'integer', value: e.value } : { kind: 'number', subtype: 'float', value: e.value };
      case 'String': return { kind: 'string', value: luaText(e.value) };
      case 'Vararg': return this.fn.main ? this.input : UNKNOWN;
      case 'Function': return this.functionExpression(e, 'function', undefined);
      case 'Table': return this.table(e);
      case 'Name': return this.name(e);
      case 'Paren': return this.expr(e.expression);
      case 'Member': return this.member(e);
      case 'Index': return this.index(e);
      case 'Call': {
        const values = this.call(e);
        return values === undefined ? UNKNOWN : values[0] ?? NIL;
      }
      case 'Unary': return this.unary(e);
      case 'Binary': return this.binary(e);
      case 'ErrorExpression': return UNKNOWN;
    }
  }

  private localType(local: LocalVariable, upvalue: boolean): Type {
    if (this.closureWritten.has(local.id)) return UNKNOWN;
    let t = this.env?.get(local.id);
    if (t !== undefined && this.anchored && this.anchors.has(t)) {
      // A table stored in another one and used again: what was stored may change from here.
      t = { ...t } as Type;
      this.env!.set(local.id, t);
    }
    if (t !== undefined) return t;
    if (upvalue && !local.written) return this.declared.get(local.id) ?? UNKNOWN;
    return UNKNOWN;
  }

  private name(e: ast.Name): Type {
    const ref = this.scope.referenceOf(e);
    if (!ref) return UNKNOWN;
    if (ref.binding === 'local' && ref.local) {
      if (ref.upvalue && ref.local.written) return UNKNOWN;
      return this.localType(ref.local, ref.upvalue);
    }
    if (ref.binding === 'global') {
      const narrowed = e.name === 'input' ? this.env?.paths.get('input') : undefined;
      return narrowed ?? this.global(e.name);
    }
    return UNKNOWN;
  }

  private global(name: string): Type {
    if (this.ownGlobals.has(name)) return UNKNOWN;
    const cached = this.globalCache.get(name);
    if (cached) return cached;
    let type: Type = UNKNOWN;
    if (name === 'input') type = this.input;
    else if (this.hostGlobals.has(name)) type = this.hostGlobal(name);
    else type = stdlibType(name) ?? UNKNOWN;
    this.globalCache.set(name, type);
    return type;
  }

  /** A host global: a function, or a table of host functions (nested by their dotted names). */
  private hostGlobal(name: string): Type {
    const direct = this.host.get(name);
    if (direct) {
      const t = hostFunctionType(direct);
      this.hostOf.set(t, direct);
      return t;
    }
    const build = (prefix: string, depth: number): TableType => {
      const fields = new Map<string, Type>();
      const seen = new Set<string>();
      for (const fn of this.host.values()) {
        if (!fn.name.startsWith(`${prefix}.`) || depth > 8) continue;
        const rest = fn.name.slice(prefix.length + 1);
        const head = rest.split('.')[0];
        if (seen.has(head)) continue;
        seen.add(head);
        if (rest === head) {
          const t = hostFunctionType(fn);
          this.hostOf.set(t, fn);
          fields.set(head, t);
        } else {
          fields.set(head, build(`${prefix}.${head}`, depth + 1));
        }
      }
      return { kind: 'table', fields, open: false, name: prefix };
    };
    return build(name, 0);
  }

  /** The key of a narrowable path (`3.a.b` under local 3, `input.a`), if the expression is one. */
  private pathKey(e: ast.Expression): string | undefined {
    const names: string[] = [];
    let n: ast.Expression = e;
    for (let i = 0; i <= MAX_PATH; i++) {
      if (n.kind === 'Member') {
        names.push(n.name.name);
        n = n.object;
      } else if (n.kind === 'Index' && n.index.kind === 'String' && !n.index.value.includes('.')) {
        names.push(luaText(n.index.value));
        n = n.object;
      } else if (n.kind === 'Name') {
        const ref = this.scope.referenceOf(n);
        let root: string | undefined;
        if (ref?.binding === 'local' && ref.local && !this.closureWritten.has(ref.local.id) && !(ref.upvalue && ref.local.written)) root = `${ref.local.id}`;
        else if (ref?.binding === 'global' && n.name === 'input' && !this.ownGlobals.has('input')) root = 'input';
        if (root === undefined) return undefined;
        names.push(root);
        return names.reverse().join('.');
      } else {
        return undefined;
      }
    }
    return undefined;
  }

  private narrowedPath(e: ast.Expression, type: Type): Type {
    const env = this.env;
    if (!env || env.paths.size === 0) return type;
    const key = this.pathKey(e);
    return key !== undefined ? env.paths.get(key) ?? type : type;
  }

  private member(e: ast.MemberExpression): Type {
    const object = this.expr(e.object);
    if (e.object.kind === 'Name' && (e.object.name === '_G' || e.object.name === '_ENV') && !this.scope.globalTableModified) {
      const ref = this.scope.referenceOf(e.object);
      if (ref?.binding === 'global' || ref?.binding === 'env') return this.global(e.name.name);
    }
    this.checkIndexable(e.object, object, 'indexing it fails');
    this.readOut(e.object, object, e.name.name);
    return this.record(e.name, this.narrowedPath(e, fieldOf(object, e.name.name)));
  }

  private index(e: ast.IndexExpression): Type {
    const object = this.expr(e.object);
    const key = this.expr(e.index);
    this.checkIndexable(e.object, object, 'indexing it fails');
    const name = e.index.kind === 'String' ? luaText(e.index.value) : undefined;
    this.readOut(e.object, object, name);
    if (name !== undefined) return this.narrowedPath(e, fieldOf(object, name));
    if (key.kind === 'number') {
      const arrays = members(object).filter((t): t is TableType => t.kind === 'table');
      if (arrays.length === 1 && arrays[0].array && members(object).every((t) => t.kind === 'table' || t.kind === 'nil')) return arrays[0].array;
    }
    return UNKNOWN;
  }

  private isGlobalName(node: ast.Expression): boolean {
    return node.kind === 'Name' && this.scope.referenceOf(node)?.binding !== 'local';
  }

  /** Reports indexing a value that may be nil, or that surely cannot be indexed. */
  private checkIndexable(node: ast.Expression, type: Type, use: string): void {
    if (this.silent > 0 || type.kind === 'unknown') return;
    if (maybeNil(type)) {
      this.maybeNil(this.findings, node, type, use);
      return;
    }
    const bad = members(type).every((t) => t.kind === 'nil' || t.kind === 'number' || t.kind === 'boolean' || t.kind === 'function');
    // A standard name may have been replaced by the host environment (test frameworks do): only locals are judged.
    if (bad && !this.isGlobalName(node)) this.mismatch(node, `${this.text(node)} is ${describe(type)}: indexing it fails at run time`);
  }

  private table(e: ast.TableConstructor): Type {
    const fields = new Map<string, Type>();
    const sites: TableSites = { fields: new Map(), constructor: e };
    let array: Type | undefined;
    let open = false;
    let items: Item[] | undefined = [];
    for (let i = 0; i < e.fields.length; i++) {
      const f = e.fields[i];
      if (f.style === 'positional') {
        if (i === e.fields.length - 1 && isMulti(f.value)) {
          this.multi(f.value);
          this.escape(f.value);
          array = array ? union(array, UNKNOWN) : UNKNOWN;
          items = undefined;
        } else {
          const held = this.heldTable(f.value);
          const t = this.expr(f.value);
          this.escape(f.value);
          array = array ? union(array, settle(t)) : settle(t);
          if (items) {
            const nested = this.nestedValue(f.value, t, held);
            items.push({ node: f.value, type: t, ...(nested ? { nested } : {}) });
          }
        }
        continue;
      }
      const key = f.key!;
      if (f.style === 'keyed') {
        this.expr(key);
        items = undefined;
      }
      const held = this.heldTable(f.value);
      const t = this.expr(f.value);
      this.escape(f.value);
      if (key.kind === 'String') {
        const name = luaText(key.value);
        fields.set(name, settle(t));
        sites.fields.set(name, f);
        const nested = this.nestedValue(f.value, t, held);
        if (nested) (sites.nested ??= new Map()).set(name, nested);
      } else {
        open = true;
      }
    }
    if (items) sites.items = items;
    const type: TableType = { kind: 'table', fields, open, ...(array ? { array } : {}), fresh: true };
    this.sites.set(type, sites);
    return type;
  }

  /** The fresh table a plain local holds, before the expression passes it on. */
  private heldTable(e: ast.Expression): TableType | undefined {
    if (e.kind !== 'Name' || !this.env) return undefined;
    const ref = this.scope.referenceOf(e);
    if (ref?.binding !== 'local' || !ref.local || ref.upvalue || this.closureWritten.has(ref.local.id)) return undefined;
    const t = this.env.get(ref.local.id);
    return t?.kind === 'table' && t.fresh ? t : undefined;
  }

  /** A table stored in another one whose contents are known from here: a constructor, or a fresh local's table (anchored). */
  private nestedValue(node: ast.Expression, type: Type, held: TableType | undefined): Nested | undefined {
    if (node.kind === 'Table') return type.kind === 'table' && type.fresh ? { type } : undefined;
    if (!held || node.kind !== 'Name' || !this.env) return undefined;
    const id = this.scope.referenceOf(node)?.local?.id;
    if (id === undefined) return undefined;
    let marker = this.env.get(id);
    if (marker === undefined) return undefined;
    if (marker === held) {
      // Not passed on (a plain store never leaves it fresh, but be sure): the local's copy is opened now.
      marker = opened(held);
      this.env.set(id, marker);
    }
    this.anchors.add(marker);
    this.anchored = true;
    return { type: held, anchor: { id, marker } };
  }

  /** `t[#t + 1]` where `t` is the local `id`. */
  private isAppend(target: ast.IndexExpression | ast.MemberExpression, id: number): boolean {
    if (target.kind !== 'Index') return false;
    const k = target.index;
    if (k.kind !== 'Binary' || k.operator !== '+' || k.right.kind !== 'Number' || !k.right.integer || k.right.value !== 1) return false;
    const len = k.left;
    if (len.kind !== 'Unary' || len.operator !== '#' || len.operand.kind !== 'Name') return false;
    return this.scope.referenceOf(len.operand)?.local?.id === id;
  }

  /** A fresh table with one more item (`t[#t + 1] = v`, `table.insert(t, v)`). */
  private appended(current: TableType, node: ast.Expression, value: Type, held: TableType | undefined): TableType {
    const array = current.array ? union(current.array, settle(value)) : settle(value);
    const next: TableType = { ...current, array };
    const old = this.sites.get(current)!;
    const nested = this.nestedValue(node, value, held);
    this.sites.set(next, { ...old, items: [...old.items!, { node, type: value, ...(nested ? { nested } : {}) }] });
    return next;
  }

  /** A field read out of a local's table: a table in it may be changed through the copy read, so its contents are no longer known. */
  private readOut(object: ast.Expression, type: Type, key: string | undefined): void {
    if (object.kind !== 'Name' || type.kind !== 'table' || !this.env) return;
    const sites = this.sites.get(type);
    if (!sites || (!sites.nested && !sites.items)) return;
    if (key !== undefined && !sites.nested?.has(key)) return;
    const id = this.scope.referenceOf(object)?.local?.id;
    if (id === undefined || this.env.get(id) !== type) return;
    const nested = key === undefined ? undefined : new Map(sites.nested);
    nested?.delete(key!);
    const next: TableType = { ...type };
    this.sites.set(next, { fields: sites.fields, constructor: sites.constructor, ...(nested && nested.size > 0 ? { nested } : {}),
      ...(sites.items && key !== undefined ? { items: sites.items } : {}) });
    this.env.set(id, next);
  }

  /** A value passed on (an argument, stored, aliased): a fresh table held by a local is no longer fresh. */
  private escape(e: ast.Expression): void {
    let n: ast.Expression = e;
    for (let i = 0; i < 8; i++) {
      if (n.kind === 'Paren') n = n.expression;
      else if (n.kind === 'Binary' && (n.operator === 'and' || n.operator === 'or')) {
        this.escape(n.left);
        n = n.right;
      } else break;
    }
    if (n.kind !== 'Name' || !this.env) return;
    const ref = this.scope.referenceOf(n);
    if (!ref?.local || ref.binding !== 'local') return;
    this.escapeLocal(ref.local.id);
  }

  private escapeLocal(id: number): void {
    const t = this.env?.get(id);
    if (t && members(t).some((m) => m.kind === 'table' && (m.fresh || !m.open))) {
      this.env!.set(id, opened(t));
      this.escaped.push(id);
    }
  }

  // ---- calls ---------------------------------------------------------------------------------

  /** A call's results (undefined: not known); `moreResults` then says whether results past those are unknown (not nil). */
  call(c: ast.CallExpression): Type[] | undefined {
    const results = this.callResults(c);
    const fn = this.lastCallee;
    this.moreResults = fn !== undefined && !this.hostOf.has(fn) && !(fn.returns && this.ownFunctions.has(fn));
    return results;
  }

  private callResults(c: ast.CallExpression): Type[] | undefined {
    let fnType: Type;
    if (c.method) {
      const object = this.expr(c.callee);
      this.checkIndexable(c.callee, object, `calling its method '${c.method.name}' fails`);
      this.escape(c.callee);
      fnType = methodOf(object, c.method.name);
      this.record(c.method, fnType);
    } else {
      fnType = this.expr(c.callee);
      if (fnType.kind !== 'unknown' && this.silent === 0) {
        if (maybeNil(fnType)) this.maybeNil(this.findings, c.callee, fnType, 'calling it fails');
        else if (members(fnType).every((t) => t.kind === 'nil' || t.kind === 'number' || t.kind === 'string' || t.kind === 'boolean' || (t.kind === 'table' && t.fresh))) {
          this.mismatch(c.callee, `${this.text(c.callee)} is ${describe(fnType)}: calling it fails at run time`);
        }
      }
    }
    const args = c.args;
    const list = !c.method && args.length === 2 ? this.heldTable(args[0]) : undefined;
    const item = list ? this.heldTable(args[1]) : undefined;
    const values = this.exprList(args, args.length, true);
    const fn = fnType.kind === 'function' ? fnType : undefined;
    if (list && fn?.name === 'table.insert' && this.sites.get(list)?.items && !isMulti(args[1]) && this.env) {
      // `table.insert(t, v)` on a fresh table whose items are known: one more item, still fresh.
      const id = this.scope.referenceOf(args[0] as ast.Name)!.local!.id;
      this.env.set(id, this.appended(list, args[1], values[1], item));
    }
    this.lastCallee = fn;
    const host = fn ? this.hostOf.get(fn) : undefined;
    if (host && !c.method) this.hostCall(host, c, values);
    if (!fn) return undefined;
    // The standard library's functions whose results follow their arguments.
    switch (fn.name) {
      case 'assert': {
        if (args.length === 0) return undefined;
        if (this.env) {
          const [t] = this.narrow(args[0], this.env);
          this.env = t ?? this.env;
        }
        return [truthy(values[0]) ?? values[0], ...values.slice(1)];
      }
      case 'setmetatable': return [values[0] ? opened(values[0]) : ANY_TABLE];
      case 'table.remove': {
        const list = values[0];
        if (list?.kind === 'table' && list.array && list.array.kind !== 'unknown') {
          return [union(list.array, { kind: 'nil', origin: { text: 'table.remove returns nil on an empty list', contract: false } })];
        }
        return undefined;
      }
      case 'ipairs': return [UNKNOWN, values[0] ?? UNKNOWN, INTEGER];
      case 'select': case 'pcall': case 'xpcall': case 'table.unpack': case 'next': return fn.name === 'pcall' || fn.name === 'xpcall' ? [BOOLEAN, UNKNOWN] : undefined;
      default: break;
    }
    return fn.returns;
  }

  /** A host call's arguments against the contract's parameters. */
  private hostCall(fn: HostFunction, call: ast.CallExpression, values: Type[]): void {
    if (this.silent > 0) return;
    const args = call.args;
    const lastOpen = args.length > 0 && isMulti(args[args.length - 1]);
    const required = fn.params.filter((p) => !p.optional).length;
    const name = fn.name;
    if (!fn.variadic && args.length > fn.params.length) {
      this.report(this.hostArgs, args[fn.params.length], 'error', 'host-args', `${name} takes ${fn.params.length} argument${fn.params.length === 1 ? '' : 's'}, got ${args.length}: ${fn.signature}`);
    } else if (args.length < required && !lastOpen) {
      this.report(this.hostArgs, call, 'error', 'host-args', `${name} needs ${required} argument${required === 1 ? '' : 's'}, got ${args.length}: ${fn.signature}`);
    }
    args.forEach((arg, i) => {
      const param = i < fn.params.length ? fn.params[i] : fn.variadic;
      if (!param) return;
      const literal = literalJsonType(arg);
      if (literal !== undefined) {
        if (!admitsLiteral(param.type, literal, arg)) {
          this.report(this.hostArgs, arg, 'error', 'host-args', `argument #${i + 1} ('${param.name}') of ${name} must be ${param.text}, not ${describeLiteral(arg)}`);
          return;
        }
      } else {
        const type = values[i];
        if (type === undefined || type.kind === 'unknown') return;
        if (type.kind === 'nil') {
          if (!param.optional && !acceptsNil(param.type)) this.report(this.hostArgs, arg, 'error', 'host-args', `argument #${i + 1} ('${param.name}') of ${name} must be ${param.text}, not nil (${this.text(arg)} is nil)`);
          return;
        }
        const rest = withoutNil(type);
        if (rest && rest.kind !== 'unknown' && members(rest).every((t) => !admitsType(param.type, t))) {
          this.report(this.hostArgs, arg, 'error', 'host-args', `argument #${i + 1} ('${param.name}') of ${name} must be ${param.text}, not ${describe(rest)} (${this.text(arg)})`);
          return;
        }
        if (maybeNil(type) && !param.optional && !acceptsNil(param.type)) {
          this.maybeNil(this.findings, arg, type, `argument #${i + 1} ('${param.name}') of ${name} must be ${param.text}`);
          return;
        }
      }
      this.constraints(param, i, name, arg, values[i]);
    });
  }

  /** Schema constraints (`maxLength`, `enum`, `minimum`, …) on an argument whose value is known. */
  private constraints(param: HostParam, i: number, name: string, arg: ast.Expression, type: Type | undefined): void {
    const value = knownValue(arg, type) ?? constantTable(arg);
    if (value === undefined || typeof param.schema !== 'object') return;
    const problems = validateValue(param.schema, value, { rootName: `argument #${i + 1} ('${param.name}') of ${name}` });
    if (problems.length > 0) this.report(this.hostArgs, arg, 'error', 'host-args', problems[0].message);
  }

  // ---- operators -----------------------------------------------------------------------------

  private unary(e: ast.UnaryExpression): Type {
    const t = this.expr(e.operand);
    switch (e.operator) {
      case 'not': return BOOLEAN;
      case '#': {
        if (t.kind === 'unknown') return UNKNOWN;
        if (maybeNil(t)) this.maybeNil(this.findings, e.operand, t, "'#' of it fails");
        else if (members(t).every((m) => m.kind === 'nil' || m.kind === 'number' || m.kind === 'boolean' || m.kind === 'function')) {
          this.mismatch(e.operand, `${this.text(e.operand)} is ${describe(t)}: '#' of it fails at run time`);
        }
        // A table with a metatable may answer `__len` with anything.
        return members(t).every((m) => m.kind === 'string' || (m.kind === 'table' && (m.fresh || m.array !== undefined)) || m.kind === 'nil') ? INTEGER : UNKNOWN;
      }
      case '-': {
        this.operand(e.operand, t, 'arithmetic on it fails');
        if (t.kind === 'number') return t.value !== undefined ? { kind: 'number', ...(t.subtype ? { subtype: t.subtype } : {}), value: -t.value } : t;
        return t.kind === 'string' ? NUMBER : UNKNOWN;
      }
      case '~': {
        this.operand(e.operand, t, 'a bitwise operation on it fails');
        return t.kind === 'number' || t.kind === 'string' ? INTEGER : UNKNOWN;
      }
    }
  }

  /**
   * An operand of arithmetic: numbers and strings (coerced) pass; nil, booleans, functions and plain
   * tables fail, unless the other operand (`other`) may bring a metamethod.
   */
  /**
   * An operand of arithmetic, concatenation or an order comparison: nil (maybe) or a value
   * without metamethods of the wrong kind fails at run time, unless the other operand may have
   * the metamethod.
   */
  private operand(node: ast.Expression, t: Type, use: string, other?: Type): void {
    if (t.kind === 'unknown' || this.silent > 0) return;
    if (other && !withoutMetamethods(other, this.stringMetamethods)) return;
    if (maybeNil(t)) {
      this.maybeNil(this.findings, node, t, use);
      return;
    }
    if (members(t).every((m) => m.kind === 'nil' || m.kind === 'boolean' || m.kind === 'function' || (m.kind === 'table' && m.fresh))) {
      this.mismatch(node, `${this.text(node)} is ${describe(t)}: ${use} at run time`);
    }
  }

  private binary(e: ast.BinaryExpression): Type {
    const op = e.operator;
    if (op === 'and' || op === 'or') {
      const left = this.expr(e.left);
      const saved = this.env;
      let unreachable = false;
      if (saved) {
        const [t, f] = this.narrow(e.left, saved);
        const next = op === 'and' ? t : f;
        unreachable = next === null;
        this.env = next ?? saved;
      }
      // A right operand that never runs (`nil and x`) is not judged.
      if (unreachable) this.silent++;
      const escapedBefore = this.escaped.length;
      let right: Type;
      try {
        right = this.expr(e.right);
      } finally {
        if (unreachable) this.silent--;
      }
      this.env = saved;
      // What the right operand passed on stays passed on.
      for (let i = escapedBefore; i < this.escaped.length; i++) this.escapeLocal(this.escaped[i]);
      if (op === 'and') {
        const f = falsy(left);
        return f ? union(f, right) : right;
      }
      const t = truthy(left);
      if (t && !falsy(left)) return left;
      return t ? union(t, right) : right;
    }
    const left = this.expr(e.left);
    const right = this.expr(e.right);
    switch (op) {
      case '==': case '~=':
        return BOOLEAN;
      case '<': case '>': case '<=': case '>=':
        this.operand(e.left, left, 'comparing it fails', right);
        this.operand(e.right, right, 'comparing it fails', left);
        // Lua compares numbers with numbers and strings with strings, never one with the other.
        if (!this.stringMetamethods && this.silent === 0) {
          const kind = (t: Type): string | undefined => (members(t).every((m) => m.kind === 'number') ? 'number' : members(t).every((m) => m.kind === 'string') ? 'string' : undefined);
          const [l, r] = [kind(left), kind(right)];
          if (l !== undefined && r !== undefined && l !== r) this.mismatch(e, `${this.text(e.left)} is a ${l} and ${this.text(e.right)} a ${r}: comparing them fails at run time`);
        }
        return BOOLEAN;
      case '..': {
        this.operand(e.left, left, 'concatenating it fails', right);
        this.operand(e.right, right, 'concatenating it fails', left);
        return isStringLike(left) && isStringLike(right) ? STRING : UNKNOWN;
      }
      case '+': case '-': case '*': case '/': case '//': case '%': case '^': {
        this.operand(e.left, left, 'arithmetic on it fails', right);
        this.operand(e.right, right, 'arithmetic on it fails', left);
        if (left.kind !== 'number' && left.kind !== 'string') return UNKNOWN;
        if (right.kind !== 'number' && right.kind !== 'string') return UNKNOWN;
        if (op === '/' || op === '^') return FLOAT;
        return isInteger(left) && isInteger(right) ? INTEGER : NUMBER;
      }
      default: {
        this.operand(e.left, left, 'a bitwise operation on it fails', right);
        this.operand(e.right, right, 'a bitwise operation on it fails', left);
        return (left.kind === 'number' || left.kind === 'string') && (right.kind === 'number' || right.kind === 'string') ? INTEGER : UNKNOWN;
      }
    }
  }

  // ---- narrowing -----------------------------------------------------------------------------

  /** The environments where a condition holds and where it does not (null: cannot happen). */
  /**
   * A condition's two branches as environments each may change: `narrow` gives one environment
   * for both when the condition tells nothing of them (`n > 0`, a call), and what one branch
   * assigns must not reach the other (or what follows an `if` without `else`).
   */
  private branches(e: ast.Expression, env: Env): [Env | null, Env | null] {
    const [t, f] = this.narrow(e, env);
    return t !== null && t === f ? [t, f.clone()] : [t, f];
  }

  private narrow(e: ast.Expression, env: Env, depth = 0): [Env | null, Env | null] {
    if (depth > 16) return [env, env];
    switch (e.kind) {
      case 'Paren': return this.narrow(e.expression, env, depth + 1);
      case 'True': return [env, null];
      case 'False': case 'Nil': return [null, env];
      case 'Number': case 'String': case 'Table': case 'Function': return [env, null];
      case 'Unary':
        if (e.operator === 'not') {
          const [t, f] = this.narrow(e.operand, env, depth + 1);
          return [f, t];
        }
        return [env, env];
      case 'Binary': {
        if (e.operator === 'and') {
          const [lt, lf] = this.narrow(e.left, env, depth + 1);
          if (!lt) return [null, lf];
          const [rt, rf] = this.narrow(e.right, lt, depth + 1);
          return [rt, join(lf, rf)];
        }
        if (e.operator === 'or') {
          const [lt, lf] = this.narrow(e.left, env, depth + 1);
          if (!lf) return [lt, null];
          const [rt, rf] = this.narrow(e.right, lf, depth + 1);
          return [join(lt, rt), rf];
        }
        if (e.operator === '==' || e.operator === '~=') {
          const [t, f] = this.narrowEquality(e, env);
          return e.operator === '==' ? [t, f] : [f, t];
        }
        return [env, env];
      }
      case 'Call': {
        // `assert(x)` inside a condition: the condition's truth is x's, and x holds after it.
        return [env, env];
      }
      default: {
        const current = this.current(e, env);
        if (current === undefined) return [env, env];
        return [this.refine(e, env, truthy(current)), this.refine(e, env, falsy(current))];
      }
    }
  }

  private narrowEquality(e: ast.BinaryExpression, env: Env): [Env | null, Env | null] {
    const typeCall = (n: ast.Expression): ast.Expression | undefined =>
      n.kind === 'Call' && !n.method && n.callee.kind === 'Name' && n.callee.name === 'type' && n.args.length === 1
        && this.scope.referenceOf(n.callee)?.binding === 'global' ? n.args[0] : undefined;
    let subject: ast.Expression | undefined;
    let other: ast.Expression | undefined;
    for (const [a, b] of [[e.left, e.right], [e.right, e.left]] as const) {
      const arg = typeCall(a);
      if (arg && b.kind === 'String') {
        const current = this.current(arg, env);
        if (current === undefined) return [env, env];
        return [this.refine(arg, env, ofLuaType(current, b.value, true)), this.refine(arg, env, ofLuaType(current, b.value, false))];
      }
    }
    if (e.right.kind === 'Nil' || isLiteral(e.right)) [subject, other] = [e.left, e.right];
    else if (e.left.kind === 'Nil' || isLiteral(e.left)) [subject, other] = [e.right, e.left];
    if (!subject || !other) return [env, env];
    const current = this.current(subject, env);
    if (current === undefined) return [env, env];
    if (other.kind === 'Nil') {
      const nil = current.kind === 'unknown' ? current : nilMember(current) ?? (current.kind === 'nil' ? current : undefined);
      return [this.refine(subject, env, nil), this.refine(subject, env, withoutNil(current))];
    }
    // Equal to a literal that is not nil: not nil.
    return [this.refine(subject, env, withoutNil(current)), env];
  }

  /** The type of a narrowable expression in an environment (undefined: not narrowable). */
  private current(e: ast.Expression, env: Env): Type | undefined {
    if (e.kind === 'Paren') return this.current(e.expression, env);
    if (e.kind === 'Name') {
      const ref = this.scope.referenceOf(e);
      if (ref?.binding !== 'local' || !ref.local || this.closureWritten.has(ref.local.id) || (ref.upvalue && ref.local.written)) {
        if (ref?.binding === 'global' && e.name === 'input' && !this.ownGlobals.has('input')) return env.paths.get('input') ?? this.input;
        return undefined;
      }
      const t = env.get(ref.local.id);
      if (t !== undefined) return t;
      return ref.upvalue ? this.declared.get(ref.local.id) ?? UNKNOWN : UNKNOWN;
    }
    if (e.kind === 'Member' || e.kind === 'Index') {
      const key = this.pathKey(e);
      if (key === undefined) return undefined;
      const narrowed = env.paths.get(key);
      if (narrowed) return narrowed;
      // Not narrowed: the field's type in the object's current type.
      const object = this.current(e.object, env) ?? this.fn.types.get(e.object);
      const name = e.kind === 'Member' ? e.name.name : luaText((e.index as ast.StringLiteral).value);
      return object ? fieldOf(object, name) : UNKNOWN;
    }
    return undefined;
  }

  /** The environment with the expression's type replaced (undefined type: the branch cannot happen). */
  private refine(e: ast.Expression, env: Env, type: Type | undefined): Env | null {
    if (type === undefined) return null;
    if (e.kind === 'Paren') return this.refine(e.expression, env, type);
    const out = env.clone();
    if (e.kind === 'Name') {
      const ref = this.scope.referenceOf(e);
      if (ref?.binding === 'local' && ref.local) out.set(ref.local.id, type);
      else if (ref?.binding === 'global' && e.name === 'input') out.setPath('input', type);
      return out;
    }
    const key = this.pathKey(e);
    if (key !== undefined) out.setPath(key, type);
    return out;
  }

  // ---- the output ----------------------------------------------------------------------------

  outputFindings(): Finding[] {
    const out: Finding[] = [];
    const schema = this.contract?.output;
    const properties = objectProperties(schema);
    if (properties === undefined) return out;
    const required = requiredFields(schema);
    const closed = (schema as { additionalProperties?: unknown }).additionalProperties === false;
    const add = (node: ast.Range, severity: Severity, code: string, message: string, fixes?: Fix[]): void => {
      out.push({ start: node.start, end: node.end, severity, code, message, ...(fixes && fixes.length > 0 ? { fixes } : {}) });
    };
    const nullable = schemaTypes(schema)?.includes('null') ?? false;
    // A script that returns its output on some paths and nothing on others (a script that never
    // returns a value is left alone: it may be a fragment, or a module).
    const returnsOutput = this.mainReturns.some((r) => r.statement.values.length > 0);
    if (returnsOutput && !nullable && this.parsed.diagnostics.length === 0) {
      const nothing = 'the contract requires an output object';
      for (const { statement } of this.mainReturns) {
        if (statement.values.length === 0) add(statement, 'error', 'output-shape', `this returns no output (${nothing})`);
      }
      const body = this.parsed.chunk.body.body;
      const last = body[body.length - 1];
      if (this.mainFallsOff && last) add(last, 'error', 'output-shape', `the script can end here without returning its output (${nothing})`);
    }
    for (const { statement, types, env } of this.mainReturns) {
      if (statement.values.length !== 1) continue;
      this.stmt = statement;
      const node = statement.values[0];
      const type = types[0];
      if (nullable && node.kind !== 'Table') continue;
      if (node.kind === 'Table') {
        this.constructorOutput(node, properties, required, closed, add, env);
        continue;
      }
      if (type.kind === 'unknown') continue;
      if (maybeNil(type)) {
        const f: Finding[] = [];
        const savedSilent = this.silent;
        this.silent = 0;
        this.maybeNil(f, node, type, 'the contract requires an output object');
        this.silent = savedSilent;
        out.push(...f);
        continue;
      }
      if (type.kind === 'nil' || (type.kind !== 'table' && type.kind !== 'union')) {
        add(node, 'error', 'output-shape', `the output must be an object, not ${describe(type)}`);
        continue;
      }
      if (type.kind !== 'table' || !type.fresh) continue;
      this.tableOutput(node, type, properties, required, closed, add, env);
    }
    this.stmt = undefined;
    return out;
  }

  /** `return { ... }`: the constructor's fields against the output schema. */
  private constructorOutput(value: ast.TableConstructor, properties: Record<string, unknown>, required: string[], closed: boolean,
    add: (node: ast.Range, severity: Severity, code: string, message: string, fixes?: Fix[]) => void, env: Env | null): void {
    const own = this.nodeType(value);
    const nested = own?.kind === 'table' ? this.sites.get(own)?.nested : undefined;
    const named = new Map<string, ast.TableField>();
    let open = false;
    for (const field of value.fields) {
      if (field.style === 'named' && field.key?.kind === 'String') named.set(luaText(field.key.value), field);
      else open = true;
    }
    if (closed) {
      for (const [name, field] of named) {
        // A field set to nil is not in the output (as the runtime converts it).
        if (!(name in properties) && (this.nodeType(field.value) ?? literalType(field.value))?.kind !== 'nil') {
          const guess = suggest(name, Object.keys(properties).filter((p) => !named.has(p)));
          // A near miss of a declared field is a slip: then only the correction is offered.
          const fixes = [guess ? changeTo(field.key!, guess) : addOutputField(name, literalType(field.value) ?? this.nodeType(field.value))];
          add(field.key!, 'error', 'output-shape', `the output has no field '${name}' in the contract${guess ? `; did you mean '${guess}'?` : ''} (fields: ${Object.keys(properties).join(', ')})`, fixes);
        }
      }
    }
    for (const [name, field] of named) {
      const propertySchema = properties[name];
      if (propertySchema === undefined) continue;
      this.fieldOutput(name, field.value, this.nodeType(field.value), propertySchema, required.includes(name), add, false, nested?.get(name), env, 0);
    }
    if (!open) {
      const missing = required.filter((r) => !named.has(r));
      if (missing.length > 0) {
        add(value, 'error', 'output-shape', `the output misses the required field${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}`, [missingFix(value, missing, properties)]);
      }
    }
  }

  /** A table built in a local and returned: its fields as the analysis knows them at the return. */
  private tableOutput(node: ast.Expression, type: TableType, properties: Record<string, unknown>, required: string[], closed: boolean,
    add: (node: ast.Range, severity: Severity, code: string, message: string, fixes?: Fix[]) => void, env: Env | null): void {
    const sites = this.sites.get(type);
    if (closed && !type.open) {
      for (const [name, t] of type.fields) {
        // A field set to nil is not in the output (as the runtime converts it).
        if (name in properties || t.kind === 'nil') continue;
        const site = sites?.fields.get(name);
        const at = site ? (site.kind === 'TableField' && site.key ? site.key : site) : node;
        const guess = suggest(name, Object.keys(properties).filter((p) => !type.fields.has(p)));
        add(at, 'error', 'output-shape', `the output has no field '${name}' in the contract${guess ? `; did you mean '${guess}'?` : ''} (fields: ${Object.keys(properties).join(', ')})`,
          guess ? undefined : [addOutputField(name, type.fields.get(name))]);
      }
    }
    for (const [name, t] of type.fields) {
      const propertySchema = properties[name];
      if (propertySchema === undefined) continue;
      const site = sites?.fields.get(name);
      const valueNode = site?.kind === 'TableField' ? site.value : undefined;
      const at = valueNode ?? (site ? site : node);
      this.fieldOutput(name, valueNode ?? (at as ast.Expression), t, propertySchema, required.includes(name), add, valueNode === undefined, sites?.nested?.get(name), env, 0);
    }
    if (!type.open) {
      const missing = required.filter((r) => !type.fields.has(r));
      if (missing.length > 0) {
        const fixes = sites?.constructor ? [missingFix(sites.constructor, missing, properties)] : undefined;
        add(node, 'error', 'output-shape', `the output misses the required field${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}`, fixes);
      }
    }
  }

  /**
   * One value stored in the output at `name` (a path: `address.city`, `tags[2]`): in a table, so nil
   * is an absent field (a failure only where the field is required). A table whose contents are
   * known (`nested`, still as stored where the script returns) is checked field by field or item by item.
   */
  private fieldOutput(name: string, node: ast.Expression, type: Type | undefined, schema: unknown, required: boolean,
    add: (node: ast.Range, severity: Severity, code: string, message: string, fixes?: Fix[]) => void, inferredOnly = false,
    nested?: Nested, env?: Env | null, depth = 0): void {
    const literal = inferredOnly ? undefined : literalJsonType(node);
    if (literal === 'null' || type?.kind === 'nil') {
      if (required) add(node, 'error', 'output-shape', `the output's '${name}' must be ${describeSchema(schema)}, not nil`);
      return;
    }
    if (literal !== undefined) {
      if (!schemaAdmits(schema, literal, node)) {
        add(node, 'error', 'output-shape', `the output's '${name}' must be ${describeSchema(schema)}, not ${describeLiteral(node)}`);
        return;
      }
    } else if (type && type.kind !== 'unknown') {
      const rest = withoutNil(type);
      const types = schemaTypes(schema);
      if (rest && types && members(rest).every((m) => !schemaTypeAdmits(types, m))) {
        add(node, 'error', 'output-shape', `the output's '${name}' must be ${describeSchema(schema)}, not ${describe(rest)}`);
        return;
      }
      if (maybeNil(type) && required) {
        const f: Finding[] = [];
        const savedSilent = this.silent;
        this.silent = 0;
        this.maybeNil(f, node, type, `the output's '${name}' must be ${describeSchema(schema)}`);
        this.silent = savedSilent;
        for (const x of f) add(x, x.severity, x.code, x.message, x.fixes);
        return;
      }
    }
    // A value set on some paths only (nil on the others, which the output leaves out) is checked as set.
    const value = knownValue(node, type) ?? (type !== undefined && maybeNil(type) ? knownValue(node, withoutNil(type)) : undefined);
    if (value !== undefined && typeof schema === 'object' && schema !== null) {
      // A property schema that cannot be compiled alone (a `$ref` into the root) says nothing here.
      if (schemaError(schema as Record<string, unknown>) !== undefined) return;
      const problems = validateValue(schema as Record<string, unknown>, value, { rootName: `the output's '${name}'` });
      if (problems.length > 0) add(node, 'error', 'output-shape', problems[0].message);
      return;
    }
    if (!nested || depth >= MAX_OUTPUT_DEPTH || typeof schema !== 'object' || schema === null) return;
    // The table as stored, if nothing may have changed it since.
    if (nested.anchor && env?.get(nested.anchor.id) !== nested.anchor.marker) return;
    if (!nested.type.fresh) return;
    this.tableValue(name, node, nested.type, schema, add, env ?? null, depth + 1);
  }

  /** A table the output holds at `path`, its contents known, against the schema there. */
  private tableValue(path: string, node: ast.Expression, t: TableType, schema: object,
    add: (node: ast.Range, severity: Severity, code: string, message: string, fixes?: Fix[]) => void, env: Env | null, depth: number): void {
    const sites = this.sites.get(t);
    const types = schemaTypes(schema);
    const sure = (x: Type | undefined): boolean => x !== undefined && x.kind !== 'unknown' && !maybeNil(x) && x.kind !== 'nil';
    // What the table becomes in JSON (as the runtime converts it): named fields make an object,
    // items 1..n alone an array, nothing at all an empty object (or array, by the output's type).
    const fields = [...t.fields];
    const items = sites?.items;
    let json: 'object' | 'array' | 'empty' | undefined;
    if (fields.some(([, f]) => sure(f))) json = 'object';
    else if (!t.open && fields.every(([, f]) => f.kind === 'nil') && items !== undefined && items.every((i) => sure(i.type))) json = items.length === 0 ? 'empty' : 'array';
    const empty = emptyTableShape(schema, this.contract?.output);
    const kind = json === 'empty' ? empty : json;
    if (types && kind && !types.includes(kind)) {
      const what = json === 'empty' ? `an empty table, which becomes an empty ${empty === 'object' ? 'object {}' : 'array []'}`
        : json === 'array' ? 'a list (a table with items 1..n becomes an array)' : 'a table with named fields (it becomes an object)';
      add(node, 'error', 'output-shape', `the output's '${path}' must be ${describeSchema(schema)}, not ${what}`);
      return;
    }
    const objectLike = kind === 'object' || (kind === undefined && types !== undefined && types.includes('object') && !types.includes('array'));
    if (objectLike) {
      const properties = objectProperties(schema) ?? {};
      const required = requiredFields(schema);
      const closed = (schema as { additionalProperties?: unknown }).additionalProperties === false;
      const names = Object.keys(properties);
      if (closed && !t.open) {
        for (const [name, f] of fields) {
          if (name in properties || f.kind === 'nil') continue;
          const site = sites?.fields.get(name);
          // A constructor's key; a field assigned is recorded by its value (or target): reported there, no fix.
          const key = site?.kind === 'TableField' && site.key ? site.key : undefined;
          const guess = suggest(name, names.filter((p) => !t.fields.has(p)));
          const fixes = guess && key ? [changeTo(key, guess)] : undefined;
          add(key ?? site ?? node, 'error', 'output-shape', `the output's '${path}' has no field '${name}' in the contract${guess ? `; did you mean '${guess}'?` : ''} (fields: ${names.join(', ') || 'none'})`, fixes);
        }
      }
      for (const [name, f] of fields) {
        const propertySchema = properties[name];
        if (propertySchema === undefined) continue;
        const site = sites?.fields.get(name);
        const valueNode = site?.kind === 'TableField' ? site.value : undefined;
        this.fieldOutput(`${path}.${name}`, valueNode ?? ((site ?? node) as ast.Expression), f, propertySchema, required.includes(name), add,
          valueNode === undefined, sites?.nested?.get(name), env, depth);
      }
      if (!t.open) {
        const missing = required.filter((r) => !t.fields.has(r));
        if (missing.length > 0) {
          const fixes = sites?.constructor ? [missingFix(sites.constructor, missing, properties)] : undefined;
          add(node, 'error', 'output-shape', `the output's '${path}' misses the required field${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}`, fixes);
        }
      }
      return;
    }
    if (kind !== 'array' || items === undefined) return;
    const count = items.length;
    const min = (schema as { minItems?: unknown }).minItems;
    const max = (schema as { maxItems?: unknown }).maxItems;
    if (typeof min === 'number' && count < min) add(node, 'error', 'output-shape', `the output's '${path}' must have at least ${min} item${min === 1 ? '' : 's'}, not ${count}`);
    if (typeof max === 'number' && count > max) add(node, 'error', 'output-shape', `the output's '${path}' must have at most ${max} item${max === 1 ? '' : 's'}, not ${count}`);
    const itemSchema = (schema as { items?: unknown }).items;
    if (typeof itemSchema !== 'object' || itemSchema === null || Array.isArray(itemSchema)) return;
    for (let i = 0; i < items.length; i++) {
      this.fieldOutput(`${path}[${i + 1}]`, items[i].node, items[i].type, itemSchema, true, add, false, items[i].nested, env, depth);
    }
  }

}

// ---- helpers ---------------------------------------------------------------------------------

const TRUE_TYPE: Type = { kind: 'boolean', value: true };
const FALSE_TYPE: Type = { kind: 'boolean', value: false };

/** The type of a literal (undefined: not a literal). */
function literalType(node: ast.Node): Type | undefined {
  switch (node.kind) {
    case 'Nil': return NIL;
    case 'True': return TRUE_TYPE;
    case 'False': return FALSE_TYPE;
    case 'Number': return node.integer ? { kind: 'number', subtype: 'integer', value: node.value } : { kind: 'number', subtype: 'float', value: node.value };
    case 'String': return { kind: 'string', value: luaText(node.value) };
    default: return undefined;
  }
}

/** Whether no value of the type can bring an arithmetic or concatenation metamethod. */
function withoutMetamethods(t: Type, stringMetamethods: boolean): boolean {
  return members(t).every((m) => m.kind === 'nil' || m.kind === 'boolean' || m.kind === 'number' || (m.kind === 'string' && !stringMetamethods)
    || m.kind === 'function' || (m.kind === 'table' && m.fresh === true));
}

/** A call or `...`: gives several values at the end of a list. */
function isMulti(e: ast.Expression): boolean {
  return e.kind === 'Call' || e.kind === 'Vararg';
}

function isInteger(t: Type): boolean {
  return t.kind === 'number' && t.subtype === 'integer';
}

function isStringLike(t: Type): boolean {
  return t.kind === 'string' || t.kind === 'number';
}

function isLiteral(e: ast.Expression): boolean {
  return e.kind === 'String' || e.kind === 'Number' || e.kind === 'True' || e.kind === 'False';
}

/** A table stored in another table: no longer held by one local only. */
function settle(t: Type): Type {
  if (t.kind === 'table' && t.fresh) return opened(t);
  if (t.kind === 'union' && t.types.some((m) => m.kind === 'table' && m.fresh)) return opened(t);
  return t;
}

/** The type of a table that has been passed on: it may have gained fields and a metatable. */
function opened(t: Type): Type {
  if (t.kind === 'table') return { kind: 'table', fields: t.fields, open: true, ...(t.array ? { array: t.array } : {}), ...(t.name ? { name: t.name } : {}) };
  if (t.kind === 'union') return { kind: 'union', types: t.types.map(opened) };
  return t;
}

/** A field of a value (`s.len` of a string is `string.len`). */
function fieldOf(t: Type, name: string): Type {
  switch (t.kind) {
    case 'string': return stringMethod(name) ?? UNKNOWN;
    case 'table': {
      const f = t.fields.get(name);
      if (f) return f;
      return t.fresh && !t.open ? NIL : UNKNOWN;
    }
    case 'union': {
      const out: Type[] = [];
      for (const m of t.types) {
        if (m.kind === 'nil') continue;
        const f = fieldOf(m, name);
        if (f.kind === 'unknown') return UNKNOWN;
        out.push(f);
      }
      return out.length === 0 ? UNKNOWN : unionOf(out);
    }
    default: return UNKNOWN;
  }
}

/** The function a method call reaches. */
function methodOf(t: Type, name: string): Type {
  const rest = withoutNil(t);
  if (!rest) return UNKNOWN;
  return fieldOf(rest, name);
}

/** The return types of a function from its returns (and whether its end is reachable). */
function summarize(returns: (Type[] | undefined)[], fallsOff: boolean, name: string): Type[] | undefined {
  if (returns.some((r) => r === undefined)) return undefined;
  const lists = returns as Type[][];
  const width = Math.max(0, ...lists.map((r) => r.length));
  if (width === 0) return [];
  const origin: NilOrigin = { text: `${name} may return nil`, contract: false };
  const out: Type[] = [];
  for (let i = 0; i < width; i++) {
    const parts: Type[] = [];
    for (const r of lists) parts.push(r[i] ?? { kind: 'nil', origin });
    if (fallsOff) parts.push({ kind: 'nil', origin });
    out.push(unionOf(parts.map((p) => (p.kind === 'nil' && !p.origin ? { kind: 'nil', origin } : p))));
  }
  return out;
}

/** The Lua type as a message says it: `a number`, `nil`, `a boolean or a function`. */
function describe(t: Type): string {
  const kinds = new Set(members(t).map((m) => (m.kind === 'number' && m.subtype ? m.subtype : m.kind)));
  const list = [...kinds].map((k) => (k === 'nil' ? 'nil' : k === 'integer' ? 'an integer' : `a ${k}`));
  return list.join(' or ');
}

/** What `x or <default>` would use for a value of this type. */
function defaultFor(t: Type | undefined): string | undefined {
  if (!t) return undefined;
  switch (t.kind) {
    case 'string': return '""';
    case 'number': return '0';
    case 'table': return '{}';
    case 'boolean': return 'false';
    default: return undefined;
  }
}

/** Locals assigned in a loop body (outside nested functions) become unknown at the loop's head. */
function widenAssigned(env: Env, body: ast.Node, scope: ScopeInfo): Env {
  const out = env.clone();
  visit(body, {
    enter(node) {
      if (node.kind === 'Function') return false;
      if (node.kind === 'Assignment') {
        for (const t of node.targets) {
          if (t.kind === 'Name') {
            const ref = scope.referenceOf(t);
            if (ref?.local) out.set(ref.local.id, UNKNOWN);
          } else if (t.kind === 'Member' || t.kind === 'Index') {
            const field = t.kind === 'Member' ? t.name.name : t.index.kind === 'String' ? luaText(t.index.value) : undefined;
            const base = t.object.kind === 'Name' ? scope.referenceOf(t.object)?.local : undefined;
            if (base) out.set(base.id, UNKNOWN);
            for (const k of [...out.paths.keys()]) if (field === undefined || k.endsWith(`.${field}`) || k.includes(`.${field}.`)) out.deletePath(k);
          }
        }
      }
      if (node.kind === 'CallStatement' || node.kind === 'Call') {
        // A method call or an argument may make a table held by a local open.
        const call = node.kind === 'Call' ? node : node.call;
        for (const a of [...call.args, ...(call.method ? [call.callee] : [])]) {
          if (a.kind === 'Name') {
            const ref = scope.referenceOf(a);
            if (ref?.local) {
              const t = out.get(ref.local.id);
              if (t) out.set(ref.local.id, opened(t));
            }
          }
        }
      }
      if (node.kind === 'Label') {
        out.clear();
      }
      return undefined;
    },
  });
  return out;
}

/** Locals whose type still changes between two passes become unknown. */
/**
 * A local's type that still changes after a loop's first passes, widened: literal values are
 * dropped (`8` becomes integer, `"a"` string), which leaves a lattice of finite height; a table's
 * fields that changed are widened so, the others stay as they are (a field a closed table does not
 * list is nil, wherever the loop sets another one); functions become unknown (their types differ
 * at every pass). What still changes after MAX_PASSES is unknown (loopHead).
 */
function widened(before: Type | undefined, after: Type): Type {
  if (before?.kind !== 'table' || after.kind !== 'table') return generalized(after);
  const fields = new Map<string, Type>();
  for (const [k, v] of after.fields) {
    const w = before.fields.get(k) ?? (before.open ? undefined : NIL);
    fields.set(k, w !== undefined && sameType(v, w) ? v : v.kind === 'table' ? UNKNOWN : generalized(v));
  }
  const array = after.array === undefined ? undefined : before.array !== undefined && sameType(before.array, after.array) ? after.array : generalized(after.array);
  const { array: _, ...rest } = after;
  return { ...rest, fields, ...(array ? { array } : {}) };
}

/** A type without literal values (tables as they are, functions unknown). */
function generalized(t: Type): Type {
  switch (t.kind) {
    case 'number': return t.value === undefined ? t : t.subtype === 'integer' ? INTEGER : t.subtype === 'float' ? FLOAT : NUMBER;
    case 'string': return t.value === undefined ? t : STRING;
    case 'boolean': return t.value === undefined ? t : BOOLEAN;
    case 'union': return unionOf(t.types.map(generalized));
    case 'function': return UNKNOWN;
    default: return t;
  }
}

function widenChanged(before: Env, after: Env): Env {
  const out = after.clone();
  for (const [k, v] of after.entries()) {
    const w = before.get(k);
    if (w === undefined || !sameType(v, w)) out.set(k, widened(w, v));
  }
  for (const [k, v] of after.paths) {
    const w = before.paths.get(k);
    if (w === undefined || !sameType(v, w)) out.deletePath(k);
  }
  return out;
}

type JsonKind = 'string' | 'number' | 'boolean' | 'null' | 'object';

function literalJsonType(node: ast.Expression): JsonKind | undefined {
  switch (node.kind) {
    case 'String': return 'string';
    case 'Number': return 'number';
    case 'True': case 'False': return 'boolean';
    case 'Nil': return 'null';
    case 'Table': return 'object';
    case 'Unary': return node.operator === '-' && node.operand.kind === 'Number' ? 'number' : undefined;
    default: return undefined;
  }
}

function describeLiteral(node: ast.Expression): string {
  switch (node.kind) {
    case 'String': return 'a string';
    case 'Number': return node.integer ? 'an integer' : 'a float';
    case 'True': case 'False': return 'a boolean';
    case 'Nil': return 'nil';
    case 'Table': return 'a table';
    default: return 'a number';
  }
}

function admitsLiteral(type: TypeNode, kind: JsonKind, node: ast.Expression): boolean {
  if (kind === 'object') return admitsJsonType(type, 'object') || admitsJsonType(type, 'array');
  if (!admitsJsonType(type, kind)) return false;
  if (kind === 'number' && isIntegerOnly(type)) {
    const n = node.kind === 'Unary' ? node.operand : node;
    return n.kind === 'Number' && n.integer;
  }
  return true;
}

/** Whether a host parameter's type admits values of an inferred type (tables: any shape). */
function admitsType(type: TypeNode, t: Type): boolean {
  switch (t.kind) {
    case 'unknown': return true;
    case 'nil': return admitsJsonType(type, 'null');
    case 'boolean': return admitsJsonType(type, 'boolean');
    case 'number':
      if (t.subtype === 'float' && t.value !== undefined && !Number.isInteger(t.value) && isIntegerOnly(type)) return false;
      return admitsJsonType(type, 'number');
    case 'string': return admitsJsonType(type, 'string');
    case 'table': return admitsJsonType(type, 'object') || admitsJsonType(type, 'array');
    case 'function': return false;
    case 'union': return t.types.some((m) => admitsType(type, m));
  }
}

function isIntegerOnly(type: TypeNode): boolean {
  if (type.kind === 'name') return type.name === 'integer';
  if (type.kind === 'optional') return isIntegerOnly(type.type);
  return false;
}

/** The JSON value of an argument or field the analysis knows exactly (a literal, or a local holding one). */
/**
 * The JSON value a table constructor of literals crosses the boundary as (a list of positional
 * items, or an object of named fields), for a host parameter's schema; undefined when not all of
 * it is known, when it mixes both kinds of fields, or when it is empty (the schema decides that).
 */
function constantTable(node: ast.Expression, depth = 0): unknown[] | Record<string, unknown> | undefined {
  if (node.kind !== 'Table' || node.fields.length === 0 || depth > MAX_OUTPUT_DEPTH) return undefined;
  const value = (e: ast.Expression): unknown => knownValue(e, undefined) ?? constantTable(e, depth + 1);
  if (node.fields.every((f) => f.style === 'positional')) {
    const items = node.fields.map((f) => value(f.value));
    return items.every((v) => v !== undefined) && !isMulti(node.fields[node.fields.length - 1].value) ? items : undefined;
  }
  if (!node.fields.every((f) => f.style === 'named' && f.key?.kind === 'String')) return undefined;
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const f of node.fields) {
    const v = value(f.value);
    const key = luaText((f.key as ast.StringLiteral).value);
    if (v === undefined || key in out) return undefined;
    out[key] = v;
  }
  return out;
}

function knownValue(node: ast.Expression, type: Type | undefined): string | number | boolean | undefined {
  if (node.kind === 'String') return luaText(node.value);
  if (node.kind === 'Number') return node.value;
  if (node.kind === 'Unary' && node.operator === '-' && node.operand.kind === 'Number') return -node.operand.value;
  if (node.kind === 'True') return true;
  if (node.kind === 'False') return false;
  if (type?.kind === 'string' && type.value !== undefined) return type.value;
  if (type?.kind === 'number' && type.value !== undefined) return type.value;
  if (type?.kind === 'boolean' && type.value !== undefined) return type.value;
  return undefined;
}

function schemaAdmits(schema: unknown, kind: JsonKind, node: ast.Expression): boolean {
  const types = schemaTypes(schema);
  if (types === undefined) return true;
  if (kind === 'number') {
    if (types.includes('number')) return true;
    if (types.includes('integer')) {
      // A float with an integral value is a JSON integer (2.0 becomes 2).
      const n = node.kind === 'Unary' ? node.operand : node;
      return n.kind === 'Number' && Number.isInteger(n.value);
    }
    return false;
  }
  if (kind === 'object') return types.includes('object') || types.includes('array');
  return types.includes(kind);
}

function schemaTypeAdmits(types: string[], t: Type): boolean {
  switch (t.kind) {
    case 'unknown': return true;
    case 'nil': return types.includes('null');
    case 'boolean': return types.includes('boolean');
    case 'number':
      if (types.includes('number')) return true;
      return types.includes('integer') && !(t.value !== undefined && !Number.isInteger(t.value));
    case 'string': return types.includes('string');
    case 'table': return types.includes('object') || types.includes('array');
    case 'function': return false;
    case 'union': return t.types.some((m) => schemaTypeAdmits(types, m));
  }
}

function describeSchema(schema: unknown): string {
  const types = schemaTypes(schema);
  if (!types || types.length === 0) return 'of the declared type';
  const article = (t: string) => (t === 'integer' || t === 'object' || t === 'array' ? `an ${t}` : `a ${t}`);
  return types.map(article).join(' or ');
}

function placeholder(schema: unknown): string {
  const types = schemaTypes(schema) ?? [];
  if (types.includes('string')) return '""';
  if (types.includes('integer') || types.includes('number')) return '0';
  if (types.includes('boolean')) return 'false';
  if (types.includes('array') || types.includes('object')) return '{}';
  return 'nil';
}

/**
 * "Add field `x` to the output schema": the contract's output declares the field the script returns,
 * typed by what the analysis inferred (a nil value is an absent field, so only the rest counts;
 * nothing sure: any value).
 */
function addOutputField(name: string, type: Type | undefined): Fix {
  const json = jsonTypeOf(type);
  return contractFix(`Add field \`${name}\` to the output schema`, { path: ['output', 'properties', name], value: json ? { type: json } : {} });
}

function missingFix(value: ast.TableConstructor, missing: string[], properties: Record<string, unknown>): Fix {
  const text = missing.map((m) => `${m} = ${placeholder(properties[m])}`).join(', ');
  const last = value.fields[value.fields.length - 1];
  const insertAt = last ? last.end : value.start + 1;
  const newText = last ? `, ${text}` : ` ${text} `;
  return { title: `Add ${missing.map((m) => `'${m}'`).join(', ')}`, edits: [{ start: insertAt, end: insertAt, newText }] };
}

export { formatType };
