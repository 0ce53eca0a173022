// The corpus check's fast form (scripts/corpus-check.mjs; the full form runs over fetched projects
// with `npm run corpus`): real-world Lua that a fresh machine installs — Debian's pure-Lua packages
// listed in scripts/corpus-debian.txt (scripts/test.sh installs them) — and the repository's own
// examples, checked under a permissive contract and run under lua5.3. The assertion: no error
// finding on a line that lua5.3 ran without error (outside the contract's verdicts by design). The
// counts per code go to the test log. The runner itself is checked first on a fixture whose lines'
// fates are known.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');
const runner = path.join(root, 'scripts', 'corpus-cover.lua');

interface Finding { file: string; line: number; column: number; severity: string; code: string; message: string; why?: string }
interface CorpusResult {
  files: number;
  compiled: number;
  runs: number;
  runStatuses: Record<string, number>;
  filesWithLinesThatRan: number;
  linesThatRan: number;
  counts: { code: string; severity: string; total: number; onLinesThatRan: number }[];
  falsePositives: Finding[];
  byDesign: Finding[];
  missedSyntax: string[];
}

function requireTool(command: string, args: string[]): void {
  const run = spawnSync(command, args, { encoding: 'utf8' });
  // Never skipped: the tools are part of the test setup (scripts/test.sh installs them).
  if (run.error || run.status !== 0) assert.fail(`${command} is required (scripts/test.sh installs it: apt-get install lua5.3)`);
}

describe('corpus check (real-world Lua against lua5.3)', function () {
  this.timeout(300_000);

  before(() => {
    requireTool('lua5.3', ['-v']);
    requireTool('luac5.3', ['-v']);
  });

  it('the runner records the lines a run executed and the lines errors passed through, caught or not', () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-cover-'));
    try {
      const out = path.join(scratch, 'report.json');
      spawnSync('lua5.3', [runner, out, '10', '', 'run', 'test/fixtures/corpus/cover.lua'], { cwd: root, stdio: 'ignore' });
      const report = JSON.parse(fs.readFileSync(out, 'latin1')) as { status: string; error: string; executed: Record<string, number[]>; raised: Record<string, number[]> };
      const source = 'test/fixtures/corpus/cover.lua';
      assert.equal(report.status, 'error');
      assert.match(report.error, /cover\.lua:13: attempt to index a nil value/);
      // Line 15 is after the uncaught error; 12's `then` branch is on the same line, not counted apart.
      assert.deepEqual(report.executed[source], [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
      // 2: error() inside pcall; 6: a runtime error in a coroutine; 13 and 14: the uncaught error
      // and its caller. Not 3 (the pcall that caught it) nor 9 (the resume that caught it).
      assert.deepEqual(report.raised[source], [2, 6, 13, 14]);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('no error finding on a line that lua5.3 ran without error (Debian packages and examples/)', () => {
    const run = spawnSync(process.execPath, [path.join(root, 'scripts', 'corpus-check.mjs'), '--json', '--cap', '5', '--debian', 'examples'], {
      cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
    });
    assert.equal(run.stderr, '', 'the corpus check failed to run');
    const result = JSON.parse(run.stdout) as CorpusResult;
    const rel = (f: Finding): string => `${f.file.startsWith(root + path.sep) ? path.relative(root, f.file) : f.file}:${f.line}:${f.column}`;
    const log = [
      `corpus: ${result.files} files, ${result.compiled} accepted by luac5.3 -p; ${result.runs} runs (${Object.entries(result.runStatuses).map(([s, n]) => `${s} ${n}`).join(', ')});`,
      `${result.filesWithLinesThatRan} files with lines that ran without error, ${result.linesThatRan} lines`,
      ...result.counts.map((c) => `  ${c.code.padEnd(20)} ${c.severity.padEnd(12)} ${String(c.total).padStart(5)} (on lines that ran: ${c.onLinesThatRan})`),
      `errors by design on lines that ran: ${result.byDesign.length}`,
      ...result.byDesign.map((f) => `  ${rel(f)} ${f.code} ${f.message}`),
      `false positives: ${result.falsePositives.length}`,
      ...result.falsePositives.map((f) => `  ${rel(f)} ${f.code} ${f.message} (${f.why})`),
    ];
    console.log(log.map((l) => `      ${l}`).join('\n'));
    // The run must have run real code, or the assertion below says nothing.
    assert.ok(result.files > 150, `only ${result.files} files in the corpus`);
    assert.ok(result.filesWithLinesThatRan > result.files / 2, `only ${result.filesWithLinesThatRan} of ${result.files} files ran`);
    assert.deepEqual(result.missedSyntax, [], 'files luac5.3 rejects without a syntax finding');
    assert.deepEqual(result.falsePositives.map((f) => `${rel(f)} ${f.code} ${f.message}`), [], 'error findings on lines that lua5.3 ran without error');
  });
});
