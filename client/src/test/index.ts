// The extension-host test suite's entry: VS Code (or code-server) loads this module as
// `extensionTestsPath` and calls run(); mocha runs the suite inside the real extension host.
// Results also go to a JSON file (SANDLUA_TEST_RESULTS, else .sandlua-test-results.json in the
// workspace) so that a runner driving code-server through a browser can read them.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

export function run(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Mocha = require(process.env.SANDLUA_MOCHA ?? 'mocha') as typeof import('mocha');
  const mocha = new Mocha({ ui: 'bdd', timeout: 60000, color: false });
  // Every *.test.js next to this file: one file per feature, so that features add tests side by side.
  for (const file of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(__dirname, file));
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
  const out = process.env.SANDLUA_TEST_RESULTS ?? path.join(folder, '.sandlua-test-results.json');
  const results: { title: string; ok: boolean; error?: string }[] = [];
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      fs.writeFileSync(out, JSON.stringify({ done: true, failures, results }, null, 2));
      if (failures > 0) reject(new Error(`${failures} tests failed`));
      else resolve();
    });
    runner.on('pass', (test) => results.push({ title: test.fullTitle(), ok: true }));
    runner.on('fail', (test, error: Error) => results.push({ title: test.fullTitle(), ok: false, error: String(error?.stack ?? error) }));
  });
}
