// The `sarif` format: SARIF 2.1.0, for code-scanning annotations on pull requests. One run, the
// rules of every stable code (rules.ts), results with their locations and fixes. Findings that a
// comment in the script suppresses are results too, marked `suppressions: [{ kind: 'inSource' }]`,
// so code scanning shows them as dismissed in source rather than not at all.

import type { CheckResult } from './check';
import { RULES, ruleFor, CAPABILITY_CHANGE_RULE } from '@sandlua/lua';

declare const SANDLUA_VERSION: string | undefined;

const LEVEL = { error: 'error', warning: 'warning', information: 'note', hint: 'note' } as const;

/** A path as a SARIF relative URI (forward slashes, each segment encoded). */
function uri(path: string): string {
  return path.split(/[\\/]/).map(encodeURIComponent).join('/');
}

export interface SarifNote { path: string; line: number; message: string }

export function formatSarif(result: CheckResult, notes: SarifNote[] = []): string {
  const rules = [...RULES, ...(notes.length > 0 ? [CAPABILITY_CHANGE_RULE] : [])];
  const index = new Map(rules.map((r, i) => [r.code, i]));
  const results: unknown[] = [];
  for (const file of result.files) {
    const suppressed = new Set(file.suppressed ?? []);
    for (const d of [...file.diagnostics, ...(file.suppressed ?? [])]) {
      const rule = ruleFor(d.code);
      const region = { startLine: d.line, startColumn: d.column, endLine: d.endLine, endColumn: Math.max(d.endColumn, d.line === d.endLine ? d.column : d.endColumn) };
      const out: Record<string, unknown> = {
        ruleId: rule.code,
        level: LEVEL[d.severity],
        message: { text: d.message },
        locations: [{ physicalLocation: { artifactLocation: { uri: uri(file.path) }, region } }],
      };
      if (index.has(rule.code)) out.ruleIndex = index.get(rule.code);
      if (suppressed.has(d)) out.suppressions = [{ kind: 'inSource' }];
      if (d.fixes && d.fixes.length > 0) {
        out.fixes = d.fixes.map((f) => ({
          description: { text: f.title },
          artifactChanges: [{
            // A fix that changes the contract (a grant, a host function, an output field) edits sandlua.json.
            artifactLocation: { uri: uri(f.contract && file.manifest !== null ? file.manifest : file.path) },
            replacements: f.edits.map((e) => ({
              deletedRegion: { startLine: e.line, startColumn: e.column, endLine: e.endLine, endColumn: e.endColumn },
              insertedContent: { text: e.newText },
            })),
          }],
        }));
      }
      results.push(out);
    }
  }
  for (const note of notes) {
    results.push({
      ruleId: CAPABILITY_CHANGE_RULE.code, ruleIndex: index.get(CAPABILITY_CHANGE_RULE.code), level: 'note', message: { text: note.message },
      locations: [{ physicalLocation: { artifactLocation: { uri: uri(note.path) }, region: { startLine: Math.max(1, note.line) } } }],
    });
  }
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'sandlua',
          version: typeof SANDLUA_VERSION === 'string' ? SANDLUA_VERSION : '0.0.0-dev',
          informationUri: 'https://github.com/sandlua/sandlua',
          rules: rules.map((r) => ({
            id: r.code,
            name: r.name,
            shortDescription: { text: r.summary },
            help: { text: r.help },
            defaultConfiguration: { level: LEVEL[r.severity] },
          })),
        },
      },
      results,
      columnKind: 'utf16CodeUnits',
    }],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
