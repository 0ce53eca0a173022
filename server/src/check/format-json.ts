// The `json` format, a stable interface (DESIGN.md):
// {"files":[{"path","manifest","diagnostics":[{"line","column","endLine","endColumn","severity","code","message"}]}]}

import type { CheckResult } from './check';

export function formatJson(result: CheckResult): string {
  const files = result.files.map((file) => ({
    path: file.path,
    manifest: file.manifest,
    diagnostics: file.diagnostics.map((d) => ({
      line: d.line,
      column: d.column,
      endLine: d.endLine,
      endColumn: d.endColumn,
      severity: d.severity,
      code: d.code,
      message: d.message,
    })),
  }));
  return JSON.stringify({ files }) + '\n';
}
