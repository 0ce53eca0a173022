// `npm run bench:dap`: what the debugger costs. Prints figures; asserts nothing.
//   - a CPU-bound script run plainly in a Sandbox and under the debug runtime with no
//     breakpoints (target: at most 1.5x), and with a breakpoint that is never hit
//   - the time a line step and an instruction step take to stop again on a 10,000-line script
//     (target: under 10 ms)
import { createRequire } from 'module';
import { join, dirname } from 'path';
import { fileURLToPath } from 'url';
import { performance } from 'perf_hooks';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { Sandbox, parseManifest } = require(join(root, 'lua/out/index.js'));
const { DebugRuntime } = require(join(root, 'debugger/out/runtime.js'));

const manifest = parseManifest(JSON.stringify({ name: 'bench', scripts: ['*.lua'], limits: { instructions: 1e12, timeMs: 600000 } }), '/bench/sandlua.json').manifest;

const CPU = `local function never()
  return 0
end
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
local t = {}
for i = 1, 200000 do t[#t + 1] = i % 7 end
local s = 0
for _, v in ipairs(t) do s = s + v end
return fib(24) + s`;

async function plain() {
  const t0 = performance.now();
  const r = await new Sandbox({ manifest }).run(CPU, null, { name: '/bench/cpu.lua' });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return performance.now() - t0;
}

function debugged(breakpointLines, source = CPU, program = '/bench/cpu.lua') {
  return new Promise((resolve, reject) => {
    let t0;
    const rt = new DebugRuntime({
      stopped: () => reject(new Error('unexpected stop')),
      output: () => {},
      ended: (r) => (r.ok ? resolve(performance.now() - t0) : reject(new Error(JSON.stringify(r.error)))),
    });
    rt.launch({ program, source, manifest, input: null, stopOnEntry: false });
    rt.setBreakpoints(breakpointLines.map((line) => ({ line })));
    t0 = performance.now();
    rt.start();
  });
}

function best(xs) { return Math.min(...xs); }

// Warm up.
for (let i = 0; i < 2; i++) { await plain(); await debugged([]); }
const plainMs = [], debugMs = [], bpMs = [];
for (let i = 0; i < 5; i++) {
  plainMs.push(await plain());
  debugMs.push(await debugged([]));
  bpMs.push(await debugged([2]));
}

// A 10,000-line script: step latency at its start and in its middle.
const lines = ['local acc = 0'];
for (let i = 1; lines.length < 9999; i++) lines.push(`acc = acc + ${i} -- line ${lines.length + 1}`);
lines.push('return acc');
const big = lines.join('\n');

function stepLatency(granularity, breakLine) {
  return new Promise((resolve) => {
    const times = [];
    let t0 = 0;
    let stops = 0;
    const rt = new DebugRuntime({
      stopped: () => {
        stops++;
        if (stops > 1) times.push(performance.now() - t0);
        if (stops > 21) { rt.terminate(); resolve(times); return; }
        t0 = performance.now();
        setImmediate(() => rt.stepping('over', granularity));
      },
      output: () => {},
      ended: () => resolve(times),
    });
    rt.launch({ program: '/bench/big.lua', source: big, manifest, input: null, stopOnEntry: breakLine === undefined });
    if (breakLine !== undefined) rt.setBreakpoints([{ line: breakLine }]);
    rt.start();
  });
}

const lineSteps = await stepLatency('line', 5000);
const instructionSteps = await stepLatency('instruction', 5000);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];

const row = (label, value, target) => console.log(`${label.padEnd(52)} ${value.padStart(12)}   ${target}`);
console.log('debug adapter benchmark (debug runtime in process; best of 5)\n');
row('CPU-bound script, plain Sandbox run', `${best(plainMs).toFixed(1)} ms`, '');
row('same under the debugger, no breakpoints', `${best(debugMs).toFixed(1)} ms`, `${(best(debugMs) / best(plainMs)).toFixed(2)}x (target <= 1.5x)`);
row('same with a breakpoint that is never hit', `${best(bpMs).toFixed(1)} ms`, `${(best(bpMs) / best(plainMs)).toFixed(2)}x`);
row('line step on a 10,000-line script (median, p95)', `${median(lineSteps).toFixed(2)} ms`, `p95 ${p95(lineSteps).toFixed(2)} ms (target < 10 ms)`);
row('instruction step on it (median, p95)', `${median(instructionSteps).toFixed(2)} ms`, `p95 ${p95(instructionSteps).toFixed(2)} ms (target < 10 ms)`);
