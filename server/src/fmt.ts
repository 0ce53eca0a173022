// `sandlua fmt PATH... [--check]`: formats scripts in place (folders are searched for *.lua as
// `check` searches them), or with --check only lists the files that would change. Each file is
// formatted in the style resolved for it (stylua.toml, .editorconfig, StyLua's defaults). A file that
// cannot be formatted (a syntax error, a bad style file) is reported at its place and left alone.

import { readFileSync, writeFileSync } from 'fs';
import { parseArgs } from 'util';
import { collectFiles, display } from './check/check';
import { formatScript } from './service/formatting';
import { UsageError } from './usage';
import type { Io } from './cli';

export function runFmt(args: string[], io: Io, help: string): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.stdout(help);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('fmt needs at least one file or folder');
  const { scripts } = collectFiles(positionals, io.cwd);
  let changed = 0;
  let failed = 0;
  for (const file of scripts) {
    const shown = display(file, io.cwd);
    const bytes = readFileSync(file);
    const text = bytes.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(bytes)) {
      io.stderr(`${shown}:1:1: not formatted: the file is not UTF-8 text\n`);
      failed++;
      continue;
    }
    const outcome = formatScript(file, text);
    if ('failure' in outcome) {
      const f = outcome.failure;
      io.stderr(`${display(f.file, io.cwd)}:${f.line}:${f.column}: not formatted: ${f.message}\n`);
      failed++;
      continue;
    }
    if (outcome.text === text) continue;
    changed++;
    if (values.check) io.stdout(`${shown}\n`);
    else writeFileSync(file, outcome.text);
  }
  const counts = [`${changed} ${values.check ? 'would be reformatted' : 'reformatted'}`, `${scripts.length - changed - failed} already formatted`];
  if (failed > 0) counts.push(`${failed} not formatted`);
  io.stderr(`${counts.join(', ')} (${scripts.length} file${scripts.length === 1 ? '' : 's'})\n`);
  return failed > 0 || (values.check && changed > 0) ? 1 : 0;
}
