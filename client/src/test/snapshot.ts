// Screenshots of the real VS Code window, asked for from inside the extension-host suite: the
// runner (test/vscode.test.ts) drives the browser that shows this window; a test writes
// `<name>.request` into SANDLUA_SNAPSHOTS, the runner saves test/artifacts/<name>.png and answers
// with `<name>.done`. The request may name texts the window must show (what the API cannot see: the
// Settings UI, the Outline, a webview): the runner looks for each in the page and answers the ones
// it did not find, and the snapshot fails naming them.
import * as fs from 'fs';
import * as path from 'path';

/** A text the window must show, anywhere or inside the elements a CSS selector finds. */
export type Expected = string | { text: string; within: string };

export async function snapshot(name: string, expect: Expected[] = [], ms = 30000): Promise<void> {
  const dir = process.env.SANDLUA_SNAPSHOTS;
  if (!dir) throw new Error('SANDLUA_SNAPSHOTS is not set: the suite runs under test/vscode.test.ts');
  const done = path.join(dir, `${name}.done`);
  fs.rmSync(done, { force: true });
  // Let the window paint what the test just did.
  await new Promise((r) => setTimeout(r, 400));
  fs.writeFileSync(path.join(dir, `${name}.request`), JSON.stringify({ expect }));
  const end = Date.now() + ms;
  while (!fs.existsSync(done)) {
    if (Date.now() > end) throw new Error(`no screenshot ${name} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const missing = (JSON.parse(fs.readFileSync(done, 'utf8') || '{}') as { missing?: string[] }).missing ?? [];
  if (missing.length > 0) throw new Error(`the window (test/artifacts/${name}.png) does not show: ${missing.join(', ')}`);
}
