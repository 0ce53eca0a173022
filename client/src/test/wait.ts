// Shared by the extension-host tests: the extension and its API, and polling until something shows.
import { strict as assert } from 'assert';
import * as vscode from 'vscode';
import type { SandluaApi } from '../extension';

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 30000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && (value as unknown) !== false) return value as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Activates the extension (once) and returns the API activate() returned. */
export async function sandlua(): Promise<SandluaApi> {
  const ext = vscode.extensions.all.find((e) => e.packageJSON?.name === 'sandlua');
  assert.ok(ext, 'the extension is loaded');
  return (await ext.activate()) as SandluaApi;
}

export const folder = (): string => vscode.workspace.workspaceFolders![0].uri.fsPath;
