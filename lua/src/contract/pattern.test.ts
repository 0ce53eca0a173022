// Schema patterns are matched in linear time: the classic catastrophic-backtracking pattern on
// the input that makes a backtracking engine explore 2^40 paths answers at once, through the
// validator and through a sandbox run, and ordinary patterns behave as before. A pattern the
// engine cannot compile is a contract error that names the pattern and its place.
import { strict as assert } from 'assert';
import { parseManifest, type ManifestResult } from './manifest';
import { patternProblem } from './pattern';
import { validateValue } from './validate';
import { Sandbox } from '../sandbox/sandbox';

const REDOS = '^(a+)+$';
const HOSTILE = 'a'.repeat(40) + '!';

function load(json: Record<string, unknown>): ManifestResult {
  return parseManifest(JSON.stringify({ name: 'patterns', scripts: ['*.lua'], ...json }, null, 2), '/virtual/sandlua.json');
}

describe('schema patterns', () => {
  it('answers a nested-quantifier pattern on a hostile string without backtracking', () => {
    const problems = validateValue({ type: 'string', pattern: REDOS }, HOSTILE, { rootName: 'the input' });
    assert.equal(problems.length, 1);
    assert.match(problems[0].message, /the input must match the pattern/);
    assert.deepEqual(validateValue({ type: 'string', pattern: REDOS }, 'a'.repeat(40)), []);
  });

  it('answers a hostile key under patternProperties and propertyNames', () => {
    const schema = { type: 'object', patternProperties: { [REDOS]: { type: 'integer' } }, propertyNames: { pattern: REDOS } };
    const problems = validateValue(schema, { [HOSTILE]: 'x', aaa: 1 }, { rootName: 'the input' });
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.deepEqual(validateValue(schema, { aaa: 1, a: 2 }), []);
    assert.equal(validateValue(schema, { aaa: 'not an integer' }).length, 1);
  });

  it('keeps ordinary patterns: unanchored search, anchors, classes, Unicode', () => {
    const cases: [string, string, boolean][] = [
      ['[0-9]+', 'ab12', true],
      ['[0-9]+', 'abc', false],
      ['^[A-Z]{3}$', 'EUR', true],
      ['^[A-Z]{3}$', 'EURO', false],
      ['^\\d{4}-\\d{2}-\\d{2}$', '2026-12-02', true],
      ['^[^@\\s]+@[^@\\s]+$', 'a@b.example', true],
      ['^[^@\\s]+@[^@\\s]+$', 'a b@c', false],
      ['^.$', '😀', true],
      ['^\\p{Lu}', 'Über', true],
      ['^(foo|bar)?baz$', 'barbaz', true],
      ['^(foo|bar)?baz$', 'quxbaz', false],
    ];
    for (const [pattern, text, matches] of cases) {
      assert.equal(validateValue({ type: 'string', pattern }, text).length === 0, matches, `/${pattern}/ on '${text}'`);
      assert.equal(new RegExp(pattern, 'u').test(text), matches, `ECMAScript agrees on /${pattern}/ '${text}'`);
    }
  });

  it('refuses in the contract a pattern the engine cannot compile, naming the pattern and its place', () => {
    const result = load({ input: { type: 'object', properties: { code: { type: 'string', pattern: '^(a)\\1$' } } } });
    assert.equal(result.manifest, undefined);
    const problem = result.problems.find((p) => p.severity === 'error');
    assert.ok(problem, JSON.stringify(result.problems));
    assert.match(problem.message, /^input\.properties\.code\.pattern: '\^\(a\)\\1\$' is not a usable regular expression: .*backreferences/);
    assert.ok(problem.line > 1, 'the problem is placed at the pattern');
    assert.equal(patternProblem('^[a-z]+$'), undefined);
    assert.match(patternProblem('(?<=a)b') ?? '', /lookaround/);
  });

  it('refuses a bad pattern under patternProperties and a host parameter', () => {
    const keys = load({ output: { type: 'object', patternProperties: { '(?=x)': { type: 'string' } } } });
    assert.ok(keys.problems.some((p) => p.severity === 'error' && p.message.startsWith("output.patternProperties: '(?=x)' is not a usable regular expression")), JSON.stringify(keys.problems));
    const host = load({ host: { tag: { params: [{ name: 's', type: 'string', pattern: '(a)\\1' }], returns: 'nil' } } });
    assert.ok(host.problems.some((p) => p.severity === 'error' && p.message.startsWith('host.tag.params[0].pattern is not a usable regular expression')), JSON.stringify(host.problems));
  });

  it('runs a sandbox whose input schema has the pattern: the hostile input is refused at once, a good one runs', async () => {
    const result = load({
      input: { type: 'object', properties: { word: { type: 'string', pattern: REDOS } }, required: ['word'] },
      output: { type: 'string', pattern: REDOS },
    });
    assert.ok(result.manifest, JSON.stringify(result.problems));
    const box = new Sandbox({ manifest: result.manifest });
    const refused = await box.run('return input.word', { word: HOSTILE });
    assert.ok(!refused.ok);
    assert.equal(refused.error.kind, 'input');
    assert.match(refused.error.message, /must match the pattern/);
    const ran = await box.run('return input.word', { word: 'aaaa' });
    assert.deepEqual(ran.ok && ran.output, 'aaaa');
    const badOutput = await box.run('return input.word .. "!"', { word: 'a'.repeat(40) });
    assert.ok(!badOutput.ok);
    assert.equal(badOutput.error.kind, 'output');
  });
});
