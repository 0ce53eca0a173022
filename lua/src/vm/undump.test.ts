// The binary-chunk reader, on luac5.3's own output: field by field on a known program, byte for byte
// through dump.ts (undump then dump gives luac's bytes back), on stripped chunks and
// string.dump output, and on broken input (every truncation, every header byte, random damage),
// which must give an Error and never a hang or a crash. Chunks luac cannot be made to write
// (LOADKX, SETLIST with C = 0) are written here and listed by luac itself, which reads binary chunks.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { disassemble, normaliseAddresses } from '../compiler/disasm';
import { LFloat } from './number';
import { Op, encodeABC, encodeABx, encodeAx } from './proto';
import type { Constant, Proto } from './proto';
import { dump } from './dump';
import { undump } from './undump';

const FIXTURES = path.join(__dirname, '..', '..', 'test', 'disasm');

const found = new Map<string, boolean>();
/** Whether a reference program is installed; in CI a missing one fails the test that asks. */
function tool(name: string): boolean {
  let ok = found.get(name);
  if (ok === undefined) {
    const run = spawnSync(name, ['-v'], { encoding: 'latin1' });
    ok = !run.error;
    found.set(name, ok);
  }
  if (!ok && process.env.CI === 'true') throw new Error(`${name} is required in CI`);
  return ok;
}

let scratch: string | undefined;
function tempFile(name: string): string {
  scratch ??= fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-undump-'));
  return path.join(scratch, name);
}

/** luac5.3's binary chunk for `source`, compiled as file `name` in a scratch folder. */
function luacChunk(source: string, name = 'chunk.lua', strip = false): Uint8Array {
  const file = tempFile(name);
  fs.writeFileSync(file, source, 'latin1');
  const out = tempFile(name + '.luac');
  const run = spawnSync('luac5.3', [...(strip ? ['-s'] : []), '-o', out, name], { cwd: path.dirname(file), encoding: 'latin1' });
  assert.equal(run.status, 0, run.stderr);
  return new Uint8Array(fs.readFileSync(out));
}

/** `luac5.3 -l -l` of a binary chunk. */
function luacList(chunk: Uint8Array): string {
  const file = tempFile('listed.luac');
  fs.writeFileSync(file, chunk);
  const run = spawnSync('luac5.3', ['-l', '-l', '-p', file], { encoding: 'latin1' });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

// ---- a test-only writer of raw bytes, for chunks dump.ts would never write ----------------------

class Writer {
  private parts: number[] = [];
  byte(b: number): void { this.parts.push(b & 0xff); }
  bytes(s: string): void { for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i)); }
  int(v: number): void { for (let i = 0; i < 4; i++) this.byte(v >>> (8 * i)); }
  int64(v: bigint): void { for (let i = 0n; i < 8n; i++) this.byte(Number((BigInt.asUintN(64, v) >> (8n * i)) & 0xffn)); }
  double(x: number): void {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, x, true);
    for (let i = 0; i < 8; i++) this.byte(view.getUint8(i));
  }
  string(s: string | undefined): void {
    if (s === undefined) { this.byte(0); return; }
    if (s.length + 1 < 0xff) this.byte(s.length + 1);
    else { this.byte(0xff); this.int64(BigInt(s.length + 1)); }
    this.bytes(s);
  }
  result(): Uint8Array { return Uint8Array.from(this.parts); }
}

// ---- tests --------------------------------------------------------------------------------------

const SAMPLE = [
  'local x, y = 1, 2.5',
  'print("hi\\n\\0\\200", x + y, 2^63, 1e300, -0.0, 9007199254740993, 3.0, true, nil)',
  'local function f(a, ...) return a, ..., x end',
  `local long = "${'L'.repeat(300)}"`,
  'local cmp = x == true, y == nil',
  'return f(x)',
  '',
].join('\n');

function fixtureChunks(): { name: string; bytes: Uint8Array }[] {
  return fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.luac')).sort()
    .map((f) => ({ name: f, bytes: new Uint8Array(fs.readFileSync(path.join(FIXTURES, f))) }));
}

/** luac's chunks: compiled live when luac5.3 is here, the stored fixtures otherwise. */
function sampleChunks(): { name: string; bytes: Uint8Array }[] {
  const stored = fixtureChunks();
  if (!tool('luac5.3')) return stored;
  return [{ name: 'sample', bytes: luacChunk(SAMPLE) }, { name: 'sample stripped', bytes: luacChunk(SAMPLE, 'chunk.lua', true) }, ...stored];
}

describe('undump', () => {
  after(() => { if (scratch) fs.rmSync(scratch, { recursive: true, force: true }); });

  it('has stored luac chunks to read', () => {
    assert.ok(fixtureChunks().length >= 3);
  });

  it('reads every field of a luac chunk', function () {
    const bytes = tool('luac5.3') ? luacChunk(SAMPLE) : undefined;
    if (!bytes) {
      // Without luac, the stored fixture stands in: its shape is known too.
      const p = undump(fixtureChunks().find((c) => c.name === 'env.luac')!.bytes);
      assert.equal(p.source, '@env.lua');
      assert.equal(p.upvalues[0].name, '_ENV');
      return;
    }
    const p = undump(bytes);
    assert.equal(p.source, '@chunk.lua');
    assert.equal(p.lineDefined, 0);
    assert.equal(p.lastLineDefined, 0);
    assert.equal(p.numParams, 0);
    assert.equal(p.isVararg, true);
    assert.deepEqual(p.upvalues, [{ name: '_ENV', inStack: true, index: 0 }]);
    assert.equal(p.lineInfo.length, p.code.length);
    assert.equal(p.lineInfo[0], 1);
    assert.equal(p.lineInfo[p.code.length - 1], 6);
    assert.deepEqual(p.locVars.map((v) => v.name), ['x', 'y', 'f', 'long', 'cmp']);
    assert.equal(p.locVars[0].startPc, 2);
    assert.equal(p.locVars[0].endPc, p.code.length);
    const k = p.constants;
    assert.equal(k[0], 1);
    assert.equal(k[1], 2.5);
    assert.ok(k.includes('print'));
    assert.ok(k.includes('hi\n\0\xc8'), 'strings are byte strings');
    assert.ok(k.includes('L'.repeat(300)));
    assert.ok(k.includes(9007199254740993n), 'integers beyond 2^53 are bigints');
    assert.ok(k.some((c) => c instanceof LFloat && c.n === 2 ** 63), 'integral floats are LFloat');
    assert.ok(k.some((c) => c instanceof LFloat && c.n === 3), '3.0 stays a float');
    assert.ok(k.includes(true));
    assert.ok(k.includes(undefined));
    assert.equal(p.protos.length, 1);
    const f = p.protos[0];
    assert.equal(f.source, '@chunk.lua', 'nested functions reuse the parent source');
    assert.equal(f.lineDefined, 3);
    assert.equal(f.lastLineDefined, 3);
    assert.equal(f.numParams, 1);
    assert.equal(f.isVararg, true);
    assert.deepEqual(f.upvalues, [{ name: 'x', inStack: true, index: 0 }]);
    assert.deepEqual(f.locVars, [{ name: 'a', startPc: 0, endPc: f.code.length }]);
    assert.equal(f.code[f.code.length - 1] & 0x3f, Op.RETURN);
  });

  it('reads stripped chunks: no source, lines or names', function () {
    const bytes = tool('luac5.3') ? luacChunk(SAMPLE, 'chunk.lua', true) : dump(undump(fixtureChunks()[0].bytes), true);
    const p = undump(bytes);
    assert.equal(p.source, '=?');
    assert.equal(p.lineInfo.length, 0);
    assert.equal(p.locVars.length, 0);
    assert.equal(p.upvalues[0].name, '');
    assert.equal(p.protos[0].source, '=?');
    assert.ok(p.code.length > 0);
  });

  it('gives back the exact bytes through the writer', () => {
    for (const { name, bytes } of sampleChunks()) {
      const stripped = name.includes('stripped');
      assert.deepEqual(dump(undump(bytes), stripped), bytes, name);
    }
  });

  it('reads string.dump output of lua5.3', function () {
    if (!tool('lua5.3')) {
      assert.ok(undump(fixtureChunks()[0].bytes).code.length > 0);
      return;
    }
    const run = spawnSync('lua5.3', ['-e', 'io.write(string.dump(function(a, b) local c = a .. b; return c, 7 end))'], { encoding: 'latin1' });
    assert.equal(run.status, 0, run.stderr);
    const p = undump(Uint8Array.from(run.stdout, (ch) => ch.charCodeAt(0)));
    assert.equal(p.source, '=(command line)');
    assert.equal(p.numParams, 2);
    assert.equal(p.isVararg, false);
    assert.deepEqual(p.constants, [7]);
    assert.deepEqual(p.locVars.map((v) => v.name), ['a', 'b', 'c']);
  });

  it('lists a chunk loaded from a string as luac does: (string)', function () {
    if (!tool('lua5.3') || !tool('luac5.3')) {
      const p = undump(dump({ ...undump(fixtureChunks()[0].bytes), source: 'return 1' }));
      assert.match(disassemble(p), /^\nmain <\(string\):0,0>/);
      return;
    }
    const run = spawnSync('lua5.3', ['-e', 'io.write(string.dump(load("local a = ... return function() return a end")))'], { encoding: 'latin1' });
    assert.equal(run.status, 0, run.stderr);
    const bytes = Uint8Array.from(run.stdout, (ch) => ch.charCodeAt(0));
    const ours = disassemble(undump(bytes));
    assert.match(ours, /^\nmain <\(string\):0,0>/);
    assert.equal(normaliseAddresses(ours), normaliseAddresses(luacList(bytes)));
  });

  it('rejects every truncation with a clear message', () => {
    const bytes = sampleChunks()[0].bytes;
    for (let n = 0; n < bytes.length; n++) {
      assert.throws(() => undump(bytes.subarray(0, n), 'x.luac'), (e: Error) => {
        // The first byte checked is the signature, so a 0-byte chunk is also "truncated".
        assert.match(e.message, /^x\.luac: truncated precompiled chunk$/, `prefix ${n}: ${e.message}`);
        return true;
      });
    }
  });

  it('rejects bad headers and trailing bytes', () => {
    const bytes = sampleChunks()[0].bytes;
    const damaged = (at: number, value: number): Uint8Array => {
      const copy = bytes.slice();
      copy[at] = value;
      return copy;
    };
    const cases: [Uint8Array, RegExp][] = [
      [damaged(0, 0x1c), /not a precompiled chunk/],
      [damaged(3, 0x62), /not a precompiled chunk/],
      [damaged(4, 0x52), /version mismatch/],
      [damaged(5, 1), /format mismatch/],
      [damaged(7, 0), /corrupted/],
      [damaged(12, 2), /int size mismatch/],
      [damaged(13, 2), /size_t size mismatch/],
      [damaged(14, 8), /Instruction size mismatch/],
      [damaged(15, 4), /lua_Integer size mismatch/],
      [damaged(16, 4), /lua_Number size mismatch/],
      [damaged(17, 0x79), /endianness mismatch/],
      [damaged(32, 0x41), /float format mismatch/],
      [Uint8Array.from([...bytes, 0]), /bytes after the main function/],
      [new TextEncoder().encode('print("source, not a chunk")'), /not a precompiled chunk/],
    ];
    for (const [input, message] of cases) assert.throws(() => undump(input), message);
  });

  it('survives random damage: an Error or a Proto, never a crash or a hang', () => {
    const chunks = sampleChunks();
    let seed = 12345;
    const next = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    let errors = 0;
    for (let round = 0; round < 3000; round++) {
      const base = chunks[round % chunks.length].bytes;
      const copy = base.slice();
      const hits = 1 + (next() % 4);
      // Past the header, where the damage reaches counts, sizes and tags.
      for (let h = 0; h < hits; h++) copy[33 + (next() % (copy.length - 33))] = next() & 0xff;
      try {
        undump(copy);
      } catch (e) {
        assert.ok(e instanceof Error);
        assert.match(e.message, /precompiled chunk/, e.message);
        errors++;
      }
    }
    assert.ok(errors > 0);
  });

  it('rejects absurd nesting without overflowing the stack', () => {
    // A function whose only child is itself, 100000 levels deep: each level is 21 bytes.
    const w = new Writer();
    w.bytes('\x1bLua\x53\x00\x19\x93\r\n\x1a\n\x04\x08\x04\x08\x08');
    w.int64(0x5678n); w.double(370.5); w.byte(0);
    for (let i = 0; i < 100000; i++) {
      w.byte(0); w.int(0); w.int(0); w.byte(0); w.byte(0); w.byte(2); w.int(0); w.int(0); w.int(0); w.int(1);
    }
    assert.throws(() => undump(w.result()), /nested too deeply/);
  });

  // Chunks luac never writes for small programs, listed by luac itself from the bytes we write.
  const crafted: { name: string; proto: () => Proto }[] = [
    {
      name: 'LOADKX and EXTRAARG',
      proto: () => base([
        encodeABx(Op.LOADKX, 0, 0), encodeAx(Op.EXTRAARG, 1),
        encodeABC(Op.RETURN, 0, 1, 0),
      ], ['k0', 1.5]),
    },
    {
      name: 'SETLIST with C = 0 and C >= 256',
      proto: () => base([
        encodeABC(Op.NEWTABLE, 0, 0, 0), encodeABC(Op.SETLIST, 0, 1, 0), encodeAx(Op.EXTRAARG, 600),
        encodeABC(Op.SETLIST, 0, 1, 300), encodeABC(Op.RETURN, 0, 1, 0),
      ], []),
    },
  ];
  function base(code: number[], constants: Constant[]): Proto {
    return {
      source: '@crafted.lua', lineDefined: 0, lastLineDefined: 0, numParams: 0, isVararg: true, maxStackSize: 2,
      code: Uint32Array.from(code), lineInfo: Int32Array.from(code.map((_, i) => i + 1)), constants,
      upvalues: [{ name: '_ENV', inStack: true, index: 0 }], protos: [], locVars: [], tier: undefined, hotness: 0,
    };
  }
  for (const c of crafted) {
    it(`lists a crafted chunk as luac does: ${c.name}`, function () {
      const bytes = dump(c.proto());
      const ours = disassemble(undump(bytes));
      if (!tool('luac5.3')) {
        assert.match(ours, /^\nmain <crafted\.lua:0,0>/);
        return;
      }
      assert.equal(normaliseAddresses(ours), normaliseAddresses(luacList(bytes)));
    });
  }
});
