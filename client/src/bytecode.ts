// Show Bytecode: a read-only listing (`luac -l -l` form, from the server's `sandlua/disasm`) in its
// own language `sandlua-bytecode` (syntaxes/sandlua-bytecode.tmLanguage.json), linked both ways:
// the cursor in the script selects that line's instructions in the listing, and the cursor (or a
// click) on an instruction or a function header in the listing selects its line in the script, and
// Go to Definition on one goes there. A selection one side sets is not followed back (no ping-pong).
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

export const BYTECODE_SCHEME = 'sandlua-bytecode';
export const BYTECODE_LANGUAGE = 'sandlua-bytecode';

/** The source line (1-based) a listing row stands for: an instruction's `[line]`, a function header's first line. */
export function sourceLineOf(row: string): number | undefined {
  const instruction = /^\t\d+\t\[(\d+)\]/.exec(row);
  if (instruction) return Number(instruction[1]) || undefined;
  const header = /^(?:main|function) <.*:(\d+),\d+>/.exec(row);
  return header && Number(header[1]) > 0 ? Number(header[1]) : undefined;
}

export class Bytecode implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly lines = new Map<string, Record<number, number[]>>();
  /** Selections this class set, by document: the change events they cause are not followed back. */
  private readonly ours = new Map<string, vscode.Selection>();
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly client: () => LanguageClient | undefined) {
    this.disposables = [
      vscode.workspace.registerTextDocumentContentProvider(BYTECODE_SCHEME, this),
      vscode.window.onDidChangeTextEditorSelection((e) => this.selectionChanged(e.textEditor)),
      vscode.workspace.onDidChangeTextDocument((e) => this.changed(e.document.uri)),
      vscode.languages.registerDefinitionProvider({ scheme: BYTECODE_SCHEME, language: BYTECODE_LANGUAGE }, {
        provideDefinition: (doc, position) => {
          const line = sourceLineOf(doc.lineAt(position.line).text);
          return line === undefined ? undefined : new vscode.Location(vscode.Uri.parse(Bytecode.sourceOf(doc.uri)), new vscode.Position(line - 1, 0));
        },
      }),
      this.emitter,
    ];
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  static uriFor(source: vscode.Uri): vscode.Uri {
    return vscode.Uri.parse(`${BYTECODE_SCHEME}:${encodeURIComponent(source.toString())}.luac`);
  }

  private static sourceOf(listing: vscode.Uri): string {
    return decodeURIComponent(listing.path.replace(/\.luac$/, ''));
  }

  /** Opens (or refreshes) the listing of the editor's script beside it. */
  async show(editor: vscode.TextEditor): Promise<vscode.TextEditor> {
    const uri = Bytecode.uriFor(editor.document.uri);
    this.emitter.fire(uri);
    let doc = await vscode.workspace.openTextDocument(uri);
    if (doc.languageId !== BYTECODE_LANGUAGE) doc = await vscode.languages.setTextDocumentLanguage(doc, BYTECODE_LANGUAGE);
    const view = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
    this.follow(editor);
    return view;
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const source = Bytecode.sourceOf(uri);
    const client = this.client();
    if (!client) return '-- the Sandlua language server is not running';
    const answer = await client.sendRequest<{ listing: string; lines: Record<number, number[]> }>('sandlua/disasm', { uri: source });
    this.lines.set(source, answer.lines);
    return answer.listing;
  }

  private selectionChanged(editor: vscode.TextEditor): void {
    const key = editor.document.uri.toString();
    const mine = this.ours.get(key);
    if (mine) {
      this.ours.delete(key);
      if (mine.isEqual(editor.selection)) return;
    }
    if (editor.document.uri.scheme === BYTECODE_SCHEME) void this.reveal(editor);
    else this.follow(editor);
  }

  private select(editor: vscode.TextEditor, range: vscode.Range): void {
    const selection = new vscode.Selection(range.start, range.end);
    if (editor.selection.isEqual(selection)) return;
    this.ours.set(editor.document.uri.toString(), selection);
    editor.selection = selection;
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /** Selects the instructions of the script cursor's line in every open listing of that script. */
  follow(editor: vscode.TextEditor): void {
    const source = editor.document.uri.toString();
    const rows = this.lines.get(source)?.[editor.selection.active.line + 1];
    if (!rows || rows.length === 0) return;
    for (const view of vscode.window.visibleTextEditors) {
      if (view.document.uri.scheme !== BYTECODE_SCHEME || Bytecode.sourceOf(view.document.uri) !== source) continue;
      const last = rows[rows.length - 1];
      this.select(view, new vscode.Range(rows[0], 0, last, view.document.lineAt(Math.min(last, view.document.lineCount - 1)).text.length));
    }
  }

  /** Selects, in the script, the source line of the listing cursor's row (opening the script if needed). */
  async reveal(listing: vscode.TextEditor): Promise<void> {
    const line = sourceLineOf(listing.document.lineAt(listing.selection.active.line).text);
    if (line === undefined) return;
    const source = vscode.Uri.parse(Bytecode.sourceOf(listing.document.uri));
    let editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === source.toString());
    if (!editor) {
      const column = listing.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
      editor = await vscode.window.showTextDocument(source, { viewColumn: column, preserveFocus: true });
    }
    const row = Math.min(line - 1, editor.document.lineCount - 1);
    this.select(editor, editor.document.lineAt(row).range);
  }

  private changed(uri: vscode.Uri): void {
    if (!this.lines.has(uri.toString())) return;
    this.emitter.fire(Bytecode.uriFor(uri));
  }
}
