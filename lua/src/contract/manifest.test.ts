// The contract loader. Data-driven: each `lua/test/contract/NAME.json` is loaded and its problems,
// rendered with the source line and the range underlined, are compared with `NAME.expected`
// (UPDATE_EXPECT=1 rewrites them). Then the properties no fixture shows: the examples load clean,
// the resolved contract, and files that must become a problem rather than an exception.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadManifest, locate, parseManifest, MAX_MANIFEST_BYTES, type ManifestResult } from './manifest';
import { DEFAULT_LIMITS } from './schema';
import { validateValue } from './validate';

const root = path.join(__dirname, '..', '..', '..');
const fixtures = path.join(root, 'lua', 'test', 'contract');

/** Problems as a reader sees them: position, severity, message, the line, the range underlined. */
export function render(result: ManifestResult, text: string): string {
  const lines = text.split(/\r\n|\r|\n/);
  const out = [result.manifest ? 'contract loaded' : 'no contract'];
  for (const p of result.problems) {
    out.push(`${p.line}:${p.column}-${p.endLine}:${p.endColumn} ${p.severity}: ${p.message}`);
    const line = lines[p.line - 1];
    if (line === undefined) continue;
    const end = p.endLine === p.line ? p.endColumn : line.length + 1;
    out.push(`  | ${line}`);
    out.push(`  | ${' '.repeat(p.column - 1)}^${'~'.repeat(Math.max(0, end - p.column - 1))}`);
  }
  return out.join('\n') + '\n';
}

describe('contract loader: fixtures', () => {
  const names = fs.readdirSync(fixtures).filter((f) => f.endsWith('.json')).sort();

  it('has fixtures', () => assert.ok(names.length >= 20, `found ${names.length} fixtures in ${fixtures}`));

  for (const name of names) {
    it(name, () => {
      const file = path.join(fixtures, name);
      const result = loadManifest(file);
      const actual = render(result, fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ' '));
      const expectedFile = file.replace(/\.json$/, '.expected');
      if (process.env.UPDATE_EXPECT === '1') fs.writeFileSync(expectedFile, actual);
      assert.ok(fs.existsSync(expectedFile), `${path.relative(root, expectedFile)} is missing (UPDATE_EXPECT=1 writes it)`);
      assert.equal(actual, fs.readFileSync(expectedFile, 'utf8'), `problems differ from ${path.relative(root, expectedFile)}`);
      // Every problem is inside the text, with consistent offsets and positions.
      for (const p of result.problems) {
        assert.ok(p.start >= 0 && p.start <= p.end, `${p.message}: ${p.start}..${p.end}`);
        assert.ok(p.line >= 1 && p.column >= 1 && (p.endLine > p.line || (p.endLine === p.line && p.endColumn >= p.column)));
      }
    });
  }
});

describe('contract loader', () => {
  it('loads both example contracts with zero problems', () => {
    for (const example of ['invoice-normalizer', 'agent-tools']) {
      const result = loadManifest(path.join(root, 'examples', example, 'sandlua.json'));
      assert.deepEqual(result.problems, [], example);
      assert.ok(result.manifest, example);
    }
  });

  it('resolves the contract: defaults, host signatures, globals, policy', () => {
    const { manifest } = loadManifest(path.join(root, 'examples', 'invoice-normalizer', 'sandlua.json'));
    assert.ok(manifest);
    assert.equal(manifest.name, 'invoice-normalizer');
    assert.equal(manifest.onFailure, 'manual-review');
    assert.deepEqual(manifest.limits, { instructions: 1000000, timeMs: 500, memoryBytes: 8000000, callDepth: 200, outputBytes: 65536, fileBytes: 1024 * 1024 });
    assert.deepEqual([...manifest.host.keys()], ['lookup_vendor_alias', 'tools.emit_review_note']);
    assert.deepEqual([...manifest.hostGlobals], [['lookup_vendor_alias', 'function'], ['tools', 'table']]);
    const lookup = manifest.host.get('lookup_vendor_alias')!;
    assert.equal(lookup.signature, 'lookup_vendor_alias(alias: string): string?');
    assert.equal(lookup.doc, 'Canonical vendor name for an alias.');
    assert.deepEqual(lookup.returns.schema, { type: ['string', 'null'] });
    assert.deepEqual(lookup.examples, [{ args: ['ACME Corp.'], returns: 'Acme' }]);
    const note = manifest.host.get('tools.emit_review_note')!;
    assert.deepEqual(note.path, ['tools', 'emit_review_note']);
    assert.deepEqual(note.params[0].schema, { type: 'string', maxLength: 500 });
    // The span of a host function is its name in the file (go to definition).
    const text = fs.readFileSync(path.join(root, 'examples', 'invoice-normalizer', 'sandlua.json'), 'utf8');
    assert.equal(text.slice(note.span.start, note.span.end), '"tools.emit_review_note"');
    assert.equal(manifest.policy.isGranted('os.execute'), false);
    assert.equal(manifest.policy.isGranted('string.rep'), false, 'the contract denies it');
    assert.equal(manifest.policy.isGranted('os.time'), true);
    assert.equal(manifest.policy.isGranted('string.format'), true);
  });

  it('reads modules and files, normalizes their paths, and grants what they imply', () => {
    const { manifest, problems } = parseManifest(JSON.stringify({
      name: 'rules',
      modules: { 'pricing.util': './lib//pricing_util.lua' },
      files: { 'data/rates.csv': 'read', './out/report.txt': 'write' },
    }), 'sandlua.json');
    assert.deepEqual(problems, []);
    assert.ok(manifest);
    assert.deepEqual([...manifest.modules.values()], [{ name: 'pricing.util', path: 'lib/pricing_util.lua' }]);
    assert.deepEqual([...manifest.files], [['data/rates.csv', 'read'], ['out/report.txt', 'write']]);
    for (const name of ['require', 'io.open', 'io.lines', 'io.close', 'io.type']) {
      assert.equal(manifest.policy.isGranted(name), true, name);
      assert.equal(manifest.policy.explain(name).source, 'implied', name);
    }
    for (const name of ['io.write', 'io.popen', 'package', 'load']) assert.equal(manifest.policy.isGranted(name), false, name);
    // The contract's own rules still win over what a field implies.
    const denied = parseManifest(JSON.stringify({ name: 'x', modules: { m: 'm.lua' }, stdlib: { deny: ['require', 'io'] }, files: { 'a.txt': 'read' } }), 'sandlua.json').manifest!;
    assert.equal(denied.policy.isGranted('require'), false);
    assert.equal(denied.policy.isGranted('io.open'), false);
    // Without modules or files nothing is implied.
    const plain = parseManifest('{"name": "plain"}', 'sandlua.json').manifest!;
    assert.equal(plain.policy.isGranted('require'), false);
    assert.equal(plain.modules.size + plain.files.size, 0);
  });

  it('refuses module and file paths that leave the contract folder, and bad names and modes', () => {
    const { manifest, problems } = parseManifest(JSON.stringify({
      name: 'rules',
      modules: { 'pricing.util': '../shared/util.lua', 'bad name': 'x.lua', abs: '/etc/x.lua', notlua: 'x.txt' },
      files: { '../secrets.txt': 'read', '/etc/passwd': 'read', 'C:/x.txt': 'read', 'a\\b.txt': 'read', 'ok.txt': 'execute', 'dir/': 'read', 'n\u0000ul.txt': 'read', 'same.csv': 'read', './same.csv': 'write' },
    }), 'sandlua.json');
    assert.equal(manifest, undefined);
    const messages = problems.map((p) => p.message).join('\n');
    for (const expected of [
      "modules.pricing.util must stay inside the contract's folder (no '..')",
      "modules.abs must be relative to the contract's folder, not absolute",
      'must be a module name',
      'must be the path of a .lua file',
      "files path '../secrets.txt' must stay inside the contract's folder (no '..')",
      "files path '/etc/passwd' must be relative to the contract's folder, not absolute",
      "files path 'C:/x.txt' must be relative",
      "uses '\\': write paths with '/'",
      'must be one of',
      "files path 'dir/' must name a file, not a folder",
      'contains a NUL character',
      "files path './same.csv' is the same file as 'same.csv'",
    ]) assert.ok(messages.includes(expected), `missing: ${expected}\nin:\n${messages}`);
  });

  it('fills in every default for a minimal contract', () => {
    const { manifest, problems } = parseManifest('{"name": "tiny"}', 'tiny.json');
    assert.deepEqual(problems, []);
    assert.ok(manifest);
    assert.deepEqual(manifest.limits, DEFAULT_LIMITS);
    assert.deepEqual(manifest.scripts, ['**/*.lua']);
    assert.equal(manifest.onFailure, 'reject');
    assert.equal(manifest.host.size, 0);
    assert.equal(manifest.input, undefined);
    assert.deepEqual(manifest.stdlib, { allow: [], deny: [] });
  });

  it('resolves optional parameters, variadics and records to JSON Schemas that check arguments', () => {
    const { manifest } = loadManifest(path.join(fixtures, 'valid-full.json'));
    assert.ok(manifest);
    const find = manifest.host.get('catalog.find')!;
    assert.equal(find.signature, "catalog.find(query: string, limit?: integer, tags: ('sale' | 'new')[]?): {sku: string, title: string, price?: integer, tags: string[]}[]");
    const limit = find.params[1];
    assert.equal(limit.optional, true);
    assert.deepEqual(validateValue(limit.schema, null), []);
    assert.deepEqual(validateValue(limit.schema, 10), []);
    assert.equal(validateValue(limit.schema, 99).length, 1, 'maximum 50');
    const write = manifest.host.get('log.write')!;
    assert.equal(write.variadic?.text, 'string | number | boolean');
    assert.equal(write.signature, "log.write(level: 'info' | 'warn', ...: string | number | boolean): nil");
    const stats = manifest.host.get('catalog.stats')!;
    assert.equal(stats.returns.text, 'table');
    assert.equal(manifest.policy.isGranted('os.getenv'), true, 'allow os.*');
    assert.equal(manifest.policy.isGranted('os.execute'), false, 'but deny os.execute');
    assert.equal(manifest.policy.isGranted('load'), true);
  });

  it('locates JSON paths in the contract file', () => {
    const file = path.join(root, 'examples', 'agent-tools', 'sandlua.json');
    const { manifest } = loadManifest(file);
    assert.ok(manifest);
    const text = fs.readFileSync(file, 'utf8');
    const span = locate(manifest, ['input', 'properties', 'query'], { key: true })!;
    assert.equal(text.slice(span.start, span.end), '"query"');
    assert.equal(span.line, 10);
    assert.equal(locate(manifest, ['host', 'nope']), undefined);
  });

  it('reports, never throws: missing file, folder, binary, not UTF-8, huge, deeply nested, empty', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-manifest-'));
    try {
      const cases: [string, string | Buffer | null, RegExp][] = [
        ['missing.json', null, /^no such contract file: /],
        ['folder.json', 'DIR', /is a folder, not a contract file/],
        ['binary.json', Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x01]), /binary, not JSON text/],
        ['latin1.json', Buffer.from('{"name": "caf\xe9"}', 'latin1'), /not UTF-8 text/],
        ['huge.json', Buffer.alloc(MAX_MANIFEST_BYTES + 1, 0x20), /too large/],
        ['deep.json', '['.repeat(100000) + ']'.repeat(100000), /invalid JSON: nested more than 128 levels deep/],
        ['deep-object.json', '{"name": "x", "input": ' + '{"not": '.repeat(5000) + '{}' + '}'.repeat(5000) + '}', /nested more than 128 levels deep/],
        ['empty.json', '  \n', /invalid JSON: the file is empty/],
        ['garbage.json', '\u0001\u0002 }}}]]] "\\q" ,,, nul', /invalid JSON: /],
      ];
      for (const [name, content, message] of cases) {
        const file = path.join(dir, name);
        if (content === 'DIR') fs.mkdirSync(file);
        else if (content !== null) fs.writeFileSync(file, content);
        let result: ManifestResult | undefined;
        assert.doesNotThrow(() => (result = loadManifest(file)), name);
        assert.equal(result!.manifest, undefined, name);
        assert.ok(result!.problems.length >= 1, name);
        assert.match(result!.problems[0].message, message, name);
        assert.ok(result!.problems.length <= 11, `${name}: ${result!.problems.length} problems (capped)`);
      }
      // 50 MB handed over as text: refused before any parsing.
      const big = parseManifest(' '.repeat(50 * 1024 * 1024), 'big.json');
      assert.match(big.problems[0].message, /too large/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps __proto__ an ordinary key (reported as unknown, never a prototype)', () => {
    const result = parseManifest('{"name": "p", "__proto__": {"polluted": true}, "limits": {"__proto__": 1}}', 'p.json');
    assert.deepEqual(
      result.problems.map((p) => p.message),
      ["unknown property '__proto__'", "unknown property '__proto__' in limits"],
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('takes an unknown key as a warning at the key: the contract still loads and governs its scripts', () => {
    const text = '{\n  "name": "u",\n  "purpse": "typo",\n  "stdlib": { "allow": ["os.getenv"], "alow": [] }\n}\n';
    const result = parseManifest(text, 'u.json');
    assert.deepEqual(result.problems.map((p) => [p.severity, p.line, p.column, text.slice(p.start, p.end), p.message]), [
      ['warning', 3, 3, '"purpse"', "unknown property 'purpse' (did you mean 'purpose'?)"],
      ['warning', 4, 39, '"alow"', "unknown property 'alow' in stdlib (did you mean 'allow'?)"],
    ]);
    assert.ok(result.manifest);
    assert.equal(result.manifest.policy.isGranted('os.getenv'), true);
    // A real error still breaks it.
    assert.equal(parseManifest('{ "name": "u", "purpse": 1, "limits": { "timeMs": 0 } }', 'u.json').manifest, undefined);
  });

  it('reports every problem in one pass, in file order', () => {
    const text = '{"name": 1, "limits": {"instructions": 0, "timeMs": 0}, "onFailure": "x", "extra": 1}';
    const { problems } = parseManifest(text, 'm.json');
    assert.deepEqual(
      problems.map((p) => `${text.slice(p.start, p.end)} ${p.message}`),
      [
        '1 name must be a string, not 1',
        '0 limits.instructions must be an integer between 1 and 1000000000000',
        '0 limits.timeMs must be an integer between 1 and 3600000',
        `"x" onFailure must be one of 'reject', 'manual-review', 'fallback', 'retry', 'skip-tool'`,
        `"extra" unknown property 'extra'`,
      ],
    );
  });

  it('survives random edits of real contracts (bounded fuzz, seeded)', () => {
    let seed = 0x5eed;
    const random = () => {
      // mulberry32: small, seeded, so a failure reproduces.
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pieces = ['{', '}', '[', ']', '"', ':', ',', '\\', '\\u12', '0', '-1e999', 'null', 'true', ' ', '\n', '"type"', '"host"', '"params"', '?', '|', '[]', '"__proto__"', '\u0000', '\ud800'];
    const sources = ['valid-full.json', 'host-examples.json', 'host-types.json', 'schemas-io.json'].map((f) => fs.readFileSync(path.join(fixtures, f), 'utf8'));
    for (let i = 0; i < 400; i++) {
      let text = sources[i % sources.length];
      for (let edits = 1 + Math.floor(random() * 4); edits > 0; edits--) {
        const at = Math.floor(random() * text.length);
        const choice = random();
        if (choice < 0.4) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 8));
        else if (choice < 0.8) text = text.slice(0, at) + pieces[Math.floor(random() * pieces.length)] + text.slice(at);
        else text = text.slice(0, at) + text.slice(at, at + 40) + text.slice(at);
      }
      const result = parseManifest(text, 'fuzz.json');
      for (const p of result.problems) {
        assert.ok(!p.message.startsWith('internal error'), `${p.message}\n--- input ---\n${text}`);
        assert.ok(p.start >= 0 && p.end <= text.length && p.start <= p.end, `${p.message}: ${p.start}..${p.end} of ${text.length}`);
        const before = text.slice(0, p.start).split(/\r\n|\r|\n/);
        assert.equal(p.line, before.length, p.message);
        assert.equal(p.column, before[before.length - 1].length + 1, p.message);
      }
      assert.equal(result.manifest === undefined, result.problems.some((p) => p.severity === 'error'));
    }
  });
});
