// What the engine's objects weigh, and a count of what they grow by.
//
// The sizes are estimates close to PUC Lua's 64-bit objects: the collector's mark pass (gc.ts)
// adds them up to measure what a script holds, and the VM counts them as it allocates (VM.allocated).

/** Strings longer than this cost instructions to compare or build: a step per KB (interp.ts, tier.ts). */
export const LONG_STRING = 4096;

/** Estimated sizes in bytes, close to PUC Lua's 64-bit object sizes. */
export const SIZE = {
  table: 56,
  arraySlot: 16,
  hashEntry: 32,
  string: 25,
  closure: 32,
  upvalue: 40,
  slot: 16,
  thread: 200,
  userdata: 40,
};

/**
 * Bytes objects grew by where the VM's own allocation sites do not see it: table parts (an array
 * slot pushed, a hash entry added), new threads and their stack slots. A table does not know its
 * VM, so this is one count for the process, only ever added to (one add at the growth site): a
 * reader (the sandbox's memory limit) takes the difference since its last look. What another
 * state grew meanwhile is counted too, which can only bring a measure sooner, never later.
 */
export const growth = { bytes: 0 };
