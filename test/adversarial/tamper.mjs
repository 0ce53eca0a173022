// Edits of an audit record for the replay cases (`-- @mode replay`, `-- @tamper NAME`). The case's
// script ran with an audit record; the record is edited as an attacker (or a careless tool) would,
// then replayed: the replay must not report it identical (`@expect diverged`). `none` is the
// control: an untouched record replays identical.

const sha = '0'.repeat(64);

export const tampers = {
  none: () => undefined,
  /** The script's hash replaced; source and output left. */
  'script-hash': (r) => { r.script.sha256 = sha; },
  /** The source and the output edited together (41 → 42), the hash left as it was. */
  'source-and-output': (r) => {
    r.script.source = r.script.source.replace('answer = 41', 'answer = 42');
    r.output = { ...r.output, answer: 42 };
  },
  /** The input edited in a field the output does not show, its hash left. */
  input: (r) => { r.input = { ...r.input, unused: 'edited' }; },
  /** The input's hash replaced. */
  'input-hash': (r) => { r.inputSha256 = sha; },
  /** One more host call than the script makes: never consumed. */
  'extra-host-call': (r) => { r.hostCalls.push({ ...r.hostCalls[r.hostCalls.length - 1] }); },
  /** The last host call removed: the script makes one the record does not have. */
  'missing-host-call': (r) => { r.hostCalls.pop(); },
  /** A host call's arguments edited. */
  'host-args': (r) => { r.hostCalls[0].args = ['edited']; },
  /** A host call's result edited (the output left): the script returns it, so the output differs. */
  'host-result': (r) => { r.hostCalls[0].result = 'edited'; },
  /** A clock reading turned into a string. */
  'clock-string': (r) => { r.clock.now = r.clock.now.map(String); },
  /** A clock reading that is not a number at all. */
  'clock-object': (r) => { r.clock.now = r.clock.now.map(() => ({ valueOf: 1 })); },
  /** The random seed changed: the script's numbers change. */
  seed: (r) => { r.randomSeed = (r.randomSeed + 1) % 0x7fffffff; },
  /** The output edited alone. */
  output: (r) => { r.output = { edited: true }; },
  /** A failed run's error turned into success. */
  'error-to-ok': (r) => { r.ok = true; r.output = 1; delete r.error; },
  /** The stdin's bytes edited, its hash and the output left. */
  stdin: (r) => { r.stdin = { ...r.stdin, base64: Buffer.from('edited\n').toString('base64') }; },
};
