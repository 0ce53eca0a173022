// The extension in a real VS Code: diagnostics, completion, hover, go to definition into
// sandlua.json, the bytecode command, and a debug session that stops at a breakpoint and steps one
// VM instruction. The workspace is a copy of examples/ (the runner makes it).
import { strict as assert } from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import { snapshot } from './snapshot';
import { folder, waitFor } from './util';

const script = (): vscode.Uri => vscode.Uri.file(path.join(folder(), 'invoice-normalizer', 'probe.lua'));

describe('Sandlua in VS Code', () => {
  let doc: vscode.TextDocument;

  before(async () => {
    const ext = vscode.extensions.all.find((e) => e.packageJSON?.name === 'sandlua');
    assert.ok(ext, 'the extension is loaded');
    await vscode.workspace.fs.writeFile(script(), Buffer.from('local v = lookup_vendor_alias(input.vendor_name)\nos.execute("ls")\ntools.emit_review_note("x")\nreturn { normalized_vendor = v or "" }\n'));
    doc = await vscode.workspace.openTextDocument(script());
    await vscode.window.showTextDocument(doc);
    await ext.activate();
  });

  it('shows the contract checker\'s diagnostics', async () => {
    const diagnostics = await waitFor('diagnostics', () => {
      const d = vscode.languages.getDiagnostics(script());
      return d.some((x) => x.code === 'forbidden') ? d : undefined;
    });
    const forbidden = diagnostics.find((d) => d.code === 'forbidden')!;
    assert.equal(forbidden.message, 'os.execute is not granted by invoice-normalizer (sandlua.json)');
    assert.equal(forbidden.range.start.line, 1);
    await snapshot('diagnostics');
  });

  it('completes the granted host functions', async () => {
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', script(), new vscode.Position(2, 6), '.');
    assert.ok(list.items.some((i) => (typeof i.label === 'string' ? i.label : i.label.label) === 'emit_review_note'));
  });

  it('hovers a host function with its signature and contract', async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', script(), new vscode.Position(0, 14));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /lookup_vendor_alias\(alias: string\): string\?/);
    assert.match(text, /invoice-normalizer/);
  });

  it('shows parameter-name inlay hints at host calls (the analysis through the editor)', async () => {
    const range = new vscode.Range(0, 0, doc.lineCount, 0);
    const hints = await waitFor('inlay hints', async () => {
      const h = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', script(), range);
      return h && h.length > 0 ? h : undefined;
    });
    const labels = hints.map((h) => `${h.position.line}:${typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')}`);
    assert.ok(labels.includes('0:alias:'), JSON.stringify(labels));
  });

  it('goes to a host function\'s definition in sandlua.json', async () => {
    const locations = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', script(), new vscode.Position(0, 14));
    const uri = 'uri' in locations[0] ? locations[0].uri : locations[0].targetUri;
    assert.equal(path.basename(uri.fsPath), 'sandlua.json');
  });

  it('shows the bytecode of the script', async () => {
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('sandlua.showBytecode');
    const listing = await waitFor('the bytecode listing', () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'sandlua-bytecode'));
    assert.match(listing.getText(), /GETTABUP\s+\d+ 0 -\d+\t; _ENV "lookup_vendor_alias"/);
  });

  it('debugs: stops at a breakpoint and steps one instruction', async () => {
    const file = vscode.Uri.file(path.join(folder(), 'invoice-normalizer', 'normalize.lua'));
    const bp = new vscode.SourceBreakpoint(new vscode.Location(file, new vscode.Position(33, 0)));
    vscode.debug.addBreakpoints([bp]);
    const stops: number[] = [];
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('sandlua', {
      createDebugAdapterTracker: () => ({ onDidSendMessage: (m: { type: string; event?: string }) => { if (m.type === 'event' && m.event === 'stopped') stops.push(Date.now()); } }),
    });
    try {
      const started = await vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], {
        type: 'sandlua', request: 'launch', name: 'test', program: file.fsPath, input: { vendor_name: 'ACME Corp.' },
      });
      assert.ok(started);
      await waitFor('the breakpoint', () => stops.length >= 1);
      const session = vscode.debug.activeDebugSession!;
      const before = await session.customRequest('stackTrace', { threadId: 1 });
      const ip = BigInt(before.stackFrames[0].instructionPointerReference);
      assert.equal(before.stackFrames[0].line, 34);
      await session.customRequest('next', { threadId: 1, granularity: 'instruction' });
      await waitFor('the instruction step', () => stops.length >= 2);
      const after = await session.customRequest('stackTrace', { threadId: 1 });
      assert.equal(BigInt(after.stackFrames[0].instructionPointerReference), ip + 1n);
      await vscode.debug.stopDebugging(session);
    } finally {
      tracker.dispose();
      vscode.debug.removeBreakpoints([bp]);
    }
  });
});
