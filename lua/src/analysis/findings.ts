// What the analysis says about a script, as plain data: byte offsets into the source (UTF-16
// offsets of the text the parser was given), a stable code, a severity and optional fixes. The CLI
// renders these as text, JSON, SARIF or annotations; the language server as LSP diagnostics.

import type { ContractEdit } from '../contract/edit';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface Edit {
  start: number;
  end: number;
  newText: string;
}

export interface Fix {
  title: string;
  edits: Edit[];
  /** The fix silences the finding (a suppression comment) instead of mending it: never the preferred fix. */
  silences?: true;
  /** The fix puts the name that was meant in place of a misspelled or outdated one (the editor's preferred fix). */
  corrects?: true;
  /**
   * Changes to the governing contract (sandlua.json) instead of the script (whose `edits` are then
   * empty): granting a standard name, declaring a host function, adding an output field. A change
   * of what the script may do, for the contract's owner to review.
   */
  contract?: ContractEdit[];
}

export interface Finding {
  start: number;
  end: number;
  severity: Severity;
  code: string;
  message: string;
  /** Quick fixes (did-you-mean, a missing output field). */
  fixes?: Fix[];
  /**
   * A suppression comment in the script covers the finding (suppress.ts): text, JSON and the editor
   * do not show it; SARIF reports it as suppressed in source.
   */
  suppressed?: true;
}

/** "Change to 'name'": replaces `range` with `text` (what the message suggests); `label` when it reads otherwise. */
export function changeTo(range: { start: number; end: number }, text: string, label = text): Fix {
  return { title: `Change to '${label}'`, corrects: true, edits: [{ start: range.start, end: range.end, newText: text }] };
}

/** A fix that changes the governing contract, not the script. */
export function contractFix(title: string, ...edits: ContractEdit[]): Fix {
  return { title, edits: [], contract: edits };
}

/**
 * A finding moved by `delta` with its fixes' edits (a copy: findings handed out are marked later,
 * by suppressions and severities), for an analysis that takes an earlier one's over. Fixes are
 * never changed once made: unmoved, they are shared.
 */
export function movedFinding(f: Finding, delta: number): Finding {
  const out: Finding = { ...f, start: f.start + delta, end: f.end + delta };
  if (f.fixes && delta !== 0) out.fixes = f.fixes.map((fix) => ({ ...fix, edits: fix.edits.map((e) => ({ ...e, start: e.start + delta, end: e.end + delta })) }));
  return out;
}
