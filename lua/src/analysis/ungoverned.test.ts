// Scripts no contract governs: which codes judge against a contract (rules.ts), and what
// `analyzeScript`'s `ungoverned` option keeps of a plain script's findings.
import { strict as assert } from 'assert';
import { parseManifest } from '../contract/manifest';
import { analyzeScript, type CheckerOptions } from './checker';
import { CONTRACT_CODES, RULES, shownUngoverned } from './rules';

const codes = (source: string, options: CheckerOptions, contract = undefined as Parameters<typeof analyzeScript>[2]): string[] =>
  analyzeScript(source, 'plain.lua', contract, options).findings.filter((f) => !f.suppressed).map((f) => `${f.code}`);

describe('scripts no contract governs (ungoverned)', () => {
  it('flags exactly the contract codes', () => {
    assert.deepEqual([...CONTRACT_CODES].sort(), [
      'forbidden', 'global-write', 'host-args', 'manifest', 'output-shape', 'unbounded-loop', 'undefined-global',
      'ungranted-file', 'ungranted-host', 'unknown-input-field', 'unknown-module',
    ]);
    for (const rule of RULES) {
      assert.equal(shownUngoverned(rule.code, 'default-contract'), true);
      assert.equal(shownUngoverned(rule.code, 'ignore'), rule.code === 'syntax', rule.code);
      assert.equal(shownUngoverned(rule.code, 'lint'), !rule.contract, rule.code);
    }
  });

  const PLAIN = 'local unused = 1\nio.write(require("json"))\ncount = #io.wrte\nsend(count)\n';

  it('default-contract (the engine\'s default): the default deny-all contract', () => {
    const expected = ['unused', 'forbidden', 'forbidden', 'global-write', 'forbidden', 'ungranted-host'];
    assert.deepEqual(codes(PLAIN, {}), expected);
    assert.deepEqual(codes(PLAIN, { ungoverned: 'default-contract' }), expected);
  });

  it('lint: the language\'s own judgements, the whole standard library reachable', () => {
    assert.deepEqual(codes(PLAIN, { ungoverned: 'lint' }), ['unused', 'unknown-member']);
    // A comment that silences a contract code is not reported unused in a plain script.
    assert.deepEqual(codes('-- sandlua: disable-next-line forbidden\nio.write("x")\n-- sandlua: disable-next-line unused\nlocal y = 1\nreturn y\n', { ungoverned: 'lint' }), ['unused-suppression']);
  });

  it('ignore: syntax errors only', () => {
    assert.deepEqual(codes(PLAIN, { ungoverned: 'ignore' }), []);
    assert.deepEqual(codes(PLAIN + 'local x =\n', { ungoverned: 'ignore' }), ['syntax']);
  });

  it('a governed script, or one whose contract is broken, is judged under the contract whatever the option', () => {
    const contract = parseManifest(JSON.stringify({ name: 'c' }), '/c/sandlua.json').manifest!;
    for (const ungoverned of ['ignore', 'lint'] as const) {
      assert.ok(codes(PLAIN, { ungoverned }, contract).includes('forbidden'), ungoverned);
      assert.ok(codes(PLAIN, { ungoverned, brokenContract: 'sandlua.json' }).includes('forbidden'), ungoverned);
    }
  });
});
