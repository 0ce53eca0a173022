// The contract checker: what a script does that its contract does not allow, found on the syntax
// tree and its scopes (plain data: offsets, codes, messages, fixes). `sandlua check` and the
// language server share it, and it agrees with the runtime: the same stdlib policy decides
// `forbidden`, with the runtime's message.
//
// Codes (stable, DESIGN.md): syntax, forbidden, ungranted-host, host-args, undefined-global,
// global-write, unknown-input-field, output-shape, unbounded-loop, unknown-module, ungranted-file
// (manifest is the contract's own).

import * as fs from 'fs';
import * as nodePath from 'path';
import { parse, type ParseResult } from '../syntax/parser';
import type { SourceEdit } from '../syntax/reparse';
import { analyze, type FunctionInfo, type ScopeInfo, type GlobalPathUse } from '../syntax/scope';
import { forEachChild } from '../syntax/visit';
import type * as ast from '../syntax/ast';
import { suggest } from '../contract/suggest';
import { LUA53_LIBRARIES, LUA53_STDLIB, isStdlibLibrary } from '../contract/stdlib-names';
import { notGrantedMessage, type Contract } from '../contract/manifest';
import { StdlibPolicy } from '../contract/policy';
import type { HostFunction } from '../contract/host';
import { changeTo, contractFix, movedFinding, type Finding, type Fix, type Severity } from './findings';
import { HOST_NAME_PATTERN } from '../contract/schema';
import { NO_TYPES, jsonTypeOf, withoutNil, type Type, type TypeInfo } from './types';
import { applySuppressions } from './suppress';
import { AnalysisInterrupted, infer, type Inference, type InferenceMemo } from './infer';
import { isEnvironment, longestHostPrefix, luaText, objectProperties, withoutEnvironment, type ChunkGlobals } from './paths';
import { ExistenceTests, isFalsyConstant, isTruthyConstant, lint } from './lint';
import { isRemovedGlobal, libraryMembers, removedName } from './stdlib-members';
import { shownUngoverned, type UngovernedScripts } from './rules';
import { accessAllows, fileUses, moduleFile, moduleOfFile, requireUses, runGlobals, type FileNeed } from './modules';

export interface ScriptAnalysis {
  parsed: ParseResult;
  scope: ScopeInfo;
  findings: Finding[];
  contract: Contract | undefined;
  /** The files the findings depend on (declared modules' files), with whether each existed. */
  files: Map<string, boolean>;
  /** The inferred types, for hover, completion and inlay hints. */
  types: TypeInfo;
  /** What the analysis of an edited version may take over (`CheckerOptions.memo`). */
  memo?: InferenceMemo;
}

export interface CheckerOptions {
  /** The governing contract file is broken: scripts fall back to deny-all (named in messages). */
  brokenContract?: string;
  /**
   * The analysis of an earlier version of the same script: its parse, scopes and type analysis are
   * taken over where the edit left them valid (see `ParseOptions.previous`, `analyze`'s `previous`,
   * `memo`), and it must not be used any more.
   */
  previous?: ScriptAnalysis;
  /** With `previous`: the edit that made `source` from its text, when one replacement did (see `ParseOptions.edit`). */
  edit?: SourceEdit;
  /** The script's parse, already made of this very source (then `previous` is not used). */
  parsed?: ParseResult;
  /** The scopes of `parsed`, already made. */
  scope?: ScopeInfo;
  /**
   * What the analysis of an earlier version of the same script kept (`ScriptAnalysis.memo`; by
   * default `previous`'s): functions the edit left as they were are not analysed again. Spent once used.
   */
  memo?: InferenceMemo;
  /**
   * Asked between the type analysis's functions whether to go on: when it says no, the analysis
   * throws AnalysisInterrupted, whose `memo` (given as `memo` to the next call) keeps what it
   * finished. Unset: the analysis runs to its end.
   */
  keepGoing?: () => boolean;
  /** The script's file: a declared module's own `return` is the module's value, not the output. */
  path?: string;
  /** Whether a file exists (default: on disk); the language service also counts its open documents. */
  fileExists?: (file: string) => boolean;
  /**
   * How to judge the script when no contract governs it (`contract` undefined and none broken):
   * `default-contract` (the default) checks it under the default deny-all contract; `lint` keeps
   * only the language's own judgements, with the whole standard library reachable; `ignore` keeps
   * only syntax errors (rules.ts `contract` flags the codes). Hover and completion use the types either way.
   */
  ungoverned?: UngovernedScripts;
}

/** Whether a script is judged as plain Lua, not under any contract. */
function plainLua(contract: Contract | undefined, options: CheckerOptions): boolean {
  return !contract && !options.brokenContract && (options.ungoverned ?? 'default-contract') !== 'default-contract';
}

/** Analyzes and checks one script under its contract (undefined: none, or a broken one). */
export function analyzeScript(source: string | Uint8Array, name: string, contract: Contract | undefined, options: CheckerOptions = {}): ScriptAnalysis {
  const parsed = options.parsed ?? parse(source, { name, previous: options.previous?.parsed, edit: options.edit });
  const scope = options.parsed !== undefined && options.scope !== undefined ? options.scope : analyze(parsed.chunk, options.previous?.scope);
  const findings = syntaxFindings(parsed);
  const files = new Map<string, boolean>();
  let types: TypeInfo = NO_TYPES;
  // The type and flow analysis (infer.ts): maybe-nil and type-mismatch here, host-args and
  // output-shape through the checker's rules.
  let inference: Inference | undefined;
  // Which globals exist: the script's and its required modules' (one reading for both passes).
  const globals = runGlobals(scope, contract);
  try {
    inference = infer(parsed, scope, contract, globals.names, options.memo ?? options.previous?.memo, options.keepGoing);
    types = inference.types;
    findings.push(...inference.findings);
  } catch (error) {
    if (error instanceof AnalysisInterrupted) throw error;
    findings.push({ start: 0, end: 0, severity: 'warning', code: 'syntax', message: `internal error in the type analysis: ${(error as Error).message}` });
  }
  try {
    const checker = new Checker(parsed, scope, contract, options, findings, files, globals);
    checker.inference = inference;
    checker.run();
    // Lint judges finished code: a script that does not parse yet (mid-edit) gets its syntax errors only.
    if (parsed.diagnostics.length === 0) lint(parsed, scope, findings);
  } catch (error) {
    // A checker bug must not take the server or the CLI down: report it where it can be seen.
    findings.push({ start: 0, end: 0, severity: 'warning', code: 'syntax', message: `internal error in the checker: ${(error as Error).message}` });
  }
  findings.sort((a, b) => a.start - b.start || a.end - b.end);
  // A script no contract governs is judged only by the codes its mode shows (plain Lua: no contract codes).
  const mode = options.ungoverned !== undefined && plainLua(contract, options) ? options.ungoverned : undefined;
  if (mode === undefined) {
    applySuppressions(parsed, findings);
    return { parsed, scope, findings, contract, files, types, memo: inference?.memo };
  }
  return { parsed, scope, findings: judgedUngoverned(parsed, findings, mode), contract, files, types, memo: inference?.memo };
}

/** The findings a script no contract governs shows under `mode` (rules.ts), suppressions applied. */
function judgedUngoverned(parsed: ParseResult, findings: Finding[], mode: UngovernedScripts): Finding[] {
  const judged = (code: string): boolean => shownUngoverned(code, mode);
  const shown = findings.filter((f) => judged(f.code));
  applySuppressions(parsed, shown, judged);
  return shown.filter((f) => judged(f.code));
}

/**
 * What a script no contract governs shows under `ignore`: its syntax errors, suppressions applied.
 * Those come from the parse alone, so the language service publishes them without the analysis
 * (which hover and completion still make when asked).
 */
export function ignoredScriptFindings(parsed: ParseResult): Finding[] {
  return judgedUngoverned(parsed, syntaxFindings(parsed), 'ignore');
}

function syntaxFindings(parsed: ParseResult): Finding[] {
  return parsed.diagnostics.map((d) => ({ start: d.start, end: d.end, severity: 'error', code: 'syntax', message: d.message }));
}

/** A name the contract's host section can take (the schema's rule). */
const HOST_NAME = new RegExp(HOST_NAME_PATTERN);

/**
 * The shape checks' findings of each top-level statement (offsets as of `start`), for the analysis
 * of an edited version: valid under the same main function (the scopes were taken over), the same
 * contract and the same key.
 */
const shapeFindings = new WeakMap<ast.Statement, { main: FunctionInfo; contract: Contract | undefined; key: string; start: number; findings: Finding[] }>();

/**
 * The global-path findings of each top-level statement (offsets as of `start`), in the order its
 * `count` uses gave them. A call of an ungranted name whose fix declares it as a host function
 * keeps the use's index and the name: that fix is typed again each time (Checker.globalUses).
 */
const useFindings = new WeakMap<ast.Statement, { main: FunctionInfo; contract: Contract | undefined; key: string; start: number; count: number; entries: UseEntry[] }>();

/**
 * A finding kept for a statement; or an ungranted call's, whose fix declares the name as a host
 * function typed from its arguments: kept with the use's index and the name, and the last fix made
 * with the signature it was made for (the same signature again reuses it: fixes are not changed once
 * made).
 */
type UseEntry = Finding | { finding: Finding; use: number; name: string; signature?: string; fixes?: Fix[]; holder?: object };

/** The name an ungranted call's fix declares in the contract's host section (see hostFixes), if it has that fix. */
function declaredHostName(f: Finding): string | undefined {
  const edit = f.code === 'ungranted-host' ? f.fixes?.[0]?.contract?.[0] : undefined;
  return edit && edit.path.length === 2 && edit.path[0] === 'host' ? String(edit.path[1]) : undefined;
}

interface HostFixParam { name: string; type: string }

/** A host function's parameters as its fix's title shows them. */
function signatureOf(params: HostFixParam[]): string {
  return params.map((p) => (p.name === '...' ? '...' : `${p.name}: ${p.type}`)).join(', ');
}

/**
 * "Declare host function `send_email(to: string, body: string)` in sandlua.json", for a call of
 * a name nothing defines (see Checker.hostFixParams), or no fix when it has none.
 */
function hostFixes(name: string, params: HostFixParam[] | undefined): Fix[] {
  if (params === undefined) return [];
  return [contractFix(`Declare host function \`${name}(${signatureOf(params)})\` in sandlua.json`, { path: ['host', name], value: { params, returns: 'any' } })];
}

/** Numbers for the main block's `if` statements, in the key of useFindings. */
const statementIds = new WeakMap<ast.Statement, number>();
let lastStatementId = 0;

class Checker {
  private readonly policy: StdlibPolicy;
  private readonly host: ReadonlyMap<string, HostFunction>;
  private readonly hostGlobals: ReadonlyMap<string, 'function' | 'table'>;
  private readonly ownGlobals: ReadonlySet<string>;
  /** Globals may also be set by computed names (see `ChunkGlobals.open`): a name nothing defines may exist. */
  private readonly globalsOpen: boolean;

  constructor(
    private readonly parsed: ParseResult,
    private readonly scope: ScopeInfo,
    private readonly contract: Contract | undefined,
    private readonly options: CheckerOptions,
    private readonly findings: Finding[],
    private readonly files: Map<string, boolean>,
    globals: ChunkGlobals,
  ) {
    this.policy = contract?.policy ?? (plainLua(contract, options) ? StdlibPolicy.UNRESTRICTED : StdlibPolicy.DEFAULT);
    this.host = contract?.host ?? new Map();
    this.hostGlobals = contract?.hostGlobals ?? new Map();
    // A required module's globals are the script's too (they share one global table in a run).
    this.ownGlobals = globals.names;
    this.globalsOpen = globals.open;
  }

  run(): void {
    this.globalUses();
    this.globalWrites();
    this.hostArguments();
    this.requires();
    this.fileAccess();
    // A declared module returns its table to the script that requires it, not the run's output.
    if (!(this.contract && this.options.path && moduleOfFile(this.contract, this.options.path))) this.outputShape();
    // One pass over the tree for the checks that look at node shapes (in any order: findings are
    // sorted), a top-level statement at a time: one an edit left as it was gives what it gave.
    const main = this.scope.functions[0];
    let key = this.shapeKey();
    for (const statement of this.parsed.chunk.body.body) {
      const kept = shapeFindings.get(statement);
      if (kept && kept.main === main && kept.contract === this.contract && kept.key === key) {
        key = kept.key;
        for (const f of kept.findings) this.findings.push(movedFinding(f, statement.start - kept.start));
        continue;
      }
      const before = this.findings.length;
      this.shapes(statement);
      shapeFindings.set(statement, { main, contract: this.contract, key, start: statement.start, findings: this.findings.slice(before).map((f) => movedFinding(f, 0)) });
    }
  }

  /** The checks on node shapes, in one statement. */
  private shapes(root: ast.Statement): void {
    const stack: ast.Node[] = [root];
    const push = (child: ast.Node): void => { stack.push(child); };
    while (stack.length > 0) {
      const node = stack.pop()!;
      switch (node.kind) {
        case 'Name': case 'String': case 'Number': continue;
        case 'Member': case 'Call': this.stringLibraryReach(node); break;
        case 'While': case 'Repeat': this.unboundedLoop(node); break;
        default: break;
      }
      forEachChild(node, push);
    }
  }

  /**
   * What the shape checks read beyond the statement besides the contract (its policy, name and
   * limits): how the script is judged, and what it adds to the string library. Otherwise only the
   * statement and the main block's locals (whose scopes an edit takes over only when it leaves them
   * as they were: the same main function) decide them.
   */
  private shapeKey(): string {
    const { fields, open } = this.extended();
    const strings = [...fields].filter((f) => f.startsWith('string.')).sort().join(',');
    return `${this.options.brokenContract ?? ''}|${plainLua(this.contract, this.options)}|${strings}|${open.has('string')}`;
  }

  private add(node: ast.Range, severity: Severity, code: string, message: string, fixes?: Finding['fixes']): void {
    this.findings.push({ start: node.start, end: node.end, severity, code, message, ...(fixes ? { fixes } : {}) });
  }

  /** `os.execute is not granted by invoice-normalizer (sandlua.json)`, as the runtime says it. */
  private forbiddenMessage(name: string): string {
    if (this.contract) return notGrantedMessage(name, this.contract);
    if (this.options.brokenContract) return `${name} is not granted: the contract ${this.options.brokenContract} is broken, so nothing beyond the default is`;
    return `${name} is denied by default (no sandlua.json governs this script)`;
  }

  /** `forbidden` at a use of a standard name the contract does not grant. */
  private forbid(node: ast.Range, name: string): void {
    this.add(node, 'error', 'forbidden', this.forbiddenMessage(name), this.grantFix(name));
  }

  /**
   * "Grant `os.getenv` in sandlua.json": adds a function to `stdlib.allow`, where that grants it (the
   * most specific entry decides, so it also undoes a library-wide deny for that one function). Not
   * offered for a whole library, nor for a name the contract denies by name: that is its owner's decision.
   */
  private grantFix(name: string): Fix[] | undefined {
    if (!this.contract || isStdlibLibrary(name)) return undefined;
    const decision = this.policy.explain(name);
    if (decision.granted || decision.source === 'unknown' || (decision.source === 'deny' && decision.rule === name)) return undefined;
    return [contractFix(`Grant \`${name}\` in sandlua.json`, { path: ['stdlib', 'allow'], value: name, append: true })];
  }

  private contractName(): string {
    return this.contract ? `${this.contract.name} (sandlua.json)` : this.options.brokenContract ? `the broken contract ${this.options.brokenContract}` : 'no contract';
  }

  // ---- globals and paths ---------------------------------------------------------------------

  /**
   * The global paths the script reads, a top-level statement at a time: one an edit left as it was
   * gives what it gave (useFindings), but for the fixes that declare an ungranted name as a host
   * function, typed from the arguments' inferred types, which other statements may change.
   */
  private globalUses(): void {
    const uses = this.scope.uses;
    const main = this.scope.functions[0];
    let key = this.usesKey();
    let u = 0;
    for (const statement of this.parsed.chunk.body.body) {
      const from = u;
      while (u < uses.length && uses[u].node.start < statement.end) u++;
      if (u === from) continue;
      const kept = useFindings.get(statement);
      if (kept && kept.main === main && kept.contract === this.contract && kept.key === key && kept.count === u - from) {
        key = kept.key;
        const delta = statement.start - kept.start;
        for (const entry of kept.entries) {
          if ('code' in entry) {
            this.findings.push(movedFinding(entry, delta));
            continue;
          }
          // The same contract, name and call: the fix is typed as the arguments are now, the same
          // as last time when the types recorded around the call are (Inference.typesHolder).
          const use = uses[from + entry.use];
          const holder = use.call && this.inference?.typesHolder(use.call);
          if (entry.fixes === undefined || holder === undefined || entry.holder !== holder) {
            const params = this.hostFixParams(entry.name, use);
            const signature = params === undefined ? undefined : signatureOf(params);
            if (entry.fixes === undefined || entry.signature !== signature) {
              entry.signature = signature;
              entry.fixes = hostFixes(entry.name, params);
            }
            entry.holder = holder;
          }
          const { finding } = entry;
          this.findings.push({ ...finding, start: finding.start + delta, end: finding.end + delta, fixes: entry.fixes });
        }
        continue;
      }
      const entries: UseEntry[] = [];
      for (let i = from; i < u; i++) {
        const before = this.findings.length;
        this.checkUse(uses[i]);
        for (let j = before; j < this.findings.length; j++) {
          const finding = this.findings[j];
          const name = declaredHostName(finding);
          entries.push(name === undefined ? movedFinding(finding, 0) : { finding: movedFinding(finding, 0), use: i - from, name });
        }
      }
      useFindings.set(statement, { main, contract: this.contract, key, start: statement.start, count: u - from, entries });
    }
    // Uses past the last statement (none in a tree that parses).
    for (; u < uses.length; u++) this.checkUse(uses[u]);
    this.rawgetOfGlobals();
  }

  /**
   * What a global path's verdict reads beyond its statement besides the contract: how the script is
   * judged, which globals it defines and whether computed names may define more, what it adds to
   * the libraries, and the main block's `if` statements (whose guards reach the statements after
   * them, see ExistenceTests). Aliases are the main block's locals, which a taken-over analysis kept.
   */
  private usesKey(): string {
    const { fields, open } = this.extended();
    const ifs: number[] = [];
    for (const s of this.parsed.chunk.body.body) {
      if (s.kind !== 'If') continue;
      let id = statementIds.get(s);
      if (id === undefined) statementIds.set(s, (id = ++lastStatementId));
      ifs.push(id);
    }
    return `${this.options.brokenContract ?? ''}|${plainLua(this.contract, this.options)}|${this.options.path ?? ''}|${this.globalsOpen}`
      + `|${[...this.ownGlobals].sort().join(',')}|${[...fields].sort().join(',')}|${[...open].sort().join(',')}|${ifs.join(',')}`;
  }

  private checkUse(use: GlobalPathUse): void {
    if (use.access === 'write') return;
    const path = withoutEnvironment(use.path, this.scope.globalTableModified);
    if (path.length === 0) {
      if (use.dynamicKey) {
        this.add(use.node, 'warning', 'forbidden', 'the global table is indexed with a computed name, which the checker cannot follow (the runtime still blocks what is not granted)');
      }
      return;
    }
    this.checkPath(path, use);
  }

  private checkPath(path: readonly string[], use: GlobalPathUse): void {
    const root = path[0];
    // A granted host function (or a path through one).
    if (this.hostGlobals.has(root) && longestHostPrefix(this.host, path) !== undefined) return;
    if (LUA53_STDLIB.has(root)) {
      const name = path.length > 1 && LUA53_STDLIB.has(`${root}.${path[1]}`) ? `${root}.${path[1]}` : root;
      if (!this.policy.isGranted(name)) this.forbid(use.node, name);
      else if (name === root && path.length > 1) this.missingMember(root, path, use);
      return;
    }
    if (root === 'input') {
      this.inputField(path, use);
      return;
    }
    if (this.ownGlobals.has(root) || use.dynamicKey) return;
    if (isRemovedGlobal(root) && !this.hostGlobals.has(root)) {
      this.removedGlobal(root, path, use);
      return;
    }
    // A field of a host table that the contract does not list, or a call of a global nothing
    // defines: the script reaches for a capability it was not given.
    if (this.hostGlobals.get(root) === 'table' || use.access === 'call') {
      // `if setfenv then setfenv(f, env) end` calls it only where it exists.
      if (!this.hostGlobals.has(root) && this.existence().covers(path, 0, use.node)) return;
      this.ungranted(path.join('.'), use);
      return;
    }
    // `x or default`, `if x then`: a test of whether the global exists.
    if (this.existence().covers(path, 0, use.node)) return;
    this.undefinedGlobal(root, use);
  }

  private existenceTests: ExistenceTests | undefined;

  /** Where reads only test existence (built on the first missing name). */
  private existence(): ExistenceTests {
    return (this.existenceTests ??= new ExistenceTests(this.parsed.chunk, this.scope));
  }

  /** `string.formt`, `table.getn`, `math.pow`: a field Lua 5.3's library does not have. */
  private missingMember(library: string, path: readonly string[], use: GlobalPathUse): void {
    const members = libraryMembers(library);
    if (!members || members.has(path[1])) return;
    // Inside an alias's own path (`local f = string.formt`): reported where the alias was declared.
    if ((use.via?.aliasOf?.length ?? 0) > 1) return;
    if (this.libraryExtended(library, path[1])) return;
    if (this.existence().covers(path, 1, use.node)) return;
    const node = fieldNode(use.node, path.length - 2) ?? use.node;
    this.unknownMember(library, path[1], node, failsHere(path, 2, use));
  }

  /** `fails`: the missing member is called or indexed here (else it is only read: nil). */
  private unknownMember(library: string, field: string, node: ast.Range, fails = true): void {
    const name = `${library}.${field}`;
    const removed = removedName(name);
    const members = libraryMembers(library) ?? new Set<string>();
    let message: string;
    let replacement: string | undefined;
    if (removed) {
      message = `'${name}' is not in Lua 5.3 (it was Lua ${removed.last}'s): ${removed.instead}`;
      if (removed.replacement?.startsWith(`${library}.`)) replacement = removed.replacement.slice(library.length + 1);
    } else {
      replacement = suggest(field, members);
      message = `Lua 5.3's ${library} library has no '${luaText(field)}'${replacement ? `; did you mean '${library}.${replacement}'?` : ''}`;
    }
    const fixes = replacement ? [changeTo(node, replacement, `${library}.${replacement}`)] : undefined;
    this.add(node, fails ? 'error' : 'warning', 'unknown-member', fails ? message : `${message} (it reads as nil)`, fixes);
  }

  /** `unpack`, `setfenv`, `bit32`: a global of an older Lua. */
  private removedGlobal(root: string, path: readonly string[], use: GlobalPathUse): void {
    if (use.via !== undefined) return;
    if (this.existence().covers(path, 0, use.node)) return;
    const removed = removedName(root)!;
    const node = rootName(use.node) ?? use.node;
    const fixes = removed.replacement ? [changeTo(node, removed.replacement)] : undefined;
    const fails = failsHere(path, 1, use);
    this.add(node, fails ? 'error' : 'warning', 'unknown-member', `'${root}' is not in Lua 5.3 (it was Lua ${removed.last}'s): ${removed.instead}${fails ? '' : ' (it reads as nil)'}`, fixes);
  }

  private extendedLibraries: { fields: Set<string>; open: Set<string> } | undefined;

  /**
   * Whether the script gives a library the field itself (`function string.trim(s)`), or lets the
   * table go where anything may be added to it (`setmetatable(string, …)`, `string[k] = v`).
   */
  private libraryExtended(library: string, field: string): boolean {
    const extended = this.extended();
    return extended.open.has(library) || extended.fields.has(`${library}.${field}`);
  }

  /** The library fields the script sets, and the libraries it may change wholesale. */
  private extended(): { fields: Set<string>; open: Set<string> } {
    if (!this.extendedLibraries) {
      const fields = new Set<string>();
      const open = new Set<string>();
      const aliasInits = new Set<ast.Expression>();
      for (const local of this.scope.locals) if (local.aliasOf && local.initializer) aliasInits.add(local.initializer);
      for (const use of this.scope.uses) {
        const path = withoutEnvironment(use.path, this.scope.globalTableModified);
        if (path.length === 0 || !libraryMembers(path[0])) continue;
        if (path.length === 2 && use.access === 'write') fields.add(path.join('.'));
        else if (path.length === 1 && (use.dynamicKey || (use.access !== 'call' && use.via === undefined && !aliasInits.has(use.node)))) open.add(path[0]);
      }
      this.extendedLibraries = { fields, open };
    }
    return this.extendedLibraries;
  }

  /** The names a missing global may be a slip of, and the near miss found for each missing name ('' for none): made once per analysis. */
  private visible: string[] | undefined;
  private readonly globalGuesses = new Map<string, string>();

  private undefinedGlobal(root: string, use: GlobalPathUse): void {
    // Reached through an alias: reported where the alias was declared.
    if (use.via !== undefined) return;
    const node = rootName(use.node) ?? use.node;
    let guess = this.globalGuesses.get(root);
    if (guess === undefined) {
      this.visible ??= [...this.visibleGlobals()];
      guess = suggest(root, this.visible) ?? '';
      this.globalGuesses.set(root, guess);
    }
    const fixes = guess ? [changeTo(node, guess)] : undefined;
    // Indexing it fails at run time; a plain read is nil, which Lua allows (most often still a slip).
    const indexed = withoutEnvironment(use.path, this.scope.globalTableModified).length > 1;
    const severity: Severity = indexed && !this.globalsOpen ? 'error' : 'warning';
    const note = this.globalsOpen ? ' (unless the code that sets globals by computed names defines it)' : indexed ? '' : ' (it reads as nil)';
    this.add(node, severity, 'undefined-global', `undefined global '${root}'${note}${guess ? `; did you mean '${guess}'?` : ''}`, fixes);
  }

  /** The message and near miss of each name `ungranted` met (a test suite calls `it` a thousand times). */
  private readonly ungrantedSaid = new Map<string, { message: string; guess: string | undefined; warning: boolean }>();

  private ungranted(name: string, use: GlobalPathUse): void {
    let said = this.ungrantedSaid.get(name);
    if (said === undefined) {
      const granted = [...this.host.keys()];
      const guess = suggest(name, granted);
      const list = granted.length > 0 ? ` Granted: ${granted.join(', ')}.` : ' It grants no host functions.';
      // Where the script or its modules set globals by computed names, the name may exist: said, not claimed.
      const maybe = this.globalsOpen && !this.hostGlobals.has(name.split('.')[0]) ? ' (unless the code that sets globals by computed names defines it)' : '';
      said = { message: `'${name}' is not a host function granted by ${this.contractName()}${guess ? `; did you mean '${guess}'?` : '.'}${list}${maybe}`, guess, warning: maybe !== '' };
      this.ungrantedSaid.set(name, said);
    }
    const node = use.node;
    // A near miss of a granted name is a slip, not a new capability: then only the correction is offered.
    const fixes = said.guess ? [changeTo(node, said.guess)] : hostFixes(name, this.hostFixParams(name, use));
    this.add(node, said.warning ? 'warning' : 'error', 'ungranted-host', said.message, fixes.length > 0 ? fixes : undefined);
  }

  /**
   * The parameters a fix declaring `name` as a host function gives it, if it has that fix: named
   * after the arguments where they are names (`to`, `input.body` → `body`) and typed by what the
   * analysis inferred (`any` where it knows nothing sure); the result is `any`, which the call site
   * does not tell.
   */
  private hostFixParams(name: string, use: GlobalPathUse): HostFixParam[] | undefined {
    const call = use.call;
    if (!this.contract || use.access !== 'call' || !call || call.method || !HOST_NAME.test(name)) return undefined;
    // A global the script may still define, or a name the contract's host section cannot take.
    if (this.contract.hostGlobals.get(name.split('.')[0]) === 'function') return undefined;
    const taken = new Set<string>();
    return call.args.map((arg, i) => {
      if (arg.kind === 'Vararg' && i === call.args.length - 1) return { name: '...', type: 'any' };
      let base = argumentName(arg) ?? `arg${i + 1}`;
      if (taken.has(base)) base = `${base}${i + 1}`;
      taken.add(base);
      return { name: base, type: hostTypeOf(this.inference?.types.typeOf(arg)) };
    });
  }

  private visibleGlobals(): Set<string> {
    const names = new Set<string>(this.ownGlobals);
    for (const name of LUA53_STDLIB.keys()) if (!name.includes('.') && this.policy.isGranted(name)) names.add(name);
    for (const name of this.hostGlobals.keys()) names.add(name);
    names.add('input');
    return names;
  }

  /** `rawget(_G, "load")` and `rawget(_ENV, "io")` reach a global by name. */
  private rawgetOfGlobals(): void {
    for (const use of this.scope.uses) {
      if (use.access !== 'call' || use.path.length !== 1 || use.path[0] !== 'rawget' || !use.call) continue;
      const [table, key] = use.call.args;
      if (!table || !key || key.kind !== 'String') continue;
      const path = this.scope.pathOf(table);
      if (!path || path.length > 1 || (path.length === 1 && !isEnvironment(path[0]))) continue;
      const name = key.value;
      if (LUA53_STDLIB.has(name) && !this.policy.isGranted(name)) this.forbid(key, name);
    }
  }

  private globalWrites(): void {
    let statements: Map<ast.Name, ast.Statement> | undefined;
    for (const [name, refs] of this.scope.globals) {
      for (const ref of refs) {
        if (ref.access !== 'write') continue;
        if (name === 'input') {
          this.add(ref.node, 'error', 'global-write', "the global 'input' is read-only");
        } else if (LUA53_STDLIB.has(name) || this.hostGlobals.has(name)) {
          this.add(ref.node, 'error', 'global-write', `assignment to '${name}' replaces a ${LUA53_STDLIB.has(name) ? 'standard-library' : 'host'} name; use a local`);
        } else {
          // The first mention of the name, as `x = …` or `function x()` at the top level: `local ` in front declares it.
          let fixes: Finding['fixes'];
          if (ref === refs[0]) {
            statements ??= singleNameAssignments(this.parsed.chunk);
            const statement = statements.get(ref.node);
            if (statement) fixes = [{ title: `Declare '${name}' local`, edits: [{ start: statement.start, end: statement.start, newText: 'local ' }] }];
          }
          this.add(ref.node, 'warning', 'global-write', `assignment to global '${name}': scripts may not create globals; declare it local`, fixes);
        }
      }
    }
  }

  // ---- the string library reached through strings --------------------------------------------

  private stringLibraryReach(node: ast.Node): void {
    if (node.kind === 'Member' && isStringValue(node.object)) this.stringField(node.name.name, node.name);
    else if (node.kind === 'Call' && node.method && isStringValue(node.callee)) this.stringField(node.method.name, node.method, true);
    else if (node.kind === 'Call' && node.method && node.callee.kind === 'Name' && this.isStringLocal(node.callee)) this.stringMethod(node.method.name, node.method);
    else if (node.kind === 'Member' && node.object.kind === 'Member' && node.object.name.name === '__index' && isStringMetatable(node.object.object)) this.stringField(node.name.name, node.name);
  }

  private stringField(field: string, node: ast.Range, called = false): void {
    const name = `string.${field}`;
    if (LUA53_STDLIB.has(name) && !this.policy.isGranted(name)) this.forbid(node, name);
    else if (called) this.stringMethod(field, node);
  }

  /** `("x"):formt()`: a method the string library does not have (unless the script adds it). */
  private stringMethod(field: string, node: ast.Range): void {
    if (field === '' || libraryMembers('string')!.has(field) || !this.policy.isGranted('string') || this.libraryExtended('string', field)) return;
    this.unknownMember('string', field, node);
  }

  /** A local that always holds a string literal (`local s = "x"`, never assigned again). */
  private isStringLocal(name: ast.Name): boolean {
    const local = this.scope.referenceOf(name)?.local;
    return local !== undefined && local.kind === 'local' && !local.written && local.initializer !== undefined && isStringValue(local.initializer);
  }

  // ---- host calls ----------------------------------------------------------------------------

  /** The type and flow analysis's results (set before `run`). */
  inference: Inference | undefined;

  /** Host calls: arity, argument types as inferred, and the contract's constraints on known values. */
  private hostArguments(): void {
    if (this.inference) this.findings.push(...this.inference.hostArgs);
  }

  // ---- modules and files ---------------------------------------------------------------------

  /** `require("x")`: x must be a declared module whose file exists (or a granted standard library). */
  private requires(): void {
    if (!this.policy.isGranted('require')) return; // `forbidden` says so at the call
    const modules = this.contract?.modules ?? new Map();
    for (const use of requireUses(this.scope)) {
      const declared = modules.get(use.name);
      if (declared) {
        // Only a contract loaded from a file has a folder its module paths are relative to.
        if (!this.contract || !nodePath.isAbsolute(this.contract.path)) continue;
        const file = moduleFile(this.contract, declared);
        if (!this.exists(file)) {
          this.add(use.literal, 'error', 'unknown-module', `module '${use.name}' is declared as ${declared.path}, which does not exist (paths are relative to the folder of ${nodePath.basename(this.contract.path)})`);
        }
        continue;
      }
      // Lua preloads its libraries: `require "string"` is the string library, when it is granted.
      if (use.name === '_G' || LUA53_LIBRARIES[use.name] !== undefined) {
        if (this.policy.access(use.name) === 'denied') this.forbid(use.literal, use.name);
        continue;
      }
      const names = [...modules.keys()];
      const guess = suggest(use.name, names);
      const list = names.length > 0 ? ` Declared: ${names.join(', ')}.` : ' It declares no modules.';
      this.add(use.literal, 'error', 'unknown-module', `module '${use.name}' is not declared by ${this.contractName()}${guess ? `; did you mean '${guess}'?` : '.'}${list}`, replaceLiteral(use.literal, guess));
    }
  }

  private exists(file: string): boolean {
    let known = this.files.get(file);
    if (known === undefined) {
      known = this.options.fileExists ? this.options.fileExists(file) : fs.existsSync(file);
      this.files.set(file, known);
    }
    return known;
  }

  /** `io.open(path, mode)` and `io.lines(path)`: the path must be declared, with an access that allows the mode. */
  private fileAccess(): void {
    const files = this.contract?.files ?? new Map<string, string>();
    for (const use of fileUses(this.scope)) {
      if (!this.policy.isGranted(use.fn)) continue; // `forbidden` says so at the call
      if (use.normalized === undefined) {
        this.add(use.literal, 'error', 'ungranted-file', `${use.fn} can never reach '${use.path}': a path ${use.outside ?? 'must name a declared file'}`);
        continue;
      }
      const access = this.contract?.files.get(use.normalized);
      if (access === undefined) {
        const names = [...files.keys()];
        const guess = suggest(use.normalized, names);
        const list = names.length > 0 ? ` Declared: ${[...files].map(([f, a]) => `${f} (${a})`).join(', ')}.` : ' It declares no files.';
        this.add(use.literal, 'error', 'ungranted-file', `'${use.normalized}' is not a file declared by ${this.contractName()}${guess ? `; did you mean '${guess}'?` : '.'}${list}`, replaceLiteral(use.literal, guess));
        continue;
      }
      if (use.need !== undefined && !accessAllows(access, use.need)) {
        const how = use.fn === 'io.lines' ? 'io.lines reads' : `io.open${use.mode ? ` with mode "${use.mode.value}"` : ''} ${NEED_VERB[use.need]}`;
        this.add(use.mode ?? use.literal, 'error', 'ungranted-file', `${how} '${use.normalized}', but ${this.contractName()} grants it ${access} access only`);
      }
    }
  }

  // ---- input and output ----------------------------------------------------------------------

  private inputField(path: readonly string[], use: GlobalPathUse): void {
    let schema: unknown = this.contract?.input;
    if (schema === undefined || path.length < 2) return;
    // Fields inside an alias's own path were reported where the alias was declared.
    const aliasDepth = use.via?.aliasOf?.length ?? 0;
    for (let i = 1; i < path.length; i++) {
      const properties = objectProperties(schema);
      if (properties === undefined) return;
      const field = luaText(path[i]);
      if (i < aliasDepth && !(field in properties)) return;
      if (!(field in properties)) {
        // Unknown to the contract even where the schema lets other fields through: most often a typo.
        const guess = suggest(field, Object.keys(properties));
        const node = fieldNode(use.node, path.length - 1 - i) ?? use.node;
        const fixes = guess ? [changeTo(node, guess)] : undefined;
        const where = path.slice(0, i).map(luaText).join('.');
        this.add(node, 'warning', 'unknown-input-field', `${where} has no field '${field}' in the contract's input schema${guess ? `; did you mean '${guess}'?` : ''} (fields: ${Object.keys(properties).join(', ') || 'none'})`, fixes);
        return;
      }
      schema = properties[field];
    }
  }

  /** The value each return path of the main chunk gives, against the output schema (see infer.ts). */
  private outputShape(): void {
    if (this.inference) this.findings.push(...this.inference.output);
  }

  // ---- loops ---------------------------------------------------------------------------------

  private unboundedLoop(node: ast.Node): void {
    {
      const endless = (node.kind === 'While' && isTruthyConstant(node.condition))
        || (node.kind === 'Repeat' && isFalsyConstant(node.condition));
      if (!endless) return;
      const body = (node as ast.WhileStatement | ast.RepeatStatement).body;
      // A generator's loop: whoever resumes it decides when it stops.
      if (!hasExit(body) && !this.yieldsIn(body)) {
        const keyword = { start: node.start, end: node.start + (node.kind === 'While' ? 5 : 6) };
        this.add(keyword, 'warning', 'unbounded-loop', `this loop has no way out (no break, return or goto leaves it); the instruction budget of ${this.contract?.limits.instructions ?? 'the sandbox'} will end the run`);
      }
    }
  }

  private yields: number[] | undefined;

  /** Whether `coroutine.yield` is called inside a range (the offsets of its calls, found once). */
  private yieldsIn(range: ast.Range): boolean {
    if (!this.yields) {
      this.yields = [];
      for (const use of this.scope.uses) {
        if (use.access !== 'call') continue;
        const path = withoutEnvironment(use.path, this.scope.globalTableModified);
        if (path.length === 2 && path[0] === 'coroutine' && path[1] === 'yield') this.yields.push(use.node.start);
      }
    }
    return this.yields.some((offset) => offset >= range.start && offset < range.end);
  }
}

// ---- helpers ---------------------------------------------------------------------------------

/**
 * The main chunk's own statements that assign one name (`x = 1`, `function x()`), by that name:
 * there `local` in front declares a local that every later use sees (in a nested block or function
 * it would end before uses after it).
 */
function singleNameAssignments(chunk: ast.Chunk): Map<ast.Name, ast.Statement> {
  const out = new Map<ast.Name, ast.Statement>();
  for (const n of chunk.body.body) {
    if (n.kind === 'Assignment' && n.targets.length === 1 && n.targets[0].kind === 'Name') out.set(n.targets[0], n);
    else if (n.kind === 'FunctionStatement' && n.target.kind === 'Name' && !n.isMethod) out.set(n.target, n);
  }
  return out;
}

const NEED_VERB: Readonly<Record<FileNeed, string>> = { read: 'reads', write: 'writes', 'read-write': 'reads and writes' };

/** A did-you-mean fix that replaces a quoted literal's text (long brackets are left alone). */
function replaceLiteral(literal: ast.StringLiteral, guess: string | undefined): Finding['fixes'] {
  if (guess === undefined || literal.quote === '[' || /["'\\\n\r]/.test(guess)) return undefined;
  return [changeTo({ start: literal.start + 1, end: literal.end - 1 }, guess)];
}

/** Whether a use of a missing name (the first `length` segments of `path`) fails here: it is called or indexed. */
function failsHere(path: readonly string[], length: number, use: GlobalPathUse): boolean {
  return path.length > length || use.access === 'call';
}

/** The Name at the root of a chain (`a` of `a.b.c`). */
function rootName(node: ast.Expression): ast.Name | undefined {
  let n: ast.Expression = node;
  for (;;) {
    if (n.kind === 'Name') return n;
    if (n.kind === 'Member' || n.kind === 'Index') n = n.object;
    else if (n.kind === 'Call') n = n.callee;
    else if (n.kind === 'Paren') n = n.expression;
    else return undefined;
  }
}

/** The field name `up` levels above the end of a chain (`c` of `a.b.c` for 0). */
function fieldNode(node: ast.Expression, up: number): ast.Range | undefined {
  let n: ast.Expression = node;
  if (n.kind === 'Call' && n.method) {
    if (up === 0) return n.method;
    up--;
    n = n.callee;
  }
  for (;;) {
    if (n.kind === 'Member') {
      if (up === 0) return n.name;
      up--;
      n = n.object;
    } else if (n.kind === 'Index') {
      if (up === 0) return n.index;
      up--;
      n = n.object;
    } else {
      return undefined;
    }
  }
}

function isStringValue(node: ast.Expression): boolean {
  if (node.kind === 'String') return true;
  if (node.kind === 'Paren') return isStringValue(node.expression);
  return false;
}

/** `getmetatable("")` */
function isStringMetatable(node: ast.Expression): boolean {
  return node.kind === 'Call' && !node.method && node.callee.kind === 'Name' && node.callee.name === 'getmetatable'
    && node.args.length === 1 && isStringValue(node.args[0]);
}

/** Visits every node (iteratively, through the engine's typed child lists: chains may be long). */
export function walk(root: ast.Node, visit: (node: ast.Node) => void): void {
  const stack: ast.Node[] = [root];
  const children: ast.Node[] = [];
  const collect = (child: ast.Node): void => { children.push(child); };
  while (stack.length > 0) {
    const node = stack.pop()!;
    visit(node);
    children.length = 0;
    forEachChild(node, collect);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
}

/** Whether a loop body has a statement that leaves the loop (not counting nested loops' breaks). */
function hasExit(body: ast.Block): boolean {
  const labels = new Set<string>();
  walk(body, (n) => { if (n.kind === 'Label') labels.add(n.name.name); });
  let found = false;
  const scan = (block: ast.Block, inNestedLoop: boolean): void => {
    for (const s of block.body) {
      if (found) return;
      switch (s.kind) {
        case 'Break': if (!inNestedLoop) found = true; break;
        case 'Return': found = true; break;
        case 'Goto': if (!labels.has(s.label.name)) found = true; break;
        case 'Do': scan(s.body, inNestedLoop); break;
        case 'If': for (const c of s.clauses) scan(c.body, inNestedLoop); break;
        case 'While': case 'Repeat': case 'NumericFor': case 'GenericFor': scan(s.body, true); break;
        case 'CallStatement': {
          // error(...) and os.exit(...) end the run too.
          const { callee, method } = s.call;
          if (method) break;
          if (callee.kind === 'Name' && callee.name === 'error') found = true;
          else if (callee.kind === 'Member' && callee.name.name === 'exit' && callee.object.kind === 'Name' && callee.object.name === 'os') found = true;
          break;
        }
        default: break;
      }
    }
  };
  scan(body, false);
  return found;
}

/** A parameter name from an argument: a name (`to`), or the last field of a path (`input.body` → `body`). */
function argumentName(arg: ast.Expression): string | undefined {
  const node = arg.kind === 'Paren' ? arg.expression : arg;
  const name = node.kind === 'Name' ? node.name : node.kind === 'Member' ? node.name.name : undefined;
  return name && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && name !== '_' ? name : undefined;
}

/** The contract's type string for an inferred argument type: one sure type (optional when it may be nil), else `any`. */
function hostTypeOf(type: Type | undefined): string {
  const json = jsonTypeOf(type);
  if (!type || json === undefined) return 'any';
  const base = json === 'object' || json === 'array' ? 'table' : json;
  return withoutNil(type) !== type ? `${base}?` : base;
}
