// The table library (manual §6.6). Like Lua 5.3 it reads and writes elements through the
// metamethods (`__index`, `__newindex`, `__len`: lua_geti/lua_seti/luaL_len), and accepts a
// non-table that has the metamethods an operation needs. Loops charge the budget per element, and
// the long ones (insert and remove's shifts, concat, move, sort) are resumable natives: they work
// in slices (generators; Request.slices), between which a sandbox reads its clock and gives the
// event loop its turns.

import { VM, isNumberValue } from '../vm/interp';
import { LuaInteger, LuaNumber, intAdd, intFromBig, intSub, numberToString, toBig, toInteger } from '../vm/number';
import { LuaTable } from '../vm/table';
import { LuaValue, Request, isFalsy, typeName } from '../vm/value';
import { Args, Charge, MAX_RESULTS, library, memoryError } from './args';
import { MAX_JS_STRING } from './format';

export type { Charge };

const MAX_INTEGER = 2n ** 63n - 1n;
const INT_MAX = 0x7fffffff;
/** Elements a loop handles in one slice of a resumable call (well under a millisecond). */
const SLICE = 4096;

/**
 * `parts.join(sep)`, a few hundred parts at a time: V8's join of one long array takes about three
 * times as long (100,000 short strings: ~13 ms against ~4.6 ms here).
 */
function joinParts(parts: string[], sep: string): string {
  const CHUNK = 512;
  if (parts.length <= CHUNK) return parts.join(sep);
  const chunks: string[] = [];
  for (let i = 0; i < parts.length; i += CHUNK) chunks.push(parts.slice(i, i + CHUNK).join(sep));
  return joinParts(chunks, sep);
}
/**
 * The longest array part whose insert or remove shift is one splice rather than slices: V8 moves
 * 2^20 elements in about 0.2 ms, and four times as many in 3-4 ms.
 */
const MAX_SPLICE = 1 << 20;
/** Comparisons in one slice of a sort (a Lua comparator makes each a call). */
const SLICE_COMPARES = 1024;
/** Arrays longer than this may get a randomised pivot after a badly unbalanced partition. */
const RANDOM_PIVOT_LIMIT = 100;

/** Operations a value must support to stand in for a table (PUC's checktab). */
const R = 1;
const W = 2;
const L = 4;

export function openTable(vm: VM, G: LuaTable, charge: Charge): void {
  const T = new LuaTable();
  G.setStr('table', T);

  /** lua_geti: t[i] with metamethods (plain tables read directly). */
  const geti = (t: LuaValue, i: LuaInteger): LuaValue => {
    if (t instanceof LuaTable && t.metatable === undefined) return typeof i === 'number' ? t.getInt(i) : t.get(i);
    return vm.index(t, i);
  };
  /** lua_seti: t[i] = v with metamethods. */
  const seti = (t: LuaValue, i: LuaInteger, v: LuaValue): void => {
    if (t instanceof LuaTable && t.metatable === undefined) {
      if (typeof i === 'number' && i >= 1) t.setInt(i, v);
      else t.set(i, v);
    } else {
      vm.setIndex(t, i, v);
    }
  };

  /**
   * Whether insert's and remove's shift on `t`, whose length is `n`, can be one splice of its
   * array part (LuaTable.insertAt/removeAt): a table without metatable whose keys 1..n are all
   * there, and a shift short enough to take well under a millisecond in one piece.
   */
  const onArray = (t: LuaValue, n: number): boolean =>
    t instanceof LuaTable && t.metatable === undefined && t.arr.length === n && n <= MAX_SPLICE;

  const checkTab = (a: Args, index: number, what: number): LuaValue => {
    const t = a.values[index - 1];
    if (t instanceof LuaTable) return t;
    const mt = vm.getMetatable(t);
    if (mt !== undefined && (!(what & R) || mt.getStr('__index') !== undefined) && (!(what & W) || mt.getStr('__newindex') !== undefined) &&
      (!(what & L) || mt.getStr('__len') !== undefined)) return t;
    throw a.typeError(index, 'table');
  };

  /** luaL_len: `#v` with `__len`, which must be an integer. */
  const len = (a: Args, v: LuaValue): LuaInteger => {
    const n = vm.length(v);
    const i = isNumberValue(n) ? toInteger(n as LuaNumber) : undefined;
    if (i === undefined) throw a.fail('object length is not an integer');
    return i;
  };

  /** aux_getn: the argument must be table-like, and its length. */
  const getn = (a: Args, index: number, what: number): LuaInteger => len(a, checkTab(a, index, what | L));

  library(vm, T, 'table', {
    insert: (a) => {
      const t = a.values[0];
      const e = intAdd(getn(a, 1, R | W), 1);
      let pos: LuaInteger;
      switch (a.length) {
        case 2:
          pos = e;
          break;
        case 3: {
          pos = a.integer(2);
          if (!(1 <= pos && pos <= e)) throw a.error(2, 'position out of bounds');
          const value = a.values[2];
          if (typeof pos === 'number' && typeof e === 'number' && pos < e && value !== undefined && onArray(t, e - 1)) {
            charge(e - pos);
            (t as LuaTable).insertAt(pos, value);
            return [];
          }
          // Move up the elements pos..e-1.
          if (typeof e === 'number' && typeof pos === 'number') {
            const low = pos;
            return Request.slices((function* shift() {
              for (let i = e; i > low;) {
                const stop = Math.max(low, i - SLICE);
                charge(i - stop);
                for (; i > stop && !vm.pauseWanted; i--) seti(t, i, geti(t, i - 1));
                if (i > low) yield;
              }
              seti(t, low, value);
              return [];
            })());
          } else {
            for (let i: LuaInteger = e; i > pos; i = intSub(i, 1)) {
              charge(1);
              seti(t, i, geti(t, intSub(i, 1)));
            }
          }
          break;
        }
        default:
          throw a.fail("wrong number of arguments to 'insert'");
      }
      seti(t, pos, a.values[a.length - 1]);
      return [];
    },

    remove: (a) => {
      const t = a.values[0];
      const size = getn(a, 1, R | W);
      let pos = a.optInteger(2, size);
      if (pos !== size && !(1 <= pos && toBig(pos) <= toBig(size) + 1n)) throw a.error(1, 'position out of bounds');
      const value = geti(t, pos);
      if (typeof pos === 'number' && typeof size === 'number' && pos >= 1 && pos <= size && onArray(t, size)) {
        charge(size - pos);
        (t as LuaTable).removeAt(pos);
        return [value];
      }
      if (typeof pos === 'number' && typeof size === 'number') {
        // Move down the elements pos+1..size, then clear the last.
        let i = pos;
        const end = size;
        return Request.slices((function* shift() {
          while (i < end) {
            const stop = Math.min(end, i + SLICE);
            charge(stop - i);
            for (; i < stop && !vm.pauseWanted; i++) seti(t, i, geti(t, i + 1));
            if (i < end) yield;
          }
          seti(t, i, undefined);
          return [value];
        })());
      } else {
        for (; pos < size; pos = intAdd(pos, 1)) {
          charge(1);
          seti(t, pos, geti(t, intAdd(pos, 1)));
        }
      }
      seti(t, pos, undefined);
      return [value];
    },

    concat: (a) => {
      const t = a.values[0];
      let last = getn(a, 1, R);
      const sep = a.optString(2, '');
      let i = a.optInteger(3, 1);
      last = a.optInteger(4, last);
      const parts: string[] = [];
      let bytes = 0;
      let total = 0;
      const add = (k: LuaInteger) => {
        const v = geti(t, k);
        let s: string;
        if (typeof v === 'string') s = v;
        else if (isNumberValue(v)) s = numberToString(v as LuaNumber);
        // PUC prints the index with %d, which reads the low 32 bits of the integer.
        else throw a.fail(`invalid value (${typeName(v)}) at index ${BigInt.asIntN(32, toBig(k))} in table for 'concat'`);
        parts.push(s);
        bytes += s.length + sep.length;
        if ((parts.length & 255) === 0) {
          // The result's memory as it grows: each charge adds the bytes since the last one.
          charge(256 + (bytes >> 4), bytes);
          total += bytes;
          bytes = 0;
          if (total > MAX_JS_STRING) throw memoryError();
        }
      };
      return Request.slices((function* join() {
        let k = 0;
        for (; i < last; i = intAdd(i, 1)) {
          add(i);
          if (++k === SLICE || vm.pauseWanted) {
            k = 0;
            yield;
          }
        }
        if (i === last) add(i);
        charge((parts.length & 255) + (bytes >> 4), bytes);
        if (total + bytes > MAX_JS_STRING) throw memoryError();
        return [joinParts(parts, sep)];
      })());
    },

    pack: (a) => {
      const n = a.length;
      const t = new LuaTable();
      // Like PUC, the values go into an array part of size n, nils included as holes.
      t.setList(1, a.values, 0, n);
      t.setStr('n', n);
      charge(n >> 2);
      return [t];
    },

    unpack: (a) => {
      const t = a.values[0];
      let i = a.optInteger(2, 1);
      const e: LuaInteger = a.isNil(3) ? len(a, t) : a.integer(3);
      if (i > e) return [];
      const count = toBig(e) - toBig(i);
      if (count >= BigInt(INT_MAX) || count + 1n > BigInt(MAX_RESULTS)) throw a.fail('too many results to unpack');
      const n = Number(count) + 1;
      charge(n);
      const out: LuaValue[] = new Array(n);
      for (let k = 0; k < n; k++) {
        out[k] = geti(t, i);
        if (k + 1 < n) i = intAdd(i, 1);
      }
      return out;
    },

    move: (a) => {
      const f = a.integer(2);
      const e = a.integer(3);
      const t = a.integer(4);
      const ttIndex = a.isNil(5) ? 1 : 5;
      const source = checkTab(a, 1, R);
      const dest = checkTab(a, ttIndex, W);
      if (e >= f) {
        if (!(f > 0 || toBig(e) < MAX_INTEGER + toBig(f))) throw a.error(3, 'too many elements to move');
        const n = toBig(e) - toBig(f) + 1n;
        if (!(toBig(t) <= MAX_INTEGER - n + 1n)) throw a.error(4, 'destination wrap around');
        const forward = t > e || t <= f || (ttIndex !== 1 && !vm.equals(source, dest));
        const count = n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
        const small = typeof f === 'number' && typeof t === 'number' && Number.isSafeInteger(f + count) && Number.isSafeInteger(t + count);
        let steps = 0;
        let done = 0;
        /** Counts an element; true when the slice is done (see SLICE). */
        const step = (): boolean => {
          if (++steps === 256) {
            charge(steps);
            steps = 0;
          }
          return ++done % SLICE === 0 || vm.pauseWanted;
        };
        return Request.slices((function* copy() {
          if (small) {
            if (forward) {
              for (let k = 0; k < count; k++) {
                if (step()) yield;
                seti(dest, (t as number) + k, geti(source, (f as number) + k));
              }
            } else {
              for (let k = count - 1; k >= 0; k--) {
                if (step()) yield;
                seti(dest, (t as number) + k, geti(source, (f as number) + k));
              }
            }
          } else {
            // Indices beyond 2^53: exact 64-bit arithmetic (the loop ends by an error or the budget).
            const fb = toBig(f);
            const tb = toBig(t);
            const at = (base: bigint, k: bigint): LuaInteger => intFromBig(BigInt.asIntN(64, base + k));
            if (forward) {
              for (let k = 0n; k < n; k++) {
                if (step()) yield;
                seti(dest, at(tb, k), geti(source, at(fb, k)));
              }
            } else {
              for (let k = n - 1n; k >= 0n; k--) {
                if (step()) yield;
                seti(dest, at(tb, k), geti(source, at(fb, k)));
              }
            }
          }
          charge(steps);
          return [dest];
        })());
      }
      return [dest];
    },

    sort: (a) => {
      const t = a.values[0];
      const n = getn(a, 1, R | W);
      if (n > 1) {
        if (!(n < INT_MAX)) throw a.error(1, 'array too big');
        const cmp = a.values[1];
        if (cmp !== undefined) a.func(2);
        let steps = 0;
        const less = (x: LuaValue, y: LuaValue): boolean => {
          if (++steps === 256) {
            charge(steps);
            steps = 0;
          }
          return cmp === undefined ? vm.lessThan(x, y) : !isFalsy(vm.call2(cmp, x, y));
        };
        const sorter = new Sorter(t, less, (i) => geti(t, i), (i, v) => seti(t, i, v), () => a.fail('invalid order function for sorting'), () => vm.pauseWanted);
        return Request.slices((function* sort() {
          yield* sorter.sort(1, n as number, 0);
          charge(steps);
          return [];
        })());
      }
      return [];
    },
  });
}

/**
 * Lua 5.3's quicksort, step for step: the same comparisons in the same order, reading and writing
 * the table as it goes (so a comparator sees the same intermediate states, an error leaves the
 * same partial order, and an inconsistent comparator is caught at the same point). Only the
 * "random" pivot after a badly unbalanced partition differs: PUC takes it from the clock, this
 * takes it from a fixed sequence, so runs are reproducible.
 */
class Sorter {
  private seed = 0x2545f491;
  constructor(
    readonly t: LuaValue,
    private readonly lessThan: (x: LuaValue, y: LuaValue) => boolean,
    private readonly get: (i: number) => LuaValue,
    private readonly set: (i: number, v: LuaValue) => void,
    private readonly invalid: () => Error,
    /** Whether the run wants to pause (VM.pauseWanted): the slice ends at the next comparison. */
    private readonly pauseWanted: () => boolean,
  ) {}

  private randomPivotSeed(): number {
    // A 32-bit xorshift: any nonzero sequence will do.
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed || 1;
  }

  /** Comparisons since the last slice ended. */
  private compares = 0;

  /** A comparison, counted towards the slice. */
  private less(x: LuaValue, y: LuaValue): boolean {
    this.compares++;
    return this.lessThan(x, y);
  }

  /** Whether the slice is done (then the sort yields, between two comparisons). */
  private due(): boolean {
    if (this.compares < SLICE_COMPARES && !this.pauseWanted()) return false;
    this.compares = 0;
    return true;
  }

  *sort(lo: number, up: number, rnd: number): Generator<undefined, void, undefined> {
    const { get, set } = this;
    while (lo < up) {
      if (this.due()) yield;
      // Order a[lo] and a[up].
      let x = get(lo);
      let y = get(up);
      if (this.less(y, x)) {
        set(lo, y);
        set(up, x);
      }
      if (up - lo === 1) return;
      let p: number;
      if (up - lo < RANDOM_PIVOT_LIMIT || rnd === 0) {
        p = Math.floor((lo + up) / 2);
      } else {
        const r4 = Math.floor((up - lo) / 4);
        p = (rnd % (r4 * 2)) + lo + r4;
      }
      // Order a[lo], a[p], a[up].
      x = get(p);
      y = get(lo);
      if (this.less(x, y)) {
        set(p, y);
        set(lo, x);
      } else {
        y = get(up);
        if (this.less(y, x)) {
          set(p, y);
          set(up, x);
        }
      }
      if (up - lo === 2) return;
      // The pivot goes to up - 1.
      const pivot = get(p);
      set(p, get(up - 1));
      set(up - 1, pivot);
      p = yield* this.partition(lo, up, pivot);
      let n: number;
      if (p - lo < up - p) {
        yield* this.sort(lo, p - 1, rnd);
        n = p - lo;
        lo = p + 1;
      } else {
        yield* this.sort(p + 1, up, rnd);
        n = up - p;
        up = p - 1;
      }
      // (PUC computes up - lo unsigned: when the range is empty it wraps, and the loop ends anyway.)
      if (up > lo && Math.floor((up - lo) / 128) > n) rnd = this.randomPivotSeed();
    }
  }

  /** Partitions lo..up around the pivot at up - 1; returns the pivot's final index. */
  private *partition(lo: number, up: number, pivot: LuaValue): Generator<undefined, number, undefined> {
    const { get, set } = this;
    let i = lo;
    let j = up - 1;
    for (;;) {
      let ai: LuaValue;
      while (this.less((ai = get(++i)), pivot)) {
        if (i === up - 1) throw this.invalid();
        if (this.due()) yield;
      }
      let aj: LuaValue;
      while (this.less(pivot, (aj = get(--j)))) {
        if (j < i) throw this.invalid();
        if (this.due()) yield;
      }
      if (j < i) {
        set(up - 1, ai);
        set(i, pivot);
        return i;
      }
      set(i, aj);
      set(j, ai);
      if (this.due()) yield;
    }
  }
}
