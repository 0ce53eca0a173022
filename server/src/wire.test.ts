// Malformed traffic on stdio: the bundled `sandlua lsp --stdio` and `sandlua dap` processes get raw
// bytes on stdin (bad or missing Content-Length, a header without its body, a body that is not
// JSON or not a message, a huge Content-Length), then a valid request, which must be answered;
// what was wrong is said on stderr. And the FramingGuard itself, chunk by chunk.
import { strict as assert } from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { FramingGuard, headerLineAt, jsonBytes } from './framing';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'server', 'dist', 'sandlua.js');

function frame(body: string | Buffer): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`, 'latin1'), bytes]);
}

/** A child process speaking the base protocol: raw writes, and the messages it sends back. */
class Peer {
  readonly child: ChildProcess;
  private out = Buffer.alloc(0);
  stderr = '';
  private readonly messages: Record<string, unknown>[] = [];
  private waiter: (() => void) | undefined;
  readonly exited: Promise<number | null>;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr!.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    // Writes still queued when the test ends the process.
    this.child.stdin!.on('error', () => undefined);
    this.child.stdout!.on('data', (d: Buffer) => {
      this.out = Buffer.concat([this.out, d]);
      for (;;) {
        const end = this.out.indexOf('\r\n\r\n');
        if (end < 0) break;
        const length = Number(/Content-Length: (\d+)/i.exec(this.out.subarray(0, end).toString('latin1'))?.[1]);
        if (this.out.length < end + 4 + length) break;
        this.messages.push(JSON.parse(this.out.subarray(end + 4, end + 4 + length).toString('utf8')) as Record<string, unknown>);
        this.out = this.out.subarray(end + 4 + length);
      }
      this.waiter?.();
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  write(bytes: Buffer | string): void {
    this.child.stdin!.write(bytes);
  }

  /** The first message that `test` accepts (waiting for it). */
  async receive(test: (m: Record<string, unknown>) => boolean, what: string, ms = 10000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.messages.find(test);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 200);
      });
    }
  }

  close(): void {
    this.child.kill();
  }
}

/** The protocols, each with its first request (initialize) and a request to send after garbage. */
const PROTOCOLS = [
  {
    name: 'LSP', args: ['lsp', '--stdio'],
    initialize: (id: number) => frame(JSON.stringify({ jsonrpc: '2.0', id, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } })),
    request: (id: number) => frame(JSON.stringify({ jsonrpc: '2.0', id, method: 'sandlua/contract', params: { uri: 'file:///nowhere/x.lua' } })),
    answered: (m: Record<string, unknown>, id: number) => m.id === id && 'result' in m,
  },
  {
    name: 'DAP', args: ['dap'],
    initialize: (seq: number) => frame(JSON.stringify({ seq, type: 'request', command: 'initialize', arguments: { adapterID: 'sandlua', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' } })),
    request: (seq: number) => frame(JSON.stringify({ seq, type: 'request', command: 'threads' })),
    answered: (m: Record<string, unknown>, seq: number) => m.request_seq === seq && m.success === true,
  },
];

/** Each kind of malformed input, as bytes, with what stderr must say about it. */
const MALFORMED: { name: string; bytes: Buffer; says: RegExp }[] = [
  { name: 'a header without Content-Length', bytes: Buffer.from('Content-Type: application/json\r\n\r\n{"a":1}'), says: /without Content-Length/ },
  { name: 'a Content-Length that is not a number', bytes: Buffer.from('Content-Length: twelve\r\n\r\n{"id":1}'), says: /not a number of bytes/ },
  { name: 'a negative Content-Length', bytes: Buffer.from('Content-Length: -5\r\n\r\n'), says: /not a number of bytes/ },
  { name: 'a header line without a colon', bytes: Buffer.from('Hello there\r\n\r\n'), says: /without a name and value/ },
  { name: 'a header without its body', bytes: Buffer.from('Content-Length: 400\r\n\r\n'), says: /cut short by the next header/ },
  { name: 'a huge Content-Length', bytes: Buffer.from('Content-Length: 99999999999999\r\n\r\n'), says: /more than the limit/ },
  { name: 'a body that is not JSON', bytes: frame('{"jsonrpc": "2.0", "id": 1, "method": '), says: /not JSON/ },
  { name: 'a body that is JSON but not a message', bytes: frame('[1, 2, 3]'), says: /not an object/ },
  { name: 'binary noise', bytes: Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256)), says: /dropped/ },
];

for (const protocol of PROTOCOLS) {
  describe(`sandlua ${protocol.args[0]} under malformed framing (${protocol.name}, a real process)`, function () {
    this.timeout(20000);
    let peer: Peer;
    let id = 100;
    before(async () => {
      if (!fs.existsSync(CLI)) throw new Error('the CLI bundle is missing: run `npm run build` first');
      peer = new Peer(protocol.args);
      peer.write(protocol.initialize(1));
      await peer.receive((m) => m.id === 1 || m.request_seq === 1, 'answer to initialize');
    });
    after(() => peer.close());

    /** Writes `bytes`, then a valid request, which must be answered; and stderr must say `says` (it may come after the answer). */
    async function thenAnswered(bytes: Buffer | Buffer[], says = /dropped/): Promise<void> {
      const from = peer.stderr.length;
      const n = ++id;
      for (const b of Array.isArray(bytes) ? bytes : [bytes]) peer.write(b);
      peer.write(protocol.request(n));
      await peer.receive((m) => protocol.answered(m, n), `answer to request ${n}`);
      for (let i = 0; i < 50 && !says.test(peer.stderr.slice(from)); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(peer.stderr.slice(from), says);
    }

    for (const bad of MALFORMED) {
      it(`answers the next request after ${bad.name}, and says what was wrong on stderr`, async () => {
        await thenAnswered(bad.bytes, bad.says);
      });
    }

    it('answers after every kind of garbage in one stream, cut byte by byte', async () => {
      const all = Buffer.concat(MALFORMED.map((m) => m.bytes));
      // One byte per write for the first kilobyte (headers split anywhere), then the rest.
      await thenAnswered([...Array.from({ length: 1024 }, (_, i) => all.subarray(i, i + 1)), all.subarray(1024)]);
    });

    it('is still the same process', () => {
      assert.equal(peer.child.exitCode, null);
    });
  });
}

describe('sandlua lsp when its input ends (a real process)', function () {
  this.timeout(20000);
  it('exits with 1 when the client goes without shutdown, and with 0 after it', async () => {
    const gone = await initializedServer();
    gone.child.stdin!.end();
    assert.equal(await gone.exited, 1);
    const done = await initializedServer();
    done.write(frame(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'shutdown', params: null })));
    await done.receive((m) => m.id === 2, 'shutdown');
    done.child.stdin!.end();
    assert.equal(await done.exited, 0);
  });
});

/** `sandlua lsp --stdio`, initialized. */
async function initializedServer(): Promise<Peer> {
  const peer = new Peer(['lsp', '--stdio']);
  peer.write(PROTOCOLS[0].initialize(1));
  await peer.receive((m) => m.id === 1, 'initialize');
  peer.write(frame(JSON.stringify({ jsonrpc: '2.0', method: 'initialized', params: {} })));
  return peer;
}

describe('sandlua lsp with huge documents (a real process)', function () {
  this.timeout(60000);
  it('takes a 50 MB didOpen of code without checking it (it says so) and keeps answering', async () => {
    const peer = await initializedServer();
    try {
      const line = 'local x = a.b + 1\n';
      const text = line.repeat(Math.ceil(50 * 1024 * 1024 / line.length));
      const uri = 'file:///tmp/sandlua-huge/code.lua';
      peer.write(frame(JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'lua', version: 1, text } } })));
      peer.write(frame(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'textDocument/hover', params: { textDocument: { uri }, position: { line: 0, character: 7 } } })));
      const answer = await peer.receive((m) => m.id === 3, 'hover', 50000);
      assert.ok('result' in answer, JSON.stringify(answer).slice(0, 300));
      const published = await peer.receive((m) => m.method === 'textDocument/publishDiagnostics' && (m.params as { uri: string }).uri === uri, 'diagnostics', 50000);
      assert.match((published.params as { diagnostics: { message: string }[] }).diagnostics[0].message, /not checked: the document has \d+ characters, more than the 8388608/);
      // Cut down below the limit, it is checked again.
      peer.write(frame(JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/didChange', params: { textDocument: { uri, version: 2 }, contentChanges: [{ text: 'local x = 1\n' }] } })));
      await peer.receive((m) => m.method === 'textDocument/publishDiagnostics' && (m.params as { uri: string; version?: number }).uri === uri && (m.params as { version?: number }).version === 2
        && !JSON.stringify(m.params).includes('not checked'), 'diagnostics of the cut-down version', 50000);
    } finally {
      peer.close();
    }
  });
});

describe('sandlua lsp with hostile contracts (a real process)', function () {
  this.timeout(30000);
  it('answers deep nesting, 10 MB of keys and a huge regular expression with the contract\'s problems, and keeps serving', async () => {
    const peer = await initializedServer();
    try {
      const keys = '{"name": "keys", "scripts": ["*.lua"], ' + Array.from({ length: 700000 }, (_, i) => `"key${i}": ${i}`).join(', ') + '}';
      const contracts: Record<string, string> = {
        deep: `{"name": "deep", "scripts": ["*.lua"], "x": ${'['.repeat(20000)}${']'.repeat(20000)}}`,
        keys,
        regex: JSON.stringify({ name: 'regex', scripts: ['*.lua'], input: { type: 'object', properties: { s: { type: 'string', pattern: '('.repeat(20000) + 'a' } } } }),
      };
      for (const [name, text] of Object.entries(contracts)) {
        peer.write(frame(JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri: `file:///tmp/sandlua-hostile/${name}/sandlua.json`, languageId: 'json', version: 1, text } } })));
      }
      assert.ok(contracts.keys.length > 10 * 1024 * 1024);
      for (const name of Object.keys(contracts)) {
        const published = await peer.receive((m) => m.method === 'textDocument/publishDiagnostics'
          && (m.params as { uri: string }).uri.includes(`/${name}/`) && (m.params as { diagnostics: unknown[] }).diagnostics.length > 0, `problems of the ${name} contract`, 20000);
        const first = (published.params as { diagnostics: { message: string; severity: number }[] }).diagnostics[0];
        assert.equal(first.severity, 1, first.message);
      }
      peer.write(PROTOCOLS[0].request(2));
      await peer.receive((m) => PROTOCOLS[0].answered(m, 2), 'an answer after the contracts');
    } finally {
      peer.close();
    }
  });
});

describe('FramingGuard', () => {
  function guard(chunks: Buffer[], maxBytes = 1000): { bodies: string[]; reports: string[] } {
    const reports: string[] = [];
    const g = new FramingGuard({ maxBytes, report: (line) => reports.push(line) });
    const out: Buffer[] = [];
    g.on('data', (d: Buffer) => out.push(d));
    for (const c of chunks) g.write(c);
    g.end();
    const bodies: string[] = [];
    let all = Buffer.concat(out);
    while (all.length > 0) {
      const end = all.indexOf('\r\n\r\n');
      const length = Number(/Content-Length: (\d+)/.exec(all.subarray(0, end).toString())![1]);
      bodies.push(all.subarray(end + 4, end + 4 + length).toString());
      all = all.subarray(end + 4 + length);
    }
    return { bodies, reports };
  }

  it('passes valid messages through whole, however they are cut', () => {
    const stream = Buffer.concat([frame('{"a":1}'), frame('{"b":"\u00e9\u4e2d"}'), frame('{"c":[1,2]}')]);
    for (let size = 1; size <= 7; size++) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size) chunks.push(stream.subarray(i, i + size));
      const { bodies, reports } = guard(chunks);
      assert.deepEqual(bodies, ['{"a":1}', '{"b":"\u00e9\u4e2d"}', '{"c":[1,2]}']);
      assert.deepEqual(reports, []);
    }
  });

  it('finds the next message inside a body a wrong Content-Length cut short', () => {
    const { bodies, reports } = guard([Buffer.from('Content-Length: 30\r\n\r\n{"x":'), frame('{"ok":true}')]);
    assert.deepEqual(bodies, ['{"ok":true}']);
    assert.equal(reports.length, 1);
    assert.match(reports[0], /dropped 5 bytes: a message body cut short/);
    // Even when the Content-Length claims more than ever comes: no waiting for bytes that are not sent.
    const longer = guard([Buffer.from('Content-Length: 400\r\n\r\n{"x":'), frame('{"ok":true}')]);
    assert.deepEqual(longer.bodies, ['{"ok":true}']);
    // A body may hold the words in a string, and is passed on whole.
    const text = guard([frame(JSON.stringify({ text: 'Content-Length: 12\r\n\r\n' }))]);
    assert.deepEqual(text.bodies, [JSON.stringify({ text: 'Content-Length: 12\r\n\r\n' })]);
    assert.deepEqual(text.reports, []);
  });

  it('refuses a Content-Length over the limit without waiting for its bytes', () => {
    const { bodies, reports } = guard([Buffer.from('Content-Length: 5000\r\n\r\n'), frame('{"ok":1}')]);
    assert.deepEqual(bodies, ['{"ok":1}']);
    assert.match(reports[0], /Content-Length of 5000 bytes, more than the limit of 1000/);
  });

  it('drops a flood without any header end, and finds the message after it', () => {
    const { bodies, reports } = guard([Buffer.alloc(100000, 'x'), frame('{"ok":2}')]);
    assert.deepEqual(bodies, ['{"ok":2}']);
    assert.match(reports[0], /a header longer than 8192 bytes/);
  });

  it('passes on parsed messages in object mode, each body parsed once, its characters whole however the chunks cut them', () => {
    const stream = Buffer.concat([frame('{"a":1}'), Buffer.from('Content-Length: 3\r\n\r\n[1]'), frame('{"b":"\u00e9\u4e2d\ud83d\ude00 x"}')]);
    for (let size = 1; size <= 7; size++) {
      const g = new FramingGuard({ maxBytes: 1000, report: () => undefined, messages: true });
      const out: unknown[] = [];
      g.on('data', (m: unknown) => out.push(m));
      for (let i = 0; i < stream.length; i += size) g.write(stream.subarray(i, i + size));
      g.end();
      assert.deepEqual(out, [{ a: 1 }, { b: '\u00e9\u4e2d\ud83d\ude00 x' }], `chunks of ${size} bytes`);
    }
  });

  it('finds a header line inside a body as the pattern does, wherever the chunks are cut', () => {
    // The rule headerLineAt follows, as a pattern over the bytes as Latin-1 text.
    const HEADER_LINE = /content-length:[ \t]*\d+[ \t]*\r\n/gi;
    let seed = 7;
    const random = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return (seed >> 8) % n; };
    const pick = (xs: string[]): string => xs[random(xs.length)];
    // Lines that are header lines or nearly: a name, blanks, digits, blanks and a line end, each maybe wrong.
    const line = (): string => pick(['', 'x', '{"a":', '\u00e9', '-']) + pick(['Content-Length:', 'content-LENGTH:', 'ength:', 'Content-Length', 'Content-Type:'])
      + pick(['', ' ', '\t ', '  ']) + pick(['12', '7', '', 'x']) + pick(['', ' ', '\t']) + pick(['\r\n', '\r\n', '\r', '\n', '']);
    for (let round = 0; round < 3000; round++) {
      const text = Array.from({ length: 1 + random(4) }, line).join('');
      const bytes = Buffer.from(text, 'latin1');
      const cut = random(bytes.length + 1);
      const before = bytes.subarray(0, cut);
      const after = bytes.subarray(cut);
      // The first line whose line feed lies in `after` (one that ends in `before` was looked at with it).
      let expected = -1;
      for (const m of text.matchAll(HEADER_LINE)) {
        if (m.index! + m[0].length - 1 >= cut) { expected = m.index!; break; }
      }
      assert.equal(headerLineAt(before, after), expected, JSON.stringify({ text, cut }));
    }
  });

  it('frames a message of no bytes, and the one after it', () => {
    const { bodies, reports } = guard([Buffer.from('Content-Length: 0\r\n\r\n'), frame('{"ok":3}')]);
    assert.deepEqual(bodies, ['{"ok":3}']);
    assert.equal(reports.length, 1);
    assert.match(reports[0], /not JSON/);
  });

  it('says when the input ends inside a message', () => {
    const { reports } = guard([Buffer.from('Content-Length: 10\r\n\r\n{"a"')]);
    assert.match(reports.at(-1)!, /ended inside a message/);
  });
});

describe('jsonBytes', () => {
  const same = (value: unknown): void => {
    const bytes = jsonBytes(value);
    assert.ok(bytes.equals(Buffer.from(JSON.stringify(value), 'utf8')), JSON.stringify(value).slice(0, 200));
  };

  it('gives the bytes JSON.stringify gives, for messages with long arrays written a piece at a time', () => {
    const diagnostic = (i: number): Record<string, unknown> => ({
      range: { start: { line: i, character: 2 }, end: { line: i, character: 9 } },
      severity: 1 + (i % 4),
      code: i % 3 ? 'unused' : undefined,
      source: 'sandlua',
      message: i % 5 ? `unused local 'x${i}'` : `"é" ⟶ 😀 \\ \n\t\u0001 ${i}`,
      ...(i % 7 ? { tags: [1] } : {}),
    });
    for (const n of [0, 1, 255, 256, 257, 512, 513, 1439, 5000]) {
      same({ jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///a%2Bb.lua', version: n, diagnostics: Array.from({ length: n }, (_, i) => diagnostic(i)) } });
    }
    // Semantic tokens: one long array of numbers, the answer of a request.
    same({ jsonrpc: '2.0', id: 7, result: { data: Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 1000) } });
  });

  it('leaves out what JSON.stringify leaves out, and writes what it writes, at every depth', () => {
    const holes = [1, undefined, () => 1, Symbol('s'), null, NaN, -0, Infinity];
    const long = Array.from({ length: 600 }, (_, i) => holes[i % holes.length]);
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1, b: undefined, c: [long] });
    class Point { constructor(readonly x: number, readonly y: number) {} }
    same({
      a: undefined, f: () => 1, s: Symbol('x'), n: null, long, bare, nested: { deeper: { long, empty: [], none: {} } },
      date: new Date(0), nothing: { toJSON: () => undefined }, custom: { toJSON: (key: string) => ({ key, long }) },
      point: new Point(1, 2), points: Array.from({ length: 300 }, (_, i) => new Point(i, -i)), text: 'x'.repeat(100_000),
      '"quoted key"': 1, 'ключ': 'значение',
    });
    same([long, { long }]);
    same('a string');
    same(42);
  });
});
