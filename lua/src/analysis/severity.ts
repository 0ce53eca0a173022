// Severity per code, decided the same way in the editor and the CLI: the user's choice (an editor
// setting, `sandlua check --severity CODE=LEVEL`) over the contract's `"severity"` map over the
// severity the finding was made with. `off` removes the finding.

import type { Finding, Severity } from './findings';
import { suggest } from '../contract/suggest';
import { CODES, RULES, isKnownCode } from './rules';

export type SeverityLevel = Severity | 'off';

/** Code → level. */
export type SeverityMap = Readonly<Record<string, SeverityLevel>>;

/** Codes whose severity no map changes: a syntax error (the script cannot run), the contract's own problems. */
export const FIXED_SEVERITY: ReadonlySet<string> = new Set(['syntax', 'manifest']);

/**
 * Beside LuaLS: the codes LuaLS also reports (Rule.luaLS) are off, so that one problem is shown
 * once. A level the user or the contract sets for such a code still wins.
 */
export const LEFT_TO_LUALS: SeverityMap = Object.fromEntries(RULES.filter((rule) => rule.luaLS).map((rule) => [rule.code, 'off' as const]));

export const SEVERITY_LEVELS: readonly SeverityLevel[] = ['error', 'warning', 'information', 'hint', 'off'];

export function isSeverityLevel(value: unknown): value is SeverityLevel {
  return typeof value === 'string' && (SEVERITY_LEVELS as readonly string[]).includes(value);
}

/**
 * The findings with their final severities: `user` (settings, command line) wins over `contract`
 * (the contract's map), which wins over `defaults` (the editor's, e.g. LEFT_TO_LUALS), which wins
 * over the finding's own. Findings turned `off` are left out. The findings given are not changed
 * (an analysis may be cached and asked again).
 */
export function applySeverity(findings: readonly Finding[], user?: SeverityMap, contract?: SeverityMap, defaults?: SeverityMap): Finding[] {
  const hasUser = user !== undefined && hasKeys(user);
  const hasContract = contract !== undefined && hasKeys(contract);
  const hasDefaults = defaults !== undefined && hasKeys(defaults);
  if (!hasUser && !hasContract && !hasDefaults) return findings.slice();
  const out: Finding[] = [];
  for (const f of findings) {
    if (FIXED_SEVERITY.has(f.code)) {
      out.push(f);
      continue;
    }
    const level = (hasUser ? own(user!, f.code) : undefined) ?? (hasContract ? own(contract!, f.code) : undefined) ?? (hasDefaults ? own(defaults!, f.code) : undefined);
    if (level === undefined || level === f.severity) out.push(f);
    else if (level !== 'off') out.push({ ...f, severity: level });
  }
  return out;
}

/**
 * Reads one `CODE=LEVEL` (the command line's `--severity`): the pair, or the reason it is wrong
 * (an unknown code with did-you-mean, a level that is not one of the five).
 */
export function parseSeverityOption(option: string): { code: string; level: SeverityLevel } | { problem: string } {
  const eq = option.indexOf('=');
  if (eq < 0) return { problem: `--severity expects CODE=LEVEL, got '${option}'` };
  const code = option.slice(0, eq).trim();
  const level = option.slice(eq + 1).trim();
  if (FIXED_SEVERITY.has(code)) return { problem: `--severity: the severity of '${code}' cannot be changed` };
  if (!isKnownCode(code)) {
    const guess = suggest(code, CODES);
    return { problem: `--severity: unknown code '${code}'${guess ? `; did you mean '${guess}'?` : ''} (codes: ${CODES.join(', ')})` };
  }
  if (!isSeverityLevel(level)) {
    const guess = suggest(level, SEVERITY_LEVELS);
    return { problem: `--severity: unknown level '${level}' for ${code}${guess ? `; did you mean '${guess}'?` : ''} (levels: ${SEVERITY_LEVELS.join(', ')})` };
  }
  return { code, level };
}

function hasKeys(map: SeverityMap): boolean {
  for (const _ in map) return true;
  return false;
}

function own(map: SeverityMap, code: string): SeverityLevel | undefined {
  // A level that is not one of the five (a hand-edited setting) counts as not set.
  const level = Object.prototype.hasOwnProperty.call(map, code) ? map[code] : undefined;
  return isSeverityLevel(level) ? level : undefined;
}
