// Suppression comments on real analyses: which findings each comment form covers (the others stay
// shown), the `unused-suppression` hints and what their fixes leave, and the quick fix that writes
// a suppression comment (applied, then analysed again).
import { strict as assert } from 'assert';
import * as path from 'path';
import { analyzeScript } from './checker';
import type { Edit, Finding, Fix } from './findings';
import { suppressionFixes } from './suppress';
import { applyEdits as apply, checkFixture, contractAt, luaFiles } from './testing/fixtures';

const FIXTURES = path.join(__dirname, '..', '..', 'test', 'suppress');

function analyze(source: string): Finding[] {
  return analyzeScript(source, 't.lua', undefined).findings;
}

function lineOf(source: string, offset: number): number {
  return source.slice(0, offset).split(/\r\n|\r|\n/).length;
}

/** `line code` for every finding shown (not suppressed), in order. */
function shown(source: string, findings = analyze(source)): string[] {
  return findings.filter((f) => !f.suppressed).map((f) => `${lineOf(source, f.start)} ${f.code}`);
}

/** `line code` for every suppressed finding. */
function suppressed(source: string, findings = analyze(source)): string[] {
  return findings.filter((f) => f.suppressed).map((f) => `${lineOf(source, f.start)} ${f.code}`);
}

function fix(findings: Finding[], code: string, title: RegExp): Edit[] {
  const f = findings.find((x) => x.code === code && !x.suppressed && x.fixes?.some((y) => title.test(y.title)));
  assert.ok(f, `a ${code} finding with a fix ${title}: ${JSON.stringify(findings)}`);
  return f.fixes!.find((y) => title.test(y.title))!.edits;
}

describe('suppression comments', () => {
  it('disable-next-line covers its codes on the next line only', () => {
    const src = [
      '-- sandlua: disable-next-line undefined-global',
      'print(a, os.execute)',
      'print(b)',
    ].join('\n');
    assert.deepEqual(suppressed(src), ['2 undefined-global']);
    assert.deepEqual(shown(src), ['2 forbidden', '3 undefined-global']);
  });

  it('names several codes, separated by commas or spaces, and takes what follows -- as the reason', () => {
    const src = [
      '-- sandlua: disable-next-line undefined-global, forbidden -- the host defines a',
      'print(a, os.execute)',
      '-- sandlua: disable-next-line forbidden undefined-global',
      'print(b, os.execute)',
    ].join('\n');
    assert.deepEqual(suppressed(src), ['2 undefined-global', '2 forbidden', '4 undefined-global', '4 forbidden']);
    assert.deepEqual(shown(src), []);
  });

  it('without a code covers every code', () => {
    const src = '-- sandlua: disable-next-line\nprint(a, os.execute)\nprint(b)\n';
    assert.deepEqual(suppressed(src), ['2 undefined-global', '2 forbidden']);
    assert.deepEqual(shown(src), ['3 undefined-global']);
  });

  it('disable-line covers its own line (a trailing comment)', () => {
    const src = 'print(a) -- sandlua: disable-line undefined-global\nprint(b)\n';
    assert.deepEqual(suppressed(src), ['1 undefined-global']);
    assert.deepEqual(shown(src), ['2 undefined-global']);
  });

  it('is also written with three dashes, as LuaCATS comments are', () => {
    const src = '--- sandlua: disable-next-line undefined-global\nprint(a)\n';
    assert.deepEqual(suppressed(src), ['2 undefined-global']);
    assert.deepEqual(shown(src), []);
  });

  it('disable … enable covers a region; without enable, to the end of the file', () => {
    const src = [
      'print(a)',
      '-- sandlua: disable undefined-global',
      'print(b)',
      'if true then',
      '  print(c, os.execute)',
      'end',
      '-- sandlua: enable undefined-global',
      'print(d)',
      '-- sandlua: disable forbidden',
      'print(os.execute, e)',
      'print(os.execute)',
    ].join('\n');
    assert.deepEqual(suppressed(src), ['3 undefined-global', '5 undefined-global', '10 forbidden', '11 forbidden']);
    assert.deepEqual(shown(src), ['1 undefined-global', '5 forbidden', '8 undefined-global', '10 undefined-global']);
  });

  it('a region of every code, with one code enabled again inside it', () => {
    const src = [
      '-- sandlua: disable',
      'print(a, os.execute)',
      '-- sandlua: enable forbidden',
      'print(b, os.execute)',
      '-- sandlua: enable',
      'print(c)',
    ].join('\n');
    assert.deepEqual(suppressed(src), ['2 undefined-global', '2 forbidden', '4 undefined-global']);
    assert.deepEqual(shown(src), ['4 forbidden', '6 undefined-global']);
  });

  it("honours LuaLS's ---@diagnostic spellings, ignoring LuaLS's own codes", () => {
    const src = [
      '---@diagnostic disable-next-line: undefined-global, lowercase-global',
      'print(a)',
      'print(b) ---@diagnostic disable-line: undefined-global',
      '---@diagnostic disable: forbidden',
      'print(os.execute)',
      '---@diagnostic enable: forbidden',
      'print(os.execute)',
      '---@diagnostic disable-next-line',
      'print(c, os.execute)',
      '---@diagnostic disable-next-line: lowercase-global',
      'print(d)',
    ].join('\n');
    assert.deepEqual(suppressed(src), ['2 undefined-global', '3 undefined-global', '5 forbidden', '9 undefined-global', '9 forbidden']);
    assert.deepEqual(shown(src), ['7 forbidden', '11 undefined-global']);
  });

  it('never reports LuaLS-spelled comments as unused (they may be there for LuaLS)', () => {
    const src = '---@diagnostic disable-next-line: undefined-global\nlocal x = 1\nprint(x)\n---@diagnostic disable: lowercase-global\n';
    assert.deepEqual(shown(src), []);
  });

  it('cannot suppress syntax errors', () => {
    const src = '-- sandlua: disable-next-line\nlocal = 1\n';
    const findings = analyze(src);
    assert.deepEqual(shown(src, findings), ['1 unused-suppression', '2 syntax']);
    const named = '-- sandlua: disable-next-line syntax\nlocal = 1\n';
    const f = analyze(named).find((x) => x.code === 'unused-suppression');
    assert.match(f!.message, /'syntax' findings cannot be suppressed/);
    assert.deepEqual(shown(named), ['1 unused-suppression', '2 syntax']);
  });

  it('keeps suppressed findings, marked, with their severity', () => {
    const f = analyze('print(a.b) -- sandlua: disable-line undefined-global\n');
    assert.equal(f.length, 1);
    assert.equal(f[0].suppressed, true);
    assert.equal(f[0].severity, 'error');
  });
});

describe('unused suppressions', () => {
  it('a comment that suppresses nothing is a hint, whose fix removes its line', () => {
    const src = 'local x = 1\n-- sandlua: disable-next-line undefined-global\nprint(x)\n';
    const findings = analyze(src);
    assert.deepEqual(shown(src, findings), ['2 unused-suppression']);
    const hint = findings[0];
    assert.equal(hint.severity, 'hint');
    assert.equal(hint.message, "unused suppression: no 'undefined-global' finding on the next line to suppress");
    assert.equal(apply(src, fix(findings, 'unused-suppression', /^Remove the suppression comment$/)), 'local x = 1\nprint(x)\n');
  });

  it('a trailing comment is removed with the spaces before it, the code kept', () => {
    const src = 'local x = 1  -- sandlua: disable-line forbidden\nprint(x)\n';
    const findings = analyze(src);
    assert.deepEqual(shown(src, findings), ['1 unused-suppression']);
    assert.equal(apply(src, fix(findings, 'unused-suppression', /^Remove/)), 'local x = 1\nprint(x)\n');
  });

  it('one unused code of several is reported on the code, whose fix removes just it', () => {
    const src = '-- sandlua: disable-next-line forbidden, undefined-global\nprint(a)\n';
    const findings = analyze(src);
    assert.deepEqual(shown(src, findings), ['1 unused-suppression']);
    const hint = findings.find((f) => f.code === 'unused-suppression')!;
    assert.equal(src.slice(hint.start, hint.end), 'forbidden');
    const fixed = apply(src, fix(findings, 'unused-suppression', /^Remove 'forbidden'/));
    assert.equal(fixed, '-- sandlua: disable-next-line undefined-global\nprint(a)\n');
    assert.deepEqual(shown(fixed), []);
    const last = '-- sandlua: disable-next-line undefined-global, forbidden\nprint(a)\n';
    assert.equal(apply(last, fix(analyze(last), 'unused-suppression', /^Remove 'forbidden'/)), '-- sandlua: disable-next-line undefined-global\nprint(a)\n');
  });

  it('several codes all unused: one hint on the comment', () => {
    const src = '-- sandlua: disable-next-line forbidden, undefined-global\nlocal x = 1\nprint(x)\n';
    const findings = analyze(src);
    assert.deepEqual(shown(src, findings), ['1 unused-suppression']);
    assert.match(findings[0].message, /no 'forbidden' or 'undefined-global' finding on the next line/);
  });

  it('an unknown code: did you mean, with a fix that corrects it', () => {
    const src = '-- sandlua: disable-next-line undefined-globl\nprint(a)\n';
    const findings = analyze(src);
    assert.deepEqual(shown(src, findings), ['1 unused-suppression', '2 undefined-global']);
    const hint = findings.find((f) => f.code === 'unused-suppression')!;
    assert.equal(hint.message, "unused suppression: unknown code 'undefined-globl'; did you mean 'undefined-global'?");
    assert.equal(src.slice(hint.start, hint.end), 'undefined-globl');
    const fixed = apply(src, fix(findings, 'unused-suppression', /^Change to 'undefined-global'$/));
    assert.deepEqual(shown(fixed), []);
    assert.deepEqual(suppressed(fixed), ['2 undefined-global']);
  });

  it('a misspelled directive: did you mean', () => {
    const src = '-- sandlua: disable-nextline undefined-global\nprint(a)\n';
    const findings = analyze(src);
    assert.deepEqual(shown(src, findings), ['1 unused-suppression', '2 undefined-global']);
    const fixed = apply(src, fix(findings, 'unused-suppression', /^Change to 'disable-next-line'$/));
    assert.deepEqual(shown(fixed), []);
  });

  it('an enable with nothing disabled, a region with nothing in it, and a comment without codes', () => {
    const src = [
      '-- sandlua: enable forbidden',
      '-- sandlua: disable forbidden',
      'local x = 1',
      '-- sandlua: enable forbidden',
      '-- sandlua: disable-line',
      'print(x)',
    ].join('\n');
    const findings = analyze(src);
    assert.deepEqual(shown(src, findings), ['1 unused-suppression', '2 unused-suppression', '5 unused-suppression']);
    assert.deepEqual(findings.map((f) => f.message), [
      "unused suppression: 'forbidden' is not disabled here",
      "unused suppression: no 'forbidden' finding after this comment to suppress",
      'unused suppression: no finding on this line to suppress',
    ]);
  });

  it('prose that mentions sandlua is not a directive', () => {
    assert.deepEqual(shown('-- see the sandlua: docs for disable-next-line\nlocal x = 1\nprint(x)\n'), []);
    assert.deepEqual(shown('--[[ sandlua: disable-next-line ]]\nlocal x = 1\nprint(x)\n'), []);
  });
});

describe('the quick fix "Suppress CODE on this line"', () => {
  /** Each finding of `src` with its suppression fix, if it has one. */
  const silencing = (src: string): [Finding, Fix | undefined][] => {
    const a = analyzeScript(src, 't.lua', undefined);
    const fixOf = suppressionFixes(a.parsed);
    return a.findings.map((f) => [f, fixOf(f)]);
  };
  const silence = (src: string, code: string): Edit[] => {
    const found = silencing(src).find(([f, x]) => f.code === code && x !== undefined);
    assert.ok(found, `a ${code} finding with a suppression fix`);
    assert.equal(found[1]!.title, `Suppress ${code} on this line`);
    assert.ok(found[1]!.silences);
    return found[1]!.edits;
  };

  it('is offered on every finding but syntax, and inserts an indented comment above the line', () => {
    const src = 'if true then\n    print(a, os.execute)\nend\nlocal = 1\n';
    const all = silencing(src);
    assert.deepEqual(all.map(([f, x]) => [f.code, x?.title]), [
      ['undefined-global', 'Suppress undefined-global on this line'], ['forbidden', 'Suppress forbidden on this line'], ['syntax', undefined],
    ]);
    const fixed = apply(src, silence(src, 'forbidden'));
    assert.equal(fixed, 'if true then\n    -- sandlua: disable-next-line forbidden\n    print(a, os.execute)\nend\nlocal = 1\n');
    assert.deepEqual(shown(fixed), ['3 undefined-global', '5 syntax']);
    // The analysis itself carries none: they are made when asked for.
    assert.ok(all.every(([f]) => !(f.fixes ?? []).some((x) => x.silences)));
  });

  it('adds the code to a disable-next-line comment already above the line', () => {
    const src = '-- sandlua: disable-next-line forbidden\nprint(a, os.execute)\n';
    const fixed = apply(src, silence(src, 'undefined-global'));
    assert.equal(fixed, '-- sandlua: disable-next-line forbidden, undefined-global\nprint(a, os.execute)\n');
    assert.deepEqual(shown(fixed), []);
  });

  it('keeps the line breaks of the file', () => {
    const src = 'local x = 1\r\nprint(a, x)\r\n';
    assert.equal(apply(src, silence(src, 'undefined-global')), 'local x = 1\r\n-- sandlua: disable-next-line undefined-global\r\nprint(a, x)\r\n');
  });

  it('is not offered on suppressed findings or on unused-suppression hints', () => {
    for (const [f, x] of silencing('-- sandlua: disable-next-line forbidden\nprint(a) -- sandlua: disable-line undefined-global\n')) assert.equal(x, undefined, `${f.code} ${f.suppressed}`);
  });
});

describe('suppression fixtures', () => {
  // Each line ending in `--@ code…` has exactly those findings shown; suppressed ones do not count.
  const contract = contractAt(FIXTURES);
  const files = luaFiles(FIXTURES);
  it('has fixtures', () => assert.ok(files.length >= 1));
  for (const file of files) {
    it(`shows exactly the marked findings in ${path.basename(file)}`, () => checkFixture(file, contract));
  }
});
