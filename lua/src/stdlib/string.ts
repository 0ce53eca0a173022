// The string library (manual §6.4), on byte strings (one JS char per byte). Pattern matching is
// in pattern.ts, `format` in format.ts, `pack`/`unpack`/`packsize` in pack.ts.

import { dumpToString } from '../vm/dump';
import { VM, isNumberValue } from '../vm/interp';
import { LuaNumber, numberToString } from '../vm/number';
import { LuaTable } from '../vm/table';
import { LuaClosure, LuaValue, NativeFunction, Request, Userdata, isFalsy, typeName } from '../vm/value';
import { Args, Charge, MAX_RESULTS, clampInt, library, memoryError, posrelat } from './args';
import { MAX_JS_STRING, MAX_STRING, format } from './format';
import { pack, packsize, unpack } from './pack';
import { MORE, MatchState, hasNoSpecials } from './pattern';

export { MAX_STRING };

/**
 * The bytes of `s` from `low` to `high` moved by `delta` (upper and lower in the C locale): one
 * pass over a byte buffer, so a long string costs a few milliseconds per megabyte, not a callback
 * per run of letters.
 */
function mapBytes(s: string, low: number, high: number, delta: number): string {
  const bytes = Buffer.from(s, 'latin1');
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c >= low && c <= high) bytes[i] = c + delta;
  }
  return bytes.toString('latin1');
}

export function openString(vm: VM, G: LuaTable, charge: Charge): LuaTable {
  const S = new LuaTable();
  G.setStr('string', S);

  /**
   * Builds a string of `length` bytes: charges for it, and fails as PUC (or memory) would. The
   * memory request comes first: over a sandbox's memory limit it is a `memory` error, whatever
   * Lua's own size limit would say; a plain state keeps Lua's message.
   */
  const reserve = (a: Args, length: number) => {
    if (length > MAX_STRING) throw a.fail('resulting string too large');
    charge(0, length);
    charge(length >> 4);
    if (length > MAX_JS_STRING) throw memoryError();
  };

  library(vm, S, 'string', {
    len: (a) => [a.string(1).length],

    sub: (a) => {
      const s = a.string(1);
      const l = s.length;
      let start = posrelat(a.int(2), l);
      let end = posrelat(a.optInt(3, -1), l);
      if (start < 1) start = 1;
      if (end > l) end = l;
      if (start > end) return [''];
      // The memory a long piece takes is counted (a short one is not worth the call).
      if (end - start >= 64) charge(0, end - start + 1);
      return [s.slice(start - 1, end)];
    },

    upper: (a) => {
      const s = a.string(1);
      charge(s.length >> 4, s.length);
      return [mapBytes(s, 97, 122, -32)];
    },

    lower: (a) => {
      const s = a.string(1);
      charge(s.length >> 4, s.length);
      return [mapBytes(s, 65, 90, 32)];
    },

    reverse: (a) => {
      const s = a.string(1);
      charge(s.length >> 4, s.length);
      return [Buffer.from(s, 'latin1').reverse().toString('latin1')];
    },

    rep: (a) => {
      const s = a.string(1);
      const n = a.int(2);
      const sep = a.optString(3, '');
      if (n <= 0) return [''];
      // Lua's size check first (5.3's MAXSIZE is INT_MAX: string.rep("x", 1e10) is "resulting
      // string too large" in lua5.3, a plain error), then the memory request, which in a sandbox
      // is a `memory` error when it passes the limit.
      if (s.length + sep.length > MAX_STRING / n) throw a.fail('resulting string too large');
      const total = s.length * n + sep.length * (n - 1);
      reserve(a, total);
      if (total === 0) return [''];
      if (sep === '') return [s.repeat(n)];
      return [(s + sep).repeat(n - 1) + s];
    },

    byte: (a) => {
      const s = a.string(1);
      const l = s.length;
      let posi = posrelat(a.optInt(2, 1), l);
      let pose = posrelat(a.optInt(3, posi), l);
      if (posi < 1) posi = 1;
      if (pose > l) pose = l;
      if (posi > pose) return [];
      if (pose - posi >= 0x7fffffff) throw a.fail('string slice too long');
      const n = pose - posi + 1;
      if (n > MAX_RESULTS) throw a.fail('stack overflow (string slice too long)');
      charge(n >> 2);
      const out: LuaValue[] = new Array(n);
      for (let k = 0; k < n; k++) out[k] = s.charCodeAt(posi - 1 + k);
      return out;
    },

    char: (a) => {
      const n = a.length;
      const codes: number[] = new Array(n);
      for (let i = 1; i <= n; i++) {
        const c = a.integer(i);
        if (!(c >= 0 && c <= 255)) throw a.error(i, 'value out of range');
        codes[i - 1] = Number(c);
      }
      charge(n >> 4, n);
      let out = '';
      for (let i = 0; i < n; i += 4096) out += String.fromCharCode(...codes.slice(i, i + 4096));
      return [out];
    },

    dump: (a) => {
      const f = a.func(1);
      // Only Lua functions have bytecode; natives (and host functions) cannot be dumped.
      if (!(f instanceof LuaClosure)) throw a.fail('unable to dump given function');
      const chunk = dumpToString(f.proto, !isFalsy(a.values[1]));
      charge(chunk.length >> 4, chunk.length);
      return [chunk];
    },

    format: (a) => format(a, charge),

    find: (a) => find(a, true, charge),
    match: (a) => find(a, false, charge),

    gmatch: (a) => {
      const s = a.string(1);
      const p = a.string(2);
      const ms = new MatchState(s, p, (m) => a.fail(m), charge);
      let src = 0;
      let lastMatch = -1;
      /** An attempt at `src` is under way (a slice ran out in it). */
      let trying = false;
      // Each call is resumable: a long search goes on in slices (see Request.steps).
      const next = (): LuaValue[] | undefined => {
        ms.newSlice();
        try {
          for (; src <= s.length; src++) {
            if (!trying) {
              if (ms.sliceSpent) return undefined;
              src = ms.nextStart(src);
              if (src > s.length) break;
              ms.start(src);
              trying = true;
            }
            const e = ms.run();
            if (e === MORE) return undefined;
            trying = false;
            if (e !== -1 && e !== lastMatch) {
              const start = src;
              src = lastMatch = e;
              return ms.captures(start, e, true);
            }
          }
          return [];
        } finally {
          ms.flush();
        }
      };
      // As PUC 5.3's C closure: the subject, the pattern and the match state (opaque). Changing
      // them with debug.setupvalue does not change the iteration, as there.
      const iterator = new NativeFunction('gmatch_iterator', () => Request.steps(next), [s, p, new Userdata(undefined)]);
      return [iterator];
    },

    gsub: (a) => gsub(vm, a, charge),

    pack: (a) => pack(a, charge),
    packsize: (a) => packsize(a),
    unpack: (a) => unpack(a, charge),
  });

  // Strings index the library: ("x"):upper().
  const meta = new LuaTable();
  meta.setStr('__index', S);
  vm.typeMetatables.string = meta;
  return S;
}

/** string.find (`isFind`) and string.match. */
function find(a: Args, isFind: boolean, charge: Charge): LuaValue[] | Request {
  const s = a.string(1);
  let p = a.string(2);
  const ls = s.length;
  let init = posrelat(a.optInt(3, 1), ls);
  if (init < 1) init = 1;
  else if (init > ls + 1) return [undefined];
  if (isFind && (a.boolean(4) || hasNoSpecials(p))) {
    charge((ls - init) >> 4);
    const at = s.indexOf(p, init - 1);
    return at < 0 ? [undefined] : [at + 1, at + p.length];
  }
  const anchor = p.charCodeAt(0) === 94; // '^'
  if (anchor) p = p.slice(1);
  const ms = new MatchState(s, p, (m) => a.fail(m), charge);
  let s1 = init - 1;
  /** An attempt at `s1` is under way (a slice ran out in it). */
  let trying = false;
  // Resumable: a long search goes on in slices (see Request.steps).
  return Request.steps(() => {
    ms.newSlice();
    try {
      for (;;) {
        if (!trying) {
          if (ms.sliceSpent) return undefined;
          if (!anchor) {
            s1 = ms.nextStart(s1);
            if (s1 > ls) break;
          }
          ms.start(s1);
          trying = true;
        }
        const e = ms.run();
        if (e === MORE) return undefined;
        trying = false;
        if (e !== -1) {
          if (isFind) return [s1 + 1, e, ...ms.captures(0, 0, false)];
          return ms.captures(s1, e, true);
        }
        if (!(s1++ < ls && !anchor)) break;
      }
      return [undefined];
    } finally {
      ms.flush();
    }
  });
}

/**
 * A byte string built piece by piece, in a buffer that doubles (gsub's result). A string grown
 * with `+=` is a rope of a node per piece, all alive until the end, and V8's young-generation
 * collections copied each of them: gsub with a function over 100,000 matches went through ~8 of
 * them at ~11 ms each here. Measured on that gsub: 63-79 ms against 94-117 ms.
 */
class TextBuilder {
  private buffer = Buffer.allocUnsafe(4096);
  length = 0;

  add(text: string): void {
    const n = text.length;
    const at = this.length;
    if (at + n > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, at + n));
      this.buffer.copy(grown, 0, 0, at);
      this.buffer = grown;
    }
    // A short piece byte by byte (a call into Buffer.write costs more than that).
    if (n < 16) for (let i = 0; i < n; i++) this.buffer[at + i] = text.charCodeAt(i);
    else this.buffer.write(text, at, 'latin1');
    this.length = at + n;
  }

  text(): string {
    return this.buffer.toString('latin1', 0, this.length);
  }
}

function gsub(vm: VM, a: Args, charge: Charge): LuaValue[] | Request {
  const src = a.string(1);
  let p = a.string(2);
  const repl = a.values[2];
  const maxN = clampInt(a.optInteger(4, src.length + 1));
  const replString = typeof repl === 'string' ? repl : isNumberValue(repl) ? numberToString(repl as LuaNumber) : undefined;
  const isTable = repl instanceof LuaTable;
  const isFunction = repl instanceof LuaClosure || repl instanceof NativeFunction;
  if (replString === undefined && !isTable && !isFunction) throw a.error(3, 'string/function/table expected');
  const anchor = p.charCodeAt(0) === 94;
  if (anchor) p = p.slice(1);
  const ms = new MatchState(src, p, (m) => a.fail(m), charge);
  const out = new TextBuilder();
  let s = 0;
  let lastMatch = -1;
  let n = 0;
  // Subject text is copied in runs: from `copied` up to the next match.
  let copied = 0;

  /** Adds the replacement value for the match s..e and moves past it. */
  const replaced = (value: LuaValue, e: number): void => {
    if (isFalsy(value)) out.add(src.slice(s, e));
    else if (typeof value === 'string') out.add(value);
    else if (isNumberValue(value)) out.add(numberToString(value as LuaNumber));
    else throw a.fail(`invalid replacement value (a ${typeName(value)})`);
    s = lastMatch = copied = e;
  };

  /** An attempt at `s` is under way (a slice ran out in it). */
  let trying = false;

  /**
   * Goes on from `s`, one slice of work (undefined: call again; see Request.steps). A Lua
   * function's replacement is asked for through the dispatch loop (so its callback can be stepped
   * and wait on host calls), and the scan resumes with its result.
   */
  const scan = (): LuaValue[] | Request | undefined => {
    ms.newSlice();
    try {
      while (n < maxN) {
        if (!trying) {
          if (ms.sliceSpent) return undefined;
          if (!anchor) {
            // Positions where no match can start are copied as they are.
            const next = ms.nextStart(s);
            if (next > src.length) {
              s = src.length;
              break;
            }
            s = next;
          }
          ms.start(s);
          trying = true;
        }
        const e = ms.run();
        if (e === MORE) return undefined;
        trying = false;
        if (e !== -1 && e !== lastMatch) {
          n++;
          if (copied < s) out.add(src.slice(copied, s));
          // The replacement for the match s..e.
          if (replString !== undefined) {
            out.add(expandReplacement(ms, a, replString, s, e));
            s = lastMatch = copied = e;
          } else if (isTable) {
            replaced(vm.index(repl, ms.capture(0, s, e)), e);
          } else if (repl instanceof LuaClosure) {
            const end = e;
            return Request.call(repl, ms.captures(s, e, true), (results) => {
              replaced(results[0], end);
              if (out.length > MAX_JS_STRING) throw memoryError();
              return anchor ? finish() : Request.steps(scan);
            });
          } else {
            replaced(vm.call(repl, ms.captures(s, e, true))[0], e);
          }
        } else if (s < src.length) {
          s++;
        } else {
          break;
        }
        if (out.length > MAX_JS_STRING) throw memoryError();
        if (anchor) break;
      }
    } finally {
      ms.flush();
    }
    return finish();
  };

  const finish = (): LuaValue[] => {
    out.add(src.slice(copied));
    charge(out.length >> 4, out.length);
    return [out.text(), n];
  };

  return Request.steps(scan);
}

/** A replacement string with `%0`..`%9` and `%%` expanded (PUC's add_s). */
function expandReplacement(ms: MatchState, a: Args, repl: string, s: number, e: number): string {
  if (repl.indexOf('%') < 0) return repl;
  let out = '';
  const l = repl.length;
  for (let i = 0; i < l; i++) {
    const c = repl.charCodeAt(i);
    if (c !== 37) {
      out += repl[i];
      continue;
    }
    i++;
    const d = i < l ? repl.charCodeAt(i) : 0;
    if (!(d >= 48 && d <= 57)) {
      if (d !== 37) throw a.fail("invalid use of '%' in replacement string");
      out += '%';
    } else if (d === 48) {
      out += ms.src.slice(s, e);
    } else {
      const cap = ms.capture(d - 49, s, e);
      out += typeof cap === 'number' ? String(cap) : cap;
    }
  }
  return out;
}
