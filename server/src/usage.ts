// Wrong usage of the command line (exit code 2): thrown by any command, reported by `main`.
export class UsageError extends Error {}
