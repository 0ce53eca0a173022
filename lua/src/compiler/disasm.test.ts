// The listing must equal `luac5.3 -l -l` byte for byte once pointers are normalised. Stored
// fixtures (lua/test/disasm: X.lua, luac's X.luac and X.listing) are checked everywhere; where
// luac5.3 is installed (always in CI) the fixtures are checked to be current and every Lua file of
// the repository is compiled and listed live. `UPDATE_EXPECT=1` rewrites the stored files.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { undump } from '../vm/undump';
import { constantText, disassemble, disassembleInstructions, normaliseAddresses } from './disasm';
import { LFloat } from '../vm/number';

const ROOT = path.join(__dirname, '..', '..', '..');
const FIXTURES = path.join(ROOT, 'lua', 'test', 'disasm');

let installed: boolean | undefined;
/** Whether luac5.3 is installed; in CI a missing one fails the test that asks. */
function haveLuac(): boolean {
  installed ??= !spawnSync('luac5.3', ['-v'], { encoding: 'latin1' }).error;
  if (!installed && process.env.CI === 'true') throw new Error('luac5.3 is required in CI');
  return installed;
}

interface Listed { chunk: Uint8Array; listing: string; short: string }

let scratch: string | undefined;

/**
 * luac's chunk and listings for a file, compiled from its own folder in one run (`-l -l -o`);
 * undefined when luac rejects the file. The `-l` listing is the `-l -l` one without its tables.
 */
function luac(file: string): Listed | undefined {
  scratch ??= fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-disasm-'));
  const out = path.join(scratch, 'out.luac');
  const run = spawnSync('luac5.3', ['-l', '-l', '-o', out, path.basename(file)], { cwd: path.dirname(file), encoding: 'latin1', maxBuffer: 1 << 28 });
  if (run.status !== 0) return undefined;
  const listing = run.stdout;
  const short = listing.replace(/^constants \(\d+\) for [^\n]*\n(?:\t[^\n]*\n)*locals \(\d+\) for [^\n]*\n(?:\t[^\n]*\n)*upvalues \(\d+\) for [^\n]*\n(?:\t[^\n]*\n)*/gm, '');
  return { chunk: new Uint8Array(fs.readFileSync(out)), listing, short };
}

function luaFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.lua')) out.push(full);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

/** Fails with the first differing line, which says more than a 300-line string diff. */
function assertSameListing(ours: string, theirs: string, what: string): void {
  const a = normaliseAddresses(ours);
  const b = normaliseAddresses(theirs);
  if (a === b) return;
  const x = a.split('\n');
  const y = b.split('\n');
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  assert.fail(`${what}: listings differ at line ${i + 1}\n  ours: ${JSON.stringify(x[i])}\n  luac: ${JSON.stringify(y[i])}`);
}

const fixtureSources = luaFiles(FIXTURES).filter((f) => path.dirname(f) === FIXTURES);

describe('disassemble (luac -l -l)', () => {
  after(() => { if (scratch) fs.rmSync(scratch, { recursive: true, force: true }); });

  if (process.env.UPDATE_EXPECT === '1') {
    it('rewrites the stored luac outputs', () => {
      assert.ok(haveLuac(), 'UPDATE_EXPECT needs luac5.3');
      for (const file of fixtureSources) {
        const listed = luac(file);
        assert.ok(listed, `luac5.3 rejects ${file}`);
        const { chunk, listing } = listed;
        fs.writeFileSync(file.replace(/\.lua$/, '.luac'), chunk);
        fs.writeFileSync(file.replace(/\.lua$/, '.listing'), listing, 'latin1');
      }
      assert.ok(fixtureSources.length > 0);
    });
  }

  it('has fixtures', () => {
    assert.ok(fixtureSources.length >= 3);
  });

  for (const file of fixtureSources) {
    const name = path.basename(file);
    it(`lists the stored luac chunk of ${name} as luac does`, () => {
      const chunk = new Uint8Array(fs.readFileSync(file.replace(/\.lua$/, '.luac')));
      const listing = fs.readFileSync(file.replace(/\.lua$/, '.listing'), 'latin1');
      assertSameListing(disassemble(undump(chunk)), listing, name);
    });
  }

  it('has stored luac outputs that are current', function () {
    if (!haveLuac()) {
      // Without luac: at least every fixture has both stored outputs.
      for (const file of fixtureSources) assert.ok(fs.existsSync(file.replace(/\.lua$/, '.listing')), file);
      return;
    }
    for (const file of fixtureSources) {
      const listed = luac(file);
      assert.ok(listed, `luac5.3 rejects ${file}`);
      const { chunk, listing } = listed;
      assert.deepEqual(new Uint8Array(fs.readFileSync(file.replace(/\.lua$/, '.luac'))), chunk, `${file}: run with UPDATE_EXPECT=1`);
      assert.equal(normaliseAddresses(fs.readFileSync(file.replace(/\.lua$/, '.listing'), 'latin1')), normaliseAddresses(listing), file);
    }
  });

  it('lists every Lua file of the repository as luac does (-l -l and -l)', function () {
    const files = [
      ...luaFiles(path.join(ROOT, 'lua', 'test')),
      ...luaFiles(path.join(ROOT, 'examples')),
      ...luaFiles(path.join(ROOT, 'test', 'fixtures')),
    ];
    let compared = 0;
    for (const file of files) {
      if (!haveLuac()) break;
      // Files with syntax errors (parser and CLI fixtures) have no chunk to list.
      const listed = luac(file);
      if (!listed) continue;
      const { chunk, listing, short } = listed;
      const proto = undump(chunk);
      assertSameListing(disassemble(proto), listing, file);
      assertSameListing(disassemble(proto, { full: false }), short, file + ' (-l)');
      compared++;
    }
    if (haveLuac()) assert.ok(compared >= 10, `only ${compared} files compared`);
    else assert.ok(fixtureSources.length > 0); // the stored fixtures above stand in
  });

  it('gives the structured form the text is printed from', () => {
    const proto = undump(new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'ops.luac'))));
    const rows = disassembleInstructions(proto);
    assert.equal(rows.length, proto.code.length);
    assert.deepEqual(rows.map((r) => r.pc), [...proto.code.keys()]);
    const text = disassemble(proto, { full: false });
    const lines = text.split('\n').filter((l) => l.startsWith('\t'));
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      assert.equal(lines[i], `\t${r.pc + 1}\t[${r.line}]\t${r.opcode.padEnd(9)}\t${r.operands}${r.comment ? '\t; ' + r.comment : ''}`);
    }
    const global = rows.find((r) => r.opcode === 'SETTABUP');
    assert.ok(global);
    assert.equal(global.comment, '_ENV "g1"');
    const closure = rows.find((r) => r.opcode === 'CLOSURE');
    assert.ok(closure);
    assert.equal(closure.comment, '0x00000002', 'pre-order pseudo-address of the first child');
  });

  it('prints constants as luac does', () => {
    assert.equal(constantText(undefined), 'nil');
    assert.equal(constantText(true), 'true');
    assert.equal(constantText(3), '3');
    assert.equal(constantText(new LFloat(3)), '3.0');
    assert.equal(constantText(new LFloat(-0)), '-0.0');
    assert.equal(constantText(0.1), '0.1');
    assert.equal(constantText(Infinity), 'inf');
    assert.equal(constantText(-Infinity), '-inf');
    assert.equal(constantText(new LFloat(2 ** 63)), '9.2233720368548e+18');
    assert.equal(constantText(-9223372036854775808n), '-9223372036854775808');
    assert.equal(constantText('a"b\\c\n\x00\x7f\xff'), '"a\\"b\\\\c\\n\\000\\127\\255"');
  });

  it('uses the caller\'s addresses when given', () => {
    const proto = undump(new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'env.luac'))));
    const names = new Map([[proto, 'MAIN'], [proto.protos[0], 'F']]);
    const text = disassemble(proto, { address: (p) => names.get(p) ?? '?' });
    assert.match(text, /\(\d+ instructions at MAIN\)/);
    assert.match(text, /CLOSURE  \t\d+ 0\t; F\n/);
    assert.match(text, /constants \(\d+\) for F:/);
  });
});
