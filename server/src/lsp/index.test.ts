// The workspace index through a real JSON-RPC connection to the bundled server (`sandlua lsp
// --stdio`): built in the background with progress while requests are answered, workspace symbols,
// references and the call hierarchy across scripts (host functions, module functions, a file's own
// functions), and the index kept current by file events (create, rename, delete) and by edits.
import { strict as assert } from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { URI } from 'vscode-uri';

const ROOT = path.join(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'server', 'dist', 'sandlua.js');
const EXAMPLE = path.join(ROOT, 'examples', 'pricing-rules');

interface Position { line: number; character: number }
interface Range { start: Position; end: Position }
interface Location { uri: string; range: Range }
interface Item { name: string; kind: number; detail?: string; uri: string; range: Range; selectionRange: Range; data?: unknown }
interface Progress { token: unknown; value: { kind: 'begin' | 'report' | 'end'; message?: string } }

const uri = (file: string): string => URI.file(file).toString();
const name = (u: string): string => path.basename(URI.parse(u).fsPath);

describe('language server: the workspace index (JSON-RPC)', function () {
  this.timeout(60000);
  let ws: string;
  let server: ChildProcess;
  let connection: MessageConnection;
  const progress: Progress[] = [];
  const events: string[] = [];
  let registered: unknown[] = [];

  const request = <T>(method: string, params: unknown): Promise<T> => connection.sendRequest(method, params) as Promise<T>;
  const at = (file: string, marker: string, delta = 0): { textDocument: { uri: string }; position: Position } => {
    const text = fs.readFileSync(file, 'utf8');
    const offset = text.indexOf(marker) + delta;
    assert.ok(offset >= delta, `${marker} in ${file}`);
    const before = text.slice(0, offset).split('\n');
    return { textDocument: { uri: uri(file) }, position: { line: before.length - 1, character: before[before.length - 1].length } };
  };
  const incoming = async (item: Item): Promise<string[]> => {
    const calls = await request<{ from: Item; fromRanges: Range[] }[]>('callHierarchy/incomingCalls', { item });
    return calls.map((c) => `${name(c.from.uri)}:${c.from.name}x${c.fromRanges.length}`).sort();
  };
  const fileChanged = (file: string, type: 1 | 2 | 3): Promise<void> => connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(file), type }] });

  before(async () => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-index-'));
    fs.cpSync(EXAMPLE, ws, { recursive: true });
    fs.writeFileSync(path.join(ws, 'rules', 'extra.lua'), [
      'local util = require("pricing.util")',
      'local function price(w)',
      '  return carrier.quote(w, "eu")',
      'end',
      'local function total(w)',
      '  return util.round_cents(price(w) + price(w * 2))',
      'end',
      'return { total = total(input.weight_kg or 1) }',
      '',
    ].join('\n'));
    // Enough files that the index is built in several slices.
    fs.mkdirSync(path.join(ws, 'many'));
    const body = Array.from({ length: 150 }, (_, i) => `local function helper${i}(x)\n  return x + ${i}\nend\n`).join('');
    for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(ws, 'many', `file${i}.lua`), `${body}return { n = helper3(${i}) }\n`);

    server = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    connection = createMessageConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
    connection.onNotification('$/progress', (p: Progress) => {
      progress.push(p);
      events.push(`progress ${p.value.kind}`);
    });
    connection.onNotification('textDocument/publishDiagnostics', () => undefined);
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.onRequest('client/registerCapability', (p: { registrations: unknown[] }) => {
      registered = p.registrations;
      return null;
    });
    connection.onRequest('workspace/configuration', () => [{}]);
    connection.listen();
    await request('initialize', {
      processId: process.pid,
      rootUri: uri(ws),
      workspaceFolders: [{ uri: uri(ws), name: 'ws' }],
      capabilities: { window: { workDoneProgress: true }, workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } },
    });
    await connection.sendNotification('initialized', {});
  });

  after(async () => {
    await request('shutdown', null);
    await connection.sendNotification('exit');
    connection.dispose();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('builds the index in the background with progress, answering requests meanwhile', async () => {
    // A request sent as the indexing starts is answered before it ends.
    const hover = request('textDocument/hover', at(path.join(ws, 'rules', 'quote.lua'), 'round_cents')).then(() => events.push('hover answered'));
    await hover;
    for (let i = 0; i < 600 && !events.includes('progress end'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(events.includes('progress begin'), events.join(', '));
    assert.ok(events.includes('progress end'), events.join(', '));
    assert.ok(events.indexOf('hover answered') < events.indexOf('progress end'), events.join(', '));
    assert.ok(progress.filter((p) => p.value.kind === 'report').length >= 2, 'reported in several slices');
    // The server asked to hear of Lua files created, changed and deleted.
    assert.match(JSON.stringify(registered), /workspace\/didChangeWatchedFiles.*\*\*\/\*\.lua/);
  });

  it('answers workspace symbols: functions of every file (any case, characters in order) and the contracts\' host functions', async () => {
    const symbols = await request<{ name: string; kind: number; location: Location; containerName?: string }[]>('workspace/symbol', { query: 'roundcen' });
    assert.deepEqual(symbols.map((s) => `${s.name} ${name(s.location.uri)}:${s.location.range.start.line}`), ['M.round_cents pricing_util.lua:5']);
    const host = await request<{ name: string; location: Location; containerName?: string }[]>('workspace/symbol', { query: 'CARRIER' });
    assert.equal(host.length, 1);
    assert.equal(host[0].name, 'carrier.quote');
    assert.equal(name(host[0].location.uri), 'sandlua.json');
    assert.match(host[0].containerName ?? '', /host function/);
    const many = await request<unknown[]>('workspace/symbol', { query: 'helper149' });
    assert.equal(many.length, 300);
  });

  it('finds the references of a module function and of a host function across scripts', async () => {
    const refs = await request<Location[]>('textDocument/references', { ...at(path.join(ws, 'rules', 'quote.lua'), 'round_cents'), context: { includeDeclaration: true } });
    assert.deepEqual(refs.map((r) => `${name(r.uri)}:${r.range.start.line}`).sort(), [
      'extra.lua:5', 'pricing_util.lua:5', 'quote.lua:4', 'quote.lua:5', 'quote.lua:6', 'shipping.lua:3', 'shipping.lua:5',
    ]);
    const host = await request<Location[]>('textDocument/references', { ...at(path.join(ws, 'rules', 'shipping.lua'), 'quote('), context: { includeDeclaration: true } });
    assert.deepEqual(host.map((r) => name(r.uri)).sort(), ['extra.lua', 'sandlua.json', 'shipping.lua']);
  });

  it('answers the call hierarchy: who calls a module or host function, and what a function calls', async () => {
    const [util] = await request<Item[]>('textDocument/prepareCallHierarchy', at(path.join(ws, 'rules', 'quote.lua'), 'round_cents'));
    assert.equal(util.name, 'M.round_cents');
    assert.equal(name(util.uri), 'pricing_util.lua');
    assert.equal(util.detail, 'module pricing.util');
    assert.deepEqual(await incoming(util), ['extra.lua:totalx1', 'quote.lua:quote.luax3', 'shipping.lua:shipping.luax2']);

    const [host] = await request<Item[]>('textDocument/prepareCallHierarchy', at(path.join(ws, 'rules', 'extra.lua'), 'quote('));
    assert.equal(host.name, 'carrier.quote');
    assert.equal(name(host.uri), 'sandlua.json');
    assert.deepEqual(await incoming(host), ['extra.lua:pricex1', 'shipping.lua:shipping.luax1']);

    const [total] = await request<Item[]>('textDocument/prepareCallHierarchy', at(path.join(ws, 'rules', 'extra.lua'), 'total(w)'));
    assert.equal(total.name, 'total');
    const out = await request<{ to: Item; fromRanges: Range[] }[]>('callHierarchy/outgoingCalls', { item: total });
    assert.deepEqual(out.map((c) => `${name(c.to.uri)}:${c.to.name}x${c.fromRanges.length}`).sort(), ['extra.lua:pricex2', 'pricing_util.lua:M.round_centsx1']);
    const [price] = out.filter((c) => c.to.name === 'price').map((c) => c.to);
    const priceOut = await request<{ to: Item }[]>('callHierarchy/outgoingCalls', { item: price });
    assert.deepEqual(priceOut.map((c) => `${name(c.to.uri)}:${c.to.name}`), ['sandlua.json:carrier.quote']);
  });

  it('keeps the index current: files created, renamed and deleted, and open documents as edited', async () => {
    const [util] = await request<Item[]>('textDocument/prepareCallHierarchy', at(path.join(ws, 'rules', 'quote.lua'), 'round_cents'));
    const created = path.join(ws, 'rules', 'created.lua');
    fs.writeFileSync(created, 'local u = require("pricing.util")\nreturn { net = u.round_cents(input.amount) }\n');
    await fileChanged(created, 1);
    assert.ok((await incoming(util)).includes('created.lua:created.luax1'));

    const renamed = path.join(ws, 'rules', 'renamed.lua');
    fs.renameSync(created, renamed);
    await connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(created), type: 3 }, { uri: uri(renamed), type: 1 }] });
    const afterRename = await incoming(util);
    assert.ok(afterRename.includes('renamed.lua:renamed.luax1') && !afterRename.some((c) => c.startsWith('created.lua')), afterRename.join(', '));

    fs.rmSync(renamed);
    await fileChanged(renamed, 3);
    assert.ok(!(await incoming(util)).some((c) => c.startsWith('renamed.lua')));

    // An open document's edits count before they are saved; closed, the disk's text counts again.
    const quote = path.join(ws, 'rules', 'quote.lua');
    const text = fs.readFileSync(quote, 'utf8');
    await connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(quote), languageId: 'lua', version: 1, text } });
    await connection.sendNotification('textDocument/didChange', { textDocument: { uri: uri(quote), version: 2 }, contentChanges: [{ text: text.replace(/util\.round_cents/g, 'math.floor') }] });
    assert.ok(!(await incoming(util)).some((c) => c.startsWith('quote.lua')));
    await connection.sendNotification('textDocument/didClose', { textDocument: { uri: uri(quote) } });
    assert.ok((await incoming(util)).includes('quote.lua:quote.luax3'));
  });
});
