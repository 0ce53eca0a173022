// The language service: everything the editor asks about a script, as plain data in editor terms
// (0-based lines and UTF-16 characters). It reads only: it never runs a script or loads workspace
// code. The LSP transport (../lsp) is the only code that turns this into protocol messages.

import * as fs from 'fs';
import * as nodePath from 'path';
import {
  ManifestDiscovery, loadManifest, parseManifest, parse, parseInSlices, prepareMoves, analyze, analyzeInSlices, locate, LineMap, contractTextChange, compile, exampleInput, forEachChild, unparen, disassemble, LUA53_STDLIB, LUA53_LIBRARIES, LUA53_BASE, StdlibPolicy, MANIFEST_FILE,
  type ast, type SourceEdit, type Contract, type ContractEdit, type HostFunction, type ManifestResult, type LocalVariable, type ModuleDeclaration, type ParseResult, type ParseTask, type ScopeInfo, type ScopeTask,
} from '@sandlua/lua';
import {
  analyzeScript, ignoredScriptFindings, applySeverity, suppressionFixes, LEFT_TO_LUALS, type UngovernedScripts, walk, objectProperties, requiredFields, schemaTypes, withoutEnvironment, declaredFileKey, fileUses, moduleExports, moduleFile, requireUses,
  AnalysisInterrupted, fieldsOf, formatInferredType, readAnnotations, typeFromNode,
  type Documentation, type Finding, type InferenceMemo, type ScriptAnalysis, type FileUse, type ModuleField, type RequireUse, type Type, type TypeInfo,
} from '@sandlua/lua';
import { buildReport, formatReportMarkdown } from '../check/report';
import type { Severity } from '@sandlua/lua';
import { LIBRARY_DOCS, STDLIB_DOCS } from './stdlib-docs';
import { contractCompletion, contractHover } from './contract-schema';
import { finishedStatement, formatScript, type FormatFailure } from './formatting';
import { rangedChange } from '../format/edits';
import type { EditorOptions } from '../format/style';
import { matchScore, summarize, WorkspaceIndex, type IndexKey, type IndexedFunction } from './workspace-index';

export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }
export interface Location { path: string; range: Range }
export interface TextEdit { range: Range; newText: string }

/** `unnecessary`: code that does nothing (an unused local, unreachable code, a suppression that suppresses nothing), which editors fade. */
export interface Diagnostic { range: Range; severity: Severity; code: string; message: string; source: 'sandlua'; unnecessary?: true }

/** The codes whose findings mark code that does nothing. */
const UNNECESSARY = new Set(['unused', 'unreachable-code', 'unused-suppression']);

export type CompletionKind = 'variable' | 'function' | 'module' | 'field' | 'keyword' | 'property' | 'snippet';
export interface CompletionItem {
  label: string;
  kind: CompletionKind;
  detail?: string;
  documentation?: string;
  /** A snippet with ${1:placeholders}, when the item inserts one. */
  snippet?: string;
  /** What it inserts for a client that takes no snippets, when not the label (`name = `). */
  text?: string;
  sortText?: string;
  /** The text the item replaces (inside a string: what is typed of it), when not the word at the cursor. */
  range?: Range;
}

export interface Hover { contents: string; range: Range }
export interface SignatureHelp { label: string; documentation?: string; parameters: { label: string; documentation?: string }[]; activeParameter: number }
/** `module`: a table with functions among its fields; `field`: a field of a table the script builds. */
export interface DocumentSymbol { name: string; kind: 'function' | 'method' | 'variable' | 'module' | 'field'; range: Range; selectionRange: Range; detail?: string; children?: DocumentSymbol[] }
/** A link from a string literal (its text inside the quotes) to a file. */
export interface DocumentLink { range: Range; target: string; tooltip?: string }
export interface FoldingRange { startLine: number; endLine: number; kind?: 'comment' | 'region' }
export interface Highlight { range: Range; kind: 'read' | 'write' | 'text' }
/**
 * `edits` change the script; `contract`, for a fix that changes what the script may do (grant a
 * standard name, declare a host function, add an output field), the governing sandlua.json as its
 * current text stands (open in the editor or on disk).
 */
export interface CodeAction { title: string; kind: 'quickfix'; diagnostic?: Diagnostic; edits: TextEdit[]; isPreferred?: boolean; contract?: { path: string; edits: TextEdit[] } }
/** An inlay hint: a parameter's name before an argument (`alias:`), or a local's type after its name (`: string?`). */
export interface InlayHint { position: Position; label: string; kind: 'parameter' | 'type'; paddingLeft?: boolean; paddingRight?: boolean; tooltip?: string }

export const TOKEN_TYPES = ['variable', 'parameter', 'function', 'property', 'namespace'] as const;
export const TOKEN_MODIFIERS = ['declaration', 'readonly', 'defaultLibrary', 'host', 'forbidden'] as const;
export interface SemanticToken { line: number; character: number; length: number; type: number; modifiers: number }
/** A token's type and modifiers in one number: the modifiers' bits above KIND_BITS. */
const KIND_BITS = 4;
const KIND_MASK = (1 << KIND_BITS) - 1;
/** A modifier's bit in a token's kind. */
const modifier = (m: (typeof TOKEN_MODIFIERS)[number]): number => 1 << (TOKEN_MODIFIERS.indexOf(m) + KIND_BITS);
/**
 * Tokens are ordered by `start * ORDER_SPAN + index`, exact in a double below 2^53: offsets are
 * below 2^29 (V8's longest string), and past 2^24 tokens (a document of over 32 M characters) the
 * rest get none.
 */
const ORDER_SPAN = 2 ** 24;

/**
 * The token a global path's use gets (type | modifiers << KIND_BITS), or -1: a host function, the
 * standard library (forbidden when the contract does not grant it), the script's `input`.
 */
function pathTokenKind(usePath: readonly string[], contract: Contract | undefined, policy: StdlibPolicy): number {
  const path = withoutEnvironment(usePath);
  if (path.length === 0) return -1;
  const name = path.join('.');
  if (contract?.host.has(name)) return 2 | modifier('host');
  if (LUA53_STDLIB.has(name) || LUA53_STDLIB.has(path[0])) {
    const std = LUA53_STDLIB.has(name) ? name : path[0];
    return (LUA53_LIBRARIES[std] !== undefined ? 4 : 2) | modifier('defaultLibrary') | (policy.isGranted(std) ? 0 : modifier('forbidden'));
  }
  if (path[0] === 'input') return (path.length === 1 ? 0 : 3) | modifier('readonly');
  return -1;
}

/** A workspace symbol: a function an indexed file defines, or a host function a contract declares. */
export interface WorkspaceSymbol { name: string; kind: 'function' | 'method'; path: string; range: Range; container?: string }
/**
 * A call hierarchy item: a function, a host function (in its contract), or a file's main chunk
 * (`file`); `key` says which to the later incoming/outgoing requests.
 */
export interface CallItem { key: string; name: string; kind: 'function' | 'method' | 'file'; detail?: string; path: string; range: Range; selectionRange: Range }
export interface CallsOf { item: CallItem; ranges: Range[] }

/** Fields and methods a file defines, by name, per analysis (hover on members of unknown objects). */
const MEMBERS = new WeakMap<object, Map<string, { start: number; text: string; signature?: string }[]>>();

export interface ServiceSettings {
  /** Severity per code, or 'off' (over the contract's `"severity"` map). */
  severity: Record<string, Severity | 'off'>;
  /** Contracts (files or folders holding a sandlua.json) for scripts that no contract above them governs. */
  contractPaths?: string[];
  /**
   * How scripts that no contract governs are judged (default `ignore`: syntax errors only; `lint`:
   * the language's own judgements; `default-contract`: checked under the default deny-all contract).
   */
  ungovernedScripts?: UngovernedScripts;
  /** The client reports JSON syntax errors itself (VS Code's JSON support): the contract's are left to it. */
  clientChecksJson?: boolean;
  /** LuaLS reports on the same scripts: the codes it also has (Rule.luaLS) are left to it unless a severity is set for them. */
  besideLuaLS?: boolean;
  inlayHints?: {
    /** Parameter names before the arguments of host and local-function calls (default on). */
    parameterNames?: boolean;
    /** Inferred types after the names of locals (default off). */
    localTypes?: boolean;
  };
}

export interface ServiceOptions {
  /**
   * Replaces parts of each analysis (its `types`, its `findings`): tests inject a small fake of what
   * another part of the analysis will provide. Undefined: the analysis as it is.
   */
  analysis?: (analysis: ScriptAnalysis, text: string) => Partial<Pick<ScriptAnalysis, 'types' | 'findings'>>;
  /** How many scripts, and how much of their text, keep their analyses (default KEPT_SCRIPTS, KEPT_TEXT). */
  kept?: { scripts: number; text: number };
}

/** An open document's text and version, and its revision: a new one for every text the service is given. */
interface OpenDocument { text: string; version: number; revision: number }

/**
 * A script's parse and scopes for its current text, and what governs it: what the features that
 * need no types and no findings use (outline, folding, selection ranges, links, semantic tokens),
 * so that those answer without the type analysis.
 */
interface Basic {
  path: string;
  text: string;
  contract: ManifestResult | undefined;
  parsed: ParseResult;
  scope: ScopeInfo;
  lines: LineMap;
  /** The `ungovernedScripts` setting in force. */
  ungoverned: UngovernedScripts;
}

/** A script's whole analysis (its parse and scopes are the Basic ones of the same text). */
interface Cached extends Basic {
  /** The open document's revision it was made of (see `current`). */
  revision?: number;
  analysis: ScriptAnalysis;
  types: TypeInfo;
}

/** How many scripts keep their analysis's memo for the next edit (see `LanguageService.keepMemo`). */
const MEMO_SCRIPTS = 16;

/**
 * How many scripts keep their parse, scopes and analysis between uses, and how much text they may
 * hold together: the ones used last (see `LanguageService.touch`). The others keep only their text;
 * their next use analyses them again (a few milliseconds for a script of a hundred lines).
 */
const KEPT_SCRIPTS = 64;
const KEPT_TEXT = 2 * 1024 * 1024;

/**
 * A script's latest parse (and scopes, once asked for; `scoping` while they are made in slices, see
 * scopedInSlices), with the text they are of. `previousScope` and `memo`: the scopes of the script's
 * previous version and what its type analysis kept, for this version's analyses to take over (spent
 * once used).
 */
interface Layer { text: string; revision?: number; parsed: ParseResult; scope?: ScopeInfo; scoping?: ScopeTask; previousScope?: ScopeInfo; memo?: InferenceMemo }

/**
 * One edit of `base` that does what `first` (an edit of `base`) and then `second` (an edit of the
 * text `first` made) did, reading `base` only around them.
 */
export function joinEdits(base: string, first: SourceEdit, second: SourceEdit): SourceEdit {
  const delta = first.text.length - (first.end - first.start);
  // Where the two cover, in the text between them: there, `base` before `first`, `first`'s text, `base` after it.
  const start = Math.min(first.start, second.start);
  const end = Math.max(first.start + first.text.length, second.end);
  const between = base.slice(start, first.start) + first.text + base.slice(first.end, end - delta);
  return { start, end: end - delta, text: between.slice(0, second.start - start) + second.text + between.slice(second.end - start) };
}

/** The workspace as the server sees it: open documents over the disk, contracts, analyses. */
export class LanguageService {
  private readonly documents = new Map<string, OpenDocument>();
  private discovery: ManifestDiscovery;
  private readonly cache = new Map<string, Cached>();
  /**
   * Each script's latest parse, with the text it is of: diagnostics that need only the parse use
   * it, and the analysis takes it (one parse a version). An edit's parse takes the last one over.
   */
  private readonly layers = new Map<string, Layer>();
  /** First parses being made in slices (see parsedInSlices), with the text each is of. */
  private readonly pendingParses = new Map<string, { text: string; task: ParseTask }>();
  /**
   * The edits since a script's last parse, as one (see `change`): from the text that parse was of
   * (`base`) to the open document's `revision`. The next parse is told it, and reads the new text
   * only around it.
   */
  private readonly edits = new Map<string, { base: string; revision: number; edit: SourceEdit }>();
  /** The last open document's revision (see OpenDocument). */
  private revisions = 0;
  /** The scripts whose analysis's memo is kept, oldest first (see `keepMemo`). */
  private readonly memoHolders = new Set<string>();
  /** The scripts whose parse or analysis is kept, least recently used first, with their text's length (see `touch`). */
  private readonly kept = new Map<string, number>();
  private keptText = 0;
  /** What module files export, by file, with the text it was read from. */
  private readonly exportsCache = new Map<string, { text: string; fields: ModuleField[] }>();
  settings: ServiceSettings = { severity: {} };
  /** Analyses made so far (a parse serves what needs no more: see syntaxOnly). */
  analyses = 0;
  /** The workspace's files summarised (workspace-index.ts); `dirty`: summaries to make again before use. */
  private readonly index = new WorkspaceIndex();
  private readonly dirty = new Set<string>();
  /** The contracts met while indexing (their host functions are workspace symbols). */
  private readonly indexedContracts = new Set<string>();

  constructor(private readonly options: ServiceOptions = {}) {
    this.discovery = this.newDiscovery();
  }

  private newDiscovery(): ManifestDiscovery {
    return new ManifestDiscovery({
      load: (file) => {
        const open = this.documents.get(file);
        if (open) return parseManifest(open.text, file);
        if (!fs.existsSync(file)) return undefined;
        return loadManifest(file);
      },
    });
  }

  // ---- documents -----------------------------------------------------------------------------

  open(path: string, text: string, version = 0): void {
    this.documents.set(path, { text, version, revision: ++this.revisions });
    if (path.endsWith('.lua')) this.dirty.add(path);
    // A script's analysis stays cached: the next one takes its parse over where the edit allows.
    if (isContract(path)) this.contractsChanged();
  }

  /**
   * Makes an open script's statements ready for the edits to come (the engine's `prepareMoves`)
   * while `keepGoing()` says there is time. True when nothing is left to do.
   */
  prepareEdits(path: string, keepGoing: () => boolean): boolean {
    // The text an edit's parse did not read whole (see `change`) is made whole now, while the
    // editor waits for the user: the next keystroke's edit reads it.
    this.documents.get(path)?.text.charCodeAt(0);
    const parsed = this.cache.get(path)?.parsed ?? this.layers.get(path)?.parsed;
    if (!parsed) return true;
    let stopped = false;
    prepareMoves(parsed.chunk.body.body, () => {
      if (keepGoing()) return true;
      stopped = true;
      return false;
    });
    return !stopped;
  }

  /**
   * A new version of an open document (its analysis takes the last one's over where the edit
   * allows). `edits`: the replacements that made `text` from the document's last text, one after
   * the other, when the client said (a ranged change); the parse then reads around them only.
   */
  change(path: string, text: string, version: number, edits?: readonly SourceEdit[]): void {
    const before = this.documents.get(path);
    const pending = this.edits.get(path);
    this.edits.delete(path);
    this.open(path, text, version);
    if (!edits || edits.length === 0 || before === undefined) return;
    // One edit from the last parse's text: joined to those not parsed yet when they led to the last text.
    const joined = pending?.revision === before.revision ? pending : undefined;
    const base = joined?.base ?? before.text;
    let edit = joined?.edit;
    for (const next of edits) edit = edit ? joinEdits(base, edit, next) : next;
    this.edits.set(path, { base, revision: this.revisionOf(path)!, edit: edit! });
  }

  close(path: string): void {
    this.documents.delete(path);
    this.forget(path);
    // Its text is the disk's again.
    if (this.index.has(path)) this.dirty.add(path);
    if (isContract(path)) this.contractsChanged();
  }

  /** A contract changed (edited, saved, created, deleted): every script is checked again. */
  contractsChanged(): void {
    this.discovery = this.newDiscovery();
    this.cache.clear();
    // Host functions and modules are named by the contracts: every summary is made again.
    for (const path of this.index.paths()) this.dirty.add(path);
  }

  // ---- the workspace index -------------------------------------------------------------------

  /** Every Lua file under the folders (at most `limit`), for the index. */
  luaFiles(folders: string[], limit = 50000): string[] {
    return filesUnder(folders, limit, (name) => name.endsWith('.lua'));
  }

  /**
   * Summarises a file into the index: an open one from its analysis, else from the disk (a file
   * that cannot be read, or over 8 MB, leaves the index). `background`: the workspace's indexing,
   * a slice at a time; an open document whose analysis is not made yet is then left to be indexed
   * when the index is next read (it stays dirty), by which time its diagnostics have made it. Made
   * here it would hold the slice for a whole analysis: ~500 ms in a server just started on a
   * 13,000-line file, with every request waiting.
   */
  indexFile(path: string, background = false): void {
    if (background && this.documents.has(path)) {
      const text = this.text(path);
      if (text !== undefined && !this.analysed(path, text)) {
        this.dirty.add(path);
        return;
      }
    }
    this.dirty.delete(path);
    try {
      const contract = this.contractFor(path);
      if (contract) this.indexedContracts.add(contract.path);
      if (this.documents.has(path)) {
        const c = this.get(path);
        if (!c) return this.index.delete(path);
        this.index.set(path, summarize(c.text, path, c.contract?.manifest, { chunk: c.analysis.parsed.chunk, scope: c.analysis.scope, lines: c.lines }));
        return;
      }
      const size = fs.statSync(path).size;
      if (size > 8 * 1024 * 1024) return this.index.delete(path);
      this.index.set(path, summarize(fs.readFileSync(path, 'utf8'), path, contract?.manifest));
    } catch {
      this.index.delete(path);
    }
  }

  /** A file left the workspace (deleted, or renamed away). */
  unindex(path: string): void {
    this.dirty.delete(path);
    this.index.delete(path);
  }

  /** How many files the index holds. */
  indexSize(): number {
    return this.index.size;
  }

  private freshIndex(): WorkspaceIndex {
    for (const path of [...this.dirty]) {
      if (this.index.has(path) || this.documents.has(path)) this.indexFile(path);
      else this.dirty.delete(path);
    }
    return this.index;
  }

  /** Functions of the workspace matching `query` (its characters in order, any case), and the contracts' host functions. */
  workspaceSymbols(query: string, limit = 1000): WorkspaceSymbol[] {
    const out: WorkspaceSymbol[] = [];
    for (const { path, fn } of this.freshIndex().symbols(query, limit)) {
      const container = fn.container === undefined ? undefined : this.index.summary(path)?.functions[fn.container]?.name;
      out.push({ name: fn.name, kind: fn.kind, path, range: fn.selection, ...(container ? { container } : {}) });
    }
    const q = query.toLowerCase();
    for (const contractPath of this.indexedContracts) {
      const contract = this.discovery.load(contractPath)?.manifest;
      for (const [name, fn] of contract?.host ?? []) {
        if (out.length >= limit) break;
        if (matchScore(name.toLowerCase(), q) < 0) continue;
        out.push({ name, kind: 'function', path: contractPath, range: spanRange(fn.span), container: `host function (${nodePath.basename(nodePath.dirname(contractPath))}/${MANIFEST_FILE})` });
      }
    }
    return out;
  }

  /** What the name at a position calls or defines, for the index (a host, module or file function). */
  private indexKeyAt(path: string, position: Position): { key: IndexKey; at?: IndexedFunction } | undefined {
    const summary = this.freshIndex().summary(path) ?? (this.indexFile(path), this.index.summary(path));
    if (!summary) return undefined;
    const inside = (r: Range): boolean => before(r.start, position) && before(position, r.end);
    const call = summary.calls.find((c) => inside(c.range));
    if (call) return { key: call.target };
    const fn = summary.functions.find((f) => inside(f.selection));
    return fn ? { key: fn.key, at: fn } : undefined;
  }

  /** The call hierarchy's item for what is at a position. */
  prepareCallHierarchy(path: string, position: Position): CallItem[] {
    const found = this.indexKeyAt(path, position);
    const item = found && this.callItem(found.key);
    return item ? [item] : [];
  }

  private callItem(key: IndexKey, inFile?: string): CallItem | undefined {
    if (key.startsWith('main:')) {
      const path = key.slice(5);
      const zero = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
      return { key, name: nodePath.basename(path), kind: 'file', detail: 'main chunk', path, range: zero, selectionRange: zero };
    }
    if (key.startsWith('host:')) {
      const name = key.slice(5);
      // The contract of a file that calls it (the first, or the one asked about).
      const files = inFile ? [inFile] : this.index.callsTo(key).map((c) => c.path);
      for (const file of files) {
        const contract = this.contractFor(file);
        const fn = contract?.manifest?.host.get(name);
        if (contract && fn) return { key, name, kind: 'function', detail: 'host function', path: contract.path, range: spanRange(fn.span), selectionRange: spanRange(fn.span) };
      }
      return undefined;
    }
    const at = this.index.definition(key);
    if (!at) return undefined;
    return { key, name: at.fn.name, kind: at.fn.kind, ...(key.startsWith('module:') ? { detail: `module ${key.slice(7, key.lastIndexOf('.'))}` } : {}), path: at.path, range: at.fn.range, selectionRange: at.fn.selection };
  }

  /** Who calls an item: each calling function (or main chunk) with the ranges of its calls. */
  incomingCalls(item: Pick<CallItem, 'key'>): CallsOf[] {
    const groups = new Map<string, CallsOf>();
    for (const { path, call } of this.freshIndex().callsTo(item.key)) {
      const summary = this.index.summary(path)!;
      const callerKey = call.caller === undefined ? `main:${path}` : summary.functions[call.caller].key;
      let group = groups.get(callerKey);
      if (!group) {
        const from = this.callItem(callerKey);
        if (!from) continue;
        groups.set(callerKey, (group = { item: from, ranges: [] }));
      }
      group.ranges.push(call.range);
    }
    return [...groups.values()];
  }

  /** What an item calls: each called function with the ranges of the calls in the item's body. */
  outgoingCalls(item: Pick<CallItem, 'key'>): CallsOf[] {
    const index = this.freshIndex();
    let path: string;
    let caller: number | undefined;
    if (item.key.startsWith('main:')) {
      path = item.key.slice(5);
    } else {
      const at = index.definition(item.key);
      if (!at) return [];
      path = at.path;
      caller = index.summary(path)!.functions.indexOf(at.fn);
    }
    const groups = new Map<string, CallsOf>();
    for (const call of index.summary(path)?.calls ?? []) {
      if (call.caller !== caller) continue;
      let group = groups.get(call.target);
      if (!group) {
        const to = this.callItem(call.target, path);
        if (!to) continue;
        groups.set(call.target, (group = { item: to, ranges: [] }));
      }
      group.ranges.push(call.range);
    }
    return [...groups.values()];
  }

  /** Calls across the workspace of the host or module function at a position (and its declaration). */
  private indexReferences(path: string, position: Position, includeDeclaration: boolean): Location[] {
    const found = this.indexKeyAt(path, position);
    if (!found || found.key.startsWith('fn:')) return [];
    // A host function's uses in this file are the file's own occurrences already (its whole path).
    const host = found.key.startsWith('host:');
    const out: Location[] = this.index.callsTo(found.key).filter((c) => !(host && c.path === path)).map((c) => ({ path: c.path, range: c.call.range }));
    if (includeDeclaration) {
      const item = this.callItem(found.key, path);
      if (item) out.unshift({ path: item.path, range: item.selectionRange });
    }
    return out;
  }

  openPaths(): string[] {
    return [...this.documents.keys()];
  }

  text(path: string): string | undefined {
    return this.documents.get(path)?.text ?? (fs.existsSync(path) ? fs.readFileSync(path, 'utf8') : undefined);
  }

  /** The open document's revision (undefined: the file is not open). */
  private revisionOf(path: string): number | undefined {
    return this.documents.get(path)?.revision;
  }

  /**
   * Whether what was made of a script's text (`kept`) is of its text now: not when it is of an
   * earlier revision of the open document (two texts of one length are otherwise compared
   * character by character, which makes an edited text whole: see the engine's ParseOptions.edit).
   */
  private current(path: string, kept: { text: string; revision?: number }, text: string): boolean {
    const revision = this.revisionOf(path);
    if (revision !== undefined && kept.revision !== undefined && kept.revision !== revision) return false;
    return kept.text === text;
  }

  /** Whether a file exists: open in the editor (even unsaved), or on disk. */
  private exists(file: string): boolean {
    return this.documents.has(file) || fs.existsSync(file);
  }

  /** The fields a module file exports (undefined: it cannot be read). */
  private exportsOf(file: string): ModuleField[] | undefined {
    const text = this.text(file);
    if (text === undefined) return undefined;
    const cached = this.exportsCache.get(file);
    if (cached && cached.text === text) return cached.fields;
    const fields = moduleExports(text);
    this.exportsCache.set(file, { text, fields });
    if (this.exportsCache.size > 500) this.exportsCache.delete(this.exportsCache.keys().next().value as string);
    return fields;
  }

  /** The contract governing a script (undefined: none); then the configured extra contracts. */
  contractFor(path: string): ManifestResult | undefined {
    const found = this.discovery.governing(path);
    if (found) return found;
    for (const extra of this.settings.contractPaths ?? []) {
      const file = extra.endsWith('.json') ? extra : nodePath.join(extra, MANIFEST_FILE);
      const result = this.discovery.load(nodePath.resolve(file));
      if (result) return result;
    }
    return undefined;
  }

  /**
   * Works toward an open script's diagnostics while `keepGoing()` says there is time: its parse, its
   * scopes, then its analysis, which stops between functions and goes on from there at the next
   * call (AnalysisInterrupted). True when they are made (`diagnostics` then answers at once); a
   * language server calls it in slices, answering other messages between.
   */
  prepareDiagnostics(path: string, keepGoing: () => boolean): boolean {
    const text = this.text(path);
    if (text === undefined || isContract(path) || this.analysed(path, text)) return true;
    if (!this.parsedInSlices(path, text, keepGoing)) return false;
    this.parseOf(path, text);
    if (this.syntaxOnly(path)) return true;
    if (!keepGoing()) return false;
    if (!this.scopedInSlices(path, text, keepGoing)) return false;
    if (!keepGoing()) return false;
    // An analysis that goes on from a stopped one first takes over what that one finished, which
    // takes longer the further it got: it then works at least as long again before it stops, so
    // that every slice gets further and the slices cost at most about twice one analysis.
    const began = performance.now();
    let until: number | undefined;
    const analysing = (): boolean => {
      const now = performance.now();
      until ??= now + (now - began);
      return now < until || keepGoing();
    };
    try {
      this.get(path, analysing);
      return true;
    } catch (error) {
      if (error instanceof AnalysisInterrupted) return false;
      throw error;
    }
  }

  /** The analysis made of a script's `text` and still current, if there is one. */
  private analysed(path: string, text: string): Cached | undefined {
    const cached = this.cache.get(path);
    // Findings also depend on whether required modules' files exist: one created or deleted counts as a change.
    if (cached && this.current(path, cached, text) && cached.ungoverned === this.ungovernedMode() && [...cached.analysis.files].every(([file, existed]) => this.exists(file) === existed)) {
      this.touch(path, text);
      return cached;
    }
    return undefined;
  }

  /** A script's analysis (`keepGoing`: see prepareDiagnostics; the analysis throws AnalysisInterrupted when it stops). */
  private get(path: string, keepGoing?: () => boolean): Cached | undefined {
    const text = this.text(path);
    if (text === undefined) return undefined;
    const cached = this.analysed(path, text);
    if (cached) return cached;
    const ungoverned = this.ungovernedMode();
    const contract = this.contractFor(path);
    const broken = contract && !contract.manifest ? nodePath.relative(nodePath.dirname(path), contract.path) || MANIFEST_FILE : undefined;
    const layer = this.layerOf(path, text);
    const parsed = layer.parsed;
    const scope = this.scopeOf(path, text);
    const memo = layer.memo;
    layer.memo = undefined;
    let analysis: ScriptAnalysis;
    try {
      analysis = analyzeScript(text, nodePath.basename(path), contract?.manifest, {
        brokenContract: broken, parsed, scope, path, fileExists: (file) => this.exists(file), ungoverned, memo, keepGoing,
      });
    } catch (error) {
      // Stopped for time: what it finished waits with the parse for the next call.
      if (error instanceof AnalysisInterrupted) layer.memo = error.memo;
      throw error;
    }
    this.analyses++;
    const override = this.options.analysis?.(analysis, text);
    if (override?.findings) analysis.findings = override.findings;
    const entry: Cached = { path, text, revision: this.revisionOf(path), contract, analysis, parsed, scope, lines: parsed.lineMap, types: override?.types ?? analysis.types, ungoverned };
    this.cache.set(path, entry);
    this.keepMemo(path);
    this.touch(path, text);
    return entry;
  }

  /**
   * A script's parse or analysis was used: it is kept, and the ones used longest ago are let go
   * while more than KEPT_SCRIPTS scripts, or more than KEPT_TEXT of text, are kept (the one used
   * now stays whatever its size). Memory follows the scripts in use, not the scripts open.
   */
  private touch(path: string, text: string): void {
    const size = this.kept.get(path);
    if (size !== undefined) {
      this.kept.delete(path);
      this.keptText -= size;
    }
    this.kept.set(path, text.length);
    this.keptText += text.length;
    const limit = this.options.kept ?? { scripts: KEPT_SCRIPTS, text: KEPT_TEXT };
    while (this.kept.size > 1 && (this.kept.size > limit.scripts || this.keptText > limit.text)) {
      this.forget(this.kept.keys().next().value as string);
    }
  }

  /** Lets go of what is kept of a script but its text. */
  private forget(path: string): void {
    this.cache.delete(path);
    this.layers.delete(path);
    this.pendingParses.delete(path);
    this.edits.delete(path);
    this.memoHolders.delete(path);
    const size = this.kept.get(path);
    if (size === undefined) return;
    this.kept.delete(path);
    this.keptText -= size;
  }

  /**
   * What an analysis keeps for the next edit's (`ScriptAnalysis.memo`) holds its tables (a few KB for
   * a small script): kept for the scripts analysed last, which are the ones being edited.
   */
  private keepMemo(path: string): void {
    this.memoHolders.delete(path);
    this.memoHolders.add(path);
    if (this.memoHolders.size <= MEMO_SCRIPTS) return;
    const oldest = this.memoHolders.keys().next().value as string;
    this.memoHolders.delete(oldest);
    const cached = this.cache.get(oldest);
    if (cached) cached.analysis.memo = undefined;
    const layer = this.layers.get(oldest);
    if (layer) layer.memo = undefined;
  }

  /** The parse of a script's `text`: the last one, or one that takes over the last one's where the edit allows. */
  private parseOf(path: string, text: string): ParseResult {
    return this.layerOf(path, text).parsed;
  }

  /** The scopes of a script's `text` (made once a version; finished at once when being made in slices). */
  private scopeOf(path: string, text: string): ScopeInfo {
    const layer = this.layerOf(path, text);
    if (!layer.scope) {
      layer.scope = layer.scoping ? layer.scoping.step(() => true)! : analyze(layer.parsed.chunk, layer.previousScope);
      layer.scoping = undefined;
      layer.previousScope = undefined;
    }
    return layer.scope;
  }

  /**
   * A script's first parse, which has no earlier one to take over (a long file just opened), made
   * while `keepGoing()` says there is time, going on from where the last call stopped (the engine's
   * `parseInSlices`): true once it is made (`layerOf` takes it), or when the parse is an edit's,
   * which takes the earlier one over (made at once: it reads little).
   */
  private parsedInSlices(path: string, text: string, keepGoing: () => boolean): boolean {
    const last = this.layers.get(path);
    if (last !== undefined || this.cache.has(path)) return true;
    let pending = this.pendingParses.get(path);
    if (pending?.text !== text) {
      pending = { text, task: parseInSlices(text, { name: nodePath.basename(path) }) };
      this.pendingParses.set(path, pending);
    }
    return pending.task.step(keepGoing) !== undefined;
  }

  /**
   * A script's scopes made in slices when they are a fresh analysis (the engine's
   * `analyzeInSlices`), as parsedInSlices does for the parse; true once they are made, or when they
   * take an edit's earlier scopes over (made at once by scopeOf).
   */
  private scopedInSlices(path: string, text: string, keepGoing: () => boolean): boolean {
    const layer = this.layerOf(path, text);
    if (layer.scope || layer.previousScope) return true;
    layer.scoping ??= analyzeInSlices(layer.parsed.chunk);
    const scope = layer.scoping.step(keepGoing);
    if (!scope) return false;
    layer.scope = scope;
    layer.scoping = undefined;
    return true;
  }

  private layerOf(path: string, text: string): Layer {
    const last = this.layers.get(path);
    if (last !== undefined && this.current(path, last, text)) {
      this.touch(path, text);
      return last;
    }
    // The earlier parse (and the analysis made of it) is spent once taken over, whatever happens next.
    const previous = last?.parsed ?? this.cache.get(path)?.analysis.parsed;
    const memo = this.cache.get(path)?.analysis.memo ?? last?.memo;
    const previousScope = last ? last.scope : this.cache.get(path)?.scope;
    this.cache.delete(path);
    this.layers.delete(path);
    // A first parse being made in slices is finished (see parsedInSlices).
    const pending = this.pendingParses.get(path);
    this.pendingParses.delete(path);
    const name = nodePath.basename(path);
    const edited = this.edits.get(path);
    this.edits.delete(path);
    const edit = edited && previous && edited.revision === this.revisionOf(path) && edited.base === previous.source ? edited.edit : undefined;
    const parsed = pending?.text === text && previous === undefined ? pending.task.step(() => true)! : parse(text, { name, previous, edit });
    const layer: Layer = { text, revision: this.revisionOf(path), parsed, previousScope, memo };
    this.layers.set(path, layer);
    this.touch(path, text);
    return layer;
  }

  /** A script's parse and scopes (its whole analysis when that is made already), without the type analysis. */
  private basic(path: string): Basic | undefined {
    const text = this.text(path);
    if (text === undefined) return undefined;
    const cached = this.cache.get(path);
    if (cached && this.current(path, cached, text) && cached.ungoverned === this.ungovernedMode()) {
      this.touch(path, text);
      return cached;
    }
    const parsed = this.parseOf(path, text);
    return { path, text, contract: this.contractFor(path), parsed, scope: this.scopeOf(path, text), lines: parsed.lineMap, ungoverned: this.ungovernedMode() };
  }

  /** A script's parse alone (what folding and selection ranges read): no scopes made for it. */
  private parseFor(path: string): { text: string; parsed: ParseResult; lines: LineMap } | undefined {
    const text = this.text(path);
    if (text === undefined) return undefined;
    const cached = this.cache.get(path);
    if (cached && this.current(path, cached, text)) {
      this.touch(path, text);
      return { text, parsed: cached.parsed, lines: cached.lines };
    }
    const parsed = this.parseOf(path, text);
    return { text, parsed, lines: parsed.lineMap };
  }

  private ungovernedMode(): UngovernedScripts {
    const mode = this.settings.ungovernedScripts;
    return mode === 'lint' || mode === 'default-contract' ? mode : 'ignore';
  }

  /**
   * The standard library a script may reach: its contract's; the default contract's for a script
   * none governs under `default-contract`; otherwise all of it (plain Lua: nothing is "forbidden").
   */
  private policyOf(c: Basic): StdlibPolicy {
    if (c.contract) return c.contract.manifest?.policy ?? StdlibPolicy.DEFAULT;
    return c.ungoverned === 'default-contract' ? StdlibPolicy.DEFAULT : StdlibPolicy.UNRESTRICTED;
  }

  /** Whether a script is judged as plain Lua: no contract governs it and none is assumed. */
  private plainLua(c: Basic): boolean {
    return !c.contract && c.ungoverned !== 'default-contract';
  }

  // ---- diagnostics ---------------------------------------------------------------------------

  diagnostics(path: string): Diagnostic[] {
    if (isContract(path)) return this.contractDiagnostics(path);
    if (this.syntaxOnly(path)) {
      // Only syntax errors are shown: the parse is all it takes (an edit reparses what it changed).
      const text = this.text(path);
      if (text === undefined) return [];
      const parsed = this.parseOf(path, text);
      return this.shownOf(ignoredScriptFindings(parsed), undefined).map((f) => this.diagnostic(parsed.lineMap, f));
    }
    const c = this.get(path);
    if (!c) return [];
    const out: Diagnostic[] = [];
    for (const f of this.shown(c)) out.push(this.diagnostic(c.lines, f));
    return out;
  }

  /**
   * Whether a script shows syntax errors only: none governs it (not even a broken contract) and
   * such scripts are ignored (the default), unless a test replaces parts of the analysis.
   */
  private syntaxOnly(path: string): boolean {
    return this.ungovernedMode() === 'ignore' && this.options.analysis === undefined && this.contractFor(path) === undefined;
  }

  /** The findings the editor shows: final severities (settings over the contract's map), none off or suppressed. */
  private shown(c: Cached): Finding[] {
    return this.shownOf(c.analysis.findings, c.contract);
  }

  private shownOf(findings: Finding[], contract: ManifestResult | undefined): Finding[] {
    return applySeverity(findings, this.settings.severity, contract?.manifest?.severity, this.settings.besideLuaLS ? LEFT_TO_LUALS : undefined).filter((f) => !f.suppressed);
  }

  /** A shown finding as the editor's diagnostic. */
  private diagnostic(lines: LineMap, f: Finding): Diagnostic {
    const d: Diagnostic = { range: range(lines, f.start, f.end), severity: f.severity, code: f.code, message: f.message, source: 'sandlua' };
    if (UNNECESSARY.has(f.code)) d.unnecessary = true;
    return d;
  }

  /** A contract's own problems, at their places in the JSON. */
  contractDiagnostics(path: string): Diagnostic[] {
    const result = this.discovery.load(path);
    if (!result) return [];
    // JSON syntax errors are the client's when it checks JSON itself (VS Code): shown once.
    const problems = this.settings.clientChecksJson ? result.problems.filter((p) => !p.syntax) : result.problems;
    return problems.map((p) => ({
      range: { start: { line: p.line - 1, character: p.column - 1 }, end: { line: p.endLine - 1, character: p.endColumn - 1 } },
      severity: p.severity, code: 'manifest', message: p.message, source: 'sandlua',
    }));
  }

  /** Every script under the folders that a contract governs, and every contract (workspace diagnostics). */
  workspaceFiles(folders: string[], limit = 100000): string[] {
    return filesUnder(folders, limit, (name, full) => name === MANIFEST_FILE || (name.endsWith('.lua') && this.contractFor(full) !== undefined));
  }

  // ---- completion ----------------------------------------------------------------------------

  completion(path: string, position: Position): CompletionItem[] {
    return this.completionList(path, position).items;
  }

  /**
   * The completions, and whether the list leaves some out (`incomplete`: the client asks again as
   * the word grows). Past LOCALS_OFFERED visible locals, as in a long generated script, only those
   * whose names hold what is typed of the word (its letters in order, any case) are offered, the
   * innermost LOCALS_OFFERED of them: tens of thousands of items would cost the client more than
   * the keystroke.
   */
  completionList(path: string, position: Position): { items: CompletionItem[]; incomplete: boolean } {
    const list = { items: [] as CompletionItem[], incomplete: false };
    list.items = this.completionItems(path, position, list);
    return list;
  }

  private completionItems(path: string, position: Position, list: { incomplete: boolean }): CompletionItem[] {
    if (isContract(path)) return contractCompletion(this.text(path) ?? '', position);
    const c = this.get(path);
    if (!c) return [];
    const offset = c.lines.offsetAt(position);
    const before = c.text.slice(Math.max(0, offset - 400), offset);
    const contract = c.contract?.manifest;
    const policy = this.policyOf(c);
    const host = contract?.host ?? new Map<string, HostFunction>();

    // Inside the string of `require("` or `io.open("`: declared module names, declared files.
    const inString = /(?:\b(require)|\bio[ \t]*\.[ \t]*(open|lines))[ \t]*\(?[ \t]*(["'])([^"'\\\n]*)$/.exec(before);
    if (inString) return this.stringCompletions(c, offset, inString[1] ? 'require' : `io.${inString[2]}`, inString[3], inString[4]);

    // After `a.b.` or `a.b:`: the fields of a known table.
    const member = /([A-Za-z_][\w]*(?:[ \t]*\.[ \t]*[A-Za-z_][\w]*)*)[ \t]*([.:])[ \t]*([A-Za-z_]\w*)?$/.exec(before);
    if (member && !/\.\.\s*([A-Za-z_]\w*)?$/.test(before)) {
      const path = member[1].split('.').map((s) => s.trim());
      const chainStart = offset - member[0].length;
      const typed = this.typedMemberCompletions(c, path, chainStart, chainStart + member[1].length, member[2] === ':', policy);
      return typed ?? this.memberCompletions(path, member[2] === ':', c, policy, host, offset);
    }
    if (/(^|[^\w.])\d*\.?$/.test(before) && /[0-9]\.$/.test(before)) return [];
    // A method call on a string value: `("x"):`, `[[x]]:`.
    if (/(["']|\]\])[ \t]*\)?[ \t]*:[ \t]*[A-Za-z_]*$/.test(before)) return this.memberCompletions(['?'], true, c, policy, host);

    const items: CompletionItem[] = [];
    // Inside the table constructor of a main-chunk `return {`: the output's fields.
    if (insideReturnTable(before)) {
      const properties = objectProperties(contract?.output);
      const required = new Set(requiredFields(contract?.output));
      for (const [name, schema] of Object.entries(properties ?? {})) {
        items.push({ label: name, kind: 'property', detail: `output field${required.has(name) ? ' (required)' : ''}: ${describeSchema(schema)}`, snippet: `${name} = \${1}`, text: `${name} = `, sortText: `0${name}` });
      }
    }
    const word = /[A-Za-z_]\w*$/.exec(before)?.[0] ?? '';
    const wordStart = offset - word.length;
    let locals = c.analysis.scope.localsAt(wordStart);
    if (locals.length > LOCALS_OFFERED) {
      list.incomplete = true;
      // Its letters in order, any case (what editors filter completions by).
      const typed = word.toLowerCase();
      if (word !== '') locals = locals.filter((local) => matchScore(local.name.toLowerCase(), typed) >= 0);
      locals = locals.slice(-LOCALS_OFFERED);
    }
    for (const local of locals) {
      items.push({ label: local.name, kind: local.kind === 'function' ? 'function' : 'variable', detail: `local ${local.kind === 'param' ? 'parameter' : local.kind === 'function' ? 'function' : 'variable'}`, sortText: `1${local.name}` });
    }
    for (const name of LUA53_BASE) {
      if (name === '_G' && !policy.isGranted('_G')) continue;
      if (!policy.isGranted(name)) continue;
      const doc = STDLIB_DOCS[name];
      items.push({ label: name, kind: name === '_G' || name === '_VERSION' ? 'variable' : 'function', detail: doc?.signature, documentation: doc?.doc, sortText: `3${name}` });
    }
    for (const lib of Object.keys(LUA53_LIBRARIES)) {
      if (policy.isGranted(lib)) items.push({ label: lib, kind: 'module', detail: `${lib} library`, documentation: LIBRARY_DOCS[lib], sortText: `3${lib}` });
    }
    const hostRoots = new Set<string>();
    for (const fn of host.values()) {
      if (fn.path.length === 1) items.push(hostItem(fn, fn.name, contract!));
      else hostRoots.add(fn.path[0]);
    }
    for (const root of hostRoots) items.push({ label: root, kind: 'module', detail: `host functions granted by ${contract!.name}`, sortText: `2${root}` });
    if (!this.plainLua(c)) items.push({ label: 'input', kind: 'variable', detail: "the script's input (read-only)", documentation: contract?.input ? describeSchema(contract.input) : undefined, sortText: `1input` });
    for (const keyword of KEYWORDS) items.push({ label: keyword, kind: 'keyword', sortText: `9${keyword}` });
    // At the start of a line of a script with an input: the skeleton of a script under this contract.
    if (!this.plainLua(c) && /(^|\n)[ \t]*[A-Za-z_]*$/.test(before)) items.push(scriptSkeleton(contract));
    return dedupe(items);
  }

  /** Module names in `require("…`, declared files in `io.open("…` (for io.lines, the readable ones). */
  private stringCompletions(c: Cached, offset: number, fn: string, quote: string, typed: string): CompletionItem[] {
    const contract = c.contract?.manifest;
    if (!contract) return [];
    // Replace what is typed and what follows up to the closing quote.
    const rest = new RegExp(`^[^"'\\\\\\n]*(?=${quote})`).exec(c.text.slice(offset))?.[0] ?? '';
    const r = range(c.lines, offset - typed.length, offset + rest.length);
    const items: CompletionItem[] = [];
    if (fn === 'require') {
      for (const module of contract.modules.values()) {
        items.push({ label: module.name, kind: 'module', detail: module.path, documentation: this.moduleSummary(contract, module), range: r });
      }
    } else {
      for (const [file, access] of contract.files) {
        if (fn === 'io.lines' && access === 'write') continue;
        items.push({ label: file, kind: 'field', detail: `${access} (declared by ${contract.name})`, range: r });
      }
    }
    return items;
  }

  private memberCompletions(path: string[], method: boolean, c: Cached, policy: StdlibPolicy, host: ReadonlyMap<string, HostFunction>, offset = 0): CompletionItem[] {
    const contract = c.contract?.manifest;
    const items: CompletionItem[] = [];
    const root = path[0];
    // A local holding a required module: `local util = require("pricing.util"); util.`
    if (path.length === 1 && contract) {
      const module = this.moduleOfName(c, root, offset);
      if (module) {
        for (const field of this.exportsOf(moduleFile(contract, module)) ?? []) {
          if (method && field.kind !== 'function') continue;
          items.push({
            label: field.name, kind: field.kind === 'function' ? 'function' : 'field', detail: field.signature, documentation: field.doc,
            ...(field.kind === 'function' && field.params ? { snippet: `${field.name}(${field.params.filter((p) => p !== '...').map((p, i) => `\${${i + 1}:${p}}`).join(', ')})` } : {}),
          });
        }
        return items;
      }
    }
    // Through a local alias: `local s = string; s.`
    const offsetAlias = c.analysis.scope.locals.find((l) => l.name === root && l.aliasOf);
    const full = offsetAlias?.aliasOf ? [...offsetAlias.aliasOf, ...path.slice(1)] : path;
    const prefix = full.join('.');
    if (full.length === 1 && (LUA53_LIBRARIES[prefix] !== undefined)) {
      for (const field of LUA53_LIBRARIES[prefix]) {
        const name = `${prefix}.${field}`;
        if (!policy.isGranted(name)) continue;
        const doc = STDLIB_DOCS[name];
        items.push({ label: field, kind: doc && doc.signature.includes('(') ? 'function' : 'field', detail: doc?.signature, documentation: doc?.doc });
      }
      return items;
    }
    for (const fn of host.values()) {
      if (fn.path.length === full.length + 1 && fn.path.slice(0, full.length).join('.') === prefix) items.push(hostItem(fn, fn.path[fn.path.length - 1], contract!));
    }
    if (items.length > 0) return items;
    if (full[0] === 'input') {
      let schema: unknown = contract?.input;
      for (const field of full.slice(1)) schema = objectProperties(schema)?.[field];
      // `input.vendor_name:` — a string's methods; no other input value has any.
      if (method) return (schema as { type?: unknown } | undefined)?.type === 'string' ? stringMethods(policy) : [];
      for (const [name, s] of Object.entries(objectProperties(schema) ?? {})) {
        items.push({ label: name, kind: 'field', detail: `input field: ${describeSchema(s)}` });
      }
      return items;
    }
    // A string's methods.
    return method ? stringMethods(policy) : items;
  }

  /**
   * The fields of a local's value whose type is known (`local t = { a = 1 }; t.`, a host result's
   * record): undefined when the chain does not start at a local or its type is not known.
   */
  private typedMemberCompletions(c: Cached, path: string[], chainStart: number, chainEnd: number, method: boolean, policy: StdlibPolicy): CompletionItem[] | undefined {
    // `x[1].a.` or `f().a.`: the chain found by the pattern does not start at the expression's root.
    if (/[.:\])}'"][ \t]*$/.test(c.text.slice(Math.max(0, chainStart - 40), chainStart))) return undefined;
    const local = c.analysis.scope.localsAt(chainStart).filter((l) => l.name === path[0]).pop();
    if (!local || local.aliasOf || this.moduleOfLocal(c, local)) return undefined;
    let node: ast.Expression | undefined;
    walkWithin(c.analysis.parsed.chunk, chainStart, chainEnd, (n) => {
      if ((n.kind === 'Name' || n.kind === 'Member') && n.start === chainStart && n.end === chainEnd) node ??= n;
    });
    let type = node && this.typeOf(c, node);
    if (!type) {
      // What the contract declares for a host result, field by field.
      type = this.declaredType(c, local);
      for (const field of path.slice(1)) type = type && known(fieldsOf(type).get(field));
    }
    if (!type) return undefined;
    if (method && isStringType(type)) return stringMethods(policy);
    const items: CompletionItem[] = [];
    for (const [name, fieldType] of fieldsOf(type)) {
      const isFunction = fieldType.kind === 'function';
      if (method && !isFunction) continue;
      items.push({ label: name, kind: isFunction ? 'function' : 'field', detail: formatInferredType(fieldType) });
    }
    return items;
  }

  // ---- types -----------------------------------------------------------------------------------

  /** What the analysis knows of a node's type (unknown: undefined). */
  private typeOf(c: Cached, node: ast.Node): Type | undefined {
    return known(c.types.typeOf(node));
  }

  /** The host function whose result a local is declared with (`local alias = lookup_vendor_alias(x)`). */
  private hostResultOf(c: Cached, local: LocalVariable): HostFunction | undefined {
    const contract = c.contract?.manifest;
    if (!contract || local.kind !== 'local' || !local.initializer) return undefined;
    const init = unparen(local.initializer);
    if (init.kind !== 'Call' || init.method) return undefined;
    const path = c.analysis.scope.pathOf(init.callee);
    return path ? contract.host.get(withoutEnvironment(path).join('.')) : undefined;
  }

  /** The type the contract declares for a local's initial value (a host result), for a local never assigned again. */
  private declaredType(c: Cached, local: LocalVariable): Type | undefined {
    if (local.written) return undefined;
    const fn = this.hostResultOf(c, local);
    return fn ? known(typeFromNode(fn.returns.type, undefined)) : undefined;
  }

  /**
   * What the contract declares for an expression when no type was inferred: a local holding a host
   * result (`r` of `r.title`), or a scalar input field (`input.vendor_name` of `input.vendor_name:upper()`).
   */
  private declaredTypeOf(c: Cached, expression: ast.Expression): Type | undefined {
    const local = expression.kind === 'Name' ? c.analysis.scope.referenceOf(expression)?.local : undefined;
    if (local && !local.aliasOf) return this.declaredType(c, local);
    const path = expression.kind === 'Name' || expression.kind === 'Member' ? c.analysis.scope.pathOf(expression) : undefined;
    const full = path && withoutEnvironment(path);
    if (!full || full[0] !== 'input' || full.length < 2) return undefined;
    let schema: unknown = c.contract?.manifest?.input;
    for (const field of full.slice(1)) schema = objectProperties(schema)?.[field];
    const type = (schema as { type?: unknown } | undefined)?.type;
    return type === 'string' ? { kind: 'string' } : type === 'integer' ? { kind: 'number', subtype: 'integer' } : type === 'number' ? { kind: 'number' } : type === 'boolean' ? { kind: 'boolean' } : undefined;
  }

  /** Where a local's value comes from, for hover: a host function's result, a library function's, a local function's. */
  private origin(c: Cached, local: LocalVariable): string | undefined {
    const host = this.hostResultOf(c, local);
    if (host) return `from the result of host function \`${host.name}\` (\`${host.returns.text}\`${/\?$/.test(host.returns.text) ? ': may be nil' : ''})`;
    if (local.kind !== 'local' || !local.initializer) return undefined;
    const init = unparen(local.initializer);
    if (init.kind !== 'Call' || init.method) return undefined;
    const fn = this.localFunctionOf(c, init.callee);
    if (fn) return `from the result of local function \`${fn.local.name}\``;
    const path = c.analysis.scope.pathOf(init.callee);
    const name = path && withoutEnvironment(path).join('.');
    if (name && STDLIB_DOCS[name]) return `from the result of \`${name}\``;
    return undefined;
  }

  /** The expression a name segment stands for: the Name itself, or the member expression it ends. */
  private expressionOf(c: Cached, segment: ast.Range): ast.Expression | undefined {
    let found: ast.Expression | null | undefined;
    walkWithin(c.analysis.parsed.chunk, segment.start, segment.end, (n) => {
      if (found !== undefined) return;
      // A method's name is no expression (the call is visited before it).
      if (n.kind === 'Call' && n.method === segment) found = null;
      else if (n === segment && n.kind === 'Name') found = n;
      else if (n.kind === 'Member' && n.name === segment) found = n;
    });
    return found ?? undefined;
  }

  // ---- local functions -------------------------------------------------------------------------

  /** The local function a callee (or a local) names: `local function f(a)` or `local f = function(a)`, never reassigned. */
  private localFunctionOf(c: Cached, of: ast.Expression | LocalVariable): { local: LocalVariable; func: ast.FunctionExpression; statement: ast.Range } | undefined {
    let local: LocalVariable | undefined;
    if ('kind' in of && 'start' in of) {
      if (of.kind !== 'Name') return undefined;
      local = c.analysis.scope.referenceOf(of)?.local;
    } else {
      local = of;
    }
    if (!local || local.written) return undefined;
    const declaring = local.declaringNode;
    if (local.kind === 'function' && declaring.kind === 'LocalFunction') return { local, func: declaring.func, statement: declaring };
    if (local.kind === 'local' && local.initializer?.kind === 'Function' && declaring.kind === 'Local' && declaring.names.length === 1) {
      return { local, func: local.initializer, statement: declaring };
    }
    return undefined;
  }

  /** A local function's signature: parameter types inferred, or from `---@param`/`---@return` comments. */
  private localSignature(c: Cached, fn: { local: LocalVariable; func: ast.FunctionExpression; statement: ast.Range }): { label: string; doc?: string; params: { name: string; label: string; doc?: string }[] } {
    const notes = readAnnotations(c.analysis.parsed.chunk, c.analysis.parsed.source).docAt(fn.statement) ?? NO_DOCUMENTATION;
    const inferred = fn.local.declaration ? this.typeOf(c, fn.local.declaration) : undefined;
    const fnType = inferred?.kind === 'function' ? inferred : undefined;
    const params = fn.func.params.map((p, i) => {
      const type = this.typeOf(c, p) ?? known(fnType?.params[i]?.type);
      const note = notes.params.get(p.name);
      const text = type ? formatInferredType(type) : note?.type;
      return { name: p.name, label: text ? `${p.name}: ${text}` : p.name, doc: note?.doc };
    });
    if (fn.func.isVararg) {
      const note = notes.params.get('...');
      params.push({ name: '...', label: note ? `...: ${note.type}` : '...', doc: note?.doc });
    }
    // What the analysis knows of the results, else what the comments say (an unknown result says nothing).
    const resultsKnown = fnType?.returns && fnType.returns.length > 0 && fnType.returns.some((t) => t.kind !== 'unknown');
    const returns = resultsKnown ? fnType!.returns!.map(formatInferredType).join(', ') : notes.returns.join(', ');
    const label = `${fn.local.name}(${params.map((p) => p.label).join(', ')})${returns ? `: ${returns}` : ''}`;
    return { label, doc: notes.text || undefined, params };
  }

  /** The parameter names of the function a call calls: a host function's, or a local function's. */
  private parameterNames(c: Cached, call: ast.CallExpression): string[] | undefined {
    if (call.method) return undefined;
    const fn = this.localFunctionOf(c, call.callee);
    if (fn) return fn.func.params.map((p) => p.name);
    const path = c.analysis.scope.pathOf(call.callee);
    const host = path ? c.contract?.manifest?.host.get(withoutEnvironment(path).join('.')) : undefined;
    return host?.params.map((p) => p.name);
  }

  // ---- inlay hints -----------------------------------------------------------------------------

  /**
   * Inlay hints in a range: parameter names before the arguments of host and local-function calls
   * (not where the argument already says it: `f(alias)` for a parameter `alias`), and, when the
   * setting is on, the inferred types of locals after their names.
   */
  inlayHints(path: string, r: Range): InlayHint[] {
    const c = this.get(path);
    if (!c) return [];
    const parameterNames = this.settings.inlayHints?.parameterNames ?? true;
    const localTypes = this.settings.inlayHints?.localTypes ?? false;
    if (!parameterNames && !localTypes) return [];
    const start = c.lines.offsetAt(r.start);
    const end = c.lines.offsetAt(r.end);
    const out: { offset: number; hint: InlayHint }[] = [];
    const inside = (offset: number): boolean => offset >= start && offset <= end;
    walkWithin(c.analysis.parsed.chunk, start, end, (n) => {
      if (parameterNames && n.kind === 'Call' && n.argStyle === 'parens') {
        const names = this.parameterNames(c, n);
        if (!names) return;
        for (let i = 0; i < n.args.length && i < names.length; i++) {
          const arg = n.args[i];
          const name = names[i];
          if (arg.kind === 'ErrorExpression' || !inside(arg.start) || name === '' || name.startsWith('_') || namedAs(arg, name)) continue;
          out.push({ offset: arg.start, hint: { position: c.lines.positionAt(arg.start), label: `${name}:`, kind: 'parameter', paddingRight: true } });
        }
      } else if (localTypes && n.kind === 'Local') {
        n.names.forEach((name, i) => {
          if (name.name === '' || !inside(name.end) || n.values[i]?.kind === 'Function') return;
          const local = c.analysis.scope.declarationOf(name);
          const type = this.typeOf(c, name) ?? (local ? this.declaredType(c, local) : undefined);
          if (!type) return;
          out.push({ offset: name.end, hint: { position: c.lines.positionAt(name.end), label: `: ${formatInferredType(type)}`, kind: 'type' } });
        });
      }
    });
    return out.sort((a, b) => a.offset - b.offset).map((h) => h.hint);
  }

  // ---- hover, signature help -----------------------------------------------------------------

  hover(path: string, position: Position): Hover | undefined {
    if (isContract(path)) return contractHover(this.text(path) ?? '', position);
    const c = this.get(path);
    if (!c) return undefined;
    const offset = c.lines.offsetAt(position);
    const contractOf = c.contract?.manifest;
    const call = this.callTarget(c, offset);
    if (call?.require) {
      const use = call.require;
      const r = range(c.lines, use.call.start, use.call.end);
      const module = contractOf?.modules.get(use.name);
      if (!module || !contractOf) return { contents: `\`\`\`lua\nmodule ${use.name}\n\`\`\`\n**Not declared** by ${contractOf ? `${contractOf.name} (sandlua.json)` : 'any contract'}: require fails at run time.`, range: r };
      return { contents: `\`\`\`lua\nmodule ${use.name}\n\`\`\`\n${this.moduleSummary(contractOf, module)}`, range: r };
    }
    if (call?.file) {
      const use = call.file;
      const r = range(c.lines, use.literal.start, use.literal.end);
      const access = use.normalized !== undefined ? contractOf?.files.get(use.normalized) : undefined;
      const status = access ? `${access} access, declared by **${contractOf!.name}** (sandlua.json)` : `**Not declared** by ${contractOf ? `${contractOf.name} (sandlua.json)` : 'any contract'}: ${use.fn} fails at run time.`;
      return { contents: `file \`${use.normalized ?? use.path}\` (relative to the contract's folder)\n\n${status}`, range: r };
    }
    const member = this.memberTarget(c, offset);
    if (member) {
      const lines = [`\`\`\`lua\n${member.module.name}${member.field.method ? ':' : '.'}${member.field.kind === 'function' ? member.field.signature : `${member.field.name}: ${member.field.signature}`}\n\`\`\``];
      if (member.field.doc) lines.push(member.field.doc);
      lines.push(`From module \`${member.module.name}\` (\`${member.module.path}\`).`);
      return { contents: lines.join('\n\n'), range: range(c.lines, member.node.start, member.node.end) };
    }
    const target = this.nameTarget(c, offset);
    if (!target) return this.fieldHover(c, offset);
    const r = range(c.lines, target.node.start, target.node.end);
    if (target.local) {
      const local = target.local;
      const decl = local.declaration;
      const line = decl ? c.lines.positionAt(decl.start).line + 1 : 0;
      const fn = this.localFunctionOf(c, local);
      const what = local.kind === 'param' ? 'parameter' : local.kind === 'function' || fn ? 'local function' : local.kind === 'for' ? 'loop variable' : 'local';
      const module = this.moduleOfLocal(c, local);
      const from = module ? `, the module \`${module.name}\` (\`${module.path}\`)` : '';
      // The type where the name stands (after narrowing); at the declaration, what the contract declares.
      const type = this.typeOf(c, target.node as ast.Name) ?? (target.node === decl ? this.declaredType(c, local) : undefined);
      const head = fn ? `local function ${this.localSignature(c, fn).label}` : `${what} ${local.name}${type ? `: ${formatInferredType(type)}` : ''}`;
      const origin = this.origin(c, local);
      return { contents: `\`\`\`lua\n${head}\n\`\`\`\ndeclared on line ${line}${local.aliasOf ? ` as an alias of \`${local.aliasOf.join('.')}\`` : ''}${from}${origin ? `, ${origin}` : ''}`, range: r };
    }
    const name = target.path.join('.');
    const contract = c.contract?.manifest;
    const fn = contract?.host.get(name);
    if (fn) {
      const lines = [`\`\`\`lua\n${fn.signature}\n\`\`\``];
      if (fn.doc) lines.push(fn.doc);
      for (const p of fn.params) if (p.doc) lines.push(`- \`${p.name}\`: ${p.doc}`);
      lines.push(`Host function granted by **${contract!.name}** (sandlua.json)${fn.owner ? `, owned by ${fn.owner}` : contract!.approval ? `, approval: ${contract!.approval.owner}` : ''}.`);
      return { contents: lines.join('\n\n'), range: r };
    }
    const doc = STDLIB_DOCS[name];
    const policy = this.policyOf(c);
    if (doc || LIBRARY_DOCS[name] !== undefined) {
      const granted = policy.isGranted(name);
      const status = granted ? '' : `\n\n**Not granted** by ${contract ? `${contract.name} (sandlua.json)` : 'default (no contract)'}: the sandbox raises \`forbidden\`.`;
      const body = doc ? `\`\`\`lua\n${doc.signature}\n\`\`\`\n${doc.doc}` : `\`${name}\` — ${LIBRARY_DOCS[name]}`;
      return { contents: body + status, range: r };
    }
    if (name === 'input') {
      return { contents: `\`input\` — the script's input (read-only)${contract?.input ? `\n\n${describeSchema(contract.input)}` : ''}`, range: r };
    }
    const expression = this.expressionOf(c, target.node);
    const type = expression && this.typeOf(c, expression);
    const typeLine = type ? `\n\nType here: \`${formatInferredType(type)}\`` : '';
    if (target.path[0] === 'input' && contract?.input) {
      let schema: unknown = contract.input;
      for (const f of target.path.slice(1)) schema = objectProperties(schema)?.[f];
      if (schema !== undefined) return { contents: `input field \`${name}\`: ${describeSchema(schema)}${typeLine}`, range: r };
    }
    if (type) return { contents: `\`\`\`lua\n(global) ${name}: ${formatInferredType(type)}\n\`\`\``, range: r };
    return this.fieldHover(c, offset);
  }

  /** A field or a method of a value whose type is known: `t.total`, `r.title`, `name:upper()`. */
  private fieldHover(c: Cached, offset: number): Hover | undefined {
    const within = (n: ast.Range): boolean => offset >= n.start && offset <= n.end;
    let found: ast.MemberExpression | ast.CallExpression | undefined;
    walkWithin(c.analysis.parsed.chunk, offset, offset, (n) => {
      if (n.kind === 'Member' && n.name.name !== '' && within(n.name)) found = n;
      else if (n.kind === 'Call' && n.method && n.method.name !== '' && within(n.method)) found = n;
    });
    if (!found) return undefined;
    const object = found.kind === 'Member' ? found.object : found.callee;
    const name = found.kind === 'Member' ? found.name : found.method!;
    const r = range(c.lines, name.start, name.end);
    const owner = object.end - object.start <= 40 ? c.text.slice(object.start, object.end).replace(/\s+/g, ' ') : '…';
    const objectType = this.typeOf(c, object) ?? this.declaredTypeOf(c, object);
    if (found.kind === 'Member') {
      const type = this.typeOf(c, found) ?? (objectType ? known(fieldsOf(objectType).get(name.name)) : undefined);
      if (!type) return this.memberByName(c, owner, name.name, '.', r);
      return { contents: `\`\`\`lua\n(field) ${owner}.${name.name}: ${formatInferredType(type)}\n\`\`\``, range: r };
    }
    if (!objectType) return this.memberByName(c, owner, name.name, ':', r) ?? stringMethodHover(owner, name.name, r) ?? this.workspaceMethod(c, owner, name.name, r);
    const result = this.typeOf(c, found);
    const resultLine = result ? `\n\nReturns here: \`${formatInferredType(result)}\`` : '';
    if (isStringType(objectType)) {
      const doc = STDLIB_DOCS[`string.${name.name}`];
      if (!doc) return undefined;
      return { contents: `\`\`\`lua\n${doc.signature}\n\`\`\`\n${doc.doc}${resultLine}`, range: r };
    }
    const method = known(fieldsOf(objectType).get(name.name));
    if (!method) return this.memberByName(c, owner, name.name, ':', r);
    return { contents: `\`\`\`lua\n(method) ${owner}:${name.name}: ${formatInferredType(method)}\n\`\`\`${resultLine}`, range: r };
  }

  /**
   * A field or method whose object's type is unknown (`self.total`, `obj:deposit(v)`): what the
   * file defines under that name — functions defined as `function T:name(...)`, `T.name =
   * function`, `{ name = function ... }`, and fields assigned `x.name = ...` or in constructors —
   * said as candidates, since the object is not known to be any of them.
   */
  private memberByName(c: Cached, owner: string, name: string, separator: '.' | ':', r: Range): Hover | undefined {
    const members = this.membersByName(c).get(name);
    if (!members || members.length === 0) return undefined;
    const functions = members.filter((m) => m.signature !== undefined);
    const shown = (functions.length > 0 ? functions : members).slice(0, 3);
    const more = (functions.length > 0 ? functions : members).length - shown.length;
    const head = functions.length > 0 ? `(method) ${owner}${separator}${name}` : `(field) ${owner}${separator}${name}`;
    const rows = shown.map((m) => `- ${m.signature !== undefined ? `\`${m.signature}\`` : `\`${m.text}\``}, line ${c.lines.positionAt(m.start).line + 1}`);
    const what = functions.length > 0 ? 'Defined in this file as' : 'Assigned in this file as';
    return { contents: `\`\`\`lua\n${head}\n\`\`\`\n${what} (the type of \`${owner}\` is not known, so by name):\n${rows.join('\n')}${more > 0 ? `\n- and ${more} more` : ''}`, range: r };
  }

  /** A method whose object's type is not known, and that no file of the workspace but others define (`function T:name`): those, by name. */
  private workspaceMethod(c: Cached, owner: string, name: string, r: Range): Hover | undefined {
    const found: string[] = [];
    let count = 0;
    for (const path of this.index.paths()) {
      for (const fn of this.index.summary(path)!.functions) {
        if (fn.kind !== 'method' || !fn.name.endsWith(`:${name}`)) continue;
        if (count++ < 3) found.push(`- \`${fn.name}\`, ${nodePath.relative(nodePath.dirname(c.path), path).split(nodePath.sep).join('/')} line ${fn.selection.start.line + 1}`);
      }
    }
    if (count === 0) return undefined;
    return { contents: `\`\`\`lua\n(method) ${owner}:${name}\n\`\`\`\nDefined in the workspace as (the type of \`${owner}\` is not known, so by name):\n${found.join('\n')}${count > 3 ? `\n- and ${count - 3} more` : ''}`, range: r };
  }

  /** Fields and methods the file defines or assigns, by name (computed once per analysis). */
  private membersByName(c: Cached): Map<string, { start: number; text: string; signature?: string }[]> {
    const cached = MEMBERS.get(c.analysis);
    if (cached) return cached;
    const out = new Map<string, { start: number; text: string; signature?: string }[]>();
    const add = (name: string, entry: { start: number; text: string; signature?: string }): void => {
      const list = out.get(name) ?? [];
      if (list.length < 50) list.push(entry);
      out.set(name, list);
    };
    const source = (n: ast.Range): string => (n.end - n.start <= 60 ? c.text.slice(n.start, n.end).replace(/\s+/g, ' ') : '…');
    const params = (f: ast.FunctionExpression): string => [...f.params.map((p) => p.name), ...(f.isVararg ? ['...'] : [])].join(', ');
    walk(c.analysis.parsed.chunk, (n) => {
      if (n.kind === 'FunctionStatement' && n.target.kind === 'Member') {
        add(n.target.name.name, { start: n.start, text: source(n.target), signature: `function ${source(n.target.object)}${n.isMethod ? ':' : '.'}${n.target.name.name}(${params(n.func)})` });
      } else if (n.kind === 'Assignment') {
        n.targets.forEach((t, i) => {
          if (t.kind !== 'Member') return;
          const value = n.values[i];
          if (value?.kind === 'Function') add(t.name.name, { start: t.start, text: source(t), signature: `${source(t)} = function(${params(value)})` });
          else add(t.name.name, { start: t.start, text: value ? `${source(t)} = ${source(value)}` : source(t) });
        });
      } else if (n.kind === 'Table') {
        for (const f of n.fields) {
          if (f.style !== 'named' || f.key?.kind !== 'String') continue;
          const key = f.key.value;
          if (f.value.kind === 'Function') add(key, { start: f.start, text: key, signature: `${key} = function(${params(f.value)})` });
          else add(key, { start: f.start, text: `${key} = ${source(f.value)}` });
        }
      }
    });
    MEMBERS.set(c.analysis, out);
    return out;
  }

  signatureHelp(path: string, position: Position): SignatureHelp | undefined {
    const c = this.get(path);
    if (!c) return undefined;
    const offset = c.lines.offsetAt(position);
    const call = innermostCall(c.analysis.parsed.chunk, offset, c.text);
    if (!call) return undefined;
    const calleePath = c.analysis.scope.pathOf(call.method ? call : call.callee) ?? (call.callee.kind === 'Name' ? [call.callee.name] : undefined);
    if (!calleePath) return undefined;
    const name = withoutEnvironment(calleePath).join('.');
    const active = activeArgument(c.text, call, offset);
    const local = call.method ? undefined : this.localFunctionOf(c, call.callee);
    if (local) {
      const sig = this.localSignature(c, local);
      return {
        label: sig.label, documentation: sig.doc,
        parameters: sig.params.map((p) => ({ label: p.label, documentation: p.doc })),
        activeParameter: Math.max(0, Math.min(active, sig.params.length - 1)),
      };
    }
    const fn = c.contract?.manifest?.host.get(name);
    if (fn) {
      return {
        label: fn.signature, documentation: fn.doc,
        parameters: [...fn.params, ...(fn.variadic ? [fn.variadic] : [])].map((p) => ({ label: `${p.name}: ${p.text}`, documentation: p.doc })),
        activeParameter: Math.min(active, fn.params.length - (fn.variadic ? 0 : 1)),
      };
    }
    const doc = STDLIB_DOCS[name];
    if (doc) return { label: doc.signature, documentation: doc.doc, parameters: doc.params.map((p) => ({ label: p })), activeParameter: Math.min(active, Math.max(0, doc.params.length - 1)) };
    return undefined;
  }

  // ---- navigation ----------------------------------------------------------------------------

  definition(path: string, position: Position): Location[] {
    const c = this.get(path);
    if (!c) return [];
    const offset = c.lines.offsetAt(position);
    const contractOf = c.contract?.manifest;
    // `require("pricing.util")` → the module's file; `io.open("data/rates.csv")` → its entry in the contract.
    const call = contractOf ? this.callTarget(c, offset) : undefined;
    if (call?.require) {
      const module = contractOf!.modules.get(call.require.name);
      const file = module && moduleFile(contractOf!, module);
      return file && this.exists(file) ? [{ path: file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }] : [];
    }
    if (call?.file) {
      const key = call.file.normalized !== undefined ? declaredFileKey(contractOf!, call.file.normalized) : undefined;
      const span = key !== undefined ? locate(contractOf!, ['files', key], { key: true }) : undefined;
      return span ? [{ path: contractOf!.path, range: spanRange(span) }] : [];
    }
    const member = this.memberTarget(c, offset);
    if (member) {
      const file = member.file;
      const text = this.text(file);
      if (text === undefined) return [];
      const lines = new LineMap(text);
      return [{ path: file, range: range(lines, member.field.start, member.field.end) }];
    }
    const target = this.nameTarget(c, offset);
    if (!target) return [];
    if (target.local?.declaration) return [{ path, range: range(c.lines, target.local.declaration.start, target.local.declaration.end) }];
    const name = target.path.join('.');
    const contract = c.contract?.manifest;
    const fn = contract?.host.get(name);
    if (fn && c.contract) {
      return [{ path: c.contract.path, range: spanRange(fn.span) }];
    }
    // A global the script defines itself: its first assignment.
    const refs = c.analysis.scope.globals.get(target.path[0]);
    const write = refs?.find((r) => r.access === 'write');
    if (write && target.path.length === 1) return [{ path, range: range(c.lines, write.node.start, write.node.end) }];
    return [];
  }

  /** The name's occurrences in the file; for a host or module function, its calls in every indexed file too. */
  references(path: string, position: Position, includeDeclaration = true): Location[] {
    const out = this.occurrences(path, position, includeDeclaration).map((o) => ({ path, range: o.range }));
    const seen = new Set(out.map((l) => JSON.stringify(l)));
    for (const l of this.indexReferences(path, position, includeDeclaration)) if (!seen.has(JSON.stringify(l))) out.push(l);
    return out;
  }

  highlights(path: string, position: Position): Highlight[] {
    return this.occurrences(path, position, true).map((o) => ({ range: o.range, kind: o.kind }));
  }

  private occurrences(path: string, position: Position, includeDeclaration: boolean): { range: Range; kind: 'read' | 'write' | 'text' }[] {
    const c = this.get(path);
    if (!c) return [];
    const target = this.nameTarget(c, c.lines.offsetAt(position));
    if (!target) return [];
    const out: { range: Range; kind: 'read' | 'write' | 'text' }[] = [];
    if (target.local) {
      const local = target.local;
      if (includeDeclaration && local.declaration) out.push({ range: range(c.lines, local.declaration.start, local.declaration.end), kind: 'write' });
      for (const ref of local.references) out.push({ range: range(c.lines, ref.node.start, ref.node.end), kind: ref.access === 'write' ? 'write' : 'read' });
      return out;
    }
    if (target.path.length !== 1) {
      // Every use of the same global path (host functions, library functions).
      const wanted = target.path.join('.');
      for (const use of c.analysis.scope.uses) {
        if (withoutEnvironment(use.path).join('.') === wanted) {
          const node = use.node.kind === 'Call' && use.node.method ? use.node.method : use.node;
          out.push({ range: range(c.lines, node.start, node.end), kind: use.access === 'write' ? 'write' : 'read' });
        }
      }
      return out;
    }
    for (const ref of c.analysis.scope.globals.get(target.path[0]) ?? []) {
      out.push({ range: range(c.lines, ref.node.start, ref.node.end), kind: ref.access === 'write' ? 'write' : 'read' });
    }
    return out;
  }

  /** The range to rename, or why the name cannot be renamed. */
  prepareRename(path: string, position: Position): { range: Range; placeholder: string } | { error: string } {
    const c = this.get(path);
    if (!c) return { error: 'no such document' };
    const target = this.nameTarget(c, c.lines.offsetAt(position));
    if (!target) return { error: 'there is no name here' };
    if (!target.local) {
      const name = target.path.join('.');
      const what = c.contract?.manifest?.host.has(name) ? 'a host function: its name is set by the contract' : LUA53_STDLIB.has(name) || LUA53_STDLIB.has(target.path[0]) ? 'a standard-library name' : 'a global';
      return { error: `'${name}' cannot be renamed: it is ${what}` };
    }
    return { range: range(c.lines, target.node.start, target.node.end), placeholder: target.local.name };
  }

  rename(path: string, position: Position, newName: string): TextEdit[] | { error: string } {
    if (!/^[A-Za-z_]\w*$/.test(newName) || KEYWORDS.includes(newName)) return { error: `'${newName}' is not a valid Lua name` };
    const prepared = this.prepareRename(path, position);
    if ('error' in prepared) return prepared;
    return this.occurrences(path, position, true).map((o) => ({ range: o.range, newText: newName }));
  }

  // ---- structure -----------------------------------------------------------------------------

  /**
   * The outline: functions hold their local functions and locals (control blocks add no level),
   * a table local holds the fields the script gives it (`function M.f()`, `M.g = function`,
   * `function M:m()`, `{ f = function }`). A table with a function among its fields is a module.
   * Names being typed (`local `, `function M.`) give no symbol.
   */
  documentSymbols(path: string): DocumentSymbol[] {
    const c = this.basic(path);
    if (!c) return [];
    const scope = c.scope;
    /** The symbol of a table local (by its local) or of a global table (by its name), to hang fields on. */
    const tables = new Map<LocalVariable | string, DocumentSymbol>();
    const make = (name: string, kind: DocumentSymbol['kind'], node: ast.Range, selection: ast.Range, detail?: string): DocumentSymbol => ({
      name, kind, range: range(c.lines, node.start, node.end), selectionRange: range(c.lines, selection.start, selection.end), ...(detail ? { detail } : {}),
    });
    const named = (name: string): boolean => name.trim() !== '';
    /** The symbol a target's object (`M` of `M.f`, `M.sub` of `M.sub.f`) stands for, when the script builds that table. */
    const tableOf = (object: ast.Expression): DocumentSymbol | undefined => {
      const path: string[] = [];
      let e = object;
      while (e.kind === 'Member') { path.unshift(e.name.name); e = e.object; }
      if (e.kind !== 'Name') return undefined;
      const local = scope.referenceOf(e)?.local;
      let symbol = tables.get(local ?? `global:${e.name}`);
      for (const segment of path) symbol = symbol?.children?.find((s) => s.name === segment && (s.kind === 'module' || s.kind === 'variable' || s.kind === 'field'));
      return symbol;
    };
    const addChild = (parent: DocumentSymbol, child: DocumentSymbol): void => {
      (parent.children ??= []).push(child);
      if (child.kind === 'function' || child.kind === 'method') parent.kind = 'module';
    };
    /** A value's symbol: a function (with its body's symbols) or a table (with its named fields), or a plain one. */
    const valued = (symbol: DocumentSymbol, value: ast.Expression | undefined, key: LocalVariable | string | undefined): DocumentSymbol => {
      if (value?.kind === 'Function') {
        symbol.kind = symbol.kind === 'method' ? 'method' : 'function';
        const children = block(value.body);
        if (children.length > 0) symbol.children = children;
      } else if (value?.kind === 'Table') {
        if (key !== undefined) tables.set(key, symbol);
        for (const field of value.fields) {
          if (field.style !== 'named' || field.key?.kind !== 'String' || !named(field.key.value)) continue;
          addChild(symbol, valued(make(field.key.value, 'field', field, field.key), field.value, undefined));
        }
      }
      return symbol;
    };
    const block = (body: ast.Block): DocumentSymbol[] => {
      const out: DocumentSymbol[] = [];
      for (const s of body.body) {
        switch (s.kind) {
          case 'LocalFunction':
            if (named(s.name.name)) out.push(valued(make(s.name.name, 'function', s, s.name, 'local function'), s.func, undefined));
            break;
          case 'Local':
            s.names.forEach((n, i) => {
              if (!named(n.name)) return;
              const value = i < s.values.length ? s.values[i] : undefined;
              const local = scope.declarationOf(n);
              out.push(valued(make(n.name, 'variable', s, n, 'local'), value, local));
            });
            break;
          case 'FunctionStatement': {
            const target = s.target;
            const kind = s.isMethod ? 'method' : 'function';
            const parent = target.kind === 'Member' ? tableOf(target.object) : undefined;
            if (parent && target.kind === 'Member') {
              if (named(target.name.name)) addChild(parent, valued(make(target.name.name, kind, s, target.name, s.isMethod ? 'method' : 'function'), s.func, undefined));
            } else {
              const name = c.text.slice(target.start, target.end);
              if (named(name) && (target.kind === 'Name' || named(target.name.name))) out.push(valued(make(name, kind, s, target, s.isMethod ? 'method' : 'function'), s.func, undefined));
            }
            break;
          }
          case 'Assignment':
            s.targets.forEach((target, i) => {
              const value = i < s.values.length ? s.values[i] : undefined;
              if (target.kind === 'Member') {
                const parent = tableOf(target.object);
                if (parent && named(target.name.name)) addChild(parent, valued(make(target.name.name, 'field', s, target.name), value, undefined));
              } else if (target.kind === 'Name' && !scope.referenceOf(target)?.local && named(target.name)) {
                // A global the script defines: a function, or a table it fills.
                if (value?.kind === 'Function' || value?.kind === 'Table') out.push(valued(make(target.name, 'variable', s, target, 'global'), value, `global:${target.name}`));
              }
            });
            break;
          case 'Do': case 'While': case 'Repeat': case 'NumericFor': case 'GenericFor':
            out.push(...block(s.body));
            break;
          case 'If':
            for (const clause of s.clauses) out.push(...block(clause.body));
            break;
          default: break;
        }
      }
      return out;
    };
    return block(c.parsed.chunk.body);
  }

  /**
   * For each position, the ranges of the syntax around it, innermost first, each strictly holding
   * the one before: a name, its member chain, the call, the statement, the block, the function…
   * up to the whole text.
   */
  selectionRanges(path: string, positions: Position[]): Range[][] {
    const c = this.parseFor(path);
    if (!c) return positions.map(() => []);
    const chunk = c.parsed.chunk;
    return positions.map((position) => {
      const offset = c.lines.offsetAt(position);
      const chain: ast.Range[] = [{ start: 0, end: c.text.length }];
      let node: ast.Node | undefined = chunk;
      // Down the tree one level at a time (no recursion: chains can be long).
      while (node) {
        chain.push(node);
        let inside: ast.Node | undefined;
        let touching: ast.Node | undefined;
        forEachChild(node, (child) => {
          if (inside || child.end < child.start) return;
          if (child.start <= offset && offset < child.end) inside = child;
          else if (child.end === offset && child.start < child.end) touching = child;
        });
        node = inside ?? touching;
      }
      chain.reverse();
      const innermost = chain[0];
      const comment = chunk.comments.find((k) => k.start <= offset && offset < k.end);
      if (comment && comment.start >= innermost.start && comment.end <= innermost.end) chain.unshift(comment);
      // A string's text inside its quotes, before the literal.
      const first = chain[0] as ast.Node;
      if (first.kind === 'String') {
        const inner = stringContents(c.text, first);
        if (inner.start <= offset && offset <= inner.end) chain.unshift(inner);
      }
      const out: ast.Range[] = [];
      for (const r of chain) {
        const last = out[out.length - 1];
        if (last && !(r.start <= last.start && r.end >= last.end && (r.start < last.start || r.end > last.end))) continue;
        out.push(r);
      }
      return out.map((r) => range(c.lines, r.start, r.end));
    });
  }

  /**
   * Links from string literals: `require("name")` to the declared module's file, `io.open("path")`
   * and `io.lines("path")` to the file the contract declares (when it exists). Undeclared names and
   * paths link nowhere.
   */
  documentLinks(path: string): DocumentLink[] {
    const c = this.basic(path);
    const contract = c?.contract?.manifest;
    if (!c || !contract) return [];
    const out: DocumentLink[] = [];
    const link = (literal: ast.StringLiteral, target: string, tooltip: string): void => {
      const inner = stringContents(c.text, literal);
      out.push({ range: range(c.lines, inner.start, inner.end), target, tooltip });
    };
    for (const use of requireUses(c.scope)) {
      const module = contract.modules.get(use.name);
      const file = module && moduleFile(contract, module);
      if (module && file && this.exists(file)) link(use.literal, file, `Module ${use.name}: ${module.path}`);
    }
    for (const use of fileUses(c.scope)) {
      if (use.normalized === undefined || declaredFileKey(contract, use.normalized) === undefined) continue;
      const file = nodePath.join(nodePath.dirname(nodePath.resolve(contract.path)), ...use.normalized.split('/'));
      if (this.exists(file)) link(use.literal, file, `Declared file ${use.normalized}`);
    }
    return out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  }

  foldingRanges(path: string): FoldingRange[] {
    const c = this.parseFor(path);
    if (!c) return [];
    const out: FoldingRange[] = [];
    const add = (start: number, end: number, kind?: 'comment'): void => {
      const a = c.lines.positionAt(start).line;
      const b = c.lines.positionAt(Math.max(start, end - 1)).line;
      if (b > a) out.push({ startLine: a, endLine: b, ...(kind ? { kind } : {}) });
    };
    for (const statement of c.parsed.chunk.body.body) {
      const folds = foldsOf(statement);
      for (let i = 0; i < folds.length; i += 2) add(statement.start + folds[i], statement.start + folds[i + 1]);
    }
    for (const comment of c.parsed.chunk.comments) if (comment.long) add(comment.start, comment.end, 'comment');
    return out.sort((x, y) => x.startLine - y.startLine);
  }

  /** The tokens of the document, or of those lines of `within` that it covers (a range request). */
  semanticTokens(path: string, within?: Range): SemanticToken[] {
    const data = this.semanticTokenData(path, within);
    const tokens: SemanticToken[] = [];
    let line = 0;
    let character = 0;
    for (let i = 0; i < data.length; i += 5) {
      line += data[i];
      character = data[i] === 0 ? character + data[i + 1] : data[i + 1];
      tokens.push({ line, character, length: data[i + 2], type: data[i + 3], modifiers: data[i + 4] });
    }
    return tokens;
  }

  /**
   * The same tokens as the protocol sends them: five numbers a token (line and character relative
   * to the previous token's, length, type, modifiers). A long file has tens of thousands, asked
   * for again after every edit: they are gathered into flat lists and put in order by one numeric
   * sort of (start, order found), which keeps the first found at each place.
   */
  semanticTokenData(path: string, within?: Range): Uint32Array {
    const c = this.basic(path);
    if (!c) return new Uint32Array(0);
    const contract = c.contract?.manifest;
    const policy = this.policyOf(c);
    const from = within ? c.lines.offsetAt(within.start) : 0;
    const to = within ? c.lines.offsetAt(within.end) : Infinity;
    const scope = c.scope;
    // At most a token per local's declaration, reference and path use.
    const most = scope.locals.length + scope.references.length + scope.uses.length;
    const starts = new Int32Array(most);
    const ends = new Int32Array(most);
    const kinds = new Int32Array(most);
    let count = 0;
    const push = (node: ast.Range, kind: number): void => {
      const start = node.start;
      const end = node.end;
      if (end <= from || start >= to || end <= start || count === ORDER_SPAN) return;
      starts[count] = start;
      ends[count] = end;
      kinds[count++] = kind;
    };
    const declaration = modifier('declaration');
    for (const local of scope.locals) {
      if (!local.declaration) continue;
      const type = local.kind === 'param' || local.kind === 'self' ? 1 : local.kind === 'function' ? 2 : 0;
      push(local.declaration, type | declaration);
      for (const ref of local.references) push(ref.node, type);
    }
    // Paths are shared arrays (one per distinct path): each is judged once.
    const judged = new Map<readonly string[], number>();
    for (const use of scope.uses) {
      let kind = judged.get(use.path);
      if (kind === undefined) {
        kind = pathTokenKind(use.path, contract, policy);
        judged.set(use.path, kind);
      }
      if (kind < 0) continue;
      const node = use.node.kind === 'Call' && use.node.method ? use.node.method : use.node.kind === 'Member' ? use.node.name : use.node.kind === 'Name' ? use.node : undefined;
      if (node) push(node, kind);
    }
    const order = new Float64Array(count);
    for (let i = 0; i < count; i++) order[i] = starts[i] * ORDER_SPAN + i;
    order.sort();
    const data = new Uint32Array(count * 5);
    let n = 0;
    let line = 0;
    let next = c.lines.lineStart(1);
    let lastEnd = -1;
    let lastLine = 0;
    let lastCharacter = 0;
    for (let k = 0; k < count; k++) {
      const i = (order[k] % ORDER_SPAN) | 0;
      const start = starts[i];
      const end = ends[i];
      while (start >= next) next = c.lines.lineStart(++line + 1);
      // A token over a line break is not allowed, nor overlapping ones: the first at each place stays.
      if (end >= next || start < lastEnd) continue;
      const character = start - c.lines.lineStart(line);
      data[n] = line - lastLine;
      data[n + 1] = line === lastLine ? character - lastCharacter : character;
      data[n + 2] = end - start;
      data[n + 3] = kinds[i] & KIND_MASK;
      data[n + 4] = kinds[i] >> KIND_BITS;
      n += 5;
      lastLine = line;
      lastCharacter = character;
      lastEnd = end;
    }
    return data.slice(0, n);
  }

  /**
   * Every fix of the findings that overlap a range, each with the diagnostic it belongs to (as
   * published). The first did-you-mean style fix of each finding is preferred (what "auto fix"
   * applies); suppression comments come after the real fixes.
   */
  codeActions(path: string, r: Range): CodeAction[] {
    const c = this.get(path);
    if (!c) return [];
    const start = c.lines.offsetAt(r.start);
    const end = c.lines.offsetAt(r.end);
    const fixes: CodeAction[] = [];
    const suppressions: CodeAction[] = [];
    const suppression = suppressionFixes(c.parsed);
    for (const f of this.shown(c)) {
      if (f.end < start || f.start > end) continue;
      const silence = suppression(f);
      const all = silence ? [...(f.fixes ?? []), silence] : f.fixes ?? [];
      if (all.length === 0) continue;
      const diagnostic = this.diagnostic(c.lines, f);
      let preferred = false;
      for (const fix of all) {
        const action: CodeAction = { title: fix.title, kind: 'quickfix', diagnostic, isPreferred: false, edits: fix.edits.map((e) => ({ range: range(c.lines, e.start, e.end), newText: e.newText })) };
        if (fix.contract) {
          const contract = this.contractEdit(c, fix.contract);
          if (!contract) continue;
          action.contract = contract;
        }
        if (!preferred && fix.corrects) {
          action.isPreferred = true;
          preferred = true;
        }
        (fix.silences ? suppressions : fixes).push(action);
      }
    }
    return [...fixes, ...suppressions];
  }

  /** A fix's change to the governing contract as text edits of the contract's current text (undefined: it no longer applies). */
  private contractEdit(c: Cached, edits: readonly ContractEdit[]): CodeAction['contract'] {
    const path = c.contract?.path;
    const text = path === undefined ? undefined : this.text(path);
    const change = text === undefined ? undefined : contractTextChange(text, edits);
    if (!path || !text || !change) return undefined;
    const lines = new LineMap(text);
    return { path, edits: [{ range: range(lines, change.start, change.end), newText: change.newText }] };
  }

  // ---- what the VS Code client asks for --------------------------------------------------------

  /** The contract that governs a script (the status bar), or undefined. */
  contractInfo(path: string): { name: string; path: string; broken: boolean } | undefined {
    const result = this.contractFor(path);
    if (!result) return undefined;
    return { name: result.manifest?.name ?? result.name ?? MANIFEST_FILE, path: result.path, broken: result.manifest === undefined };
  }

  /** The script's `luac -l -l` listing, and for each source line the listing lines of its instructions. */
  bytecode(path: string): { listing: string; lines: Record<number, number[]> } {
    const text = this.text(path) ?? '';
    const proto = compile(Buffer.from(text, 'utf8').toString('latin1'), '@' + nodePath.basename(path));
    if (typeof proto === 'string') return { listing: `-- ${proto}\n`, lines: {} };
    const lines: Record<number, number[]> = {};
    const listing = disassemble(proto);
    listing.split('\n').forEach((row, i) => {
      const m = /^\t\d+\t\[(\d+)\]/.exec(row);
      if (m) (lines[Number(m[1])] ??= []).push(i);
    });
    return { listing, lines };
  }

  // ---- formatting ------------------------------------------------------------------------------

  /**
   * The edits that format the script, or only the statements inside `r`, in the style resolved for
   * its file (`editor`: the editor's options, used when no stylua.toml or .editorconfig applies); or
   * why it is left as it is (a syntax error, a style file's problem, a format that would change the
   * compiled code).
   */
  format(path: string, editor: EditorOptions, r?: Range): { edits: TextEdit[] } | { failure: FormatFailure } {
    const text = this.text(path) ?? '';
    const lines = new LineMap(text);
    const outcome = formatScript(path, text, { editor, range: r && { start: lines.offsetAt(r.start), end: lines.offsetAt(r.end) } });
    if ('failure' in outcome) return outcome;
    if (outcome.text === text) return { edits: [] };
    const change = rangedChange(text, outcome.text);
    return { edits: [{ range: range(lines, change.start, change.end), newText: change.newText }] };
  }

  /**
   * Formatting as the user types: after a newline, the statement the line before it finished (an
   * `end`, a call, an assignment), and nothing else. No edits while the script does not parse.
   */
  formatOnType(path: string, position: Position, typed: string, editor: EditorOptions): TextEdit[] {
    if (typed !== '\n') return [];
    const text = this.text(path) ?? '';
    const statement = finishedStatement(text, new LineMap(text).offsetAt(position));
    if (!statement) return [];
    const lines = new LineMap(text);
    const answer = this.format(path, editor, range(lines, statement.start, statement.end));
    return 'edits' in answer ? answer.edits : [];
  }

  /** The capability report of one script, in Markdown. */
  report(path: string): string {
    return formatReportMarkdown(buildReport([path], nodePath.dirname(path)));
  }

  // ---- modules and files -----------------------------------------------------------------------

  /** A module's file and what it exports, in Markdown. */
  private moduleSummary(contract: Contract, module: ModuleDeclaration): string {
    const fields = this.exportsOf(moduleFile(contract, module));
    const head = `\`${module.path}\`, declared by **${contract.name}** (sandlua.json)`;
    if (fields === undefined) return `${head}\n\n**The file does not exist**: require fails at run time.`;
    if (fields.length === 0) return head;
    const list = fields.map((f) => `- \`${f.kind === 'function' ? `${f.method ? ':' : ''}${f.signature}` : `${f.name}: ${f.signature}`}\`${f.doc ? ` — ${f.doc.split('\n')[0]}` : ''}`);
    return `${head}\n\nExports:\n${list.join('\n')}`;
  }

  /** The require call (its name or its string) or the io.open/io.lines string at an offset. */
  private callTarget(c: Cached, offset: number): { require?: RequireUse; file?: FileUse } | undefined {
    const within = (n: ast.Range): boolean => offset >= n.start && offset <= n.end;
    for (const use of requireUses(c.analysis.scope)) if (within(use.literal) || within(use.call.callee)) return { require: use };
    for (const use of fileUses(c.analysis.scope)) if (within(use.literal)) return { file: use };
    return undefined;
  }

  /** The declared module a visible local holds (`local util = require("pricing.util")`). */
  private moduleOfName(c: Cached, name: string, offset: number): ModuleDeclaration | undefined {
    const locals = c.analysis.scope.localsAt(offset).filter((l) => l.name === name);
    return locals.length > 0 ? this.moduleOfLocal(c, locals[locals.length - 1]) : undefined;
  }

  private moduleOfLocal(c: Cached, local: LocalVariable): ModuleDeclaration | undefined {
    const use = this.requireOfLocal(c, local);
    return use ? c.contract?.manifest?.modules.get(use.name) : undefined;
  }

  /**
   * `util.format` / `util:describe` at an offset, where `util` holds a module: a module the contract
   * declares, or, in a script no contract governs, the workspace's file for `require`'s name (found
   * as Lua's default path would from the script's folder or one above it): the field and its file.
   */
  private memberTarget(c: Cached, offset: number): { module: { name: string; path: string }; file: string; field: ModuleField; node: ast.Range } | undefined {
    const contract = c.contract?.manifest;
    if (contract && contract.modules.size === 0) return undefined;
    let found: { object: ast.Name; name: ast.Name } | undefined;
    walkWithin(c.analysis.parsed.chunk, offset, offset, (n) => {
      if (n.kind === 'Member' && n.object.kind === 'Name' && offset >= n.name.start && offset <= n.name.end) found = { object: n.object, name: n.name };
      else if (n.kind === 'Call' && n.method && n.callee.kind === 'Name' && offset >= n.method.start && offset <= n.method.end) found = { object: n.callee, name: n.method };
    });
    if (!found) return undefined;
    const local = c.analysis.scope.referenceOf(found.object)?.local;
    if (!local) return undefined;
    let module: { name: string; path: string } | undefined;
    let file: string | undefined;
    if (contract) {
      const declared = this.moduleOfLocal(c, local);
      if (declared) [module, file] = [declared, moduleFile(contract, declared)];
    } else if (this.plainLua(c)) {
      const use = this.requireOfLocal(c, local);
      file = use && this.workspaceModuleFile(c.path, use.name);
      if (use && file) module = { name: use.name, path: nodePath.relative(nodePath.dirname(c.path), file).split(nodePath.sep).join('/') };
    }
    const name = found.name;
    const field = file && this.exportsOf(file)?.find((f) => f.name === name.name);
    return module && file && field ? { module, file, field, node: name } : undefined;
  }

  /** The `require("name")` a local is bound to, if it is one (`local x = require("name")`, never assigned again). */
  private requireOfLocal(c: Cached, local: LocalVariable): RequireUse | undefined {
    if (local.kind !== 'local' || local.written || !local.initializer) return undefined;
    const init = unparen(local.initializer);
    return init.kind === 'Call' ? requireUses(c.analysis.scope).find((u) => u.call === init) : undefined;
  }

  /** The file Lua's default path (`./?.lua;./?/init.lua`) finds for a module, from the script's folder or one above it. */
  private workspaceModuleFile(from: string, name: string): string | undefined {
    const parts = name.split('.');
    if (parts.some((p) => p === '' || p === '..')) return undefined;
    const candidates = [nodePath.join(...parts) + '.lua', nodePath.join(...parts, 'init.lua')];
    let dir = nodePath.dirname(from);
    for (let level = 0; level < 16; level++) {
      for (const candidate of candidates) {
        const file = nodePath.join(dir, candidate);
        if (file !== from && this.exists(file)) return file;
      }
      const up = nodePath.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
    return undefined;
  }

  // ---- names ---------------------------------------------------------------------------------

  /** What the name at an offset is: a local, or a global path (`tools.note`, `string.format`). */
  private nameTarget(c: Cached, offset: number): { node: ast.Range; local?: LocalVariable; path: string[] } | undefined {
    const scope = c.analysis.scope;
    const occurrence = scope.nameAt(offset);
    if (occurrence?.local) return { node: occurrence.name, local: occurrence.local, path: [occurrence.local.name] };
    if (occurrence?.reference?.local) return { node: occurrence.name, local: occurrence.reference.local, path: [occurrence.name.name] };
    // A field name in a chain, or a global.
    let best: { node: ast.Range; path: string[] } | undefined;
    // A method call's use is its method's name: the chain is the call's (`name.city:upper()`).
    let methods: Map<ast.Node, ast.CallExpression> | undefined;
    const methodCall = (name: ast.Name): ast.CallExpression | undefined => {
      if (!methods) {
        const found = new Map<ast.Node, ast.CallExpression>();
        walkWithin(c.analysis.parsed.chunk, offset, offset, (n) => { if (n.kind === 'Call' && n.method) found.set(n.method, n); });
        methods = found;
      }
      return methods.get(name);
    };
    for (const use of scope.uses) {
      if (offset > use.node.end) continue;
      const n = use.node.kind === 'Name' && use.path.length > 1 ? methodCall(use.node) ?? use.node : use.node;
      if (offset < n.start || offset > n.end) continue;
      const path = withoutEnvironment(use.path);
      if (path.length === 0) continue;
      // The segment under the cursor. Segments and path agree from the end: the root may be a local
      // alias standing for several names (`local name = input.vendor_name; name:upper()`), or `_ENV`.
      const segments = chainSegments(n);
      const shift = path.length - segments.length;
      for (let i = 0; i < segments.length; i++) {
        const seg = segments[i];
        if (i + shift < 0) continue;
        if (offset >= seg.start && offset <= seg.end) {
          const candidate = { node: seg, path: path.slice(0, i + shift + 1) };
          if (!best || seg.end - seg.start <= best.node.end - best.node.start) best = candidate;
        }
      }
    }
    if (best) return best;
    if (occurrence?.reference) return { node: occurrence.name, path: [occurrence.name.name] };
    return undefined;
  }
}

// ---- helpers ---------------------------------------------------------------------------------

const KEYWORDS = ['and', 'break', 'do', 'else', 'elseif', 'end', 'false', 'for', 'function', 'goto', 'if', 'in', 'local', 'nil', 'not', 'or', 'repeat', 'return', 'then', 'true', 'until', 'while'];

function isContract(path: string): boolean {
  return nodePath.basename(path) === MANIFEST_FILE;
}

/** A string literal's text without its quotes or long brackets. */
function stringContents(text: string, literal: ast.StringLiteral): ast.Range {
  if (literal.quote !== '[') return { start: Math.min(literal.start + 1, literal.end), end: Math.max(literal.start + 1, literal.end - 1) };
  const open = /^\[=*\[/.exec(text.slice(literal.start, literal.start + 64))?.[0].length ?? 2;
  const start = Math.min(literal.start + open, literal.end);
  return { start, end: Math.max(start, literal.end - open) };
}

/** The files under the folders that `take` wants (at most `limit`, sorted), outside version control and node_modules. */
function filesUnder(folders: string[], limit: number, take: (name: string, full: string) => boolean): string[] {
  const out: string[] = [];
  const skip = new Set(['node_modules', '.git', '.hg', '.svn']);
  for (const folder of folders) {
    const stack = [folder];
    while (stack.length > 0 && out.length < limit) {
      const dir = stack.pop()!;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        const full = nodePath.join(dir, e.name);
        if (e.isDirectory()) {
          if (!skip.has(e.name)) stack.push(full);
        } else if (out.length < limit && take(e.name, full)) {
          out.push(full);
        }
      }
    }
  }
  return out.sort();
}

/**
 * A method call on a value whose type is not known, named as a string method (`s:gsub(…)`, the
 * commonest method calls in Lua): the string library's entry, said as a guess.
 */
function stringMethodHover(owner: string, name: string, r: Range): Hover | undefined {
  const doc = STDLIB_DOCS[`string.${name}`];
  if (!doc) return undefined;
  return { contents: `\`\`\`lua\n${doc.signature}\n\`\`\`\n${doc.doc}\n\nIf \`${owner}\` is a string (its type is not known here).`, range: r };
}

/** A contract span (1-based) as a range. */
function spanRange(s: { line: number; column: number; endLine: number; endColumn: number }): Range {
  return { start: { line: s.line - 1, character: s.column - 1 }, end: { line: s.endLine - 1, character: s.endColumn - 1 } };
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character <= b.character);
}

export function range(lines: LineMap, start: number, end: number): Range {
  return { start: lines.positionAt(start), end: lines.positionAt(end) };
}

/** The Name segments of a chain, root first: `a`, `b`, `c` of `a.b:c()`. */
function chainSegments(node: ast.Expression): ast.Range[] {
  const out: ast.Range[] = [];
  let n: ast.Expression = node;
  const tail: ast.Range[] = [];
  for (;;) {
    if (n.kind === 'Call') {
      if (n.method) tail.push(n.method);
      n = n.callee;
    } else if (n.kind === 'Member') {
      tail.push(n.name);
      n = n.object;
    } else if (n.kind === 'Index') {
      tail.push(n.index);
      n = n.object;
    } else if (n.kind === 'Paren') {
      n = n.expression;
    } else {
      if (n.kind === 'Name') out.push(n);
      break;
    }
  }
  for (let i = tail.length - 1; i >= 0; i--) out.push(tail[i]);
  return out;
}

function hostItem(fn: HostFunction, label: string, contract: Contract): CompletionItem {
  const placeholders = fn.params.map((p, i) => `\${${i + 1}:${p.name}}`).join(', ');
  return {
    label, kind: 'function', detail: fn.signature,
    documentation: `${fn.doc ? fn.doc + '\n\n' : ''}Granted by ${contract.name} (sandlua.json).`,
    snippet: `${label}(${placeholders})`, sortText: `2${label}`,
  };
}

/** Text, or a tab stop with its default text (0: the final cursor). */
type SnippetPart = string | [number, string];

/** The snippet (placeholders escaped as snippets want them) and the plain text it inserts with every default taken. */
function renderSnippet(parts: SnippetPart[]): { snippet: string; text: string } {
  const escape = (t: string): string => t.replace(/[\\$}]/g, (ch) => `\\${ch}`);
  const snippet = parts.map((p) => (typeof p === 'string' ? escape(p) : p[1] === '' ? `$${p[0]}` : `\${${p[0]}:${escape(p[1])}}`)).join('');
  return { snippet, text: parts.map((p) => (typeof p === 'string' ? p : p[1])).join('') };
}

/**
 * `script`: the skeleton of a script under its contract: read a field of the input, return an
 * output the contract accepts (the output schema's example, or the smallest value it accepts,
 * field by field as placeholders), so that the skeleton itself checks clean.
 */
function scriptSkeleton(contract: Contract | undefined): CompletionItem {
  const inputFields = Object.keys(objectProperties(contract?.input) ?? {});
  const field = [...requiredFields(contract?.input), ...inputFields].find((f) => /^[A-Za-z_]\w*$/.test(f) && !KEYWORDS.includes(f));
  const output = exampleInput(contract?.output).value;
  const parts: SnippetPart[] = ['-- ', [1, 'What this script does.'], '\nlocal ', [2, 'value'], ' = input', ...(field ? ['.', [3, field]] as SnippetPart[] : []), '\n', [0, ''], '\nreturn '];
  if (typeof output === 'object' && output !== null && !Array.isArray(output)) {
    const entries = Object.entries(output);
    if (entries.length === 0) parts.push('{', [4, ''], '}');
    else parts.push('{ ', ...entries.flatMap(([k, v], i): SnippetPart[] => [i > 0 ? ', ' : '', `${luaKey(k)} = `, [4 + i, luaLiteral(v)]]), ' }');
  } else {
    parts.push([4, luaLiteral(output)]);
  }
  return { label: 'script', kind: 'snippet', detail: contract ? `a script under ${contract.name}` : 'a script', documentation: 'Reads the input and returns an output the contract accepts.', ...renderSnippet(parts), sortText: '8script' };
}

function luaKey(key: string): string {
  return /^[A-Za-z_]\w*$/.test(key) && !KEYWORDS.includes(key) ? key : `[${luaLiteral(key)}]`;
}

/** A JSON value as a Lua constructor expression. */
function luaLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return `"${v.replace(/[\\"\x00-\x1f\x7f]/g, (ch) => `\\${ch.charCodeAt(0).toString().padStart(3, '0')}`)}"`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `{${v.map(luaLiteral).join(', ')}}`;
  const entries = Object.entries(v as Record<string, unknown>);
  return entries.length === 0 ? '{}' : `{ ${entries.map(([k, x]) => `${luaKey(k)} = ${luaLiteral(x)}`).join(', ')} }`;
}

/** The string library's functions the contract grants, as methods of a string value. */
function stringMethods(policy: StdlibPolicy): CompletionItem[] {
  const items: CompletionItem[] = [];
  for (const field of LUA53_LIBRARIES.string) {
    const name = `string.${field}`;
    if (policy.isGranted(name)) items.push({ label: field, kind: 'function', detail: STDLIB_DOCS[name]?.signature, documentation: STDLIB_DOCS[name]?.doc });
  }
  return items;
}

/**
 * The constructs a top-level statement holds that fold (functions, blocks, tables, if clauses), as
 * pairs of offsets from its start. Kept by statement: the statements an edit leaves are the same
 * objects in the next parse (moved), so a long file's folding walks only the edited statement.
 */
const statementFolds = new WeakMap<ast.Statement, number[]>();

function foldsOf(statement: ast.Statement): number[] {
  let folds = statementFolds.get(statement);
  if (folds === undefined) {
    const list: number[] = [];
    const base = statement.start;
    walk(statement, (n) => {
      switch (n.kind) {
        case 'Function': case 'Do': case 'While': case 'Repeat': case 'NumericFor': case 'GenericFor': case 'Table': case 'IfClause':
          list.push(n.start - base, n.end - base);
          break;
        default: break;
      }
    });
    statementFolds.set(statement, (folds = list));
  }
  return folds;
}

/** Visible locals offered at most (see `LanguageService.completionList`). */
const LOCALS_OFFERED = 500;

function dedupe(items: CompletionItem[]): CompletionItem[] {
  const seen = new Set<string>();
  return items.filter((i) => (seen.has(i.label) ? false : (seen.add(i.label), true)));
}

function insideReturnTable(before: string): boolean {
  let depth = 0;
  for (let i = before.length - 1; i >= 0; i--) {
    const ch = before[i];
    if (ch === '}') depth++;
    else if (ch === '{') {
      if (depth === 0) return /(^|[^\w])return\s*$/.test(before.slice(0, i));
      depth--;
    }
  }
  return false;
}

function describeSchema(schema: unknown): string {
  if (typeof schema !== 'object' || schema === null) return 'any value';
  const s = schema as { description?: unknown };
  const type = schemaTypes(schema)?.join(' | ') || 'any';
  const props = objectProperties(schema);
  const fields = props ? ` {${Object.keys(props).join(', ')}}` : '';
  return `${type}${fields}${typeof s.description === 'string' ? ` — ${s.description}` : ''}`;
}

/** Visits the nodes that overlap a range (iteratively), not descending into the others. */
function walkWithin(root: ast.Node, start: number, end: number, visit: (node: ast.Node) => void): void {
  const stack: ast.Node[] = [root];
  const push = (child: ast.Node): void => { if (child.end >= start && child.start <= end) stack.push(child); };
  while (stack.length > 0) {
    const node = stack.pop()!;
    visit(node);
    forEachChild(node, push);
  }
}

/** A type worth showing: undefined for unknown. */
function known(type: Type | undefined): Type | undefined {
  return type && type.kind !== 'unknown' ? type : undefined;
}

/** A string, or a string that may be nil (its methods are the string library's). */
function isStringType(type: Type): boolean {
  if (type.kind === 'string') return true;
  return type.kind === 'union' && type.types.every((t) => t.kind === 'string' || t.kind === 'nil') && type.types.some((t) => t.kind === 'string');
}

/** What a statement without documentation comments says. */
const NO_DOCUMENTATION: Documentation = { text: '', params: new Map(), returns: [] };

/** An argument that already says the parameter's name: `f(alias)`, `f(input.alias)`. */
function namedAs(arg: ast.Expression, name: string): boolean {
  return (arg.kind === 'Name' && arg.name === name) || (arg.kind === 'Member' && arg.name.name === name);
}

/** The innermost call whose argument list holds the offset. */
function innermostCall(chunk: ast.Chunk, offset: number, text: string): ast.CallExpression | undefined {
  let best: ast.CallExpression | undefined;
  walk(chunk, (n) => {
    if (n.kind !== 'Call' || n.argStyle !== 'parens') return;
    const open = text.indexOf('(', n.method ? n.method.end : n.callee.end);
    if (open < 0 || offset <= open) return;
    const closed = text[n.end - 1] === ')';
    if (closed && offset >= n.end) return;
    if (!best || n.start >= best.start) best = n;
  });
  return best;
}

function activeArgument(text: string, call: ast.CallExpression, offset: number): number {
  const open = text.indexOf('(', call.method ? call.method.end : call.callee.end);
  let depth = 0;
  let index = 0;
  for (let i = open + 1; i < offset && i < text.length; i++) {
    const ch = text[i];
    if (ch === '(' || ch === '{' || ch === '[') depth++;
    else if (ch === ')' || ch === '}' || ch === ']') depth--;
    else if (ch === ',' && depth === 0) index++;
    else if (ch === '"' || ch === "'") {
      const q = ch;
      for (i++; i < offset && text[i] !== q; i++) if (text[i] === '\\') i++;
    }
  }
  return index;
}

export type { Finding };
