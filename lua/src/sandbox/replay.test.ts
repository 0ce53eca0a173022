// Replay verifies its record, and the host bridge is charged: tampered audit records (hashes,
// output, input, an extra host call, clock readings that are not numbers) are `host` errors that
// say what differs; converting host arguments and results counts against the budget; arguments
// are kept only for an audit record, and only so much.
import { strict as assert } from 'assert';
import { parseManifest } from '../contract/manifest';
import type { Contract } from '../contract/manifest';
import { Sandbox, MAX_AUDIT_CALLS, type RunResult } from './sandbox';
import { canonicalJson, sha256, type AuditRecord } from './audit';
import { systemClock, type Clock } from '../stdlib/os';

function contract(json: Record<string, unknown>): Contract {
  const result = parseManifest(JSON.stringify({ name: 'replay', scripts: ['*.lua'], ...json }), '/virtual/sandlua.json');
  assert.ok(result.manifest, JSON.stringify(result.problems));
  return result.manifest;
}

function diverges(result: RunResult, message: RegExp): void {
  assert.ok(!result.ok, `expected a divergence, got ${JSON.stringify(result).slice(0, 300)}`);
  assert.equal(result.error.kind, 'host');
  assert.match(result.error.message, /^replay diverged: /);
  assert.match(result.error.message, message);
}

describe('sandbox: replay verifies its record', function () {
  this.timeout(20000);
  const manifest = contract({
    host: { quote: { params: [{ name: 'item', type: 'string' }], returns: 'number' } },
    stdlib: { allow: ['os.time', 'os.clock'] },
  });
  let price = 10;
  const sandbox = new Sandbox({ manifest, host: { quote: () => price++ } });
  const script = 'print("total", quote(input.item)) return {total = quote("b"), t = os.time(), r = math.random(1000)}';
  let record: AuditRecord;

  before(async () => {
    const first = await sandbox.run(script, { item: 'a' }, { name: 'order.lua', audit: true });
    assert.ok(first.ok && first.audit, JSON.stringify(first));
    record = JSON.parse(JSON.stringify(first.audit)) as AuditRecord;
  });

  /** A copy of the record, changed by `edit`. */
  function tampered(edit: (r: AuditRecord) => void): AuditRecord {
    const copy = JSON.parse(JSON.stringify(record)) as AuditRecord;
    edit(copy);
    return copy;
  }

  it('an untouched record replays to the same outcome', async () => {
    assert.match(record.outputSha256 ?? '', /^[0-9a-f]{64}$/);
    const again = await sandbox.replay(record);
    assert.ok(again.ok, JSON.stringify(again));
    assert.deepEqual(again.output, record.output);
  });

  it('refuses a script that is not the one its hash names', async () => {
    diverges(await sandbox.replay(tampered((r) => { r.script.source = r.script.source.replace('"b"', '"c"'); })), /script\.sha256 is not the hash of its script \(order\.lua\)/);
  });

  it('refuses an input that is not the one its hash names', async () => {
    diverges(await sandbox.replay(tampered((r) => { r.input = { item: 'z' }; })), /inputSha256 is not the hash of its input/);
  });

  it('refuses an output that is not the one its hash names', async () => {
    diverges(await sandbox.replay(tampered((r) => { (r.output as Record<string, number>).total = 99; })), /outputSha256 is not the hash of its output/);
  });

  it('finds an output edited with its hash: the replay makes another', async () => {
    diverges(await sandbox.replay(tampered((r) => {
      (r.output as Record<string, number>).total = 99;
      r.outputSha256 = sha256(canonicalJson(r.output));
    })), /the output differs from the record's/);
  });

  it('finds what the script wrote edited', async () => {
    diverges(await sandbox.replay(tampered((r) => { r.stdout = 'total\t1000000\n'; })), /what the script wrote to stdout differs/);
  });

  it('finds a recorded host call the script did not make', async () => {
    diverges(await sandbox.replay(tampered((r) => { r.hostCalls.push({ name: 'quote', args: ['x'], result: 1, ms: 0 }); })), /1 host call the script did not make \(the first: quote, call 3\)/);
  });

  it('refuses clock readings that are not numbers', async () => {
    diverges(await sandbox.replay(tampered((r) => { (r.clock.now as unknown[])[0] = '2024-01-01'; })), /clock\.now\[0\] is "2024-01-01", not a number/);
    diverges(await sandbox.replay(tampered((r) => { (r.clock as unknown as Record<string, unknown>).cpu = 'fast'; })), /clock\.cpu is not a list/);
  });

  it('replays the time zone the run saw, its name (%Z) included, on a host in another zone', async () => {
    const dated = contract({ stdlib: { allow: ['os.date'] } });
    const zone = (offset: number, name: string): Clock => ({ ...systemClock, now: () => 1e12, timezoneOffset: () => offset, timezoneName: () => name });
    const here = await new Sandbox({ manifest: dated, clock: zone(-90, 'XST') }).run('return os.date("%H:%M %z %Z")', null, { audit: true });
    assert.ok(here.ok && here.audit, JSON.stringify(here));
    assert.equal(here.output, '03:16 +0130 XST');
    assert.deepEqual(here.audit.clock.timezoneName, ['XST']);
    const elsewhere = new Sandbox({ manifest: dated, clock: zone(300, 'EST') });
    const again = await elsewhere.replay(JSON.parse(JSON.stringify(here.audit)) as AuditRecord);
    assert.ok(again.ok, JSON.stringify(again));
    assert.equal(again.output, '03:16 +0130 XST');
    // A record of an older version has no names: the replay names the zone it runs in.
    const older = JSON.parse(JSON.stringify(here.audit)) as AuditRecord;
    delete older.clock.timezoneName;
    diverges(await elsewhere.replay(older), /output/);
    diverges(await elsewhere.replay({ ...older, clock: { ...older.clock, timezoneName: [5] as unknown as string[] } }), /clock\.timezoneName\[0\] is 5, not a name/);
  });

  it('refuses host calls that are not host calls, and a seed that is not a number', async () => {
    diverges(await sandbox.replay(tampered((r) => { (r.hostCalls as unknown[])[1] = 'quote'; })), /hostCalls\[1\] is not a host call/);
    diverges(await sandbox.replay(tampered((r) => { (r as unknown as Record<string, unknown>).randomSeed = '7'; })), /randomSeed is not a number/);
  });

  it('a record edited consistently (script, output and both hashes together) replays as identical: hashes alone prove no origin', async () => {
    const forged = tampered((r) => {
      r.script.source = r.script.source.replace('total = quote("b")', 'total = 99 + 0 * quote("b")');
      r.script.sha256 = sha256(r.script.source);
      (r.output as Record<string, number>).total = 99;
      r.outputSha256 = sha256(canonicalJson(r.output));
    });
    const again = await sandbox.replay(forged);
    assert.ok(again.ok, JSON.stringify(again));
    assert.equal((again.output as Record<string, number>).total, 99);
  });
});

describe('sandbox: the host bridge is charged and bounded', function () {
  this.timeout(20000);
  const manifestHost = { sum: { params: [{ name: 'items', type: 'number[]' }], returns: 'number' }, many: { params: [{ name: 'n', type: 'integer' }], returns: 'integer[]' } };
  const manifest = contract({ host: manifestHost, limits: { instructions: 50_000_000, timeMs: 10000, memoryBytes: 256 * 1024 * 1024 } });
  const host = {
    sum: (items: unknown) => (items as number[]).length,
    many: (n: unknown) => Array.from({ length: n as number }, (_, i) => i),
  };

  /** The instructions a run counted (library work and conversions included). */
  async function counted(sandbox: Sandbox, source: string): Promise<number> {
    const result = await sandbox.run(source, null);
    assert.ok(result.ok, JSON.stringify(result).slice(0, 300));
    return result.stats.instructions;
  }

  it('charges converting a 1M-element argument to the budget', async () => {
    const sandbox = new Sandbox({ manifest, host });
    // 999,990 numbers: just under MAX_VALUES (1M) with the table itself.
    const build = 'local t = {} for i = 1, 999990 do t[i] = i end ';
    const building = await counted(sandbox, build + 'return #t');
    const handed = await counted(sandbox, build + 'return sum(t)') - building;
    assert.ok(handed >= 999_990, `handing over 1M values counted ${handed} instructions`);
    // And a budget that building the table fits in, but handing it over does not, ends the run there.
    const tight = new Sandbox({ manifest: contract({ host: manifestHost, limits: { instructions: building + 500_000, timeMs: 5000, memoryBytes: 256 * 1024 * 1024 } }), host });
    const result = await tight.run(build + 'return sum(t)', null);
    assert.ok(!result.ok && result.error.kind === 'budget', JSON.stringify(result).slice(0, 300));
  });

  it('charges converting a large result to the budget', async () => {
    const sandbox = new Sandbox({ manifest, host });
    const received = await counted(sandbox, 'return #many(999990)') - await counted(sandbox, 'return #many(1)');
    assert.ok(received >= 999_990, `receiving 1M values counted ${received} instructions`);
  });

  it('keeps host-call arguments only for an audit record', async () => {
    const sandbox = new Sandbox({ manifest, host });
    const plain = await sandbox.run('return sum({1, 2})', null);
    assert.ok(plain.ok && plain.audit === undefined);
    const audited = await sandbox.run('return sum({1, 2})', null, { audit: true });
    assert.ok(audited.ok);
    assert.deepEqual(audited.audit?.hostCalls.map((c) => c.args), [[[1, 2]]]);
  });

  it(`fails with \`host\` when an audit record would keep more than ${MAX_AUDIT_CALLS} bytes of host calls`, async () => {
    const big = contract({ host: { echo: { params: [{ name: 's', type: 'string' }], returns: 'integer' } }, limits: { instructions: 50_000_000, timeMs: 10000, memoryBytes: 256 * 1024 * 1024 } });
    const sandbox = new Sandbox({ manifest: big, host: { echo: (s: unknown) => (s as string).length } });
    const script = 'local s = string.rep("x", 1 << 20) local n = 0 for i = 1, 40 do n = n + echo(s) end return n';
    const audited = await sandbox.run(script, null, { audit: true });
    assert.ok(!audited.ok && audited.error.kind === 'host', JSON.stringify(audited).slice(0, 300));
    assert.match(audited.error.message, /the audit record cannot keep the arguments and results of echo/);
    // Without a record, nothing is kept and the run succeeds.
    const plain = await sandbox.run(script, null);
    assert.deepEqual(plain.ok && plain.output, 40 << 20);
  });
});
