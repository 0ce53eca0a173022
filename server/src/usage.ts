// Wrong usage of the command line (exit code 2): thrown by any command, reported by `main`.
// Known by its name, not by `instanceof`: each command's part of the bundle (scripts/bundle.mjs)
// carries its own copy of this module, so a class from one part is not the class in another.
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Whether `error` is a UsageError, from whichever part of the bundle threw it. */
export function isUsageError(error: unknown): error is UsageError {
  return error instanceof Error && error.name === 'UsageError';
}
