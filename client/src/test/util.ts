// What the extension-host test files share.
import * as vscode from 'vscode';

/** The workspace folder the runner opened (a copy of examples/). */
export const folder = (): string => vscode.workspace.workspaceFolders![0].uri.fsPath;

/** Polls `probe` until it gives a value (not undefined, null or false). */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 30000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && (value as unknown) !== false) return value as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The codes of the diagnostics VS Code holds for `uri`. */
export const codesOf = (uri: vscode.Uri): string[] => vscode.languages.getDiagnostics(uri).map((d) => String(typeof d.code === 'object' ? d.code.value : d.code));
