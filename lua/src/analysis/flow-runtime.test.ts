// The flow analysis against the runtime on generated scripts: locals and fields that are nil or
// integers, set from `or`/`and` expressions and from a function that may return nil, conditions
// that narrow them or tell nothing of them (comparisons, calls), `if`/`elseif`/`else`, and `for`,
// `while` and `repeat` loops (with `break`) nested two deep. Each script runs in a plain LuaState
// for several inputs, with a line hook that notes the lines it runs. Every failure the runtime
// raises must be flagged on its line (maybe-nil or type-mismatch): arithmetic, concatenation, `#`,
// indexing and order comparisons of nil, or of a number where one cannot go; and a line where the
// checker says an operation certainly fails (type-mismatch) must fail each time a run reaches it.
// Both held on thousands of scripts. Before, an `if` whose condition tells nothing let its
// branch's assignments reach the other branch, a loop in a loop forgot what its assigned locals
// held, a table changed late in a loop became unknown, and comparisons were not checked.
import { strict as assert } from 'assert';
import { LuaState } from '../vm/state';
import { LuaTable } from '../vm/table';
import { analyzeScript } from './checker';

const LOCALS = ['a', 'b', 'c'];
const VARS = [...LOCALS, 't.x', 't.y'];

/** A script of the fragment from a seed (a linear congruential generator: the same seed, the same script). */
function generate(seed: number): string {
  let state = seed;
  const rnd = (k: number): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return Math.floor(state / 65536) % k;
  };
  const pick = <T>(xs: T[]): T => xs[rnd(xs.length)];
  const cond = (): string => {
    switch (rnd(9)) {
      case 0: return `n > ${rnd(5)}`;
      case 1: return `n == ${rnd(5)}`;
      case 2: return `${pick(VARS)} ~= nil`;
      case 3: return `${pick(VARS)} == nil`;
      case 4: return pick(VARS);
      case 5: return `not ${pick(VARS)}`;
      case 6: return `${pick(VARS)} and n < ${rnd(5)}`;
      case 7: return `n < ${rnd(5)} or ${pick(VARS)}`;
      default: return 'even(n)';
    }
  };
  const lines = [
    'local n = ...', 'local function use(v) return v end', 'local function even(v) return v % 2 == 0 end',
    'local function maybe(v) if v > 2 then return 5 end end', 'local t = {}',
  ];
  for (const v of LOCALS) lines.push(`local ${v} = ${rnd(2) ? 'nil' : rnd(9)}`);
  // Depth counts blocks; loops only at depths 0 and 1 (two nested at most).
  const block = (depth: number, indent: number): void => {
    for (let i = 1 + rnd(3); i > 0; i--) statement(depth, indent);
  };
  const statement = (depth: number, indent: number): void => {
    const pad = '  '.repeat(indent);
    const r = rnd(depth >= 3 ? 3 : depth >= 2 ? 5 : 7);
    if (r === 0) {
      const v = pick(VARS);
      const value = [() => 'nil', () => `${pick(VARS)} or ${rnd(9)}`, () => `${pick(VARS)} and ${rnd(9)}`, () => 'maybe(n)', () => pick(VARS), () => String(rnd(9))][rnd(6)]();
      lines.push(`${pad}${v} = ${value}`);
    }
    else if (r <= 2) {
      const v = pick(VARS);
      lines.push(`${pad}use(${[`${v} + 1`, `${v} .. "s"`, `#${v}`, `${v}.f`, `${v} < 3`][rnd(5)]})`);
    }
    else if (r <= 4) {
      lines.push(`${pad}if ${cond()} then`);
      block(depth + 1, indent + 1);
      if (rnd(2)) {
        lines.push(`${pad}elseif ${cond()} then`);
        block(depth + 1, indent + 1);
      }
      if (rnd(2)) {
        lines.push(`${pad}else`);
        block(depth + 1, indent + 1);
      }
      lines.push(`${pad}end`);
    } else if (r === 5 && rnd(2)) {
      lines.push(`${pad}for i = 1, ${rnd(3)} do`);
      block(depth + 1, indent + 1);
      if (rnd(3) === 0) lines.push(`${pad}  if ${cond()} then break end`);
      lines.push(`${pad}end`);
    } else if (r === 5) {
      const k = `r${depth}`;
      lines.push(`${pad}local ${k} = ${rnd(3)}`, `${pad}repeat`);
      block(depth + 1, indent + 1);
      lines.push(`${pad}  ${k} = ${k} - 1`, `${pad}until ${k} <= 0 or ${cond()}`);
    } else {
      const k = `k${depth}`;
      lines.push(`${pad}local ${k} = ${rnd(3)}`, `${pad}while ${k} > 0 and ${cond()} do`);
      block(depth + 1, indent + 1);
      lines.push(`${pad}  ${k} = ${k} - 1`, `${pad}end`);
    }
  };
  block(0, 0);
  lines.push('return 1');
  return lines.join('\n') + '\n';
}

describe('flow analysis against the runtime (generated scripts)', function () {
  this.timeout(60000);

  it('flags every such failure the runtime raises, and claims a certain failure only where each run fails', () => {
    let failures = 0;
    let certain = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const source = generate(seed);
      const lineOf = (offset: number): number => source.slice(0, offset).split('\n').length;
      const findings = analyzeScript(source, 'f.lua', undefined, { ungoverned: 'lint' }).findings;
      const flagged = new Set(findings.filter((f) => f.code === 'maybe-nil' || f.code === 'type-mismatch').map((f) => lineOf(f.start)));
      const definite = new Set(findings.filter((f) => f.code === 'type-mismatch').map((f) => lineOf(f.start)));
      // The hook goes on line 1 of what runs, so that lines keep their numbers (the analysis sees no debug library).
      const traced = source.replace('local n = ...', 'local n = ... debug.sethook(function(_, line) SEEN[line] = true end, "l")');
      for (let n = 0; n <= 5; n++) {
        const state = new LuaState();
        const seen = new LuaTable();
        state.globals.set('SEEN', seen);
        state.vm.setBudget(1_000_000);
        let failedAt: number | undefined;
        try {
          state.run(traced, '=f.lua', [n]);
        } catch (e) {
          const m = /^f\.lua:(\d+): attempt to (perform arithmetic on|concatenate|get length of|index|compare)/.exec((e as Error).message);
          if (m) failedAt = Number(m[1]);
          else assert.match((e as Error).message, /instruction budget/, `seed ${seed}, n = ${n}`);
        }
        if (failedAt !== undefined) {
          failures++;
          assert.ok(flagged.has(failedAt), `seed ${seed}, n = ${n}: the run fails on line ${failedAt}, which the checker does not flag\n${source}`);
        }
        for (const line of definite) {
          if (seen.get(line) !== true) continue;
          certain++;
          assert.equal(failedAt, line, `seed ${seed}, n = ${n}: line ${line} certainly fails to the checker, yet the run went past it\n${source}`);
        }
      }
    }
    // Not vacuous: many runs fail, and many reach a line claimed certainly nil.
    assert.ok(failures > 300 && certain > 100, `${failures} failing runs, ${certain} runs reaching a certain claim`);
  });
});
