// A real editor against the language server: Debian's Neovim (0.7.2) headless, its built-in LSP
// client started on `sandlua lsp --stdio` (test/neovim/client.lua). Under CI=true a missing
// `nvim` fails the run (the test command installs it).
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assertContractFeatures, type NvimResult } from './neovim/result';

const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'server', 'dist', 'sandlua.js');

function haveNvim(): boolean {
  return spawnSync('nvim', ['--version']).status === 0;
}

type Seen = NvimResult['diagnostics'][number];
/** What client.lua reports when it also edits the buffer. */
interface EditingResult extends NvimResult {
  afterDelete: Seen[]; afterInsert: Seen[]; changes: { ranged: number; whole: number };
}

/** Runs test/neovim/client.lua on a script under the example contract; what Neovim saw. */
function runNvim(sync: 'incremental' | 'full'): EditingResult {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-nvim-'));
  try {
    fs.copyFileSync(path.join(root, 'examples', 'invoice-normalizer', 'sandlua.json'), path.join(ws, 'sandlua.json'));
    const script = path.join(ws, 'script.lua');
    fs.writeFileSync(script, 'os.execute("ls")\nlocal v = lookup_vendor_alias(input.vendor_name)\nprint(v:upper())\ntools.\n');
    const out = path.join(ws, 'out.json');
    const run = spawnSync('nvim', ['--headless', '-u', 'NONE', '-c', `luafile ${path.join(root, 'test', 'neovim', 'client.lua')}`], {
      env: { ...process.env, SANDLUA_CLI: cli, SANDLUA_WS: ws, SANDLUA_SCRIPT: script, SANDLUA_OUT: out, SANDLUA_SYNC: sync },
      encoding: 'utf8', timeout: 50000,
    });
    assert.ok(fs.existsSync(out), `no result from nvim: ${run.stderr || run.stdout}`);
    return JSON.parse(fs.readFileSync(out, 'utf8')) as EditingResult;
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
}

/** The diagnostics follow the edits: the first line deleted, then `os.execute("x")` typed on line 2. */
function assertFollowsEdits(result: EditingResult): void {
  const at = (list: Seen[]): string[] => list.map((d) => `${d.line} ${d.code}`).sort();
  assert.ok(!result.afterDelete.some((d) => d.code === 'forbidden'), JSON.stringify(result.afterDelete));
  assert.ok(at(result.afterDelete).includes('1 maybe-nil'), JSON.stringify(result.afterDelete));
  assert.ok(at(result.afterInsert).includes('2 forbidden'), JSON.stringify(result.afterInsert));
  assert.ok(at(result.afterInsert).includes('1 maybe-nil'), JSON.stringify(result.afterInsert));
}

describe('Neovim (built-in LSP client, headless)', function () {
  this.timeout(60000);

  beforeEach(function () {
    if (!haveNvim()) {
      if (process.env.CI === 'true') assert.fail('nvim is required in CI (apt-get install neovim)');
      this.skip();
    }
  });

  it('shows the checker\'s diagnostics (the inferred maybe-nil too), completes granted host functions and hovers with types', () => {
    const result = runNvim('incremental');
    assertContractFeatures(result);
    // What the runtime would fail on: `v` may be nil (the host function returns string?).
    const nil = result.diagnostics.find((d) => d.code === 'maybe-nil');
    assert.ok(nil, JSON.stringify(result.diagnostics));
    assert.equal(nil.line, 2);
    assert.match(nil.message, /^`v` may be nil \(lookup_vendor_alias returns string\?\)/);
    assert.match(result.typeHover ?? '', /local v: string\?/);
    // Edits sent as ranged changes, and the diagnostics follow them.
    assert.ok(result.changes.ranged > 0 && result.changes.whole === 0, JSON.stringify(result.changes));
    assertFollowsEdits(result);
  });

  it('follows edits sent as the whole text (allow_incremental_sync = false)', () => {
    const result = runNvim('full');
    assert.equal(result.error, undefined);
    assert.ok(result.diagnostics.some((d) => d.code === 'forbidden' && d.line === 0), JSON.stringify(result.diagnostics));
    assert.ok(result.changes.whole > 0 && result.changes.ranged === 0, JSON.stringify(result.changes));
    assertFollowsEdits(result);
  });
});
