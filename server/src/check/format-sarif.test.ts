// SARIF fixes: a fix that changes the contract is an artifactChange on sandlua.json (its path as
// the result lists it), beside the script's own fixes.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { check } from './check';
import { formatSarif } from './format-sarif';

describe('sarif: fixes that edit the contract', () => {
  it('puts the edit on sandlua.json, positioned in its text', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-sarif-'));
    try {
      fs.mkdirSync(path.join(dir, 'rules'));
      fs.writeFileSync(path.join(dir, 'rules', 'sandlua.json'), '{\n  "name": "s",\n  "stdlib": { "allow": ["os.time"] }\n}\n');
      fs.writeFileSync(path.join(dir, 'rules', 'a.lua'), 'return os.getenv("HOME")\n');
      const log = JSON.parse(formatSarif(check(['rules'], { cwd: dir }))) as { runs: { results: { ruleId: string; fixes?: unknown[] }[] }[] };
      const forbidden = log.runs[0].results.find((r) => r.ruleId === 'forbidden')!;
      assert.deepEqual(forbidden.fixes, [{
        description: { text: 'Grant `os.getenv` in sandlua.json' },
        artifactChanges: [{
          artifactLocation: { uri: 'rules/sandlua.json' },
          replacements: [{ deletedRegion: { startLine: 3, startColumn: 34, endLine: 3, endColumn: 34 }, insertedContent: { text: ', "os.getenv"' } }],
        }],
      }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
