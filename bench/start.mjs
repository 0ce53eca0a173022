// `npm run bench:start`: how long a `sandlua` command takes from process start to exit, beside
// `node -e 0` (the floor every Node program pays) and `lua5.3 -e ''`. Each command runs on one
// small script under a small contract (input and output schemas, a host function), from the
// repository's bundle (server/dist) and from the installable package's bundle (packages/sandlua,
// which loads the engine from @sandlua/lua). Rounds are interleaved so that every command sees the
// same load; prints the median of each and our part (the median minus `node -e 0`'s), in wall
// time and, where /usr/bin/time exists, in CPU time (user + system), which a loaded machine
// disturbs less, and in page faults (first touches of memory, the same at every round; on the
// project's machines one costs 2-16 us, and they are much of a start). Asserts nothing.
// `-- --rounds N` changes the number of rounds (default 15); `-- --base DIR` also times the
// bundle built in DIR (another checkout, e.g. the previous release), in the same interleaved rounds.
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'fs';
import { tmpdir, availableParallelism, loadavg } from 'os';
import { join, dirname } from 'path';
import { fileURLToPath } from 'url';
import { performance } from 'perf_hooks';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const roundsAt = process.argv.indexOf('--rounds');
const ROUNDS = roundsAt > 0 ? Math.max(1, Number(process.argv[roundsAt + 1])) : 15;

const dir = mkdtempSync(join(tmpdir(), 'sandlua-bench-start-'));
writeFileSync(join(dir, 'sandlua.json'), JSON.stringify({
  name: 'start',
  purpose: 'Start-up benchmark.',
  scripts: ['*.lua'],
  input: { type: 'object', properties: { n: { type: 'integer' }, code: { type: 'string', pattern: '^[A-Z]{3}$' } }, required: ['n'] },
  output: { type: 'object', properties: { total: { type: 'integer' } }, required: ['total'], additionalProperties: false },
  host: { lookup: { params: [{ name: 'key', type: 'string' }], returns: 'integer', examples: [{ args: ['a'], returns: 1 }] } },
  limits: { instructions: 100000, timeMs: 1000, memoryBytes: 8000000 },
}, null, 2));
writeFileSync(join(dir, 'small.lua'), 'local total = input.n + lookup("a")\nreturn { total = total }\n');

const baseAt = process.argv.indexOf('--base');
const bundles = [
  ['bundle', join(root, 'server/dist/sandlua.js')],
  ['package', join(root, 'packages/sandlua/bin/sandlua.js')],
  ...(baseAt > 0 ? [['base', join(process.argv[baseAt + 1], 'server/dist/sandlua.js')]] : []),
];
const commands = [
  ['node -e 0', process.execPath, ['-e', '0']],
  ["lua5.3 -e ''", 'lua5.3', ['-e', '']],
];
for (const [where, file] of bundles) {
  commands.push(
    [`${where}: --version`, process.execPath, [file, '--version']],
    [`${where}: run`, process.execPath, [file, 'run', 'small.lua', '--input', '{"n":41}']],
    [`${where}: check`, process.execPath, [file, 'check', 'small.lua']],
  );
}
// The same without V8's code cache of the parts (server/src/code-cache.ts), to show what it saves.
commands.push(
  ['bundle: run, no cache', process.execPath, [bundles[0][1], 'run', 'small.lua', '--input', '{"n":41}'], { SANDLUA_CODE_CACHE: '0' }],
  ['bundle: check, no cache', process.execPath, [bundles[0][1], 'check', 'small.lua'], { SANDLUA_CODE_CACHE: '0' }],
);

// Node reads the certificates NODE_EXTRA_CA_CERTS names at every start, before any of our code
// (~40 ms on the project's machines, where it is set): the floor without them, for comparison.
if (process.env.NODE_EXTRA_CA_CERTS) commands.push(['node -e 0, no NODE_EXTRA_CA_CERTS', process.execPath, ['-e', '0'], { NODE_EXTRA_CA_CERTS: '' }]);
const reference = (name) => name.startsWith('node ') || name.startsWith('lua5.3');

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const times = commands.map(() => []);
const cpu = commands.map(() => []);
const faults = commands.map(() => []);
const status = commands.map(() => undefined);
// Each round starts one command further down the list: a process started right after another
// ends can be slower (measured once: the same command in two copies, always run in the same order,
// 110 and 142 ms medians), so every command takes every place in turn rather than always the same one.
for (let round = 0; round < ROUNDS; round++) {
  commands.forEach((_, place) => {
    const i = (place + round) % commands.length;
    const [, command, args, env] = commands[i];
    const options = { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } };
    const t0 = performance.now();
    const run = TIME ? spawnSync(TIME, ['-f', '\n%U %S %R', command, ...args], options) : spawnSync(command, args, options);
    times[i].push(performance.now() - t0);
    if (TIME) {
      const [user, system, minor] = run.stderr.trimEnd().split('\n').pop().split(' ').map(Number);
      cpu[i].push((user + system) * 1000);
      faults[i].push(minor);
    }
    const stderr = TIME ? run.stderr.trimEnd().split('\n').slice(0, -1).join('\n') : run.stderr;
    status[i] = run.error ? run.error.message : run.status === 0 ? 'ok' : `exit ${run.status}: ${(stderr || run.stdout).trim().split('\n')[0]}`;
  });
}
rmSync(dir, { recursive: true, force: true });

const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const floor = median(times[0]);
const cpuFloor = TIME ? median(cpu[0]) : 0;
const faultFloor = TIME ? median(faults[0]) : 0;
console.log(`start-up of one command, median of ${ROUNDS} (${availableParallelism()} cores, load ${loadavg()[0].toFixed(2)}, node ${process.version})\n`);
const ms = (value) => `${value.toFixed(1).padStart(6)} ms`;
console.log(`${'command'.padEnd(24)} ${'wall'.padStart(9)} ${'ours'.padStart(9)}${TIME ? ` ${'cpu'.padStart(9)} ${'ours'.padStart(9)} ${'faults'.padStart(7)} ${'ours'.padStart(6)}` : ''}`);
commands.forEach(([name], i) => {
  const wall = median(times[i]);
  let line = `${name.padEnd(24)} ${ms(wall)} ${(!reference(name) ? ms(wall - floor) : '').padStart(9)}`;
  if (TIME) line += ` ${ms(median(cpu[i]))} ${(!reference(name) ? ms(median(cpu[i]) - cpuFloor) : '').padStart(9)} ${String(median(faults[i])).padStart(7)} ${(!reference(name) ? String(median(faults[i]) - faultFloor) : '').padStart(6)}`;
  console.log(`${line}  ${status[i]}`);
});
console.log(`\n"ours" is the median minus node -e 0's: what loading and running our code adds (cpu: at 10 ms resolution; faults: minor page faults).`);
