// SandboxPool: runs scripts under one contract on worker threads (piscina), one run per worker at a
// time, so a host uses every core and a script that holds its thread holds a worker's, not the host's.
//
// - Each worker has its own Sandbox built from the contract's text (pool-worker.ts); a run there
//   is the same `Sandbox.run` (or `replay`) as in process: limits, charges, audit record, replay.
// - Host functions stay in the host's main thread: the worker sends each call over a MessagePort
//   handed over with the task; this side calls the host function and answers (a value as JSON, or
//   the failure's message), so the run sees what an in-process run sees and records the same.
//   The script's output stream comes back over the same port, to the host's sinks.
// - Two walls behind the sandbox's own limits. V8's heap limit per worker (Worker resourceLimits):
//   a worker that dies of it gives its run a `memory` result. The run's time limit: a run still
//   going `graceMs` past its `timeMs` (stuck inside one long operation the sandbox cannot
//   interrupt) is ended by terminating its worker (piscina's abort), with a `budget` result.
//   piscina starts a worker in place of one that died; the other runs go on.

import * as path from 'path';
import type { MessagePort, ResourceLimits } from 'worker_threads';
import type PiscinaPool from 'piscina';
import type { Contract } from '../contract/manifest';
import { Sandbox, UNREAD_MESSAGE, type HostImplementation, type SandboxOptions, type RunError, type RunOptions, type RunResult, type RunStats, type SandboxErrorKind } from './sandbox';
import { AUDIT_FORMAT, auditBytes, canonicalJson, sha256, type AuditHostCall, type AuditRecord } from './audit';
import { MarshalError, hostValueSteps, inSlices, type HostValue, type Json } from './marshal';
import { now } from '../vm/clock';

/**
 * Sandbox's options that can reach a worker (host functions and sinks stay in this thread), and
 * the pool's own. No `files` or `clock`: workers cannot call them.
 */
export interface SandboxPoolOptions extends Pick<SandboxOptions, 'manifest' | 'host' | 'mockFromExamples' | 'print' | 'stdout' | 'stderr' | 'env'> {
  /** The modules' sources by declared path (an object; default: the files in the contract's folder, read by the workers). */
  modules?: Readonly<Record<string, string>>;
  /** How many worker threads (default: the cores found, os.availableParallelism()). */
  threads?: number;
  /**
   * V8's limits for each worker (default: an old generation of four times the contract's memory
   * limit plus 128 MB). A worker that passes them is stopped and its run reported as `memory`.
   */
  resourceLimits?: ResourceLimits;
  /** How long past its timeMs a run may go before its worker is terminated, in milliseconds (default 100). */
  graceMs?: number;
}

/** What a worker is built with (piscina's workerData): plain data only. */
export interface PoolWorkerData {
  contract: { text: string; path: string };
  /** The host functions this side implements: the worker forwards calls to these. */
  host: string[];
  mock: boolean;
  env?: Readonly<Record<string, string>>;
  modules?: Readonly<Record<string, string>>;
  /** Which output sinks the host gave (the worker forwards what goes to them). */
  sinks: { stdout: boolean; stderr: boolean; print: boolean };
}

/** One run as it crosses to a worker; `run` numbers it in the pool. */
export interface PoolTask {
  run: number;
  method: 'run' | 'replay';
  source: string;
  input: unknown;
  /** Why the input is not plain data (what JSON.stringify said), when it is not. */
  inputProblem?: { message: string; odd: boolean };
  options: Pick<RunOptions, 'name' | 'audit' | 'replay' | 'stdin'>;
}

/** What a worker posts on its parent port once, at its start: its end of the channel runs talk over. */
export interface PoolWorkerHello {
  sandluaPoolPort: MessagePort;
}

/** Messages over a worker's channel, each for one run. Worker to host: */
export type FromWorker =
  | { t: 'start'; run: number }
  | { t: 'call'; run: number; id: number; name: string; args: Json[] }
  | { t: 'out'; run: number; sink: 'stdout' | 'stderr' | 'print'; text: string };
/** Host to worker: a host call's answer. */
export type ToWorker =
  /** The result as JSON text; or why it is not plain data (`refused`: the conversion's refusal; `throws`: what reading it threw). */
  | { t: 'ret'; id: number; json?: string; refused?: string; throws?: string; odd?: boolean }
  | { t: 'err'; id: number; message: string; odd?: boolean };

const MB = 1024 * 1024;

/** The worker's file: beside this module (out/sandbox/ of the build, or dist/ of the engine's bundle). */
const WORKER_FILE = path.join(__dirname, 'pool-worker.js');

export class SandboxPool {
  readonly manifest: Contract;
  /** The threads the pool runs on. */
  readonly threads: number;
  private readonly host: Record<string, HostImplementation>;
  private readonly sinks: Pick<SandboxPoolOptions, 'print' | 'stdout' | 'stderr'>;
  private readonly graceMs: number;
  private readonly heapMb: number | undefined;
  private readonly piscina: PiscinaPool;
  private destroyed = false;
  /** The runs going on, by number. */
  private readonly runs = new Map<number, PooledRun>();
  private nextRun = 0;
  /** Each worker's channel (a worker sends its end when it starts; it closes when the worker ends). */
  private readonly ports = new Set<MessagePort>();
  /** worker_threads' receiveMessageOnPort, loaded with piscina (the engine's top level does not load worker_threads). */
  private readonly receiveMessageOnPort: typeof import('worker_threads').receiveMessageOnPort;

  constructor(options: SandboxPoolOptions) {
    // The same checks and messages as a Sandbox (undeclared host functions, values that are not functions).
    new Sandbox({ manifest: options.manifest, host: options.host });
    for (const key of ['files', 'clock'] as const) {
      if ((options as unknown as Record<string, unknown>)[key] !== undefined) {
        throw new Error(`SandboxPool does not take '${key}': runs on worker threads cannot reach the host's ${key === 'files' ? 'files' : 'clock'} (use Sandbox)`);
      }
    }
    if (typeof options.modules === 'function') throw new Error("SandboxPool's 'modules' must be an object of sources by path, not a function (workers cannot call it)");
    const threads = options.threads ?? (require('os') as typeof import('os')).availableParallelism();
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`SandboxPool's threads must be a whole number of at least 1, not ${threads}`);
    this.manifest = options.manifest;
    this.threads = threads;
    this.host = options.host ?? {};
    this.sinks = { print: options.print, stdout: options.stdout, stderr: options.stderr };
    this.graceMs = options.graceMs ?? 100;
    const resourceLimits = options.resourceLimits ?? { maxOldGenerationSizeMb: Math.ceil((4 * options.manifest.limits.memoryBytes) / MB) + 128 };
    this.heapMb = resourceLimits.maxOldGenerationSizeMb;
    const workerData: PoolWorkerData = {
      contract: { text: options.manifest.text, path: options.manifest.path },
      host: Object.keys(this.host),
      mock: options.mockFromExamples ?? false,
      env: options.env,
      modules: options.modules,
      sinks: { stdout: options.stdout !== undefined, stderr: options.stderr !== undefined, print: options.print !== undefined },
    };
    // Loaded here, not at the module's top: a program that never makes a pool never loads piscina.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Piscina = require('piscina') as typeof PiscinaPool;
    this.receiveMessageOnPort = (require('worker_threads') as typeof import('worker_threads')).receiveMessageOnPort;
    this.piscina = new Piscina({
      filename: WORKER_FILE,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Infinity,
      resourceLimits,
      workerData,
      // Between tasks a worker waits on Atomics for the next (its run's host calls are answered before).
      atomics: 'sync',
    });
    // A worker that fails between tasks is replaced by piscina. One that fails as it starts is not
    // (piscina starts another only for a later run): with none left, the runs waiting would wait
    // forever, so they end with what went wrong.
    this.piscina.on('error', (error: unknown) => {
      if (this.piscina.threads.length > 0 || this.destroyed) return;
      const code = (error as { code?: unknown } | null)?.code;
      const message = code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? `internal error: the pool's workers cannot start: they run out of memory as they load (resourceLimits.maxOldGenerationSizeMb = ${this.heapMb}: too small)`
        : `internal error: the pool's workers cannot start: ${error instanceof Error ? error.message : String(error)}`;
      for (const run of this.runs.values()) run.fail(message);
    });
    this.piscina.on('message', (message: unknown) => {
      const port = (message as Partial<PoolWorkerHello> | null)?.sandluaPoolPort;
      if (port === undefined) return;
      this.ports.add(port);
      port.on('message', (m: FromWorker) => this.route(port, m));
      port.on('close', () => this.ports.delete(port));
      // A worker's channel does not keep the host's process alive (piscina's idle workers do not either).
      port.unref();
    });
  }

  /** A message from a worker's channel, to its run. */
  private route(port: MessagePort, message: FromWorker): void {
    const run = this.runs.get(message.run);
    if (run === undefined) return;
    if (message.t === 'start') run.start(port, this.manifest.limits.timeMs + this.graceMs);
    else run.handle(message);
  }

  /** Runs `source` with `input` on a worker; the result is Sandbox.run's. Never throws for anything the script does. */
  run(source: string, input?: unknown, options: RunOptions = {}): Promise<RunResult> {
    return this.dispatch('run', source, input, options);
  }

  /** Sandbox.replay on a worker: the record's script again with its recorded world, verified. */
  replay(record: AuditRecord, options: RunOptions = {}): Promise<RunResult> {
    return this.dispatch('replay', record.script.source, record.input, { ...options, replay: { record, live: options.replay?.live } });
  }

  /** Stops every worker; runs still going are rejected. */
  async destroy(): Promise<void> {
    this.destroyed = true;
    await this.piscina.destroy();
  }

  /** Workers running now (0 after destroy). */
  get workers(): number {
    return this.piscina.threads.length;
  }

  private async dispatch(method: PoolTask['method'], source: string, input: unknown, options: RunOptions): Promise<RunResult> {
    if (this.destroyed) throw new Error('the SandboxPool was destroyed');
    if (options.debug !== undefined) throw new Error('a debugger cannot drive a run in a SandboxPool (use Sandbox)');
    const id = this.nextRun++;
    const run = new PooledRun(this, options.audit === true);
    this.runs.set(id, run);
    // The input crosses as the plain data Sandbox makes of it (JSON's); when JSON cannot write it,
    // what JSON said, for the worker's Sandbox to refuse it with that message.
    let plain: unknown;
    let inputProblem: PoolTask['inputProblem'];
    try {
      plain = input === undefined ? undefined : JSON.parse(JSON.stringify(input));
    } catch (e) {
      inputProblem = thrownMessage(e);
    }
    const task: PoolTask = { run: id, method, source, input: plain, inputProblem, options: { name: options.name, audit: options.audit, replay: options.replay, stdin: options.stdin } };
    try {
      const result = (await this.piscina.run(task, { signal: run.abort.signal })) as RunResult;
      // What the worker wrote before it answered is already queued on its channel: passed on first.
      const receive = this.receiveMessageOnPort;
      for (const port of this.ports) {
        for (let m = receive(port); m !== undefined; m = receive(port)) this.route(port, m.message as FromWorker);
      }
      return result;
    } catch (e) {
      if (this.destroyed) throw new Error('the SandboxPool was destroyed while the run was going');
      const limits = this.manifest.limits;
      if (run.failure !== undefined) return run.ended(source, input, options, 'runtime', run.failure);
      if (run.abort.signal.aborted) {
        return run.ended(source, input, options, 'budget',
          `time limit of ${limits.timeMs} ms exceeded (the run was stuck in one operation past its limit: its worker was stopped)`);
      }
      if ((e as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
        return run.ended(source, input, options, 'memory',
          `not enough memory: the run's worker reached its V8 heap limit${this.heapMb !== undefined ? ` (resourceLimits.maxOldGenerationSizeMb = ${this.heapMb})` : ''} and was stopped`);
      }
      return run.ended(source, input, options, 'runtime', `internal error: the run's worker stopped: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      run.finish();
      this.runs.delete(id);
    }
  }

  /** @internal */
  implementation(name: string): HostImplementation | undefined {
    return this.host[name];
  }

  /** @internal */
  sink(name: 'stdout' | 'stderr' | 'print'): ((text: string) => void) | undefined {
    return this.sinks[name];
  }
}

/** This side of one pooled run: its host calls, its output, and its result if the worker dies. */
class PooledRun {
  /** Aborted when the run passes its time limit: piscina then terminates its worker. */
  readonly abort = new AbortController();
  private started = now();
  private timer: NodeJS.Timeout | undefined;
  /** The channel of the worker running it (known once it started). */
  private port: MessagePort | undefined;
  private hostCalls = 0;
  private readonly calls: AuditHostCall[] = [];
  private stdout = '';
  private stderr = '';

  constructor(private readonly pool: SandboxPool, private readonly audit: boolean) {}

  /** The worker began the run (it may have waited in the queue until now): its time limit starts. */
  start(port: MessagePort, limitMs: number): void {
    this.port = port;
    this.started = now();
    this.timer = setTimeout(() => this.abort.abort(), limitMs);
  }

  /** Why the run was ended before a worker took it (none could start), when it was. */
  failure: string | undefined;

  fail(message: string): void {
    this.failure ??= message;
    this.abort.abort();
  }

  finish(): void {
    clearTimeout(this.timer);
  }

  handle(message: FromWorker): void {
    if (message.t === 'out') {
      if (this.audit) {
        if (message.sink === 'stderr') this.stderr += message.text;
        else this.stdout += message.text;
      }
      this.pool.sink(message.sink)?.(message.text);
    } else if (message.t === 'call') {
      void this.call(message.id, message.name, message.args);
    }
  }

  /**
   * Calls the host function and answers the worker as Sandbox would see it: the result as JSON, or
   * the message of what was thrown (`odd` when even reading that message threw: the worker then
   * throws a value that fails the same way). Never rejects, whatever the host throws.
   */
  private async call(id: number, name: string, args: Json[]): Promise<void> {
    this.hostCalls++;
    const record: AuditHostCall = { name, args, ms: 0 };
    if (this.audit) this.calls.push(record);
    const began = now();
    let answer: ToWorker;
    try {
      const result = await this.pool.implementation(name)!(...args);
      answer = { t: 'ret', id };
      try {
        // Read here as Sandbox reads it (each property once, in slices, NaN and the like refused
        // with their place); the worker converts the plain data again under the run's charges.
        // A string the run could not hold is refused before it is copied (as the sandbox's memory limit does).
        const limit = this.pool.manifest.limits.memoryBytes;
        const converted = inSlices(hostValueSteps(result, 'the result', (_values, bytes) => {
          if (bytes !== undefined && bytes > limit) throw new MarshalError(`the result has a string of ${bytes} bytes, more than the run's memory limit (${limit} bytes)`);
        }), 5);
        const value: HostValue = 'value' in converted ? converted.value : await converted.later;
        answer.json = JSON.stringify(value.json);
        if (this.audit) record.result = value.json;
      } catch (e) {
        if (e instanceof MarshalError) answer.refused = e.message;
        else {
          const { message, odd } = thrownMessage(e);
          answer.throws = message;
          if (odd) answer.odd = true;
        }
      }
    } catch (error) {
      const { message, odd } = thrownMessage(error);
      record.error = message;
      answer = { t: 'err', id, message, ...(odd ? { odd } : {}) };
    }
    record.ms = Math.round((now() - began) * 1000) / 1000;
    // The run may be over (its time ran out waiting): the worker then drops the answer.
    this.port?.postMessage(answer);
  }

  /** The result of a run whose worker was stopped: what this side saw of it. */
  ended(source: string, input: unknown, options: RunOptions, kind: SandboxErrorKind, message: string): RunResult {
    const manifest = this.pool.manifest;
    const error: RunError = { kind, message };
    const stats: RunStats = { instructions: 0, memoryBytes: 0, timeMs: Math.round((now() - this.started) * 1000) / 1000, hostCalls: this.hostCalls };
    if (!options.audit) return { ok: false, error, onFailure: manifest.onFailure, stats };
    let inputJson: Json = null;
    try {
      inputJson = input === undefined ? null : (JSON.parse(JSON.stringify(input)) as Json);
    } catch {
      // Not plain data: the worker refused it before it could get stuck; kept as null.
    }
    const stdin = options.stdin === undefined ? undefined : typeof options.stdin === 'string' ? Buffer.from(options.stdin, 'utf8') : options.stdin;
    // The worker's own record died with it: this one has what this side knows (no clock readings,
    // no random seed; the host calls as answered).
    const audit: AuditRecord = {
      format: AUDIT_FORMAT,
      contract: { name: manifest.name, version: manifest.version, path: manifest.path, onFailure: manifest.onFailure },
      script: { name: options.name ?? 'script.lua', sha256: sha256(source), source },
      input: inputJson,
      inputSha256: sha256(canonicalJson(inputJson)),
      startedAt: new Date(Date.now() - stats.timeMs).toISOString(),
      clock: { now: [], cpu: [], timezoneOffset: [], timezoneName: [] },
      randomSeed: 0,
      hostCalls: this.calls,
      modules: [],
      ...(stdin !== undefined ? { stdin: auditBytes(stdin) } : {}),
      ...(this.stdout !== '' ? { stdout: this.stdout } : {}),
      ...(this.stderr !== '' ? { stderr: this.stderr } : {}),
      ok: false,
      error,
      stats,
    };
    return { ok: false, error, onFailure: manifest.onFailure, stats, audit };
  }
}

/** What Sandbox's message for a thrown value is (`error.message`, or `String(error)`), and whether reading it threw (`odd`: then that error's). */
function thrownMessage(thrown: unknown): { message: string; odd: boolean } {
  try {
    const message = String(thrown instanceof Error ? thrown.message : String(thrown));
    // Not read, nor sent, when far beyond what is kept (reading a rope flattens it): the worker
    // shows what Sandbox shows for it.
    if (message.length > UNREAD_MESSAGE) return { message: `(a message of ${message.length} characters, not shown)`, odd: false };
    return { message, odd: false };
  } catch (e) {
    try {
      return { message: String(e instanceof Error ? e.message : e), odd: true };
    } catch {
      return { message: 'the host threw a value that cannot be read', odd: true };
    }
  }
}
