// How much memory a script holds: a mark pass over the Lua values reachable from a state's roots
// (its globals, the type metatables, the registry, and every thread's live stack and hook), adding up an estimate of each
// object's size — what PUC Lua's collector would count as in use, not what the script allocated
// and dropped. The sandbox runs it on a schedule proportional to the heap (amortized constant cost
// per instruction) and before large allocations, and raises `memory` when the limit is passed.

import { Coroutine, VM } from '../vm/interp';
import { LFloat } from '../vm/number';
import { LuaTable } from '../vm/table';
import { LuaClosure, LuaValue, NativeFunction, Upvalue, Userdata } from '../vm/value';

/** Estimated sizes in bytes, close to PUC Lua's 64-bit object sizes. */
const SIZE = {
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

export interface HeapSize {
  bytes: number;
  /** Objects visited: the cost of the pass, used to schedule the next one. */
  objects: number;
}

/** Measures the live Lua heap of `vm` with `roots` (the globals and anything the host keeps). */
export function measureHeap(vm: VM, roots: LuaValue[]): HeapSize {
  const seen = new Set<object>();
  const strings = new Set<string>();
  let bytes = 0;
  const work: unknown[] = [...roots];
  const meta = vm.typeMetatables;
  for (const t of [meta.string, meta.number, meta.boolean, meta.nil, meta.function, meta.thread]) if (t) work.push(t);
  work.push(vm.main, vm.current);
  // The loaded modules are held by the state (PUC's registry), whatever the globals still reach.
  work.push(vm.loaded);
  if (vm.registry) work.push(vm.registry);

  const push = (v: unknown): void => {
    if (typeof v === 'string') {
      // Each text once: PUC interns short strings; equal long strings made apart count once here.
      if (v.length > 0 && !strings.has(v)) {
        strings.add(v);
        bytes += SIZE.string + v.length;
      }
      return;
    }
    if (typeof v === 'object' && v !== null && !(v instanceof LFloat) && !seen.has(v)) work.push(v);
  };

  while (work.length > 0) {
    const v = work.pop();
    if (typeof v === 'string') {
      push(v);
      continue;
    }
    if (typeof v !== 'object' || v === null || v instanceof LFloat || seen.has(v)) continue;
    seen.add(v);
    if (v instanceof LuaTable) {
      bytes += SIZE.table + v.arr.length * SIZE.arraySlot;
      for (const item of v.arr) push(item);
      const hash = v.hash;
      if (hash !== undefined) {
        bytes += hash.size * SIZE.hashEntry;
        for (const [k, item] of hash) {
          push(k);
          push(item);
        }
      }
      if (v.metatable) push(v.metatable);
    } else if (v instanceof LuaClosure) {
      bytes += SIZE.closure + v.upvalues.length * 8;
      for (const up of v.upvalues) push(up);
    } else if (v instanceof Upvalue) {
      bytes += SIZE.upvalue;
      if (v.stack === undefined) push(v.value);
      // An open upvalue's value is on its thread's stack, which is traced with the thread.
    } else if (v instanceof Coroutine) {
      bytes += SIZE.thread;
      const live = liveTop(v);
      bytes += live * SIZE.slot;
      for (let i = 0; i < live; i++) push(v.stack[i]);
      if (v.fn) push(v.fn);
      if (v.resumer) push(v.resumer);
      if (v.hook) push(v.hook);
    } else if (v instanceof Userdata) {
      bytes += SIZE.userdata;
      if (v.metatable) push(v.metatable);
      push(v.userValue);
    } else if (v instanceof NativeFunction) {
      bytes += SIZE.closure;
    }
  }
  return { bytes, objects: seen.size + strings.size };
}

/** The highest stack slot a thread's live frames can reach. */
function liveTop(thread: Coroutine): number {
  let top = thread.top;
  for (let i = 0; i < thread.depth; i++) {
    const frame = thread.frames[i] as unknown as { base?: number; top?: number; func?: number };
    const t = Math.max(frame.top ?? 0, frame.base ?? 0);
    if (t > top) top = t;
  }
  return Math.min(top + 1, thread.stack.length);
}
