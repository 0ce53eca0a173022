// The `github` format: workflow commands, which GitHub Actions turns into annotations on the
// changed lines of a pull request (`::error file=…,line=…::message`).

import type { CheckResult } from './check';

const COMMAND = { error: 'error', warning: 'warning', information: 'notice', hint: 'notice' } as const;

/** Escapes a workflow command's data (message). */
function data(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a workflow command's property value. */
function property(text: string): string {
  return data(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatGithub(result: CheckResult, notes: { path: string; line: number; message: string }[] = []): string {
  const lines: string[] = [];
  for (const file of result.files) {
    for (const d of file.diagnostics) {
      const props = [`file=${property(file.path)}`, `line=${d.line}`, `col=${d.column}`, `endLine=${d.endLine}`, `endColumn=${d.endColumn}`, `title=${property(`sandlua ${d.code}`)}`];
      lines.push(`::${COMMAND[d.severity]} ${props.join(',')}::${data(d.message)}`);
    }
  }
  for (const n of notes) lines.push(`::notice file=${property(n.path)},line=${Math.max(1, n.line)},title=${property('sandlua capability change')}::${data(n.message)}`);
  lines.push(`${result.files.length} file${result.files.length === 1 ? '' : 's'} checked: ${result.errors} error${result.errors === 1 ? '' : 's'}, ${result.warnings} warning${result.warnings === 1 ? '' : 's'}`);
  return lines.join('\n') + '\n';
}
