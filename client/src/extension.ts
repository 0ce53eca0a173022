// The VS Code extension (thin): starts the bundled language server over node IPC (the client
// library restarts it if it dies, a few times), registers the debug adapter inline with a
// configuration provider (F5 on a script under a contract debugs it), shows which contract governs
// the active script, and adds the commands: Show Bytecode, Run Script, Show Capability Report,
// Restart Server. In an untrusted workspace the language features work (they only read); Run
// Script and a debug host module (workspace JavaScript) are refused with a message.

import * as path from 'path';
import { execFile } from 'child_process';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { SandluaDebugSession, defaultInput } from '@sandlua/debugger';

let client: LanguageClient | undefined;
const BYTECODE_SCHEME = 'sandlua-bytecode';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath(path.join('server', 'dist', 'sandlua.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, args: ['lsp', '--node-ipc'], transport: TransportKind.ipc },
    debug: { module: serverModule, args: ['lsp', '--node-ipc'], transport: TransportKind.ipc },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: 'lua' }, { scheme: 'file', pattern: '**/sandlua.json' }],
    synchronize: { configurationSection: 'sandlua', fileEvents: vscode.workspace.createFileSystemWatcher('**/sandlua.json') },
    outputChannelName: 'Sandlua Language Server',
    // LuaLS beside us: the server leaves to it what both would report (setting sandlua.luaLS).
    // Quick fixes that change a contract end with openContractCommand (registered below).
    initializationOptions: { luaLS: vscode.extensions.getExtension('sumneko.lua') !== undefined, openContractCommand: 'sandlua.openContract' },
  };
  client = new LanguageClient('sandlua', 'Sandlua', serverOptions, clientOptions);
  await client.start();

  // The debugger, inline in the extension host.
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory('sandlua', {
      createDebugAdapterDescriptor: () => new vscode.DebugAdapterInlineImplementation(new SandluaDebugSession() as unknown as vscode.DebugAdapter),
    }),
    vscode.debug.registerDebugConfigurationProvider('sandlua', new ConfigurationProvider()),
  );

  // Which contract governs the active script.
  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
  status.command = 'sandlua.showReport';
  context.subscriptions.push(status);
  const updateStatus = async (): Promise<void> => {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'lua' || !client) {
      status.hide();
      return;
    }
    const contract = await client.sendRequest<{ name: string; path: string; broken: boolean } | null>('sandlua/contract', { uri: editor.document.uri.toString() }).catch(() => null);
    status.text = contract ? `$(shield) ${contract.name}${contract.broken ? ' (broken)' : ''}` : '$(shield) no contract (deny-all)';
    status.tooltip = contract ? `Governed by ${contract.path}` : 'No sandlua.json governs this script: only the default standard library is granted.';
    status.show();
  };
  context.subscriptions.push(vscode.window.onDidChangeActiveTextEditor(() => void updateStatus()), vscode.workspace.onDidSaveTextDocument(() => void updateStatus()));
  void updateStatus();

  // Show Bytecode: a read-only listing that follows the cursor.
  const bytecode = new BytecodeProvider();
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(BYTECODE_SCHEME, bytecode),
    vscode.commands.registerCommand('sandlua.showBytecode', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) return;
      const uri = vscode.Uri.parse(`${BYTECODE_SCHEME}:${encodeURIComponent(editor.document.uri.toString())}.luac`);
      bytecode.refresh(uri);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
    }),
    vscode.window.onDidChangeTextEditorSelection((e) => bytecode.follow(e.textEditor)),
    vscode.workspace.onDidChangeTextDocument((e) => bytecode.changed(e.document.uri)),
  );

  // After a quick fix changed a contract (grant, host function, output field): show it beside the
  // script with the edit applied and unsaved, for review (the server already checks against it).
  context.subscriptions.push(vscode.commands.registerCommand('sandlua.openContract', async (uri: string) => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: false, preserveFocus: true });
  }));

  const output = vscode.window.createOutputChannel('Sandlua Run');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('sandlua.runScript', () => runScript(serverModule, output)),
    vscode.commands.registerCommand('sandlua.showReport', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || !client) return;
      const markdown = await client.sendRequest<string>('sandlua/report', { uri: editor.document.uri.toString() });
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: markdown });
      await vscode.commands.executeCommand('markdown.showPreview', doc.uri);
    }),
    vscode.commands.registerCommand('sandlua.restartServer', async () => {
      await client?.restart();
      void updateStatus();
    }),
  );
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}

class BytecodeProvider implements vscode.TextDocumentContentProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private lines = new Map<string, Record<number, number[]>>();

  refresh(uri: vscode.Uri): void {
    this.emitter.fire(uri);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const source = decodeURIComponent(uri.path.replace(/\.luac$/, ''));
    const answer = await client!.sendRequest<{ listing: string; lines: Record<number, number[]> }>('sandlua/disasm', { uri: source });
    this.lines.set(source, answer.lines);
    return answer.listing;
  }

  /** Reveals the instructions of the cursor's line in an open listing of that script. */
  follow(editor: vscode.TextEditor): void {
    if (editor.document.uri.scheme === BYTECODE_SCHEME) return;
    const source = editor.document.uri.toString();
    const rows = this.lines.get(source)?.[editor.selection.active.line + 1];
    if (!rows || rows.length === 0) return;
    for (const view of vscode.window.visibleTextEditors) {
      if (view.document.uri.scheme !== BYTECODE_SCHEME || decodeURIComponent(view.document.uri.path.replace(/\.luac$/, '')) !== source) continue;
      const range = new vscode.Range(rows[0], 0, rows[rows.length - 1], 0);
      view.selection = new vscode.Selection(range.start, range.start);
      view.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
  }

  changed(uri: vscode.Uri): void {
    if (!this.lines.has(uri.toString())) return;
    this.emitter.fire(vscode.Uri.parse(`${BYTECODE_SCHEME}:${encodeURIComponent(uri.toString())}.luac`));
  }
}

/** Run Script: `sandlua run --json` on the active script (in its own process), output and audit shown. */
async function runScript(serverModule: string, output: vscode.OutputChannel): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Sandlua: Run Script is disabled in an untrusted workspace (it runs workspace code). Trust the workspace to run scripts.');
    return;
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== 'lua') return;
  await editor.document.save();
  const file = editor.document.uri.fsPath;
  const input = await vscode.window.showInputBox({ prompt: 'Input for the script (JSON)', value: JSON.stringify(defaultInput(file) ?? {}) });
  if (input === undefined) return;
  output.clear();
  output.show(true);
  const audit = path.join(require('os').tmpdir(), `sandlua-audit-${Date.now()}.json`);
  execFile(process.execPath, [serverModule, 'run', file, '--json', '--input', input, '--audit', audit], { cwd: path.dirname(file) }, (_error, stdout, stderr) => {
    if (stderr) output.append(stderr);
    output.appendLine(stdout.trim());
    try {
      output.appendLine('\naudit record:');
      output.appendLine(require('fs').readFileSync(audit, 'utf8'));
    } catch {
      // No record (a usage error): the message above says why.
    }
  });
}

class ConfigurationProvider implements vscode.DebugConfigurationProvider {
  /** F5 without a launch.json: debug the active script under its contract. */
  resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    if (!config.type && !config.request && !config.name) {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.document.languageId !== 'lua') return undefined;
      config.type = 'sandlua';
      config.request = 'launch';
      config.name = 'Debug script under its contract';
      config.program = editor.document.uri.fsPath;
      if (config.input === undefined && config.inputFile === undefined) config.input = defaultInput(config.program);
    }
    if (config.host && !vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Sandlua: a debug "host" module is workspace JavaScript; it is disabled in an untrusted workspace. The contract\'s examples answer the host functions instead.');
      delete config.host;
    }
    if (!config.program) {
      void vscode.window.showErrorMessage('Sandlua: the launch configuration needs a "program" (the script to debug).');
      return undefined;
    }
    config.cwd = config.cwd ?? folder?.uri.fsPath;
    return config;
  }
}
