// The stress case: n sandboxes at once in one process, one in five hostile (loops, pattern bombs,
// uncharged-work loops, memory bombs, caught limits, host-call floods), the rest ordinary scripts
// that wait on async host calls and compute from their own input. Every ordinary run must return
// its own correct output (no cross-talk, no `budget` from waiting behind the hostile ones), every
// hostile one must end with its kind.

// The third field marks those that hold the event loop on their own today (patterns/nested-lazy,
// uncharged/utf8-len): the small stress of the fast subset leaves them out.
const HOSTILE = [
  ['budget', 'while true do end'],
  ['budget', 'local s = string.rep("\\xc3\\xa9", 1 << 20) local n = 0 while true do n = n + utf8.len(s) end', 'holds'],
  ['budget', 'local s = string.rep("a", 5000) while true do s:find(".-.-.-.-b") end', 'holds'],
  ['memory', 'local s = "x" for i = 1, 30 do s = s .. s end return #s'],
  ['stack', 'local function f() return f() + 1 end for i = 1, 50 do pcall(f) end return 1'],
  ['budget', 'local n = 0 while true do n = n + lookup(n) end'],
];

const ORDINARY = `
local id, n = input.id, input.n
local a = lookup(id)
local parts = {}
for i = 1, n do parts[#parts + 1] = tostring(i * id) end
local b = lookup(id + 1)
local sum = 0
for i = 1, n do sum = sum + i end
return { id = id, value = a + b + sum, text = table.concat(parts, ","):sub(1, 40), mark = tostring(input.mark) }
`;

/** Runs the stress case with n sandboxes; returns the outcome, problems and figures. */
export async function stress(engine, n, limits, { onlyPassing = false, begin = async () => {} } = {}) {
  const hostile = HOSTILE.filter((h) => !onlyPassing || h[2] === undefined);
  const { Sandbox, parseManifest } = engine;
  const parsed = parseManifest(JSON.stringify({
    name: 'stress', scripts: ['*.lua'], limits,
    host: { lookup: { params: [{ name: 'id', type: 'integer' }], returns: 'integer' } },
  }), '/virtual/sandlua.json');
  if (!parsed.manifest) throw new Error(JSON.stringify(parsed.problems));
  // The host answers after a few milliseconds, in an order unrelated to the calls'.
  const lookup = (id) => new Promise((resolve) => setTimeout(() => resolve(id * 7), 1 + ((id * 7919) % 13)));
  // The host's own set-up is not measured: the contract's schemas compiled (the first one loads
  // the validator's code), then the event loop's gaps are measured from here.
  const warm = await new Sandbox({ manifest: parsed.manifest, host: { lookup } }).run('return lookup(1)', null);
  if (!warm.ok) throw new Error(`the stress contract's warm-up run failed: ${warm.error.message}`);
  await begin();
  const runs = [];
  for (let i = 0; i < n; i++) {
    const sandbox = new Sandbox({ manifest: parsed.manifest, host: { lookup } });
    if (i % 5 === 4) {
      const [kind, source] = hostile[Math.floor(i / 5) % hostile.length];
      runs.push({ hostile: true, expect: kind, start: performance.now(), promise: sandbox.run(source, null) });
    } else {
      const input = { id: i + 1, n: 200 + (i % 50), mark: `run-${i}` };
      const value = (i + 1) * 7 + (i + 2) * 7 + (input.n * (input.n + 1)) / 2;
      const text = Array.from({ length: input.n }, (_, k) => String((k + 1) * (i + 1))).join(',').slice(0, 40);
      runs.push({ hostile: false, expect: { id: i + 1, value, text, mark: input.mark }, start: performance.now(), promise: sandbox.run(ORDINARY, input) });
    }
  }
  const problems = [];
  let ordinaryMax = 0;
  let slowest = 0;
  let ordinaryOk = 0;
  let hostileOk = 0;
  await Promise.all(runs.map(async (run, i) => {
    const result = await run.promise;
    const ms = performance.now() - run.start;
    slowest = Math.max(slowest, ms);
    if (run.hostile) {
      const kind = result.ok ? 'ok' : result.error.kind;
      if (kind === run.expect) hostileOk++;
      else problems.push(`hostile run ${i} ended ${kind} (expected ${run.expect})${result.ok ? '' : ': ' + result.error.message.slice(0, 120)}`);
    } else {
      ordinaryMax = Math.max(ordinaryMax, ms);
      if (!result.ok) problems.push(`ordinary run ${i} failed: ${result.error.kind}: ${result.error.message.slice(0, 120)}`);
      else if (JSON.stringify(result.output) !== JSON.stringify(run.expect)) problems.push(`ordinary run ${i} returned ${JSON.stringify(result.output)}, expected ${JSON.stringify(run.expect)}`);
      else ordinaryOk++;
    }
  }));
  const ordinary = runs.filter((r) => !r.hostile).length;
  return {
    kind: problems.length === 0 ? 'ok' : 'runtime',
    problems: problems.slice(0, 5),
    // The ordinary runs' latency, from the call to the result: bound by their time limit. The
    // hostile ones end by their own limits, which count their own time only (waiting for the
    // thread does not count): sharing one thread with the others, they end later by the clock.
    wallMs: ordinaryMax,
    note: `${ordinaryOk}/${ordinary} ordinary right (slowest ${Math.round(ordinaryMax)} ms), ${hostileOk}/${n - ordinary} hostile as expected (slowest ${Math.round(slowest)} ms)`,
  };
}
