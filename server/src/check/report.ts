// The capability report and the capability diff, for reviewers. The report says, per contract, what
// it is for, its data boundary, limits and owner, the host functions it grants, and per script which
// of them the script calls (and where), which it never uses, and its violations. The diff compares
// the report of a base revision with the working tree and says, line by line, what a change adds
// or takes away — each line something a reviewer can approve.

import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { StdlibPolicy, type Contract, type ManifestResult } from '@sandlua/lua';
import { CheckInputError, collectFiles, display, type Severity } from './check';
import { analyzeScript } from './checker';
import { scriptCapabilities } from './capabilities';
import { ManifestDiscovery } from '../manifest-discovery';

export interface ScriptReport {
  path: string;
  /** Granted host functions the script calls, with the lines. */
  calls: { name: string; lines: number[] }[];
  /** Granted host functions it never calls. */
  unused: string[];
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
    const violations = analysis.findings
      .filter((f) => f.severity === 'error')
      .map((f) => ({ line: analysis.parsed.lineMap.positionAt(f.start).line + 1, code: f.code, severity: f.severity, message: f.message }));
    const report: ScriptReport = {
      path: display(script, cwd), calls,
      unused: contract ? [...contract.host.keys()].filter((n) => !used.has(n)) : [],
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
    for (const name of granted) if (!defaults.has(name)) allowed.push(name);
    for (const name of defaults) if (!granted.has(name)) denied.push(name);
  }
  return {
    path: display(m.path, cwd),
    name: c?.name ?? m.name ?? path.basename(path.dirname(m.path)),
    version: c?.version,
    purpose: c?.purpose,
    dataBoundary: c?.dataBoundary,
    owner: c?.approval?.owner,
    reviewers: c?.approval?.reviewers ?? [],
    onFailure: c?.onFailure,
    limits: c ? { ...c.limits } : undefined,
    host: c ? [...c.host.values()].map((h) => ({ name: h.name, signature: h.signature, doc: h.doc })) : [],
    stdlibAllowed: allowed.sort(),
    stdlibDenied: denied.sort(),
    problems: m.problems.map((p) => `${p.line}:${p.column}: ${p.message}`),
    scripts: [],
  };
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
  if (s.violations.length) {
    out.push(`- **${s.violations.length} violation${s.violations.length > 1 ? 's' : ''}:**`);
    for (const v of s.violations) out.push(`  - line ${v.line}: ${v.message} (\`${v.code}\`)`);
  } else {
    out.push('- No violations.');
  }
  out.push('');
  return out;
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
      out.push({ sign: '+', path: c.path, line: 1, text: `new contract ${c.name} (${c.path})${c.host.length ? ` grants ${c.host.map((h) => h.name).join(', ')}` : ''}` });
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

