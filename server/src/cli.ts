// The `sandlua` command line. Exit codes: 0 clean, 1 problems found (errors, or more warnings than
// --max-warnings), 2 the command itself was wrong (unknown option, missing path).

import { readFileSync } from 'fs';
import { resolve } from 'path';
import { parseArgs } from 'util';
import type { SeverityLevel } from '@sandlua/lua';
import { UsageError, isUsageError } from './usage';

// Each command loads what it needs when it runs (`--version` loads nothing, `run` no checker,
// `check` no formatter, none of them the language server or the debug adapter): start-up is paid
// by every call. In the bundle these are esbuild's lazily initialised modules.
const engine = (): typeof import('@sandlua/lua') => require('@sandlua/lua');
const runCommands = (): typeof import('./run') => require('./run');
const checkCommand = (): typeof import('./check/check') => require('./check/check');
const reportCommand = (): typeof import('./check/report') => require('./check/report');

declare const SANDLUA_VERSION: string | undefined;
const version = typeof SANDLUA_VERSION === 'string' ? SANDLUA_VERSION : '0.0.0-dev';

const HELP = `sandlua — checks for sandboxed Lua 5.3 scripts with capability contracts

Usage:
  sandlua check PATH... [--format text|json|sarif|github] [--manifest FILE]
              [--max-warnings N] [--severity CODE=LEVEL]... [--base GIT_REF] [--jobs N]
              [--ungoverned default-contract|lint|ignore]
  sandlua report PATH... [--format markdown|json] [--manifest FILE] [--base GIT_REF]
  sandlua run SCRIPT [--manifest FILE] [--input JSON | --input-file FILE] [--json]
              [--audit FILE] [--host MODULE.js] [--stdin FILE]
  sandlua replay AUDIT.json
  sandlua disasm FILE [--short]
  sandlua fmt PATH... [--check]
  sandlua dap
  sandlua lsp --stdio | --node-ipc
  sandlua --help | --version

Commands:
  check    Check Lua scripts (folders are searched for *.lua), each under the nearest
           sandlua.json whose "scripts" globs match it. Prints problems with their
           positions; exits with 1 when there is an error.

  run      Run a script in the sandbox of its contract (discovered, or --manifest): only
           granted functions, the contract's limits, input and output checked. Host
           functions answer from the contract's examples unless --host gives a module
           exporting their implementations. print and io.write write to stdout (to stderr
           with --json), io.stderr to stderr, then the output is printed as JSON. --stdin
           gives the file io.read reads. The contract's declared files are read and written
           below its folder (written only when the run succeeds). --audit writes the run's
           audit record.
  replay   Run an audit record again with its recorded host results, clock and random
           seed, and say whether the outcome is the same (exit 0) or not (exit 1).
  lsp      Serve the language server (diagnostics, completion, hover, ... under the
           contracts) over stdio or node IPC.
  dap      Serve the debug adapter on stdin/stdout (for nvim-dap or any DAP client).
  disasm   Compile a script and print its bytecode as \`luac5.3 -l -l\` lists it: each
           function's header, instructions with [line] and ; comments, then its
           constants, locals and upvalues (--short: instructions only, as \`luac -l\`).

  fmt      Format Lua scripts in place with StyLua (folders are searched for *.lua),
           each in the style of the nearest stylua.toml or .stylua.toml above it, else
           its .editorconfig, else StyLua's defaults (Lua 5.3 syntax). --check changes
           nothing: it lists the files that would change and exits with 1 if any would.
           A file with a syntax error is reported at its line and left as it is (exit 1);
           so is a file whose compiled code a format would change.

  report   Capability report: per contract its purpose, data boundary, limits, owner and
           granted host functions; per script what it calls (and where), never uses,
           and its violations.

Options for check:
  --format FORMAT      text (default): compiler-style lines with the source underlined;
                       json: {"files":[{"path","manifest","diagnostics":[...]}]};
                       sarif: SARIF 2.1.0 for code scanning; github: workflow annotations
  --base GIT_REF       also list what the working tree adds to or removes from that
                       revision: granted host functions and stdlib entries, limits,
                       calls scripts start making, new violations (check and report)
  --manifest FILE      use this sandlua.json for every script instead of discovering one
  --max-warnings N     also exit with 1 when there are more than N warnings
  --severity CODE=LEVEL
                       report CODE as error, warning, information or hint, or not
                       at all (off); repeatable. Wins over the contract's "severity"
                       map; the exit code follows the severities given
  --ungoverned MODE    how a script no sandlua.json governs is checked:
                       default-contract (the default): under the default deny-all
                       contract; lint: only the language's own judgements (syntax,
                       lint, the standard library's types); ignore: syntax errors only
  -h, --help           show this help

Exit codes: 0 no problems, 1 problems found, 2 wrong usage.
`;

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
  cwd: string;
}

/** Runs the command line and returns the exit code; never throws for bad input. */
export function main(argv: string[], io: Io): number | Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      io.stdout(HELP);
      return command === undefined ? 2 : 0;
    }
    if (command === '-v' || command === '--version') {
      io.stdout(`sandlua ${version}\n`);
      return 0;
    }
    if (command === 'check') return runCheck(rest, io).catch((error: unknown) => usageFailure(error, io));
    if (command === 'report') return runReport(rest, io);
    if (command === 'disasm') return runDisasm(rest, io);
    if (command === 'fmt') return (require('./fmt') as typeof import('./fmt')).runFmt(rest, io, HELP);
    if (command === 'lsp') {
      const transport = rest.includes('--node-ipc') ? 'ipc' : 'stdio';
      const unknown = rest.filter((a) => a !== '--stdio' && a !== '--node-ipc' && !a.startsWith('--clientProcessId'));
      if (unknown.length > 0) throw new UsageError(`unknown option for lsp: ${unknown[0]} (use --stdio or --node-ipc)`);
      return (require('./lsp/server') as typeof import('./lsp/server')).startServer({ transport }).then(() => 0);
    }
    if (command === 'dap') {
      if (rest.length > 0) throw new UsageError(`dap takes no arguments (it speaks the Debug Adapter Protocol on stdin/stdout)`);
      const { runDebugAdapter } = require('@sandlua/debugger') as typeof import('@sandlua/debugger');
      const { guardedStdin } = require('./framing') as typeof import('./framing');
      return runDebugAdapter(guardedStdin('sandlua dap'), process.stdout).then(() => 0);
    }
    if (command === 'run') return runCommands().runScript(rest, io).catch((error: unknown) => usageFailure(error, io));
    if (command === 'replay') return runCommands().runReplay(rest, io).catch((error: unknown) => usageFailure(error, io));
    throw new UsageError(`unknown command '${command}'`);
  } catch (error) {
    return usageFailure(error, io);
  }
}

/** Wrong usage: exit code 2 with a message that names the problem. Other errors go on. */
function usageFailure(error: unknown, io: Io): number {
  if (isUsageError(error) || isCheckInputError(error) || isParseArgsError(error)) {
    // parseArgs explains at length; its first sentence names the problem.
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    io.stderr(`sandlua: ${message}\nRun 'sandlua --help' for usage.\n`);
    return 2;
  }
  throw error;
}

async function runCheck(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      manifest: { type: 'string' },
      'max-warnings': { type: 'string' },
      severity: { type: 'string', multiple: true },
      base: { type: 'string' },
      jobs: { type: 'string' },
      ungoverned: { type: 'string', default: 'default-contract' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const { UNGOVERNED_SCRIPTS, parseSeverityOption } = engine();
  const ungoverned = UNGOVERNED_SCRIPTS.find((m) => m.value === values.ungoverned)?.value;
  if (!ungoverned) throw new UsageError(`unknown --ungoverned '${values.ungoverned}' (expected default-contract, lint or ignore)`);
  let jobs: number | undefined;
  if (values.jobs !== undefined) {
    jobs = Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs expects a whole number of threads (1 or more), got '${values.jobs}'`);
  }
  const format = values.format;
  if (format !== 'text' && format !== 'json' && format !== 'sarif' && format !== 'github') {
    throw new UsageError(`unknown format '${format}' (expected text, json, sarif or github)`);
  }
  let maxWarnings = Infinity;
  if (values['max-warnings'] !== undefined) {
    maxWarnings = Number(values['max-warnings']);
    if (!Number.isInteger(maxWarnings) || maxWarnings < 0) {
      throw new UsageError(`--max-warnings expects a whole number, got '${values['max-warnings']}'`);
    }
  }
  const severity: Record<string, SeverityLevel> = {};
  for (const option of values.severity ?? []) {
    const parsed = parseSeverityOption(option);
    if ('problem' in parsed) throw new UsageError(parsed.problem);
    severity[parsed.code] = parsed.level;
  }
  if (positionals.length === 0) throw new UsageError('check needs at least one file or folder');

  // A progress line on a terminal while a large tree is checked in parallel.
  const progress = io.isTTY && process.stderr.isTTY
    ? (done: number, total: number) => process.stderr.write(`\rchecking ${done}/${total} scripts`)
    : undefined;
  const result = await checkCommand().checkParallel(positionals, { manifest: values.manifest, cwd: io.cwd, onProgress: progress, severity, jobs, ungoverned });
  if (progress) process.stderr.write('\r\x1b[K');
  let changes: import('./check/report').CapabilityChange[] | undefined;
  if (values.base !== undefined) {
    const { diffReports, reportAtRevision, buildReport } = reportCommand();
    changes = diffReports(reportAtRevision(values.base, positionals, io.cwd, values.manifest), buildReport(positionals, io.cwd, values.manifest));
  }
  if (format === 'json') io.stdout((require('./check/format-json') as typeof import('./check/format-json')).formatJson(result));
  else if (format === 'sarif') io.stdout((require('./check/format-sarif') as typeof import('./check/format-sarif')).formatSarif(result, changes?.map((c) => ({ path: c.path, line: c.line, message: `${c.sign} ${c.text}` }))));
  else if (format === 'github') io.stdout((require('./check/format-github') as typeof import('./check/format-github')).formatGithub(result, changes?.map((c) => ({ path: c.path, line: c.line, message: `${c.sign} ${c.text}` }))));
  else {
    io.stdout((require('./check/format-text') as typeof import('./check/format-text')).formatText(result, { color: io.isTTY && !process.env.NO_COLOR }));
    if (changes) io.stdout('\n' + reportCommand().formatChanges(changes));
  }
  return result.errors > 0 || result.warnings > maxWarnings ? 1 : 0;
}

function runReport(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { format: { type: 'string', default: 'markdown' }, manifest: { type: 'string' }, base: { type: 'string' } },
  });
  const format = values.format;
  if (format !== 'markdown' && format !== 'json') throw new UsageError(`unknown format '${format}' (expected markdown or json)`);
  if (positionals.length === 0) throw new UsageError('report needs at least one file or folder');
  const { buildReport, diffReports, reportAtRevision, formatReportMarkdown } = reportCommand();
  const report = buildReport(positionals, io.cwd, values.manifest);
  const changes = values.base !== undefined ? diffReports(reportAtRevision(values.base, positionals, io.cwd, values.manifest), report) : undefined;
  if (format === 'json') io.stdout(JSON.stringify(changes ? { ...report, changes } : report, null, 2) + '\n');
  else io.stdout(formatReportMarkdown(report, changes));
  return 0;
}

function runDisasm(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { short: { type: 'boolean', short: 's' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('disasm needs exactly one file');
  const file = positionals[0];
  let source: string;
  try {
    source = readFileSync(resolve(io.cwd, file), 'latin1');
  } catch (error) {
    throw new UsageError(`cannot read '${file}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  // Named as luac names a file given on its command line, so that listings compare.
  const { compile, disassemble } = engine();
  const proto = compile(source, '@' + file);
  if (typeof proto === 'string') {
    io.stderr(`sandlua: ${proto}\n`);
    return 1;
  }
  io.stdout(disassemble(proto, { full: !values.short }));
  return 0;
}

/** check's, report's and fmt's own input errors (a path that does not exist), from whichever part threw them. */
function isCheckInputError(error: unknown): boolean {
  return error instanceof Error && error.name === 'CheckInputError';
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}
