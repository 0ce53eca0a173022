// The effective standard-library policy of a contract: which standard names a script may reach.
// One implementation answers for the runtime (which builds the sandbox's globals from it) and for
// the checker (which reports `forbidden` uses), so the editor and production cannot disagree.
//
// Reading of DESIGN.md's default deny list ("`os.*` except time/clock/date/difftime"): all of `os`
// is denied by default EXCEPT `os.time`, `os.clock`, `os.date` and `os.difftime`, which are granted
// by default (they read the clock and format dates; the audit log records their values for
// replay). So a contract never needs `"allow": ["os.time"]`, though it may say so. Also denied by
// default: `io`, `require`, `package`, `load`, `loadstring`, `loadfile`, `dofile`, `debug`,
// `string.dump` and `collectgarbage`. Everything else in the standard library is granted.
//
// How rules combine:
// - An entry names a global (`load`), a library (`io`, also written `io.*`) or a library field
//   (`string.rep`). A library entry covers all of its fields.
// - The contract's rules (`stdlib.allow`, `stdlib.deny`) come first: the most specific contract
//   entry covering the path decides (`allow: ["os"], deny: ["os.execute"]` grants all of `os`
//   but `execute`). If allow and deny name the same entry, deny wins (the loader reports it).
// - Only when no contract entry covers the path do the defaults decide, the same way (most
//   specific first: `os.time` is granted although `os` is denied). So `deny: ["os"]` also takes
//   away the default `os.time`, and `allow: ["io"]` grants all of `io`.
// - Then names that other fields of the contract imply: declaring `modules` grants `require`, and
//   declaring `files` grants `io.open`, `io.lines`, `io.close` and `io.type` (IMPLIED_BY_*).
// - A path no rule covers is granted if it is under a standard global, and denied otherwise.

import { LUA53_LIBRARIES, LUA53_STDLIB, LEGACY_NAMES, isStdlibLibrary } from './stdlib-names';

/** The `stdlib` field of a contract. */
export interface StdlibRules {
  allow?: readonly string[];
  deny?: readonly string[];
}

/** Denied unless a contract allows them (DESIGN.md). */
export const DEFAULT_DENIED: readonly string[] = [
  'io', 'os', 'require', 'package', 'load', 'loadstring', 'loadfile', 'dofile', 'debug', 'string.dump', 'collectgarbage',
];

/** Granted by default although their library is denied (see the reading above). */
export const DEFAULT_GRANTED: readonly string[] = ['os.time', 'os.clock', 'os.date', 'os.difftime'];

/** What declaring `modules` grants, unless the contract denies it. */
export const IMPLIED_BY_MODULES: readonly string[] = ['require'];
/** What declaring `files` grants, unless the contract denies it. */
export const IMPLIED_BY_FILES: readonly string[] = ['io.open', 'io.lines', 'io.close', 'io.type'];

/** A library table may be reachable with only some of its fields: `partial`. */
export type StdlibAccess = 'granted' | 'denied' | 'partial';

/** Why a path is granted or not, for messages ("denied by default; add it to stdlib.allow"). */
export interface StdlibDecision {
  granted: boolean;
  /** The entry that decided (`os`, `os.time`), when a rule did. */
  rule?: string;
  /**
   * `allow`/`deny`: the contract's lists; `implied`: granted by another field of the contract
   * (`modules` grants `require`, `files` grants `io.open`…); `default`: the default rules;
   * `standard`/`unknown`: no rule covered the path.
   */
  source: 'allow' | 'deny' | 'implied' | 'default' | 'standard' | 'unknown';
}

/** `io.*` is another spelling of `io`. */
export function normalizeStdlibEntry(entry: string): string {
  return entry.endsWith('.*') ? entry.slice(0, -2) : entry;
}

const DEFAULT_RULES: ReadonlyMap<string, boolean> = new Map([
  ...DEFAULT_DENIED.map((name): [string, boolean] => [name, false]),
  ...DEFAULT_GRANTED.map((name): [string, boolean] => [name, true]),
]);

export class StdlibPolicy {
  private static defaultPolicy: StdlibPolicy | undefined;
  private static unrestrictedPolicy: StdlibPolicy | undefined;

  /** The policy of a contract without `stdlib` rules (also the fallback for a broken contract). */
  static get DEFAULT(): StdlibPolicy {
    return (StdlibPolicy.defaultPolicy ??= new StdlibPolicy());
  }

  /** Every standard name reachable, as in ordinary Lua: for scripts no contract governs, judged as plain Lua. */
  static get UNRESTRICTED(): StdlibPolicy {
    return (StdlibPolicy.unrestrictedPolicy ??= new StdlibPolicy({ allow: DEFAULT_DENIED }));
  }

  /** Contract entries: true = allow, false = deny (deny wins when both name an entry). */
  private readonly rules = new Map<string, boolean>();
  /** Names other parts of the contract grant (`modules` grants `require`); the contract's own rules still win. */
  private readonly implied: ReadonlySet<string>;
  /** Every standard name → granted, decided once so the checker's and runtime's lookups are O(1). */
  private readonly known = new Map<string, boolean>();

  constructor(rules: StdlibRules = {}, implied: readonly string[] = []) {
    this.implied = new Set(implied);
    for (const entry of rules.allow ?? []) this.rules.set(normalizeStdlibEntry(entry), true);
    for (const entry of rules.deny ?? []) this.rules.set(normalizeStdlibEntry(entry), false);
    for (const name of LUA53_STDLIB.keys()) {
      if (!isStdlibLibrary(name)) this.known.set(name, this.decide(name).granted);
    }
    for (const legacy of LEGACY_NAMES) this.known.set(legacy, this.decide(legacy).granted);
    // A library table is reachable when any of its fields is.
    for (const library of Object.keys(LUA53_LIBRARIES)) {
      this.known.set(library, LUA53_LIBRARIES[library].some((field) => this.known.get(`${library}.${field}`)));
    }
  }

  /**
   * Whether a script may reach `path` (`os.execute`, `string.rep`, `load`, `io`). A library is
   * reachable when at least one of its fields is (`os` is, by default, with four fields); ask
   * `access` to tell a whole library from part of it. Leading `_G.`/`_ENV.` are ignored.
   */
  isGranted(path: string): boolean {
    const name = stripEnvironment(path);
    const known = this.known.get(name);
    return known ?? this.decide(name).granted;
  }

  /** `granted`, `denied`, or for a library of which only some fields are granted, `partial`. */
  access(path: string): StdlibAccess {
    const name = stripEnvironment(path);
    if (!isStdlibLibrary(name)) return this.isGranted(name) ? 'granted' : 'denied';
    let granted = 0;
    const fields = LUA53_LIBRARIES[name];
    for (const field of fields) if (this.known.get(`${name}.${field}`)) granted++;
    return granted === fields.length ? 'granted' : granted === 0 ? 'denied' : 'partial';
  }

  /** The rule that decides `path`, for messages. For a library, the rule on the library itself. */
  explain(path: string): StdlibDecision {
    return this.decide(stripEnvironment(path));
  }

  /** Every standard name a script may reach (libraries included when any field is), sorted. */
  grantedNames(): string[] {
    const names: string[] = [];
    for (const [name, granted] of this.known) if (granted && LUA53_STDLIB.has(name)) names.push(name);
    return names.sort();
  }

  private decide(name: string): StdlibDecision {
    const prefixes = prefixesOf(name);
    for (const prefix of prefixes) {
      const rule = this.rules.get(prefix);
      if (rule !== undefined) return { granted: rule, rule: prefix, source: rule ? 'allow' : 'deny' };
    }
    if (this.implied.has(name)) return { granted: true, rule: name, source: 'implied' };
    for (const prefix of prefixes) {
      const rule = DEFAULT_RULES.get(prefix);
      if (rule !== undefined) return { granted: rule, rule: prefix, source: 'default' };
    }
    const top = prefixes[prefixes.length - 1];
    return LUA53_STDLIB.has(top) ? { granted: true, source: 'standard' } : { granted: false, source: 'unknown' };
  }
}

/** Whether the contract (or, without one, the defaults) grants the standard-library `path`. */
export function isStdlibGranted(contract: { stdlib?: StdlibRules; policy?: unknown } | undefined, path: string): boolean {
  return stdlibPolicy(contract).isGranted(path);
}

const policies = new WeakMap<object, StdlibPolicy>();

/** The policy of a contract (cached per contract object); the defaults without one. */
export function stdlibPolicy(contract: { stdlib?: StdlibRules; policy?: unknown } | undefined): StdlibPolicy {
  if (contract?.policy instanceof StdlibPolicy) return contract.policy; // a loaded Contract carries its own
  if (!contract || !contract.stdlib) return StdlibPolicy.DEFAULT;
  let policy = policies.get(contract);
  if (!policy) {
    policy = new StdlibPolicy(contract.stdlib);
    policies.set(contract, policy);
  }
  return policy;
}

/** `a.b.c` → [`a.b.c`, `a.b`, `a`]: most specific first. */
function prefixesOf(name: string): string[] {
  const prefixes = [name];
  for (let dot = name.lastIndexOf('.'); dot > 0; dot = name.lastIndexOf('.', dot - 1)) prefixes.push(name.slice(0, dot));
  return prefixes;
}

/** `_G.os.execute` and `_ENV.os.execute` are `os.execute`. */
function stripEnvironment(path: string): string {
  let name = path;
  while (name.startsWith('_G.') || name.startsWith('_ENV.')) name = name.slice(name.indexOf('.') + 1);
  return name;
}
