// Show Capability Report: the server's Markdown report (`sandlua/report`) as a read-only document
// under its own scheme, shown in the Markdown preview. Nothing to save, nothing left dirty; it is
// asked again when the script or a contract is saved.
import * as path from 'path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

export const REPORT_SCHEME = 'sandlua-report';

export class Report implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly client: () => LanguageClient | undefined) {
    this.disposables = [
      vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, this),
      vscode.workspace.onDidSaveTextDocument(() => {
        for (const doc of vscode.workspace.textDocuments) if (doc.uri.scheme === REPORT_SCHEME) this.emitter.fire(doc.uri);
      }),
      this.emitter,
    ];
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  /** `sandlua-report:/normalize.lua report.md?<the script's uri>`: the tab reads as the script's report. */
  static uriFor(source: vscode.Uri): vscode.Uri {
    return vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${path.basename(source.path)} report.md`, query: source.toString() });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const client = this.client();
    if (!client) return 'The Sandlua language server is not running (see the Sandlua output channel).';
    return client.sendRequest<string>('sandlua/report', { uri: uri.query });
  }

  async show(source: vscode.Uri): Promise<vscode.TextDocument> {
    const uri = Report.uriFor(source);
    this.emitter.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.commands.executeCommand('markdown.showPreview', uri);
    return doc;
  }
}
