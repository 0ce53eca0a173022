// The V8 flags the analysing commands set (v8-flags.ts) are ones this Node knows: V8 takes an unknown
// flag with a complaint on stderr and nothing else, so a Node that renamed one would silently lose
// what it was for. The commands still start and answer with them set.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { ANALYSIS_V8_FLAGS } from './v8-flags';

const CLI = path.join(__dirname, '..', 'dist', 'sandlua.js');

describe('V8 flags of the analysing commands', () => {
  it('are known to this Node and taken without a complaint', () => {
    const options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8', maxBuffer: 1 << 24 }).stdout;
    for (const flag of ANALYSIS_V8_FLAGS) {
      const name = flag.replace(/^--/, '').replace(/=.*$/, '');
      assert.ok(options.includes(`--${name} `), `${name} is not among this Node's V8 flags`);
      const set = spawnSync(process.execPath, ['-e', `require('v8').setFlagsFromString(${JSON.stringify(flag)})`], { encoding: 'utf8' });
      assert.equal(set.status, 0);
      assert.equal(set.stderr, '', `setting ${flag}`);
    }
  });

  it('leave `check` working and silent on stderr', function () {
    this.timeout(30_000);
    const example = path.join(__dirname, '..', '..', 'examples', 'invoice-normalizer');
    const run = spawnSync(process.execPath, [CLI, 'check', example, '--format', 'json'], { encoding: 'utf8', env: { ...process.env, SANDLUA_CODE_CACHE: '0' } });
    assert.equal(run.stderr, '');
    assert.equal(run.status, 0, run.stdout);
    assert.equal((JSON.parse(run.stdout) as { files: unknown[] }).files.length > 0, true);
  });
});
