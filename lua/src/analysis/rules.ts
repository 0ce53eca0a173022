// What each stable diagnostic code means, in words a reviewer reads: the SARIF rules (shown beside
// every code-scanning alert), `--help`, and the report's wording all come from here, so a code is
// explained the same way everywhere. Codes are the stable interface of DESIGN.md.

import type { Severity } from './findings';

export interface Rule {
  code: string;
  /** A short title (SARIF `name`, PascalCase as SARIF recommends; the code itself is the id). */
  name: string;
  /** One sentence: what was found. */
  summary: string;
  /** What to do about it: shown as the rule's help. */
  help: string;
  /** The severity the code usually has (a diagnostic carries its own). */
  severity: Severity;
  /**
   * A judgement against a contract (what it grants, declares or limits), not the language's own:
   * a script no contract governs gets none of these unless `ungovernedScripts` is `default-contract`.
   */
  contract?: true;
  /**
   * The names of LuaLS diagnostics that report the same problem. Beside LuaLS (the editor setting
   * `luaLS`), these codes are left to it, so that one problem is not shown twice.
   */
  luaLS?: readonly string[];
}

export const RULES: readonly Rule[] = [
  {
    code: 'syntax',
    name: 'SyntaxError',
    summary: 'The script is not valid Lua 5.3: luac5.3 would reject it with this message.',
    help: 'Fix the syntax at the marked place. A script that does not parse cannot run at all; the message is the one Lua 5.3 itself prints.',
    severity: 'error',
  },
  {
    code: 'forbidden',
    name: 'ForbiddenStdlib',
    summary: 'The script uses a standard-library function that its contract does not grant (io, os.execute, load, debug, ...).',
    help: 'Remove the use, or, if the script truly needs it and the contract owner agrees, grant it in the contract\'s "stdlib": {"allow": [...]}. The sandbox removes denied functions, so the call would fail at run time.',
    severity: 'error',
    contract: true,
  },
  {
    code: 'ungranted-host',
    name: 'UngrantedHostFunction',
    summary: 'The script calls a host function that its contract does not grant.',
    help: 'Call only the host functions listed in the contract\'s "host" section, or add the function to the contract (a change its approval owner must accept). At run time the name is not defined.',
    severity: 'error',
    contract: true,
  },
  {
    code: 'host-args',
    name: 'HostArguments',
    summary: 'A host function is called with arguments that do not match the signature in the contract.',
    help: 'Pass the arguments the contract declares (their number and types); the host checks them at run time and the call fails otherwise.',
    severity: 'error',
    contract: true,
  },
  {
    code: 'undefined-global',
    name: 'UndefinedGlobal',
    summary: 'The script reads a global variable that nothing defines: not the standard library, not the contract\'s host functions, not the script or a module it requires. An error where it is indexed (that fails at run time), a warning where it is only read (it is nil); nothing where the read only tests whether it exists (`x or default`, `if x then`).',
    help: 'Check the spelling, declare the variable with local, or read the value from input.',
    severity: 'error',
    contract: true,
  },
  {
    code: 'global-write',
    name: 'GlobalWrite',
    summary: 'The script assigns a global variable.',
    help: 'Use a local variable (local name = ...). Globals leak between functions and can shadow standard or host names.',
    severity: 'error',
    contract: true,
  },
  {
    code: 'unknown-input-field',
    name: 'UnknownInputField',
    summary: 'The script reads a field of input that the contract\'s input schema does not declare.',
    help: 'Read only the fields the contract\'s "input" schema declares, or add the field to the schema.',
    severity: 'warning',
    contract: true,
  },
  {
    code: 'output-shape',
    name: 'OutputShape',
    summary: 'A value the script returns does not match the contract\'s output schema.',
    help: 'Return a value with the fields and types the contract\'s "output" schema requires; the host rejects other output.',
    severity: 'error',
    contract: true,
  },
  {
    code: 'unbounded-loop',
    name: 'UnboundedLoop',
    summary: 'A loop has no visible way to end (while true without break or return).',
    help: 'Give the loop an exit. The instruction limit stops it at run time, but the run then fails.',
    severity: 'warning',
    contract: true,
  },
  {
    code: 'unknown-module',
    name: 'UnknownModule',
    summary: 'The script requires a module that its contract does not declare, or a declared module whose file does not exist.',
    help: 'Require only the modules listed in the contract\'s "modules" section (name → Lua file relative to the contract\'s folder), or declare the module there (a change its approval owner must accept). A declared module\'s file must exist. At run time require fails for any other name.',
    severity: 'error',
    contract: true,
  },
  {
    code: 'ungranted-file',
    name: 'UngrantedFile',
    summary: 'The script opens a file (io.open, io.lines) that its contract does not declare, or with a mode its declared access does not allow.',
    help: 'Open only the files listed in the contract\'s "files" section, by their path relative to the contract\'s folder, and only as declared: "read" allows io.lines and io.open modes "r"/"rb", "write" allows "w" and "a", "read-write" allows any mode. Absolute paths and paths through ".." are never reachable. At run time io.open fails for any other file or mode.',
    severity: 'error',
    contract: true,
  },
  {
    code: 'maybe-nil',
    name: 'MaybeNil',
    summary: 'A value that may be nil is indexed, called, used in arithmetic, concatenation, an order comparison (<, <=, >, >=) or #, passed to a non-optional host parameter or put in a required output field, with no check that rules nil out.',
    help: 'Check the value first (if x then ... end, x ~= nil, assert(x)) or give a default (x or default). The severity is error when the nil comes from the contract (an input field not in "required", a host result typed T?), since the run then fails on some valid input; warning when it comes from the script itself.',
    severity: 'error',
  },
  {
    code: 'type-mismatch',
    name: 'TypeMismatch',
    summary: 'An operation fails for the value\'s known type: indexing a number or boolean, calling a non-function, # on a number, concatenating, comparing (<, <=, >, >=) or doing arithmetic on a table or boolean, comparing a string with a number.',
    help: 'Use the value as what it is, or convert it first (tostring, tonumber). Lua\'s own coercions of numbers and numeric strings are not mismatches; this operation raises an error at run time.',
    severity: 'error',
  },
  {
    code: 'unknown-member',
    name: 'UnknownMember',
    summary: 'A field of a standard-library table that Lua 5.3 does not have (string.formt, table.getn, math.pow).',
    help: 'Use the name Lua 5.3 has: the message suggests the closest one, or the 5.3 replacement of an older function (load for loadstring, table.unpack for unpack). The field is nil at run time, so calling or indexing it fails (an error); a plain read is nil (a warning).',
    severity: 'error',
  },
  {
    code: 'unused',
    name: 'Unused',
    summary: 'A local variable, local function or parameter is never used.',
    help: 'Remove it, or start its name with _ to say it is unused on purpose (an implicit self is never reported).',
    severity: 'warning',
    luaLS: ['unused-local', 'unused-function'],
  },
  {
    code: 'shadowing',
    name: 'Shadowing',
    summary: 'A local declares a name that an enclosing local already has, hiding it for the rest of the block.',
    help: 'Rename one of them, so that each name means one thing where it is read.',
    severity: 'warning',
    luaLS: ['redefined-local'],
  },
  {
    code: 'unreachable-code',
    name: 'UnreachableCode',
    summary: 'Statements that can never run: they follow a return, break, goto or error(...) in the same block.',
    help: 'Remove the statements, or move them before the statement that ends the block.',
    severity: 'warning',
    luaLS: ['unreachable-code'],
  },
  {
    code: 'assignment-count',
    name: 'AssignmentCount',
    summary: 'An assignment has more values than names (the extra values are dropped) or fewer (the extra names get nil).',
    help: 'Give as many values as names, or write nil explicitly when a name is meant to start as nil.',
    severity: 'warning',
    luaLS: ['unbalanced-assignments', 'redundant-value'],
  },
  {
    code: 'for-direction',
    name: 'ForDirection',
    summary: 'A numeric for loop whose constant bounds and step make it run zero times (for i = 10, 1 without a negative step).',
    help: 'Swap the bounds, or give a negative step (for i = 10, 1, -1) to count down.',
    severity: 'warning',
    luaLS: ['count-down-loop'],
  },
  {
    code: 'unused-suppression',
    name: 'UnusedSuppression',
    summary: 'A suppression comment (-- sandlua: disable-next-line, disable-line, disable ... enable) that suppresses nothing, or names a code that does not exist.',
    help: 'Remove the comment (or the code it no longer needs): it hides nothing now, and would hide a new problem later. Comments in LuaLS\'s ---@diagnostic spelling are honoured but never reported, since they may be meant for LuaLS.',
    severity: 'hint',
  },
  {
    code: 'manifest',
    name: 'ContractProblem',
    summary: 'The contract (sandlua.json) is invalid: its scripts run under deny-all until it is fixed.',
    help: 'Fix the contract at the marked place; the message says what the schema or the loader expects.',
    severity: 'error',
    contract: true,
  },
];

/** Not a diagnostic code: the SARIF rule of the notes that `--base` adds (what a change grants). */
export const CAPABILITY_CHANGE_RULE: Rule = {
  code: 'capability-change',
  name: 'CapabilityChange',
  summary: 'This change adds or removes a capability: a granted host function, standard-library entry, module or file, a limit, a call a script starts or stops making.',
  help: 'Approve the capability, or ask for the change to be made without it. Each note is one thing the change grants or takes away compared with the base revision.',
  severity: 'information',
};

const BY_CODE = new Map(RULES.map((rule) => [rule.code, rule]));

/** Every diagnostic code, in the order of RULES (the known codes of suppression comments and severity maps). */
export const CODES: readonly string[] = RULES.map((rule) => rule.code);

/** A code's default severity in words (settings and schema descriptions): `maybe-nil` has two. */
export function defaultSeverityText(rule: Rule): string {
  return rule.code === 'maybe-nil' ? 'error when the nil comes from the contract, warning otherwise' : rule.severity;
}

/** The codes that judge a script against its contract (`contract: true`). */
export const CONTRACT_CODES: ReadonlySet<string> = new Set(RULES.filter((rule) => rule.contract).map((rule) => rule.code));

/**
 * How a script that no contract governs is judged (the language server's `sandlua.ungovernedScripts`,
 * the CLI's `--ungoverned`): `ignore` shows only its syntax errors; `lint` only the language's own
 * judgements (syntax, lint codes, the standard library's types), with the whole standard library
 * reachable; `default-contract` checks it under the default deny-all contract.
 */
export type UngovernedScripts = 'ignore' | 'lint' | 'default-contract';

/** The values of `UngovernedScripts`, each with its description (settings, `--help`). */
export const UNGOVERNED_SCRIPTS: readonly { value: UngovernedScripts; description: string }[] = [
  { value: 'ignore', description: 'A script no sandlua.json governs gets no Sandlua diagnostics except syntax errors.' },
  { value: 'lint', description: 'A script no sandlua.json governs gets only the language\'s own diagnostics (syntax, lint, the standard library\'s types), no contract codes.' },
  { value: 'default-contract', description: 'A script no sandlua.json governs is checked under the default deny-all contract (io, os.execute, require… are forbidden).' },
];

/** Whether a finding of `code` is shown for a script no contract governs, under `mode`. */
export function shownUngoverned(code: string, mode: UngovernedScripts): boolean {
  if (mode === 'default-contract') return true;
  if (mode === 'ignore') return code === 'syntax';
  return !CONTRACT_CODES.has(code);
}

/** Whether a code is one of this version's diagnostic codes. */
export function isKnownCode(code: string): boolean {
  return BY_CODE.has(code);
}

/** The rule of a code; a code this version does not know still gets a rule, so no output breaks. */
export function ruleFor(code: string): Rule {
  return (
    BY_CODE.get(code) ??
    (code === CAPABILITY_CHANGE_RULE.code
      ? CAPABILITY_CHANGE_RULE
      : { code, name: code.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase()), summary: `Sandlua check ${code}.`, help: 'See the message.', severity: 'warning' })
  );
}
