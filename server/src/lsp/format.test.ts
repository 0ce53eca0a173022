// Formatting through a real JSON-RPC connection to the bundled server process (`sandlua lsp
// --stdio`, StyLua's WebAssembly loaded from beside the bundle): textDocument/formatting,
// rangeFormatting and onTypeFormatting, the style files that win over the editor's options, and a
// script that does not parse (no edits, the reason in the log).
import { strict as assert } from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import type { TextEdit } from '../service/service';

const CLI = path.join(__dirname, '..', '..', '..', 'server', 'dist', 'sandlua.js');

describe('language server formatting (JSON-RPC, sandlua lsp --stdio)', function () {
  this.timeout(30000);
  let ws: string;
  let server: ChildProcess;
  let connection: MessageConnection;
  let capabilities: Record<string, unknown>;
  const logged: string[] = [];
  let version = 0;

  before(async () => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-lsp-format-'));
    server = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    connection = createMessageConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
    connection.onNotification('window/logMessage', (p: { message: string }) => { logged.push(p.message); });
    connection.onNotification('textDocument/publishDiagnostics', () => undefined);
    connection.onRequest('workspace/configuration', () => [{}]);
    connection.listen();
    const result = await connection.sendRequest('initialize', { processId: process.pid, rootUri: URI.file(ws).toString(), capabilities: {} }) as { capabilities: Record<string, unknown> };
    capabilities = result.capabilities;
    await connection.sendNotification('initialized', {});
  });

  after(async () => {
    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
    await new Promise<void>((resolve) => (server.exitCode !== null ? resolve() : server.on('exit', () => resolve())));
    connection.dispose();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  /** Opens `text` as `name` in the workspace, sends `method`, and returns the text with its edits applied. */
  async function formatted(name: string, text: string, method: string, params: Record<string, unknown> = {}): Promise<{ text: string; edits: TextEdit[] }> {
    const file = path.join(ws, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const uri = URI.file(file).toString();
    await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'lua', version: ++version, text } });
    const edits = await connection.sendRequest(method, { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true }, ...params }) as TextEdit[];
    return { text: TextDocument.applyEdits(TextDocument.create(uri, 'lua', 1, text), edits), edits };
  }

  const messy = 'local  total=0\nfor i=1,3 do\ntotal=total+i\nend\nreturn  { total=total }\n';

  it('advertises formatting, range formatting and formatting on a newline', () => {
    assert.equal(capabilities.documentFormattingProvider, true);
    assert.equal(capabilities.documentRangeFormattingProvider, true);
    assert.deepEqual(capabilities.documentOnTypeFormattingProvider, { firstTriggerCharacter: '\n' });
  });

  it("formats the document with the editor's options when no style file applies", async () => {
    const result = await formatted('plain/a.lua', messy, 'textDocument/formatting');
    assert.equal(result.text, 'local total = 0\nfor i = 1, 3 do\n  total = total + i\nend\nreturn { total = total }\n');
    // One edit from the first change to the last; an already formatted text gets none.
    assert.equal(result.edits.length, 1);
    assert.deepEqual((await formatted('plain/b.lua', result.text, 'textDocument/formatting')).edits, []);
  });

  it("a stylua.toml above the script wins over the editor's options", async () => {
    fs.mkdirSync(path.join(ws, 'styled'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'styled', 'stylua.toml'), 'indent_type = "Spaces"\nindent_width = 3\n');
    const result = await formatted('styled/a.lua', messy, 'textDocument/formatting');
    assert.equal(result.text, 'local total = 0\nfor i = 1, 3 do\n   total = total + i\nend\nreturn { total = total }\n');
  });

  it('range formatting changes only the statements inside the range', async () => {
    const range = { start: { line: 1, character: 0 }, end: { line: 3, character: 3 } };
    const result = await formatted('plain/c.lua', messy, 'textDocument/rangeFormatting', { range });
    assert.equal(result.text, 'local  total=0\nfor i = 1, 3 do\n  total = total + i\nend\nreturn  { total=total }\n');
  });

  it('a newline after `end` formats the statement it finished, and nothing else', async () => {
    const typed = 'local  total=0\nlocal function add(x)\nif x then total=total+x end\nend\n\nreturn  total\n';
    const result = await formatted('plain/d.lua', typed, 'textDocument/onTypeFormatting', { position: { line: 4, character: 0 }, ch: '\n' });
    assert.equal(result.text, 'local  total=0\nlocal function add(x)\n  if x then\n    total = total + x\n  end\nend\n\nreturn  total\n');
    // The line before the cursor finished no statement (the function is still open): no edits.
    const open = 'local function add(x)\nif x then total=total+x end\n\n';
    assert.deepEqual((await formatted('plain/e.lua', open, 'textDocument/onTypeFormatting', { position: { line: 2, character: 0 }, ch: '\n' })).edits, []);
  });

  it('a script that does not parse gets no edits, and the log says why and where', async () => {
    const result = await formatted('plain/broken.lua', 'local x = 1\nlocal y = = 2\n', 'textDocument/formatting');
    assert.deepEqual(result.edits, []);
    const file = path.join(ws, 'plain', 'broken.lua');
    // The server logs before it answers, on the same stream: the message is in.
    assert.ok(logged.some((m) => m.includes(`not formatted: ${file}:2:11: unexpected symbol near '='`)), logged.join('\n'));
  });
});
