// The language service on fixture scripts: `$0` marks the cursor, the first comment lines say what
// to expect (`-- expect completion: a b`, `includes:`/`excludes:`, `hover:`, `definition:`,
// `rename: N edits`, `rename error:`, `signature: label / active`). One check per feature.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UNGOVERNED_SCRIPTS, editBetween, windowRead, type Finding, type ScriptAnalysis, type SourceEdit, type Type, type TypeInfo, type ast } from '@sandlua/lua';
import { LanguageService, joinEdits, type DocumentSymbol, type Position, type Range } from './service';

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
      service.settings = { severity: {}, ungovernedScripts: 'default-contract' };
      service.open(script, 'lookup_vendor_alias("x")\n', 1);
      assert.deepEqual(service.diagnostics(script).map((d) => d.code), ['ungranted-host']);
      service.settings = { severity: { 'ungranted-host': 'warning' }, contractPaths: [FIXTURES] };
      service.contractsChanged();
      assert.deepEqual(service.diagnostics(script).map((d) => d.code), []);
      service.settings = { severity: { forbidden: 'off' }, ungovernedScripts: 'default-contract' };
      service.contractsChanged();
      service.change(script, 'os.execute("x")\n', 2);
      assert.deepEqual(service.diagnostics(script), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('language service: completion among thousands of locals', () => {
  it('offers the innermost 500 locals and says the list is incomplete, then those that hold the typed letters in order', () => {
    const service = new LanguageService();
    const script = path.join(os.tmpdir(), 'sandlua-many-locals.lua');
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) lines.push(`local value_${i} = ${i}`);
    lines.push('print(value_1)', '');
    service.open(script, lines.join('\n'), 1);
    const locals = (list: { items: { label: string; detail?: string }[] }): string[] => list.items.filter((i) => i.detail === 'local variable').map((i) => i.label);
    const all = service.completionList(script, { line: 3000, character: 0 });
    assert.equal(all.incomplete, true);
    assert.deepEqual(locals(all), Array.from({ length: 500 }, (_, k) => `value_${2500 + k}`));
    // `value_1` typed (the cursor after it): the locals whose names hold v, a, l, u, e, _, 1 in order, the innermost 500.
    const typed = service.completionList(script, { line: 3000, character: 'print(value_1'.length });
    assert.equal(typed.incomplete, true);
    const names = locals(typed);
    assert.equal(names.length, 500);
    assert.ok(names.every((n) => /^value_\d*1\d*$/.test(n)), names.join(' '));
    assert.ok(names.includes('value_2999') === false && names.includes('value_2991'));
    // A few locals: all of them, and a complete list.
    service.open(script, 'local a, b = 1, 2\nprint(a)\n', 2);
    const few = service.completionList(script, { line: 1, character: 0 });
    assert.equal(few.incomplete, false);
    assert.deepEqual(locals(few).sort(), ['a', 'b']);
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

describe('language service: the workspace index and open documents', () => {
  it('leaves an open document the background indexing reaches before its analysis to be indexed when the index is read', () => {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-index-open-'));
    try {
      const script = path.join(ws, 'big.lua');
      const text = Array.from({ length: 200 }, (_, i) => `local function helper${i}(x) return x + ${i} end`).join('\n') + '\nfunction shared_entry() return helper1(1) end\n';
      fs.writeFileSync(script, 'return 1\n');
      let analyses = 0;
      const service = new LanguageService({ analysis: () => { analyses++; return {}; } });
      service.open(script, text, 1);
      // The workspace's indexing, a slice at a time, reaches the open document first: no analysis
      // is made for it there.
      for (const file of service.luaFiles([ws])) service.indexFile(file, true);
      assert.equal(analyses, 0);
      // Read, the index summarises the document from its analysis (the editor's text, not the disk's).
      assert.deepEqual(service.workspaceSymbols('shared_entry').map((s) => [s.name, s.path]), [['shared_entry', script]]);
      assert.equal(analyses, 1);
      // Once the analysis is made, the background indexing summarises from it at once.
      service.open(script, `${text}function later_entry() end\n`, 2);
      service.diagnostics(script);
      service.indexFile(script, true);
      assert.equal(analyses, 2);
      assert.deepEqual(service.workspaceSymbols('later_entry').map((s) => s.name), ['later_entry']);
      assert.equal(analyses, 2);
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
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
        // Told the edit as an editor's ranged change says it, every other keystroke.
        service.change(script, text, ++version, version % 2 ? [editBetween(service.text(script)!, text)] : undefined);
        const fresh = new LanguageService();
        fresh.open(script, text, 1);
        assert.deepEqual(answers(service), answers(fresh), `${JSON.stringify(snippet.slice(0, n))} typed at ${at}`);
      }
    }
  });
});

describe('language service: an edit analyses again only what it changed', () => {
  it('takes the scopes and the type analysis of unchanged functions over, and answers what a fresh service answers', () => {
    const dir = path.join(__dirname, '..', '..', '..', 'examples', 'invoice-normalizer');
    const script = path.join(dir, 'edited-module.lua');
    const original = rulesModule(5, false);
    const analyses: ScriptAnalysis[] = [];
    const service = new LanguageService({ analysis: (analysis) => { analyses.push(analysis); return {}; } });
    service.open(script, original, 1);
    const answers = (s: LanguageService, text: string): unknown => ({
      diagnostics: s.diagnostics(script),
      hovers: [...text.matchAll(/\b(total|lower|vendor|words)\b/g)].map((m) => s.hover(script, positionAt(text, m.index! + 1))),
    });
    assert.deepEqual(answers(service, original), (() => { const f = new LanguageService(); f.open(script, original, 1); return answers(f, original); })());
    const typed = ['  local extra = total + 1\n', '  total = nil\n', '  print(lower(words))\n'];
    let version = 1;
    let taken = 0;
    let steps = 0;
    for (const snippet of typed) {
      // Inside the body of rule2, one character at a time, then erased.
      const at = original.indexOf('  local total = 0', original.indexOf('function M.rule2('));
      const counts = [...Array(snippet.length + 1).keys()].slice(1);
      for (const n of [...counts, ...counts.slice().reverse().slice(1), 0]) {
        const text = original.slice(0, at) + snippet.slice(0, n) + original.slice(at);
        const before = analyses[analyses.length - 1];
        service.change(script, text, ++version);
        const mine = answers(service, text);
        const fresh = new LanguageService();
        fresh.open(script, text, 1);
        assert.deepEqual(mine, answers(fresh, text), `${JSON.stringify(snippet.slice(0, n))} typed`);
        const after = analyses[analyses.length - 1];
        steps++;
        // The scopes of the other statements and the analysis of rule4's function were taken over.
        const node = after.parsed.chunk.body.body.find((st): st is ast.FunctionStatement => st.kind === 'FunctionStatement' && text.startsWith('function M.rule4', st.start))?.func;
        if (after.scope.locals[0] === before.scope.locals[0] && node && before.memo?.functions.get(node) === after.memo?.functions.get(node)) taken++;
      }
    }
    assert.ok(taken > steps / 2, `${taken} of ${steps} edits took the rest over`);
  });

  it('makes diagnostics in slices, with edits between, as a fresh service makes them at once', () => {
    const dir = path.join(__dirname, '..', '..', '..', 'examples', 'invoice-normalizer');
    const script = path.join(dir, 'sliced.lua');
    let text = rulesModule(30, true);
    const snippets = ['  local extra = total + 1\n', '  total = nil\n', 'local z = vendor:lower()\n', 'end\n', '  print(lower(words))\n', ' '];
    let seed = 2024;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      // The high bits: the low ones of this generator repeat every few draws.
      return (seed >>> 16) % n;
    };
    let windowed = 0;
    let analysed = 0;
    const service = new LanguageService({ analysis: (analysis) => { analysed++; if (windowRead(analysis.parsed)) windowed++; return {}; } });
    service.open(script, text, 1);
    let stops = 0;
    for (let step = 0; step < 60; step++) {
      // A few slices (each stopped at random), then, now and then, an edit before the analysis ends.
      for (let k = random(4); k > 0; k--) if (!service.prepareDiagnostics(script, () => random(4) > 0)) stops++;
      if (random(3) > 0) {
        const starts = [0, ...[...text.matchAll(/\n/g)].map((m) => m.index! + 1)];
        const at = starts[random(starts.length)];
        const before = text;
        text = random(3) === 0 ? text.slice(0, at) + text.slice(text.indexOf('\n', at) + 1 || text.length) : text.slice(0, at) + snippets[random(snippets.length)] + text.slice(at);
        // The change's ranges as an editor sends them, sometimes split in two (the second range in
        // the text the first made); several changes may come before a parse, joined then.
        const edit = editBetween(before, text);
        const split = edit.text.length > 1 && random(2) === 0 ? [{ ...edit, text: edit.text.slice(0, 1) }, { start: edit.start + 1, end: edit.start + 1, text: edit.text.slice(1) }] : [edit];
        service.change(script, text, step + 2, random(4) > 0 ? split : undefined);
        continue;
      }
      for (let k = 0; !service.prepareDiagnostics(script, () => random(4) > 0); k++) {
        assert.ok(k < 1000, `step ${step}: the slices get further`);
        stops++;
      }
      const fresh = new LanguageService();
      fresh.open(script, text, 1);
      assert.deepEqual(service.diagnostics(script), fresh.diagnostics(script), `step ${step}`);
    }
    assert.ok(stops > 20, `stopped ${stops} times`);
    // Parses read the new text only around the edits they were told. How many analyses finish, and
    // so are counted, depends on how far the slices get in their time (an analysis that goes on
    // from a stopped one works at least as long again): 10 to 17 of 19 to 22 in runs on a loaded
    // machine and an idle one.
    assert.ok(windowed >= 5 && windowed * 3 >= analysed, `${windowed} of ${analysed} analyses read a window of their text`);
  });
});

describe('language service: texts of one length', () => {
  it('analyses a text that replaced one of the same length (a character overtyped), told the edit or not', () => {
    const dir = path.join(__dirname, '..', '..', '..', 'examples', 'invoice-normalizer');
    const script = path.join(dir, 'overtyped.lua');
    const service = new LanguageService();
    let text = rulesModule(6, false);
    service.open(script, text, 1);
    service.diagnostics(script);
    // `total` overtyped letter by letter into `totAl` (a global read: a finding) and back, the
    // text's length the same at every step; a version sent twice with another text is a new text too.
    const at = text.indexOf('total + #lower');
    const steps = [['A', 3], ['a', 3], ['X', 0], ['t', 0]] as const;
    for (const [k, [letter, offset]] of steps.entries()) {
      const start = at + offset;
      const next = text.slice(0, start) + letter + text.slice(start + 1);
      service.change(script, next, k % 2 ? 2 + k : 1, k < 2 ? [{ start, end: start + 1, text: letter }] : undefined);
      text = next;
      const fresh = new LanguageService();
      fresh.open(script, text, 1);
      assert.deepEqual(service.diagnostics(script), fresh.diagnostics(script), `step ${k}`);
    }
    assert.ok(service.diagnostics(script).length > 0);
  });
});

describe('joinEdits', () => {
  it('makes one edit of the first text that does what a sequence of edits did', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return (seed >>> 16) % n;
    };
    for (let round = 0; round < 500; round++) {
      const base = Array.from({ length: 5 + random(40) }, () => 'abc\n '[random(5)]).join('');
      let text = base;
      let joined: SourceEdit | undefined;
      for (let k = 1 + random(4); k > 0; k--) {
        const start = random(text.length + 1);
        const edit = { start, end: start + random(Math.min(4, text.length - start) + 1), text: 'xyz'.slice(0, random(4)) };
        text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
        joined = joined ? joinEdits(base, joined, edit) : edit;
      }
      assert.equal(base.slice(0, joined!.start) + joined!.text + base.slice(joined!.end), text, `round ${round}`);
    }
  });
});

/**
 * A module of `functions` rule functions under the example's contract, then its output; `inner`:
 * each rule returns through a function nested in it (a closure over its local).
 */
function rulesModule(functions: number, inner: boolean): string {
  const lines = ['local M = {}', 'local lower = string.lower', ''];
  for (let f = 0; f < functions; f++) {
    lines.push(`function M.rule${f}(words)`, '  local total = 0', '  for _, w in ipairs(words) do total = total + #lower(w) end',
      `  if total > ${f} then tools.emit_review_note("rule ${f}") end`,
      ...(inner ? [`  local function inner${f}() return total + ${f} end`, `  return inner${f}()`] : ['  return total']), 'end', '');
  }
  lines.push('local vendor = lookup_vendor_alias(input.vendor_name)', 'return { normalized_vendor = vendor, confidence = M.rule0({}) / 10 }', '');
  return lines.join('\n');
}

/** The position of a UTF-16 offset in `text`. */
function positionAt(text: string, offset: number): Position {
  const lines = text.slice(0, offset).split('\n');
  return { line: lines.length - 1, character: lines[lines.length - 1].length };
}

// ---- features on the analysis's types ----------------------------------------------------------

const num: Type = { kind: 'number' };
const int: Type = { kind: 'number', subtype: 'integer' };
const str: Type = { kind: 'string' };
const maybe = (t: Type): Type => ({ kind: 'union', types: [t, { kind: 'nil' }] });
const record = (fields: Record<string, Type>, open = false): Type => ({ kind: 'table', fields: new Map(Object.entries(fields)), open });
const fun = (params: [string, Type][], returns?: Type[]): Type => ({ kind: 'function', params: params.map(([name, type]) => ({ name, type })), returns });

/**
 * A service whose analysis "infers" the types given by the source text of a name, member or call
 * (what the type analysis will answer through `ScriptAnalysis.types`); the rest is the real analysis.
 */
function typedService(types: Record<string, Type>, findings?: (text: string) => Finding[]): LanguageService {
  return new LanguageService({
    analysis: (_analysis, text) => {
      const info: TypeInfo = {
        typeOf: (node: ast.Node) => (node.kind === 'Name' || node.kind === 'Member' || node.kind === 'Call' ? types[text.slice(node.start, node.end)] : undefined),
      };
      return { types: info, ...(findings ? { findings: findings(text) } : {}) };
    },
  });
}

/** The position of `marker` in `text`, plus `delta` characters. */
function positionOf(text: string, marker: string, delta = 0): Position {
  const offset = text.indexOf(marker);
  assert.ok(offset >= 0, `no '${marker}'`);
  const lines = text.slice(0, offset + delta).split('\n');
  return { line: lines.length - 1, character: lines[lines.length - 1].length };
}

const WHOLE = { start: { line: 0, character: 0 }, end: { line: 1000, character: 0 } };
/** A script under the fixtures' contract (server/test/service/sandlua.json). */
const SCRIPT = path.join(FIXTURES, 'typed-features.lua');

describe('language service: memory follows the scripts in use', () => {
  const dir = path.join(__dirname, '..', '..', '..', 'examples', 'invoice-normalizer');
  const source = fs.readFileSync(path.join(dir, 'normalize.lua'), 'utf8');
  const scriptAt = (i: number): string => path.join(dir, `kept${i}.lua`);
  const textOf = (i: number): string => source.replace('confidence = 0.6', `confidence = 0.${i % 10}`) + '-- '.repeat(i) + '\n';
  const answers = (service: LanguageService, script: string): string => JSON.stringify([
    service.diagnostics(script), service.hover(script, { line: 2, character: 8 }), service.completion(script, { line: 2, character: 8 }).length,
  ]);
  const fresh = (i: number): string => {
    const other = new LanguageService();
    other.open(scriptAt(i), textOf(i), 1);
    return answers(other, scriptAt(i));
  };

  it('keeps the analyses of the scripts used last, and analyses one let go again when it is used, with the same answers', () => {
    const service = new LanguageService({ kept: { scripts: 4, text: 1 << 20 } });
    for (let i = 0; i < 10; i++) {
      service.open(scriptAt(i), textOf(i), 1);
      assert.equal(answers(service, scriptAt(i)), fresh(i), `script ${i}`);
    }
    // The last four are kept: asking them again analyses nothing.
    let made = service.analyses;
    for (let i = 6; i < 10; i++) assert.equal(answers(service, scriptAt(i)), fresh(i));
    assert.equal(service.analyses, made);
    // The first one was let go: it is analysed again, and answers as before.
    assert.equal(answers(service, scriptAt(0)), fresh(0));
    assert.equal(service.analyses, made + 1);
    // Using it made it the latest: the one used longest ago (6) went instead.
    made = service.analyses;
    assert.equal(answers(service, scriptAt(7)), fresh(7));
    assert.equal(service.analyses, made);
    assert.equal(answers(service, scriptAt(6)), fresh(6));
    assert.equal(service.analyses, made + 1);
    // An edit of a script that was let go parses it afresh and answers what a fresh service does.
    service.change(scriptAt(1), textOf(1).replace('local', 'local  '), 2);
    const other = new LanguageService();
    other.open(scriptAt(1), textOf(1).replace('local', 'local  '), 1);
    assert.equal(answers(service, scriptAt(1)), answers(other, scriptAt(1)));
  });

  it('lets go of scripts while their text passes the limit, but never of the one in use', () => {
    const service = new LanguageService({ kept: { scripts: 100, text: textOf(0).length * 2 + 10 } });
    for (let i = 0; i < 3; i++) {
      service.open(scriptAt(i), textOf(i), 1);
      answers(service, scriptAt(i));
    }
    let made = service.analyses;
    answers(service, scriptAt(2));
    answers(service, scriptAt(1));
    assert.equal(service.analyses, made, 'two scripts fit');
    answers(service, scriptAt(0));
    assert.equal(service.analyses, made + 1, 'three did not');
    // A script larger than the whole limit is kept while it is the one in use.
    const large = scriptAt(99);
    service.open(large, textOf(0).repeat(4), 1);
    answers(service, large);
    made = service.analyses;
    answers(service, large);
    assert.equal(service.analyses, made);
    answers(service, scriptAt(0));
    assert.equal(service.analyses, made + 1, 'the large one pushed the others out');
    answers(service, large);
    assert.equal(service.analyses, made + 2, 'and went once another was used');
  });
});

describe('language service: hover on types', () => {
  it('shows the inferred type of a local where it stands, and of fields and methods', () => {
    const text = 'local t = { total = 1 }\nlocal name = input.vendor_name\nreturn { normalized_vendor = name:upper(), confidence = t.total }\n';
    const service = typedService({ t: record({ total: int }), name: str, 't.total': int, 'name:upper()': str });
    service.open(SCRIPT, text, 1);
    assert.match(service.hover(SCRIPT, positionOf(text, 'local t', 6))!.contents, /local t: \{ total: integer \}/);
    assert.match(service.hover(SCRIPT, positionOf(text, 't.total', 3))!.contents, /\(field\) t\.total: integer/);
    const method = service.hover(SCRIPT, positionOf(text, 'upper', 1))!.contents;
    assert.match(method, /string\.upper\(s\)/);
    assert.match(method, /Returns here: `string`/);
  });

  it('shows a host result\'s declared type and where it comes from, and the narrowed type at a use', () => {
    const text = 'local alias = lookup_vendor_alias(input.vendor_name)\nif alias then\n  return { normalized_vendor = alias }\nend\nreturn { normalized_vendor = "" }\n';
    const plain = new LanguageService();
    plain.open(SCRIPT, text, 1);
    const declared = plain.hover(SCRIPT, positionOf(text, 'alias', 1))!.contents;
    assert.match(declared, /local alias: string\?/);
    assert.match(declared, /from the result of host function `lookup_vendor_alias` \(`string\?`: may be nil\)/);
    // At a use, what the analysis infers there (narrowed by `if alias then`), the origin still said.
    const use = plain.hover(SCRIPT, positionOf(text, '= alias', 3))!.contents;
    assert.match(use, /local alias: string\n/);
    assert.match(use, /from the result of host function/);
    // With the type the analysis infers after `if alias then`.
    const narrowed = typedService({ alias: str });
    narrowed.open(SCRIPT, text, 1);
    assert.match(narrowed.hover(SCRIPT, positionOf(text, '= alias', 3))!.contents, /local alias: string\n/);
  });

  it('adds the type where it stands to an input field\'s hover, and types script globals', () => {
    const text = 'local city = input.address.city\ncounter = 1\nreturn { normalized_vendor = city, count = counter }\n';
    const service = typedService({ 'input.address.city': maybe(str), counter: int });
    service.open(SCRIPT, text, 1);
    const field = service.hover(SCRIPT, positionOf(text, 'city\n', 1))!.contents;
    assert.match(field, /input field `input\.address\.city`: string/);
    assert.match(field, /Type here: `string\?`/);
    assert.match(service.hover(SCRIPT, positionOf(text, 'counter }', 1))!.contents, /\(global\) counter: integer/);
  });

  it('finds the field or method under the cursor through a local alias of an input field', () => {
    const text = 'local name = input.address\nlocal u = name.city:upper()\nlocal v = input.vendor_name:\nreturn { normalized_vendor = u .. v }\n';
    const service = new LanguageService();
    service.open(SCRIPT, text, 1);
    assert.match(service.hover(SCRIPT, positionOf(text, 'city:', 1))!.contents, /input field `input\.address\.city`: string/);
    assert.match(service.hover(SCRIPT, positionOf(text, 'upper', 1))!.contents, /string\.upper\(s\)/);
    const methods = service.completion(SCRIPT, positionOf(text, 'vendor_name:', 12)).map((i) => i.label);
    assert.ok(methods.includes('upper') && !methods.includes('rep'), methods.join(' '));
  });

  it('names the candidates of a field or method whose object is not known, by what the file defines under that name', () => {
    const text = [
      'local Account = {}',
      'Account.__index = Account',
      'function Account.new(owner) return setmetatable({ owner = owner, balance = 0 }, Account) end',
      'function Account:deposit(amount, ...) self.balance = self.balance + amount end',
      'local function use(a) a:deposit(5) return a.balance, a.owner, a:missing() end',
      'return use',
    ].join('\n');
    const service = new LanguageService();
    service.open(SCRIPT, text, 1);
    const method = service.hover(SCRIPT, positionOf(text, 'deposit(5)', 1))!.contents;
    assert.match(method, /\(method\) a:deposit/);
    assert.match(method, /`function Account:deposit\(amount, \.\.\.\)`, line 4/);
    assert.match(method, /not known, so by name/);
    const field = service.hover(SCRIPT, positionOf(text, 'balance, a.owner', 1))!.contents;
    assert.match(field, /\(field\) a\.balance/);
    assert.match(field, /`balance = 0`, line 3/);
    assert.match(field, /`self\.balance = self\.balance \+ amount`, line 4/);
    assert.equal(service.hover(SCRIPT, positionOf(text, 'missing()', 1)), undefined, 'nothing the file defines: no guess');
  });

  it('in plain Lua, finds a required module\'s members in the workspace, string methods and methods other files define', () => {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-hover-'));
    try {
      fs.mkdirSync(path.join(ws, 'lib', 'shapes'), { recursive: true });
      fs.mkdirSync(path.join(ws, 'app'));
      fs.writeFileSync(path.join(ws, 'lib', 'mymod.lua'), 'local M = {}\n--- Adds two numbers.\nfunction M.add(a, b) return a + b end\nreturn M\n');
      fs.writeFileSync(path.join(ws, 'lib', 'shapes', 'init.lua'), 'local Shape = {}\nfunction Shape:area() return 0 end\nreturn Shape\n');
      const script = path.join(ws, 'app', 'main.lua');
      const text = [
        'local m = require("lib.mymod")',
        'local shapes = require("lib.shapes")',
        'local function f(s, obj) return m.add(1, 2), s:gsub("a", "b"), obj:area(), shapes:area(), m.missing end',
        'return f',
      ].join('\n');
      fs.writeFileSync(script, text);
      const service = new LanguageService();
      service.open(script, text, 1);
      const add = service.hover(script, positionOf(text, 'add(1', 1))!.contents;
      assert.match(add, /lib\.mymod\.add\(a, b\)/);
      assert.match(add, /Adds two numbers\./);
      assert.match(add, /From module `lib\.mymod` \(`\.\.\/lib\/mymod\.lua`\)/);
      assert.deepEqual(service.definition(script, positionOf(text, 'add(1', 1)).map((l) => [path.relative(ws, l.path), l.range.start.line]), [[path.join('lib', 'mymod.lua'), 2]]);
      assert.match(service.hover(script, positionOf(text, 'area(), m', 1))!.contents, /From module `lib\.shapes` \(`\.\.\/lib\/shapes\/init\.lua`\)/);
      const gsub = service.hover(script, positionOf(text, 'gsub', 1))!.contents;
      assert.match(gsub, /string\.gsub\(s, pattern, repl/);
      assert.match(gsub, /If `s` is a string \(its type is not known here\)/);
      assert.equal(service.hover(script, positionOf(text, 'missing', 1)), undefined, 'the module has no such field');
      // A method of an object not known here: what the workspace's indexed files define under that name.
      assert.equal(service.hover(script, positionOf(text, 'area(), shapes', 1)), undefined, 'nothing indexed yet');
      for (const file of service.luaFiles([ws])) service.indexFile(file);
      const area = service.hover(script, positionOf(text, 'area(), shapes', 1))!.contents;
      assert.match(area, /\(method\) obj:area/);
      assert.match(area, /`Shape:area`, \.\.\/lib\/shapes\/init\.lua line 2/);
      // Under a contract, a module it does not declare is not looked for (require fails at run time).
      fs.copyFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'invoice-normalizer', 'sandlua.json'), path.join(ws, 'app', 'sandlua.json'));
      service.contractsChanged();
      assert.ok(!/From module/.test(service.hover(script, positionOf(text, 'add(1', 1))?.contents ?? ''));
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });

  it('shows a local function\'s signature, with the types of its ---@param comments', () => {
    const text = '---@param n integer\nlocal function twice(n) return n * 2 end\nreturn { normalized_vendor = tostring(twice(2)) }\n';
    const service = new LanguageService();
    service.open(SCRIPT, text, 1);
    assert.match(service.hover(SCRIPT, positionOf(text, 'twice(2)', 1))!.contents, /local function twice\(n: integer\)/);
  });
});

describe('language service: inlay hints', () => {
  const text = [
    'local function area(width, height) return width * height end',
    'local scale = function(value, factor) return value * factor end',
    'local height = 2',
    'local a = area(3, height)',
    'local s = scale(a, 1.5)',
    'local hits = kb.search("q", 5)',
    'local alias = lookup_vendor_alias(alias_text or "x")',
    'print(#hits, s)',
    'local t = { n = 1 }',
    'return { normalized_vendor = alias or "", count = t.n }',
    '',
  ].join('\n');
  const labels = (service: LanguageService, r = WHOLE): string[] => service.inlayHints(SCRIPT, r).map((h) => `${h.position.line}:${h.position.character} ${h.label}`);

  it('names the parameters of host and local-function calls, not where the argument already says it', () => {
    const service = new LanguageService();
    service.open(SCRIPT, text, 1);
    assert.deepEqual(labels(service), [
      '3:15 width:', // not `height`: the argument is a name equal to the parameter
      '4:16 value:', '4:19 factor:',
      '5:23 query:', '5:28 limit:',
      '6:34 alias:', // stdlib calls (print) get none
    ]);
    const hint = service.inlayHints(SCRIPT, WHOLE)[0];
    assert.equal(hint.kind, 'parameter');
    assert.equal(hint.paddingRight, true);
  });

  it('answers only for the range asked', () => {
    const service = new LanguageService();
    service.open(SCRIPT, text, 1);
    assert.deepEqual(labels(service, { start: { line: 4, character: 0 }, end: { line: 5, character: 0 } }), ['4:16 value:', '4:19 factor:']);
  });

  it('shows local types only when the setting is on, and no parameter names when that setting is off', () => {
    const service = typedService({ t: record({ n: int }), height: int, a: num });
    service.open(SCRIPT, text, 1);
    assert.ok(service.inlayHints(SCRIPT, WHOLE).every((h) => h.kind === 'parameter'));
    service.settings = { severity: {}, inlayHints: { parameterNames: false, localTypes: true } };
    // Function values (`local scale = function`) get none; the host result its declared type.
    assert.deepEqual(labels(service), ['2:12 : integer', '3:7 : number', '5:10 : string[]', '6:11 : string?', '8:7 : { n: integer }']);
    assert.ok(service.inlayHints(SCRIPT, WHOLE).every((h) => h.kind === 'type'));
    service.settings = { severity: {}, inlayHints: { parameterNames: false, localTypes: false } };
    assert.deepEqual(service.inlayHints(SCRIPT, WHOLE), []);
  });
});

describe('language service: signature help for local functions', () => {
  it('takes parameter types from the analysis over comments, and the return types', () => {
    const text = 'local function pad(s, width) return s .. (" "):rep(width) end\nreturn { normalized_vendor = pad("x", 3) }\n';
    const service = typedService({ pad: fun([['s', str], ['width', int]], [str]), width: int });
    service.open(SCRIPT, text, 1);
    const help = service.signatureHelp(SCRIPT, positionOf(text, '3)'))!;
    assert.equal(help.label, 'pad(s: string, width: integer): string');
    assert.deepEqual(help.parameters.map((p) => p.label), ['s: string', 'width: integer']);
    assert.equal(help.activeParameter, 1);
  });

  it('documents the function and its parameters from ---@param lines, and not through a blank line', () => {
    const text = '---Rounds to cents.\n---@param x number the amount\nlocal function cents(x) return x end\n\n---@param y string\n\nlocal function other(y) return y end\nreturn { normalized_vendor = other(tostring(cents(1))) }\n';
    const service = new LanguageService();
    service.open(SCRIPT, text, 1);
    const help = service.signatureHelp(SCRIPT, positionOf(text, 'cents(1', 6))!;
    assert.equal(help.label, 'cents(x: number): number');
    assert.equal(help.documentation, 'Rounds to cents.');
    assert.equal(help.parameters[0].documentation, 'the amount');
    assert.equal(service.signatureHelp(SCRIPT, positionOf(text, 'other(tostring', 6))!.label, 'other(y)');
  });

  it('does not take a reassigned local for a function, and a local shadowing a stdlib name is the local', () => {
    const text = 'local f = function(a) return a end\nf = print\nf(1)\nlocal function print(msg) return msg end\nprint(2)\n';
    const service = new LanguageService();
    service.open(SCRIPT, text, 1);
    assert.notEqual(service.signatureHelp(SCRIPT, positionOf(text, 'f(1', 2))?.label, 'f(a)');
    assert.equal(service.signatureHelp(SCRIPT, positionOf(text, 'print(2', 6))!.label, 'print(msg)');
  });
});

describe('language service: completion of typed fields', () => {
  it('completes the fields of an inferred table, and only its functions after `:`', () => {
    const text = 'local t = { a = 1, f = function() end }\nlocal x = t.\nlocal y = t:\n';
    const service = typedService({ t: record({ a: int, f: fun([]) }) });
    service.open(SCRIPT, text, 1);
    const fields = service.completion(SCRIPT, positionOf(text, 't.\n', 2));
    assert.deepEqual(fields.map((i) => [i.label, i.kind, i.detail]), [['a', 'field', 'integer'], ['f', 'function', 'fun()']]);
    assert.deepEqual(service.completion(SCRIPT, positionOf(text, 't:\n', 2)).map((i) => i.label), ['f']);
  });

  it('completes nested fields through the chain, and string methods on a string that may be nil', () => {
    const text = 'local order = {}\nlocal a = order.customer.\nlocal name = string.lower(tostring(input.amount))\nlocal u = name:\n';
    const service = typedService({ 'order.customer': record({ id: int, email: maybe(str) }), name: maybe(str) });
    service.open(SCRIPT, text, 1);
    assert.deepEqual(service.completion(SCRIPT, positionOf(text, 'customer.', 9)).map((i) => i.label), ['id', 'email']);
    const methods = service.completion(SCRIPT, positionOf(text, 'name:', 5)).map((i) => i.label);
    assert.ok(methods.includes('upper') && !methods.includes('rep'), methods.join(' ')); // string.rep is denied by the contract
  });

  it('completes and hovers the fields of a host result typed as a record by the contract', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-typed-'));
    try {
      fs.writeFileSync(path.join(dir, 'sandlua.json'), JSON.stringify({
        name: 'records',
        host: { 'crm.customer': { params: [{ name: 'id', type: 'string' }], returns: '{name: string, tier?: integer, address: {city: string}}?' } },
      }));
      const script = path.join(dir, 'main.lua');
      const text = 'local c = crm.customer("42")\nlocal n = c.\nlocal city = c.address.\nreturn c.name\n';
      const service = new LanguageService();
      service.open(script, text, 1);
      assert.deepEqual(service.completion(script, positionOf(text, 'c.\n', 2)).map((i) => [i.label, i.detail]), [['name', 'string'], ['tier', 'integer?'], ['address', '{ city: string }']]);
      assert.deepEqual(service.completion(script, positionOf(text, 'address.', 8)).map((i) => i.label), ['city']);
      assert.match(service.hover(script, positionOf(text, 'c.name', 3))!.contents, /\(field\) c\.name: string/);
      // Reassigned: the contract's type no longer says what it holds.
      service.change(script, 'local c = crm.customer("42")\nc = {}\nlocal n = c.\n', 2);
      assert.deepEqual(service.completion(script, { line: 2, character: 12 }), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('language service: types from the analysis itself (no types handed in)', () => {
  const text = [
    'local t = { total = 1 }',
    't.label = "x"',
    'local name = input.vendor_name',
    'local alias = lookup_vendor_alias(name)',
    'local hits = kb.search(name, 3)',
    'local x = t.',
    'return { normalized_vendor = name:upper(), confidence = t.total, count = #hits }',
    '',
  ].join('\n');

  it('hovers locals, fields, methods and host results with what the analysis infers', () => {
    const service = new LanguageService();
    service.open(SCRIPT, text, 1);
    const hover = (marker: string, delta: number): string => service.hover(SCRIPT, positionOf(text, marker, delta))!.contents;
    // Where it is declared, what it holds there; at a later use, what the script has added since.
    assert.match(hover('local t', 6), /local t: \{ total: integer \}/);
    assert.match(hover('= t.total', 2), /local t: \{ total: integer, label: string \}/);
    assert.match(hover('t.total', 3), /\(field\) t\.total: integer/);
    assert.match(hover('upper', 1), /Returns here: `string`/);
    assert.match(hover('alias =', 1), /local alias: string\?/);
    assert.match(hover('hits =', 1), /local hits: string\[\]/);
  });

  it('completes the fields the script gave a table, and shows local types as inlay hints when set', () => {
    const service = new LanguageService();
    service.open(SCRIPT, text, 1);
    assert.deepEqual(service.completion(SCRIPT, positionOf(text, 't.\n', 2)).map((i) => [i.label, i.detail]), [['total', 'integer'], ['label', 'string']]);
    service.settings = { severity: {}, inlayHints: { parameterNames: false, localTypes: true } };
    const lines = { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } };
    const labels = service.inlayHints(SCRIPT, lines).map((h) => `${h.position.line}:${h.label}`);
    assert.deepEqual(labels, ['0:: { total: integer }', '2:: string', '3:: string?', '4:: string[]']);
  });
});

describe('language service: quick fixes and symbols', () => {
  it('surfaces every fix of the findings in the range, with its diagnostic as published; the first did-you-mean is preferred', () => {
    const text = 'local n = input.amount\nlocal v = n + 1\nreturn { normalized_vendor = tostring(v) }\n';
    const edit = (start: number, end: number, newText: string): Finding['fixes'] => [{ title: newText, edits: [{ start, end, newText }] }];
    const findings = (source: string): Finding[] => {
      const at = source.indexOf('n + 1');
      return [
        {
          start: at, end: at + 1, severity: 'warning', code: 'maybe-nil', message: "'n' may be nil",
          fixes: [
            { title: "Add 'or 0'", edits: [{ start: at + 1, end: at + 1, newText: ' or 0' }] },
            ...edit(at, at + 1, '(n or 0)')!,
          ],
        },
        { start: 0, end: 5, severity: 'warning', code: 'unknown-member', message: 'far away', fixes: [{ title: "Change to 'x'", corrects: true, edits: [] }] },
        {
          start: at, end: at + 5, severity: 'error', code: 'type-mismatch', message: 'typo',
          fixes: [{ title: "Change to 'm'", corrects: true, edits: [] }, { title: "Replace with 'k'", corrects: true, edits: [] }],
        },
      ];
    };
    const service = typedService({}, findings);
    service.settings = { severity: { 'maybe-nil': 'error' } };
    service.open(SCRIPT, text, 1);
    const actions = service.codeActions(SCRIPT, { start: positionOf(text, 'n + 1'), end: positionOf(text, 'n + 1', 1) });
    assert.deepEqual(actions.map((a) => [a.title, a.isPreferred === true, a.diagnostic?.code]), [
      ["Add 'or 0'", false, 'maybe-nil'], ['(n or 0)', false, 'maybe-nil'],
      ["Change to 'm'", true, 'type-mismatch'], ["Replace with 'k'", false, 'type-mismatch'],
      // Suppressions last (made by the service for every finding shown).
      ['Suppress maybe-nil on this line', false, 'maybe-nil'], ['Suppress type-mismatch on this line', false, 'type-mismatch'],
    ]);
    // The diagnostic attached is the published one (its severity set by the settings).
    const published = service.diagnostics(SCRIPT).find((d) => d.code === 'maybe-nil')!;
    assert.deepEqual(actions[0].diagnostic, published);
    assert.equal(published.severity, 'error');
    assert.deepEqual(actions[0].edits, [{ range: { start: { line: 1, character: 11 }, end: { line: 1, character: 11 } }, newText: ' or 0' }]);
    // A code turned off offers no fixes.
    service.settings = { severity: { 'maybe-nil': 'off' } };
    assert.ok(service.codeActions(SCRIPT, { start: positionOf(text, 'n + 1'), end: positionOf(text, 'n + 1', 1) }).every((a) => a.diagnostic?.code !== 'maybe-nil'));
  });

  it('prefers the did-you-mean fix of a real finding, not the fix that adds a missing field', () => {
    const text = 'local v = lookup_vendr_alias("x")\nreturn { confidence = 1 }\n';
    const service = new LanguageService();
    service.open(SCRIPT, text, 1);
    const typo = service.codeActions(SCRIPT, { start: positionOf(text, 'lookup'), end: positionOf(text, 'lookup', 3) });
    assert.deepEqual(typo.map((a) => [a.title, a.isPreferred === true]), [["Change to 'lookup_vendor_alias'", true], ['Suppress ungranted-host on this line', false]]);
    const missing = service.codeActions(SCRIPT, { start: positionOf(text, '{ conf'), end: positionOf(text, '{ conf', 1) });
    assert.deepEqual(missing.map((a) => [a.title, a.isPreferred === true]), [["Add 'normalized_vendor'", false], ['Suppress output-shape on this line', false]]);
  });

  it('never answers a symbol without a name (a `local ` or `function ` being typed)', () => {
    const service = new LanguageService();
    for (const text of ['local x = 1\nlocal \n', 'local x = 1\nlocal a, \n', 'local x = 1\nfunction \n', 'local x = 1\nlocal function \n']) {
      service.change(SCRIPT, text, 1);
      const symbols = service.documentSymbols(SCRIPT);
      assert.ok(symbols.every((s) => s.name.trim() !== ''), `${JSON.stringify(text)}: ${JSON.stringify(symbols.map((s) => s.name))}`);
      assert.ok(symbols.some((s) => s.name === 'x'), JSON.stringify(text));
    }
  });
});

describe('language service: scripts no contract governs (sandlua.ungovernedScripts)', () => {
  let dir: string;
  let plain: string;
  let governed: string;
  // Ordinary Lua: io and require (denied by the default contract), a global write, an endless loop,
  // a call of a global nothing defines; and what the language itself judges: an unused local,
  // shadowing, a member Lua 5.3's libraries do not have (io's too, now that io is reachable).
  const PLAIN = [
    'local unused = 1',
    'local name = "x"',
    'do local name = "y" io.write(name) end',
    'io.write(require("json").encode(name))',
    'counter = 1',
    'io.wrte(string.formt("%d", counter))',
    'send(counter)',
    'while true do io.write(".") end',
    '',
  ].join('\n');
  const codesOf = (service: LanguageService, file: string): string[] => service.diagnostics(file).map((d) => `${d.range.start.line + 1} ${d.code}`);
  const serviceWith = (ungovernedScripts?: 'ignore' | 'lint' | 'default-contract'): LanguageService => {
    const service = new LanguageService();
    service.settings = { severity: {}, ungovernedScripts };
    service.open(plain, PLAIN, 1);
    service.open(governed, 'io.write("x")\nreturn { ok = true }\n', 1);
    return service;
  };

  before(() => {
    // A workspace with a governed folder and an ordinary script beside it (no sandlua.json above either but the folder's).
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-ungoverned-'));
    fs.mkdirSync(path.join(dir, 'governed'));
    fs.writeFileSync(path.join(dir, 'governed', 'sandlua.json'), JSON.stringify({ name: 'governed' }));
    governed = path.join(dir, 'governed', 'main.lua');
    plain = path.join(dir, 'tool.lua');
    fs.writeFileSync(governed, '');
    fs.writeFileSync(plain, PLAIN);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('ignore (the default): syntax errors only', () => {
    const service = serviceWith(undefined);
    assert.deepEqual(codesOf(service, plain), []);
    service.change(plain, PLAIN + 'local broken =\n', 2);
    assert.deepEqual(codesOf(service, plain), ['10 syntax']);
    assert.deepEqual(service.workspaceFiles([dir]).map((f) => path.relative(dir, f)), [path.join('governed', 'main.lua'), path.join('governed', 'sandlua.json')]);
  });

  it('ignore: the diagnostics come from the parse alone, the analysis only when a feature asks; edits give what a fresh document gives', () => {
    const service = serviceWith(undefined);
    const before = service.analyses;
    // Syntax errors, a suppressed one, a misspelled directive, and an unused one.
    let text = [
      'local t = {', '-- sandlua: disable-next-line syntax', 'local x = = 1', '-- sandlua: disable-next-lin syntax',
      'local function f() return 1 end', '-- sandlua: disable-next-line unused', 'print(f())', '',
    ].join('\n');
    let version = 2;
    service.change(plain, text, version);
    const fresh = (source: string): string[] => {
      const other = new LanguageService();
      other.settings = service.settings;
      other.open(plain, source, 1);
      return other.diagnostics(plain).map((d) => JSON.stringify(d));
    };
    // Random edits: each version's diagnostics, computed on the previous version's parse, are a fresh document's.
    let seed = 7;
    const random = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const pieces = ['end', ' ', '\n', '(', ')', 'local ', '= ', '"', '--', 'x', '{', '}', 'function f() ', 'return '];
    for (let i = 0; i < 60; i++) {
      const at = random(text.length + 1);
      const cut = random(3);
      text = text.slice(0, at) + pieces[random(pieces.length)] + text.slice(at + cut);
      service.change(plain, text, ++version);
      assert.deepEqual(service.diagnostics(plain).map((d) => JSON.stringify(d)), fresh(text), `edit ${i}`);
    }
    assert.ok(service.diagnostics(plain).every((d) => d.code === 'syntax' || d.code === 'unused-suppression'));
    assert.equal(service.analyses, before, 'no analysis for diagnostics that need only the parse');
    assert.ok(service.hover(plain, { line: 0, character: 7 }) !== undefined || service.completion(plain, { line: 0, character: 0 }).length > 0);
    assert.ok(service.analyses > before, 'hover and completion analyse the script');
    // Under lint the analysis makes the diagnostics.
    service.settings = { severity: {}, ungovernedScripts: 'lint' };
    const made = service.analyses;
    service.diagnostics(plain);
    assert.equal(service.analyses, made + 1);
  });

  it('lint: the language\'s own judgements, no contract codes', () => {
    const service = serviceWith('lint');
    assert.deepEqual(codesOf(service, plain), ['1 unused', '3 shadowing', '6 unknown-member', '6 unknown-member']);
    assert.match(service.diagnostics(plain).find((d) => d.range.start.line === 5)!.message, /'wrte'/);
  });

  it('default-contract: checked under the default deny-all contract, as before', () => {
    const service = serviceWith('default-contract');
    assert.deepEqual(codesOf(service, plain), [
      '1 unused', '3 shadowing', '3 forbidden', '4 forbidden', '4 forbidden', '5 global-write',
      '6 forbidden', '6 unknown-member', '7 ungranted-host', '8 unbounded-loop', '8 forbidden',
    ]);
  });

  it('a governed script is judged under its contract whatever the setting', () => {
    for (const mode of ['ignore', 'lint', 'default-contract'] as const) {
      assert.deepEqual(codesOf(serviceWith(mode), governed), ['1 forbidden'], mode);
    }
    // A broken contract governs too: its scripts fall back to deny-all.
    const broken = path.join(dir, 'broken');
    fs.mkdirSync(broken);
    fs.writeFileSync(path.join(broken, 'sandlua.json'), '{ "name": ');
    const service = serviceWith('ignore');
    service.open(path.join(broken, 'a.lua'), 'io.write("x")\n', 1);
    assert.ok(codesOf(service, path.join(broken, 'a.lua')).includes('1 forbidden'));
  });

  it('changing the setting takes effect on the next request', () => {
    const service = serviceWith('default-contract');
    assert.ok(codesOf(service, plain).some((c) => c.endsWith('forbidden')));
    service.settings = { severity: {}, ungovernedScripts: 'ignore' };
    assert.deepEqual(codesOf(service, plain), []);
  });

  it('completion and hover: the whole standard library, no host functions, no input; forbidden only under default-contract', () => {
    const text = 'local n = 1\nio.write(n)\n';
    for (const mode of ['ignore', 'lint'] as const) {
      const service = serviceWith(mode);
      service.change(plain, text, 2);
      const labels = service.completion(plain, { line: 2, character: 0 }).map((i) => i.label);
      for (const name of ['io', 'require', 'print', 'string', 'n']) assert.ok(labels.includes(name), `${mode}: ${name}`);
      assert.ok(!labels.includes('input'), mode);
      assert.ok(!service.completion(plain, { line: 2, character: 0 }).some((i) => i.detail?.includes('host')), mode);
      assert.ok(service.completion(plain, { line: 1, character: 3 }).some((i) => i.label === 'write'), mode);
      const hover = service.hover(plain, { line: 1, character: 0 })!.contents;
      assert.match(hover, /Input and output/);
      assert.doesNotMatch(hover, /Not granted/);
      assert.ok(!service.semanticTokens(plain).some((t) => t.modifiers & (1 << 4)), `${mode}: no token marked forbidden`);
    }
    const strict = serviceWith('default-contract');
    strict.change(plain, text, 2);
    assert.ok(!strict.completion(plain, { line: 2, character: 0 }).some((i) => i.label === 'io'));
    assert.match(strict.hover(plain, { line: 1, character: 0 })!.contents, /Not granted/);
    assert.ok(strict.semanticTokens(plain).some((t) => t.modifiers & (1 << 4)), 'io marked forbidden');
  });

  it('the editor setting offers exactly the modes, with the engine\'s descriptions', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { enum: string[]; enumDescriptions: string[]; default: string }> } } };
    const setting = manifest.contributes.configuration.properties['sandlua.ungovernedScripts'];
    assert.deepEqual(setting.enum, UNGOVERNED_SCRIPTS.map((m) => m.value));
    assert.deepEqual(setting.enumDescriptions, UNGOVERNED_SCRIPTS.map((m) => m.description));
    assert.equal(setting.default, 'ignore');
  });
});

describe('language service: outline, selection ranges and links', () => {
  const MODULES = path.join(__dirname, '..', '..', '..', 'lua', 'test', 'modules');
  const script = path.join(MODULES, 'service', 'navigation.lua');
  const text = [
    'local M = {}',
    'local util = require("pricing.util")',
    'local ghost = require("pricing.ghost")',
    'local rates = io.open("./data//rates.csv")',
    'local report = io.open("out/report.txt", "w")',
    'local other = io.open("data/other.csv")',
    'function M.add(a, b)',
    '  local sum = a + b',
    '  local function twice(x) return 2 * x end',
    '  if sum > 0 then local inner = sum return inner end',
    '  return twice(sum)',
    'end',
    'function M:describe() return self end',
    'M.scale = function(x) return util.round(x) end',
    'M.rate = 3',
    'local T = { run = function() local z = 1 return z end, n = 1 }',
    'local count = 0',
    'print(ghost, rates, report, other, T, count)',
    'return M',
    '',
  ].join('\n');
  type Outline = [string, string, Outline[]?];
  const outline = (symbols: DocumentSymbol[]): Outline[] => symbols.map((s) => s.children ? [s.name, s.kind, outline(s.children)] : [s.name, s.kind]);
  const contains = (outer: Range, inner: Range): boolean => !before(inner.start, outer.start) && !before(outer.end, inner.end);
  const before = (a: Position, b: Position): boolean => a.line < b.line || (a.line === b.line && a.character < b.character);

  it('nests functions, their locals and the fields of the tables the script builds', () => {
    const service = new LanguageService();
    service.open(script, text, 1);
    const symbols = service.documentSymbols(script);
    assert.deepEqual(outline(symbols), [
      ['M', 'module', [
        ['add', 'function', [['sum', 'variable'], ['twice', 'function'], ['inner', 'variable']]],
        ['describe', 'method'],
        ['scale', 'function'],
        ['rate', 'field'],
      ]],
      ['util', 'variable'], ['ghost', 'variable'], ['rates', 'variable'], ['report', 'variable'], ['other', 'variable'],
      ['T', 'module', [['run', 'function', [['z', 'variable']]], ['n', 'field']]],
      ['count', 'variable'],
    ]);
    // Every selection range (the name) lies inside its symbol's range; a child's inside its parent's function.
    const check = (list: DocumentSymbol[], parent?: DocumentSymbol): void => {
      for (const s of list) {
        assert.ok(contains(s.range, s.selectionRange), s.name);
        if (parent && (parent.kind === 'function' || parent.kind === 'method')) assert.ok(contains(parent.range, s.range), `${s.name} in ${parent.name}`);
        check(s.children ?? [], s);
      }
    };
    check(symbols);
    const add = symbols[0].children![0];
    assert.deepEqual(add.selectionRange, { start: { line: 6, character: 11 }, end: { line: 6, character: 14 } });
    assert.deepEqual(add.range, { start: { line: 6, character: 0 }, end: { line: 11, character: 3 } });
  });

  it('gives no symbol to a name being typed, at any depth', () => {
    const service = new LanguageService();
    for (const typed of ['function M.', 'function M:', 'local ', 'local function ', 'M. = 1', 'function f()\n  local \nend']) {
      service.change(script, `local M = {}\nlocal x = 1\n${typed}\nreturn M, x\n`, 1);
      const names: string[] = [];
      const collect = (list: DocumentSymbol[]): void => { for (const s of list) { names.push(s.name); collect(s.children ?? []); } };
      collect(service.documentSymbols(script));
      assert.ok(names.every((n) => n.trim() !== ''), `${JSON.stringify(typed)}: ${JSON.stringify(names)}`);
      assert.ok(names.includes('M') && names.includes('x'), JSON.stringify(typed));
    }
  });

  it('answers the chain of enclosing syntax, innermost first, each range strictly holding the one before', () => {
    const service = new LanguageService();
    service.open(script, text, 1);
    const lines = text.split('\n');
    const at = (line: number, marker: string, delta = 0): Position => ({ line, character: lines[line].indexOf(marker) + delta });
    const show = (r: Range): string => {
      if (r.start.line === r.end.line) return lines[r.start.line].slice(r.start.character, r.end.character);
      return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
    };
    const [round, sum] = service.selectionRanges(script, [at(13, 'round', 2), at(7, 'b')]);
    assert.deepEqual(round.map(show), [
      'round', 'util.round', 'util.round(x)', 'return util.round(x)', 'function(x) return util.round(x) end', 'M.scale = function(x) return util.round(x) end', '0:0-18:8', '0:0-19:0',
    ]);
    assert.deepEqual(sum.map(show), ['b', 'a + b', 'local sum = a + b', '7:2-10:19', '6:0-11:3', '0:0-18:8', '0:0-19:0']);
    // A string: its text, then the literal.
    assert.deepEqual(service.selectionRanges(script, [at(1, 'util"', 1)])[0].slice(0, 4).map(show), ['pricing.util', '"pricing.util"', 'require("pricing.util")', 'local util = require("pricing.util")']);
    // Everywhere: each range strictly holds the one before; the last is the whole text.
    const everywhere: Position[] = [];
    lines.forEach((l, line) => { for (let character = 0; character <= l.length; character++) everywhere.push({ line, character }); });
    for (const [i, chain] of service.selectionRanges(script, everywhere).entries()) {
      assert.ok(chain.length > 0 && contains(chain[0], { start: everywhere[i], end: everywhere[i] }), JSON.stringify(everywhere[i]));
      for (let k = 1; k < chain.length; k++) {
        assert.ok(contains(chain[k], chain[k - 1]) && JSON.stringify(chain[k]) !== JSON.stringify(chain[k - 1]), `${JSON.stringify(everywhere[i])}: ${chain.map(show).join(' < ')}`);
      }
      assert.deepEqual(chain[chain.length - 1], { start: { line: 0, character: 0 }, end: { line: 19, character: 0 } });
    }
  });

  it('links require strings to declared modules\' files and io strings to declared files that exist, nothing else', () => {
    const service = new LanguageService();
    service.open(script, text, 1);
    const links = service.documentLinks(script);
    assert.deepEqual(links.map((l) => [text.split('\n')[l.range.start.line].slice(l.range.start.character, l.range.end.character), path.relative(MODULES, l.target)]), [
      ['pricing.util', path.join('lib', 'pricing_util.lua')],
      // Written another way, the same declared file.
      ['./data//rates.csv', path.join('data', 'rates.csv')],
    ]);
    // `pricing.ghost` is declared but its file is missing, out/report.txt is declared but does not exist, data/other.csv is not declared.
    assert.ok(!fs.existsSync(path.join(MODULES, 'lib', 'ghost.lua')) && !fs.existsSync(path.join(MODULES, 'out', 'report.txt')));
    // No contract: no links.
    const plain = path.join(os.tmpdir(), 'sandlua-no-contract', 'plain.lua');
    service.open(plain, 'local u = require("pricing.util")\nreturn u\n', 1);
    assert.deepEqual(service.documentLinks(plain), []);
  });
});
