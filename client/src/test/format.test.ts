// Formatting in a real VS Code: Format Document on a badly indented copy of an example script goes
// through the language server (StyLua) and gives exactly what `sandlua fmt` writes for the same
// file in the same folder (the repository's stylua.toml is copied there, so both use that style).
// Screenshots before and after: test/artifacts/format-document-before.png and -after.png.
import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { snapshot } from './snapshot';

const ROOT = path.join(__dirname, '..', '..', '..');

describe('Sandlua formatting in VS Code', () => {
  let dir = '';
  const made: string[] = [];

  before(async () => {
    const ext = vscode.extensions.all.find((e) => e.packageJSON?.name === 'sandlua');
    assert.ok(ext, 'the extension is loaded');
    await ext.activate();
    dir = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'invoice-normalizer');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    for (const file of made) fs.rmSync(file, { force: true });
  });

  it('Format Document gives what `sandlua fmt` writes', async () => {
    const style = path.join(dir, 'stylua.toml');
    fs.copyFileSync(path.join(ROOT, 'stylua.toml'), style);
    made.push(style);
    // The example with every line's indentation taken away and spaces doubled.
    const messy = fs.readFileSync(path.join(ROOT, 'examples', 'invoice-normalizer', 'normalize.lua'), 'utf8')
      .split('\n').map((line) => line.trimStart().replace(/ = /g, '  =  ')).join('\n');
    const file = path.join(dir, 'messy.lua');
    const viaCli = path.join(dir, 'messy-cli.lua');
    fs.writeFileSync(file, messy);
    fs.writeFileSync(viaCli, messy);
    made.push(file, viaCli);
    execFileSync(process.execPath, [path.join(ROOT, 'server', 'dist', 'sandlua.js'), 'fmt', viaCli]);
    const expected = fs.readFileSync(viaCli, 'utf8');
    assert.notEqual(expected, messy, 'the CLI changed the messy copy');

    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    await snapshot('format-document-before');
    // The language server may still be starting: ask again until the text changes.
    const end = Date.now() + 30000;
    while (doc.getText() === messy && Date.now() < end) {
      await vscode.commands.executeCommand('editor.action.formatDocument');
      if (doc.getText() === messy) await new Promise((r) => setTimeout(r, 300));
    }
    await snapshot('format-document-after');
    assert.equal(doc.getText(), expected);
  });
});
