// The language service on fixture scripts: `$0` marks the cursor, the first comment lines say what
// to expect (`-- expect completion: a b`, `includes:`/`excludes:`, `hover:`, `definition:`,
// `rename: N edits`, `rename error:`, `signature: label / active`). One check per feature.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LanguageService } from './service';

const FIXTURES = path.join(__dirname, '..', '..', 'test', 'service');
/** Fixtures under a contract with modules and files (lua/test/modules/sandlua.json). */
const MODULE_FIXTURES = path.join(__dirname, '..', '..', '..', 'lua', 'test', 'modules', 'service');

function load(file: string): { service: LanguageService; script: string; position: { line: number; character: number }; expect: string[] } {
  const raw = fs.readFileSync(path.isAbsolute(file) ? file : path.join(FIXTURES, file), 'utf8');
  const offset = raw.indexOf('$0');
  assert.ok(offset >= 0, `${file} has no $0`);
  const text = raw.replace('$0', '');
  const lines = text.slice(0, offset).split('\n');
  const service = new LanguageService();
  const script = path.isAbsolute(file) ? file : path.join(FIXTURES, file);
  service.open(script, text, 1);
  const expect = raw.split('\n').filter((l) => l.startsWith('-- expect ')).map((l) => l.slice('-- expect '.length));
  return { service, script, position: { line: lines.length - 1, character: lines[lines.length - 1].length }, expect };
}

describe('language service (fixtures with a $0 cursor)', () => {
  const files = [
    ...fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.lua')).sort(),
    ...fs.readdirSync(MODULE_FIXTURES).filter((f) => f.endsWith('.lua')).sort().map((f) => path.join(MODULE_FIXTURES, f)),
  ];
  it('has fixtures for every feature', () => {
    for (const feature of ['completion', 'hover', 'definition', 'rename', 'signature']) assert.ok(files.some((f) => f.startsWith(feature)), feature);
  });

  for (const file of files) {
    it(path.isAbsolute(file) ? `modules/${path.basename(file)}` : file, () => {
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
            const [name, line] = /^\d+$/.test(value) ? [undefined, value] : value.split(':');
            if (name !== undefined) assert.equal(path.basename(def[0].path), name);
            if (line !== undefined) assert.equal(def[0].range.start.line + 1, Number(line));
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

describe('language service: modules and files', () => {
  const MODULES = path.join(__dirname, '..', '..', '..', 'lua', 'test', 'modules');

  it('completes inside a string by replacing what is typed of it, up to the closing quote', () => {
    const service = new LanguageService();
    const script = path.join(MODULES, 'service', 'typed.lua');
    service.open(script, 'local u = require("pricing.u")\n', 1);
    const items = service.completion(script, { line: 0, character: 28 });
    const util = items.find((i) => i.label === 'pricing.util')!;
    assert.deepEqual(util.range, { start: { line: 0, character: 19 }, end: { line: 0, character: 28 } });
    assert.equal(util.detail, 'lib/pricing_util.lua');
    // The cursor in the middle of the string: the rest of it is replaced too.
    const middle = service.completion(script, { line: 0, character: 22 });
    assert.deepEqual(middle.find((i) => i.label === 'pricing.tax')!.range, { start: { line: 0, character: 19 }, end: { line: 0, character: 28 } });
  });

  it('checks again when a required module\'s file appears: on disk, or unsaved in the editor', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-modules-'));
    try {
      fs.writeFileSync(path.join(dir, 'sandlua.json'), JSON.stringify({ name: 'm', modules: { 'a.b': 'lib/a_b.lua' } }));
      const script = path.join(dir, 'main.lua');
      const service = new LanguageService();
      service.open(script, 'local ab = require("a.b")\nreturn ab.twice(2)\n', 1);
      assert.deepEqual(service.diagnostics(script).map((d) => d.code), ['unknown-module']);
      assert.deepEqual(service.definition(script, { line: 0, character: 22 }), []);
      const module = path.join(dir, 'lib', 'a_b.lua');
      service.open(module, 'local M = {}\nfunction M.twice(x) return 2 * x end\nreturn M\n', 1);
      assert.deepEqual(service.diagnostics(script), []);
      assert.deepEqual(service.completion(script, { line: 1, character: 10 }).map((i) => i.label), ['twice']);
      service.close(module);
      assert.deepEqual(service.diagnostics(script).map((d) => d.code), ['unknown-module']);
      fs.mkdirSync(path.dirname(module));
      fs.writeFileSync(module, 'return { twice = function(x) return 2 * x end }\n');
      assert.deepEqual(service.diagnostics(script), []);
      assert.equal(service.definition(script, { line: 0, character: 22 })[0].path, module);
      assert.equal(service.definition(script, { line: 1, character: 11 })[0].range.start.character, 9);
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
