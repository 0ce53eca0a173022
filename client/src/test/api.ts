// The extension's API (what activate() returns) for the extension-host tests.
import { strict as assert } from 'assert';
import * as vscode from 'vscode';
import type { SandluaApi } from '../extension';

/** Activates the extension (once) and returns the API activate() returned. */
export async function sandlua(): Promise<SandluaApi> {
  const ext = vscode.extensions.all.find((e) => e.packageJSON?.name === 'sandlua');
  assert.ok(ext, 'the extension is loaded');
  return (await ext.activate()) as SandluaApi;
}
