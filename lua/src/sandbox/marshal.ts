// Values across the sandbox boundary: Lua values to plain JSON-like JavaScript (host arguments, the
// script's output) and back (input, host results). Conversion reads tables raw — no metamethod
// runs, so no script code runs inside the host's call — and is bounded: cycles are refused and
// nesting and size are limited, so a hostile value cannot hang or exhaust the host.
//
// Strings: Lua strings are bytes; they reach JavaScript decoded as UTF-8 (invalid sequences as
// U+FFFD) and JavaScript strings reach Lua encoded as UTF-8.

import { LFloat } from '../vm/number';
import { LuaTable } from '../vm/table';
import type { LuaValue } from '../vm/value';
import { now } from '../vm/clock';

/** Deepest nesting converted either way. */
export const MAX_DEPTH = 100;
/** Most values (table entries, array items, object properties) converted in one value. */
export const MAX_VALUES = 1_000_000;
/**
 * Most keys of one object made from a table. JavaScript lists an object's keys in one step that
 * nothing can slice (Object.keys, for…in, validation alike: ~10 ms for 50,000 keys, ~190 ms for
 * 500,000 on a 2-core machine, growing faster than the count), so an object a script could make
 * and a host hand back (an echo) must not hold the host's event loop when it is read again.
 */
export const MAX_OBJECT_KEYS = 50_000;

export class MarshalError extends Error {}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A Lua byte string as a JavaScript string (UTF-8 decoded). */
export function luaStringToJs(s: string): string {
  // ASCII needs no decoding (the common case).
  // eslint-disable-next-line no-control-regex
  if (!/[\x80-\xff]/.test(s)) return s;
  return Buffer.from(s, 'latin1').toString('utf8');
}

/** A JavaScript string as a Lua byte string (UTF-8 encoded). */
export function jsStringToLua(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(s)) return s;
  return Buffer.from(s, 'utf8').toString('latin1');
}

// ---- conversion in slices ----------------------------------------------------------------------
// A conversion is a generator that yields every CHARGE_EVERY values (and after each piece of a long
// string): `finish` runs it at once, `inSlices` runs it a few milliseconds at a time with a turn of
// the event loop between (host calls, which are asynchronous anyway), so that a huge value never
// holds the loop. The charge callback sees the work as it goes and may throw (a limit): that ends
// the conversion. A yield of `true` says the next step is long (see inSlices).

/** A conversion that can be run in slices. */
export type Steps<R> = Generator<boolean | void, R, void>;

/** Runs a conversion to its end at once. */
export function finish<R>(steps: Steps<R>): R {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * Milliseconds that sandbox work in this thread has held it: runs' instructions (Run.execute) and
 * the slices here. A run that gives the event loop a turn leaves out of its own time what other
 * runs held the thread in that turn; the rest of the turn (V8 freeing its garbage, the host's own
 * work) is its time, so a run alone ends at its time limit by the wall clock too.
 */
let heldMs = 0;
/** holding() calls running (one inside another counts once). */
let holdingDepth = 0;

/** The thread time sandbox work has held so far (see heldMs). */
export function heldByRuns(): number {
  return heldMs;
}

/** heldMs when the event loop last had a turn (see busyTurn). */
let heldAtTurn = 0;
let turnMarked = false;

/** Runs `f`, counting its time as held by sandbox work. */
export function holding<T>(f: () => T): T {
  if (holdingDepth > 0) return f();
  if (!turnMarked) {
    // Sandbox work in this turn of the loop is counted from here until the loop's next turn.
    turnMarked = true;
    heldAtTurn = heldMs;
    setImmediate(() => { turnMarked = false; });
  }
  const at = now();
  holdingDepth++;
  try {
    return f();
  } finally {
    holdingDepth--;
    heldMs += now() - at;
  }
}

/**
 * Whether sandbox work has held the thread TURN_MS since the event loop's last turn: a run about
 * to start then waits for nextTurn, so that a host starting many runs in one go (each runs its
 * first slice at once) does not hold the loop for all of them.
 */
export function busyTurn(): boolean {
  return turnMarked && heldMs - heldAtTurn >= TURN_MS;
}

/** Sandbox work in one turn of the event loop: past this, the runs still waiting go on in the next turn. */
const TURN_MS = 10;
/** Runs and sliced conversions waiting for their next slice, in order (from `head` on). */
let waiting: (() => void)[] = [];
let head = 0;
let pumping = false;

/**
 * Resolves when a run (or a sliced conversion) that gave the event loop a turn may take its next
 * slice. The waiter must take it in the continuation itself (synchronously after the await).
 *
 * Each waiter used to have a setImmediate of its own, and Node runs every immediate queued
 * before its check phase in that one phase: 200 runs taking a 10 ms slice each held the thread
 * 2 s before a timer or an I/O callback could run. Here one pump hands out the slices in order,
 * one waiter at a time (its continuation runs before the pump's, microtasks being in order), and
 * ends the turn once sandbox work has held the thread TURN_MS in it: the other waiters go on in
 * the next turn, after the loop's timers and I/O, first in line. However many runs there are, the
 * loop waits at most TURN_MS and a slice.
 */
export function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => {
    waiting.push(resolve);
    if (!pumping) {
      pumping = true;
      setImmediate(pump);
    }
  });
}

async function pump(): Promise<void> {
  const start = heldMs;
  while (head < waiting.length) {
    const next = waiting[head];
    head++;
    next();
    await undefined;
    if (heldMs - start >= TURN_MS) break;
  }
  if (head >= waiting.length) {
    waiting = [];
    head = 0;
    pumping = false;
    return;
  }
  if (head > 1024) {
    waiting = waiting.slice(head);
    head = 0;
  }
  setImmediate(pump);
}

/**
 * Runs a conversion for at most `sliceMs`; when it is not done by then, the rest runs in slices
 * of `sliceMs` with a turn of the event loop (nextTurn) between: `{ value }` when it ended at
 * once, else `{ later }`. Whatever it throws is thrown (at once) or rejects `later`. A step that
 * yields `true` says its next step is long (the collector reading a long rope): that one starts a
 * slice of its own, not one partly used.
 */
export function inSlices<R>(steps: Steps<R>, sliceMs: number): { value: R } | { later: Promise<R> } {
  // Up to the first yield (CHARGE_EVERY values) without reading the clock: most values end there.
  const begun = steps.next();
  if (begun.done) return { value: begun.value };
  const slice = (): { value: R } | undefined => holding(() => {
    const until = now() + sliceMs;
    for (;;) {
      const r = steps.next();
      if (r.done) return { value: r.value };
      if (r.value === true || now() >= until) return undefined;
    }
  });
  const first = begun.value === true ? undefined : slice();
  if (first !== undefined) return first;
  return {
    later: new Promise<R>((resolve, reject) => {
      const go = (): void => {
        try {
          const r = slice();
          if (r !== undefined) resolve(r.value);
          else void nextTurn().then(go);
        } catch (e) {
          reject(e);
        }
      };
      void nextTurn().then(go);
    }),
  };
}

/** Characters (or bytes) of a string converted between two yields. */
const PIECE = 1 << 20;

/**
 * `convert` of a long string in pieces of about PIECE characters, a yield after each (so that a
 * long string does not hold the event loop); `end` moves a piece's end back to where it may end.
 */
function* inPieces(s: string, convert: (piece: string) => string, end: (s: string, at: number) => number): Steps<string> {
  if (s.length <= PIECE) return convert(s);
  // A long string may be a rope (string.rep, concatenation), which its first read flattens in one
  // piece (~36 ms for 50 MB): that read starts a slice of its own, not one partly used.
  yield true;
  const parts: string[] = [];
  let changed = false;
  for (let i = 0; i < s.length;) {
    const stop = end(s, Math.min(s.length, i + PIECE));
    const piece = s.slice(i, stop);
    const converted = convert(piece);
    if (converted !== piece) changed = true;
    parts.push(converted);
    i = stop;
    yield;
  }
  return changed ? parts.join('') : s;
}

/** luaStringToJs in pieces: a piece ends before a UTF-8 sequence's continuation bytes, never inside a sequence. */
function luaStringToJsSteps(s: string): Steps<string> {
  return inPieces(s, luaStringToJs, (text, at) => {
    let stop = at;
    for (let back = 0; back < 3 && stop < text.length && (text.charCodeAt(stop) & 0xc0) === 0x80; back++) stop--;
    return stop;
  });
}

/** jsStringToLua in pieces: a piece never ends between the two halves of a surrogate pair. */
function jsStringToLuaSteps(s: string): Steps<string> {
  return inPieces(s, jsStringToLua, (text, at) => (at < text.length && (text.charCodeAt(at - 1) & 0xfc00) === 0xd800 ? at - 1 : at));
}

/** Largest integer magnitude a JSON number carries exactly (2^53). */
const EXACT_INTEGER = 2n ** 53n;

export interface FromLuaOptions {
  /** What the value is, for messages ("the output", "argument 'to'"). */
  what?: string;
  /**
   * The JSON schema the value is meant for: an empty table becomes what it says there (an array
   * or an object), and an integer beyond ±2^53 becomes a decimal string where it says string.
   */
  schema?: unknown;
  /** Most bytes of JSON the value may become: refused as soon as the strings met pass it, before more is built. */
  maxBytes?: number;
  /** Told of the work as it goes: values converted, in batches (the sandbox charges its budget and reads its clock). */
  charge?: ValuesCharge;
}

/**
 * Work done converting: `values` more values (called every CHARGE_EVERY values and at the end),
 * and `bytes` of a string about to be converted (before it is, so a limit can refuse it first).
 */
export type ValuesCharge = (values: number, bytes?: number) => void;
/** The work of converting a string: a value's worth per this many characters. */
const CHARS_PER_VALUE = 64;
const CHARGE_EVERY = 1024;

/**
 * A Lua value as JSON-like JavaScript: nil → null, integers and floats → numbers, strings →
 * strings, a table whose keys are exactly 1..n → an array, any other table → an object (integer
 * keys written as decimal strings), an empty table → what the schema says there (an object
 * unless it says array). What JSON cannot carry faithfully is refused with the place it is at:
 * functions, coroutines, userdata, cycles, NaN and infinities, integers beyond ±2^53 (unless the
 * schema says string there), keys that are not UTF-8, and two keys that become one (1 and "1").
 */
export function fromLua(value: LuaValue, options: FromLuaOptions = {}): Json {
  return finish(fromLuaSteps(value, options));
}

/** What fromLuaSteps's scalar answers for a value that is no scalar. */
const NOT_SCALAR: unique symbol = Symbol('not a scalar');

/** fromLua as a conversion that can run in slices (inSlices). */
export function* fromLuaSteps(value: LuaValue, options: FromLuaOptions = {}): Steps<Json> {
  const conversion = new LuaToJson(options);
  const json = yield* conversion.convert(value, options.schema, 0, '');
  options.charge?.(conversion.values % CHARGE_EVERY);
  return json;
}

/**
 * One fromLua conversion. A class, so that its generator is made once: a generator function
 * written inside another function is a new function object (with its own prototype) at every
 * call, which made every host call cost twenty times more.
 */
class LuaToJson {
  private readonly seen = new Set<LuaTable>();
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly what: string;
  private readonly schemas: SchemaView;
  private readonly charge: ValuesCharge | undefined;
  values = 0;

  constructor(options: FromLuaOptions) {
    this.maxBytes = options.maxBytes ?? Infinity;
    this.what = options.what ?? 'the value';
    this.schemas = new SchemaView(options.schema);
    this.charge = options.charge;
  }

  private at(path: string): string {
    return path ? ` (at ${path})` : '';
  }

  /** Counted before it is decoded: a huge string is refused without being copied. */
  private count(s: string, path: string): void {
    if ((this.bytes += s.length + 2) > this.maxBytes) throw new MarshalError(`${this.what} is more than the limit of ${this.maxBytes} bytes${this.at(path)}`);
    if (s.length >= CHARS_PER_VALUE) this.charge?.(s.length / CHARS_PER_VALUE | 0, s.length);
  }

  private text(s: string, path: string): string {
    this.count(s, path);
    return luaStringToJs(s);
  }

  private number(n: number, path: string): number {
    if (!Number.isFinite(n)) throw new MarshalError(`${this.what} has ${Number.isNaN(n) ? 'NaN' : n > 0 ? 'inf' : '-inf'}${this.at(path)}, which JSON cannot carry`);
    this.bytes += 8;
    return n;
  }

  /** One more value: true when a yield is due (every CHARGE_EVERY values, charged then). */
  private tick(): boolean {
    if (++this.values > MAX_VALUES) throw new MarshalError(`${this.what} has more than ${MAX_VALUES} values`);
    if (this.values % CHARGE_EVERY !== 0) return false;
    this.charge?.(CHARGE_EVERY);
    return true;
  }

  /** A value that is no table, converted (a string no longer than a piece); NOT_SCALAR for the others. */
  private scalar(v: LuaValue, schema: unknown, path: string): Json | typeof NOT_SCALAR {
    if (v === undefined || v === null) return null;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string') return v.length <= PIECE ? this.text(v, path) : NOT_SCALAR;
    if (typeof v === 'number') return this.number(v, path);
    if (typeof v === 'bigint') {
      if (v <= EXACT_INTEGER && v >= -EXACT_INTEGER) return Number(v);
      if (this.schemas.wantsString(schema)) return this.text(v.toString(), path);
      throw new MarshalError(`${this.what} has the integer ${v}${this.at(path)}, beyond what a JSON number carries exactly (±2^53); the schema can ask for a string there`);
    }
    if (v instanceof LFloat) return this.number(v.n, path);
    if (v instanceof LuaTable) return NOT_SCALAR;
    throw new MarshalError(`${this.what} contains a ${typeNameOf(v)}${this.at(path)}, which cannot leave the sandbox`);
  }

  /**
   * scalar inside a table: tried without its schema and place (working them out for every value
   * would cost more than the value), which only a refusal or an integer beyond ±2^53 needs.
   */
  private scalarIn(v: LuaValue, schemaOf: () => unknown, pathOf: () => string): Json | typeof NOT_SCALAR {
    try {
      return this.scalar(v, undefined, '');
    } catch (e) {
      if (e instanceof MarshalError) return this.scalar(v, schemaOf(), pathOf());
      throw e;
    }
  }

  /** An item of a table: a scalar at once, a table or a long string converted (with yields). */
  private *item(item: LuaValue, schemaOf: () => unknown, depth: number, pathOf: () => string): Steps<Json> {
    const converted = this.scalarIn(item, schemaOf, pathOf);
    if (converted !== NOT_SCALAR) {
      if (this.tick()) yield;
      return converted;
    }
    return yield* this.convert(item, schemaOf(), depth + 1, pathOf());
  }

  *convert(v: LuaValue, schema: unknown, depth: number, path: string): Steps<Json> {
    const { what, schemas, seen } = this;
    if (this.tick()) yield;
    const plain = this.scalar(v, schema, path);
    if (plain !== NOT_SCALAR) return plain;
    if (typeof v === 'string') {
      this.count(v, path);
      return yield* luaStringToJsSteps(v);
    }
    if (!(v instanceof LuaTable)) throw new MarshalError(`${what} contains a ${typeNameOf(v)}${this.at(path)}, which cannot leave the sandbox`);
    if (depth >= MAX_DEPTH) throw new MarshalError(`${what} is nested more than ${MAX_DEPTH} tables deep${this.at(path)}`);
    if (seen.has(v)) throw new MarshalError(`${what} contains a cycle${this.at(path)}`);
    seen.add(v);
    const arr = v.arr;
    if (v.hash === undefined && v.strs === undefined && arr.length > 0 && !arr.includes(undefined)) {
      // Only an array part without holes: a sequence, read in place (no list of entries made).
      if (arr.length > MAX_VALUES) throw new MarshalError(`${what} has more than ${MAX_VALUES} values`);
      // Pushed in order: `new Array(n)` of a big n is a slow dictionary-mode array.
      const array: Json[] = [];
      for (let i = 0; i < arr.length; i++) {
        const item = arr[i] as LuaValue;
        const converted = this.scalarIn(item, () => schemas.item(schema, i), () => `${path}[${i + 1}]`);
        if (converted !== NOT_SCALAR) {
          if (this.tick()) yield;
          array.push(converted);
        } else {
          array.push(yield* this.item(item, () => schemas.item(schema, i), depth, () => `${path}[${i + 1}]`));
        }
      }
      seen.delete(v);
      return array;
    }
    const entries: [LuaValue, LuaValue][] = [];
    let key: LuaValue = undefined;
    for (;;) {
      const next = v.next(key);
      if (!next) break;
      entries.push(next as [LuaValue, LuaValue]);
      key = next[0];
      if (entries.length > MAX_VALUES) throw new MarshalError(`${what} has more than ${MAX_VALUES} values`);
      if (entries.length % CHARGE_EVERY === 0) {
        this.charge?.(CHARGE_EVERY);
        yield;
      }
    }
    let result: Json;
    if (entries.length === 0) {
      result = schemas.shape(schema) === 'array' ? [] : {};
    } else if (isSequence(entries)) {
      const array: Json[] = new Array(entries.length);
      for (const [k, item] of entries) {
        const index = (k as number) - 1;
        array[index] = yield* this.item(item, () => schemas.item(schema, index), depth, () => `${path}[${k as number}]`);
      }
      result = array;
    } else {
      if (entries.length > MAX_OBJECT_KEYS) {
        throw new MarshalError(`${what} has ${entries.length} keys${this.at(path)}, more than the ${MAX_OBJECT_KEYS} an object may have (JavaScript lists an object's keys in one step, which would hold the host's thread; a sequence has no such limit)`);
      }
      const object: { [key: string]: Json } = {};
      const from = new Map<string, LuaValue>();
      for (const [k, item] of entries) {
        let name: string;
        if (typeof k === 'string') {
          if (!isUtf8(k)) throw new MarshalError(`${what} has a key that is not UTF-8${this.at(path)}: ${JSON.stringify(luaStringToJs(k))}`);
          name = this.text(k, path);
        } else if (typeof k === 'number' && Number.isInteger(k)) name = String(k);
        else if (typeof k === 'bigint') name = k.toString();
        else throw new MarshalError(`${what} has a ${keyTypeName(k)} key${this.at(path)}: only string and integer keys convert`);
        const other = from.get(name);
        if (from.has(name)) {
          throw new MarshalError(`${what} has the keys ${describeKey(other)} and ${describeKey(k)}${this.at(path)}, which both become "${name}"`);
        }
        from.set(name, k);
        const converted = yield* this.item(item, () => schemas.property(schema, name), depth, () => (path ? `${path}.${name}` : name));
        // Own data properties only: a key named __proto__ is an ordinary property here.
        Object.defineProperty(object, name, { value: converted, enumerable: true, writable: true, configurable: true });
      }
      result = object;
    }
    seen.delete(v);
    return result;
  }
}

/**
 * What an empty Lua table becomes where `schema` applies (`root`: the schema its `$ref`s point
 * into): an array where it says array (and not object), an object otherwise. The output
 * conversion decides so at every depth, and the analysis judges by it.
 */
export function emptyTableShape(schema: unknown, root: unknown = schema): 'array' | 'object' {
  return new SchemaView(root).shape(schema);
}

/** A key as the script wrote it: 1, or "1". */
function describeKey(k: LuaValue): string {
  return typeof k === 'string' ? JSON.stringify(luaStringToJs(k)) : String(k);
}

/** Whether a Lua byte string is valid UTF-8 (so decoding it changes nothing). */
function isUtf8(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  if (!/[\x80-\xff]/.test(s)) return true;
  const bytes = Buffer.from(s, 'latin1');
  return Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);
}

/**
 * Reading a JSON schema along a value: the subschema of a property or an item (local `$ref`s
 * followed, `anyOf`/`oneOf` branches kept side by side), and what it says of empty tables and
 * of strings. Anything it does not understand says nothing (an empty table is an object).
 */
class SchemaView {
  constructor(private readonly root: unknown) {}

  /** The object schemas `schema` stands for ($ref followed, branches of anyOf/oneOf/allOf). */
  private cases(schema: unknown, depth = 0): Record<string, unknown>[] {
    if (typeof schema !== 'object' || schema === null || depth > 16) return [];
    const s = schema as Record<string, unknown>;
    const out: Record<string, unknown>[] = [s];
    if (typeof s.$ref === 'string') out.push(...this.cases(this.pointer(s.$ref), depth + 1));
    for (const key of ['anyOf', 'oneOf', 'allOf']) {
      const branches = s[key];
      if (Array.isArray(branches)) for (const b of branches) out.push(...this.cases(b, depth + 1));
    }
    return out;
  }

  private pointer(ref: string): unknown {
    if (!ref.startsWith('#')) return undefined;
    let node: unknown = this.root;
    for (const raw of ref.slice(1).split('/').slice(1)) {
      const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
    }
    return node;
  }

  private types(schema: unknown): Set<string> {
    const types = new Set<string>();
    for (const s of this.cases(schema)) {
      if (typeof s.type === 'string') types.add(s.type);
      else if (Array.isArray(s.type)) for (const t of s.type) if (typeof t === 'string') types.add(t);
    }
    return types;
  }

  shape(schema: unknown): 'array' | 'object' {
    const types = this.types(schema);
    return types.has('array') && !types.has('object') ? 'array' : 'object';
  }

  wantsString(schema: unknown): boolean {
    const types = this.types(schema);
    return types.has('string') && !types.has('integer') && !types.has('number');
  }

  property(schema: unknown, name: string): unknown {
    const found = this.cases(schema).map((s) => {
      const props = s.properties;
      if (typeof props === 'object' && props !== null && Object.prototype.hasOwnProperty.call(props, name)) return (props as Record<string, unknown>)[name];
      return typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
    }).filter((x) => x !== undefined);
    return found.length === 0 ? undefined : found.length === 1 ? found[0] : { anyOf: found };
  }

  item(schema: unknown, index: number): unknown {
    const found = this.cases(schema).map((s) => {
      if (Array.isArray(s.prefixItems) && index < s.prefixItems.length) return s.prefixItems[index] as unknown;
      if (Array.isArray(s.items)) return index < s.items.length ? s.items[index] as unknown : s.additionalItems;
      return typeof s.items === 'object' ? s.items : undefined;
    }).filter((x) => x !== undefined);
    return found.length === 0 ? undefined : found.length === 1 ? found[0] : { anyOf: found };
  }
}

function isSequence(entries: [LuaValue, LuaValue][]): boolean {
  const n = entries.length;
  for (const [k] of entries) {
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > n) return false;
  }
  return true; // n distinct keys in 1..n: exactly 1..n
}

function keyTypeName(k: LuaValue): string {
  if (typeof k === 'number' || k instanceof LFloat) return 'float';
  return typeNameOf(k);
}

function typeNameOf(v: LuaValue): string {
  if (v === undefined) return 'nil';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof LFloat) return 'number';
  if (v instanceof LuaTable) return 'table';
  const name = (v as object).constructor?.name;
  if (name === 'LuaClosure' || name === 'NativeFunction') return 'function';
  if (name === 'Coroutine') return 'thread';
  return 'userdata';
}

/**
 * A JavaScript value as a Lua value: null/undefined → nil, numbers → integers when integral
 * (floats otherwise), bigints → integers, strings → UTF-8 bytes, arrays → sequences, plain
 * objects → tables of their own enumerable string keys, Dates → ISO strings. Functions, symbols,
 * cycles and deeper nesting than MAX_DEPTH are refused with a MarshalError. `charge` is told
 * of the values converted as it goes.
 */
export function toLua(value: unknown, what = 'the value', charge?: ValuesCharge): LuaValue {
  const seen = new Set<object>();
  let count = 0;
  const convert = (v: unknown, depth: number): LuaValue => {
    if (++count > MAX_VALUES) throw new MarshalError(`${what} has more than ${MAX_VALUES} values`);
    if (charge !== undefined && count % CHARGE_EVERY === 0) charge(CHARGE_EVERY);
    switch (typeof v) {
      case 'undefined': return undefined;
      case 'boolean': return v;
      case 'string': return jsStringToLua(v);
      case 'number':
        if (Number.isInteger(v)) return Number.isSafeInteger(v) ? v : new LFloat(v);
        return v;
      case 'bigint': {
        const wrapped = BigInt.asIntN(64, v);
        return wrapped >= BigInt(Number.MIN_SAFE_INTEGER) && wrapped <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(wrapped) : wrapped;
      }
      case 'object': {
        if (v === null) return undefined;
        if (v instanceof Date) return jsStringToLua(v.toISOString());
        if (depth >= MAX_DEPTH) throw new MarshalError(`${what} is nested more than ${MAX_DEPTH} levels deep`);
        if (seen.has(v)) throw new MarshalError(`${what} contains a cycle`);
        seen.add(v);
        const t = new LuaTable();
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) t.setInt(i + 1, convert(v[i], depth + 1));
        } else {
          for (const key of Object.keys(v)) t.set(jsStringToLua(key), convert((v as Record<string, unknown>)[key], depth + 1));
        }
        seen.delete(v);
        return t;
      }
      default:
        throw new MarshalError(`${what} contains a JavaScript ${typeof v}, which cannot enter the sandbox`);
    }
  };
  const lua = convert(value, 0);
  charge?.(count % CHARGE_EVERY);
  return lua;
}

/** A host's value converted: as plain data (for the schema, the audit record) and as the script sees it. */
export interface HostValue {
  json: Json;
  lua: LuaValue;
}

/**
 * A value a host function returned, converted in one pass that can run in slices: to plain data
 * (what the schema checks and the audit record keeps) and to a Lua value. The value is the host's
 * and may be hostile: each property is read once (a getter or a proxy that throws fails the
 * conversion with what it threw), and what JSON cannot carry faithfully is refused with its place
 * — NaN and infinities, bigints, functions, symbols, cycles, deeper nesting than MAX_DEPTH, more
 * than MAX_VALUES values. As in JSON, a value with a toJSON method is what it gives (a Date its
 * ISO string), a property whose value is undefined is left out and an undefined array item is null. `charge` is told of every value and, before
 * a string is converted, of its size (so that a limit refuses a huge one before it is copied).
 */
export function* hostValueSteps(value: unknown, what: string, charge: ValuesCharge): Steps<HostValue> {
  if (value instanceof RefusedValue) throw new MarshalError(value.problem);
  const conversion = new HostToLua(what, charge);
  const top = conversion.unwrap(value, '', '');
  const plain = conversion.scalar(top, '');
  const result = plain !== NO_SCALAR ? plain : yield* conversion.convert(top, 0, '');
  charge(conversion.values % CHARGE_EVERY);
  return result;
}

/**
 * A host's value that was refused where it was read (a pool's main thread, which converts what a
 * host function returned before it crosses to the worker): converting it fails with that refusal.
 */
export class RefusedValue {
  constructor(readonly problem: string) {}
}

/** What HostToLua's scalar answers for a value that is no scalar. */
const NO_SCALAR: HostValue = { json: null, lua: undefined };

/** One hostValueSteps conversion (a class for the reason LuaToJson is one). */
class HostToLua {
  private readonly seen = new Set<object>();
  values = 0;

  constructor(private readonly what: string, private readonly charge: ValuesCharge) {}

  private at(path: string): string {
    return path ? ` (at ${path})` : '';
  }

  private tick(): boolean {
    if (++this.values > MAX_VALUES) throw new MarshalError(`${this.what} has more than ${MAX_VALUES} values`);
    if (this.values % CHARGE_EVERY !== 0) return false;
    this.charge(CHARGE_EVERY);
    return true;
  }

  /** A property or an item of the host's value, read once: what a getter or a proxy throws fails the conversion. */
  private read(o: object, key: string | number, path: string): unknown {
    try {
      return (o as Record<string | number, unknown>)[key];
    } catch (e) {
      throw new MarshalError(`reading ${this.what}${this.at(path)} threw: ${e instanceof Error ? e.message : typeof e}`);
    }
  }

  /** What JSON would carry of a value: what its toJSON method gives (a Date's ISO string), else the value. */
  unwrap(v: unknown, key: string, path: string): unknown {
    if (typeof v !== 'object' || v === null) return v;
    try {
      const toJSON = (v as { toJSON?: unknown }).toJSON;
      return typeof toJSON === 'function' ? (toJSON as (key: string) => unknown).call(v, key) : v;
    } catch (e) {
      throw new MarshalError(`reading ${this.what}${this.at(path)} threw: ${e instanceof Error ? e.message : typeof e}`);
    }
  }

  /** A value that is no object nor long string, converted; NO_SCALAR for the others. */
  scalar(v: unknown, path: string): HostValue {
    switch (typeof v) {
      case 'undefined': return { json: null, lua: undefined };
      case 'boolean': return { json: v, lua: v };
      case 'number':
        if (!Number.isFinite(v)) throw new MarshalError(`${this.what} has ${Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity'}${this.at(path)}, which JSON cannot carry`);
        return { json: v, lua: Number.isInteger(v) && !Number.isSafeInteger(v) ? new LFloat(v) : v };
      case 'string':
        if (v.length > PIECE) return NO_SCALAR;
        if (v.length >= CHARS_PER_VALUE) this.charge(v.length / CHARS_PER_VALUE | 0, v.length);
        return { json: v, lua: jsStringToLua(v) };
      case 'object':
        if (v === null) return { json: null, lua: undefined };
        if (v instanceof Date) {
          const iso = Number.isNaN(v.getTime()) ? null : v.toISOString();
          return { json: iso, lua: iso ?? undefined };
        }
        return NO_SCALAR;
      default:
        throw new MarshalError(`${this.what} contains a JavaScript ${typeof v}${this.at(path)}, which cannot enter the sandbox`);
    }
  }

  /** scalar, its place worked out only for a message. */
  private scalarAt(v: unknown, place: () => string): HostValue {
    try {
      return this.scalar(v, '');
    } catch (e) {
      if (e instanceof MarshalError) this.scalar(v, place());
      throw e;
    }
  }

  *convert(v: unknown, depth: number, path: string): Steps<HostValue> {
    const what = this.what;
    if (typeof v === 'string') {
      this.charge(v.length / CHARS_PER_VALUE | 0, v.length);
      return { json: v, lua: yield* jsStringToLuaSteps(v) };
    }
    const o = v as object;
    if (depth >= MAX_DEPTH) throw new MarshalError(`${what} is nested more than ${MAX_DEPTH} levels deep${this.at(path)}`);
    if (this.seen.has(o)) throw new MarshalError(`${what} contains a cycle${this.at(path)}`);
    this.seen.add(o);
    const t = new LuaTable();
    let json: Json;
    if (Array.isArray(o)) {
      const length = o.length;
      if (length > MAX_VALUES) throw new MarshalError(`${what} has more than ${MAX_VALUES} values${this.at(path)}`);
      // Pushed in order: `new Array(n)` of a big n is a slow dictionary-mode array.
      const array: Json[] = [];
      for (let i = 0; i < length; i++) {
        const place = (): string => `${path}[${i}]`;
        const x = this.unwrap(this.read(o, i, path), String(i), path);
        let converted = this.scalarAt(x, place);
        if (this.tick()) yield;
        if (converted === NO_SCALAR) converted = yield* this.convert(x, depth + 1, place());
        array.push(converted.json);
        t.setInt(i + 1, converted.lua);
      }
      json = array;
    } else {
      let keys: string[];
      try {
        keys = Object.keys(o);
      } catch (e) {
        throw new MarshalError(`reading ${what}${this.at(path)} threw: ${e instanceof Error ? e.message : typeof e}`);
      }
      if (keys.length > MAX_VALUES) throw new MarshalError(`${what} has more than ${MAX_VALUES} values${this.at(path)}`);
      const object: { [key: string]: Json } = {};
      for (const key of keys) {
        const x = this.unwrap(this.read(o, key, path), key, path);
        if (x === undefined) continue;
        this.charge(0, key.length);
        const place = (): string => (path ? `${path}.${key}` : key);
        let converted = this.scalarAt(x, place);
        if (this.tick()) yield;
        if (converted === NO_SCALAR) converted = yield* this.convert(x, depth + 1, place());
        // Own data properties only: a key named __proto__ is an ordinary property here.
        Object.defineProperty(object, key, { value: converted.json, enumerable: true, writable: true, configurable: true });
        t.set(jsStringToLua(key), converted.lua);
      }
      json = object;
    }
    this.seen.delete(o);
    return { json, lua: t };
  }
}
