// The `sandlua` command line. Exit codes: 0 clean, 1 problems found (errors, or more warnings than
// --max-warnings), 2 the command itself was wrong (unknown option, missing path).

import { readFileSync } from 'fs';
import { resolve } from 'path';
import { parseArgs } from 'util';
import { compile, disassemble } from '@sandlua/lua';
import { check, CheckInputError } from './check/check';
import { formatJson } from './check/format-json';
import { formatText } from './check/format-text';

declare const SANDLUA_VERSION: string | undefined;
const version = typeof SANDLUA_VERSION === 'string' ? SANDLUA_VERSION : '0.0.0-dev';

const HELP = `sandlua — checks for sandboxed Lua 5.3 scripts with capability contracts

Usage:
  sandlua check PATH... [--format text|json] [--manifest FILE] [--max-warnings N]
  sandlua disasm FILE [--short]
  sandlua --help | --version

Commands:
  check    Check Lua scripts (folders are searched for *.lua), each under the nearest
           sandlua.json whose "scripts" globs match it. Prints problems with their
           positions; exits with 1 when there is an error.

  disasm   Compile a script and print its bytecode as \`luac5.3 -l -l\` lists it: each
           function's header, instructions with [line] and ; comments, then its
           constants, locals and upvalues (--short: instructions only, as \`luac -l\`).

Options for check:
  --format text|json   text (default): compiler-style lines with the source underlined;
                       json: {"files":[{"path","manifest","diagnostics":[...]}]}
  --manifest FILE      use this sandlua.json for every script instead of discovering one
  --max-warnings N     also exit with 1 when there are more than N warnings
  -h, --help           show this help

Exit codes: 0 no problems, 1 problems found, 2 wrong usage.
`;

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
  cwd: string;
}

class UsageError extends Error {}

/** Runs the command line and returns the exit code; never throws for bad input. */
export function main(argv: string[], io: Io): number {
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
    if (command === 'check') return runCheck(rest, io);
    if (command === 'disasm') return runDisasm(rest, io);
    throw new UsageError(`unknown command '${command}'`);
  } catch (error) {
    if (error instanceof UsageError || error instanceof CheckInputError || isParseArgsError(error)) {
      // parseArgs explains at length; its first sentence names the problem.
      const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
      io.stderr(`sandlua: ${message}\nRun 'sandlua --help' for usage.\n`);
      return 2;
    }
    throw error;
  }
}

function runCheck(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      manifest: { type: 'string' },
      'max-warnings': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const format = values.format;
  if (format !== 'text' && format !== 'json') {
    throw new UsageError(`unknown format '${format}' (expected text or json)`);
  }
  let maxWarnings = Infinity;
  if (values['max-warnings'] !== undefined) {
    maxWarnings = Number(values['max-warnings']);
    if (!Number.isInteger(maxWarnings) || maxWarnings < 0) {
      throw new UsageError(`--max-warnings expects a whole number, got '${values['max-warnings']}'`);
    }
  }
  if (positionals.length === 0) throw new UsageError('check needs at least one file or folder');

  const result = check(positionals, { manifest: values.manifest, cwd: io.cwd });
  if (format === 'json') io.stdout(formatJson(result));
  else io.stdout(formatText(result, { color: io.isTTY && !process.env.NO_COLOR }));
  return result.errors > 0 || result.warnings > maxWarnings ? 1 : 0;
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
  const proto = compile(source, '@' + file);
  if (typeof proto === 'string') {
    io.stderr(`sandlua: ${proto}\n`);
    return 1;
  }
  io.stdout(disassemble(proto, { full: !values.short }));
  return 0;
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}
