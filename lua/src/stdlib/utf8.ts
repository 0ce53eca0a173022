// The utf8 library (manual §6.5) of Lua 5.3.6, on byte strings: code points up to U+10FFFF in
// sequences of at most 4 bytes; overlong forms are invalid, surrogates are accepted (as PUC does).
// `len` and `codepoint` over long strings are resumable natives: they scan in slices (see
// Request.steps), between which a sandbox reads its clock and gives the event loop its turns.

import type { VM } from '../vm/interp';
import { utf8Bytes } from '../syntax/lexer';
import { LuaTable } from '../vm/table';
import { LuaValue, NativeFunction, Request } from '../vm/value';
import { Args, Charge, MAX_RESULTS, library, posrelat } from './args';

const MAX_UNICODE = 0x10ffff;
/** Bytes scanned in one slice of a resumable call (well under a millisecond). */
const SLICE = 1 << 16;
/** The largest code point that does NOT need `count` continuation bytes (overlong below). */
const LIMITS = [0xff, 0x7f, 0x7ff, 0xffff];

function isCont(s: string, i: number): boolean {
  return (s.charCodeAt(i) & 0xc0) === 0x80;
}

/**
 * Decodes the sequence at byte `i` (0-based): [code point, index after it], or undefined when
 * invalid (PUC's utf8_decode; bytes past the end read as the terminating zero).
 */
export function decodeUtf8(s: string, i: number): [number, number] | undefined {
  let c = s.charCodeAt(i);
  if (!(c >= 0x80)) return [c >= 0 ? c : 0, i + 1];
  let res = 0;
  let count = 0;
  while (c & 0x40) {
    const cc = s.charCodeAt(i + ++count);
    if ((cc & 0xc0) !== 0x80) return undefined; // NaN past the end fails too
    res = (res << 6) | (cc & 0x3f);
    c <<= 1;
  }
  if (count > 3) return undefined;
  res |= (c & 0x7f) << (count * 5);
  if (res > MAX_UNICODE || res <= LIMITS[count]) return undefined;
  return [res, i + count + 1];
}

export function openUtf8(vm: VM, G: LuaTable, charge: Charge = () => {}): void {
  const U = new LuaTable();
  G.setStr('utf8', U);

  const codeAt = (a: Args, i: number): string => {
    const code = a.integer(i);
    if (!(code >= 0 && code <= MAX_UNICODE)) throw a.error(i, 'value out of range');
    return utf8Bytes(Number(code));
  };

  // The iterator of utf8.codes (PUC's iter_aux).
  const codesStep = new NativeFunction('utf8.codes_iterator', (values) => {
    const a = new Args(vm, '?', values);
    const s = a.string(1);
    const len = s.length;
    const control = values[1];
    let n = (typeof control === 'number' ? control : typeof control === 'bigint' ? Number(control) : 0) - 1;
    if (n < 0) {
      n = 0;
    } else if (n < len) {
      n++;
      while (isCont(s, n)) n++;
    }
    if (n >= len) return [];
    const d = decodeUtf8(s, n);
    if (d === undefined || isCont(s, d[1])) throw a.fail('invalid UTF-8 code');
    return [n + 1, d[0]];
  });

  library(vm, U, 'utf8', {
    char: (a) => {
      const n = a.length;
      if (n === 1) return [codeAt(a, 1)];
      let out = '';
      for (let i = 1; i <= n; i++) out += codeAt(a, i);
      charge(n >> 2);
      return [out];
    },

    codepoint: (a) => {
      const s = a.string(1);
      const len = s.length;
      const posi = posrelat(a.optInt(2, 1), len);
      const pose = posrelat(a.optInt(3, posi), len);
      if (!(posi >= 1)) throw a.error(2, 'out of range');
      if (!(pose <= len)) throw a.error(3, 'out of range');
      if (posi > pose) return [];
      if (pose - posi >= 0x7fffffff) throw a.fail('string slice too long');
      if (pose - posi + 1 > MAX_RESULTS) throw a.fail('stack overflow (string slice too long)');
      const out: LuaValue[] = [];
      let p = posi - 1;
      return Request.steps(() => {
        const stop = Math.min(pose, p + SLICE);
        charge((stop - p) >> 2);
        while (p < stop) {
          const d = decodeUtf8(s, p);
          if (d === undefined) throw a.fail('invalid UTF-8 code');
          out.push(d[0]);
          p = d[1];
        }
        return p < pose ? undefined : out;
      });
    },

    len: (a) => {
      const s = a.string(1);
      const len = s.length;
      let posi = posrelat(a.optInt(2, 1), len);
      let posj = posrelat(a.optInt(3, -1), len);
      if (!(1 <= posi && --posi <= len)) throw a.error(2, 'initial position out of string');
      if (!(--posj < len)) throw a.error(3, 'final position out of string');
      let n = 0;
      return Request.steps(() => {
        const stop = Math.min(posj + 1, posi + SLICE);
        charge((stop - posi) >> 2);
        while (posi < stop) {
          if (s.charCodeAt(posi) < 0x80) {
            posi++;
          } else {
            const d = decodeUtf8(s, posi);
            if (d === undefined) return [undefined, posi + 1];
            posi = d[1];
          }
          n++;
        }
        return posi <= posj ? undefined : [n];
      });
    },

    offset: (a) => {
      const s = a.string(1);
      const len = s.length;
      let n = a.int(2);
      let posi = posrelat(a.optInt(3, n >= 0 ? 1 : len + 1), len);
      if (!(1 <= posi && --posi <= len)) throw a.error(3, 'position out of range');
      const start = posi;
      if (n === 0) {
        while (posi > 0 && isCont(s, posi)) posi--;
      } else {
        if (isCont(s, posi)) throw a.fail('initial position is a continuation byte');
        if (n < 0) {
          while (n < 0 && posi > 0) {
            do {
              posi--;
            } while (posi > 0 && isCont(s, posi));
            n++;
          }
        } else {
          n--;
          while (n > 0 && posi < len) {
            do {
              posi++;
            } while (isCont(s, posi));
            n--;
          }
        }
      }
      charge(Math.abs(posi - start) >> 2);
      return n === 0 ? [posi + 1] : [undefined];
    },

    codes: (a) => {
      const s = a.string(1);
      return [codesStep, s, 0];
    },
  });

  U.setStr('charpattern', '[\x00-\x7F\xC2-\xF4][\x80-\xBF]*');
}
