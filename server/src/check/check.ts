// `sandlua check`: finds the scripts under the given paths, checks each under its contract, and
// returns plain data (paths, 1-based positions, codes) for the formatters. The language server will
// share the per-file part, so nothing here prints or knows about a terminal or LSP.

import * as fs from 'fs';
import * as path from 'path';
import { analyzeScript, applySeverity, contractTextChange, LineMap, type ManifestResult, type Severity, type SeverityMap, type UngovernedScripts } from '@sandlua/lua';
import { availableParallelism, loadavg } from 'os';
import { MANIFEST_FILE, ManifestDiscovery } from '../manifest-discovery';
import { CHECK_WORKER_ARG, isCheckWorker } from './worker-arg';

export type { Severity };

/** One problem, positioned as DESIGN.md's JSON format says: lines and columns 1-based, end exclusive. */
export interface CheckDiagnostic {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Severity;
  code: string;
  message: string;
  /**
   * Quick fixes, positioned like the diagnostic (not part of the `json` format); `contract`: the
   * edits are in the governing contract (`CheckedFile.manifest`), not the script.
   */
  fixes?: { title: string; contract?: true; edits: { line: number; column: number; endLine: number; endColumn: number; newText: string }[] }[];
}

export interface CheckedFile {
  /** The path as given or found, relative to the working directory when inside it. */
  path: string;
  /** Path of the governing `sandlua.json` (same convention), or null when none governs the file. */
  manifest: string | null;
  diagnostics: CheckDiagnostic[];
  /** Findings a suppression comment in the script covers: only SARIF reports them (as suppressed). */
  suppressed?: CheckDiagnostic[];
  /** The file's text, for formatters that show source excerpts (not part of the JSON output). */
  source: string;
}

export interface CheckOptions {
  /** Use this contract for every script instead of discovering one. */
  manifest?: string;
  /** Base for the relative paths in the result (default: the working directory). */
  cwd?: string;
  /** Severity per code (`--severity`), over each contract's `"severity"` map. */
  severity?: SeverityMap;
  /**
   * How a script no contract governs is judged (`--ungoverned`): `default-contract` (the default:
   * under the default deny-all contract), `lint` (the language's own judgements) or `ignore` (syntax only).
   */
  ungoverned?: UngovernedScripts;
}

export interface CheckResult {
  files: CheckedFile[];
  errors: number;
  warnings: number;
}

/** A problem with the command's input (a missing path): reported as a usage error, not a finding. */
export class CheckInputError extends Error {
  // Known by its name (see usage.ts): the formatter's part of the bundle has its own copy of this module.
  override readonly name = 'CheckInputError';
}

const SKIPPED_FOLDERS = new Set(['node_modules', '.git', '.hg', '.svn']);

/**
 * Checks every `.lua` file under `paths` (files are taken as given whatever their extension, but
 * a `.json` file given by path is checked as a contract), and every contract met on the way: the
 * ones that govern the scripts, and every `sandlua.json` in the folders walked.
 */
export function check(paths: string[], options: CheckOptions = {}): CheckResult {
  const cwd = options.cwd ?? process.cwd();
  const discovery = new ManifestDiscovery();
  let fixed: ManifestResult | undefined;
  if (options.manifest) {
    const given = path.resolve(cwd, options.manifest);
    const file = isDirectory(given) ? path.join(given, MANIFEST_FILE) : given;
    fixed = discovery.load(file);
    if (!fixed) throw new CheckInputError(`no such contract: ${options.manifest}`);
  }

  const { scripts, contracts } = collectFiles(paths, cwd);
  const files: CheckedFile[] = [];
  const manifests = new Map<string, ManifestResult>();
  if (fixed) manifests.set(fixed.path, fixed);
  for (const script of scripts) {
    const manifest = fixed ?? discovery.governing(script);
    if (manifest) manifests.set(manifest.path, manifest);
    files.push(checkScript(script, manifest, cwd, options.severity, options.ungoverned));
  }
  for (const contract of contracts) {
    const manifest = discovery.load(contract);
    if (manifest) manifests.set(manifest.path, manifest);
  }
  // A contract's problems are findings on the contract file itself, each at its place in the JSON.
  // Contracts without problems are not listed: they are not what was asked to be checked.
  files.push(...contractFiles(manifests, cwd));
  return tally(files);
}

/**
 * Source bytes one worker thread must have to check before it pays for itself. A worker loads the
 * bundle, compiles the contract schema and warms up the analysis before its first script is fast
 * (about 1.5 s of CPU on two cores), time a core could have spent checking: measured with
 * `npm run bench:check`, a second thread on two cores only broke even at about 12 MB of scripts.
 */
const BYTES_PER_WORKER = 12 * 1024 * 1024;

/**
 * How many threads check `scripts`: `jobs` when given, else what the work (bytes) pays for and the
 * cores that are free (the cores found less the load average: on a busy machine a worker only
 * takes a core from the main thread).
 */
export function checkThreads(scripts: string[], jobs?: number, cores = availableParallelism(), load = loadavg()[0]): number {
  if (jobs !== undefined) return Math.max(1, Math.min(jobs, scripts.length));
  let bytes = 0;
  for (const script of scripts) {
    try {
      bytes += fs.statSync(script).size;
    } catch {
      // Unreadable: reported by the check itself.
    }
  }
  const free = Math.floor(cores - load + 0.5);
  return Math.max(1, Math.min(free, 1 + Math.floor(bytes / BYTES_PER_WORKER)));
}

/** Scripts a thread takes from the queue at a time. */
const BATCH = 16;

/**
 * `check` on several threads when the work pays for them (or `jobs` says how many): the main thread
 * and its workers take scripts from one queue, a batch at a time, so a worker still starting (or a
 * busy core) takes less and the run is never much slower than one thread; each thread discovers
 * contracts itself. A worker that fails gives its batch back to the queue. `onProgress` hears how
 * many are done.
 */
export async function checkParallel(paths: string[], options: CheckOptions & { jobs?: number; onProgress?: (done: number, total: number) => void } = {}): Promise<CheckResult> {
  const cwd = options.cwd ?? process.cwd();
  const { scripts } = collectFiles(paths, cwd);
  const threads = checkThreads(scripts, options.jobs);
  if (threads < 2) return check(paths, options);
  const contractsOnly = checkContracts(paths, options);
  let fixed: ManifestResult | undefined;
  const discovery = new ManifestDiscovery();
  if (options.manifest) {
    const given = path.resolve(cwd, options.manifest);
    fixed = discovery.load(isDirectory(given) ? path.join(given, MANIFEST_FILE) : given);
  }
  const queue: string[][] = [];
  for (let i = 0; i < scripts.length; i += BATCH) queue.push(scripts.slice(i, i + BATCH));
  const byPath = new Map<string, CheckedFile>();
  let done = 0;
  const finished = (files: CheckedFile[]): void => {
    for (const f of files) byPath.set(f.path, f);
    done += files.length;
    options.onProgress?.(done, scripts.length);
  };
  const { Worker } = require('worker_threads') as typeof import('worker_threads');
  let alive = threads - 1;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  for (let i = 0; i < threads - 1; i++) {
    let batch: string[] | undefined;
    const worker = new Worker(__filename, { argv: ['check', CHECK_WORKER_ARG], workerData: { manifest: options.manifest, cwd, severity: options.severity, ungoverned: options.ungoverned } });
    const giveBack = (): void => {
      if (batch) queue.push(batch);
      batch = undefined;
      notify();
    };
    worker.on('message', (m: { files?: CheckedFile[] }) => {
      if (m.files) finished(m.files);
      batch = queue.shift();
      if (batch) worker.postMessage(batch);
      else void worker.terminate();
    });
    // A worker that fails loses nothing: its batch goes back and another thread checks it.
    worker.on('error', giveBack);
    worker.on('exit', () => {
      alive--;
      giveBack();
    });
  }
  // The main thread checks too, a batch at a time, giving the workers' messages their turn between;
  // with the queue empty it waits for the workers' last batches (or one given back).
  for (;;) {
    const batch = queue.shift();
    if (batch) {
      finished(batch.map((s) => checkScript(s, fixed ?? discovery.governing(s), cwd, options.severity, options.ungoverned)));
      await new Promise((resolve) => setImmediate(resolve));
    } else if (alive > 0) {
      await new Promise<void>((resolve) => (wake = resolve));
    } else {
      break;
    }
  }
  const files = [...scripts.map((s) => byPath.get(display(s, cwd))!).filter(Boolean), ...contractsOnly];
  return tally(files);
}

function tally(files: CheckedFile[]): CheckResult {
  let errors = 0;
  let warnings = 0;
  for (const file of files) {
    for (const d of file.diagnostics) {
      if (d.severity === 'error') errors++;
      else if (d.severity === 'warning') warnings++;
    }
  }
  return { files, errors, warnings };
}

/** The contracts met under `paths` and governing their scripts, with their problems. */
function checkContracts(paths: string[], options: CheckOptions): CheckedFile[] {
  const cwd = options.cwd ?? process.cwd();
  const discovery = new ManifestDiscovery();
  const { scripts, contracts } = collectFiles(paths, cwd);
  const manifests = new Map<string, ManifestResult>();
  if (options.manifest) {
    const given = path.resolve(cwd, options.manifest);
    const m = discovery.load(isDirectory(given) ? path.join(given, MANIFEST_FILE) : given);
    if (m) manifests.set(m.path, m);
  } else {
    for (const script of scripts) {
      const m = discovery.governing(script);
      if (m) manifests.set(m.path, m);
    }
  }
  for (const contract of contracts) {
    const m = discovery.load(contract);
    if (m) manifests.set(m.path, m);
  }
  return contractFiles(manifests, cwd);
}

function contractFiles(manifests: Map<string, ManifestResult>, cwd: string): CheckedFile[] {
  const files: CheckedFile[] = [];
  for (const manifest of manifests.values()) {
    if (manifest.problems.length === 0) continue;
    const shown = display(manifest.path, cwd);
    files.push({
      path: shown,
      manifest: shown,
      diagnostics: manifest.problems.map((p) => ({
        line: p.line, column: p.column, endLine: p.endLine, endColumn: p.endColumn, severity: p.severity, code: 'manifest', message: p.message,
      })),
      source: readText(manifest.path),
    });
  }
  return files;
}

// A worker thread of checkParallel: checks the batches it is given and sends each back.
if (isCheckWorker()) {
  const { parentPort, workerData } = require('worker_threads') as typeof import('worker_threads');
  const data = workerData as { manifest?: string; cwd: string; severity?: SeverityMap; ungoverned?: UngovernedScripts };
  const discovery = new ManifestDiscovery();
  let fixed: ManifestResult | undefined;
  if (data.manifest) {
    const given = path.resolve(data.cwd, data.manifest);
    fixed = discovery.load(isDirectory(given) ? path.join(given, MANIFEST_FILE) : given);
  }
  parentPort!.on('message', (batch: string[]) => {
    parentPort!.postMessage({ files: batch.map((s) => checkScript(s, fixed ?? discovery.governing(s), data.cwd, data.severity, data.ungoverned)) });
  });
  parentPort!.postMessage({ ready: true });
}

/**
 * Checks one script's text under its contract; the per-file step that the language server shares.
 * `file` is where the script is (module files are told from scripts by it). Severities are final:
 * `severity` (the command line's) over the contract's map; findings turned off are left out, and
 * the ones a comment suppresses are apart in `suppressed`.
 */
export function checkSource(
  source: string | Uint8Array, name: string, manifest?: ManifestResult, file?: string, severity?: SeverityMap, ungoverned?: UngovernedScripts,
): { diagnostics: CheckDiagnostic[]; suppressed: CheckDiagnostic[]; text: string } {
  const contract = manifest?.manifest;
  const broken = manifest !== undefined && contract === undefined ? path.basename(path.dirname(manifest.path)) + '/' + MANIFEST_FILE : undefined;
  const analysis = analyzeScript(source, name, contract, { brokenContract: broken, path: file, ungoverned });
  const findings = applySeverity(analysis.findings, severity, contract?.severity);
  const lineMap = analysis.parsed.lineMap;
  const diagnostics: CheckDiagnostic[] = [];
  const suppressed: CheckDiagnostic[] = [];
  for (const d of findings) {
    const start = lineMap.positionAt(d.start);
    const end = lineMap.positionAt(d.end);
    const out: CheckDiagnostic = {
      line: start.line + 1,
      column: start.character + 1,
      endLine: end.line + 1,
      endColumn: end.character + 1,
      severity: d.severity,
      code: d.code,
      message: d.message,
    };
    // A suppression comment is not a fix a reviewer applies: the editor offers it, the formats do not.
    const fixes = d.fixes?.filter((f) => !f.silences);
    if (fixes && fixes.length > 0) {
      out.fixes = fixes.flatMap((f) => {
        if (!f.contract) return [{ title: f.title, edits: f.edits.map((e) => positioned(lineMap, e)) }];
        // A change to the contract: an edit of its text as loaded.
        const change = contract && contractTextChange(contract.text, f.contract);
        return change ? [{ title: f.title, contract: true as const, edits: [positioned(new LineMap(contract.text), change)] }] : [];
      });
    }
    (d.suppressed ? suppressed : diagnostics).push(out);
  }
  return { text: analysis.parsed.source, diagnostics, suppressed };
}

/** An edit with 1-based lines and columns. */
function positioned(lines: LineMap, e: { start: number; end: number; newText: string }): { line: number; column: number; endLine: number; endColumn: number; newText: string } {
  const a = lines.positionAt(e.start);
  const b = lines.positionAt(e.end);
  return { line: a.line + 1, column: a.character + 1, endLine: b.line + 1, endColumn: b.character + 1, newText: e.newText };
}

function checkScript(script: string, manifest: ManifestResult | undefined, cwd: string, severity?: SeverityMap, ungoverned?: UngovernedScripts): CheckedFile {
  const bytes = fs.readFileSync(script);
  // Lua source is bytes. Valid UTF-8 is decoded so that columns count characters as editors do;
  // anything else is parsed byte for byte (columns are then byte columns, as luac counts them).
  let source: string | Uint8Array;
  try {
    source = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    source = bytes;
  }
  const shown = display(script, cwd);
  const { diagnostics, suppressed, text } = checkSource(source, path.basename(script), manifest, script, severity, ungoverned);
  return { path: shown, manifest: manifest ? display(manifest.path, cwd) : null, diagnostics, ...(suppressed.length > 0 ? { suppressed } : {}), source: text };
}

export function collectFiles(paths: string[], cwd: string): { scripts: string[]; contracts: string[] } {
  const found: string[] = [];
  const contracts: string[] = [];
  const seen = new Set<string>();
  const add = (file: string) => {
    if (!seen.has(file)) {
      seen.add(file);
      found.push(file);
    }
  };
  const addContract = (file: string) => {
    if (!seen.has(file)) {
      seen.add(file);
      contracts.push(file);
    }
  };
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(absolute);
    } catch {
      throw new CheckInputError(`no such file or folder: ${given}`);
    }
    if (!stat.isDirectory()) {
      if (absolute.endsWith('.json')) addContract(absolute);
      else add(absolute);
      continue;
    }
    // Iterative walk, sorted, so the output order is stable across machines.
    const stack = [absolute];
    while (stack.length > 0) {
      const dir = stack.pop()!;
      const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const subfolders: string[] = [];
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!SKIPPED_FOLDERS.has(entry.name)) subfolders.push(full);
        } else if (entry.isFile() && entry.name.endsWith('.lua')) {
          add(full);
        } else if (entry.name === MANIFEST_FILE && !entry.isDirectory()) {
          addContract(full);
        }
      }
      for (let i = subfolders.length - 1; i >= 0; i--) stack.push(subfolders[i]);
    }
  }
  return { scripts: found, contracts };
}

function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** Relative to cwd when inside it (with `/` separators), absolute otherwise. */
export function display(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return file;
  return relative.split(path.sep).join('/');
}

export function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
