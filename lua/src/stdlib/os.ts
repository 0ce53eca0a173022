// The os library (manual §6.9): `time`, `clock`, `date`, `difftime`, `getenv`, `setlocale`,
// `execute` and `exit` here; `remove`, `rename` and `tmpname` work on io's files (io.ts).
//
// - getenv reads what the state's options give (a plain state: the process's environment; a
//   sandbox: only what its host passes, nothing by default).
// - execute: the engine never starts a process, in a plain state or a sandbox. It answers as C's
//   `system` does where no shell exists: `os.execute()` is false (no shell), and `os.execute(cmd)`
//   is `nil, "exit", 127` (a shell that could not run the command).
// - exit ends the run: it flushes io (as C's exit flushes its streams) and raises `LuaExit`, an
//   error no pcall catches (kind `exit`). A plain state's caller gets it from call/run; the
//   sandbox turns it into the run's result (see sandbox.ts).
// - setlocale: only the C locale exists.
//
// Dates are computed here (proleptic Gregorian calendar, any year C's int can hold), not by JS's
// Date, so they match glibc for every representable time; only the local time zone comes from
// the injectable Clock, which is what the sandbox records and replays.

import type { VM } from '../vm/interp';
import { LuaTable } from '../vm/table';
import { LuaError, LuaValue, Request } from '../vm/value';
import { LFloat, float, intFromBig, stringToNumber, toBig, toInteger } from '../vm/number';
import { Args, library, type Charge } from './args';

export interface Clock {
  /** Milliseconds since the epoch (like Date.now()). */
  now(): number;
  /** Processor time used, in seconds (os.clock). */
  cpu(): number;
  /** Offset of local time from UTC in minutes at the given epoch milliseconds (Date's getTimezoneOffset sign: UTC - local). */
  timezoneOffset(ms: number): number;
  /** Abbreviated name of the local time zone at that instant (strftime's %Z); "UTC" when absent. */
  timezoneName?(ms: number): string;
}

/** JS Date's range, in milliseconds: beyond it, the time zone offset of the nearest end is used. */
const DATE_LIMIT = 8.64e15;

function clampMs(ms: number): number {
  return Math.max(-DATE_LIMIT, Math.min(DATE_LIMIT, ms));
}

export const systemClock: Clock = {
  now: () => Date.now(),
  cpu: () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1e6;
  },
  timezoneOffset: (ms) => new Date(clampMs(ms)).getTimezoneOffset(),
  timezoneName: (ms) => {
    const part = zoneFormat().formatToParts(new Date(clampMs(ms))).find((p) => p.type === 'timeZoneName');
    return part?.value ?? 'UTC';
  },
};

/**
 * The formatter that names the time zone, made once per value of TZ (a formatter keeps the zone
 * it was made in): making one is ~100 µs and leaves ICU garbage behind, and os.date may be called
 * in a loop (a `load` reader).
 */
let zone: { tz: string | undefined; format: Intl.DateTimeFormat } | undefined;
function zoneFormat(): Intl.DateTimeFormat {
  const tz = process.env.TZ;
  if (zone === undefined || zone.tz !== tz) zone = { tz, format: new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }) };
  return zone.format;
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const INT_MAX = 2147483647;
/** Largest magnitude of a date field given to os.time (PUC's L_MAXDATEFIELD, INT_MAX / 2). */
const MAX_DATE_FIELD = 1073741823;

/** A broken-down time, as C's struct tm (but with the full year and 1-based month). */
interface Tm {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  min: number;
  sec: number;
  wday: number; // 0 = Sunday
  yday: number; // 0-based
  isdst: boolean;
  /** Seconds east of UTC (for %z). */
  offset: number;
  /** The zone's abbreviation (for %Z), asked for only when a format uses it: naming it is the dearest part of a date. */
  zone: () => string;
}

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

/** Days from 1970-01-01 to the given date of the proleptic Gregorian calendar (month 1..12). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400; // 0..399
  const mp = (m + 9) % 12; // March = 0
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The date of a day number (days since 1970-01-01): [year, month 1..12, day]. */
function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** Breaks down `seconds` since the epoch shifted by `offset` seconds; undefined when the year overflows C's int. */
function breakDown(seconds: bigint, offset: number, isdst: boolean, zone: () => string): Tm | undefined {
  const local = seconds + BigInt(offset);
  let days = local / 86400n;
  let rest = local % 86400n;
  if (rest < 0n) {
    rest += 86400n;
    days -= 1n;
  }
  // Years beyond C's int cannot be represented (glibc's gmtime fails there).
  if (days > 10n ** 12n || days < -(10n ** 12n)) return undefined;
  const dayNumber = Number(days);
  const [year, month, day] = civilFromDays(dayNumber);
  if (year - 1900 > INT_MAX || year - 1900 < -INT_MAX - 1) return undefined;
  const r = Number(rest);
  return {
    year, month, day,
    hour: Math.floor(r / 3600), min: Math.floor(r / 60) % 60, sec: r % 60,
    wday: ((dayNumber % 7) + 11) % 7, // 1970-01-01 was a Thursday
    yday: dayNumber - daysFromCivil(year, 1, 1),
    isdst, offset, zone,
  };
}

const two = (n: number) => (n < 10 ? '0' + n : String(n));
const three = (n: number) => String(n).padStart(3, '0');
const twoOfYear = (y: number) => two(((y % 100) + 100) % 100);

/** ISO 8601 week-based year and week number (strftime's %G and %V). */
function isoWeek(tm: Tm): [number, number] {
  const mondayBased = (tm.wday + 6) % 7;
  // The week's Thursday decides its year.
  const thursday = tm.yday - mondayBased + 3;
  let year = tm.year;
  let yday = thursday;
  if (thursday < 0) {
    year--;
    yday = thursday + (isLeap(year) ? 366 : 365);
  } else if (thursday >= (isLeap(year) ? 366 : 365)) {
    yday = thursday - (isLeap(year) ? 366 : 365);
    year++;
  }
  return [year, Math.floor(yday / 7) + 1];
}

/** The conversions os.date accepts (C99's, as PUC's LUA_STRFTIMEOPTIONS lists them). */
const SINGLE = 'aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%';
/** Bytes of a date format converted in one slice of os.date (a resumable call). */
const DATE_SLICE = 4096;
const DOUBLE = ['Ec', 'EC', 'Ex', 'EX', 'Ey', 'EY', 'Od', 'Oe', 'OH', 'OI', 'Om', 'OM', 'OS', 'Ou', 'OU', 'OV', 'Ow', 'OW', 'Oy'];

/** One strftime conversion in the C locale (E and O modifiers change nothing there). */
function convert(c: string, tm: Tm): string {
  switch (c) {
    case 'a': return DAYS[tm.wday].slice(0, 3);
    case 'A': return DAYS[tm.wday];
    case 'b': case 'h': return MONTHS[tm.month - 1].slice(0, 3);
    case 'B': return MONTHS[tm.month - 1];
    case 'c': return `${convert('a', tm)} ${convert('b', tm)} ${convert('e', tm)} ${convert('T', tm)} ${tm.year}`;
    case 'C': return String(Math.floor(tm.year / 100));
    case 'd': return two(tm.day);
    case 'D': case 'x': return `${two(tm.month)}/${two(tm.day)}/${twoOfYear(tm.year)}`;
    case 'e': return tm.day < 10 ? ' ' + tm.day : String(tm.day);
    case 'F': return `${tm.year}-${two(tm.month)}-${two(tm.day)}`;
    case 'g': return twoOfYear(isoWeek(tm)[0]);
    case 'G': return String(isoWeek(tm)[0]);
    case 'H': return two(tm.hour);
    case 'I': return two(((tm.hour + 11) % 12) + 1);
    case 'j': return three(tm.yday + 1);
    case 'm': return two(tm.month);
    case 'M': return two(tm.min);
    case 'n': return '\n';
    case 'p': return tm.hour < 12 ? 'AM' : 'PM';
    case 'r': return `${convert('I', tm)}:${two(tm.min)}:${two(tm.sec)} ${convert('p', tm)}`;
    case 'R': return `${two(tm.hour)}:${two(tm.min)}`;
    case 'S': return two(tm.sec);
    case 't': return '\t';
    case 'T': case 'X': return `${two(tm.hour)}:${two(tm.min)}:${two(tm.sec)}`;
    case 'u': return String(tm.wday === 0 ? 7 : tm.wday);
    case 'U': return two(Math.floor((tm.yday - tm.wday + 7) / 7));
    case 'V': return two(isoWeek(tm)[1]);
    case 'w': return String(tm.wday);
    case 'W': return two(Math.floor((tm.yday - ((tm.wday + 6) % 7) + 7) / 7));
    case 'y': return twoOfYear(tm.year);
    case 'Y': return String(tm.year);
    case 'z': {
      const minutes = Math.trunc(tm.offset / 60);
      const abs = Math.abs(minutes);
      return (minutes < 0 ? '-' : '+') + two(Math.floor(abs / 60)) + two(abs % 60);
    }
    case 'Z': return tm.zone();
    default: return '%'; // '%%'
  }
}

/** What os.exit raises: the end of the run, with C's exit status; no pcall catches it. */
export class LuaExit extends LuaError {
  /** The status as os.exit gave it: `true`/`false`, or an integer (0 is success). */
  constructor(readonly status: number, readonly success: boolean) {
    super(`os.exit(${status})`);
    this.kind = 'exit';
  }
}

export interface OsOptions {
  /** os.getenv: a variable's value, or undefined (default: none). */
  getenv?: (name: string) => string | undefined;
  /** Before os.exit ends the run (io flushes its files here). */
  beforeExit?: () => void;
  /** Work done inside a call (os.date's conversions), charged like instructions. */
  charge?: Charge;
}

/** C's EXIT_FAILURE. */
const EXIT_FAILURE = 1;

export function openOs(vm: VM, G: LuaTable, clock: Clock, options: OsOptions = {}): void {
  const O = new LuaTable();
  G.setStr('os', O);
  const charge = options.charge ?? (() => undefined);

  /** Local time minus UTC, in whole seconds, at an instant. */
  const offsetAt = (seconds: bigint): number => -Math.round(clock.timezoneOffset(clampMs(Number(seconds) * 1000)) * 60);
  /** The offsets of January 1 and July 1 of the year of an instant: standard and summer time, in some order. */
  const yearOffsets = (seconds: bigint): [number, number] => {
    const year = new Date(clampMs(Number(seconds) * 1000)).getUTCFullYear();
    const at = (month: number) => BigInt(daysFromCivil(year, month, 1)) * 86400n;
    return [offsetAt(at(1)), offsetAt(at(7))];
  };
  /** Whether local time is daylight saving time at that instant: its offset is above the year's standard one. */
  const dstAt = (seconds: bigint, offset: number): boolean => {
    const [jan, jul] = yearOffsets(seconds);
    return offset > Math.min(jan, jul);
  };
  const zoneAt = (seconds: bigint): string => clock.timezoneName?.(clampMs(Number(seconds) * 1000)) ?? 'UTC';

  const gmtime = (t: bigint): Tm | undefined => breakDown(t, 0, false, () => 'GMT');
  const localtime = (t: bigint): Tm | undefined => {
    const offset = offsetAt(t);
    return breakDown(t, offset, dstAt(t, offset), () => zoneAt(t));
  };

  /**
   * C's mktime: local fields (any values: they carry over, month 14 is February of the next
   * year) to a time. `isdst` < 0 lets the zone decide; otherwise it says which offset the fields
   * are in, as glibc takes it.
   */
  const mktime = (f: { year: number; month: number; day: number; hour: number; min: number; sec: number }, isdst: number): bigint => {
    const month0 = f.month - 1;
    const year = f.year + Math.floor(month0 / 12);
    const month = (((month0 % 12) + 12) % 12) + 1;
    const days = BigInt(daysFromCivil(year, month, 1)) + BigInt(f.day - 1);
    const local = days * 86400n + BigInt(f.hour) * 3600n + BigInt(f.min) * 60n + BigInt(f.sec);
    // Find the offset in force at the resulting instant.
    let offset = offsetAt(local);
    let t = local - BigInt(offset);
    const second = offsetAt(t);
    if (second !== offset) {
      const t2 = local - BigInt(second);
      if (offsetAt(t2) === second) {
        offset = second;
        t = t2;
      }
    }
    if (isdst >= 0 && dstAt(t, offset) !== (isdst > 0)) {
      // The caller says whether DST is in force: use the year's other offset.
      const [jan, jul] = yearOffsets(t);
      const other = isdst > 0 ? Math.max(jan, jul) : Math.min(jan, jul);
      t = local - BigInt(other);
    }
    return t;
  };

  const setAllFields = (t: LuaValue, tm: Tm) => {
    vm.setIndex(t, 'sec', tm.sec);
    vm.setIndex(t, 'min', tm.min);
    vm.setIndex(t, 'hour', tm.hour);
    vm.setIndex(t, 'day', tm.day);
    vm.setIndex(t, 'month', tm.month);
    vm.setIndex(t, 'year', tm.year);
    vm.setIndex(t, 'wday', tm.wday + 1);
    vm.setIndex(t, 'yday', tm.yday + 1);
    vm.setIndex(t, 'isdst', tm.isdst);
  };

  const unrepresentable = (a: Args) => a.fail('time result cannot be represented in this installation');

  library(vm, O, 'os', {
    time: (a) => {
      if (a.isNil(1)) return [Math.floor(clock.now() / 1000)];
      const t = a.table(1);
      const field = (key: string, fallback: number, delta: number): number => {
        const v = vm.index(t, key);
        const n = typeof v === 'string' ? stringToNumber(v) : v;
        const i = typeof n === 'number' || typeof n === 'bigint' || n instanceof LFloat ? toInteger(n) : undefined;
        if (i === undefined) {
          if (v !== undefined) throw a.fail(`field '${key}' is not an integer`);
          if (fallback < 0) throw a.fail(`field '${key}' missing in date table`);
          return fallback;
        }
        if (!(-MAX_DATE_FIELD <= i && i <= MAX_DATE_FIELD)) throw a.fail(`field '${key}' is out-of-bound`);
        return Number(i) - delta;
      };
      const sec = field('sec', 0, 0);
      const min = field('min', 0, 0);
      const hour = field('hour', 12, 0);
      const day = field('day', -1, 0);
      const month = field('month', -1, 1) + 1;
      const year = field('year', -1, 1900) + 1900;
      const dst = vm.index(t, 'isdst');
      const isdst = dst === undefined ? -1 : dst === false ? 0 : 1;
      const result = mktime({ year, month, day, hour, min, sec }, isdst);
      // The normalised fields go back into the table, as PUC's setallfields does.
      const tm = localtime(result);
      if (tm === undefined) throw unrepresentable(a);
      setAllFields(t, tm);
      if (result === -1n) throw unrepresentable(a);
      return [intFromBig(result)];
    },

    clock: () => [float(clock.cpu())],

    difftime: (a) => {
      const t1 = toBig(a.integer(1));
      const t2 = toBig(a.integer(2));
      return [float(Number(t1 - t2))];
    },

    date: (a) => {
      const format = a.optString(1, '%c');
      const t = a.isNil(2) ? BigInt(Math.floor(clock.now() / 1000)) : toBig(a.integer(2));
      let s = 0;
      let utc = false;
      if (format.charCodeAt(0) === 33) { // '!'
        utc = true;
        s = 1;
      }
      const tm = utc ? gmtime(t) : localtime(t);
      if (tm === undefined) throw unrepresentable(a);
      // The rest of the format as a C string (strcmp stops at a zero byte).
      if (format.slice(s).split('\0', 1)[0] === '*t') {
        const out = new LuaTable();
        setAllFields(out, tm);
        return [out];
      }
      let out = '';
      const end = format.length;
      // The same time converts the same way each time it is asked: each conversion once a call.
      const done = new Map<string, string>();
      const converted = (c: string): string => {
        let text = done.get(c);
        if (text === undefined) {
          text = convert(c, tm);
          done.set(c, text);
        }
        return text;
      };
      // A long format is resumable: its conversions go in slices (see Request.steps).
      return Request.steps(() => {
        const stop = Math.min(end, s + DATE_SLICE);
        while (s < stop) {
          const c = format[s];
          if (c !== '%') {
            out += c;
            s++;
            continue;
          }
          s++;
          // A conversion is work (a format of many is a flood): charged, which also reads the clock.
          charge(4);
          const one = format[s] ?? '';
          if (s < end && SINGLE.includes(one)) {
            out += converted(one);
            s++;
          } else if (s + 1 < end && DOUBLE.includes(format.slice(s, s + 2))) {
            out += converted(format[s + 1]);
            s += 2;
          } else {
            throw a.error(1, `invalid conversion specifier '%${format.slice(s).split('\0', 1)[0]}'`);
          }
        }
        return s < end ? undefined : [out];
      });
    },

    getenv: (a) => [options.getenv?.(a.string(1))],

    execute: (a) => {
      // No shell: system(NULL) is 0, and a command "exits" with 127 as sh does for one it cannot run.
      if (a.isNil(1)) return [false];
      a.string(1);
      return [undefined, 'exit', 127];
    },

    exit: (a) => {
      const v = a.values[0];
      const status = typeof v === 'boolean' ? (v ? 0 : EXIT_FAILURE) : Number(toBig(a.optInteger(1, 0)) & 0xffffffffn) | 0;
      options.beforeExit?.();
      throw new LuaExit(status, status === 0);
    },

    setlocale: (a) => {
      const locale = a.isNil(1) ? undefined : a.string(1);
      a.checkOption(2, ['all', 'collate', 'ctype', 'monetary', 'numeric', 'time'], 'all');
      // Only the C locale exists here: querying or choosing it (by any of its names) succeeds.
      return [locale === undefined || locale === '' || locale === 'C' || locale === 'POSIX' ? 'C' : undefined];
    },
  });
}
