// The adversarial cases (issue 19): every `*.lua` file under a theme folder of test/adversarial/ is
// one case. Its leading comment says what it attacks and how it must end, one `@` line per setting:
//
//   -- What the script attacks (the first comment line is the case's description).
//   -- @expect budget            how the run must end: ok or an error kind; `a|b` when either is right
//   -- @contract {"stdlib": {"allow": ["load"]}}   JSON merged over the contract (limits key by key)
//   -- @input {"n": 3}           the run's input (JSON)
//   -- @stdin some text          the run's stdin
//   -- @host echo=echo           a host function (name=implementation in hosts.mjs); declared as
//                                `(...: any): any` unless @contract declares it
//   -- @output 3                 the output the run must return (JSON), when it ends ok
//   -- @generate sum 10000       source put before the file's own (generators in generate.mjs)
//   -- @mode replay|retention|isolation   (default run) — see scripts/adversarial.mjs
//   -- @tamper script-hash       replay mode: how the record is edited (tamper.mjs)
//   -- @runs 20                  retention mode: how many runs, each a different script
//   -- @known why it fails today the case is a known failure: reported apart, not counted as passed
//   -- @ci                       in the fast subset test/adversarial.test.ts runs
//
// Plain data only: the runner (scripts/adversarial.mjs) runs them.

import { readdirSync, readFileSync, statSync } from 'fs';
import { join, relative, dirname } from 'path';
import { fileURLToPath } from 'url';

export const CASES_DIR = dirname(fileURLToPath(import.meta.url));

/** The contract: 5M instructions, 3 s, 64 MB, depth 200, 1 MB output. */
export const DEFAULT_LIMITS = { instructions: 5_000_000, timeMs: 3000, memoryBytes: 64 * 1024 * 1024, callDepth: 200, outputBytes: 1024 * 1024 };

const KINDS = new Set(['ok', 'syntax', 'runtime', 'forbidden', 'budget', 'memory', 'stack', 'output', 'input', 'host', 'identical', 'diverged', 'same']);
const MODES = new Set(['run', 'replay', 'retention', 'isolation']);

/** Every case, sorted by name (`theme/file`). */
export function loadCases() {
  const cases = [];
  for (const theme of readdirSync(CASES_DIR).sort()) {
    const folder = join(CASES_DIR, theme);
    if (!statSync(folder).isDirectory()) continue;
    for (const file of readdirSync(folder).sort()) {
      if (file.endsWith('.lua')) cases.push(loadCase(join(folder, file)));
    }
  }
  return cases;
}

/** One case file, read and checked: a malformed header is an error naming the file and line. */
export function loadCase(path) {
  const text = readFileSync(path, 'utf8');
  const name = relative(CASES_DIR, path).replace(/\\/g, '/').replace(/\.lua$/, '');
  const c = { name, theme: name.split('/')[0], path, description: '', expect: [], contract: {}, input: null, stdin: undefined,
    hosts: {}, output: undefined, generate: undefined, mode: 'run', tamper: undefined, runs: 1, known: undefined, ci: false, source: '' };
  const lines = text.split('\n');
  let i = 0;
  for (; i < lines.length && lines[i].startsWith('--'); i++) {
    const line = lines[i].replace(/^--\s?/, '');
    const fail = (why) => { throw new Error(`${path}:${i + 1}: ${why}`); };
    const m = /^@(\w+)\s*(.*)$/.exec(line);
    if (!m) {
      if (!c.description) c.description = line.trim();
      continue;
    }
    const [, key, value] = m;
    const json = () => {
      try {
        return JSON.parse(value);
      } catch (e) {
        return fail(`@${key} is not JSON: ${e.message}`);
      }
    };
    switch (key) {
      case 'expect':
        c.expect = value.split('|').map((k) => k.trim());
        for (const k of c.expect) if (!KINDS.has(k)) fail(`unknown outcome '${k}'`);
        break;
      case 'contract': c.contract = json(); break;
      case 'input': c.input = json(); break;
      case 'stdin': c.stdin = value; break;
      case 'output': c.output = json(); break;
      case 'host': {
        const h = /^([\w.]+)=(\w+)$/.exec(value.trim());
        if (!h) fail('@host is name=implementation');
        c.hosts[h[1]] = h[2];
        break;
      }
      case 'generate': {
        const [gen, ...args] = value.trim().split(/\s+/);
        c.generate = { name: gen, args };
        break;
      }
      case 'mode':
        if (!MODES.has(value.trim())) fail(`unknown mode '${value}'`);
        c.mode = value.trim();
        break;
      case 'tamper': c.tamper = value.trim(); break;
      case 'runs': c.runs = Number(value); break;
      case 'known': c.known = value.trim() || 'known failure'; break;
      case 'ci': c.ci = true; break;
      default: fail(`unknown setting @${key}`);
    }
  }
  if (c.expect.length === 0) throw new Error(`${path}: no @expect`);
  if (c.mode === 'replay' && c.tamper === undefined) throw new Error(`${path}: replay mode needs @tamper`);
  c.source = lines.slice(i).join('\n');
  return c;
}

/** The case's contract as sandlua.json text: the limits, the case's overrides, its host functions declared. */
export function caseContract(c) {
  const over = c.contract;
  const host = { ...(over.host ?? {}) };
  for (const name of Object.keys(c.hosts)) {
    host[name] ??= { params: [{ name: '...', type: 'any' }], returns: 'any' };
  }
  return {
    name: 'adversarial',
    scripts: ['*.lua'],
    ...over,
    host,
    limits: { ...DEFAULT_LIMITS, ...(over.limits ?? {}) },
  };
}
