// The VS Code extension (thin): starts the bundled language server over node IPC (the client
// library restarts it if it dies, a few times), registers the debug adapter inline with a
// configuration provider (F5 on a script under a contract debugs it), shows in the status bar that
// the server is starting and then which contract governs the active script, and adds the commands:
// Show Bytecode (bytecode.ts), Run Script (run.ts), Show Capability Report (report.ts), Restart
// Server, Show Output. One output channel "Sandlua" (channel.ts) holds the client's log, its trace
// (`sandlua.trace.server`) and Run Script's log. In an untrusted workspace the language features
// work (they only read); Run Script and a debug host module (workspace JavaScript) are refused.
// activate() returns a small API for the extension-host tests.

import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { SandluaDebugSession, defaultInput } from '@sandlua/debugger';
import { Bytecode } from './bytecode';
import { Channel } from './channel';
import { Report } from './report';
import { Runner } from './run';

let client: LanguageClient | undefined;

/** What activate() returns: for tests, what the extension shows but the vscode API cannot read back. */
export interface SandluaApi {
  /** The Sandlua output channel's last lines. */
  channelText(): string;
  /** The Run Script panel's page as last rendered. */
  runHtml(): string | undefined;
  /** Whether the Run Script panel's last page has loaded and run its script. */
  runPanelReady(): boolean;
  /** Presses a button or link of the Run Script panel (`again`, `audit`, `line` with `line`). */
  runAction(message: { action: string; line?: number }): Promise<void>;
  /** The status bar item's text. */
  statusText(): string;
  /** The status item's texts so far, oldest first (the last 200 changes). */
  statusShown(): string[];
}

export async function activate(context: vscode.ExtensionContext): Promise<SandluaApi> {
  const channel = new Channel('Sandlua');
  const log = channel.log();
  const trace = channel.log('sandlua.trace.server');
  context.subscriptions.push(channel, log, trace, vscode.commands.registerCommand('sandlua.showOutput', () => channel.show(false)));

  const serverModule = context.asAbsolutePath(path.join('server', 'dist', 'sandlua.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, args: ['lsp', '--node-ipc'], transport: TransportKind.ipc },
    debug: { module: serverModule, args: ['lsp', '--node-ipc'], transport: TransportKind.ipc },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: 'lua' }, { scheme: 'file', pattern: '**/sandlua.json' }],
    synchronize: { configurationSection: 'sandlua', fileEvents: vscode.workspace.createFileSystemWatcher('**/sandlua.json') },
    outputChannel: log,
    traceOutputChannel: trace,
    // LuaLS beside us: the server leaves to it what both would report (setting sandlua.luaLS).
    // Quick fixes that change a contract end with openContractCommand (registered below).
    // VS Code's JSON support reports sandlua.json's syntax errors: the server leaves them to it.
    initializationOptions: {
      luaLS: vscode.extensions.getExtension('sumneko.lua') !== undefined,
      checksJson: vscode.extensions.getExtension('vscode.json-language-features') !== undefined,
      openContractCommand: 'sandlua.openContract',
    },
  };
  client = new LanguageClient('sandlua', 'Sandlua', serverOptions, clientOptions);

  // The status item: the server starting, failed, or the contract that governs the active script.
  const status = vscode.window.createStatusBarItem('sandlua.status', vscode.StatusBarAlignment.Left, 50);
  status.name = 'Sandlua';
  context.subscriptions.push(status);
  let serverState: 'starting' | 'running' | 'failed' = 'starting';
  let restarting = false;
  const serverStatus: Record<'starting' | 'failed', [string, string]> = {
    starting: ['$(sync~spin) Sandlua: starting…', 'The Sandlua language server is starting.'],
    failed: ['$(error) Sandlua: server failed to start', 'The Sandlua language server did not start or stopped. Click to see its output.'],
  };
  const shown: string[] = [];
  const show = (text: string, tooltip: string, command: string): void => {
    [status.text, status.tooltip, status.command] = [text, tooltip, command];
    status.show();
    if (shown[shown.length - 1] !== text) shown.push(text);
    if (shown.length > 200) shown.shift();
  };
  const updateStatus = async (): Promise<void> => {
    if (serverState !== 'running') {
      show(...serverStatus[serverState], 'sandlua.showOutput');
      return;
    }
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'lua' || !client) {
      status.hide();
      return;
    }
    const contract = await client.sendRequest<{ name: string; path: string; broken: boolean } | null>('sandlua/contract', { uri: editor.document.uri.toString() }).catch(() => null);
    if (serverState !== 'running') return;
    if (contract) {
      show(`$(shield) ${contract.name}${contract.broken ? ' (broken)' : ''}`, `Governed by ${contract.path}`, 'sandlua.showReport');
      return;
    }
    // No contract: what the editor does with the script follows sandlua.ungovernedScripts.
    const mode = vscode.workspace.getConfiguration('sandlua').get<string>('ungovernedScripts', 'ignore');
    const [label, what] = mode === 'default-contract' ? ['deny-all', 'checked under the default deny-all contract']
      : mode === 'lint' ? ['lint only', 'checked as plain Lua (syntax, lint, the standard library), with no contract']
        : ['not checked', 'left alone (syntax errors only)'];
    show(`$(shield) no contract (${label})`, `No sandlua.json governs this script: it is ${what} (setting sandlua.ungovernedScripts). Under the sandbox it would run with the default deny-all contract.`, 'sandlua.showReport');
  };
  context.subscriptions.push(
    vscode.window.onDidChangeActiveTextEditor(() => void updateStatus()),
    vscode.workspace.onDidSaveTextDocument(() => void updateStatus()),
    vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('sandlua.ungovernedScripts')) void updateStatus(); }),
    client.onDidChangeState((e) => {
      // Stopped: it died (the client gave up restarting it), or Restart Server is stopping it.
      serverState = e.newState === State.Running ? 'running' : e.newState === State.Starting || restarting ? 'starting' : 'failed';
      void updateStatus();
    }),
  );
  const start = async (): Promise<void> => {
    serverState = 'starting';
    void updateStatus();
    try {
      await client!.start();
      serverState = 'running';
    } catch (error) {
      serverState = 'failed';
      log.error(`The language server failed to start: ${error instanceof Error ? error.message : String(error)}`);
    }
    void updateStatus();
  };
  await start();

  // The debugger, inline in the extension host.
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory('sandlua', {
      createDebugAdapterDescriptor: () => new vscode.DebugAdapterInlineImplementation(new SandluaDebugSession() as unknown as vscode.DebugAdapter),
    }),
    vscode.debug.registerDebugConfigurationProvider('sandlua', new ConfigurationProvider()),
  );

  const bytecode = new Bytecode(() => client);
  const report = new Report(() => client);
  const runner = new Runner(serverModule, channel);
  context.subscriptions.push(
    bytecode,
    report,
    runner,
    vscode.commands.registerCommand('sandlua.showBytecode', async () => {
      const editor = vscode.window.activeTextEditor;
      if (editor) await bytecode.show(editor);
    }),
    vscode.commands.registerCommand('sandlua.runScript', (args?: { input?: unknown }) => runner.command(args)),
  );

  // After a quick fix changed a contract (grant, host function, output field): show it beside the
  // script with the edit applied and unsaved, for review (the server already checks against it).
  context.subscriptions.push(
    vscode.commands.registerCommand('sandlua.openContract', async (uri: string) => {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: false, preserveFocus: true });
    }),
    vscode.commands.registerCommand('sandlua.showReport', async () => {
      const editor = vscode.window.activeTextEditor;
      if (editor) await report.show(editor.document.uri);
    }),
    vscode.commands.registerCommand('sandlua.restartServer', async () => {
      restarting = true;
      try {
        if (client?.isRunning()) await client.stop().catch((error: unknown) => log.error(`Stopping the language server failed: ${String(error)}`));
        await start();
      } finally {
        restarting = false;
      }
    }),
  );

  return {
    channelText: () => channel.text(),
    runHtml: () => runner.html,
    runPanelReady: () => runner.ready,
    runAction: (message) => runner.action(message),
    statusText: () => status.text,
    statusShown: () => [...shown],
  };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
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
