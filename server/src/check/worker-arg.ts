// How a worker thread of `sandlua check` knows itself: it is started with `check` and this marker
// as its arguments (the bundle's entry and check.ts both test it). worker_threads is loaded only
// when the marker is there, so the start of every other command does not pay for it (~3 ms).

/** The argument after `check` that a worker thread of checkParallel is started with. */
export const CHECK_WORKER_ARG = '--sandlua-check-worker';

/** Whether this thread is a worker of checkParallel. */
export function isCheckWorker(): boolean {
  return process.argv[2] === 'check' && process.argv[3] === CHECK_WORKER_ARG && !(require('worker_threads') as typeof import('worker_threads')).isMainThread;
}
