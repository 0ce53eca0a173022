// The language service on fixture scripts: `$0` marks the cursor, the first comment lines say what
// to expect (`-- expect completion: a b`, `includes:`/`excludes:`, `hover:`, `definition:`,
// `rename: N edits`, `rename error:`, `signature: label / active`). One check per feature.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LanguageService } from './service';

const FIXTURES = path.join(__dirname, '..', '..', 'test', 'service');

function load(file: string): { service: LanguageService; script: string; position: { line: number; character: number }; expect: string[] } {
  const raw = fs.readFileSync(path.join(FIXTURES, file), 'utf8');
  const offset = raw.indexOf('$0');
  assert.ok(offset >= 0, `${file} has no $0`);
  const text = raw.replace('$0', '');
  const lines = text.slice(0, offset).split('\n');
  const service = new LanguageService();
  const script = path.join(FIXTURES, file);
  service.open(script, text, 1);
  const expect = raw.split('\n').filter((l) => l.startsWith('-- expect ')).map((l) => l.slice('-- expect '.length));
  return { service, script, position: { line: lines.length - 1, character: lines[lines.length - 1].length }, expect };
}

describe('language service (fixtures with a $0 cursor)', () => {
  const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.lua')).sort();
  it('has fixtures for every feature', () => {
    for (const feature of ['completion', 'hover', 'definition', 'rename', 'signature']) assert.ok(files.some((f) => f.startsWith(feature)), feature);
  });

  for (const file of files) {
    it(file, () => {
      const { service, script, position, expect } = load(file);
      for (const line of expect) {
        const [what, value] = [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()];
        switch (what) {
          case 'completion':
            assert.deepEqual(service.completion(script, position).map((i) => i.label).sort(), value.split(/\s+/).sort());
            break;
          case 'completion includes': {
            const labels = new Set(service.completion(script, position).map((i) => i.label));
            for (const w of value.split(/\s+/)) assert.ok(labels.has(w), `missing ${w}`);
            break;
          }
          case 'completion excludes': {
            const labels = new Set(service.completion(script, position).map((i) => i.label));
            for (const w of value.split(/\s+/)) assert.ok(!labels.has(w), `offers ${w}`);
            break;
          }
          case 'hover':
            assert.ok(service.hover(script, position)?.contents.includes(value), service.hover(script, position)?.contents);
            break;
          case 'definition': {
            const def = service.definition(script, position);
            assert.equal(def.length, 1);
            if (/^\d+$/.test(value)) assert.equal(def[0].range.start.line + 1, Number(value));
            else assert.equal(path.basename(def[0].path), value);
            break;
          }
          case 'rename': {
            const edits = service.rename(script, position, 'renamed');
            assert.ok(Array.isArray(edits));
            assert.equal(edits.length, Number(value.split(' ')[0]));
            break;
          }
          case 'rename error': {
            const r = service.prepareRename(script, position);
            assert.ok('error' in r && r.error.includes(value), JSON.stringify(r));
            break;
          }
          case 'signature': {
            const [label, active] = value.split(' / ');
            const help = service.signatureHelp(script, position);
            assert.equal(help?.label, label);
            assert.equal(help?.activeParameter, Number(active));
            break;
          }
          default:
            assert.fail(`unknown expectation '${what}' in ${file}`);
        }
      }
    });
  }

  it('uses extra contract paths for scripts that no contract governs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-service-'));
    try {
      const script = path.join(dir, 'loose.lua');
      const service = new LanguageService();
      service.open(script, 'lookup_vendor_alias("x")\n', 1);
      assert.deepEqual(service.diagnostics(script).map((d) => d.code), ['ungranted-host']);
      service.settings = { severity: { 'ungranted-host': 'warning' }, contractPaths: [FIXTURES] };
      service.contractsChanged();
      assert.deepEqual(service.diagnostics(script).map((d) => d.code), []);
      service.settings = { severity: { forbidden: 'off' } };
      service.contractsChanged();
      service.change(script, 'os.execute("x")\n', 2);
      assert.deepEqual(service.diagnostics(script), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('language service while a script is edited', () => {
  it('answers after every keystroke what a fresh service answers for the same text', () => {
    // Incremental reparsing takes earlier parses over; nothing of it may show in the answers.
    const dir = path.join(__dirname, '..', '..', '..', 'examples', 'invoice-normalizer');
    const script = path.join(dir, 'edited.lua');
    const original = fs.readFileSync(path.join(dir, 'normalize.lua'), 'utf8');
    const service = new LanguageService();
    service.open(script, original, 1);
    const answers = (s: LanguageService): unknown => ({
      diagnostics: s.diagnostics(script),
      symbols: s.documentSymbols(script),
      folding: s.foldingRanges(script),
      tokens: s.semanticTokens(script),
    });
    const typed = ['local extra = os.execute("x")\n', 'if input.amont then tools.emit_review_note(1) end\n', 'function helper(a)\n  return a\nend\n'];
    let version = 1;
    for (const [k, snippet] of typed.entries()) {
      // Type at the start of a line in the middle, one character at a time, then erase it.
      const lines = original.split('\n');
      const at = lines.slice(0, 8 + k * 12).join('\n').length + 1;
      const steps = [...Array(snippet.length + 1).keys()].slice(1);
      for (const n of [...steps, ...steps.reverse().slice(1), 0]) {
        const text = original.slice(0, at) + snippet.slice(0, n) + original.slice(at);
        service.change(script, text, ++version);
        const fresh = new LanguageService();
        fresh.open(script, text, 1);
        assert.deepEqual(answers(service), answers(fresh), `${JSON.stringify(snippet.slice(0, n))} typed at ${at}`);
      }
    }
  });
});
