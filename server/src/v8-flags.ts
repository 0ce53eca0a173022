// V8's settings for the commands that analyse scripts (`lsp`, `check`, `report`).
//
// The analysis dispatches on the kind of a syntax node and of a type (object literals of some 30
// and 8 shapes). V8's optimizing compiler inlines the handlers, large ones included, into their
// dispatchers; when a shape the optimized code has not seen arrives (a script with code unlike the
// ones analysed before), the whole dispatcher's code is thrown away, and a large function is
// optimized again only after many more calls, so a big file opened first ran mostly unoptimized.
// Measured on bench:lsp's 13,000-line file, opened in a server that had analysed 1,000 small
// scripts (six starts each, in one run): open → first diagnostics 265-413 ms (median ~340) as V8
// decides, 211-313 (median ~238) with inlining kept to functions of at most 50 bytes of bytecode;
// its edits were as fast as before (median 11-15 ms either way); `check` of 198 real-world files on
// one thread 0.91-1.0 s before, 0.76-0.79 s with it. `run` and `dap` keep V8's own settings: the
// VM's loop is another workload, not measured with these.

/** The flags, one per entry (each must be known to the running Node: tested). */
export const ANALYSIS_V8_FLAGS: readonly string[] = ['--max-inlined-bytecode-size=50'];

/** The commands that run the analysis over scripts they did not see before. */
const ANALYSIS_COMMANDS = new Set(['lsp', 'check', 'report']);

/** Sets the flags when `command` analyses scripts; before any of the analysis is compiled. */
export function tuneV8For(command: string | undefined): void {
  if (command === undefined || !ANALYSIS_COMMANDS.has(command)) return;
  const v8 = require('v8') as typeof import('v8');
  for (const flag of ANALYSIS_V8_FLAGS) v8.setFlagsFromString(flag);
}
