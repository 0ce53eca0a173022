// The `text` format: one line per problem as compilers print them (`path:line:col: severity:
// message [code]`), then the source line with the range underlined, then a one-line summary.

import type { CheckResult, CheckDiagnostic } from './check';

export interface TextFormatOptions {
  /** ANSI colours (only for a terminal; `NO_COLOR` turns them off). */
  color?: boolean;
}

const CODES = { red: '\x1b[31m', yellow: '\x1b[33m', cyan: '\x1b[36m', bold: '\x1b[1m', dim: '\x1b[2m', reset: '\x1b[0m' };

export function formatText(result: CheckResult, options: TextFormatOptions = {}): string {
  const paint = (style: keyof typeof CODES, text: string) => (options.color ? CODES[style] + text + CODES.reset : text);
  const out: string[] = [];
  for (const file of result.files) {
    if (file.diagnostics.length === 0) continue;
    const lines = file.source.split(/\r\n|\n\r|\r|\n/);
    for (const d of file.diagnostics) {
      const severity = paint(d.severity === 'error' ? 'red' : 'yellow', d.severity);
      out.push(`${paint('bold', `${file.path}:${d.line}:${d.column}:`)} ${severity}: ${d.message} ${paint('dim', `[${d.code}]`)}`);
      out.push(...excerpt(lines, d, paint));
    }
  }
  out.push(summary(result));
  return out.join('\n') + '\n';
}

function excerpt(lines: string[], d: CheckDiagnostic, paint: (style: keyof typeof CODES, text: string) => string): string[] {
  const text = lines[d.line - 1];
  if (text === undefined) return [];
  const gutter = String(d.line).padStart(5) + ' | ';
  const blank = ' '.repeat(5) + ' | ';
  // Keep tabs in the padding so the marker lines up however the terminal expands them.
  const startIndex = Math.min(d.column - 1, text.length);
  const pad = text.slice(0, startIndex).replace(/[^\t]/g, ' ');
  const endIndex = d.endLine === d.line ? Math.min(d.endColumn - 1, text.length) : text.length;
  const width = Math.max(1, endIndex - startIndex);
  const shown = text.length > 200 ? text.slice(0, 200) + '…' : text;
  return [paint('cyan', gutter) + shown, paint('cyan', blank) + pad + paint('red', '^' + '~'.repeat(width - 1))];
}

function summary(result: CheckResult): string {
  const files = result.files.length;
  const fileWord = `${files} file${files === 1 ? '' : 's'}`;
  if (result.errors === 0 && result.warnings === 0) return `${fileWord} checked: no problems`;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${fileWord} checked: ${plural(result.errors, 'error')}, ${plural(result.warnings, 'warning')}`;
}
