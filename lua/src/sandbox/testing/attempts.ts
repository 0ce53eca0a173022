// Escape attempts as data, and the one way they are checked: each runs in a sandbox and must end
// in its expected kind (or succeed with the expected output), in bounded time.
import { strict as assert } from 'assert';
import type { RunResult, Sandbox } from '../sandbox';

export interface Attempt {
  name: string;
  source: string;
  /** Expected error kind, or 'ok' with an optional check of the output. */
  expect: string;
  message?: RegExp;
  output?: unknown;
  box?: Sandbox;
}

/** Declares one mocha test per attempt; `after` checks what else must hold (nothing written outside, say). */
export function checkAttempts(attempts: readonly Attempt[], sandbox: Sandbox, after?: () => void): void {
  for (const attempt of attempts) {
    it(`${attempt.name} → ${attempt.expect}`, async () => {
      const started = Date.now();
      const result: RunResult = await (attempt.box ?? sandbox).run(attempt.source, null, { name: 'attempt.lua' });
      const elapsed = Date.now() - started;
      if (attempt.expect === 'ok') {
        assert.ok(result.ok, `failed: ${!result.ok ? JSON.stringify(result.error) : ''}`);
        if ('output' in attempt) assert.deepEqual(result.output, attempt.output);
      } else {
        assert.ok(!result.ok, `succeeded with ${JSON.stringify(result.ok ? result.output : undefined)}`);
        assert.equal(result.error.kind, attempt.expect, result.error.message);
        if (attempt.message) assert.match(result.error.message, attempt.message);
      }
      // Bounded: well within the contracts' limits (generous for a loaded CI machine).
      assert.ok(elapsed < 10000, `${elapsed} ms`);
      after?.();
    });
  }
}
