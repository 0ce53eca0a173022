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
}

export interface Finding {
  start: number;
  end: number;
  severity: Severity;
  code: string;
  message: string;
  /** Quick fixes (did-you-mean, a missing output field). */
  fixes?: Fix[];
}
