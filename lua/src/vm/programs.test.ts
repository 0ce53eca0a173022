// The program corpus (lua/test/programs/*.lua) run on our engine and on lua5.3: stdout, stderr
// (message and traceback of an uncaught error) and exit status must be identical, addresses
// aside. Each program runs with luac5.3's bytecode (the VM alone) and, when the compiler is
// there, with ours. Under CI=true a missing lua5.3/luac5.3 fails the run instead of skipping it.

import { strict as assert } from 'assert';
import { existsSync, readdirSync } from 'fs';
import { join } from 'path';
import type { Compiler } from './state';
import { hasLuac, luacCompiler } from './luac';
import { hasLua53, maskAddresses, runOurs, runReference } from './testing/reference';

const PROGRAMS = join(__dirname, '..', '..', 'test', 'programs');

/** Our compiler, once lua/src/compiler/compile.ts exists. */
export function ourCompiler(): Compiler | undefined {
  const path = join(__dirname, '..', 'compiler', 'compile.js');
  if (!existsSync(path)) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path) as { luaCompiler?: Compiler };
  return mod.luaCompiler;
}

export function compilers(): [string, Compiler][] {
  const list: [string, Compiler][] = [['luac', luacCompiler]];
  const ours = ourCompiler();
  if (ours !== undefined) list.push(['compiler', ours]);
  return list;
}

describe('VM differential programs (lua5.3)', function () {
  this.timeout(120000);
  const available = hasLua53() && hasLuac();
  const files = readdirSync(PROGRAMS).filter((f) => f.endsWith('.lua')).sort();

  it('has the reference interpreter (required under CI)', function () {
    if (!available && process.env.CI !== 'true') this.skip();
    assert.ok(available, 'lua5.3 and luac5.3 must be installed');
  });

  it('has a corpus', () => {
    assert.ok(files.length >= 20, `only ${files.length} programs`);
  });

  for (const file of files) {
    for (const [label, compile] of compilers()) {
      it(`${file} (${label})`, function () {
        if (!available) {
          if (process.env.CI === 'true') assert.fail('lua5.3/luac5.3 missing');
          this.skip();
        }
        const path = join(PROGRAMS, file);
        const expected = runReference(path);
        const actual = runOurs(path, compile);
        assert.equal(maskAddresses(actual.stdout), maskAddresses(expected.stdout), 'stdout');
        assert.equal(maskAddresses(actual.stderr), maskAddresses(expected.stderr), 'stderr');
        assert.equal(actual.status, expected.status, 'exit status');
      });
    }
  }
});
