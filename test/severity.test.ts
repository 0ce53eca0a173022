// `sandlua check` with severities and suppression comments, as a user runs it (the bundled CLI):
// --severity CODE=LEVEL over the contract's "severity" map over the code's default, the exit code
// following the final severities, usage errors for bad codes and levels, and suppressed findings
// left out of text and JSON but reported in SARIF as suppressed in source (schema-validated).
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';

const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'server', 'dist', 'sandlua.js');
const plain = 'test/fixtures/severity/plain';
const mapped = 'test/fixtures/severity/mapped';
const SARIF_SCHEMA = path.join(root, 'node_modules', '@microsoft', 'jest-sarif', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json');

function sandlua(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

interface JsonOutput { files: { path: string; diagnostics: { line: number; severity: string; code: string; message: string }[] }[] }

function summary(stdout: string): string[] {
  return (JSON.parse(stdout) as JsonOutput).files.flatMap((f) => f.diagnostics.map((d) => `${path.basename(f.path)}:${d.line} ${d.code} ${d.severity}`));
}

describe('sandlua check: severity per code and suppression comments', () => {
  before(() => assert.ok(fs.existsSync(cli), 'the CLI bundle is missing: run `npm run build` first'));

  it('leaves suppressed findings out of text and JSON; the exit code follows the rest', () => {
    const json = sandlua('check', plain, '--format', 'json');
    assert.equal(json.status, 1);
    assert.deepEqual(summary(json.stdout), ['script.lua:1 undefined-global error']);
    const text = sandlua('check', plain);
    assert.equal(text.status, 1);
    assert.doesNotMatch(text.stdout, /forbidden/);
    assert.match(text.stdout, /1 error, 0 warnings/);
  });

  it('honours every spelling of a suppression in text, JSON and SARIF, and hints at one that suppresses nothing', () => {
    const spellings = 'test/fixtures/severity/spellings';
    const json = sandlua('check', spellings, '--format', 'json');
    assert.deepEqual(summary(json.stdout), [
      'script.lua:7 undefined-global warning',
      'script.lua:10 unused-suppression hint',
      'script.lua:11 undefined-global warning',
    ]);
    const text = sandlua('check', spellings);
    assert.match(text.stdout, /script\.lua:7:7/);
    assert.doesNotMatch(text.stdout, /script\.lua:(2|3|5|9):/);
    const sarif = JSON.parse(sandlua('check', spellings, '--format', 'sarif').stdout) as { runs: { results: { ruleId: string; suppressions?: unknown[]; locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[] };
    const suppressed = sarif.runs[0].results.filter((r) => r.suppressions !== undefined).map((r) => r.locations[0].physicalLocation.region.startLine);
    assert.deepEqual(suppressed, [2, 3, 5, 9], 'disable-next-line, disable-line, a disable … enable region and ---@diagnostic');
  });

  it('--severity changes a code (repeatable), and off removes it', () => {
    const warning = sandlua('check', plain, '--format', 'json', '--severity', 'undefined-global=warning');
    assert.equal(warning.status, 0, 'warnings alone exit with 0');
    assert.deepEqual(summary(warning.stdout), ['script.lua:1 undefined-global warning']);
    assert.equal(sandlua('check', plain, '--severity', 'undefined-global=warning', '--max-warnings', '0').status, 1);
    const off = sandlua('check', plain, '--severity', 'undefined-global=off', '--severity', 'forbidden=error');
    assert.equal(off.status, 0);
    assert.match(off.stdout, /no problems/);
  });

  it("applies the contract's map, under --severity; its unknown codes are warnings on the contract", () => {
    const run = sandlua('check', mapped, '--format', 'json');
    assert.equal(run.status, 0, run.stdout);
    assert.deepEqual(summary(run.stdout), [
      'script.lua:1 undefined-global warning',
      "sandlua.json:3 manifest warning",
    ]);
    assert.match(run.stdout, /unknown diagnostic code 'undefined-globl' in severity \(did you mean 'undefined-global'\?\)/);
    const flag = sandlua('check', mapped, '--format', 'json', '--severity', 'undefined-global=error');
    assert.equal(flag.status, 1);
    assert.deepEqual(summary(flag.stdout)[0], 'script.lua:1 undefined-global error');
  });

  it('refuses an unknown code or level with exit 2 and a message that names it', () => {
    const code = sandlua('check', plain, '--severity', 'undefined-globl=off');
    assert.equal(code.status, 2);
    assert.match(code.stderr, /--severity: unknown code 'undefined-globl'; did you mean 'undefined-global'\?/);
    const level = sandlua('check', plain, '--severity', 'forbidden=fatal');
    assert.equal(level.status, 2);
    assert.match(level.stderr, /--severity: unknown level 'fatal' for forbidden/);
    const shape = sandlua('check', plain, '--severity', 'forbidden');
    assert.equal(shape.status, 2);
    assert.match(shape.stderr, /--severity expects CODE=LEVEL, got 'forbidden'/);
    assert.equal(sandlua('check', plain, '--severity', 'syntax=off').status, 2);
  });

  it('reports suppressed findings in SARIF with suppressions inSource, and the new codes as rules', () => {
    const run = sandlua('check', plain, '--format', 'sarif');
    assert.equal(run.status, 1);
    const log = JSON.parse(run.stdout) as { runs: { tool: { driver: { rules: { id: string; defaultConfiguration: { level: string } }[] } }; results: { ruleId: string; level: string; suppressions?: { kind: string }[]; fixes?: { description: { text: string } }[] }[] }[] };
    const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false, logger: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(fs.readFileSync(SARIF_SCHEMA, 'utf8')));
    assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
    const results = log.runs[0].results.map((r) => `${r.ruleId} ${r.level}${r.suppressions ? ' ' + JSON.stringify(r.suppressions) : ''}`);
    assert.deepEqual(results, ['undefined-global error', 'forbidden error [{"kind":"inSource"}]']);
    assert.ok(log.runs[0].results.every((r) => !(r.fixes ?? []).some((f) => f.description.text.startsWith('Suppress'))), 'no suppression comment offered as a fix');
    const rules = new Map(log.runs[0].tool.driver.rules.map((r) => [r.id, r.defaultConfiguration.level]));
    for (const code of ['maybe-nil', 'type-mismatch', 'unknown-member', 'unused', 'shadowing', 'unreachable-code', 'assignment-count', 'for-direction', 'unused-suppression']) {
      assert.ok(rules.has(code), code);
    }
    assert.equal(rules.get('unused-suppression'), 'note');
    assert.equal(rules.get('unused'), 'warning');
  });

  it("the editor setting lists every code but syntax and manifest, as the contract's schema does", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { properties: Record<string, { enum: string[] }> }> } } };
    const setting = manifest.contributes.configuration.properties['sandlua.severity'];
    const schema = JSON.parse(fs.readFileSync(path.join(root, 'schemas', 'sandlua.schema.json'), 'utf8')) as { properties: { severity: { properties: Record<string, unknown> } } };
    assert.deepEqual(Object.keys(setting.properties), Object.keys(schema.properties.severity.properties));
    assert.ok(Object.keys(setting.properties).includes('unused-suppression') && !Object.keys(setting.properties).includes('syntax'));
    for (const [code, p] of Object.entries(setting.properties)) {
      assert.deepEqual(p.enum, ['error', 'warning', 'information', 'hint', 'off']);
      assert.equal((p as { description?: string }).description, (schema.properties.severity.properties[code] as { description?: string }).description, `${code}: the setting and the schema say the same`);
    }
  });
});
