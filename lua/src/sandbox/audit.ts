// The audit record of a run: enough to say what happened (contract, script, input, every host
// call, output or error, figures) and to run it again identically (`sandlua replay`): the host
// results, the clock readings and the random seed the script saw are all recorded.

import type { Json } from './marshal';

export const AUDIT_FORMAT = 'sandlua-audit/1';

export interface AuditHostCall {
  name: string;
  args: Json[];
  /** The result the script received (after conversion), when the call succeeded. */
  result?: Json;
  /** The host's failure, when it failed. */
  error?: string;
  ms: number;
}

/** A module `require` loaded from the contract's modules: what ran, so that replay runs it again. */
export interface AuditModule {
  name: string;
  /** The file as the contract declares it (`lib/pricing_util.lua`). */
  path: string;
  sha256: string;
  source: string;
}

/** A host file a run read: replay serves it from here (`content`, base64) and never touches the files. */
export interface AuditFileRead {
  path: string;
  /** sha256 of the content ('' when the file did not exist). */
  sha256: string;
  bytes: number;
  /** The content, base64. */
  content?: string;
  /** The file did not exist. */
  missing?: true;
}

/** What a run did with the contract's files. */
export interface AuditFiles {
  /** Host files read, in order, each once. */
  read: AuditFileRead[];
  /** Files written, with their final content's hash and size: given to the host only when the run succeeded (`ok`). */
  written: { path: string; sha256: string; bytes: number }[];
  /** Files removed (os.remove, os.rename's source), likewise only on success. */
  removed: string[];
}

/** Bytes as the record keeps them: hash, size and the content in base64. */
export interface AuditBytes {
  sha256: string;
  bytes: number;
  base64: string;
}

export interface AuditRecord {
  format: typeof AUDIT_FORMAT;
  contract: { name: string; version?: string; path: string; onFailure: string };
  script: { name: string; sha256: string; source: string };
  input: Json;
  inputSha256: string;
  startedAt: string;
  /**
   * Readings of the clock, in the order the script took them; timezoneName, the zone's names
   * os.date's %Z showed (absent in records of older versions: a replay names the zone live).
   */
  clock: { now: number[]; cpu: number[]; timezoneOffset: number[]; timezoneName?: string[] };
  randomSeed: number;
  hostCalls: AuditHostCall[];
  /** Modules loaded with require, in load order (absent in records of older versions). */
  modules?: AuditModule[];
  /** The stdin text the host gave the run (io.read, io.lines, io.stdin), when it gave one. */
  stdin?: AuditBytes;
  /** What the script wrote to its output (print, io.write, io.stdout), as UTF-8 text. */
  stdout?: string;
  /** What the script wrote to io.stderr. */
  stderr?: string;
  /** The contract's files the run read, wrote and removed (when it touched any). */
  files?: AuditFiles;
  ok: boolean;
  output?: Json;
  /** sha256 of the output's canonical JSON (absent in records of older versions). */
  outputSha256?: string;
  error?: { kind: string; message: string; line?: number };
  stats: { instructions: number; memoryBytes: number; timeMs: number; hostCalls: number };
}

// Node's crypto module is loaded when a hash is first taken (only audits and replays take any):
// loading it costs every start of the command several milliseconds.
let createHash: typeof import('crypto').createHash | undefined;

export function sha256(text: string): string {
  createHash ??= (require('crypto') as typeof import('crypto')).createHash;
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function sha256Bytes(data: Uint8Array): string {
  createHash ??= (require('crypto') as typeof import('crypto')).createHash;
  return createHash('sha256').update(data).digest('hex');
}

/** The record's form of some bytes. */
export function auditBytes(data: Uint8Array): AuditBytes {
  return { sha256: sha256Bytes(data), bytes: data.length, base64: Buffer.from(data).toString('base64') };
}

/** JSON with sorted keys, so that equal values hash equally. */
export function canonicalJson(value: Json | undefined): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}

/** Checks that a parsed JSON value is an audit record this version reads; returns why not. */
export function auditProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not a JSON object';
  const r = value as Partial<AuditRecord>;
  if (r.format !== AUDIT_FORMAT) return `unknown format ${JSON.stringify(r.format)} (expected "${AUDIT_FORMAT}")`;
  if (typeof r.script?.source !== 'string') return 'script.source is missing';
  if (typeof r.contract?.path !== 'string') return 'contract.path is missing';
  if (!Array.isArray(r.hostCalls)) return 'hostCalls is missing';
  if (!r.clock || !Array.isArray(r.clock.now)) return 'clock is missing';
  if (typeof r.randomSeed !== 'number') return 'randomSeed is missing';
  return undefined;
}
