// The language server through a real JSON-RPC connection to the bundled server process
// (`sandlua lsp --stdio`): initialize, didOpen/didChange, every request, live contracts, garbage,
// pull and workspace diagnostics, shutdown/exit.
import { strict as assert } from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { URI } from 'vscode-uri';
import { PassThrough } from 'stream';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Server } from './server';
import { rangedChange } from '../format/edits';
import { LanguageService } from '../service/service';
import type { ParseResult } from '@sandlua/lua';

const ROOT = path.join(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'server', 'dist', 'sandlua.js');
const EXAMPLE = path.join(ROOT, 'examples', 'invoice-normalizer');

interface PublishedDiagnostics { uri: string; version?: number; diagnostics: { range: { start: { line: number; character: number } }; code: string; message: string; severity: number; tags?: number[] }[] }

/** The offset of an LSP position as a text document takes it: a line past the last is the end, a character past its line is its end. */
function offsetIn(text: string, p: { line: number; character: number }): number {
  const starts = [0, ...[...text.matchAll(/\n/g)].map((m) => m.index! + 1)];
  if (p.line >= starts.length) return text.length;
  const lineEnd = p.line + 1 < starts.length ? starts[p.line + 1] - 1 : text.length;
  return Math.min(starts[p.line] + p.character, lineEnd);
}

/** A didChange's ranged changes applied in turn (a range given end first is taken in order). */
function applied(text: string, changes: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string }[]): string {
  for (const c of changes) {
    const [a, b] = [offsetIn(text, c.range.start), offsetIn(text, c.range.end)].sort((x, y) => x - y);
    text = text.slice(0, a) + c.text + text.slice(b);
  }
  return text;
}

class Client {
  readonly process: ChildProcess;
  readonly connection: MessageConnection;
  private readonly published = new Map<string, PublishedDiagnostics>();
  /** Every URI diagnostics were published under. */
  readonly publishedUris = new Set<string>();
  private readonly waiters: { uri: string; test: (p: PublishedDiagnostics) => boolean; resolve: (p: PublishedDiagnostics) => void }[] = [];
  readonly progress: unknown[] = [];
  /** What the client answers to workspace/configuration (the `sandlua` section). */
  settings: Record<string, unknown> = { severity: {} };
  /** Resolved when the server asks the client to ask for inlay hints again (its settings applied). */
  private hintRefresh: (() => void) | undefined;

  constructor() {
    this.process = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.connection = createMessageConnection(new StreamMessageReader(this.process.stdout!), new StreamMessageWriter(this.process.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishedDiagnostics) => {
      this.published.set(p.uri, p);
      this.publishedUris.add(p.uri);
      for (const w of [...this.waiters]) {
        if (w.uri === p.uri && w.test(p)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(p);
        }
      }
    });
    this.connection.onNotification('$/progress', (p: unknown) => { this.progress.push(p); });
    this.connection.onRequest('workspace/configuration', () => [this.settings]);
    this.connection.onRequest('workspace/inlayHint/refresh', () => {
      this.hintRefresh?.();
      return null;
    });
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('workspace/diagnostic/refresh', () => null);
    this.connection.listen();
  }

  async initialize(folder: string, pull = false, initializationOptions?: Record<string, unknown>, snippets = true): Promise<Record<string, unknown>> {
    const result = await this.connection.sendRequest('initialize', {
      processId: process.pid,
      initializationOptions,
      rootUri: URI.file(folder).toString(),
      workspaceFolders: [{ uri: URI.file(folder).toString(), name: 'ws' }],
      // It reads the version of each publish (its tests wait for a version's diagnostics): every
      // version's are sent to it, changed or not.
      capabilities: { textDocument: { ...(pull ? { diagnostic: {} } : {}), publishDiagnostics: { versionSupport: true }, completion: { completionItem: { snippetSupport: snippets } }, documentSymbol: { hierarchicalDocumentSymbolSupport: true } }, workspace: { configuration: true, inlayHint: { refreshSupport: true } } },
    }) as { capabilities: Record<string, unknown> };
    await this.connection.sendNotification('initialized', {});
    return result.capabilities;
  }

  open(file: string, text: string, version = 1): Promise<void> {
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: URI.file(file).toString(), languageId: file.endsWith('.json') ? 'json' : 'lua', version, text } });
  }

  change(file: string, text: string, version: number): Promise<void> {
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri: URI.file(file).toString(), version }, contentChanges: [{ text }] });
  }

  diagnostics(file: string, test: (p: PublishedDiagnostics) => boolean = () => true, timeout = 10000): Promise<PublishedDiagnostics> {
    return this.diagnosticsOf(URI.file(file).toString(), test, timeout);
  }

  /** The diagnostics published under exactly this URI string. */
  diagnosticsOf(uri: string, test: (p: PublishedDiagnostics) => boolean = () => true, timeout = 10000): Promise<PublishedDiagnostics> {
    const current = this.published.get(uri);
    if (current && test(current)) return Promise.resolve(current);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri}; last: ${JSON.stringify(this.published.get(uri)?.diagnostics.map((d) => d.code))}`)), timeout);
      this.waiters.push({ uri, test, resolve: (p) => { clearTimeout(timer); resolve(p); } });
    });
  }

  /** Changes the settings as an editor does, and waits until the server has applied them. */
  async configure(settings: Record<string, unknown>): Promise<void> {
    this.settings = settings;
    const applied = new Promise<void>((resolve) => { this.hintRefresh = resolve; });
    await this.connection.sendNotification('workspace/didChangeConfiguration', { settings: { sandlua: settings } });
    await applied;
  }

  /**
   * Writes these messages to the server in one write, as a client does that sends a burst of them
   * (the connection's writer sends one message per turn, so a busy test process can spread them over
   * several reads), and resolves with the replies to those that have a string id, by id.
   */
  burst(messages: Record<string, unknown>[]): Promise<Map<string, { result?: unknown; error?: { code: number } }>> {
    const ids = new Set(messages.map((m) => m.id).filter((id): id is string => typeof id === 'string'));
    const replies = new Map<string, { result?: unknown; error?: { code: number } }>();
    let buffered = Buffer.alloc(0);
    return new Promise((resolve) => {
      const read = (chunk: Buffer): void => {
        buffered = Buffer.concat([buffered, chunk]);
        for (;;) {
          const end = buffered.indexOf('\r\n\r\n');
          const length = end < 0 ? undefined : /Content-Length: (\d+)/i.exec(buffered.subarray(0, end).toString('ascii'))?.[1];
          if (length === undefined || buffered.length < end + 4 + Number(length)) break;
          const message = JSON.parse(buffered.subarray(end + 4, end + 4 + Number(length)).toString('utf8')) as { id?: unknown; result?: unknown; error?: { code: number } };
          buffered = buffered.subarray(end + 4 + Number(length));
          if (typeof message.id === 'string' && ids.has(message.id)) replies.set(message.id, message);
        }
        if (replies.size === ids.size) {
          this.process.stdout!.off('data', read);
          resolve(replies);
        }
      };
      this.process.stdout!.on('data', read);
      this.process.stdin!.write(messages.map((m) => {
        const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...m }), 'utf8');
        return `Content-Length: ${body.length}\r\n\r\n${body.toString('utf8')}`;
      }).join(''));
    });
  }

  request<T>(method: string, file: string, extra: Record<string, unknown> = {}): Promise<T> {
    return this.connection.sendRequest(method, { textDocument: { uri: URI.file(file).toString() }, ...extra }) as Promise<T>;
  }

  async stop(): Promise<void> {
    await this.connection.sendRequest('shutdown');
    await this.connection.sendNotification('exit');
    await new Promise<void>((resolve) => {
      if (this.process.exitCode !== null) resolve();
      else this.process.on('exit', () => resolve());
    });
    this.connection.dispose();
  }
}

/** The offset position of `marker` in `text` (the marker's first character). */
function at(text: string, marker: string, delta = 0): { line: number; character: number } {
  const offset = text.indexOf(marker);
  assert.ok(offset >= 0, `no '${marker}'`);
  const before = text.slice(0, offset + delta);
  const lines = before.split('\n');
  return { line: lines.length - 1, character: lines[lines.length - 1].length };
}

const codes = (p: PublishedDiagnostics): string[] => p.diagnostics.map((d) => d.code);

describe('language server (JSON-RPC, sandlua lsp --stdio)', function () {
  this.timeout(30000);
  let ws: string;
  let client: Client;
  let script: string;
  const source = [
    'local raw = input.vendor_name',
    'local canonical = lookup_vendr_alias(raw)',
    'os.execute("ls")',
    'local total = 0',
    'total = total + #raw',
    'return { confidence = total }',
    'tools.',
    '',
  ].join('\n');

  before(async () => {
    assert.ok(fs.existsSync(CLI), 'the CLI bundle is missing: run `npm run build` first');
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-lsp-'));
    fs.copyFileSync(path.join(EXAMPLE, 'sandlua.json'), path.join(ws, 'sandlua.json'));
    fs.copyFileSync(path.join(EXAMPLE, 'normalize.lua'), path.join(ws, 'normalize.lua'));
    script = path.join(ws, 'script.lua');
    fs.writeFileSync(script, source);
    client = new Client();
    const caps = await client.initialize(ws);
    for (const key of ['completionProvider', 'hoverProvider', 'signatureHelpProvider', 'definitionProvider', 'referencesProvider', 'renameProvider',
      'documentSymbolProvider', 'semanticTokensProvider', 'foldingRangeProvider', 'documentHighlightProvider', 'codeActionProvider', 'diagnosticProvider', 'inlayHintProvider',
      'selectionRangeProvider', 'documentLinkProvider']) {
      assert.ok(caps[key], key);
    }
    await client.open(script, source);
  });

  after(async () => {
    await client.stop();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('publishes the contract checker\'s diagnostics as the script is opened and edited', async () => {
    const first = await client.diagnostics(script, (p) => p.diagnostics.length > 0);
    assert.deepEqual([...new Set(codes(first))].sort(), ['forbidden', 'output-shape', 'syntax', 'ungranted-host']);
    const forbidden = first.diagnostics.find((d) => d.code === 'forbidden')!;
    assert.equal(forbidden.message, 'os.execute is not granted by invoice-normalizer (sandlua.json)');
    assert.deepEqual(forbidden.range.start, { line: 2, character: 0 });
    const fixed = source.replace('lookup_vendr_alias', 'lookup_vendor_alias').replace('os.execute("ls")\n', '').replace('\ntools.', '').replace('{ confidence', '{ normalized_vendor = canonical or raw, confidence');
    await client.change(script, fixed, 2);
    await client.diagnostics(script, (p) => p.diagnostics.length === 0);
    await client.change(script, source, 3);
    await client.diagnostics(script, (p) => p.diagnostics.length === first.diagnostics.length);
  });

  it('completes granted host functions as snippets, allowed stdlib only, input and output fields', async () => {
    type Item = { label: string; insertText?: string; insertTextFormat?: number; detail?: string };
    const tools = await client.request<Item[]>('textDocument/completion', script, { position: at(source, 'tools.', 6) });
    const note = tools.find((i) => i.label === 'emit_review_note')!;
    assert.equal(note.insertText, 'emit_review_note(${1:note})');
    assert.equal(note.insertTextFormat, 2);
    const top = await client.request<Item[]>('textDocument/completion', script, { position: at(source, 'local total', 0) });
    const labels = new Set(top.map((i) => i.label));
    for (const wanted of ['lookup_vendor_alias', 'tools', 'input', 'string', 'os', 'raw', 'print', 'pairs']) assert.ok(labels.has(wanted), wanted);
    for (const unwanted of ['io', 'load', 'require', 'debug', 'dofile', 'collectgarbage']) assert.ok(!labels.has(unwanted), unwanted);
    const osFields = await client.request<Item[]>('textDocument/completion', script, { position: at(source, 'os.execute', 3) });
    assert.deepEqual(osFields.map((i) => i.label).sort(), ['clock', 'date', 'difftime', 'time']);
    const input = await client.request<Item[]>('textDocument/completion', script, { position: at(source, 'input.vendor_name', 6) });
    assert.deepEqual(input.map((i) => i.label).sort(), ['amount', 'vendor_name']);
    const output = await client.request<Item[]>('textDocument/completion', script, { position: at(source, '{ confidence', 2) });
    assert.ok(output.some((i) => i.label === 'normalized_vendor' && /required/.test(i.detail ?? '')));
  });

  it('answers an incomplete list among thousands of locals, so that the client asks again as the word grows', async () => {
    type Item = { label: string; detail?: string };
    const file = path.join(ws, 'many-locals.lua');
    const lines = Array.from({ length: 2000 }, (_, i) => `local value_${i} = ${i}`);
    await client.open(file, [...lines, 'print(value_1)', ''].join('\n'), 1);
    const list = await client.request<{ isIncomplete: boolean; items: Item[] }>('textDocument/completion', file, { position: { line: 2000, character: 'print(value_1'.length } });
    assert.equal(list.isIncomplete, true);
    const locals = list.items.filter((i) => i.detail === 'local variable').map((i) => i.label);
    assert.equal(locals.length, 500);
    assert.ok(locals.every((n) => n.includes('1')) && locals.includes('value_1999'));
  });

  it('honours the client\'s snippetSupport: snippets with placeholders only for a client that takes them', async () => {
    type Item = { label: string; insertText?: string; insertTextFormat?: number; textEdit?: { newText: string } };
    const ask = async (c: Client): Promise<Item[]> => [
      ...await c.request<Item[]>('textDocument/completion', script, { position: at(source, 'tools.', 6) }),
      ...await c.request<Item[]>('textDocument/completion', script, { position: at(source, '{ confidence', 2) }),
      ...await c.request<Item[]>('textDocument/completion', script, { position: at(source, 'local total', 0) }),
    ];
    const withSnippets = await ask(client);
    const find = (items: Item[], label: string): Item => items.find((i) => i.label === label)!;
    assert.deepEqual([find(withSnippets, 'normalized_vendor').insertText, find(withSnippets, 'normalized_vendor').insertTextFormat], ['normalized_vendor = ${1}', 2]);
    assert.deepEqual([find(withSnippets, 'lookup_vendor_alias').insertText, find(withSnippets, 'lookup_vendor_alias').insertTextFormat], ['lookup_vendor_alias(${1:alias})', 2]);
    const plain = new Client();
    try {
      await plain.initialize(ws, false, undefined, false);
      await plain.open(script, source);
      const items = await ask(plain);
      assert.ok(items.length > 20);
      for (const item of items) {
        assert.notEqual(item.insertTextFormat, 2, item.label);
        assert.doesNotMatch(item.insertText ?? item.textEdit?.newText ?? '', /\$/, item.label);
      }
      assert.equal(find(items, 'emit_review_note').insertText, 'emit_review_note');
      assert.equal(find(items, 'lookup_vendor_alias').insertText, 'lookup_vendor_alias');
      assert.equal(find(items, 'normalized_vendor').insertText, 'normalized_vendor = ');
    } finally {
      await plain.stop();
    }
  });

  it('completes module names and declared files inside strings with a text edit; goes to the module\'s function', async () => {
    const folder = path.join(ws, 'pricing');
    fs.mkdirSync(path.join(folder, 'lib'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'sandlua.json'), JSON.stringify({ name: 'pricing', modules: { 'pricing.util': 'lib/util.lua' }, files: { 'data/rates.csv': 'read' } }));
    fs.writeFileSync(path.join(folder, 'lib', 'util.lua'), 'local M = {}\nfunction M.round(x) return x end\nreturn M\n');
    const text = 'local util = require("pricing.util")\nlocal v = require("pricing.u")\nlocal f = io.open("da")\nreturn util.round(1)\n';
    const file = path.join(folder, 'main.lua');
    await client.open(file, text);
    type Item = { label: string; textEdit?: { range: { start: { character: number }; end: { character: number } }; newText: string } };
    const modules = await client.request<Item[]>('textDocument/completion', file, { position: at(text, '.u")', 2) });
    assert.deepEqual(modules.map((i) => [i.label, i.textEdit?.range.start.character, i.textEdit?.range.end.character, i.textEdit?.newText]), [['pricing.util', 19, 28, 'pricing.util']]);
    const files = await client.request<Item[]>('textDocument/completion', file, { position: at(text, 'da")', 2) });
    assert.deepEqual(files.map((i) => i.label), ['data/rates.csv']);
    const definition = await client.request<{ uri: string }[]>('textDocument/definition', file, { position: at(text, 'round', 2) });
    assert.equal(definition[0].uri, URI.file(path.join(folder, 'lib', 'util.lua')).toString());
  });

  it('hovers with the signature, the doc and the contract that grants it; Lua docs for the stdlib', async () => {
    const text = 'local v = lookup_vendor_alias("x")\nlocal s = string.format("%d", 1)\nos.execute("x")\n';
    const file = path.join(ws, 'hover.lua');
    await client.open(file, text);
    const host = await client.request<{ contents: { value: string } }>('textDocument/hover', file, { position: at(text, 'lookup_vendor_alias', 3) });
    assert.match(host.contents.value, /lookup_vendor_alias\(alias: string\): string\?/);
    assert.match(host.contents.value, /Canonical vendor name for an alias/);
    assert.match(host.contents.value, /granted by \*\*invoice-normalizer\*\*/);
    const std = await client.request<{ contents: { value: string } }>('textDocument/hover', file, { position: at(text, 'format', 2) });
    assert.match(std.contents.value, /string\.format\(formatstring, ···\)/);
    const denied = await client.request<{ contents: { value: string } }>('textDocument/hover', file, { position: at(text, 'execute', 2) });
    assert.match(denied.contents.value, /Not granted/);
  });

  it('helps with signatures and goes to a host function\'s entry in sandlua.json', async () => {
    const text = 'local v = lookup_vendor_alias("x")\n';
    const file = path.join(ws, 'nav.lua');
    await client.open(file, text);
    const help = await client.request<{ signatures: { label: string }[]; activeParameter: number }>('textDocument/signatureHelp', file, { position: at(text, '"x"', 1) });
    assert.equal(help.signatures[0].label, 'lookup_vendor_alias(alias: string): string?');
    assert.equal(help.activeParameter, 0);
    const def = await client.request<{ uri: string; range: { start: { line: number } } }[]>('textDocument/definition', file, { position: at(text, 'lookup_vendor_alias', 2) });
    assert.equal(def[0].uri, URI.file(path.join(ws, 'sandlua.json')).toString());
    const json = fs.readFileSync(path.join(ws, 'sandlua.json'), 'utf8').split('\n');
    assert.match(json[def[0].range.start.line], /"lookup_vendor_alias"/);
  });

  it('finds references, highlights and renames locals, and refuses to rename host or stdlib names', async () => {
    const refs = await client.request<unknown[]>('textDocument/references', script, { position: at(source, 'total = 0', 1), context: { includeDeclaration: true } });
    assert.equal(refs.length, 4);
    const highlights = await client.request<{ kind: number }[]>('textDocument/documentHighlight', script, { position: at(source, 'total = 0', 1) });
    assert.equal(highlights.length, 4);
    const rename = await client.request<{ changes: Record<string, unknown[]> }>('textDocument/rename', script, { position: at(source, 'total = 0', 1), newName: 'sum' });
    assert.equal(Object.values(rename.changes)[0].length, 4);
    await assert.rejects(client.request('textDocument/prepareRename', script, { position: at(source, 'os.execute', 4) }), /cannot be renamed: it is a standard-library name/);
  });

  it('answers nested document symbols, selection ranges and document links to declared modules and files', async () => {
    const folder = path.join(ws, 'navigation');
    fs.mkdirSync(path.join(folder, 'lib'), { recursive: true });
    fs.mkdirSync(path.join(folder, 'data'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'sandlua.json'), JSON.stringify({ name: 'nav', modules: { 'nav.util': 'lib/util.lua' }, files: { 'data/rates.csv': 'read' } }));
    fs.writeFileSync(path.join(folder, 'lib', 'util.lua'), 'return { round = function(x) return x end }\n');
    fs.writeFileSync(path.join(folder, 'data', 'rates.csv'), 'EU,0.2\n');
    const text = 'local util = require("nav.util")\nlocal M = {}\nfunction M:total(x)\n  local r = io.open("data/rates.csv")\n  return util.round(x), r\nend\nreturn M\n';
    const file = path.join(folder, 'main.lua');
    await client.open(file, text);
    type Symbol = { name: string; kind: number; children?: Symbol[] };
    const symbols = await client.request<Symbol[]>('textDocument/documentSymbol', file);
    const MODULE = 2;
    const METHOD = 6;
    assert.deepEqual(symbols.map((s) => s.name), ['util', 'M']);
    assert.equal(symbols[1].kind, MODULE);
    assert.deepEqual(symbols[1].children!.map((s) => [s.name, s.kind, s.children!.map((c) => c.name)]), [['total', METHOD, ['r']]]);
    type Selection = { range: { start: { line: number; character: number }; end: { line: number; character: number } }; parent?: Selection };
    const [selection] = await client.request<Selection[]>('textDocument/selectionRange', file, { positions: [at(text, 'round', 1)] });
    const chain: Selection['range'][] = [];
    for (let s: Selection | undefined = selection; s; s = s.parent) chain.push(s.range);
    assert.deepEqual(chain.slice(0, 3), [
      { start: { line: 4, character: 14 }, end: { line: 4, character: 19 } },
      { start: { line: 4, character: 9 }, end: { line: 4, character: 19 } },
      { start: { line: 4, character: 9 }, end: { line: 4, character: 22 } },
    ]);
    assert.deepEqual(chain[chain.length - 1], { start: { line: 0, character: 0 }, end: { line: 7, character: 0 } });
    const links = await client.request<{ target: string; range: { start: { line: number } } }[]>('textDocument/documentLink', file);
    assert.deepEqual(links.map((l) => [l.range.start.line, l.target]), [
      [0, URI.file(path.join(folder, 'lib', 'util.lua')).toString()],
      [3, URI.file(path.join(folder, 'data', 'rates.csv')).toString()],
    ]);
  });

  it('answers symbols, folding ranges, semantic tokens (host and forbidden names marked) and quick fixes', async () => {
    const text = 'local function f(a)\n  return a\nend\nlocal t = {\n  1,\n}\nlookup_vendor_alias("x")\nos.execute("y")\nreturn { normalized_vendor = f("x") }\n';
    const file = path.join(ws, 'structure.lua');
    await client.open(file, text);
    const symbols = await client.request<{ name: string }[]>('textDocument/documentSymbol', file);
    assert.deepEqual(symbols.map((s) => s.name), ['f', 't']);
    const folds = await client.request<{ startLine: number; endLine: number }[]>('textDocument/foldingRange', file);
    assert.ok(folds.some((f) => f.startLine === 0 && f.endLine === 2) && folds.some((f) => f.startLine === 3 && f.endLine === 5));
    const tokens = await client.request<{ data: number[] }>('textDocument/semanticTokens/full', file);
    const decoded: { line: number; char: number; type: number; mods: number }[] = [];
    let line = 0;
    let char = 0;
    for (let i = 0; i < tokens.data.length; i += 5) {
      line += tokens.data[i];
      char = tokens.data[i] === 0 ? char + tokens.data[i + 1] : tokens.data[i + 1];
      decoded.push({ line, char, type: tokens.data[i + 3], mods: tokens.data[i + 4] });
    }
    const HOST = 1 << 3;
    const FORBIDDEN = 1 << 4;
    assert.ok(decoded.some((t) => t.line === 6 && (t.mods & HOST) !== 0), 'host function');
    assert.ok(decoded.some((t) => t.line === 7 && (t.mods & FORBIDDEN) !== 0), 'forbidden name');
    const actions = await client.request<{ title: string; edit: { changes: Record<string, { newText: string }[]> } }[]>('textDocument/codeAction', script, {
      range: { start: at(source, 'lookup_vendr_alias'), end: at(source, 'lookup_vendr_alias', 3) }, context: { diagnostics: [] },
    });
    assert.ok(actions.some((a) => a.title === "Change to 'lookup_vendor_alias'"));
    const missing = await client.request<{ title: string }[]>('textDocument/codeAction', script, { range: { start: at(source, '{ confidence'), end: at(source, '{ confidence', 1) }, context: { diagnostics: [] } });
    assert.ok(missing.some((a) => a.title === "Add 'normalized_vendor'"));
  });

  it('answers inlay hints (parameter names by default, local types when set) and follows the settings', async () => {
    const text = 'local function scale(value, factor) return value * factor end\nlocal alias = lookup_vendor_alias(input.vendor_name)\nlocal value = 2\nreturn { normalized_vendor = alias or "", confidence = scale(value, 0.5) }\n';
    const file = path.join(ws, 'hints.lua');
    await client.open(file, text);
    type Hint = { position: { line: number; character: number }; label: string; kind: number; paddingRight?: boolean };
    const whole = { start: { line: 0, character: 0 }, end: { line: 4, character: 0 } };
    const show = (hints: Hint[]): string[] => hints.map((h) => `${h.position.line}:${h.position.character} ${h.label} ${h.kind}`);
    // Parameter hints (kind 2): not before `value`, the parameter's own name.
    assert.deepEqual(show(await client.request<Hint[]>('textDocument/inlayHint', file, { range: whole })), ['1:34 alias: 2', '3:68 factor: 2']);
    try {
      await client.configure({ severity: {}, inlayHints: { parameterNames: false, localTypes: true } });
      // Type hints (kind 1): the host result's declared type.
      assert.deepEqual(show(await client.request<Hint[]>('textDocument/inlayHint', file, { range: whole })), ['1:11 : string? 1', '2:11 : integer 1']);
      await client.configure({ severity: {}, inlayHints: { parameterNames: false } });
      assert.deepEqual(await client.request<Hint[]>('textDocument/inlayHint', file, { range: whole }), []);
    } finally {
      await client.configure({ severity: {} });
    }
    assert.equal((await client.request<Hint[]>('textDocument/inlayHint', file, { range: whole })).length, 2);
  });

  it('judges a script no contract governs by sandlua.ungovernedScripts, and re-publishes when the setting changes', async () => {
    // A folder outside the governed workspace, with no sandlua.json above it.
    const loose = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-loose-'));
    const file = path.join(loose, 'plain.lua');
    try {
      await client.open(file, 'local unused = 1\nio.write(require("x"))\nlocal broken = \n');
      // Default (`ignore`): the syntax error only.
      assert.deepEqual(codes(await client.diagnostics(file)), ['syntax']);
      await client.configure({ severity: {}, ungovernedScripts: 'default-contract' });
      const denied = await client.diagnostics(file, (p) => codes(p).includes('forbidden'));
      assert.ok(codes(denied).includes('syntax'));
      await client.change(file, 'local unused = 1\nio.write(require("x"))\n', 2);
      await client.diagnostics(file, (p) => codes(p).includes('forbidden') && !codes(p).includes('syntax'));
      await client.configure({ severity: {}, ungovernedScripts: 'lint' });
      const linted = await client.diagnostics(file, (p) => !codes(p).includes('forbidden'));
      assert.deepEqual(codes(linted), ['unused']);
      await client.configure({ severity: {} });
      assert.deepEqual(codes(await client.diagnostics(file, (p) => !codes(p).includes('unused'))), []);
    } finally {
      await client.configure({ severity: {} });
      await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: URI.file(file).toString() } });
      fs.rmSync(loose, { recursive: true, force: true });
    }
  });

  it('beside LuaLS, leaves to it what it also reports (sandlua.luaLS), unless a severity is set for the code', async () => {
    const file = path.join(ws, 'beside.lua');
    const text = 'local unused = 1\nlocal n = 1\ndo\n  local n = 2\n  os.execute(tostring(n))\nend\nreturn { normalized_vendor = tostring(n) }\n';
    try {
      await client.open(file, text);
      assert.deepEqual(codes(await client.diagnostics(file, (p) => codes(p).includes('unused'))), ['unused', 'shadowing', 'forbidden']);
      await client.configure({ severity: {}, luaLS: 'defer' });
      assert.deepEqual(codes(await client.diagnostics(file, (p) => !codes(p).includes('unused'))), ['forbidden']);
      await client.configure({ severity: { shadowing: 'error' }, luaLS: 'defer' });
      assert.deepEqual(codes(await client.diagnostics(file, (p) => codes(p).includes('shadowing'))), ['shadowing', 'forbidden']);
    } finally {
      await client.configure({ severity: {} });
      await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: URI.file(file).toString() } });
    }
    // The VS Code client tells the server that the LuaLS extension runs beside it; `report` overrides.
    const other = new Client();
    try {
      await other.initialize(ws, false, { luaLS: true });
      await other.open(file, text);
      assert.deepEqual(codes(await other.diagnostics(file, (p) => codes(p).includes('forbidden'))), ['forbidden']);
      await other.configure({ severity: {}, luaLS: 'report' });
      assert.deepEqual(codes(await other.diagnostics(file, (p) => codes(p).includes('unused'))), ['unused', 'shadowing', 'forbidden']);
    } finally {
      await other.stop();
    }
  });

  it('re-checks scripts when the contract is edited, and falls back to deny-all when it breaks', async () => {
    const contractPath = path.join(ws, 'sandlua.json');
    const contract = JSON.parse(fs.readFileSync(contractPath, 'utf8'));
    contract.stdlib.allow.push('os.execute');
    await client.open(contractPath, JSON.stringify(contract, null, 2));
    await client.diagnostics(script, (p) => !codes(p).includes('forbidden'));
    await client.change(contractPath, '{ "name": "invoice-normalizer", ', 2);
    const contractProblems = await client.diagnostics(contractPath, (p) => p.diagnostics.some((d) => d.code === 'manifest'));
    assert.ok(contractProblems.diagnostics.length > 0);
    const fallback = await client.diagnostics(script, (p) => p.diagnostics.some((d) => /broken/.test(d.message)));
    assert.ok(codes(fallback).includes('forbidden'));
    await client.change(contractPath, fs.readFileSync(contractPath, 'utf8'), 3);
    await client.diagnostics(script, (p) => codes(p).includes('forbidden') && !p.diagnostics.some((d) => /broken/.test(d.message)));
  });

  it('leaves the contract\'s JSON syntax errors to a client that checks JSON itself (VS Code), and still falls back', async () => {
    const other = new Client();
    const contractPath = path.join(ws, 'sandlua.json');
    try {
      await other.initialize(ws, false, { checksJson: true });
      await other.open(script, source);
      await other.diagnostics(script, (p) => codes(p).includes('forbidden'));
      await other.open(contractPath, '{ "name": "invoice-normalizer", ');
      // The script says the contract is broken; the contract itself gets no second report of the syntax error.
      await other.diagnostics(script, (p) => p.diagnostics.some((d) => /broken/.test(d.message)));
      const own = await other.diagnostics(contractPath);
      assert.deepEqual(own.diagnostics.filter((d) => /invalid JSON/.test(d.message)), []);
      // A problem that is not syntax is still reported on the contract.
      await other.change(contractPath, '{ "name": "invoice-normalizer", "limits": { "timeMs": "soon" } }', 2);
      await other.diagnostics(contractPath, (p) => p.diagnostics.some((d) => /timeMs/.test(d.message)));
    } finally {
      await other.stop();
    }
  });

  it('survives garbage: binary text, a 5 MB file, unknown requests', async function () {
    // The 5 MB file takes seconds to check on a loaded machine.
    this.timeout(120000);
    const garbage = path.join(ws, 'garbage.lua');
    await client.open(garbage, Array.from({ length: 20000 }, (_, i) => String.fromCharCode((i * 7919) % 65535)).join(''));
    await client.diagnostics(garbage, (p) => p.diagnostics.length > 0);
    const big = path.join(ws, 'big.lua');
    const line = 'local x = lookup_vendor_alias("a") .. "b"\n';
    await client.open(big, line.repeat(Math.ceil(5e6 / line.length)));
    await client.diagnostics(big, () => true, 100000);
    await assert.rejects(client.connection.sendRequest('sandlua/frobnicate', {}), /Unhandled method|not handled|frobnicate/i);
    const still = await client.request<{ contents: { value: string } }>('textDocument/hover', script, { position: at(source, 'raw', 1) });
    assert.match(still.contents.value, /local raw/);
  });

  it('keeps serving through 300 random edits (every request answered, diagnostics for the last version)', async () => {
    const file = path.join(ws, 'random.lua');
    let text = fs.readFileSync(path.join(EXAMPLE, 'normalize.lua'), 'utf8');
    await client.open(file, text, 1);
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pieces = ['end', 'function', '(', ')', '{', '}', '"', "'", '[[', ']]', '--', '\n', ' ', 'local x = ', 'os.execute', 'tools.', '..', '\u0000', '\u00e9'];
    for (let v = 2; v < 302; v++) {
      const at = random(text.length + 1);
      if (random(2) === 0) text = text.slice(0, at) + pieces[random(pieces.length)] + text.slice(at);
      else text = text.slice(0, at) + text.slice(at + random(20));
      await client.change(file, text, v);
      if (v % 25 === 0) {
        const lines = text.split('\n');
        const line = random(lines.length);
        await client.request('textDocument/completion', file, { position: { line, character: random(lines[line].length + 1) } });
        await client.request('textDocument/hover', file, { position: { line, character: 0 } });
      }
    }
    await client.diagnostics(file, () => true);
    const symbols = await client.request<unknown[]>('textDocument/documentSymbol', file);
    assert.ok(Array.isArray(symbols));
  });

  it('publishes for every keystroke what a fresh document of the same text gets (ranged changes)', async () => {
    const file = path.join(ws, 'typed.lua');
    const original = fs.readFileSync(path.join(EXAMPLE, 'normalize.lua'), 'utf8');
    await client.open(file, original, 1);
    const snippet = 'local extra = os.execute("x") .. input.amont\n';
    const line = 20;
    const lines = original.split('\n');
    const at = lines.slice(0, line).join('\n').length + 1;
    const uri = URI.file(file).toString();
    for (let n = 1; n <= snippet.length; n++) {
      // One character typed, as editors send it: a range and its new text.
      const typed = snippet[n - 1];
      const position = { line, character: n - 1 };
      await client.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: n + 1 },
        contentChanges: [{ range: { start: position, end: position }, text: typed }],
      });
      if (n % 8 !== 0 && n !== snippet.length) continue;
      const edited = await client.diagnostics(file, (p) => p.version === n + 1);
      const fresh = path.join(ws, `fresh${n}.lua`);
      await client.open(fresh, original.slice(0, at) + snippet.slice(0, n) + original.slice(at));
      const expected = await client.diagnostics(fresh);
      assert.deepEqual(edited.diagnostics, expected.diagnostics, `after ${JSON.stringify(snippet.slice(0, n))}`);
    }
    const last = (await client.diagnostics(file, (p) => p.version === snippet.length + 1)).diagnostics;
    // Typed after a `break`: the new local is unreachable and unused (faded: tag Unnecessary, 1),
    // besides what it reaches for.
    assert.deepEqual(last.map((d) => `${d.code}${d.tags ? ` ${d.tags.join()}` : ''}`).sort(), ['forbidden', 'unknown-input-field', 'unreachable-code 1', 'unused 1']);
  });

  it('applies several ranged changes of one notification in turn, as a fresh document of the result gets them', async () => {
    const file = path.join(ws, 'multi.lua');
    const original = fs.readFileSync(path.join(EXAMPLE, 'normalize.lua'), 'utf8');
    await client.open(file, original, 1);
    const uri = URI.file(file).toString();
    const at = (line: number, character: number) => ({ line, character });
    // As multiple cursors send them (the later place first), then a range given end first, a
    // change across lines, and one at the end of the text.
    const changes = [
      [{ range: { start: at(30, 0), end: at(30, 0) }, text: 'local a = os.execute("x")\n' }, { range: { start: at(12, 0), end: at(12, 0) }, text: 'local b = input.amont\n' }],
      [{ range: { start: at(14, 3), end: at(14, 0) }, text: '' }],
      [{ range: { start: at(20, 2), end: at(22, 4) }, text: 'x = 1\n  y' }],
      [{ range: { start: at(9999, 0), end: at(9999, 0) }, text: '\nlocal z = 1\n' }],
    ];
    let text = original;
    for (const [k, contentChanges] of changes.entries()) {
      await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: k + 2 }, contentChanges });
      text = applied(text, contentChanges);
      const edited = await client.diagnostics(file, (p) => p.version === k + 2);
      const fresh = path.join(ws, `multi-fresh${k}.lua`);
      await client.open(fresh, text);
      assert.deepEqual(edited.diagnostics, (await client.diagnostics(fresh)).diagnostics, `change ${k}`);
    }
    assert.ok(text.includes('local b = input.amont') && text.endsWith('local z = 1\n'));
  });

  it('applies random ranged changes, several to a notification and several notifications at once, as fresh documents get them', async () => {
    const file = path.join(ws, 'random-ranges.lua');
    const example = fs.readFileSync(path.join(EXAMPLE, 'normalize.lua'), 'utf8');
    // Blocks of the example (statements of their own at the top level, for the parse to take over).
    let text = [0, 1, 2, 3].map((i) => `do\n${example.replace(/^return .*$/m, `local done${i} = true`)}\nend\n`).join('');
    await client.open(file, text, 1);
    const uri = URI.file(file).toString();
    let seed = 99;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return (seed >>> 16) % n;
    };
    // Edits that keep the text mostly valid (a parse with errors early reads on from there): a
    // statement typed at a line's start, a comment after a line's end (the character past it,
    // which the document clamps), a line's text cleared, a line deleted.
    const statements = ['local q = os.execute("y")\n', 'local n = input.amont\n', 'do end\n', '\n'];
    const change = (t: string) => {
      const lines = t.split('\n');
      const line = random(lines.length);
      switch (random(4)) {
        case 0: return { range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: statements[random(statements.length)] };
        case 1: return { range: { start: { line, character: lines[line].length + random(3) }, end: { line, character: lines[line].length + 5 } }, text: ' -- note' };
        case 2: return { range: { start: { line, character: 0 }, end: { line, character: lines[line].length } }, text: '' };
        default: return { range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, text: '' };
      }
    };
    let version = 1;
    for (let round = 0; round < 12; round++) {
      for (let n = 1 + random(3); n > 0; n--) {
        // Each change of a notification is of the text the ones before it made.
        const contentChanges = [];
        let next = text;
        for (let k = 1 + random(3); k > 0; k--) {
          const c = change(next);
          contentChanges.push(c);
          next = applied(next, [c]);
        }
        await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges });
        text = next;
      }
      const edited = await client.diagnostics(file, (p) => p.version === version);
      const fresh = path.join(ws, `random-fresh${round}.lua`);
      await client.open(fresh, text);
      assert.deepEqual(edited.diagnostics, (await client.diagnostics(fresh)).diagnostics, `round ${round}`);
    }
  });

  it('answers pull and workspace diagnostics, with progress, when the client asks for them', async () => {
    const puller = new Client();
    try {
      await puller.initialize(ws, true);
      await puller.open(script, source);
      const report = await puller.request<{ kind: string; items: { code: string }[] }>('textDocument/diagnostic', script);
      assert.equal(report.kind, 'full');
      assert.ok(report.items.some((d) => d.code === 'forbidden'));
      // Asked again with the report's id: the same diagnostics are `unchanged`, also after an edit
      // that changes none of them (a comment after `local total = 0`); an edit that moves them is a full
      // report with an id of its own, and so is a pull that names another id.
      const id = (report as { resultId?: string }).resultId;
      assert.ok(id);
      type Report = { kind: string; resultId?: string; items?: { code: string }[] };
      assert.deepEqual(await puller.request<Report>('textDocument/diagnostic', script, { previousResultId: id }), { kind: 'unchanged', resultId: id });
      const uri = URI.file(script).toString();
      const after = { line: 3, character: 'local total = 0'.length };
      await puller.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: after, end: after }, text: ' -- a comment' }] });
      assert.deepEqual(await puller.request<Report>('textDocument/diagnostic', script, { previousResultId: id }), { kind: 'unchanged', resultId: id });
      await puller.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '\n' }] });
      const moved = await puller.request<Report>('textDocument/diagnostic', script, { previousResultId: id });
      assert.equal(moved.kind, 'full');
      assert.ok(moved.resultId && moved.resultId !== id);
      assert.deepEqual(moved.items!.map((d) => d.code), report.items.map((d) => d.code));
      const other = await puller.request<Report>('textDocument/diagnostic', script, { previousResultId: 'another' });
      assert.equal(other.kind, 'full');
      assert.deepEqual(other.items, moved.items);
      const workspace = await puller.connection.sendRequest('workspace/diagnostic', { previousResultIds: [], workDoneToken: 'w1' }) as { items: { uri: string; items: unknown[] }[] };
      const uris = workspace.items.map((i) => path.basename(URI.parse(i.uri).fsPath)).sort();
      assert.ok(uris.includes('normalize.lua') && uris.includes('script.lua') && uris.includes('sandlua.json'), uris.join(', '));
      assert.deepEqual(workspace.items.find((i) => i.uri.endsWith('normalize.lua'))!.items, []);
      assert.ok(puller.progress.some((p) => (p as { value: { kind: string } }).value.kind === 'begin'));
      assert.ok(puller.progress.some((p) => (p as { value: { kind: string } }).value.kind === 'end'));
    } finally {
      await puller.stop();
    }
  });

  it('publishes for whole-text changes what a fresh document of the same text gets (random edits, CRLF, surrogate pairs)', async () => {
    const file = path.join(ws, 'whole.lua');
    let text = fs.readFileSync(path.join(EXAMPLE, 'normalize.lua'), 'utf8');
    await client.open(file, text, 1);
    let seed = 4242;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pieces = ['end', 'function f()', '(', ')', '{', '"', '--', '\n', '\r\n', ' ', 'local x = 1', 'os.execute("x")', 'input.amont', '\u{1F600}', '\u00e9', 'if x then'];
    for (let v = 2; v <= 121; v++) {
      const at = random(text.length + 1);
      if (random(3) !== 0) text = text.slice(0, at) + pieces[random(pieces.length)] + text.slice(at);
      else text = text.slice(0, at) + text.slice(at + 1 + random(12));
      // The whole text as the change, as clients that sync Full send it.
      await client.change(file, text, v);
      if (v % 15 !== 0) continue;
      const edited = await client.diagnostics(file, (p) => p.version === v);
      const fresh = path.join(ws, `wholefresh${v}.lua`);
      await client.open(fresh, text);
      const expected = await client.diagnostics(fresh);
      assert.deepEqual(edited.diagnostics, expected.diagnostics, `version ${v}`);
      // The server's text is the client's, token for token.
      assert.deepEqual((await client.request<{ data: number[] }>('textDocument/semanticTokens/full', file)).data, (await client.request<{ data: number[] }>('textDocument/semanticTokens/full', fresh)).data, `tokens at version ${v}`);
      await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: URI.file(fresh).toString() } });
    }
  });

  it('answers RequestCancelled at once for requests cancelled while queued behind a slow one, and serves on', async () => {
    // A 20,000-line script: its document symbols take the server a while.
    const big = path.join(ws, 'big-cancel.lua');
    const rules = Array.from({ length: 2000 }, (_, i) => `local function rule${i}(words)\n  local total = 0\n  for _, w in ipairs(words) do\n    if #w > ${i % 7} then total = total + #w end\n  end\n  return total, string.format("%d", total)\nend\n`);
    const text = rules.join('') + 'return { normalized_vendor = input.vendor_name, confidence = 0.5 }\n';
    await client.open(big, text);
    await client.diagnostics(big);
    // The slow request, five requests behind it, and their cancellations arrive together: the server
    // reads them before it starts on any.
    const hovers = [1, 2, 3, 4, 5].map((n) => `queued-${n}`);
    const replies = await client.burst([
      { id: 'slow', method: 'textDocument/documentSymbol', params: { textDocument: { uri: URI.file(big).toString() } } },
      ...hovers.map((id) => ({ id, method: 'textDocument/hover', params: { textDocument: { uri: URI.file(script).toString() }, position: { line: 0, character: 8 } } })),
      ...hovers.map((id) => ({ method: '$/cancelRequest', params: { id } })),
    ]);
    assert.ok((replies.get('slow')!.result as unknown[]).length > 1000);
    assert.deepEqual(hovers.map((id) => replies.get(id)!.error?.code), [-32800, -32800, -32800, -32800, -32800]);
    assert.ok(await client.request('textDocument/hover', script, { position: { line: 0, character: 8 } }) !== undefined);
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: URI.file(big).toString() } });
  });

  it('makes a long file\'s diagnostics in slices, answering requests between, and stops when the client cancels', async () => {
    // A 14,000-line script whose analysis takes several slices on any machine; pull diagnostics,
    // so that nothing analyses it before the requests below.
    const rules = Array.from({ length: 2000 }, (_, i) => `local function rule${i}(words)\n  local total = 0\n  for _, w in ipairs(words) do\n    if #w > ${i % 7} then total = total + #w end\n  end\n  return total, string.format("%d", total)\nend\n`);
    const text = rules.join('') + 'return { normalized_vendor = input.vendor_name, confidence = 0.5 }\n';
    const puller = new Client();
    try {
      await puller.initialize(ws, true);
      const first = path.join(ws, 'sliced-1.lua');
      const second = path.join(ws, 'sliced-2.lua');
      await puller.open(first, text);
      await puller.open(second, text.replace('confidence = 0.5', 'confidence = 0.25'));
      // The diagnostics asked first, then the folding ranges and a hover: those are answered before
      // the diagnostics are done (in the order the replies come).
      const replies = await puller.burst([
        { id: 'diagnostics', method: 'textDocument/diagnostic', params: { textDocument: { uri: URI.file(first).toString() } } },
        { id: 'folding', method: 'textDocument/foldingRange', params: { textDocument: { uri: URI.file(first).toString() } } },
        { id: 'hover', method: 'textDocument/hover', params: { textDocument: { uri: URI.file(script).toString() }, position: { line: 0, character: 8 } } },
      ]);
      assert.deepEqual([...replies.keys()], ['folding', 'hover', 'diagnostics']);
      assert.ok((replies.get('folding')!.result as unknown[]).length >= 2000);
      const report = replies.get('diagnostics')!.result as { kind: string; items: { code: string }[] };
      assert.equal(report.kind, 'full');
      // What the slices made is what a single analysis gives (the service's, asked again: no work left).
      assert.deepEqual((await puller.request<{ items: unknown[] }>('textDocument/diagnostic', first)).items, report.items);
      // Diagnostics the client cancels while they are made end with RequestCancelled, and the server serves on.
      const cancelled = await puller.burst([
        { id: 'cancelled', method: 'textDocument/diagnostic', params: { textDocument: { uri: URI.file(second).toString() } } },
        { method: '$/cancelRequest', params: { id: 'cancelled' } },
      ]);
      assert.equal(cancelled.get('cancelled')!.error?.code, -32800);
      const again = await puller.request<{ kind: string; items: unknown[] }>('textDocument/diagnostic', second);
      assert.equal(again.kind, 'full');
    } finally {
      await puller.stop();
    }
  });

  it('answers semantic tokens as deltas against the client\'s last result, and for a range of lines', async () => {
    const file = path.join(ws, 'tokens.lua');
    let text = fs.readFileSync(path.join(EXAMPLE, 'normalize.lua'), 'utf8');
    await client.open(file, text, 1);
    type Tokens = { resultId?: string; data: number[] };
    let last = await client.request<Tokens>('textDocument/semanticTokens/full', file);
    assert.ok(last.resultId && last.data.length > 50);
    // Absolute tokens, [line, character, length, type, modifiers] each.
    const decode = (data: number[]): number[][] => {
      const out: number[][] = [];
      let line = 0;
      let character = 0;
      for (let i = 0; i < data.length; i += 5) {
        character = data[i] === 0 ? character + data[i + 1] : data[i + 1];
        line += data[i];
        out.push([line, character, data[i + 2], data[i + 3], data[i + 4]]);
      }
      return out;
    };
    let seed = 99;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pieces = ['local y = os.time()', '\n', 'input.vendor_name', ' ', 'end', 'string.upper(y)', '-- ', 'local function g(a) return a end\n'];
    let deltas = 0;
    for (let v = 2; v <= 40; v++) {
      const at = random(text.length + 1);
      text = random(4) === 0 ? text.slice(0, at) + text.slice(at + 1 + random(8)) : text.slice(0, at) + pieces[random(pieces.length)] + text.slice(at);
      await client.change(file, text, v);
      const answer: Tokens & { edits?: { start: number; deleteCount: number; data?: number[] }[] } = await client.request<Tokens & { edits?: { start: number; deleteCount: number; data?: number[] }[] }>('textDocument/semanticTokens/full/delta', file, { previousResultId: last.resultId });
      let data: number[] = answer.data;
      if (answer.edits) {
        deltas++;
        data = [...last.data];
        // Edits apply to the previous result, from the last to the first.
        for (const e of [...answer.edits].sort((a, b) => b.start - a.start)) data.splice(e.start, e.deleteCount, ...(e.data ?? []));
      }
      const fresh = path.join(ws, `tokensfresh${v}.lua`);
      await client.open(fresh, text);
      const full = await client.request<Tokens>('textDocument/semanticTokens/full', fresh);
      assert.deepEqual(data, full.data, `tokens at version ${v}`);
      // A range of lines: the full tokens on those lines.
      const first = random(20);
      const ranged = await client.request<Tokens>('textDocument/semanticTokens/range', fresh, { range: { start: { line: first, character: 0 }, end: { line: first + 10, character: 0 } } });
      assert.deepEqual(decode(ranged.data), decode(full.data).filter((t) => t[0] >= first && t[0] < first + 10), `range at version ${v}`);
      await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: URI.file(fresh).toString() } });
      last = { resultId: answer.resultId, data };
    }
    assert.ok(deltas > 30, `${deltas} answers were deltas`);
    // A result id the server does not know: the full tokens.
    const unknown = await client.request<Tokens>('textDocument/semanticTokens/full/delta', file, { previousResultId: 'nonsense' });
    assert.deepEqual(unknown.data, last.data);
  });

  it('answers under the client\'s own URI string, with the version, for any legal URI', async () => {
    const base = URI.file(ws).toString();
    const uris = [
      `${base}/a+b.lua`, // a literal '+' (re-encoded it would be %2B)
      `${base}/a%2Bc.lua`,
      `${base}/with%20space.lua`,
      `${base}/100%25.lua`,
      `${base}/caf%C3%A9.lua`, // unicode, percent-encoded
      `${base}/café-raw.lua`, // unicode as it is
      `${base}/%E6%97%A5%E6%9C%AC.lua`,
      `${base}/日本-raw.lua`,
      'file:///c%3A/x/y.lua', // a Windows drive letter, as VS Code sends it
      'file:///C:/x/z.lua', // and as other clients do
    ];
    const text = 'local x = = 1\nreturn x\n';
    for (const [i, uri] of uris.entries()) {
      await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'lua', version: 7, text } });
      const opened = await client.diagnosticsOf(uri, (p) => p.version === 7);
      assert.equal(opened.uri, uri);
      assert.ok(codes(opened).includes('syntax'), `${uri}: ${codes(opened).join()}`);
      // A ranged change, then a whole-text one: each version published under the same string.
      await client.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: 8 }, contentChanges: [{ range: { start: { line: 0, character: 10 }, end: { line: 0, character: 12 } }, text: '' }],
      });
      assert.ok(!codes(await client.diagnosticsOf(uri, (p) => p.version === 8)).includes('syntax'), uri);
      // Every other answer naming the document names it so too.
      const edit = await client.connection.sendRequest('textDocument/rename', { textDocument: { uri }, position: { line: 1, character: 7 }, newName: `y${i}` }) as { changes: Record<string, unknown[]> };
      assert.deepEqual(Object.keys(edit.changes), [uri]);
      const refs = await client.connection.sendRequest('textDocument/references', { textDocument: { uri }, position: { line: 1, character: 7 }, context: { includeDeclaration: true } }) as { uri: string }[];
      assert.ok(refs.length > 0 && refs.every((r) => r.uri === uri));
      const definition = await client.connection.sendRequest('textDocument/definition', { textDocument: { uri }, position: { line: 1, character: 7 } }) as { uri: string }[];
      assert.ok(definition.length > 0 && definition.every((r) => r.uri === uri), JSON.stringify(definition));
      await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 9 }, contentChanges: [{ text }] });
      assert.ok(codes(await client.diagnosticsOf(uri, (p) => p.version === 9)).includes('syntax'), uri);
      await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
      const closed = await client.diagnosticsOf(uri, (p) => p.diagnostics.length === 0 && p.version === undefined);
      assert.equal(closed.uri, uri);
    }
    // Never under another spelling of the same file (the re-encoded form a parsed URI prints).
    for (const uri of uris) {
      const other = URI.parse(uri).toString();
      if (other !== uri) assert.ok(!client.publishedUris.has(other), `published under ${other} for ${uri}`);
    }
  });

  it('serves over node IPC too (the VS Code client\'s transport)', async () => {
    const child = spawn(process.execPath, [CLI, 'lsp', '--node-ipc'], { stdio: ['pipe', 'pipe', 'pipe', 'ipc'] });
    const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    connection.listen();
    try {
      const result = await connection.sendRequest('initialize', { processId: process.pid, rootUri: URI.file(ws).toString(), capabilities: {} }) as { capabilities: { hoverProvider?: boolean } };
      assert.equal(result.capabilities.hoverProvider, true);
      // A client that did not say it shows nested symbols gets them flat, each naming its container.
      const uri = URI.file(path.join(ws, 'flat.lua')).toString();
      await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'lua', version: 1, text: 'local M = {}\nfunction M.f() local x = 1 return x end\nreturn M\n' } });
      const symbols = await connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } }) as { name: string; containerName?: string; location: { uri: string } }[];
      assert.deepEqual(symbols.map((s) => [s.name, s.containerName, s.location.uri === uri]), [['M', undefined, true], ['f', 'M', true], ['x', 'f', true]]);
      await connection.sendRequest('shutdown');
      await connection.sendNotification('exit');
    } finally {
      connection.dispose();
      child.kill();
    }
  });
});

describe('pushed diagnostics', () => {
  for (const versionSupport of [false, true]) {
    it(`are sent ${versionSupport ? 'for every version to a client that reads versions' : 'only when they change to a client that does not read versions'} (in process, over a JSON-RPC connection)`, async () => {
      // The texts each finished analysis was made of: a publish (or none) follows at once.
      const analysed: string[] = [];
      const service = new LanguageService({ analysis: (_analysis, text) => { analysed.push(text); return {}; } });
      const toServer = new PassThrough();
      const toClient = new PassThrough();
      const serverConnection = createConnection(ProposedFeatures.all, new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
      new Server(serverConnection, service).listen();
      const connection = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
      const published: { version?: number; diagnostics: { code?: string | number }[] }[] = [];
      const waiting: { test: () => boolean; resolve: () => void }[] = [];
      const settle = (): void => {
        for (const w of [...waiting]) if (w.test()) { waiting.splice(waiting.indexOf(w), 1); w.resolve(); }
      };
      connection.onNotification('textDocument/publishDiagnostics', (p: { version?: number; diagnostics: { code?: string | number }[] }) => { published.push(p); settle(); });
      const until = (test: () => boolean): Promise<void> => new Promise((resolve) => { waiting.push({ test, resolve }); settle(); });
      connection.listen();
      try {
        await connection.sendRequest('initialize', { processId: null, rootUri: null, capabilities: { textDocument: { publishDiagnostics: { versionSupport } } } });
        const uri = 'file:///tmp/sandlua-push/a.lua';
        // No contract governs it: its syntax errors are shown.
        const text = 'local a = = 1\nreturn a\n';
        const open = (opened = text): Promise<void> => connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'lua', version: 1, text: opened } });
        const change = (version: number, next: string): Promise<void> => connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text: next }] });
        await open();
        await until(() => published.some((p) => p.version === 1));
        assert.deepEqual(published[0].diagnostics.map((d) => d.code), ['syntax']);
        // A comment added: the same diagnostics. Once its analysis is made (the publish is decided
        // with it), a second statement with errors of its own.
        const commented = `${text}-- a comment\n`;
        await change(2, commented);
        await new Promise<void>((resolve) => { const poll = (): void => { if (analysed.includes(commented)) resolve(); else setTimeout(poll, 5); }; poll(); });
        const last = `${commented}local b = = 2\n`;
        await change(3, last);
        await until(() => published.some((p) => p.version === 3));
        assert.deepEqual(published.map((p) => p.version), versionSupport ? [1, 2, 3] : [1, 3]);
        const held = published.at(-1)!.diagnostics;
        assert.ok(held.length > 1);
        // Closed: cleared. Opened again as it was: the same diagnostics as before the close, which
        // the client no longer holds: sent again.
        await connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
        await until(() => published.length === (versionSupport ? 4 : 3) && published.at(-1)!.diagnostics.length === 0);
        await open(last);
        await until(() => published.at(-1)!.version === 1);
        assert.deepEqual(published.at(-1)!.diagnostics, held);
      } finally {
        connection.dispose();
        serverConnection.dispose();
      }
    });
  }
});

describe('whole-text changes as ranged edits', () => {
  it('turns a whole-text change into the one ranged change between common prefix and suffix, never splitting CRLF or a surrogate pair', () => {
    let seed = 99;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pieces = ['a', '\r', '\n', '\r\n', '\u{1F600}', '\ud83d', '\ude00', 'local x = 1\r\n', ''];
    let text = 'local a = 1\r\nlocal b = "\u{1F600}"\nreturn a\r\n';
    const document = TextDocument.create('file:///t.lua', 'lua', 1, text);
    for (let i = 0; i < 2000; i++) {
      const at = random(text.length + 1);
      const removed = random(4);
      const inserted = pieces[random(pieces.length)];
      const next = text.slice(0, at) + inserted + text.slice(at + removed);
      const r = rangedChange(text, next);
      assert.equal(text.slice(0, r.start) + r.newText + text.slice(r.end), next);
      // As small as the edit (give or take the one character of a CRLF or a pair kept whole).
      assert.ok(r.end - r.start <= removed + 2 && r.newText.length <= inserted.length + 2, JSON.stringify({ text, next, r }));
      TextDocument.update(document, [{ range: { start: document.positionAt(r.start), end: document.positionAt(r.end) }, text: r.newText }], i + 2);
      assert.equal(document.getText(), next);
      assert.equal(document.lineCount, TextDocument.create('file:///u.lua', 'lua', 1, next).lineCount);
      text = next;
    }
  });

  it('takes the earlier parse over on a whole-text change, as on a ranged one (in process, over a JSON-RPC connection)', async () => {
    const parses: ParseResult[] = [];
    const service = new LanguageService({ analysis: (analysis) => { parses.push(analysis.parsed); return {}; } });
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    const serverConnection = createConnection(ProposedFeatures.all, new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
    new Server(serverConnection, service).listen();
    const connection = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
    const published: { uri: string; version?: number; diagnostics: { message: string }[] }[] = [];
    connection.onNotification('textDocument/publishDiagnostics', (p: { uri: string; version?: number; diagnostics: { message: string }[] }) => { published.push(p); });
    connection.listen();
    try {
      await connection.sendRequest('initialize', { processId: null, rootUri: null, capabilities: { textDocument: { publishDiagnostics: { versionSupport: true } } } });
      const uri = 'file:///tmp/sandlua-spy/big%20one.lua';
      const lines = Array.from({ length: 3000 }, (_, i) => `local v${i % 150} = ${i}`);
      const text = lines.join('\n') + '\n';
      const version = async (v: number): Promise<void> => {
        for (let i = 0; i < 200 && !published.some((p) => p.version === v); i++) await new Promise((r) => setTimeout(r, 50));
      };
      await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'lua', version: 1, text } });
      await version(1);
      const edited = text.replace('local v7 = 1507', 'local v7 = 15070');
      await connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: edited }] });
      await version(2);
      assert.equal(service.text('/tmp/sandlua-spy/big one.lua'), edited);
      const [before, after] = parses.slice(-2);
      assert.equal(after.source, edited);
      // The statements before and after the edited one are the earlier parse's own.
      assert.equal(after.chunk.body.body[0], before.chunk.body.body[0]);
      assert.equal(after.chunk.body.body[2999], before.chunk.body.body[2999]);
      assert.notEqual(after.chunk.body.body[1507], before.chunk.body.body[1507]);
      assert.equal(published.find((p) => p.version === 2)!.diagnostics.length, published.find((p) => p.version === 1)!.diagnostics.length);
    } finally {
      connection.dispose();
      serverConnection.dispose();
    }
  });
});

describe('language server: quick fixes that edit the contract (JSON-RPC)', function () {
  this.timeout(30000);
  let ws: string;
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  type Action = { title: string; edit: { changes: Record<string, { range: { start: { line: number; character: number } }; newText: string }[]> }; command?: { command: string; arguments: unknown[] } };

  for (const command of [undefined, 'sandlua.openContract']) {
    it(`answers one WorkspaceEdit with the script's and the contract's URIs${command ? ', and the client\'s open-contract command' : ' (no command the client did not name)'}`, async () => {
      ws = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-lsp-fix-'));
      const contract = path.join(ws, 'sandlua.json');
      const text = '{\n  "name": "fix",\n  "stdlib": { "allow": ["os.time"] }\n}\n';
      fs.writeFileSync(contract, text);
      const script = path.join(ws, 'a.lua');
      const source = 'local home = os.getenv("HOME")\nnotify(home)\n';
      fs.writeFileSync(script, source);
      const client = new Client();
      try {
        await client.initialize(ws, false, command ? { openContractCommand: command } : undefined);
        await client.open(script, source);
        await client.diagnostics(script, (p) => codes(p).includes('forbidden'));
        const actions = await client.request<Action[]>('textDocument/codeAction', script, {
          range: { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } }, context: { diagnostics: [] },
        });
        const scriptUri = URI.file(script).toString();
        const contractUri = URI.file(contract).toString();
        const grant = actions.find((a) => a.title === 'Grant `os.getenv` in sandlua.json')!;
        assert.ok(grant, JSON.stringify(actions.map((a) => a.title)));
        assert.deepEqual(grant.edit.changes, {
          [scriptUri]: [],
          [contractUri]: [{ range: { start: { line: 2, character: 33 }, end: { line: 2, character: 33 } }, newText: ', "os.getenv"' }],
        });
        const declare = actions.find((a) => a.title.startsWith('Declare host function `notify(home: string?)`'))!;
        assert.deepEqual(Object.keys(declare.edit.changes).sort(), [contractUri, scriptUri].sort());
        for (const a of [grant, declare]) {
          assert.deepEqual(a.command, command ? { title: 'Open the contract', command, arguments: [contractUri] } : undefined);
        }
        // The editor applies the edit to the contract, unsaved: the script's findings go.
        const edited = text.replace('["os.time"]', '["os.time", "os.getenv"]');
        await client.open(contract, edited);
        const after = await client.diagnostics(script, (p) => !codes(p).includes('forbidden'));
        assert.deepEqual(codes(after), ['ungranted-host']);
      } finally {
        await client.stop();
      }
    });
  }
});
