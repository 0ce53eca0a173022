// Lua tables: an array part for the keys 1..n, a plain object for string keys (fields) and a Map
// for every other key. Keys are normalised first (a float with an integral value is the same key
// as that integer, `t[1] == t[1.0]`), so the Map sees each Lua key as exactly one JS value. Fields
// live in an object because V8 gives objects filled alike one hidden class: the second tier's
// field accesses (tier.ts) then hit V8's inline caches instead of hashing the key each time.
// A table given more than MAX_FIELDS string keys keeps them all in its Map from then on: listing
// an object's keys (for-in, Object.keys: the collector's pass, `next`) is done in one piece,
// 0.3-0.5 µs a key, where a Map is walked an entry at a time.
// Removing a key leaves a tombstone (the key stays, its value undefined) so that `next` can go on
// from a key that was just cleared, as Lua allows; tombstones are swept when new keys come. What a
// table grows by (an array slot pushed, an entry added) is counted in heap.ts's `growth`, for the
// sandbox's memory limit.

import { SIZE, growth } from './heap';
import { LFloat, floatToInteger } from './number';
import type { LuaValue } from './value';

type TableValue = LuaValue;

/**
 * A table's fields by name. Its prototype is an empty object without one, so that no name is
 * inherited or special (`__proto__`, `constructor` and `toString` are keys like any other).
 */
export type Fields = Record<string, TableValue>;
const Fields = function Fields(): void {} as unknown as new () => Fields;
Fields.prototype = Object.create(null) as object;

/** String keys a table keeps in `strs`; past this many, in `hash` (see the file comment). */
export const MAX_FIELDS = 8192;

/**
 * What a new table's array part is copied from. Made as a copy rather than by an array literal:
 * V8 tracks each literal's allocations and, once most of them have lived through a collection
 * (a program that first builds a large tree that stays), allocates every later one of them in the
 * old generation, where the short-lived tables then cost full collections. Measured on
 * binary_trees, in one process in two, 2.4 s a run instead of 0.65 s. A copy has no such history.
 */
const NO_ITEMS: TableValue[] = [];

export class LuaTable {
  /** Values of keys 1..arr.length (arr[0] is key 1). May contain undefined holes. */
  arr: TableValue[] = NO_ITEMS.slice();
  /** Values of string keys (none once `manyFields`). */
  strs: Fields | undefined = undefined;
  /** Values of the other keys (not in the array part; string keys too once `manyFields`). */
  hash: Map<LuaValue, TableValue> | undefined = undefined;
  /** The table was given more than MAX_FIELDS string keys: they are in `hash`. */
  manyFields = false;
  /** The array part's length before its last trim: keys up to it stay valid for `next`. */
  private trimmedFrom = 0;
  /** Tombstones in `hash`. */
  private dead = 0;
  /** Keys in `strs`, tombstones included. */
  fieldCount = 0;
  /** Tombstones in `strs`. */
  private deadFields = 0;
  metatable: LuaTable | undefined = undefined;
  /** The collector's mark: the number of the last pass that reached it (gc.ts). */
  gcMark = 0;
  /**
   * Iteration state for `next`: where the last key returned is, in the fields' names (as they
   * were when the traversal reached them) or in the Map's iterator. One field (made when a
   * traversal leaves the array part), so that every table stays small.
   */
  private walk: Walk | undefined = undefined;

  /** Raw get with a key of any type. */
  get(key: LuaValue): TableValue {
    if (typeof key === 'number') {
      const arr = this.arr;
      if (key >= 1 && key <= arr.length && (key | 0) === key) return arr[key - 1];
      if (Number.isNaN(key)) return undefined;
    } else if (typeof key === 'string') {
      const strs = this.strs;
      if (strs !== undefined) return strs[key];
    } else if (key instanceof LFloat) {
      return this.get(normaliseFloatKey(key.n));
    }
    return this.hash === undefined ? undefined : this.hash.get(key);
  }

  /** Raw get of a string key (the common case: fields and methods). */
  getStr(key: string): TableValue {
    const strs = this.strs;
    if (strs !== undefined) return strs[key];
    return this.manyFields ? this.hash!.get(key) : undefined;
  }

  /** Raw get of an integer key given as a JS number. */
  getInt(key: number): TableValue {
    const arr = this.arr;
    if (key >= 1 && key <= arr.length) return arr[key - 1];
    return this.hash === undefined ? undefined : this.hash.get(key);
  }

  /**
   * Raw set. The caller has already rejected nil and NaN keys (`index is nil` / `index is NaN`);
   * see `checkKey`.
   */
  set(key: LuaValue, value: TableValue): void {
    if (typeof key === 'number') {
      if ((key | 0) === key && key >= 1) {
        this.setInt(key, value);
        return;
      }
    } else if (key instanceof LFloat) {
      const k = normaliseFloatKey(key.n);
      if (typeof k === 'number' && Number.isInteger(k) && k >= 1) this.setInt(k, value);
      else this.setHash(k, value);
      return;
    }
    if (typeof key === 'string') this.setStr(key, value);
    else this.setHash(key, value);
  }

  setStr(key: string, value: TableValue): void {
    let strs = this.strs;
    if (strs === undefined) {
      if (this.manyFields) {
        this.setHash(key, value);
        return;
      }
      if (value === undefined) return;
      strs = this.strs = new Fields();
    }
    if (strs[key] !== undefined) {
      strs[key] = value;
      if (value === undefined) this.deadFields++;
      return;
    }
    if (value === undefined) return;
    // Without tombstones a key whose value is undefined is not there (no `in` lookup, which
    // misses the inline caches: the common case of filling a new table).
    if (this.deadFields !== 0 && key in strs) {
      this.deadFields--;
    } else {
      // A new key: Lua leaves `next` undefined after one, so this is when tombstones can go.
      if (this.deadFields > 8 && this.deadFields * 2 > this.fieldCount) this.sweepFields(strs);
      this.fieldCount++;
      growth.bytes += SIZE.hashEntry;
      if (this.fieldCount > MAX_FIELDS) {
        strs[key] = value;
        this.moveFields(strs);
        return;
      }
    }
    strs[key] = value;
  }

  /** The string keys go to the Map (counted already: the entries move, none is new). */
  private moveFields(strs: Fields): void {
    const hash = this.hash ??= new Map();
    for (const k in strs) {
      const v = strs[k];
      if (v !== undefined) hash.set(k, v);
    }
    this.strs = undefined;
    this.fieldCount = 0;
    this.deadFields = 0;
    this.manyFields = true;
    // A traversal of the fields cannot go on (Lua leaves `next` undefined after a new key).
    this.walk = undefined;
  }

  setInt(key: number, value: TableValue): void {
    const arr = this.arr;
    const n = arr.length;
    if (key <= n) {
      arr[key - 1] = value;
      if (key === n && value === undefined) {
        // Keep the array part free of trailing holes so that `#t` is cheap.
        let end = n - 1;
        while (end > 0 && arr[end - 1] === undefined) end--;
        if (n > this.trimmedFrom) this.trimmedFrom = n;
        arr.length = end;
      }
      return;
    }
    if (key === n + 1 && key < 0x40000000) {
      if (value === undefined) {
        if (this.hash !== undefined && this.hash.has(key)) this.setHash(key, undefined);
        return;
      }
      arr.push(value);
      this.appended(key);
      return;
    }
    this.setHash(key, value);
  }

  /**
   * Key `key` was just added at the end of the array part: counts its slot, and moves the keys
   * that now continue the sequence from the hash into the array.
   */
  private appended(key: number): void {
    growth.bytes += SIZE.arraySlot;
    const hash = this.hash;
    if (hash !== undefined && hash.size > 0) {
      if (hash.has(key)) this.removeHash(key);
      const arr = this.arr;
      let next = key + 1;
      while (hash.has(next)) {
        const v = hash.get(next);
        if (v === undefined) break;
        arr.push(v);
        this.removeHash(next);
        next++;
      }
    }
  }

  /**
   * `table.insert(t, pos, value)`'s shift on the array part, as its raw sets would leave it: the
   * values of keys pos..n (n = arr.length) move up one and `value` goes in at pos, in one splice
   * (V8 moves the elements as a block, about 100 times faster than element by element). The caller
   * checked 1 <= pos <= n and that `value` is not nil.
   */
  insertAt(pos: number, value: LuaValue): void {
    this.arr.splice(pos - 1, 0, value);
    this.appended(this.arr.length);
  }

  /**
   * `table.remove(t, pos)`'s shift on the array part, as its raw sets would leave it: the values
   * of keys pos+1..n (n = arr.length) move down one and key n is cleared, in one splice. The
   * caller checked 1 <= pos <= n.
   */
  removeAt(pos: number): void {
    const arr = this.arr;
    const n = arr.length;
    arr.splice(pos - 1, 1);
    let end = n - 1;
    while (end > 0 && arr[end - 1] === undefined) end--;
    if (n > this.trimmedFrom) this.trimmedFrom = n;
    if (end !== arr.length) arr.length = end;
  }

  private setHash(key: LuaValue, value: TableValue): void {
    let hash = this.hash;
    if (hash === undefined) {
      if (value === undefined) return;
      hash = this.hash = new Map();
    }
    if (value === undefined) {
      if (hash.has(key) && hash.get(key) !== undefined) {
        hash.set(key, undefined);
        this.dead++;
      }
      return;
    }
    if (this.dead === 0) {
      // No tombstones: the key is new exactly when the map grows (one operation, not two).
      const size = hash.size;
      hash.set(key, value);
      if (hash.size !== size) growth.bytes += SIZE.hashEntry;
      return;
    }
    if (hash.get(key) === undefined) {
      if (!hash.has(key)) {
        // A new key: Lua leaves `next` undefined after one, so this is when tombstones can go.
        if (this.dead > 8 && this.dead * 2 > hash.size) this.sweep();
        growth.bytes += SIZE.hashEntry;
      } else {
        this.dead--;
      }
    }
    hash.set(key, value);
  }

  private removeHash(key: LuaValue): void {
    const hash = this.hash!;
    if (hash.get(key) === undefined) this.dead--;
    hash.delete(key);
    this.walk = undefined;
  }

  /**
   * Takes a string key out without a tombstone (the table is as if it never had it), where no
   * traversal of the table may be going on (a new state's tables, before any script runs).
   */
  removeField(key: string): void {
    const strs = this.strs;
    if (strs === undefined) {
      if (this.manyFields) this.setHash(key, undefined);
      return;
    }
    const value = strs[key];
    if (value === undefined && !(this.deadFields !== 0 && key in strs)) return;
    delete strs[key];
    this.fieldCount--;
    if (value === undefined) this.deadFields--;
    this.walk = undefined;
  }

  private sweepFields(strs: Fields): void {
    for (const k in strs) {
      if (strs[k] === undefined) {
        delete strs[k];
        this.fieldCount--;
      }
    }
    this.deadFields = 0;
    this.walk = undefined;
  }

  private sweep(): void {
    const hash = this.hash!;
    for (const [k, v] of hash) if (v === undefined) hash.delete(k);
    this.dead = 0;
    this.walk = undefined;
  }

  /**
   * SETLIST: stores `n` values from `src[from..]` at keys `start`, `start + 1`, ... (a table
   * constructor's positional fields). Nils inside the run stay holes of the array part, as in PUC
   * Lua, so `#{1, nil, 3}` is 3 as there.
   */
  setList(start: number, src: LuaValue[], from: number, n: number): void {
    const arr = this.arr;
    const before = arr.length;
    for (let j = 0; j < n; j++) {
      const key = start + j;
      const v = src[from + j];
      if (key <= arr.length) arr[key - 1] = v;
      else if (key === arr.length + 1 && key < 0x40000000) {
        arr.push(v);
        // A key set earlier in the hash (`{[3] = x, 1, 2, 3}`) now lives in the array part.
        if (this.hash !== undefined && this.hash.has(key)) this.removeHash(key);
      } else this.set(key, v);
    }
    let end = arr.length;
    while (end > 0 && arr[end - 1] === undefined) end--;
    if (end !== arr.length) arr.length = end;
    if (end > before) growth.bytes += (end - before) * SIZE.arraySlot;
  }

  /** The string keys and their values (tombstones left out), without disturbing `next`'s state. */
  *fieldEntries(): Generator<[string, TableValue]> {
    const strs = this.strs;
    if (strs !== undefined) {
      for (const k in strs) if (strs[k] !== undefined) yield [k, strs[k]];
    } else if (this.manyFields) {
      for (const [k, v] of this.hash!) if (typeof k === 'string' && v !== undefined) yield [k, v];
    }
  }

  /** A string key whose value is `value` (first found), without disturbing `next`'s state. */
  findKeyOf(value: LuaValue): string | undefined {
    for (const [k, v] of this.fieldEntries()) if (v === value) return k;
    return undefined;
  }

  /** A border of the table (Lua's `#` without `__len`). */
  length(): number {
    const n = this.arr.length;
    if (n > 0) return n;
    const hash = this.hash;
    if (hash === undefined || hash.get(1) === undefined) return 0;
    // The sequence lives in the hash (keys set out of order): search for a border.
    let i = 1;
    while (hash.get(i + 1) !== undefined) i++;
    return i;
  }

  /**
   * The entry after `key` (undefined starts), as `next` needs it: returns false at the end, or
   * undefined when `key` is not in the table (the caller raises `invalid key to 'next'`).
   */
  next(key: LuaValue): [LuaValue, TableValue] | false | undefined {
    const arr = this.arr;
    let i = 0;
    if (key === undefined) {
      i = 0;
    } else {
      const k = key instanceof LFloat ? normaliseFloatKey(key.n) : key;
      if (typeof k === 'string' && !this.manyFields) return this.nextField(k);
      if (typeof k === 'number' && (k | 0) === k && k >= 1 && k <= arr.length) {
        i = k;
      } else if (this.hash !== undefined && this.hash.has(k)) {
        return this.nextInHash(k);
      } else if (typeof k === 'number' && Number.isInteger(k) && k >= 1 && k <= this.trimmedFrom) {
        // A key of the array part that was cleared during the traversal (the part shrank).
        i = arr.length;
      } else {
        return undefined;
      }
    }
    for (; i < arr.length; i++) {
      if (arr[i] !== undefined) return [i + 1, arr[i]];
    }
    return this.firstField();
  }

  private firstField(): [LuaValue, TableValue] | false {
    if (this.strs === undefined) return this.firstInHash();
    this.walk = { names: Object.keys(this.strs), at: -1, iter: undefined, key: undefined };
    return this.advanceField();
  }

  /** The field after the walk's, else the Map's first entry. */
  private advanceField(): [LuaValue, TableValue] | false {
    const walk = this.walk!;
    const names = walk.names!;
    const strs = this.strs!;
    for (let i = walk.at + 1; i < names.length; i++) {
      const v = strs[names[i]];
      if (v !== undefined) {
        walk.at = i;
        walk.key = names[i];
        return [names[i], v];
      }
    }
    return this.firstInHash();
  }

  private nextField(key: string): [LuaValue, TableValue] | false | undefined {
    const strs = this.strs;
    if (strs === undefined || !(key in strs)) return undefined;
    if (this.walk !== undefined && this.walk.names !== undefined && this.walk.key === key) return this.advanceField();
    // Not the key we returned last: find it (linear, but only when traversals interleave).
    const names = Object.keys(strs);
    this.walk = { names, at: names.indexOf(key), iter: undefined, key };
    return this.advanceField();
  }

  private firstInHash(): [LuaValue, TableValue] | false {
    if (this.hash === undefined) {
      this.walk = undefined;
      return false;
    }
    this.walk = { names: undefined, at: 0, iter: this.hash.entries(), key: undefined };
    return this.advance();
  }

  private advance(): [LuaValue, TableValue] | false {
    const walk = this.walk!;
    const iter = walk.iter!;
    for (;;) {
      const step = iter.next();
      if (step.done) {
        this.walk = undefined;
        return false;
      }
      const [k, v] = step.value;
      if (v !== undefined) {
        walk.key = k;
        return [k, v];
      }
    }
  }

  private nextInHash(key: LuaValue): [LuaValue, TableValue] | false | undefined {
    const hash = this.hash;
    if (hash === undefined || !hash.has(key)) return undefined;
    if (this.walk !== undefined && this.walk.iter !== undefined && this.walk.key === key) return this.advance();
    // Not the key we returned last: find it (linear, but only when traversals interleave).
    const iter = hash.entries();
    this.walk = { names: undefined, at: 0, iter, key: undefined };
    for (;;) {
      const step = iter.next();
      if (step.done) {
        this.walk = undefined;
        return false;
      }
      if (step.value[0] === key) return this.advance();
    }
  }
}

/**
 * Where a traversal is: in the fields' names (`names[at]` returned last), or in the Map's entries
 * (`iter` positioned after `key`).
 */
interface Walk {
  names: string[] | undefined;
  at: number;
  iter: Iterator<[LuaValue, TableValue]> | undefined;
  key: LuaValue;
}

/** The table key for a float: the integer with its value when there is one, the float otherwise. */
export function normaliseFloatKey(x: number): LuaValue {
  const i = floatToInteger(x);
  if (i !== undefined) return i;
  return x; // a non-integral float, or an integral one beyond int64 (never a safe integer)
}

/** Converts a key to its table form for the Map (used by callers that hash keys themselves). */
export function tableKey(key: LuaValue): LuaValue {
  return key instanceof LFloat ? normaliseFloatKey(key.n) : key;
}
