// The capability report and the capability diff, for reviewers. The report says, per contract, what
// it is for, its data boundary, limits and owner, the host functions, modules and files it grants,
// and per script which host functions the script calls (and where), which it never uses, the
// modules it requires and the files it opens, and its violations. The diff compares
// the report of a base revision with the working tree and says, line by line, what a change adds
// or takes away — each line something a reviewer can approve.

import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { StdlibPolicy, analyzeScript, applySeverity, scriptCapabilities, type Contract, type ManifestResult } from '@sandlua/lua';
import { CheckInputError, collectFiles, display, type Severity } from './check';
import { ManifestDiscovery } from '../manifest-discovery';

export interface ScriptReport {
  path: string;
  /** Granted host functions the script calls, with the lines. */
  calls: { name: string; lines: number[] }[];
  /** Granted host functions it never calls. */
  unused: string[];
  /** Modules it requires by a literal name (only when it requires any, so older reports keep their shape). */
  requires?: { name: string; lines: number[] }[];
  /** Files it opens by a literal path, with what it does with them (only when it opens any). */
  files?: { path: string; access: string; lines: number[] }[];
  violations: { line: number; code: string; severity: Severity; message: string }[];
}

export interface ContractReport {
  path: string;
  name: string;
  version?: string;
  purpose?: string;
  dataBoundary?: string;
  owner?: string;
  reviewers: string[];
  onFailure?: string;
  limits?: Record<string, number>;
  host: { name: string; signature: string; doc?: string }[];
  /** Declared modules (only when the contract declares any). */
  modules?: { name: string; path: string }[];
  /** Declared files with their access (only when the contract declares any). */
  files?: { path: string; access: string }[];
  /** Standard-library names granted beyond the safe default, and default ones taken away. */
  stdlibAllowed: string[];
  stdlibDenied: string[];
  problems: string[];
  scripts: ScriptReport[];
}

export interface Report {
  contracts: ContractReport[];
  /** Scripts no contract governs. */
  ungoverned: ScriptReport[];
}

export function buildReport(paths: string[], cwd: string, manifestOption?: string): Report {
  const discovery = new ManifestDiscovery();
  let fixed: ManifestResult | undefined;
  if (manifestOption) {
    fixed = discovery.load(path.resolve(cwd, manifestOption));
    if (!fixed) throw new CheckInputError(`no such contract: ${manifestOption}`);
  }
  const { scripts, contracts } = collectFiles(paths, cwd);
  const byContract = new Map<string, ContractReport>();
  const ungoverned: ScriptReport[] = [];
  const contractReport = (m: ManifestResult): ContractReport => {
    let r = byContract.get(m.path);
    if (!r) {
      r = describeContract(m, cwd);
      byContract.set(m.path, r);
    }
    return r;
  };
  for (const file of contracts) {
    const m = discovery.load(file);
    if (m) contractReport(m);
  }
  for (const script of scripts) {
    const manifest = fixed ?? discovery.governing(script);
    const text = fs.readFileSync(script, 'utf8');
    const contract = manifest?.manifest;
    const analysis = analyzeScript(text, path.basename(script), contract, { brokenContract: manifest && !contract ? display(manifest.path, cwd) : undefined, path: script });
    const caps = scriptCapabilities(analysis.scope, analysis.parsed.lineMap, contract);
    const calls = caps.calls.map((c) => ({ name: c.name, lines: [...new Set(c.sites.map((s) => s.line))] }));
    const used = new Set(calls.map((c) => c.name));
    // The contract's severity map counts; a finding a comment suppresses is not a violation.
    const violations = applySeverity(analysis.findings, undefined, contract?.severity)
      .filter((f) => f.severity === 'error' && !f.suppressed)
      .map((f) => ({ line: analysis.parsed.lineMap.positionAt(f.start).line + 1, code: f.code, severity: f.severity, message: f.message }));
    const lines = (sites: { line: number }[]): number[] => [...new Set(sites.map((s) => s.line))];
    // `requires` and `files` only when there are some: the JSON of other scripts keeps its shape.
    const report: ScriptReport = {
      path: display(script, cwd), calls,
      unused: contract ? [...contract.host.keys()].filter((n) => !used.has(n)) : [],
      ...(caps.requires.length > 0 ? { requires: caps.requires.map((r) => ({ name: r.name, lines: lines(r.sites) })) } : {}),
      ...(caps.files.length > 0 ? { files: caps.files.map((f) => ({ path: f.path, access: f.access, lines: lines(f.sites) })) } : {}),
      violations,
    };
    if (manifest) contractReport(manifest).scripts.push(report);
    else ungoverned.push(report);
  }
  return { contracts: [...byContract.values()].sort((a, b) => a.path.localeCompare(b.path)), ungoverned };
}

function describeContract(m: ManifestResult, cwd: string): ContractReport {
  const c: Contract | undefined = m.manifest;
  const allowed: string[] = [];
  const denied: string[] = [];
  if (c) {
    const granted = new Set(c.policy.grantedNames());
    const defaults = new Set(StdlibPolicy.DEFAULT.grantedNames());
    // A library of which only some fields are granted (`io` through `files`) is told by those fields.
    for (const name of granted) if (!defaults.has(name) && c.policy.access(name) !== 'partial') allowed.push(name);
    for (const name of defaults) if (!granted.has(name)) denied.push(name);
  }
  // fileBytes bounds the declared files: a contract without any is shown as it always was.
  const limits: Record<string, number> | undefined = c ? { ...c.limits } : undefined;
  const raw = c?.raw.limits;
  if (limits && c && c.files.size === 0 && !(typeof raw === 'object' && raw !== null && 'fileBytes' in raw)) delete limits.fileBytes;
  const report: ContractReport = {
    path: display(m.path, cwd),
    name: c?.name ?? m.name ?? path.basename(path.dirname(m.path)),
    version: c?.version,
    purpose: c?.purpose,
    dataBoundary: c?.dataBoundary,
    owner: c?.approval?.owner,
    reviewers: c?.approval?.reviewers ?? [],
    onFailure: c?.onFailure,
    limits,
    host: c ? [...c.host.values()].map((h) => ({ name: h.name, signature: h.signature, doc: h.doc })) : [],
    // Only when declared: the JSON of other contracts keeps its shape.
    ...(c && c.modules.size > 0 ? { modules: [...c.modules.values()].map((d) => ({ name: d.name, path: d.path })) } : {}),
    ...(c && c.files.size > 0 ? { files: [...c.files].map(([file, access]) => ({ path: file, access })) } : {}),
    stdlibAllowed: allowed.sort(),
    stdlibDenied: denied.sort(),
    problems: m.problems.map((p) => `${p.line}:${p.column}: ${p.message}`),
    scripts: [],
  };
  return report;
}

// ---- markdown ------------------------------------------------------------------------------------

export function formatReportMarkdown(report: Report, changes?: CapabilityChange[]): string {
  const out: string[] = ['# Capability report', ''];
  if (changes) {
    out.push('## What this change adds or removes', '');
    if (changes.length === 0) out.push('No capability changes.', '');
    for (const c of changes) out.push(`- ${c.sign === '+' ? '➕' : c.sign === '-' ? '➖' : '✏️'} ${c.text}`);
    if (changes.length > 0) out.push('');
  }
  for (const c of report.contracts) {
    out.push(`## ${c.name}${c.version ? ` ${c.version}` : ''} — \`${c.path}\``, '');
    if (c.problems.length > 0) {
      out.push(`**The contract is broken** (its scripts run under deny-all): ${c.problems.join('; ')}`, '');
    }
    if (c.purpose) out.push(`**Purpose:** ${c.purpose}  `);
    if (c.dataBoundary) out.push(`**Data boundary:** ${c.dataBoundary}  `);
    if (c.owner) out.push(`**Approval:** ${c.owner}${c.reviewers.length ? ` (reviewers: ${c.reviewers.join(', ')})` : ''}  `);
    if (c.onFailure) out.push(`**On failure:** ${c.onFailure}  `);
    if (c.limits) out.push(`**Limits:** ${Object.entries(c.limits).map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`).join(', ')}  `);
    if (c.stdlibAllowed.length) out.push(`**Standard library granted beyond the default:** ${c.stdlibAllowed.map((n) => `\`${n}\``).join(', ')}  `);
    if (c.stdlibDenied.length) out.push(`**Standard library taken away:** ${c.stdlibDenied.map((n) => `\`${n}\``).join(', ')}  `);
    out.push('');
    if (c.host.length > 0) {
      out.push('| host function | signature |', '|---|---|');
      for (const h of c.host) out.push(`| \`${h.name}\` | \`${h.signature}\` |`);
      out.push('');
    } else {
      out.push('Grants no host functions.', '');
    }
    if (c.modules) {
      out.push('| module | file |', '|---|---|');
      for (const d of c.modules) out.push(`| \`${d.name}\` | \`${d.path}\` |`);
      out.push('');
    }
    if (c.files) {
      out.push('| file | access |', '|---|---|');
      for (const f of c.files) out.push(`| \`${f.path}\` | ${f.access} |`);
      out.push('');
    }
    for (const s of c.scripts) out.push(...scriptMarkdown(s));
  }
  if (report.ungoverned.length > 0) {
    out.push('## Scripts no contract governs (deny-all)', '');
    for (const s of report.ungoverned) out.push(...scriptMarkdown(s));
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

function scriptMarkdown(s: ScriptReport): string[] {
  const out = [`### \`${s.path}\``, ''];
  out.push(s.calls.length ? `- Calls: ${s.calls.map((c) => `\`${c.name}\` (line${c.lines.length > 1 ? 's' : ''} ${c.lines.join(', ')})`).join(', ')}` : '- Calls no host function.');
  if (s.unused.length) out.push(`- Never uses: ${s.unused.map((n) => `\`${n}\``).join(', ')}`);
  const at = (lines: number[]): string => `line${lines.length > 1 ? 's' : ''} ${lines.join(', ')}`;
  if (s.requires) out.push(`- Requires: ${s.requires.map((r) => `\`${r.name}\` (${at(r.lines)})`).join(', ')}`);
  if (s.files) out.push(`- Opens: ${s.files.map((f) => `\`${f.path}\` ${describeAccess(f.access)} (${at(f.lines)})`).join(', ')}`);
  if (s.violations.length) {
    out.push(`- **${s.violations.length} violation${s.violations.length > 1 ? 's' : ''}:**`);
    for (const v of s.violations) out.push(`  - line ${v.line}: ${v.message} (\`${v.code}\`)`);
  } else {
    out.push('- No violations.');
  }
  out.push('');
  return out;
}

/** `for read`, `for write`, `for read and write`, `with a computed mode`. */
function describeAccess(access: string): string {
  return access === 'any' ? 'with a computed mode' : `for ${access.replace('-', ' and ')}`;
}

// ---- the diff --------------------------------------------------------------------------------------

export interface CapabilityChange {
  sign: '+' | '-' | '~';
  /** The file it is about (contract or script), as displayed. */
  path: string;
  line: number;
  text: string;
}

/** What `head` adds to or takes from `base`, contract by contract and script by script. */
export function diffReports(base: Report, head: Report): CapabilityChange[] {
  const out: CapabilityChange[] = [];
  const baseContracts = new Map(base.contracts.map((c) => [c.path, c]));
  for (const c of head.contracts) {
    const b = baseContracts.get(c.path);
    if (!b) {
      const grants = [
        ...(c.host.length ? [` grants ${c.host.map((h) => h.name).join(', ')}`] : []),
        ...(c.modules ? [` declares modules ${c.modules.map((d) => d.name).join(', ')}`] : []),
        ...(c.files ? [` grants files ${c.files.map((f) => `${f.path} (${f.access})`).join(', ')}`] : []),
      ];
      out.push({ sign: '+', path: c.path, line: 1, text: `new contract ${c.name} (${c.path})${grants.join(';')}` });
    } else {
      const bh = new Set(b.host.map((h) => h.name));
      const ch = new Set(c.host.map((h) => h.name));
      for (const h of c.host) if (!bh.has(h.name)) out.push({ sign: '+', path: c.path, line: 1, text: `${c.name} grants host function ${h.name}: ${h.signature}` });
      for (const h of b.host) if (!ch.has(h.name)) out.push({ sign: '-', path: c.path, line: 1, text: `${c.name} no longer grants host function ${h.name}` });
      for (const h of c.host) {
        const old = b.host.find((x) => x.name === h.name);
        if (old && old.signature !== h.signature) out.push({ sign: '~', path: c.path, line: 1, text: `${c.name} changes ${h.name}: ${old.signature} → ${h.signature}` });
      }
      const baseAllowed = new Set(b.stdlibAllowed);
      for (const n of c.stdlibAllowed) if (!baseAllowed.has(n)) out.push({ sign: '+', path: c.path, line: 1, text: `${c.name} grants standard-library ${n}` });
      const headAllowed = new Set(c.stdlibAllowed);
      for (const n of b.stdlibAllowed) if (!headAllowed.has(n)) out.push({ sign: '-', path: c.path, line: 1, text: `${c.name} no longer grants standard-library ${n}` });
      for (const [k, v] of Object.entries(c.limits ?? {})) {
        const old = b.limits?.[k];
        if (old !== undefined && old !== v) out.push({ sign: v > old ? '+' : '-', path: c.path, line: 1, text: `${c.name} ${v > old ? 'raises' : 'lowers'} limit ${k}: ${old.toLocaleString('en-US')} → ${v.toLocaleString('en-US')}` });
      }
      const baseModules = new Map((b.modules ?? []).map((d) => [d.name, d.path]));
      const headModules = new Map((c.modules ?? []).map((d) => [d.name, d.path]));
      for (const [name, file] of headModules) {
        const old = baseModules.get(name);
        if (old === undefined) out.push({ sign: '+', path: c.path, line: 1, text: `${c.name} declares module ${name} (${file})` });
        else if (old !== file) out.push({ sign: '~', path: c.path, line: 1, text: `${c.name} moves module ${name}: ${old} → ${file}` });
      }
      for (const name of baseModules.keys()) if (!headModules.has(name)) out.push({ sign: '-', path: c.path, line: 1, text: `${c.name} no longer declares module ${name}` });
      const baseFiles = new Map((b.files ?? []).map((f) => [f.path, f.access]));
      const headFiles = new Map((c.files ?? []).map((f) => [f.path, f.access]));
      for (const [file, access] of headFiles) {
        const old = baseFiles.get(file);
        if (old === undefined) out.push({ sign: '+', path: c.path, line: 1, text: `${c.name} grants file ${file} (${access})` });
        else if (old !== access) out.push({ sign: access === 'read-write' ? '+' : old === 'read-write' ? '-' : '~', path: c.path, line: 1, text: `${c.name} changes access to file ${file}: ${old} → ${access}` });
      }
      for (const file of baseFiles.keys()) if (!headFiles.has(file)) out.push({ sign: '-', path: c.path, line: 1, text: `${c.name} no longer grants file ${file}` });
      if (b.onFailure !== c.onFailure) out.push({ sign: '~', path: c.path, line: 1, text: `${c.name} changes onFailure: ${b.onFailure} → ${c.onFailure}` });
      if (b.dataBoundary !== c.dataBoundary) out.push({ sign: '~', path: c.path, line: 1, text: `${c.name} changes its data boundary` });
    }
  }
  for (const b of base.contracts) if (!head.contracts.some((c) => c.path === b.path)) out.push({ sign: '-', path: b.path, line: 1, text: `contract ${b.name} (${b.path}) removed` });

  const scriptsOf = (r: Report): Map<string, ScriptReport> => new Map([...r.contracts.flatMap((c) => c.scripts), ...r.ungoverned].map((s) => [s.path, s]));
  const baseScripts = scriptsOf(base);
  for (const s of scriptsOf(head).values()) {
    const b = baseScripts.get(s.path);
    const oldCalls = new Set((b?.calls ?? []).map((c) => c.name));
    for (const c of s.calls) if (!oldCalls.has(c.name)) out.push({ sign: '+', path: s.path, line: c.lines[0], text: `${s.path} ${b ? 'starts calling' : 'calls'} ${c.name} (line ${c.lines.join(', ')})` });
    const newCalls = new Set(s.calls.map((c) => c.name));
    for (const c of b?.calls ?? []) if (!newCalls.has(c.name)) out.push({ sign: '-', path: s.path, line: 1, text: `${s.path} stops calling ${c.name}` });
    const oldRequires = new Set((b?.requires ?? []).map((r) => r.name));
    for (const r of s.requires ?? []) if (!oldRequires.has(r.name)) out.push({ sign: '+', path: s.path, line: r.lines[0], text: `${s.path} ${b ? 'starts requiring' : 'requires'} ${r.name} (line ${r.lines.join(', ')})` });
    const newRequires = new Set((s.requires ?? []).map((r) => r.name));
    for (const r of b?.requires ?? []) if (!newRequires.has(r.name)) out.push({ sign: '-', path: s.path, line: 1, text: `${s.path} stops requiring ${r.name}` });
    const fileKey = (f: { path: string; access: string }): string => `${f.access} ${f.path}`;
    const oldFiles = new Set((b?.files ?? []).map(fileKey));
    for (const f of s.files ?? []) if (!oldFiles.has(fileKey(f))) out.push({ sign: '+', path: s.path, line: f.lines[0], text: `${s.path} ${b ? 'starts opening' : 'opens'} ${f.path} ${describeAccess(f.access)} (line ${f.lines.join(', ')})` });
    const newFiles = new Set((s.files ?? []).map(fileKey));
    for (const f of b?.files ?? []) if (!newFiles.has(fileKey(f))) out.push({ sign: '-', path: s.path, line: 1, text: `${s.path} stops opening ${f.path} ${describeAccess(f.access)}` });
    const oldViolations = new Set((b?.violations ?? []).map((v) => `${v.code}\n${v.message}`));
    for (const v of s.violations) if (!oldViolations.has(`${v.code}\n${v.message}`)) out.push({ sign: '+', path: s.path, line: v.line, text: `new violation in ${s.path}:${v.line}: ${v.message} (${v.code})` });
  }
  return out;
}

export function formatChanges(changes: CapabilityChange[]): string {
  if (changes.length === 0) return 'Capability changes against the base: none.\n';
  return ['Capability changes against the base:', ...changes.map((c) => `  ${c.sign} ${c.text}`)].join('\n') + '\n';
}

/**
 * The report of `paths` at a git revision: the revision's tree is exported to a temporary folder
 * (git archive) and reported there, paths as in the working tree.
 */
export function reportAtRevision(ref: string, paths: string[], cwd: string, manifestOption?: string): Report {
  let top: string;
  try {
    top = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    execFileSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd, stdio: 'ignore' });
  } catch {
    throw new CheckInputError(`--base ${ref}: not a git revision of the repository at ${cwd}`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-base-'));
  try {
    const tar = path.join(tmp, 'base.tar');
    execFileSync('git', ['archive', '--format=tar', '-o', tar, ref], { cwd: top, stdio: ['ignore', 'pipe', 'pipe'] });
    const tree = path.join(tmp, 'tree');
    fs.mkdirSync(tree);
    execFileSync('tar', ['-xf', tar, '-C', tree]);
    const rel = path.relative(top, cwd);
    const baseCwd = path.join(tree, rel);
    const existing = paths.filter((p) => fs.existsSync(path.resolve(baseCwd, p)));
    if (!fs.existsSync(baseCwd) || existing.length === 0) return { contracts: [], ungoverned: [] };
    const manifest = manifestOption && fs.existsSync(path.resolve(baseCwd, manifestOption)) ? manifestOption : undefined;
    return buildReport(existing, baseCwd, manifest);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

