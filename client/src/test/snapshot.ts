// Screenshots of the real VS Code window, asked for from inside the extension-host suite: the
// runner (test/vscode.test.ts) drives the browser that shows this window; a test writes
// `<name>.request` into SANDLUA_SNAPSHOTS, the runner saves test/artifacts/<name>.png and answers
// with `<name>.done`. For a person to look at; the tests' assertions are made through the API.
import * as fs from 'fs';
import * as path from 'path';

export async function snapshot(name: string, ms = 20000): Promise<void> {
  const dir = process.env.SANDLUA_SNAPSHOTS;
  if (!dir) throw new Error('SANDLUA_SNAPSHOTS is not set: the suite runs under test/vscode.test.ts');
  const done = path.join(dir, `${name}.done`);
  fs.rmSync(done, { force: true });
  // Let the window paint what the test just did.
  await new Promise((r) => setTimeout(r, 400));
  fs.writeFileSync(path.join(dir, `${name}.request`), '');
  const end = Date.now() + ms;
  while (!fs.existsSync(done)) {
    if (Date.now() > end) throw new Error(`no screenshot ${name} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
