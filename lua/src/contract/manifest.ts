// The contract loader: `sandlua.json` text → the validated contract with resolved host signatures
// and stdlib policy, plus every problem at its exact place in the file. The one loader the
// runtime, the checker, the language server and the CLI share. Never throws: a missing file, a
// folder, binary data, a huge or deeply nested file are each a problem, not an exception.
//
// Order: JSON syntax (jsonc-parser; on a syntax error nothing else is checked, since a recovered
// tree would only produce echoes), then the JSON Schema (ajv, every error), then what a schema
// cannot say (duplicate keys, type strings, host names, stdlib names, globs, declared schemas,
// examples). The contract is returned when there is no error; warnings (an unknown key among them)
// do not block it.

import * as fs from 'fs';
import * as nodePath from 'path';
import { nodeAtPath, nodeValue, parseJson, type JsonNode } from './json';
import { resolveHost, type HostFunction } from './host';
import { IMPLIED_BY_FILES, IMPLIED_BY_MODULES, StdlibPolicy, normalizeStdlibEntry } from './policy';
import { ProblemSink, type ManifestProblem, type Span } from './problems';
import { DEFAULT_LIMITS, DEFAULT_ON_FAILURE, type FileAccess, type Limits, type OnFailure } from './schema';
import { checkDeclaredSchema } from './schema-checks';
import { LEGACY_NAMES, LUA53_LIBRARIES, LUA53_STDLIB_NAMES, isStdlibLibrary, isStdlibName } from './stdlib-names';
import { didYouMean } from './suggest';
import type { JsonSchema } from './types';
import { validateContractValue } from './validate';
import { CODES, isKnownCode } from '../analysis/rules';
import { FIXED_SEVERITY, isSeverityLevel, type SeverityLevel, type SeverityMap } from '../analysis/severity';

export const MANIFEST_FILE = 'sandlua.json';

/** Far above any real contract (the examples are about 2 KB); refuses 50 MB of junk quickly. */
export const MAX_MANIFEST_BYTES = 2 * 1024 * 1024;

/** The globs used when a contract has no `scripts`. */
export const DEFAULT_SCRIPTS: readonly string[] = ['**/*.lua'];

/** A validated contract, with defaults filled in and host signatures resolved. */
export interface Contract {
  /** The contract file (absolute when loaded with `loadManifest`). */
  path: string;
  name: string;
  version?: string;
  purpose?: string;
  scripts: string[];
  /** JSON Schema of the input; undefined: any input. */
  input?: JsonSchema;
  /** JSON Schema of the output; undefined: any output. */
  output?: JsonSchema;
  /** Host functions by their full name (`tools.emit_review_note`), in file order. */
  host: ReadonlyMap<string, HostFunction>;
  /** The globals the host functions occupy: `lookup_vendor_alias` → function, `tools` → table. */
  hostGlobals: ReadonlyMap<string, 'function' | 'table'>;
  stdlib: { allow: string[]; deny: string[] };
  /** Which standard-library names scripts may reach (see policy.ts). */
  policy: StdlibPolicy;
  /** Modules `require` may load, by name (`pricing.util`), in file order. */
  modules: ReadonlyMap<string, ModuleDeclaration>;
  /** Files `io.open`/`io.lines` may touch, by normalized relative path (`data/rates.csv`), in file order. */
  files: ReadonlyMap<string, FileAccess>;
  /** Every limit, defaults filled in. */
  limits: Limits;
  dataBoundary?: string;
  approval?: { owner: string; reviewers: string[] };
  onFailure: OnFailure;
  /** Severity per diagnostic code for the scripts under it (`"severity"`); an editor setting or `--severity` wins. */
  severity?: SeverityMap;
  /** The JSON value as written. */
  raw: Record<string, unknown>;
  /** The file's text (a byte-order mark replaced by a space), for locating things in it (`locate`). */
  text: string;
}

/** One entry of `modules`. */
export interface ModuleDeclaration {
  /** The name scripts require (`pricing.util`). */
  name: string;
  /** The file as the contract writes it, normalized (`lib/pricing_util.lua`), relative to the contract's folder. */
  path: string;
}

export interface ManifestResult {
  path: string;
  /** The contract, when it has no error. */
  manifest: Contract | undefined;
  /** Every problem, in file order. */
  problems: ManifestProblem[];
  /**
   * Which scripts the file governs, even when it is broken: its `scripts` (or the default) when
   * they are usable, undefined when they are not (the file then governs every script below it).
   */
  scripts: string[] | undefined;
  /** The contract's name when it is readable, even if the contract is broken. */
  name?: string;
}

/** Validates contract text; `path` is where it came from (kept on the result). Never throws. */
export function parseManifest(text: string, path: string): ManifestResult {
  try {
    return parse(text, path);
  } catch (error) {
    // A bug here must not take a language server or a host down with it.
    const sink = new ProblemSink(text, undefined, undefined);
    sink.add(0, 0, `internal error while reading the contract: ${(error as Error)?.message ?? String(error)}`);
    return { path, manifest: undefined, problems: sink.problems, scripts: undefined };
  }
}

/** Reads and validates a contract file. Never throws. */
export function loadManifest(path: string): ManifestResult {
  const absolute = nodePath.resolve(path);
  const fail = (message: string): ManifestResult => {
    const sink = new ProblemSink('', undefined, undefined);
    sink.add(0, 0, message);
    return { path: absolute, manifest: undefined, problems: sink.problems, scripts: undefined };
  };
  let bytes: Buffer;
  try {
    const stat = fs.statSync(absolute);
    if (stat.isDirectory()) return fail(`${nodePath.basename(absolute)} is a folder, not a contract file`);
    if (stat.size > MAX_MANIFEST_BYTES) return fail(`the contract file is too large (${stat.size} bytes; at most ${MAX_MANIFEST_BYTES})`);
    bytes = fs.readFileSync(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail(`no such contract file: ${absolute}`);
    return fail(`cannot read the contract file: ${(error as Error).message}`);
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) return fail(`the contract file is binary, not JSON text (a NUL byte at offset ${nul})`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('the contract file is not UTF-8 text');
  }
  return parseManifest(text, absolute);
}

function parse(text: string, path: string): ManifestResult {
  if (text.length > MAX_MANIFEST_BYTES) {
    const sink = new ProblemSink('', undefined, undefined);
    sink.add(0, 0, `the contract is too large (${text.length} characters; at most ${MAX_MANIFEST_BYTES})`);
    return { path, manifest: undefined, problems: sink.problems, scripts: undefined };
  }
  // A byte-order mark is not JSON, but editors write one; a space keeps every offset in place.
  const source = text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
  const document = parseJson(source);
  if (document.errors.length > 0 || !document.root) {
    const sink = new ProblemSink(text, undefined, undefined);
    for (const error of document.errors) sink.addSyntax(error.start, error.end, `invalid JSON: ${error.message}`);
    return { path, manifest: undefined, problems: sink.sorted(), scripts: undefined };
  }
  const root = document.root;
  const value = nodeValue(root);
  const sink = new ProblemSink(text, root, value);
  // An unknown key is ignored by everything that reads the contract: a warning at the key (a typo
  // is worth fixing), not an error that would leave every script it governs under deny-all.
  for (const message of validateContractValue(value)) sink.addLocated(message, message.unknownProperty ? 'warning' : 'error');
  reportDuplicateKeys(root, sink);
  if (!isObject(value)) return { path, manifest: undefined, problems: sink.sorted(), scripts: undefined };

  checkScripts(value, sink);
  checkStdlib(value, sink);
  checkRelativePaths(value, 'modules', 'values', sink);
  checkRelativePaths(value, 'files', 'keys', sink);
  checkSeverity(value, sink);
  for (const key of ['input', 'output']) {
    if (value[key] !== undefined && !sink.hasErrorWithin([key]) && (typeof value[key] === 'boolean' || isObject(value[key]))) {
      checkDeclaredSchema(value[key] as JsonSchema, [key], sink);
    }
  }
  const host = resolveHost(value.host, sink);

  const problems = sink.sorted();
  const scriptsUsable = value.scripts === undefined || (Array.isArray(value.scripts) && !sink.hasErrorWithin(['scripts']));
  const scripts = scriptsUsable ? (value.scripts === undefined ? [...DEFAULT_SCRIPTS] : (value.scripts as string[])) : undefined;
  const name = typeof value.name === 'string' ? value.name : undefined;
  const result: ManifestResult = { path, manifest: undefined, problems, scripts };
  if (name !== undefined) result.name = name;
  if (problems.some((p) => p.severity === 'error')) return result;
  result.manifest = buildContract(value, path, source, scripts ?? [...DEFAULT_SCRIPTS], host);
  return result;
}

function buildContract(value: Record<string, unknown>, path: string, text: string, scripts: string[], host: Map<string, HostFunction>): Contract {
  const stdlibValue = (value.stdlib ?? {}) as { allow?: string[]; deny?: string[] };
  const stdlib = { allow: [...(stdlibValue.allow ?? [])], deny: [...(stdlibValue.deny ?? [])] };
  const hostGlobals = new Map<string, 'function' | 'table'>();
  for (const fn of host.values()) hostGlobals.set(fn.path[0], fn.path.length === 1 ? 'function' : 'table');
  const modules = new Map<string, ModuleDeclaration>();
  for (const [name, file] of Object.entries((value.modules ?? {}) as Record<string, string>)) {
    modules.set(name, { name, path: normalizeRelativePath(file) });
  }
  const files = new Map<string, FileAccess>();
  for (const [file, access] of Object.entries((value.files ?? {}) as Record<string, FileAccess>)) files.set(normalizeRelativePath(file), access);
  const implied = [...(modules.size > 0 ? IMPLIED_BY_MODULES : []), ...(files.size > 0 ? IMPLIED_BY_FILES : [])];
  const contract: Contract = {
    path,
    name: value.name as string,
    scripts,
    host,
    hostGlobals,
    stdlib,
    policy: new StdlibPolicy(stdlib, implied),
    modules,
    files,
    limits: { ...DEFAULT_LIMITS, ...((value.limits ?? {}) as Partial<Limits>) },
    onFailure: (value.onFailure as OnFailure | undefined) ?? DEFAULT_ON_FAILURE,
    raw: value,
    text,
  };
  if (typeof value.version === 'string') contract.version = value.version;
  if (typeof value.purpose === 'string') contract.purpose = value.purpose;
  if (value.input !== undefined) contract.input = value.input as JsonSchema;
  if (value.output !== undefined) contract.output = value.output as JsonSchema;
  if (typeof value.dataBoundary === 'string') contract.dataBoundary = value.dataBoundary;
  if (isObject(value.severity)) {
    const severity: Record<string, SeverityLevel> = {};
    for (const [code, level] of Object.entries(value.severity)) {
      if (isKnownCode(code) && !FIXED_SEVERITY.has(code) && isSeverityLevel(level)) severity[code] = level;
    }
    contract.severity = severity;
  }
  if (isObject(value.approval)) {
    const approval = value.approval as { owner: string; reviewers?: string[] };
    contract.approval = { owner: approval.owner, reviewers: [...(approval.reviewers ?? [])] };
  }
  return contract;
}

/** Duplicate keys: JSON readers disagree on which one counts, so neither may be trusted. */
function reportDuplicateKeys(root: JsonNode, sink: ProblemSink): void {
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'object') {
      const seen = new Set<string>();
      for (const property of node.children ?? []) {
        const [key, child] = property.children ?? [];
        if (!key) continue;
        const name = key.value as string;
        if (seen.has(name)) {
          const where = node === root ? '' : ` in ${sink.label(pathOf(node))}`;
          sink.addAt(key, `duplicate property '${name}'${where}`);
        }
        seen.add(name);
        if (child) stack.push(child);
      }
    } else if (node.type === 'array') {
      for (const child of node.children ?? []) stack.push(child);
    }
  }
}

/** The JSON path of a node (keys and indexes from the root). */
function pathOf(node: JsonNode): (string | number)[] {
  const path: (string | number)[] = [];
  let current: JsonNode | undefined = node;
  while (current?.parent) {
    const parent: JsonNode = current.parent;
    if (parent.type === 'property') {
      path.unshift(parent.children![0].value as string);
      current = parent.parent;
    } else {
      path.unshift(parent.children!.indexOf(current));
      current = parent;
    }
  }
  return path;
}

/** Globs are matched against paths below the contract's folder, with `/` separators. */
function checkScripts(value: Record<string, unknown>, sink: ProblemSink): void {
  if (!Array.isArray(value.scripts)) return;
  value.scripts.forEach((glob, i) => {
    if (typeof glob !== 'string' || glob === '') return;
    const node = nodeAtPath(sink.root, ['scripts', i]);
    if (!node) return;
    if (glob.startsWith('/') || /^[A-Za-z]:/.test(glob)) {
      sink.addAt(node, `scripts[${i}] must be relative to the contract's folder, not absolute`);
    } else if (glob.split('/').some((part) => part === '..')) {
      sink.addAt(node, `scripts[${i}] can never match: a contract governs only scripts below its own folder`);
    } else if (glob.includes('\\')) {
      sink.addAt(node, `scripts[${i}] uses '\\': write globs with '/' as the separator`);
    }
  });
}

/**
 * `modules` values and `files` keys are paths below the contract's folder: never absolute, never
 * through `..`, `/` as the separator, no NUL; two spellings of one file (`./a.csv`, `a.csv`) are
 * reported, since the runtime could not tell which access counts.
 */
function checkRelativePaths(value: Record<string, unknown>, field: 'modules' | 'files', where: 'keys' | 'values', sink: ProblemSink): void {
  const entries = value[field];
  if (!isObject(entries)) return;
  const seen = new Map<string, string>();
  for (const [key, item] of Object.entries(entries)) {
    const path = where === 'keys' ? key : item;
    if (typeof path !== 'string' || path === '') continue;
    const node = nodeAtPath(sink.root, [field, key]);
    if (!node) continue;
    const target = where === 'keys' && node.parent?.type === 'property' ? node.parent.children![0] : node;
    const label = where === 'keys' ? `${field} path '${key}'` : `${field}.${key}`;
    const problem = relativePathProblem(path);
    if (problem !== undefined) {
      sink.addAt(target, `${label} ${problem}`);
      continue;
    }
    if (where === 'keys') {
      const normalized = normalizeRelativePath(path);
      const earlier = seen.get(normalized);
      if (earlier !== undefined) sink.addAt(target, `${label} is the same file as '${earlier}'`);
      seen.set(normalized, key);
    }
  }
}

/** Why `path` cannot name a file below the contract's folder, or undefined when it can. */
export function relativePathProblem(path: string): string | undefined {
  if (path.includes('\0')) return 'contains a NUL character';
  if (path.includes('\\')) return "uses '\\': write paths with '/' as the separator";
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return "must be relative to the contract's folder, not absolute";
  const parts = path.split('/');
  if (parts.some((part) => part === '..')) return "must stay inside the contract's folder (no '..')";
  if (parts.every((part) => part === '' || part === '.')) return 'must name a file';
  if (path.endsWith('/')) return 'must name a file, not a folder';
  return undefined;
}

/** `./data//rates.csv` → `data/rates.csv` (only for paths relativePathProblem accepts). */
export function normalizeRelativePath(path: string): string {
  return path.split('/').filter((part) => part !== '' && part !== '.').join('/');
}

/** Names from other Lua versions, with their Lua 5.3 form. */
const OLDER_NAMES: Readonly<Record<string, string>> = {
  unpack: "Lua 5.3 has 'table.unpack'",
  setfenv: 'Lua 5.3 has no setfenv (environments are _ENV)',
  getfenv: 'Lua 5.3 has no getfenv (environments are _ENV)',
  module: 'Lua 5.3 has no module function',
  bit32: 'Lua 5.3 has bitwise operators instead of bit32',
  'math.pow': "Lua 5.3 has the operator x ^ y instead",
  'math.mod': "Lua 5.3 has 'math.fmod'",
  'math.ldexp': "Lua 5.3 has x * 2.0 ^ e instead",
  'table.getn': "Lua 5.3 has the length operator #t instead",
  'table.maxn': 'Lua 5.3 has no table.maxn',
  'string.gfind': "Lua 5.3 has 'string.gmatch'",
};

function checkStdlib(value: Record<string, unknown>, sink: ProblemSink): void {
  const stdlib = value.stdlib;
  if (!isObject(stdlib)) return;
  const candidates = [...LUA53_STDLIB_NAMES, ...LEGACY_NAMES];
  const listed = new Map<string, Map<string, number>>(); // list → normalized entry → index
  for (const list of ['allow', 'deny']) {
    const entries = stdlib[list];
    const seen = new Map<string, number>();
    listed.set(list, seen);
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry, i) => {
      if (typeof entry !== 'string') return;
      const node = nodeAtPath(sink.root, ['stdlib', list, i]);
      if (!node) return;
      const name = normalizeStdlibEntry(entry);
      const known = entry.endsWith('.*') ? isStdlibLibrary(name) : isStdlibName(name) || LEGACY_NAMES.includes(name);
      if (!known) {
        if (/^[A-Za-z_][A-Za-z0-9_]*(\.([A-Za-z_][A-Za-z0-9_]*|\*))?$/.test(entry)) {
          if (entry.endsWith('.*')) {
            const hint = isStdlibName(name) ? ` (write '${name}' for the function itself)` : didYouMean(name, Object.keys(LUA53_LIBRARIES));
            sink.addAt(node, `'${name}' is not a Lua 5.3 standard library${hint}`);
          } else {
            const hint = Object.prototype.hasOwnProperty.call(OLDER_NAMES, name) ? `: ${OLDER_NAMES[name]}` : didYouMean(name, candidates);
            sink.addAt(node, `'${entry}' is not a Lua 5.3 standard-library name${hint}`);
          }
        }
        return;
      }
      if (list === 'allow' && LEGACY_NAMES.includes(name)) {
        // Denying it is harmless repetition; granting it would promise a function Lua 5.3 lacks.
        sink.addAt(node, `'${name}' is not Lua 5.3 and cannot be granted: allow 'load' instead`);
        return;
      }
      const earlier = seen.get(name);
      if (earlier !== undefined && entries[earlier] !== entry) {
        sink.addAt(node, `stdlib.${list} names '${name}' twice (as '${entries[earlier]}' and '${entry}')`);
      }
      seen.set(name, i);
    });
  }
  const deny = stdlib.deny;
  for (const [name] of listed.get('allow')!) {
    const index = listed.get('deny')!.get(name);
    if (index === undefined || !Array.isArray(deny)) continue;
    const node = nodeAtPath(sink.root, ['stdlib', 'deny', index]);
    if (node) sink.addAt(node, `'${name}' is both allowed and denied: stdlib.allow also names it`);
  }
}

/** `severity` keys are diagnostic codes: an unknown one is a warning (a typo would silently do nothing). */
function checkSeverity(value: Record<string, unknown>, sink: ProblemSink): void {
  const severity = value.severity;
  if (!isObject(severity)) return;
  for (const code of Object.keys(severity)) {
    const node = nodeAtPath(sink.root, ['severity', code]);
    const key = node?.parent?.type === 'property' ? node.parent.children![0] : node;
    if (!key) continue;
    if (FIXED_SEVERITY.has(code)) {
      sink.addAt(key, `the severity of '${code}' cannot be changed: ${code === 'syntax' ? 'a script that does not parse cannot run' : "the contract's own problems are always reported"}`, 'warning');
    } else if (!isKnownCode(code)) {
      sink.addAt(key, `unknown diagnostic code '${code}' in severity${didYouMean(code, CODES.filter((c) => !FIXED_SEVERITY.has(c)))}`, 'warning');
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const trees = new WeakMap<Contract, JsonNode | undefined>();

/**
 * Where the value at a JSON path (`['host', 'kb.search']`, `['input', 'properties', 'amount']`)
 * is in the contract file, for go to definition. With `key`, the span of its property name.
 */
export function locate(contract: Contract, path: readonly (string | number)[], options: { key?: boolean } = {}): Span | undefined {
  if (!trees.has(contract)) trees.set(contract, parseJson(contract.text).root);
  const node = nodeAtPath(trees.get(contract), path);
  if (!node) return undefined;
  const target = options.key && node.parent?.type === 'property' ? node.parent.children![0] : node;
  return new ProblemSink(contract.text, undefined, undefined).nodeSpan(target);
}

/** The contract of a script that no sandlua.json governs: defaults everywhere, no host functions. */
export function defaultContract(): Contract {
  const result = parseManifest(JSON.stringify({ name: 'no-contract', scripts: ['**/*.lua'] }), MANIFEST_FILE);
  if (result.manifest === undefined) throw new Error(`the default contract is invalid: ${result.problems[0]?.message}`);
  return result.manifest;
}

/**
 * `os.execute is not granted by invoice-normalizer (sandlua.json)`: the one message for a denied
 * name, said by the checker as the script is written and by the sandbox when it runs.
 */
export function notGrantedMessage(name: string, contract: Pick<Contract, 'name' | 'path'>): string {
  return `${name} is not granted by ${contract.name} (${nodePath.basename(contract.path || MANIFEST_FILE)})`;
}
