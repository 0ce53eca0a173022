// Lua patterns (manual §6.4.1) on byte strings: the matcher behind string.find, match, gmatch
// and gsub.
//
// The matcher is a backtracking one, with the behaviour of PUC Lua's: the same search order, the
// same captures, and the same limits. Its recursion is bounded like PUC's (MAXCCALLS = 200 nested
// match calls, then `pattern too complex`), so a pattern can never exhaust the JS stack. Repetition
// and alternatives are loops, so the work a pattern does is bounded only by the subject and the
// pattern (it can be exponential in the number of `-`/`*` items): the matcher charges the budget
// every CHARGE_BATCH steps, and the sandbox stops a pathological match there.

import type { LuaError } from '../vm/value';

/** Largest number of captures in one pattern (PUC's LUA_MAXCAPTURES). */
export const MAX_CAPTURES = 32;
/** Nesting of match calls before `pattern too complex` (PUC's MAXCCALLS). */
const MAX_MATCH_DEPTH = 200;
/** Steps between two calls of the budget callback. */
const CHARGE_BATCH = 1024;

const CAP_UNFINISHED = -1;
const CAP_POSITION = -2;

const ESC = 37; // '%'
const OPEN = 40; // '('
const CLOSE = 41; // ')'
const DOLLAR = 36; // '$'
const DOT = 46; // '.'
const LBRACKET = 91; // '['
const RBRACKET = 93; // ']'
const CARET = 94; // '^'
const DASH = 45; // '-'
const STAR = 42; // '*'
const PLUS = 43; // '+'
const QUESTION = 63; // '?'

// Character classes of the C locale, as bits per byte (bytes above 127 are in no class).
const ALPHA = 1;
const CNTRL = 2;
const DIGIT = 4;
const GRAPH = 8;
const LOWER = 16;
const PUNCT = 32;
const SPACE = 64;
const UPPER = 128;
const XDIGIT = 256;

const CLASS = new Uint16Array(256);
for (let c = 0; c < 128; c++) {
  let bits = 0;
  const upper = c >= 65 && c <= 90;
  const lower = c >= 97 && c <= 122;
  const digit = c >= 48 && c <= 57;
  if (upper || lower) bits |= ALPHA;
  if (upper) bits |= UPPER;
  if (lower) bits |= LOWER;
  if (digit) bits |= DIGIT;
  if (c < 32 || c === 127) bits |= CNTRL;
  if (c > 32 && c < 127) {
    bits |= GRAPH;
    if (!upper && !lower && !digit) bits |= PUNCT;
  }
  if (c === 32 || (c >= 9 && c <= 13)) bits |= SPACE;
  if (digit || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)) bits |= XDIGIT;
  CLASS[c] = bits;
}

/** The class bit of a class letter (lower case), or -1 for none. */
function classBits(letter: number): number {
  switch (letter) {
    case 97: return ALPHA; // a
    case 99: return CNTRL; // c
    case 100: return DIGIT; // d
    case 103: return GRAPH; // g
    case 108: return LOWER; // l
    case 112: return PUNCT; // p
    case 115: return SPACE; // s
    case 117: return UPPER; // u
    case 119: return ALPHA | DIGIT; // w
    case 120: return XDIGIT; // x
    case 122: return 0; // z: the deprecated class of the zero byte
    default: return -1;
  }
}

/** Whether byte `c` is in the class `%cl` (an upper-case letter is the complement). */
export function matchClass(c: number, cl: number): boolean {
  const lower = cl | 32;
  const bits = cl >= 65 && cl <= 90 || cl >= 97 && cl <= 122 ? classBits(lower) : -1;
  if (bits < 0) return cl === c;
  const res = bits === 0 ? c === 0 : (CLASS[c] & bits) !== 0;
  return cl >= 97 ? res : !res;
}

/** A 256-byte table per single-character item: 1 for each byte the item matches. */
function byteSet(has: (b: number) => boolean): Uint8Array {
  const set = new Uint8Array(256);
  for (let b = 0; b < 256; b++) if (has(b)) set[b] = 1;
  return set;
}
/** The bytes of `.`. */
let anyByte: Uint8Array | undefined;
/** The bytes of a literal character, by its code (made when first needed, as the next). */
const LITERAL_SETS: (Uint8Array | undefined)[] = new Array(256).fill(undefined);
/** The bytes of `%x`, by the code of x (a letter of no class, or not a letter, stands for itself). */
const CLASS_SETS: (Uint8Array | undefined)[] = new Array(256).fill(undefined);
/**
 * The bytes of short bracket sets (up to LONG_SET characters) by their text: the same few sets come
 * again and again (a table of 256 tests per call would cost more than most matches).
 */
const shortSets = new Map<string, Uint8Array>();
/** The most kept (then the map starts again). */
const SHORT_SETS = 256;

/** `run`'s answer when its slice of work ran out before the attempt ended (call it again). */
export const MORE = -2;
/** Steps a slice of matching may charge before `run` stops (a fraction of a millisecond). */
const SLICE_STEPS = 4096;
/** Sets longer than this are read once into a table of the 256 bytes (see `bracketSet`). */
const LONG_SET = 32;

// The machine's modes: entering a match call, running its body, returning a result.
const ENTER = 0;
const BODY = 1;
const RETURN = 2;

// What a waiting match call does when the call it made returns (one per level, as PUC's frames):
/** `x?` matched one: on failure, go on without it (s, ep). */
const K_OPTIONAL = 0;
/** `x*`/`x+`: on failure, back off one (s, i, p, ep). */
const K_MAX = 1;
/** `x-`: on failure, take one more if it matches (s, p, ep). */
const K_MIN = 2;
/** A capture opened: on failure, it is dropped. */
const K_OPEN = 3;
/** A capture closed (level l): on failure, it is open again. */
const K_CLOSE = 4;
/** Numbers kept per waiting call: its kind, then up to four. */
const FRAME = 5;


/** Stores waiting call `top`'s numbers in `frames` (in order, so the array stays packed). */
function push(frames: number[], top: number, kind: number, a: number, b: number, c: number, d: number): void {
  const f = top * FRAME;
  frames[f] = kind;
  frames[f + 1] = a;
  frames[f + 2] = b;
  frames[f + 3] = c;
  frames[f + 4] = d;
}

/** A long bracket set read once: its end in the pattern and its bytes. */
interface LongSet {
  end: number;
  bytes: Uint8Array | undefined;
}

/**
 * The state of one match: the subject, the pattern, the captures. `capStart[i]` is where capture
 * i starts; `capLen[i]` its length, or CAP_UNFINISHED / CAP_POSITION.
 *
 * The matcher is PUC's `match` recursion made an explicit machine: the match calls waiting on a
 * nested one are frames of a small stack (at most MAX_MATCH_DEPTH, then `pattern too complex`),
 * each saying what it does when the nested call returns. So an attempt can stop after any slice
 * of work (`run` answers MORE) and go on later where it stopped: the library functions are
 * resumable natives (Request.steps), and a long match gives the sandbox's clock and the event
 * loop their turns.
 */
export class MatchState {
  level = 0;
  readonly capStart: number[] = new Array(MAX_CAPTURES).fill(0);
  readonly capLen: number[] = new Array(MAX_CAPTURES).fill(0);
  private steps = 0;
  /** Steps this slice may still charge. */
  private sliceLeft = SLICE_STEPS;
  /** End of the pattern. */
  readonly patEnd: number;
  /** What a match must start with (see `nextStart`): undefined until analysed, null when anything. */
  private first: number | Uint8Array | null | undefined = undefined;
  /** Long sets by the position of their `[`. */
  private longSets: Map<number, LongSet> | undefined = undefined;
  /** The bytes of the bracket sets met, by the position of their `[` (see itemSet). */
  private sets: Uint8Array[] | undefined = undefined;

  // The machine (see run): the waiting calls (FRAME numbers each, grown as needed: most
  // matches need few), and where the attempt stopped.
  private readonly frames: number[] = [];
  private top = 0;
  private mode = RETURN;
  private curS = -1;
  private curP = 0;

  constructor(
    readonly src: string,
    readonly pat: string,
    /** Raises an error at the library function's caller (luaL_error). */
    readonly fail: (message: string) => LuaError,
    private readonly charge: (steps: number) => void,
  ) {
    this.patEnd = pat.length;
  }

  /** Clears the captures for a new attempt (PUC's reprepstate). */
  reset(): void {
    this.level = 0;
    this.top = 0;
  }

  /** Charges the steps not yet charged (at the end of a library call, or of a slice). */
  flush(): void {
    if (this.steps > 0) {
      const n = this.steps;
      this.steps = 0;
      this.sliceLeft -= n;
      this.charge(n);
    }
  }

  private step(n: number): void {
    this.steps += n;
    if (this.steps >= CHARGE_BATCH) this.flush();
  }

  /** A new slice of work starts (a resumable native's stepper was called). */
  newSlice(): void {
    this.sliceLeft = SLICE_STEPS;
  }

  /** Whether this slice's work is done (the caller should stop and be called again). */
  get sliceSpent(): boolean {
    return this.sliceLeft <= 0;
  }

  /**
   * The first position from `s` where a match can start, or past the end when none can. A
   * pattern whose first item needs one character (a literal, a class or a set, not followed by
   * `*`, `?` or `-`) fails at once where that character is absent: skipping those positions
   * changes nothing but the time spent (the attempts PUC makes there fail on the first item, which
   * raises no error the first attempt would not have raised already).
   */
  nextStart(s: number): number {
    let first = this.first;
    if (first === undefined) first = this.first = this.analyseFirst();
    if (first === null) return s;
    const src = this.src;
    const end = src.length;
    let t: number;
    if (typeof first === 'number') {
      t = src.indexOf(String.fromCharCode(first), s);
      if (t < 0) t = end + 1;
    } else {
      t = s;
      while (t < end && first[src.charCodeAt(t)] === 0) t++;
      if (t === end) t = end + 1;
    }
    this.step((t - s) >> 4);
    return t;
  }

  private analyseFirst(): number | Uint8Array | null {
    const pat = this.pat;
    if (this.patEnd === 0) return null;
    const c = pat.charCodeAt(0);
    if (c === OPEN || c === CLOSE || c === DOT || (c === DOLLAR && this.patEnd === 1)) return null;
    if (c === ESC) {
      const next = pat.charCodeAt(1);
      if (!(next >= 0) || next === 98 || next === 102 || (next >= 48 && next <= 57)) return null;
    }
    let ep: number;
    try {
      ep = this.classEnd(0);
    } catch {
      return null; // a malformed first item: the first attempt reports it
    }
    const suffix = pat.charCodeAt(ep);
    if (suffix === STAR || suffix === QUESTION || suffix === DASH) return null;
    // The bytes of the first item: its table (see itemSet).
    return c !== ESC && c !== LBRACKET ? c : this.itemSet(0, ep);
  }

  /** Matches the whole pattern from `p` against the subject from `s`, to the end: its end or -1. */
  match(s: number, p = 0): number {
    this.start(s, p);
    for (;;) {
      this.newSlice();
      const e = this.run();
      if (e !== MORE) return e;
    }
  }

  /** Starts an attempt at subject position `s` (with the pattern from `p`): `run` does it. */
  start(s: number, p = 0): void {
    this.reset();
    this.mode = ENTER;
    this.curS = s;
    this.curP = p;
  }

  /**
   * Goes on with the attempt: returns the end of the match, -1 when there is none, or MORE when
   * this slice's steps ran out first (call it again in a new slice). PUC's `match` and its helpers
   * (max_expand, min_expand, start_capture, end_capture), in the same order of trials.
   */
  run(): number {
    const pat = this.pat;
    const patEnd = this.patEnd;
    const src = this.src;
    const frames = this.frames;
    let s = this.curS;
    let p = this.curP;
    let mode = this.mode;
    let top = this.top;
    // (No cleanup on an error: the attempt is over, and the next one starts afresh.)
    for (;;) {
      if (mode === ENTER) {
        // A match call begins: the slice and the depth are checked here.
        if (this.sliceLeft <= 0) {
          this.curS = s;
          this.curP = p;
          this.mode = ENTER;
          this.top = top;
          return MORE;
        }
        if (top >= MAX_MATCH_DEPTH) throw this.fail('pattern too complex');
        if (++this.steps >= CHARGE_BATCH) this.flush();
        mode = BODY;
      }
      if (mode === BODY) {
        // The body of a match call; its tail calls are iterations of this loop.
        let items = 0;
        body: for (;;) {
          if (p === patEnd) break;
          items++;
          const pc = pat.charCodeAt(p);
          if (pc === OPEN) {
            const position = pat.charCodeAt(p + 1) === CLOSE;
            const level = this.level;
            if (level >= MAX_CAPTURES) throw this.fail('too many captures');
            this.capStart[level] = s;
            this.capLen[level] = position ? CAP_POSITION : CAP_UNFINISHED;
            this.level = level + 1;
            push(frames, top++, K_OPEN, 0, 0, 0, 0);
            p += position ? 2 : 1;
            mode = ENTER;
            break;
          }
          if (pc === CLOSE) {
            const l = this.captureToClose();
            this.capLen[l] = s - this.capStart[l];
            push(frames, top++, K_CLOSE, l, 0, 0, 0);
            p++;
            mode = ENTER;
            break;
          }
          if (pc === DOLLAR && p + 1 === patEnd) {
            if (s !== src.length) s = -1;
            break;
          }
          if (pc === ESC) {
            const next = pat.charCodeAt(p + 1);
            if (next === 98) { // %b
              s = this.matchBalance(s, p + 2);
              if (s !== -1) {
                p += 4;
                continue;
              }
              break;
            }
            if (next === 102) { // %f
              p += 2;
              if (pat.charCodeAt(p) !== LBRACKET) throw this.fail("missing '[' after '%f' in pattern");
              const ep = this.classEnd(p);
              const previous = s === 0 ? 0 : src.charCodeAt(s - 1);
              const current = s < src.length ? src.charCodeAt(s) : 0;
              if (!this.matchBracketClass(previous, p, ep - 1) && this.matchBracketClass(current, p, ep - 1)) {
                p = ep;
                continue;
              }
              s = -1;
              break;
            }
            if (next >= 48 && next <= 57) { // %0-%9: a back-reference
              s = this.matchCapture(s, next);
              if (s !== -1) {
                p += 2;
                continue;
              }
              break;
            }
          }
          // A single-character class with an optional repetition suffix.
          const ep = this.classEnd(p);
          const suffix = pat.charCodeAt(ep);
          if (!this.singleMatch(s, p, ep)) {
            if (suffix === STAR || suffix === QUESTION || suffix === DASH) {
              p = ep + 1;
              continue;
            }
            s = -1;
            break;
          }
          switch (suffix) {
            case QUESTION: {
              push(frames, top++, K_OPTIONAL, s, ep, 0, 0);
              s++;
              p = ep + 1;
              mode = ENTER;
              break body;
            }
            case PLUS:
            case STAR: {
              // As many as match, then the rest of the pattern from the longest.
              if (suffix === PLUS) s++;
              let i = 0;
              const set = this.itemSet(p, ep);
              for (const end = src.length; s + i < end && set[src.charCodeAt(s + i)] === 1;) i++;
              this.step(i >> 2);
              push(frames, top++, K_MAX, s, i, p, ep);
              s += i;
              p = ep + 1;
              mode = ENTER;
              break body;
            }
            case DASH: {
              push(frames, top++, K_MIN, s, 0, p, ep);
              p = ep + 1;
              mode = ENTER;
              break body;
            }
            default:
              s++;
              p = ep;
          }
        }
        if (items > 16) this.step(items >> 4);
        if (mode === ENTER) continue;
        mode = RETURN;
      }
      // A match call returns `s` to the call waiting on it.
      if (top === 0) {
        this.mode = RETURN;
        this.top = 0;
        this.curS = s;
        return s;
      }
      const f = --top * FRAME;
      switch (frames[f]) {
        case K_OPTIONAL:
          if (s === -1) {
            s = frames[f + 1];
            p = frames[f + 2] + 1;
            mode = BODY;
          }
          break;
        case K_MAX:
          if (s === -1) {
            const i = frames[f + 2] - 1;
            if (i >= 0) {
              frames[f + 2] = i;
              top++;
              s = frames[f + 1] + i;
              p = frames[f + 4] + 1;
              mode = ENTER;
            }
          }
          break;
        case K_MIN:
          if (s === -1) {
            const at = frames[f + 1];
            if (this.singleMatch(at, frames[f + 3], frames[f + 4])) {
              frames[f + 1] = at + 1;
              top++;
              s = at + 1;
              p = frames[f + 4] + 1;
              mode = ENTER;
            }
          }
          break;
        case K_OPEN:
          if (s === -1) this.level--;
          break;
        default: // K_CLOSE
          if (s === -1) this.capLen[frames[f + 1]] = CAP_UNFINISHED;
      }
    }
  }

  /** The index just after the single-character class at `p` (PUC's classend). */
  classEnd(p: number): number {
    const pat = this.pat;
    const c = pat.charCodeAt(p);
    if (c === ESC) {
      if (p + 1 >= this.patEnd) throw this.fail("malformed pattern (ends with '%')");
      return p + 2;
    }
    if (c === LBRACKET) {
      const known = this.longSets?.get(p);
      if (known !== undefined) return known.end;
      const start = p++;
      if (pat.charCodeAt(p) === CARET) p++;
      // The first character of a set is never its end: `[]]` is a set of `]`.
      do {
        if (p >= this.patEnd) throw this.fail("malformed pattern (missing ']')");
        const cc = pat.charCodeAt(p++);
        if (cc === ESC && p < this.patEnd) p++;
      } while (pat.charCodeAt(p) !== RBRACKET);
      if (p - start > LONG_SET) {
        this.step((p - start) >> 4);
        (this.longSets ??= new Map()).set(start, { end: p + 1, bytes: undefined });
      }
      return p + 1;
    }
    return p + 1;
  }

  /** Whether the subject byte at `s` matches the class at `p` (ending at `ep`). */
  private singleMatch(s: number, p: number, ep: number): boolean {
    return s < this.src.length && this.itemSet(p, ep)[this.src.charCodeAt(s)] === 1;
  }

  /**
   * The bytes the single-character item at `p` (ending at `ep`) matches, as a table: a literal,
   * `.` and `%x` have one each for good; a bracket set's is made the first time this match meets
   * it (a short one shared by every match of its text, as its scan would answer for each byte; a
   * long one read by bracketSet), so that a repetition tests each byte with one look.
   */
  private itemSet(p: number, ep: number): Uint8Array {
    const pat = this.pat;
    const pc = pat.charCodeAt(p);
    if (pc === LBRACKET) return this.sets?.[p] ?? this.bracketBytes(p, ep - 1);
    if (pc === ESC) {
      const cl = pat.charCodeAt(p + 1);
      return CLASS_SETS[cl] ?? (CLASS_SETS[cl] = byteSet((b) => matchClass(b, cl)));
    }
    if (pc === DOT) return (anyByte ??= byteSet(() => true));
    return LITERAL_SETS[pc] ?? (LITERAL_SETS[pc] = byteSet((b) => b === pc));
  }

  private bracketBytes(p: number, ec: number): Uint8Array {
    let set: Uint8Array;
    if (ec - p > LONG_SET) {
      set = this.bracketSet(p, ec);
    } else {
      const key = this.pat.slice(p, ec + 1);
      const known = shortSets.get(key);
      if (known !== undefined) {
        set = known;
      } else {
        set = byteSet((b) => this.matchBracketClass(b, p, ec));
        if (shortSets.size >= SHORT_SETS) shortSets.clear();
        shortSets.set(key, set);
      }
    }
    (this.sets ??= [])[p] = set;
    return set;
  }

  /** Whether byte `c` is in the set from `[` at `p` to its `]` at `ec`. */
  matchBracketClass(c: number, p: number, ec: number): boolean {
    if (ec - p > LONG_SET) return this.bracketSet(p, ec)[c] === 1;
    const pat = this.pat;
    let inSet = true;
    if (pat.charCodeAt(p + 1) === CARET) {
      inSet = false;
      p++;
    }
    while (++p < ec) {
      const pc = pat.charCodeAt(p);
      if (pc === ESC) {
        p++;
        if (matchClass(c, pat.charCodeAt(p))) return inSet;
      } else if (pat.charCodeAt(p + 1) === DASH && p + 2 < ec) {
        p += 2;
        if (pc <= c && c <= pat.charCodeAt(p)) return inSet;
      } else if (pc === c) {
        return inSet;
      }
    }
    return !inSet;
  }

  /**
   * The bytes of a long set (`[` at `p`, `]` at `ec`), read once in one pass with the same items
   * as matchBracketClass's scan: a byte is in the set when an item has it (the complement for
   * `[^`). A set of 100,000 items then costs one look per subject byte, not a scan.
   */
  private bracketSet(p: number, ec: number): Uint8Array {
    let known = this.longSets?.get(p);
    if (known === undefined) {
      known = { end: ec + 1, bytes: undefined };
      (this.longSets ??= new Map()).set(p, known);
    }
    if (known.bytes !== undefined) return known.bytes;
    const pat = this.pat;
    const has = new Uint8Array(256);
    this.step((ec - p) >> 4);
    let inSet = 1;
    if (pat.charCodeAt(p + 1) === CARET) {
      inSet = 0;
      p++;
    }
    while (++p < ec) {
      const pc = pat.charCodeAt(p);
      if (pc === ESC) {
        p++;
        const cl = pat.charCodeAt(p);
        for (let b = 0; b < 256; b++) if (has[b] === 0 && matchClass(b, cl)) has[b] = 1;
      } else if (pat.charCodeAt(p + 1) === DASH && p + 2 < ec) {
        p += 2;
        for (let b = pc, hi = pat.charCodeAt(p); b <= hi; b++) has[b] = 1;
      } else {
        has[pc] = 1;
      }
    }
    if (inSet === 0) for (let b = 0; b < 256; b++) has[b] ^= 1;
    known.bytes = has;
    return has;
  }

  /** `%bxy` at subject position `s`, the `x` at pattern position `p`. */
  private matchBalance(s: number, p: number): number {
    if (p >= this.patEnd - 1) throw this.fail("malformed pattern (missing arguments to '%b')");
    const src = this.src;
    const end = src.length;
    if (s >= end || src.charCodeAt(s) !== this.pat.charCodeAt(p)) return -1;
    const open = this.pat.charCodeAt(p);
    const close = this.pat.charCodeAt(p + 1);
    let depth = 1;
    const start = s;
    while (++s < end) {
      const c = src.charCodeAt(s);
      if (c === close) {
        if (--depth === 0) {
          this.step((s - start) >> 4);
          return s + 1;
        }
      } else if (c === open) {
        depth++;
      }
    }
    this.step((s - start) >> 4);
    return -1;
  }

  private captureToClose(): number {
    for (let level = this.level - 1; level >= 0; level--) {
      if (this.capLen[level] === CAP_UNFINISHED) return level;
    }
    throw this.fail('invalid pattern capture');
  }

  /** A back-reference `%1`..`%9` (the digit's char code is `l`). */
  private matchCapture(s: number, l: number): number {
    const i = this.checkCapture(l);
    const len = this.capLen[i];
    const start = this.capStart[i];
    const src = this.src;
    // A position capture has no text: PUC compares its length as a huge unsigned, so it fails.
    if (len >= 0 && src.length - s >= len) {
      for (let k = 0; k < len; k++) {
        if (src.charCodeAt(start + k) !== src.charCodeAt(s + k)) return -1;
      }
      this.step(len >> 4);
      return s + len;
    }
    return -1;
  }

  private checkCapture(l: number): number {
    const i = l - 49; // '1'
    if (i < 0 || i >= this.level || this.capLen[i] === CAP_UNFINISHED) throw this.fail(`invalid capture index %${i + 1}`);
    return i;
  }

  /**
   * Capture `i` of a match from `s` to `e`: its text, or its position for `()`. With no captures,
   * capture 0 is the whole match.
   */
  capture(i: number, s: number, e: number): string | number {
    if (i >= this.level) {
      if (i === 0) return this.src.slice(s, e);
      throw this.fail(`invalid capture index %${i + 1}`);
    }
    const len = this.capLen[i];
    if (len === CAP_UNFINISHED) throw this.fail('unfinished capture');
    const start = this.capStart[i];
    if (len === CAP_POSITION) return start + 1;
    return this.src.slice(start, start + len);
  }

  /** All captures of a match (or the whole match when there are none and `wholeIfNone`). */
  captures(s: number, e: number, wholeIfNone: boolean): (string | number)[] {
    const n = this.level === 0 && wholeIfNone ? 1 : this.level;
    const out: (string | number)[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.capture(i, s, e);
    return out;
  }
}

/** Whether a pattern has none of the special characters, so that `find` can search plainly. */
export function hasNoSpecials(p: string): boolean {
  return !/[\^$*+?.(\[%-]/.test(p);
}
