// The audit record of a run: enough to say what happened (contract, script, input, every host
// call, output or error, figures) and to run it again identically (`sandlua replay`): the host
// results, the clock readings and the random seed the script saw are all recorded.

import { createHash } from 'crypto';
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

export interface AuditRecord {
  format: typeof AUDIT_FORMAT;
  contract: { name: string; version?: string; path: string; onFailure: string };
  script: { name: string; sha256: string; source: string };
  input: Json;
  inputSha256: string;
  startedAt: string;
  /** Readings of the clock, in the order the script took them. */
  clock: { now: number[]; cpu: number[]; timezoneOffset: number[] };
  randomSeed: number;
  hostCalls: AuditHostCall[];
  /** Modules loaded with require, in load order (absent in records of older versions). */
  modules?: AuditModule[];
  ok: boolean;
  output?: Json;
  error?: { kind: string; message: string; line?: number };
  stats: { instructions: number; memoryBytes: number; timeMs: number; hostCalls: number };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
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
