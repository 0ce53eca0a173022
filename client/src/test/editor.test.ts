// Day-one editing in a real VS Code: the Outline while a declaration is being typed, ordinary Lua
// beside governed scripts, and the per-code severity in the Settings UI.
import { strict as assert } from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import { snapshot } from './snapshot';
import { codesOf, folder, waitFor } from './util';
import { sandlua } from './api';

async function openWith(relative: string, text: string): Promise<vscode.TextEditor> {
  const uri = vscode.Uri.file(path.join(folder(), relative));
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text));
  return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
}

describe('Sandlua in VS Code: editing', () => {
  before(async () => {
    await sandlua();
  });

  after(async () => {
    await vscode.workspace.getConfiguration('sandlua').update('ungovernedScripts', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('sandlua').update('severity', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('keeps the Outline while a declaration is being typed (`local `)', async () => {
    const editor = await openWith(path.join('invoice-normalizer', 'outline.lua'),
      'local function clean(name)\n  return (name:gsub("%s+", " "))\nend\nlocal alias = clean(input.vendor_name)\n\nreturn { normalized_vendor = alias }\n');
    const uri = editor.document.uri;
    await editor.edit((b) => b.insert(new vscode.Position(4, 0), 'local '));
    // The syntax error of the half-typed declaration is there: the server has seen the edit.
    await waitFor('the syntax error', () => codesOf(uri).includes('syntax'));
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri);
    const names = (symbols ?? []).flatMap(function flat(s: vscode.DocumentSymbol): string[] { return [s.name, ...s.children.flatMap(flat)]; });
    assert.ok(names.includes('clean') && names.includes('alias'), JSON.stringify(names));
    assert.ok(names.every((n) => n.trim() !== ''), `a nameless symbol: ${JSON.stringify(names)}`);
    await vscode.commands.executeCommand('outline.focus');
    await snapshot('outline-typing-local', [{ text: 'clean', within: '.outline-pane, [id="outline"]' }, { text: 'alias', within: '.outline-pane, [id="outline"]' }]);
  });

  it('leaves ordinary Lua alone beside governed scripts (sandlua.ungovernedScripts)', async () => {
    // A governed script: the contract's judgement.
    const governed = await openWith(path.join('invoice-normalizer', 'governed.lua'), 'io.write("x")\nreturn { normalized_vendor = "" }\n');
    await waitFor('forbidden in the governed script', () => codesOf(governed.document.uri).includes('forbidden'));
    // Ordinary Lua at the workspace's root (no sandlua.json above it): its syntax error only.
    const loose = await openWith('loose.lua', 'local unused = 1\nio.write(require("x"))\nlocal broken =\n');
    await waitFor('the syntax error of the ungoverned script', () => codesOf(loose.document.uri).includes('syntax'));
    assert.deepEqual(codesOf(loose.document.uri), ['syntax']);
    // Ordinary Lua keeps VS Code's own language support: the extension contributes no Lua grammar.
    assert.equal(loose.document.languageId, 'lua');
    const grammars = (vscode.extensions.all.find((e) => e.packageJSON?.name === 'sandlua')!.packageJSON.contributes.grammars as { language: string }[]);
    assert.deepEqual(grammars.map((g) => g.language), ['sandlua-bytecode']);
    const api = await sandlua();
    await waitFor('the status of an ungoverned script', () => api.statusText() === '$(shield) no contract (not checked)');
    // Completed: nothing at all (the server has seen the edit when the syntax error is gone).
    await loose.edit((b) => b.insert(new vscode.Position(2, 14), ' 2'));
    await waitFor('the edit', () => !codesOf(loose.document.uri).includes('syntax'));
    assert.deepEqual(codesOf(loose.document.uri), []);
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    await snapshot('ungoverned-beside-governed', ['io.write is not granted by invoice-normalizer']);
    // `lint`: the language's own findings, still no contract codes.
    await vscode.workspace.getConfiguration('sandlua').update('ungovernedScripts', 'lint', vscode.ConfigurationTarget.Workspace);
    await waitFor('lint findings in the ungoverned script', () => codesOf(loose.document.uri).includes('unused'));
    await waitFor('the status in lint mode', () => api.statusText() === '$(shield) no contract (lint only)');
    assert.ok(!codesOf(loose.document.uri).includes('forbidden'));
    await vscode.workspace.getConfiguration('sandlua').update('ungovernedScripts', undefined, vscode.ConfigurationTarget.Workspace);
    await waitFor('the default again', () => !codesOf(loose.document.uri).includes('unused'));
  });

  it('edits the severity of each code in the Settings UI', async () => {
    const editor = await openWith(path.join('invoice-normalizer', 'severity.lua'), 'local unused = 1\nreturn { normalized_vendor = "" }\n');
    await waitFor('unused as a warning', () => vscode.languages.getDiagnostics(editor.document.uri).find((d) => d.code === 'unused' && d.severity === vscode.DiagnosticSeverity.Warning));
    // What the Settings UI writes when an entry is added: one property of the object.
    await vscode.workspace.getConfiguration('sandlua').update('severity', { unused: 'hint' }, vscode.ConfigurationTarget.Workspace);
    await waitFor('unused as a hint', () => vscode.languages.getDiagnostics(editor.document.uri).find((d) => d.code === 'unused' && d.severity === vscode.DiagnosticSeverity.Hint));
    await vscode.commands.executeCommand('workbench.action.openWorkspaceSettings', { query: 'sandlua.severity' });
    await snapshot('settings-severity', [{ text: 'Severity', within: '.settings-editor' }, { text: 'unused', within: '.settings-editor' }]);
  });
});
