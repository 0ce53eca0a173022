// The extension's views in a real VS Code: the capability report is a read-only document (never
// untitled, never dirty), the bytecode listing has its own language and is linked both ways with
// the script, the status item, and `sandlua.trace.server` writing the protocol trace into the one
// Sandlua output channel.
import { strict as assert } from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import type { SandluaApi } from '../extension';
import { snapshot } from './snapshot';
import { sandlua } from './api';
import { folder, waitFor } from './util';

const script = (): vscode.Uri => vscode.Uri.file(path.join(folder(), 'invoice-normalizer', 'normalize.lua'));

describe('Sandlua views', () => {
  let api: SandluaApi;
  let source: vscode.TextEditor;

  before(async () => {
    api = await sandlua();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    source = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(script()), vscode.ViewColumn.One);
  });

  it('shows the governing contract in the status item once the server runs', async () => {
    const text = await waitFor('the contract in the status bar', () => (api.statusText().includes('invoice-normalizer') ? api.statusText() : undefined));
    assert.equal(text, '$(shield) invoice-normalizer');
    assert.equal(api.statusShown()[0], '$(sync~spin) Sandlua: starting…', 'it said first that the server was starting');
  });

  it('says the server is starting while Restart Server restarts it, then the contract again', async () => {
    const before = api.statusShown().length;
    await vscode.commands.executeCommand('sandlua.restartServer');
    await waitFor('the contract after the restart', () => api.statusText() === '$(shield) invoice-normalizer');
    const during = api.statusShown().slice(before);
    assert.deepEqual(during.filter((t) => !t.startsWith('$(shield)')), ['$(sync~spin) Sandlua: starting…'], during.join(' | '));
    await waitFor('diagnostics from the restarted server', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', script(), new vscode.Position(34, 22));
      return hovers.length > 0;
    });
  });

  it('opens the capability report read-only: not untitled, not dirty', async () => {
    await vscode.commands.executeCommand('sandlua.showReport');
    const report = await waitFor('the report document', () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'sandlua-report'));
    assert.equal(report.isUntitled, false);
    assert.equal(report.isDirty, false);
    assert.equal(path.posix.basename(report.uri.path), 'normalize.lua report.md');
    assert.match(report.getText(), /invoice-normalizer/);
    assert.match(report.getText(), /lookup_vendor_alias/);
    assert.deepEqual(vscode.workspace.textDocuments.filter((d) => d.isUntitled).map((d) => d.uri.toString()), [], 'no untitled document was made');
    // For the picture only: the Markdown preview renders in its own webview, which the API cannot see.
    await new Promise((r) => setTimeout(r, 4000));
    await snapshot('capability-report');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('shows the bytecode in its own language, linked both ways with the script', async () => {
    source = await vscode.window.showTextDocument(source.document, vscode.ViewColumn.One);
    await vscode.commands.executeCommand('sandlua.showBytecode');
    const listing = await waitFor('the bytecode editor', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'sandlua-bytecode' && e.document.lineCount > 10));
    assert.equal(listing.document.languageId, 'sandlua-bytecode');

    // The script's cursor on line 35 selects the instructions of line 35 in the listing.
    source.selection = new vscode.Selection(34, 4, 34, 4);
    const rows = await waitFor('the instructions of line 35 selected', () => {
      const view = vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'sandlua-bytecode')!;
      const s = view.selection;
      const text = view.document.getText(new vscode.Range(s.start.line, 0, s.end.line, s.end.character));
      return !s.isEmpty && text.split('\n').every((row) => row.includes('\t[35]\t')) ? text : undefined;
    });
    assert.match(rows, /GETTABUP\s+\d+ 0 -\d+\t; _ENV "lookup_vendor_alias"/);
    await snapshot('bytecode-view', ['GETTABUP', { text: 'invoice-normalizer', within: '.statusbar' }]);

    // A click on an instruction of the review note's line selects that line in the script.
    const note = source.document.getText().split('\n').findIndex((l) => l.includes('vendor name has no letters'));
    assert.ok(note > 0);
    const view = vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'sandlua-bytecode')!;
    const row = Array.from({ length: view.document.lineCount }, (_, i) => i).find((i) => view.document.lineAt(i).text.includes(`\t[${note + 1}]\t`))!;
    view.selection = new vscode.Selection(row, 3, row, 3);
    const selected = await waitFor(`line ${note + 1} selected in the script`, () => {
      const e = vscode.window.visibleTextEditors.find((x) => x.document.uri.toString() === script().toString());
      return e && e.selection.start.line === note && !e.selection.isEmpty ? e : undefined;
    });
    assert.match(selected.document.getText(selected.selection), /tools\.emit_review_note\("vendor name has no letters: " \.\. raw\)/);
    // ... and the listing keeps the clicked row: the script's selection is not followed back.
    assert.equal(view.selection.active.line, row);

    // Go to Definition on an instruction: its source line.
    const definitions = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeDefinitionProvider', view.document.uri, new vscode.Position(row, 8));
    assert.deepEqual(definitions.map((d) => [d.uri.toString(), d.range.start.line]), [[script().toString(), note]]);

    // A function header goes to the function's first line.
    const header = Array.from({ length: view.document.lineCount }, (_, i) => i).find((i) => view.document.lineAt(i).text.startsWith('function <'))!;
    view.selection = new vscode.Selection(header, 0, header, 0);
    await waitFor('the function\'s first line selected', () => {
      const e = vscode.window.visibleTextEditors.find((x) => x.document.uri.toString() === script().toString());
      return e && e.selection.start.line === 7 ? e : undefined;
    });
  });

  it('writes the language server trace into the Sandlua channel when sandlua.trace.server is on', async () => {
    const config = vscode.workspace.getConfiguration('sandlua');
    assert.ok(!/Sending request 'textDocument\/hover/.test(api.channelText()), 'no trace while it is off');
    await config.update('trace.server', 'messages', vscode.ConfigurationTarget.Global);
    try {
      const text = await waitFor('a traced hover request', async () => {
        await vscode.commands.executeCommand('vscode.executeHoverProvider', script(), new vscode.Position(34, 22));
        const channel = api.channelText();
        return /\[trace\] Sending request 'textDocument\/hover - \(\d+\)'/.test(channel) ? channel : undefined;
      });
      assert.match(text, /\[trace\] Received response 'textDocument\/hover - \(\d+\)' in \d+ms/);
    } finally {
      await config.update('trace.server', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
