// What the analysis says about a script, as plain data: byte offsets into the source (UTF-16
// offsets of the text the parser was given), a stable code, a severity and optional fixes. The CLI
// renders these as text, JSON, SARIF or annotations; the language server as LSP diagnostics.

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
