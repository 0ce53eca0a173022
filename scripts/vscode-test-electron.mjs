// The extension-host test suite in a downloaded VS Code (@vscode/test-electron), for machines that
// can download VS Code. Here (offline) the same suite runs in code-server: test/vscode.test.ts.
//   node scripts/vscode-test-electron.mjs
import { runTests } from '@vscode/test-electron';
import { cpSync, mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join, dirname } from 'path';
import { fileURLToPath } from 'url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const workspace = mkdtempSync(join(tmpdir(), 'sandlua-electron-ws-'));
cpSync(join(root, 'examples'), workspace, { recursive: true });
await runTests({
  extensionDevelopmentPath: root,
  extensionTestsPath: join(root, 'client/out/test/index.js'),
  launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
});
