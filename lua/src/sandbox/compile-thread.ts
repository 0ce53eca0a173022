// Compiling a long chunk on a worker thread, so that a run's compile does not hold the host's event
// loop: luac-sized work on a big source (a 2.5 MB chunk of 100,000 statements: ~0.7 s; a 5,000-branch
// `if`: ~0.1 s) is one synchronous call of the compiler, which cannot give the loop a turn. The
// worker (compile-worker.ts, beside this module in the build and in the engine's bundle) compiles
// with the same compiler and sends the prototypes back as plain data; their code and line arrays
// are moved, not copied, and local variable records come packed (a chunk may have 100,000 of them),
// so that what the main thread does with the answer stays a few milliseconds. One worker serves
// the process, started on first need; it holds the process open only while it has work. Anything
// that goes wrong with it (no worker file, a worker that dies) falls back to compiling here, as
// does a run on a worker thread (a SandboxPool's), whose loop is not the host's.

import * as fs from 'fs';
import * as path from 'path';
import type { Worker as WorkerType } from 'worker_threads';
import { LFloat } from '../vm/number';
import type { Constant, LocalVarInfo, Proto } from '../vm/proto';

/** Sources at least this long are compiled on the worker (shorter ones compile in a few ms here). */
export const OFF_THREAD_CHARS = 16 * 1024;

/** Characters of a source encoded for the worker between two turns of the event loop. */
const ENCODE_SLICE = 256 * 1024;

/** The worker's file: beside this module (out/sandbox/ of the build, or dist/ of a bundle). */
const WORKER_FILE = path.join(__dirname, 'compile-worker.js');

/** A prototype as the worker sends it (compile-worker.ts `pack`). */
export interface PackedProto extends Omit<Proto, 'locVars' | 'protos' | 'constants' | 'tier' | 'hotness'> {
  /** Float constants with an integral value (`LFloat`) arrive as `{ n }`. */
  constants: (Constant | { n: number })[];
  protos: PackedProto[];
  /** startPc, endPc of each local variable, in order. */
  localPcs: Int32Array;
  /** Their names, each followed by a NUL (names never hold one). */
  localNames: string;
}

/**
 * What the worker answers for a job, with the size of its heap after it (`heap`, bytes): the
 * prototype or the compiler's message with the work the compiler charged (`steps`, see `compile`),
 * or the limit that stopped it, or what went wrong.
 */
export type CompileAnswer = { id: number; heap: number } & ({ proto: PackedProto; steps: number } | { error: string; steps: number } | { stopped: CompileStop } | { failed: string });

/** Why the worker gave up a job: its `maxSteps` charged, or its `timeMs` spent. */
export type CompileStop = 'steps' | 'time';

/** Bounds on a job, so that no chunk holds the worker (and the jobs behind it) past its run's limits. */
export interface CompileLimits {
  /** Stop once the compiler has charged more than this (see `compile`'s `charge`). */
  maxSteps?: number;
  /** Stop once this long (ms) has passed since the job was asked for, waiting behind others included. */
  timeMs?: number;
}

/** What compiling off the thread gives: as `compile` does, with the steps it charged; or the limit it stopped at. */
export type OffThreadResult = { proto: Proto | string; steps: number } | { stopped: CompileStop };

/**
 * A worker whose heap is bigger than this after a job, or whose job stopped at a limit, is stopped
 * once it has no other (a chunk of megabytes leaves hundreds of megabytes of the compiler's garbage
 * in it, which an idle worker would keep); the next long chunk starts another.
 */
const WORKER_HEAP_KEPT = 64 * 1024 * 1024;

/**
 * A job for the worker. The source travels as its UTF-16 code units in a buffer that is moved, not
 * copied: posting a string of megabytes would copy it on this thread (~30 ms for 2.5 MB).
 */
export interface CompileJob {
  id: number;
  source: Uint8Array;
  chunkName: string;
  maxSteps?: number;
  /** When to give the job up (Date.now() time: the threads' performance clocks start apart). */
  until?: number;
}

let worker: WorkerType | undefined;
let unavailable = false;
let nextJob = 0;
const pending = new Map<number, { resolve: (answer: CompileAnswer) => void; reject: (error: Error) => void }>();

function theWorker(): WorkerType | undefined {
  if (worker !== undefined || unavailable) return worker;
  try {
    if (!fs.existsSync(WORKER_FILE)) {
      unavailable = true;
      return undefined;
    }
    const { Worker, isMainThread } = require('worker_threads') as typeof import('worker_threads');
    // On a worker thread (a SandboxPool's) the loop held is not the host's, and the pool stops a
    // run stuck past its time limit with its worker: compile there, without a thread per worker.
    if (!isMainThread) {
      unavailable = true;
      return undefined;
    }
    const started = new Worker(WORKER_FILE);
    started.on('message', (answer: CompileAnswer) => {
      const job = pending.get(answer.id);
      if (job === undefined) return;
      pending.delete(answer.id);
      if (pending.size === 0) {
        started.unref();
        // A job given up at a limit (a hostile chunk, most likely) leaves its garbage too.
        if (answer.heap > WORKER_HEAP_KEPT || 'stopped' in answer) {
          worker = undefined;
          // On a later turn than the answer's: each is work for the event loop.
          setImmediate(() => void started.terminate());
        }
      }
      job.resolve(answer);
    });
    const gone = (error: Error): void => {
      // A worker let go when idle (see WORKER_HEAP_KEPT) had no jobs: those pending are its successor's.
      if (worker !== started) return;
      worker = undefined;
      for (const job of pending.values()) job.reject(error);
      pending.clear();
    };
    started.on('error', gone);
    started.on('exit', (code) => gone(new Error(`the compile worker exited (${code})`)));
    started.unref();
    worker = started;
    return worker;
  } catch {
    unavailable = true;
    return undefined;
  }
}

/** Whether long chunks can be compiled off this thread (starts the worker on first need). */
export function offThreadAvailable(): boolean {
  return theWorker() !== undefined;
}

/**
 * Compiles `source` on the worker: the prototype, or the compiler's message for a chunk that does
 * not compile, exactly as `compile(source, chunkName, charge)` gives them, with the steps it
 * charged; or the limit in `limits` that stopped it first. Undefined when there is no worker to do
 * it (the caller compiles here).
 */
export async function compileOffThread(source: string, chunkName: string, limits: CompileLimits = {}): Promise<OffThreadResult | undefined> {
  const w = theWorker();
  if (w === undefined) return undefined;
  const id = nextJob++;
  const until = limits.timeMs === undefined ? undefined : Date.now() + limits.timeMs;
  // Held open while it has work: a run waiting for its chunk must not see the process end.
  pending.set(id, { resolve: () => undefined, reject: () => undefined });
  w.ref();
  // Encoded a slice at a time with the loop's turns between (~2 ms a slice; 2.5 MB take ~20 ms).
  const bytes = Buffer.allocUnsafeSlow(2 * source.length);
  for (let at = 0; at < source.length; at += ENCODE_SLICE) {
    if (at > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    bytes.write(source.slice(at, at + ENCODE_SLICE), 2 * at, 'utf16le');
  }
  let answer: CompileAnswer;
  try {
    answer = await new Promise<CompileAnswer>((resolve, reject) => {
      if (worker !== w) {
        pending.delete(id);
        reject(new Error('the compile worker stopped'));
        return;
      }
      pending.set(id, { resolve, reject });
      w.postMessage({ id, source: bytes, chunkName, maxSteps: limits.maxSteps, until } satisfies CompileJob, [bytes.buffer as ArrayBuffer]);
    });
  } catch {
    return undefined;
  }
  if ('stopped' in answer) return { stopped: answer.stopped };
  if ('error' in answer) return { proto: answer.error, steps: answer.steps };
  if ('failed' in answer) return undefined;
  return { proto: await unpack(answer.proto, { left: UNPACK_SLICE }), steps: answer.steps };
}

/** Constants and local variable records unpacked between two turns of the event loop. */
const UNPACK_SLICE = 16384;

/** The prototype the worker packed, as the compiler made it; a turn of the loop every UNPACK_SLICE records. */
async function unpack(p: PackedProto, slice: { left: number }): Promise<Proto> {
  const turn = async (done: number): Promise<void> => {
    slice.left -= done;
    if (slice.left > 0) return;
    slice.left = UNPACK_SLICE;
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  const constants = new Array<Constant>(p.constants.length);
  for (let i = 0; i < constants.length; i++) {
    const c = p.constants[i];
    constants[i] = typeof c === 'object' && c !== null ? new LFloat(c.n) : c;
    if ((i & 1023) === 1023) await turn(1024);
  }
  const locVars = new Array<LocalVarInfo>(p.localPcs.length >> 1);
  let at = 0;
  for (let i = 0; i < locVars.length; i++) {
    const end = p.localNames.indexOf('\0', at);
    locVars[i] = { name: p.localNames.slice(at, end), startPc: p.localPcs[2 * i], endPc: p.localPcs[2 * i + 1] };
    at = end + 1;
    if ((i & 1023) === 1023) await turn(1024);
  }
  const protos: Proto[] = [];
  for (const q of p.protos) protos.push(await unpack(q, slice));
  return {
    source: p.source, lineDefined: p.lineDefined, lastLineDefined: p.lastLineDefined, numParams: p.numParams,
    isVararg: p.isVararg, maxStackSize: p.maxStackSize, code: p.code, lineInfo: p.lineInfo, constants,
    upvalues: p.upvalues, protos, locVars, tier: undefined, hotness: 0,
  };
}
