// The collector: what a script can observe of garbage collection, over JavaScript's own collector.
//
// JavaScript frees memory; this module decides what Lua says is garbage. One mark pass from the
// roots (the registry's loaded libraries, the type metatables, the threads the VM runs, values the
// VM holds for a pending metamethod, and roots a host adds) serves three purposes:
//
// - measuring: it adds up an estimate of each object's size, close to PUC Lua's 64-bit objects —
//   what a script holds, not what it allocated and dropped. The sandbox's memory limit is this
//   figure, and `collectgarbage("count")` answers it (plus what was allocated since, see below);
// - weak tables: a table whose metatable's `__mode` has "k" and/or "v" is not traversed through
//   its weak part; after marking, entries whose weak key or value is an unmarked collectable object
//   (table, function, thread, userdata — never a string, number or boolean) are cleared. Weak keys
//   are ephemerons, as in 5.3: a value is reached through its entry only once the key is;
// - finalizers: an object whose metatable had `__gc` when it was set (setmetatable) is marked for
//   finalization. When a pass finds it unreachable it is resurrected (marked again, with all it
//   reaches), weak values are cleared before and weak keys after that, as 5.3 does, and its
//   finalizer runs later, newest first; the object is really gone one pass after that.
//
// When passes happen: `collectgarbage("collect"/"step")`; the sandbox's memory measure (when what
// was allocated since its last one could pass its limit, see Collector.watch); and
// in a plain LuaState, once weak tables or finalizers exist, by allocation (the VM counts the bytes
// of the tables, closures and strings it makes, and checks between instructions, see VM.onCount).
// A script with neither pays nothing. The mark pass is never run per allocation.
//
// Not traced: JavaScript locals of a library function waiting on a nested call (table.sort's
// comparator, say). A collection during that call may clear a weak entry or finalize an object only
// such a local holds; nothing breaks (JavaScript still holds it), the script may see it early.

import type { Coroutine, VM } from './interp';
import { LFloat } from './number';
import { now } from './clock';
import type { Proto } from './proto';
import { LuaTable } from './table';
import { LuaClosure, LuaError, LuaValue, NativeFunction, Upvalue, Userdata } from './value';
import { SIZE, growth } from './heap';

export { SIZE } from './heap';

/** What a measure apart reaches and counts (Collector.measureApart). */
export interface Apart {
  /** The values to start from; undefined: everything the VM holds. */
  roots?: readonly unknown[];
  /** Strings already counted elsewhere: not counted again. */
  known?: ReadonlySet<string>;
  /** Receives each string counted. */
  strings?: string[];
}

export interface HeapSize {
  bytes: number;
  /** Objects visited: with `entries`, the cost of the pass, used to schedule the next one. */
  objects: number;
  /** Table entries and stack slots walked (a table of 200,000 elements is one object). */
  entries: number;
  /**
   * Bytes of long strings not told apart from a string of the same length (not in `bytes`), left
   * unread by a pass asked not to read them (PassBound.settle false) or because they could not
   * change its answer: `bytes` already past its bound, or `bytes` with them all still under it.
   * Each may be a second reference to a string counted, or text of its own.
   */
  unsettled?: number;
}

/**
 * What a measuring host needs of a pass: whether the heap is over `limit`. Telling two equal long
 * strings made apart from two references to one means reading both, and a string built by
 * concatenation (a V8 rope) is flattened when read: 40 ms for 64 MB, in one piece. A pass reads
 * such strings (longer than READ_AT, when another of their length was met) only at its end, a read
 * at a time beginning a slice of its own (LongStrings.addReading), and only if the answer depends
 * on them. Told not to `settle`, it reads none and reports them unsettled.
 */
export interface PassBound {
  /** Undefined: the exact figure is wanted. */
  limit: number | undefined;
  settle: boolean;
}
const EXACT: PassBound = { limit: undefined, settle: true };

/** An object that can be marked for finalization. */
type Finalizable = LuaTable | Userdata;

/** Objects a pass in slices visits between two yields (a long string counts a unit per 512 characters). */
const PASS_SLICE = 2048;

/** Passes so far, in every state: each pass marks with a number no other pass has used. */
let passes = 0;

/**
 * What a pass has marked. The VM's objects carry the number of the last pass that reached them
 * (`gcMark`), so marking is a field write: a Set of millions of objects would also grow by
 * rehashing all of them in one go (~100-300 ms at two million, the event loop held). Anything
 * else (none is expected) goes in a Set.
 */
class Marks {
  private readonly pass = ++passes;
  private readonly others = new Set<object>();
  size = 0;

  has(o: object): boolean {
    const mark = (o as { gcMark?: number }).gcMark;
    return mark === undefined ? this.others.has(o) : mark === this.pass;
  }

  add(o: object): void {
    const m = o as { gcMark?: number };
    if (m.gcMark === undefined) this.others.add(o);
    else m.gcMark = this.pass;
    this.size++;
  }
}

/** Strings in 64 Sets by length and last character, so that no one Set grows huge. */
class StringSets {
  private readonly shards: Set<string>[] = Array.from({ length: 64 }, () => new Set<string>());
  size = 0;

  has(s: string): boolean {
    return this.shard(s).has(s);
  }

  /** True when `s` was not there yet. */
  add(s: string): boolean {
    const shard = this.shard(s);
    if (shard.has(s)) return false;
    shard.add(s);
    this.size++;
    return true;
  }

  private shard(s: string): Set<string> {
    return this.shards[(s.length + s.charCodeAt(s.length - 1) * 7) & 63];
  }
}

/** The set of short strings the last pass (of any collector) counted, emptied for the next. */
let spareStrings: Strings | undefined;

/** The longest string Strings hashes itself; longer ones go in Sets (V8 keeps their hash). */
const HASHED = 40;
/** A new string whose chain in the table is this long goes in the Sets instead (a crowd of equal hashes, by chance or made on purpose). */
const PROBES = 32;
/** Passes in a row that needed far less than the table before it is let go for a smaller one. */
const SHRINK_AFTER = 16;

/**
 * Short strings a pass has counted. JavaScript Sets of a hundred thousand fresh strings cost 30-85
 * ms a pass here (their growth and fresh memory): most of the sandbox's accounting on scripts
 * that hold many strings. Strings of up to HASHED characters go in a table of open addressing
 * instead, kept from one pass to the next (emptied, its memory reused, by any collector: a run's
 * first pass does not grow one from nothing): a third of that time or less. Its hash is seeded
 * per table, and a new string whose chain is PROBES long goes in the Sets, like longer ones: a
 * crowd of equal hashes, by chance or made on purpose, costs no more than Sets do. (Exported for
 * its tests.)
 */
export class Strings {
  /** The table's strings, in the order they came (`inTable` of them; the rest is empty). */
  private list: (string | undefined)[] = [];
  private inTable = 0;
  /** Two numbers a slot: its string's hash (never 0; 0 is an empty slot) and index in `list`. */
  private slots = new Int32Array(2048);
  private mask = 1023;
  private readonly seed = (Math.random() * 0x100000000) | 0;
  /** Longer strings, and those whose slot was crowded. */
  private sets = new StringSets();
  /** Passes in a row that needed a table of less than a quarter of this one's size (see clear). */
  private smallPasses = 0;

  get size(): number {
    return this.inTable + this.sets.size;
  }

  /** True when `s` was not there yet. */
  add(s: string): boolean {
    const n = s.length;
    if (n > HASHED) return this.sets.add(s);
    const h = this.hash(s);
    const slots = this.slots;
    const mask = this.mask;
    let i = h & mask;
    let probes = 0;
    for (let x = slots[2 * i]; x !== 0; x = slots[2 * i]) {
      if (x === h && this.list[slots[2 * i + 1]] === s) return false;
      probes++;
      i = (i + 1) & mask;
    }
    // Not in the table: in the Sets, or new (the Sets take it when its chain is crowded).
    if (probes >= PROBES) return this.sets.add(s);
    if (this.sets.size > 0 && this.sets.has(s)) return false;
    const at = this.inTable++;
    slots[2 * i] = h;
    slots[2 * i + 1] = at;
    if (at < this.list.length) this.list[at] = s;
    else this.list.push(s);
    if (this.inTable * 2 > mask) this.grow();
    return true;
  }

  /** FNV-1a from the seed, then murmur3's finalizer (every bit of it moves the slot); never 0. */
  protected hash(s: string): number {
    let h = this.seed ^ s.length;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
    return h === 0 ? 1 : h;
  }

  /**
   * Empties the set for another pass, and lets go of the strings. The table's memory is kept for
   * the next pass: a table made again grows through fresh memory, which costs several times what
   * filling a kept one does (100,000 strings: 20-30 ms against 4 here). A table more than four
   * times the size this pass needed is let go for one of that size, but only once SHRINK_AFTER
   * passes in a row needed so little: a host whose runs alternate a script holding many strings
   * and small ones keeps the large table. A few strings in a large table are taken out one by one
   * (each found again by its hash), not by clearing it all.
   */
  clear(): void {
    const used = this.inTable;
    this.inTable = 0;
    if (this.sets.size > 0) this.sets = new StringSets();
    let capacity = 1024;
    while (capacity < used * 4) capacity *= 2;
    if (this.mask + 1 > 4 * capacity) {
      if (++this.smallPasses >= SHRINK_AFTER) {
        this.smallPasses = 0;
        this.mask = capacity - 1;
        this.slots = new Int32Array(capacity * 2);
        this.list = [];
        return;
      }
    } else {
      this.smallPasses = 0;
    }
    if (used * 16 < this.mask + 1) this.takeOut(used);
    else this.slots.fill(0);
    this.list.fill(undefined, 0, used);
  }

  /** Empties the slots of the table's `used` strings (list[0..used)), each found by its hash. */
  private takeOut(used: number): void {
    const slots = this.slots;
    const mask = this.mask;
    for (let k = 0; k < used; k++) {
      const h = this.hash(this.list[k]!);
      // Slots emptied before may lie in this string's chain: the search passes over them.
      let i = h & mask;
      while (slots[2 * i] !== h || slots[2 * i + 1] !== k) i = (i + 1) & mask;
      slots[2 * i] = 0;
    }
  }

  private grow(): void {
    const old = this.slots;
    const mask = this.mask * 2 + 1;
    const slots = new Int32Array((mask + 1) * 2);
    for (let j = 0; j < old.length; j += 2) {
      const h = old[j];
      if (h === 0) continue;
      let i = h & mask;
      while (slots[2 * i] !== 0) i = (i + 1) & mask;
      slots[2 * i] = h;
      slots[2 * i + 1] = old[j + 1];
    }
    this.mask = mask;
    this.slots = slots;
  }
}

/** Entries of a table (or slots of a stack) a pass counts as one object's step, less one (a mask). */
const ELEMENTS = 7;

/** The least allocation between automatic passes, so that a tiny heap is not collected constantly. */
const MIN_DEBT = 64 * 1024;

/** Weak modes of a table: a bit each. */
const WEAK_KEYS = 1;
const WEAK_VALUES = 2;

export class Collector {
  /** `collectgarbage("stop"/"restart")`: automatic passes only (call updateThreshold after). */
  running = true;
  /** `setpause`: an automatic pass when the heap reaches this percentage of what the last one kept. */
  pause = 200;
  /** `setstepmul`: how much work a `step` does. */
  stepmul = 200;
  /** Bytes held at the end of the last pass. */
  live = 0;
  /**
   * heap.ts's growth count when it was last folded into VM.allocated or measured by a pass (the
   * sandbox folds it: tables do not know their VM).
   */
  private growthSeen = growth.bytes;
  /** Adds what tables grew by since the last look to VM.allocated (with `bytes` more). */
  foldGrowth(bytes = 0): void {
    const grown = growth.bytes;
    this.vm.allocated += grown - this.growthSeen + bytes;
    this.growthSeen = grown;
  }

  /** What tables grew by until now is in a measure being taken: not allocation after it. */
  growthMeasured(): void {
    this.growthSeen = growth.bytes;
  }

  /** Collecting passes so far (and a first measure). */
  passes = 0;
  /** Whether allocations lead to passes (once armed). */
  automatic = true;
  /** Weak tables or finalizers exist. */
  private armed = false;
  /** Values a host holds for the script (the sandbox's input): roots. */
  readonly roots = new Set<LuaValue>();
  /**
   * Open upvalues made since the last pass (while armed). As in PUC, the next pass keeps their
   * variables alive even when neither their thread nor a closure using them is reachable.
   */
  readonly touched: Upvalue[] = [];
  /** Charged with the objects an explicit collection visits (the sandbox's budget). */
  charge: (steps: number) => void = () => {};

  /** Objects marked for finalization, in marking order. */
  private readonly finobj = new Set<Finalizable>();
  /** Unreachable objects whose finalizer is still to run, in calling order. */
  private tobefnz: Finalizable[] = [];
  private finalizing = false;
  /** Work done by `step` since the last pass, in bytes. */
  private stepWork = 0;
  /**
   * A host's watch on allocation (the sandbox's memory limit): when the VM's allocation count
   * reaches `watchAt`, allocationPass calls `onWatch` (which measures) instead of, or before, an
   * automatic pass. The count is rebased when a pass resets it, so the room left stays the same.
   */
  private watchAt = Infinity;
  /** The room the watch was set with: what was allocated since is that less what is left (rebase keeps what is left). */
  private watchRoom = 0;
  private onWatch: (() => void) | undefined;
  /** During an allocation pass: the running thread, whose stack is live only below stackTop. */
  private stackLimit: Coroutine | undefined = undefined;
  private stackTop = 0;

  constructor(private readonly vm: VM) {}

  /** Bytes in use as `collectgarbage("count")` sees them: the last pass's figure and what was allocated since. */
  count(): number {
    if (this.passes === 0) this.measure();
    return this.live + this.vm.allocated;
  }

  /**
   * setmetatable's part: an object given a metatable with `__gc` is marked for finalization (once;
   * adding `__gc` to the metatable later does not, as in Lua); a weak or finalizing metatable
   * arms the VM's automatic passes.
   */
  noteMetatable(o: Finalizable, mt: LuaTable | undefined): void {
    if (mt === undefined) return;
    const hasGc = mt.getStr('__gc') !== undefined;
    if (!hasGc && mt.getStr('__mode') === undefined) return;
    if (!this.armed) {
      this.armed = true;
      this.vm.armCollector();
      this.updateThreshold();
    }
    if (hasGc && !this.finobj.has(o)) this.finobj.add(o);
  }

  /** Whether finalizers are waiting to run. */
  get pending(): boolean {
    return this.tobefnz.length > 0;
  }

  /** Measures without collecting (weak tables hold, nothing is finalized): the collector is stopped. */
  measure(bound = EXACT): HeapSize {
    return this.pass(false, true, bound);
  }

  /** A full pass: marks, clears weak entries, queues the finalizers of unreachable objects. */
  collect(): HeapSize {
    return this.pass(true);
  }

  /**
   * A full pass for a host's own measuring (the sandbox's memory limit, between instructions): it
   * clears weak entries and queues finalizers like any pass, but leaves the automatic schedule
   * (the allocation debt, the last pass's figure) alone. Between instructions every register of the
   * running frame is marked, dead ones too, so such a pass can keep garbage a dead register still
   * holds; were it to reset the debt, the precise passes allocation brings would never come (a
   * `repeat u = {} until finished` loop waiting for a finalizer would wait for ever).
   */
  hostPass(bound = EXACT): HeapSize {
    return this.pass(true, false, bound);
  }

  /** `collectgarbage("collect")`: a full pass, then every pending finalizer (errors propagate, as 5.3). */
  fullCollect(): void {
    const heap = this.collect();
    this.charge(heap.objects);
    this.runFinalizers(true);
  }

  /**
   * `collectgarbage("step", n)`: adds n KB of work (a basic step for 0); when the work reaches the
   * heap's size the cycle completes — a full pass and the finalizers — and the result is true.
   */
  step(kb: number): boolean {
    if (kb < 0) return false;
    const unit = kb > 0 ? kb * 1024 : 4096;
    this.stepWork += unit * (this.stepmul / 100);
    if (this.stepWork < this.count()) return false;
    this.fullCollect();
    return true;
  }

  /**
   * An instruction allocated past the threshold (VM.gcThreshold): an automatic pass, marking the
   * running thread's stack only up to `top` (the registers the instruction keeps, as PUC's
   * luaC_checkGC sets L->top: a temporary above them is dead), then the finalizers waiting.
   * Errors propagate from the instruction, as 5.3's steps do.
   */
  allocationPass(thread: Coroutine, top: number): void {
    const watched = this.onWatch !== undefined && this.watchDue();
    if (this.finalizing && !watched) {
      // No pass inside a finalizer (PUC stops the collector there): the next allocation after it.
      this.rebase();
      this.vm.allocated = 0;
      this.growthMeasured();
      return;
    }
    this.stackLimit = thread;
    this.stackTop = top;
    try {
      if (watched) this.onWatch!();
      else this.collect();
    } finally {
      this.stackLimit = undefined;
    }
    if (this.tobefnz.length > 0 && !this.finalizing) this.runFinalizers(true, true);
  }

  /**
   * Calls `onWatch` once `bytes` more are allocated (tables, closures, strings the VM makes); the
   * host measures there, and watches again. Costs nothing between (the VM compares a counter).
   */
  watch(bytes: number, onWatch: () => void): void {
    this.watchAt = this.vm.allocated + bytes;
    this.watchRoom = bytes;
    this.onWatch = onWatch;
    this.updateThreshold();
  }

  /** Whether the watch is due: the VM allocated `bytes` since `watch` (growth a host added to VM.allocated included). */
  watchDue(): boolean {
    return this.vm.allocated >= this.watchAt;
  }

  /** Bytes allocated since `watch` (what a host's next measure may find that its last did not). */
  allocatedSinceWatch(): number {
    return this.watchAt === Infinity ? 0 : this.watchRoom - (this.watchAt - this.vm.allocated);
  }

  /** The allocation count is about to restart from 0: the watch keeps the room it had left. */
  private rebase(): void {
    if (this.watchAt !== Infinity) this.watchAt = Math.max(0, this.watchAt - this.vm.allocated);
  }

  /** The running state changed (stop/restart, setpause, arming, a pass): when allocation calls next. */
  updateThreshold(): void {
    const automatic = this.armed && this.automatic && this.running
      ? Math.max(MIN_DEBT, (this.live * (this.pause - 100)) / 100)
      : Infinity;
    this.vm.gcThreshold = Math.min(automatic, this.watchAt);
  }

  /**
   * At the end of a state's life (lua_close): every object still marked for finalization gets its
   * finalizer, reachable or not, errors ignored.
   */
  close(): void {
    const all = [...this.finobj].reverse();
    this.finobj.clear();
    this.tobefnz.push(...all);
    this.runFinalizers(false);
  }

  /**
   * Calls the finalizers waiting, in order. `__gc` is read when the call happens (it may have
   * changed, or been cleared from a weak metatable); anything but a function is skipped. With
   * `propagate`, the first error ends the run as `error in __gc metamethod (...)`, the rest wait
   * for the next one; limits (budget, memory) always propagate as they are.
   */
  runFinalizers(propagate: boolean, betweenInstructions = false): void {
    if (this.finalizing) return;
    this.finalizing = true;
    try {
      while (this.tobefnz.length > 0) {
        const o = this.tobefnz.shift()!;
        const gc = o.metatable?.getStr('__gc');
        if (!(gc instanceof LuaClosure || gc instanceof NativeFunction)) continue;
        try {
          this.vm.callFinalizer(gc, o, betweenInstructions);
        } catch (e) {
          if (!(e instanceof LuaError)) throw e;
          if (e.kind !== 'runtime') throw e;
          if (!propagate) continue;
          const message = typeof e.value === 'string' ? e.value : 'no message';
          throw new LuaError(`error in __gc metamethod (${message})`);
        }
      }
    } finally {
      this.finalizing = false;
    }
  }

  // ---- the mark pass ------------------------------------------------------------------------

  /**
   * The sandbox's measuring pass in slices: a generator that yields every PASS_SLICE objects it
   * visits and returns what hostPass returns. The host drives it while the VM is paused between
   * instructions (nothing changes the heap until it is done), giving the event loop turns between.
   */
  hostPassSteps(bound = EXACT): Generator<boolean | void, HeapSize> {
    return this.passSteps(true, false, bound);
  }

  /**
   * The values the live part of `thread`'s stack holds, and of the threads that resumed it (a
   * host that measures after an error unwound them keeps these as roots meanwhile).
   */
  liveValues(thread: Coroutine): LuaValue[] {
    const out: LuaValue[] = [];
    for (let t: Coroutine | undefined = thread; t !== undefined; t = t.resumer) {
      const live = liveTop(t);
      for (let i = 0; i < live; i++) out.push(t.stack[i]);
      for (let i = 0; i < t.depth; i++) out.push(t.frames[i].handler);
      if (t.fn) out.push(t.fn);
    }
    return out;
  }

  /** measure in slices (see hostPassSteps). */
  measureSteps(bound = EXACT): Generator<boolean | void, HeapSize> {
    return this.passSteps(false, true, bound);
  }

  /**
   * A measure of part of the heap, with no effect on the collector (nothing cleared, queued or
   * scheduled): what `roots` reach (undefined: everything the VM holds), not counting the strings
   * in `known`; each string it counts is added to `strings` when given. The sandbox measures a
   * new state's environment once this way, then each run's input apart (see Sandbox).
   */
  measureApart(apart: Apart, bound = EXACT): HeapSize {
    const steps = this.passSteps(false, false, bound, apart);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
    }
  }

  /** What the first pass of this collector would have set, from a figure measured another way (measureApart's parts). */
  adoptFirstMeasure(bytes: number): void {
    if (this.passes === 0) this.settle(bytes);
  }

  private pass(collecting: boolean, schedule = true, bound = EXACT): HeapSize {
    const steps = this.passSteps(collecting, schedule, bound);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
    }
  }

  /** After a pass that sets the schedule: the live figure, the allocation debt and the next threshold from `bytes`. */
  private settle(bytes: number): void {
    this.passes++;
    this.live = bytes;
    this.rebase();
    this.vm.allocated = 0;
    // What tables grew by until now is in this pass's figure, not allocated after it.
    this.growthMeasured();
    this.stepWork = 0;
    this.updateThreshold();
  }

  private *passSteps(collecting: boolean, schedule = true, bound = EXACT, apart?: Apart): Generator<boolean | void, HeapSize> {
    const marked = new Marks();
    // The last pass's set, emptied (taken while a pass uses it: another collector's, in slices, makes its own).
    const strings = spareStrings ?? new Strings();
    spareStrings = undefined;
    const longStrings = new LongStrings();
    /** Strings longer than READ_AT met when another of their length was in (see PassBound). */
    const doubts: string[] = [];
    let bytes = 0;
    let entries = 0;
    const work: unknown[] = [];
    /** Tables with weak values / weak keys met by this pass. */
    const weakValues: LuaTable[] = [];
    const weakKeys: LuaTable[] = [];
    /** Ephemeron values waiting for their key to be marked. */
    const waiting = new Map<object, LuaValue[]>();

    let untilYield = PASS_SLICE;
    const known = apart?.known;
    const counted = apart?.strings;
    const push = (v: unknown): void => {
      if (typeof v === 'string') {
        // Each text once: PUC interns short strings; equal long strings made apart count once here.
        if (v.length === 0 || known?.has(v)) return;
        if (v.length > LONG_STRING) {
          if (v.length > READ_AT && longStrings.hasLength(v.length)) {
            doubts.push(v);
            return;
          }
          if (!longStrings.add(v)) return;
          // Reading it (a rope is flattened) is work in proportion to its length.
          untilYield -= v.length >>> 9;
        } else {
          if (!strings.add(v)) return;
        }
        bytes += SIZE.string + v.length;
        counted?.push(v);
        return;
      }
      if (typeof v === 'object' && v !== null && !(v instanceof LFloat) && !marked.has(v)) work.push(v);
    };

    const propagate = function* (this: Collector): Generator<void, void> {
      while (work.length > 0) {
        const v = work.pop() as object;
        if (marked.has(v)) continue;
        marked.add(v);
        if (--untilYield <= 0) {
          untilYield = PASS_SLICE;
          yield;
        }
        if (waiting.size > 0) {
          const values = waiting.get(v);
          if (values !== undefined) {
            waiting.delete(v);
            for (const x of values) push(x);
          }
        }
        if (v instanceof LuaTable) {
          bytes += SIZE.table + v.arr.length * SIZE.arraySlot;
          const hash = v.hash;
          const strs = v.strs;
          const keyed = (hash !== undefined ? hash.size : 0) + v.fieldCount;
          bytes += keyed * SIZE.hashEntry;
          entries += v.arr.length + keyed;
          const mt = v.metatable;
          let mode = 0;
          if (mt !== undefined) {
            push(mt);
            if (collecting) mode = weakMode(mt);
          }
          // A big table is walked a few thousand entries a slice too (ELEMENTS a step), not in one go.
          const arr = v.arr;
          let n = 0;
          if (mode === 0) {
            for (let i = 0; i < arr.length; i++) {
              push(arr[i]);
              if ((++n & ELEMENTS) === 0 && --untilYield <= 0) {
                untilYield = PASS_SLICE;
                yield;
              }
            }
            if (strs !== undefined) {
              for (const k in strs) {
                push(k);
                push(strs[k]);
                if ((++n & ELEMENTS) === 0 && --untilYield <= 0) {
                  untilYield = PASS_SLICE;
                  yield;
                }
              }
            }
            if (hash !== undefined) {
              for (const [k, item] of hash) {
                push(k);
                push(item);
                if ((++n & ELEMENTS) === 0 && --untilYield <= 0) {
                  untilYield = PASS_SLICE;
                  yield;
                }
              }
            }
            continue;
          }
          if (mode & WEAK_VALUES) weakValues.push(v);
          if (mode & WEAK_KEYS) weakKeys.push(v);
          // The array part's keys are integers, strong: its values are weak only with "v".
          for (let i = 0; i < arr.length; i++) {
            const item = arr[i];
            if (!(mode & WEAK_VALUES) || !isCollectable(item)) push(item);
            if ((++n & ELEMENTS) === 0 && --untilYield <= 0) {
              untilYield = PASS_SLICE;
              yield;
            }
          }
          // String keys are strong (strings are values): the fields' values are weak only with "v".
          if (strs !== undefined) {
            for (const k in strs) {
              const item = strs[k];
              if (item === undefined) continue; // a cleared entry
              push(k);
              if (!(mode & WEAK_VALUES) || !isCollectable(item)) push(item);
              if ((++n & ELEMENTS) === 0 && --untilYield <= 0) {
                untilYield = PASS_SLICE;
                yield;
              }
            }
          }
          if (hash === undefined) continue;
          for (const [k, item] of hash) {
            if ((++n & ELEMENTS) === 0 && --untilYield <= 0) {
              untilYield = PASS_SLICE;
              yield;
            }
            if (item === undefined) continue; // a cleared entry
            const weakKey = mode & WEAK_KEYS && isCollectable(k);
            if (!weakKey) push(k);
            if (mode & WEAK_VALUES && isCollectable(item)) continue;
            if (!weakKey || marked.has(k as object)) {
              push(item);
            } else {
              // An ephemeron: the value is reached once the key is.
              const list = waiting.get(k as object);
              if (list === undefined) waiting.set(k as object, [item]);
              else list.push(item);
            }
          }
        } else if (v instanceof LuaClosure) {
          bytes += SIZE.closure + v.upvalues.length * 8;
          for (const up of v.upvalues) push(up);
        } else if (v instanceof Upvalue) {
          bytes += SIZE.upvalue;
          // An open upvalue's variable lives on its thread's stack; the thread may be unreachable
          // while a closure still uses the variable, so it is marked through the upvalue too.
          push(v.get());
        } else if (v instanceof Userdata) {
          bytes += SIZE.userdata;
          if (v.metatable) push(v.metatable);
          push(v.userValue);
        } else if (v instanceof NativeFunction) {
          bytes += SIZE.closure;
          const held = v.upvalues;
          if (held !== undefined) for (const x of held) push(x);
        } else if ((v as { kind?: unknown }).kind === 'thread') {
          const thread = v as Coroutine;
          bytes += SIZE.thread;
          const live = thread === this.stackLimit ? Math.min(this.stackTop, thread.stack.length) : liveTop(thread);
          bytes += live * SIZE.slot;
          entries += live;
          const stack = thread.stack;
          for (let i = 0; i < live; i++) {
            push(stack[i]);
            if ((i & ELEMENTS) === ELEMENTS && --untilYield <= 0) {
              untilYield = PASS_SLICE;
              yield;
            }
          }
          for (let i = 0; i < thread.depth; i++) push(thread.frames[i].handler);
          if (thread.fn) push(thread.fn);
          if (thread.resumer) push(thread.resumer);
          if (thread.hook) push(thread.hook);
        }
      }
    }.bind(this);

    // Roots.
    const vm = this.vm;
    if (apart?.roots !== undefined) {
      for (const v of apart.roots) push(v);
    } else {
      push(vm.loaded);
      if (vm.registry) push(vm.registry);
      const meta = vm.typeMetatables;
      for (const t of [meta.string, meta.number, meta.boolean, meta.nil, meta.function, meta.thread]) if (t) push(t);
      push(vm.main);
      push(vm.current);
      push(vm.builtinNext);
      for (const v of vm.heldValues()) push(v);
      for (const v of this.roots) push(v);
      for (const up of this.touched) if (up.stack !== undefined) push(up.get());
      if (apart === undefined) this.touched.length = 0;
      // Objects whose finalizer is still to run are alive until it has run.
      for (const o of this.tobefnz) push(o);
      // Measuring only, objects marked for finalization count as held: they are, until collected.
      if (!collecting) for (const o of this.finobj) push(o);
    }
    yield* propagate();

    if (collecting) {
      clearValues(weakValues, marked, vm.closures);
      // Unreachable objects marked for finalization: newest first, after those already waiting.
      if (this.finobj.size > 0) {
        const all = [...this.finobj];
        const start = this.tobefnz.length;
        for (let i = all.length - 1; i >= 0; i--) {
          const o = all[i];
          if (marked.has(o)) continue;
          this.finobj.delete(o);
          this.tobefnz.push(o);
        }
        // Resurrect them (and what they reach) for their finalizers.
        for (let i = start; i < this.tobefnz.length; i++) push(this.tobefnz[i]);
        yield* propagate();
      }
      clearKeys(weakKeys, marked, vm.closures);
      // Again: tables first reached through a resurrected object, and values only they held.
      clearValues(weakValues, marked, vm.closures);
    }

    // The long strings in doubt, read one a step if the answer depends on them.
    let unsettled = 0;
    for (const s of doubts) unsettled += SIZE.string + s.length;
    const limit = bound.limit;
    if (unsettled > 0 && bound.settle && (limit === undefined || (bytes <= limit && bytes + unsettled > limit))) {
      unsettled = 0;
      for (const s of doubts) {
        if (!(yield* longStrings.addReading(s))) continue;
        bytes += SIZE.string + s.length;
      }
    }

    // A measure while stopped collects nothing: what was allocated since still counts as in use.
    if (apart === undefined && ((collecting && schedule) || this.passes === 0)) this.settle(bytes);
    const heap: HeapSize = { bytes, objects: marked.size + strings.size + longStrings.size + doubts.length, entries };
    strings.clear();
    spareStrings = strings;
    if (unsettled > 0) heap.unsettled = unsettled;
    return heap;
  }
}

/** The weak bits of a table with metatable `mt` (`__mode` must be a string, as in PUC). */
function weakMode(mt: LuaTable): number {
  const mode = mt.getStr('__mode');
  if (typeof mode !== 'string') return 0;
  return (mode.includes('k') ? WEAK_KEYS : 0) | (mode.includes('v') ? WEAK_VALUES : 0);
}

/**
 * Strings longer than this are told apart by LongStrings: V8 hashes a string this long by its
 * length alone, so a Set of many long strings of one length compares each with the others in full
 * (sixty strings of a megabyte: 55 ms a pass).
 */
export const LONG_STRING = 16383;
/**
 * Longer strings met when another of their length was are read at the end of a pass, and only
 * when the measure depends on them (PassBound): reading a rope this long takes about a millisecond.
 */
const READ_AT = 1 << 20;
/** Long strings up to this length are told apart by samples of their text (LongStrings). */
const SAMPLED_MAX = 4 * 1024 * 1024;

/**
 * A set of long strings by their text, in buckets by length. A bucket of a few strings compares a
 * new one with each (as a Set would; reading no text when it is one of them); past PLAIN_BUCKET
 * strings of one length, a bucket keys its strings by 64 characters spread over each and compares
 * in full only strings with the same samples (strings that differ where no sample falls, which
 * ordinary scripts do not make, and strings over SAMPLED_MAX, stay compared one with another).
 * Sampling reads the text, which flattens a rope (a string built by concatenation): it is done
 * only for many strings of one length, not for the one long string a loop keeps appending to.
 */
class LongStrings {
  private readonly buckets = new Map<number, { plain: string[] } | { sampled: Map<string, string[]> }>();
  size = 0;

  /** Adds `s`; false when its text is already in. */
  add(s: string): boolean {
    const n = s.length;
    let bucket = this.buckets.get(n);
    if (bucket === undefined) {
      this.buckets.set(n, { plain: [s] });
      this.size++;
      return true;
    }
    if ('plain' in bucket) {
      if (bucket.plain.includes(s)) return false;
      if (bucket.plain.length < PLAIN_BUCKET || n > SAMPLED_MAX) {
        bucket.plain.push(s);
        this.size++;
        return true;
      }
      const sampled = new Map<string, string[]>();
      for (const m of bucket.plain) addSampled(sampled, m);
      bucket = { sampled };
      this.buckets.set(n, bucket);
    }
    if (!addSampled(bucket.sampled, s)) return false;
    this.size++;
    return true;
  }

  /** Whether a string of length `n` is in. */
  hasLength(n: number): boolean {
    return this.buckets.has(n);
  }

  /**
   * add, reading one string a step: `s`, then each of its length it is compared with (a rope is
   * flattened by its first read, in place; comparing two flat strings is a fraction of that).
   * A read may be long: it starts at most a millisecond into a slice of the pass's own (see
   * fresh), while reads of strings already flat (one string held in many places) share slices.
   */
  *addReading(s: string): Generator<boolean, boolean> {
    yield* this.fresh();
    s.charCodeAt(0);
    const bucket = this.buckets.get(s.length);
    if (bucket !== undefined && 'plain' in bucket) {
      for (const m of bucket.plain) {
        yield* this.fresh();
        m.charCodeAt(0);
      }
    }
    yield* this.fresh();
    return this.add(s);
  }

  /** When addReading last began a slice of its own. */
  private freshAt = -Infinity;

  /** Asks for a slice of its own (yields true, see inSlices) unless this one began under a millisecond ago. */
  private *fresh(): Generator<boolean, void> {
    if (now() - this.freshAt < 1) return;
    yield true;
    this.freshAt = now();
  }
}

/** Strings of one length a LongStrings bucket compares in full before it keys them by samples. */
const PLAIN_BUCKET = 8;

function addSampled(sampled: Map<string, string[]>, s: string): boolean {
  const n = s.length;
  const codes: number[] = [];
  for (let i = 0; i < 64; i++) codes.push(s.charCodeAt(Math.floor((i * (n - 1)) / 63)));
  const key = String.fromCharCode(...codes);
  const list = sampled.get(key);
  if (list === undefined) sampled.set(key, [s]);
  else if (list.includes(s)) return false;
  else list.push(s);
  return true;
}

/** Objects (not strings, numbers or booleans): what a weak table lets go. */
function isCollectable(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !(v instanceof LFloat);
}

/**
 * Removes entries whose value is collectable and unmarked. Removal leaves the key as a cleared
 * entry (a tombstone), so that a traversal in progress (`next`) goes on, as Lua allows.
 */
function clearValues(tables: LuaTable[], marked: Marks, closures: Closures): void {
  for (const t of tables) {
    const arr = t.arr;
    for (let i = arr.length - 1; i >= 0; i--) {
      const v = arr[i];
      if (isCollectable(v) && !marked.has(v)) {
        forget(v, closures);
        t.setInt(i + 1, undefined);
      }
    }
    const strs = t.strs;
    if (strs !== undefined) {
      for (const k in strs) {
        const v = strs[k];
        if (isCollectable(v) && !marked.has(v)) {
          forget(v, closures);
          t.setStr(k, undefined);
        }
      }
    }
    const hash = t.hash;
    if (hash === undefined) continue;
    for (const [k, v] of hash) {
      if (isCollectable(v) && !marked.has(v)) {
        forget(v, closures);
        t.set(k, undefined);
      }
    }
  }
}

/** Removes entries whose key is collectable and unmarked. */
function clearKeys(tables: LuaTable[], marked: Marks, closures: Closures): void {
  for (const t of tables) {
    const hash = t.hash;
    if (hash === undefined) continue;
    for (const [k, v] of hash) {
      if (v !== undefined && isCollectable(k) && !marked.has(k)) {
        forget(k, closures);
        t.set(k, undefined);
      }
    }
  }
}

/** The VM's closure cache (VM.closures). */
type Closures = WeakMap<Proto, LuaClosure>;

/**
 * A closure that a weak table lost must not come back: the VM's cache of its prototype's last
 * closure (OP_CLOSURE reuses it when the upvalues are the same, as 5.3 does) lets it go too, as
 * PUC's collector clears a cache whose closure is dead.
 */
function forget(o: object, closures: Closures): void {
  if (o instanceof LuaClosure && closures.get(o.proto) === o) closures.delete(o.proto);
}

/**
 * Where a thread's live stack ends: the top of its innermost frame (a native's arguments, a Lua
 * function's registers), as PUC marks up to L->top. Registers of a caller above the slot where it
 * called a native are dead and not marked (a local that went out of scope lets its value go).
 * Between two instructions, values a multiple-result call left above a Lua frame are live too.
 */
function liveTop(thread: Coroutine): number {
  if (thread.depth === 0) return 0;
  const frame = thread.frames[thread.depth - 1];
  let top = frame.top;
  if (frame.closure !== undefined && thread.top > top) top = thread.top;
  return Math.min(top, thread.stack.length);
}
