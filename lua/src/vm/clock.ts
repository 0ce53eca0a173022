// The engine's clock: monotonic milliseconds, for run times, deadlines and slices of work.
// `performance.now()` reads the same clock, but the first use of Node's `performance` global loads
// perf_hooks (eleven internal modules, ~2 ms of every `sandlua run`); `process.hrtime` is there
// from the start. Only differences between two readings mean anything (the origin is arbitrary).

/** Milliseconds on the monotonic clock, with sub-millisecond precision. */
export function now(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1e3 + nanoseconds / 1e6;
}
