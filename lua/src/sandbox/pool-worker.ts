// The worker side of SandboxPool (pool.ts), loaded by piscina in each worker thread: one Sandbox
// per worker, built from the contract's text; each task is one Sandbox.run (or replay) whose host
// functions and output sinks are forwarded over the task's MessagePort to the host's main thread.

import { MessageChannel, parentPort } from 'worker_threads';
// Through the runtime's entry, so that the bundled worker (lua/dist/pool-worker.js, built by
// scripts/bundle.mjs) loads the runtime's part beside it rather than a copy of its own (and not the analysis).
import { parseManifest, Sandbox, RefusedValue, type HostImplementation, type RunResult } from '../runtime';
import type { FromWorker, PoolTask, PoolWorkerData, PoolWorkerHello, ToWorker } from './pool';

/** This worker's channel to the host's main thread: its other end goes to the pool at once. */
const channel = new MessageChannel();
parentPort?.postMessage({ sandluaPoolPort: channel.port2 } satisfies PoolWorkerHello, [channel.port2]);
const port = channel.port1;

/** Host calls waiting for their answer, by number. */
const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
let nextCall = 0;
port.on('message', (message: ToWorker) => {
  const waiting = pending.get(message.id);
  if (waiting === undefined) return; // a run that is over (its time ran out while it waited)
  pending.delete(message.id);
  if (message.t === 'err') waiting.reject(message.odd ? unreadable(message.message) : new Error(message.message));
  else waiting.resolve(answered(message));
});
// Between tasks the channel must not keep the worker busy.
port.unref();

/** The run this worker is doing (piscina gives a worker one task at a time), and its host calls. */
let current: { run: number; calls: number[] } | undefined;
let sandbox: Sandbox | undefined;

function post(message: FromWorker): void {
  port.postMessage(message);
}

/** A host function as the worker's Sandbox sees it: a call over the channel, answered by the host's thread. */
function forwarded(name: string): HostImplementation {
  return (...args) => {
    if (current === undefined) throw new Error('no run is going on in this worker');
    const id = nextCall++;
    current.calls.push(id);
    const run = current.run;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      post({ t: 'call', run, id, name, args });
    });
  };
}

/** A thrown value whose message cannot be read: reading it fails with `message`, as the host's did. */
function unreadable(message: string): unknown {
  return { toString: () => { throw new Error(message); } };
}

/** The answer as the value the host function returned, for Sandbox to check as it checks any result. */
function answered(message: ToWorker & { t: 'ret' }): unknown {
  if (message.json !== undefined) return JSON.parse(message.json);
  if (message.throws !== undefined) {
    const problem = message.throws;
    const odd = message.odd === true;
    // JSON.stringify of this fails with the host's own message, as the host's value did.
    return { toJSON: () => { throw odd ? unreadable(problem) : new Error(problem); } };
  }
  // Refused where the host's thread read it: converting it here fails the same way.
  return new RefusedValue(message.refused ?? 'the result could not be read');
}

function workerSandbox(): Sandbox {
  if (sandbox !== undefined) return sandbox;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const data = (require('piscina') as { workerData: PoolWorkerData }).workerData;
  const parsed = parseManifest(data.contract.text, data.contract.path);
  if (parsed.manifest === undefined) {
    throw new Error(`the pool's contract (${data.contract.path}) does not load in a worker: ${parsed.problems[0]?.message ?? 'unknown problem'}`);
  }
  const host: Record<string, HostImplementation> = {};
  for (const name of data.host) host[name] = forwarded(name);
  const sink = (name: 'stdout' | 'stderr' | 'print') => (text: string) => {
    if (current !== undefined) post({ t: 'out', run: current.run, sink: name, text });
  };
  sandbox = new Sandbox({
    manifest: parsed.manifest,
    host,
    mockFromExamples: data.mock,
    env: data.env,
    modules: data.modules,
    stdout: data.sinks.stdout ? sink('stdout') : undefined,
    stderr: data.sinks.stderr ? sink('stderr') : undefined,
    print: data.sinks.print ? sink('print') : undefined,
  });
  return sandbox;
}

async function runTask(task: PoolTask): Promise<RunResult> {
  const box = workerSandbox();
  const run = { run: task.run, calls: [] as number[] };
  current = run;
  post({ t: 'start', run: task.run });
  try {
    const { method, source, options, inputProblem } = task;
    // Input JSON could not write fails here as it did there (Sandbox reads its input through JSON).
    const input = inputProblem === undefined ? task.input
      : { toJSON: () => { throw inputProblem.odd ? unreadable(inputProblem.message) : new Error(inputProblem.message); } };
    return method === 'replay' ? await box.replay(options.replay!.record, options) : await box.run(source, input, options);
  } finally {
    current = undefined;
    // Calls still unanswered (the run's time ran out while it waited) are dropped.
    for (const id of run.calls) pending.delete(id);
  }
}

/** A first run costs far more than the next (the engine's code still cold): each worker makes it before its first task. */
const WARM_UP = 'local t = {}\nfor i = 1, 200 do t[i] = tostring(i) .. "x" end\nlocal s = table.concat(t, ","):gsub("%d+", string.upper)\nreturn { n = #s, ok = pcall(error, "x") }';

// piscina awaits the handler export: the worker is ready once it has warmed up. A contract that
// does not load is not reported here but by the first task (workerSandbox's message).
export default (async () => {
  try {
    await workerSandbox().run(WARM_UP);
  } catch {
    // reported by runTask
  }
  return runTask;
})();
