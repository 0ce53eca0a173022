// Severity per code: the one function the CLI and the editor share (user over contract over the
// finding's own, `off` removes), the command line's CODE=LEVEL, and the contract's `"severity"` map
// as the loader reads it (unknown codes are warnings with did-you-mean).
import { strict as assert } from 'assert';
import { parseManifest } from '../contract/manifest';
import { analyzeScript } from './checker';
import type { Finding } from './findings';
import { RULES } from './rules';
import { LEFT_TO_LUALS, applySeverity, parseSeverityOption } from './severity';

const finding = (code: string, severity: Finding['severity'] = 'error'): Finding => ({ start: 0, end: 1, severity, code, message: code });

describe('severity per code', () => {
  it('the user map wins over the contract map, which wins over the finding; off removes', () => {
    const findings = [finding('forbidden'), finding('undefined-global'), finding('unknown-input-field', 'warning'), finding('global-write')];
    const out = applySeverity(findings, { forbidden: 'warning', 'global-write': 'off' }, { forbidden: 'hint', 'undefined-global': 'information', 'global-write': 'error' });
    assert.deepEqual(out.map((f) => `${f.code} ${f.severity}`), ['forbidden warning', 'undefined-global information', 'unknown-input-field warning']);
    assert.equal(findings[0].severity, 'error', 'the findings given are not changed');
    assert.deepEqual(applySeverity(findings, undefined, { 'global-write': 'off' }).map((f) => f.code), ['forbidden', 'undefined-global', 'unknown-input-field']);
    assert.deepEqual(applySeverity(findings).map((f) => f.severity), ['error', 'error', 'warning', 'error']);
  });

  it('beside LuaLS, the codes it also has are off below the contract and the user', () => {
    assert.deepEqual(Object.keys(LEFT_TO_LUALS), ['unused', 'shadowing', 'unreachable-code', 'assignment-count', 'for-direction']);
    assert.ok(RULES.every((rule) => !rule.luaLS || !rule.contract), 'contract codes are never left to LuaLS');
    const findings = [finding('unused', 'warning'), finding('shadowing', 'warning'), finding('forbidden')];
    assert.deepEqual(applySeverity(findings, undefined, undefined, LEFT_TO_LUALS).map((f) => f.code), ['forbidden']);
    const out = applySeverity(findings, { unused: 'hint' }, { shadowing: 'error' }, LEFT_TO_LUALS);
    assert.deepEqual(out.map((f) => `${f.code} ${f.severity}`), ['unused hint', 'shadowing error', 'forbidden error']);
  });

  it('never changes syntax, and ignores levels that are not levels', () => {
    const out = applySeverity([finding('syntax'), finding('forbidden')], { syntax: 'off', forbidden: 'fatal' as never });
    assert.deepEqual(out.map((f) => `${f.code} ${f.severity}`), ['syntax error', 'forbidden error']);
  });

  it('reads CODE=LEVEL, and says what is wrong with anything else', () => {
    assert.deepEqual(parseSeverityOption('unused=off'), { code: 'unused', level: 'off' });
    assert.deepEqual(parseSeverityOption('forbidden=warning'), { code: 'forbidden', level: 'warning' });
    assert.match((parseSeverityOption('forbiden=warning') as { problem: string }).problem, /unknown code 'forbiden'; did you mean 'forbidden'\?/);
    assert.match((parseSeverityOption('forbidden=warn') as { problem: string }).problem, /unknown level 'warn' for forbidden; did you mean 'warning'\?/);
    assert.match((parseSeverityOption('forbidden') as { problem: string }).problem, /expects CODE=LEVEL/);
    assert.match((parseSeverityOption('syntax=off') as { problem: string }).problem, /cannot be changed/);
  });

  it('every new code has a rule with its default severity', () => {
    const defaults = new Map(RULES.map((r) => [r.code, r.severity]));
    for (const code of ['maybe-nil', 'type-mismatch', 'unknown-member']) assert.equal(defaults.get(code), 'error', code);
    for (const code of ['unused', 'shadowing', 'unreachable-code', 'assignment-count', 'for-direction']) assert.equal(defaults.get(code), 'warning', code);
    assert.equal(defaults.get('unused-suppression'), 'hint');
    assert.equal(new Set(RULES.map((r) => r.code)).size, RULES.length);
  });
});

describe("the contract's severity map", () => {
  it('is read into the contract, and applies to its scripts', () => {
    const text = JSON.stringify({ name: 'c', severity: { 'undefined-global': 'warning', forbidden: 'off' } }, null, 2);
    const result = parseManifest(text, 'sandlua.json');
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.manifest!.severity, { 'undefined-global': 'warning', forbidden: 'off' });
    const { findings } = analyzeScript('print(a, os.execute)\n', 't.lua', result.manifest);
    assert.deepEqual(applySeverity(findings, undefined, result.manifest!.severity).map((f) => `${f.code} ${f.severity}`), ['undefined-global warning']);
  });

  it('an unknown code is a warning at its key, with did you mean; the contract still loads', () => {
    const text = '{\n  "name": "c",\n  "severity": { "undefined-globl": "off", "syntax": "off", "unused": "hint" }\n}\n';
    const result = parseManifest(text, 'sandlua.json');
    assert.ok(result.manifest);
    assert.deepEqual(result.manifest.severity, { unused: 'hint' });
    assert.deepEqual(result.problems.map((p) => `${p.line}:${p.column} ${p.severity} ${p.message}`), [
      "3:17 warning unknown diagnostic code 'undefined-globl' in severity (did you mean 'undefined-global'?)",
      "3:43 warning the severity of 'syntax' cannot be changed: a script that does not parse cannot run",
    ]);
  });

  it('a level that is not a level is an error of the schema', () => {
    const result = parseManifest(JSON.stringify({ name: 'c', severity: { unused: 'loud' } }), 'sandlua.json');
    assert.equal(result.manifest, undefined);
    assert.ok(result.problems.some((p) => p.severity === 'error' && /severity/.test(p.message)), JSON.stringify(result.problems));
  });
});
