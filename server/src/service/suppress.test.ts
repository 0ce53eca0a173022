// The editor's view of suppression comments and severities: a suppressed finding is not published
// (nor offered fixes), the unused comment is a hint, and severities come from the settings over the
// contract's map over the code's own, `off` removing the finding and its quick fixes.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LanguageService } from './service';

describe('language service: suppression comments and severity per code', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-suppress-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const summary = (service: LanguageService, script: string): string[] =>
    service.diagnostics(script).map((d) => `${d.range.start.line + 1} ${d.code} ${d.severity}`);

  it('does not publish suppressed findings, publishes unused suppressions as hints', () => {
    fs.writeFileSync(path.join(dir, 'sandlua.json'), JSON.stringify({ name: 's' }));
    const script = path.join(dir, 'main.lua');
    const service = new LanguageService();
    service.open(script, '-- sandlua: disable-next-line undefined-global\nprint(a.b)\nprint(b.c) -- sandlua: disable-line forbidden\n', 1);
    assert.deepEqual(summary(service, script), ['3 undefined-global error', '3 unused-suppression hint']);
    // No quick fix for what is not shown; the suppression fix is offered but never preferred.
    const all = { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } };
    const actions = service.codeActions(script, all);
    assert.ok(!actions.some((a) => a.diagnostic?.range.start.line === 1), JSON.stringify(actions));
    const suppress = actions.find((a) => a.title === 'Suppress undefined-global on this line');
    assert.ok(suppress && suppress.isPreferred === false);
    assert.deepEqual(suppress.edits.map((e) => e.newText), ['-- sandlua: disable-next-line undefined-global\n']);
    assert.ok(actions.some((a) => a.title === 'Remove the suppression comment'));
  });

  it('honours every spelling: disable-next-line, disable-line, a disable … enable region, and ---@diagnostic', () => {
    fs.writeFileSync(path.join(dir, 'sandlua.json'), JSON.stringify({ name: 's' }));
    const script = path.join(dir, 'main.lua');
    const service = new LanguageService();
    service.open(script, [
      '-- sandlua: disable-next-line undefined-global',
      'print(a.b)',
      'print(b.c) -- sandlua: disable-line undefined-global',
      '-- sandlua: disable undefined-global',
      'print(c.d)',
      '-- sandlua: enable undefined-global',
      'print(d.e)',
      '---@diagnostic disable-next-line: undefined-global',
      'print(e.f)',
      '',
    ].join('\n'), 1);
    assert.deepEqual(summary(service, script), ['7 undefined-global error']);
  });

  it("applies the contract's severity map, and the settings over it", () => {
    fs.writeFileSync(path.join(dir, 'sandlua.json'), JSON.stringify({ name: 's', severity: { 'undefined-global': 'information', forbidden: 'off' } }));
    const script = path.join(dir, 'main.lua');
    const service = new LanguageService();
    service.open(script, 'print(a, os.execute)\n', 1);
    assert.deepEqual(summary(service, script), ['1 undefined-global information']);
    assert.ok(!service.codeActions(script, { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }).some((a) => a.diagnostic?.code === 'forbidden'));
    service.settings = { severity: { forbidden: 'warning', 'undefined-global': 'off' } };
    assert.deepEqual(summary(service, script), ['1 forbidden warning']);
    service.settings = { severity: { syntax: 'off' } };
    service.change(script, 'local = 1\n', 2);
    assert.deepEqual(summary(service, script), ['1 syntax error']);
  });
});
