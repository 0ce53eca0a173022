// The parser against Debian's `luac5.3 -p`: over the corpus and a few hundred seeded generated
// programs (valid ones, mutated and truncated ones, some at Lua's limits, random bytes) both must
// accept or reject alike, and for a rejected program our first error must be luac's, message and
// line (`firstError.line`: the line Lua prints). SYNTAX_SEED=n explores other programs.
// In CI (`CI=true`) a missing luac5.3 fails these tests instead of skipping them.

import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, ParseResult } from './parser';
import { readCorpus } from './testing/corpus';
import { LuacResult, luacAvailable, luacFiles } from './testing/luac';
import {
  deepProgram, garbage, gotoProgram, manyLocals, manyTargets, mutate, numeralFuzz, stringFuzz, validProgram,
} from './testing/programs';
import { Random } from './testing/random';

const SEED = Number(process.env.SYNTAX_SEED ?? 20240531);

interface Program {
  name: string;
  bytes: Uint8Array;
}

/** How our verdict differs from luac's, or undefined when they agree. */
function difference(ours: ParseResult, luac: LuacResult): string | undefined {
  const first = ours.firstError;
  if (!first) return luac.ok ? undefined : `luac rejects (${luac.raw}), we accept`;
  if (luac.ok) return `luac accepts, we reject: ${first.line}: ${first.message}`;
  if (luac.line !== first.line || luac.message !== first.message) {
    return `luac: ${luac.line}: ${luac.message}\n      ours: ${first.line}: ${first.message}`;
  }
  return undefined;
}

/** Compares every program with luac in `dir`; returns the counts and the differences. */
async function compare(dir: string, programs: Program[]): Promise<{ accepted: number; rejected: number; differences: string[] }> {
  const ours = new Map<string, ParseResult>();
  for (const p of programs) ours.set(p.name, parse(p.bytes, { name: p.name }));
  const verdicts = await luacFiles(dir, programs.map((p) => p.name), (name) => !ours.get(name)!.firstError);
  let accepted = 0;
  const differences: string[] = [];
  for (const p of programs) {
    const luac = verdicts.get(p.name)!;
    if (luac.ok) accepted++;
    const diff = difference(ours.get(p.name)!, luac);
    if (diff) {
      const excerpt = Buffer.from(p.bytes.slice(0, 300)).toString('latin1');
      differences.push(`${p.name}: ${diff}\n      source: ${JSON.stringify(excerpt)}`);
    }
  }
  return { accepted, rejected: programs.length - accepted, differences };
}

describe('parser against luac5.3 -p', function () {
  let dir = '';
  const tally: string[] = [];

  before(function () {
    if (!luacAvailable()) return this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-syntax-'));
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    // eslint-disable-next-line no-console
    if (tally.length > 0) console.log(`      luac5.3 agreement (seed ${SEED}): ${tally.join('; ')}`);
  });

  /** Writes the programs of one kind and checks them; every one must agree with luac. */
  async function check(kind: string, programs: Program[], expectAllAccepted = false): Promise<void> {
    const sub = path.join(dir, kind);
    fs.mkdirSync(sub);
    for (const p of programs) fs.writeFileSync(path.join(sub, p.name), p.bytes);
    const { accepted, rejected, differences } = await compare(sub, programs);
    tally.push(`${kind} ${programs.length - differences.length}/${programs.length} (${accepted} accepted, ${rejected} rejected)`);
    assert.deepEqual(differences, []);
    if (expectAllAccepted) assert.equal(rejected, 0, `luac rejected some ${kind} programs: the generator is wrong`);
  }

  function generated(kind: string, count: number, make: (r: Random) => string | Uint8Array): Program[] {
    const r = new Random(SEED ^ [...kind].reduce((h, c) => Math.imul(h, 31) + c.charCodeAt(0), 7));
    return Array.from({ length: count }, (_, i) => {
      const made = make(r);
      return { name: `${kind}${i}.lua`, bytes: typeof made === 'string' ? new Uint8Array(Buffer.from(made, 'utf8')) : made };
    });
  }

  it('the accepted corpus: luac accepts every program', async () => {
    await check('accept', readCorpus('accept').map((f) => ({ name: f.name, bytes: f.bytes })), true);
  });

  it('the rejected corpus: same first message and line as luac', async () => {
    const files = readCorpus('reject');
    await check('reject', files.map((f) => ({ name: f.name, bytes: f.bytes })));
  });

  it('generated valid programs: both accept them', async () => {
    await check('valid', generated('valid', 150, validProgram), true);
  });

  it('generated programs with tokens or characters deleted, inserted, swapped, or cut short', async () => {
    await check('mutated', generated('mutated', 200, (r) => mutate(r, validProgram(r))));
  });

  it('every 17th prefix of a real program', async () => {
    const real = readCorpus('accept').find((f) => f.name === 'realistic-module.lua')!.bytes;
    const programs: Program[] = [];
    for (let n = 0; n < real.length; n += 17) programs.push({ name: `prefix${n}.lua`, bytes: real.slice(0, n) });
    await check('prefix', programs);
  });

  it('programs nested near the limit of 200 C levels', async () => {
    await check('deep', generated('deep', 40, deepProgram));
  });

  it('functions near the limit of 200 locals, assignments near the C-level limit', async () => {
    await check('locals', generated('locals', 25, manyLocals));
    await check('targets', generated('targets', 15, manyTargets));
  });

  it('random gotos, labels and breaks in nested blocks, loops and functions', async () => {
    await check('goto', generated('goto', 100, gotoProgram));
  });

  it('numeral-like and string-like fuzz (malformed numbers, escapes)', async () => {
    await check('numeral', generated('numeral', 40, numeralFuzz));
    await check('string', generated('string', 40, stringFuzz));
  });

  it('random bytes', async () => {
    await check('garbage', generated('garbage', 60, garbage));
  });
});
