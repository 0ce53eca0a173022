// The fast subset of the adversarial suite (issue 19): the cases marked `@ci` in test/adversarial/
// (one or more per theme) and the stress case at 20 sandboxes, each in its own child process of
// scripts/adversarial.mjs, which measures them. Each case must end in its expected kind, with the
// host process alive and its memory back near the baseline, within its time limit and with the
// event loop never held long. `npm run adversarial` runs every case at the bounds; here the
// time bounds get a margin, since the CI machine is loaded.
import { strict as assert } from 'assert';
import { execFile, execFileSync } from 'child_process';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');
const runner = path.join(root, 'scripts', 'adversarial.mjs');

/** Margin over the bounds (timeMs + 100 ms, 50 ms of event-loop gap) on a loaded machine. */
const MARGIN_MS = 400;

interface CaseResult {
  name: string;
  expect: string;
  kind: string;
  wallMs?: number;
  limitMs: number;
  gapMs?: number;
  rssDeltaMb?: number;
  exit: number | string;
  problems: string[];
  known?: string;
}

const listed = JSON.parse(execFileSync(process.execPath, [runner, '--ci', '--list'], { cwd: root, encoding: 'utf8' })) as { name: string; known?: string }[];

describe('adversarial suite (fast subset)', function () {
  this.timeout(120_000);
  let results: Map<string, CaseResult>;

  before(async () => {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [runner, '--ci', '--json'], { cwd: root, maxBuffer: 16 * 1024 * 1024 }, (error, out, err) => {
        // Exit 1 means a case failed: the cases' own assertions below say which.
        if (error && error.code !== 1) reject(new Error(`${error.message}\n${err}`));
        else resolve(out);
      });
    });
    results = new Map((JSON.parse(stdout) as CaseResult[]).map((r) => [r.name, r]));
  });

  it('holds at least one case per theme, none of them a known failure', () => {
    const themes = new Set(listed.map((c) => c.name.split('/')[0]));
    for (const theme of ['patterns', 'ropes', 'uncharged', 'caught', 'membomb', 'boundary', 'compiler', 'retention', 'host', 'audit', 'stress']) {
      assert.ok(themes.has(theme), `no fast case for ${theme}`);
    }
    assert.deepEqual(listed.filter((c) => c.known !== undefined).map((c) => c.name), []);
  });

  for (const { name } of listed) {
    it(name, () => {
      const r = results.get(name);
      assert.ok(r, `no result for ${name}`);
      assert.equal(r.exit, 0, `the host process died: ${r.problems.join('; ')}`);
      assert.ok(r.expect.split('|').includes(r.kind), `ended ${r.kind}, expected ${r.expect}: ${r.problems.join('; ')}`);
      assert.ok(r.wallMs !== undefined && r.wallMs <= r.limitMs + MARGIN_MS, `took ${r.wallMs} ms (limit ${r.limitMs})`);
      assert.ok(r.gapMs !== undefined && r.gapMs <= 50 + MARGIN_MS / 2, `event loop held ${r.gapMs} ms`);
      assert.ok(r.rssDeltaMb !== undefined && r.rssDeltaMb <= 48, `RSS ${r.rssDeltaMb} MB above the baseline after the run`);
      // Anything else the runner found (a wrong output, the stress case's wrong answers).
      const others = r.problems.filter((p) => !/^(took|event loop held) /.test(p));
      assert.deepEqual(others, []);
    });
  }
});
