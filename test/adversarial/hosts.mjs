// Host functions for the adversarial cases (`-- @host name=implementation`): ordinary ones the
// scripts flood or feed huge values, and hostile ones — a host that returns a cycle, a huge value,
// a value JSON cannot carry, or throws what cannot even be turned into a message.

const nested = (depth) => {
  let v = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

/**
 * Values that take the host itself a while to make (two million numbers, half a million keys):
 * made by `prepare` before a case is measured, as a host would have them at hand. Making them is
 * the host's own work, which no sandbox can slice; what the sandbox does with them is measured.
 */
const MAKE = {
  hugeArray: () => Array.from({ length: 2_000_000 }, (_, i) => i),
  manyKeys: () => {
    const o = {};
    for (let i = 0; i < 500_000; i++) o['k' + i] = i;
    return o;
  },
};
const made = {};
const value = (name) => (made[name] ??= MAKE[name]());

/** Makes what a host implementation gives (if it is one of MAKE's), before the case is measured. */
export function prepare(impl) {
  if (impl in MAKE) value(impl);
}

export const hosts = {
  /** Gives back its first argument. */
  echo: (x) => x,
  /** Gives back how big its first argument was (as JSON). */
  size: (x) => JSON.stringify(x ?? null).length,
  /** An object that contains itself. */
  cycle: () => {
    const a = { name: 'a' };
    a.self = a;
    return a;
  },
  /** Two million numbers (more values than a conversion takes). */
  hugeArray: () => value('hugeArray'),
  /** An object of 500,000 keys. */
  manyKeys: () => value('manyKeys'),
  /** A 200 MB string (over the 64 MB memory limit). */
  hugeString: () => 'x'.repeat(200 * 1024 * 1024),
  /** 100,000 nested arrays. */
  deep: () => nested(100_000),
  /** NaN, which JSON carries as null. */
  nan: () => NaN,
  /** A BigInt. */
  bigint: () => 2n ** 70n,
  /** A function. */
  fn: () => () => 1,
  /** An object whose getter throws. */
  getter: () => ({ get boom() { throw new Error('getter boom'); } }),
  /** Throws an Error with a 100 MB message. */
  throwsHuge: () => { throw new Error('e'.repeat(100 * 1024 * 1024)); },
  /** Throws a value whose conversion to a string throws. */
  throwsOdd: () => { throw { toString() { throw new Error('no string for you'); } }; },
  /** Throws a revoked proxy (touching it throws). */
  throwsProxy: () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    throw proxy;
  },
  /** A promise that never settles. */
  never: () => new Promise(() => undefined),
  /** A promise rejected after 5 ms, with undefined. */
  rejects: () => new Promise((_, reject) => setTimeout(() => reject(undefined), 5)),
  /** Its argument after 1 ms. */
  slow: (x) => new Promise((resolve) => setTimeout(() => resolve(x ?? null), 1)),
  /** A thenable whose then throws. */
  badThen: () => ({ then() { throw new Error('then boom'); } }),
};
