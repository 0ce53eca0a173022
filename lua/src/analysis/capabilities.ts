// What a script reaches, read from the engine's global-path uses (`analyze(chunk).uses`, which sees
// through aliases such as `local x = os; x.execute()`, `_G` and `_ENV`): the granted host functions
// it calls, calls to host functions its contract does not grant, standard-library names its
// contract denies, and the modules and files it requires and opens. The capability report and the
// capability diff are built from this; it answers from the same uses and the same stdlib policy as
// the contract checker, so they cannot disagree on what a script touches.

import { longestHostPrefix, withoutEnvironment } from './paths';
import { fileUses, requireUses, runGlobals, type FileNeed } from './modules';
import { LUA53_STDLIB } from '../contract/stdlib-names';
import { StdlibPolicy } from '../contract/policy';
import type { Contract } from '../contract/manifest';
import type { LineMap } from '../syntax/linemap';
import type { ScopeInfo } from '../syntax/scope';
import type * as ast from '../syntax/ast';

/** A place in a script: 1-based, end exclusive (as diagnostics). */
export interface Site {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface CapabilityUse {
  /** The host function (`tools.emit_review_note`) or standard-library name (`os.execute`). */
  name: string;
  /** Where, in source order. */
  sites: Site[];
}

export interface ScriptCapabilities {
  /** Granted host functions the script calls or passes on, in the contract's order. */
  calls: CapabilityUse[];
  /** Host-style calls the contract does not grant (`tools.delete_all()`, `send_mail()`), by first use. */
  ungranted: CapabilityUse[];
  /** Standard-library names the contract denies (`os.execute`, `io`), by first use. */
  forbidden: CapabilityUse[];
  /** Modules the script requires by a literal name (`pricing.util`), declared or not, by first use. */
  requires: CapabilityUse[];
  /**
   * Files it opens by a literal path (relative to the contract's folder, normalized), with what it
   * does with them (`any`: the mode is computed), declared or not, by first use.
   */
  files: FileCapability[];
}

export interface FileCapability extends CapabilityUse {
  /** `data/rates.csv` (as written when the path leaves the contract's folder). */
  path: string;
  access: FileNeed | 'any';
}

/**
 * The capabilities a script uses under `contract` (undefined: no contract, or a broken one — then
 * no host function is granted and the default stdlib policy applies).
 */
export function scriptCapabilities(scope: ScopeInfo, lineMap: LineMap, contract: Contract | undefined): ScriptCapabilities {
  const host = contract?.host;
  const hostGlobals = contract?.hostGlobals;
  const policy = contract?.policy ?? StdlibPolicy.DEFAULT;
  const calls = new Map<string, Site[]>();
  const ungranted = new Map<string, Site[]>();
  const forbidden = new Map<string, Site[]>();

  // `local f = lookup_vendor_alias` is a use of the path, and so is every call through `f`: count
  // the calls, not the alias's declaration.
  const aliasInitializers = new Set<ast.Expression>();
  for (const local of scope.locals) if (local.aliasOf && local.initializer) aliasInitializers.add(local.initializer);

  // Globals the script defines itself (`function helper() end`) are not host functions.
  const ownGlobals = runGlobals(scope, contract).names;

  const add = (into: Map<string, Site[]>, name: string, use: { node: ast.Range }) => {
    const start = lineMap.positionAt(use.node.start);
    const end = lineMap.positionAt(use.node.end);
    const site = { line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 };
    const sites = into.get(name);
    if (sites) sites.push(site);
    else into.set(name, [site]);
  };

  for (const use of scope.uses) {
    if (use.access === 'write' || aliasInitializers.has(use.node)) continue;
    const path = withoutEnvironment(use.path, scope.globalTableModified);
    if (path.length === 0) continue;
    const root = path[0];

    const granted = host && longestHostPrefix(host, path);
    if (granted) {
      add(calls, granted, use);
      continue;
    }
    if (LUA53_STDLIB.has(root)) {
      // The most specific standard name: `os.execute` for `os.execute.x`, `io` for `io[k]`.
      const name = path.length > 1 && LUA53_STDLIB.has(`${root}.${path[1]}`) ? `${root}.${path[1]}` : root;
      if (!policy.isGranted(name)) add(forbidden, name, use);
      continue;
    }
    if (root === 'input' || ownGlobals.has(root) || use.dynamicKey) continue;
    // A field of a granted host table that the contract does not list, or any call of a global
    // that nothing defines: the script reaches for a capability it was not given.
    if (hostGlobals?.get(root) === 'table') add(ungranted, path.join('.'), use);
    else if (use.access === 'call') add(ungranted, path.join('.'), use);
  }

  const requires = new Map<string, Site[]>();
  for (const use of requireUses(scope)) add(requires, use.name, { node: use.literal });
  const files = new Map<string, Site[]>();
  for (const use of fileUses(scope)) add(files, `${use.need ?? 'any'} ${use.normalized ?? use.path}`, { node: use.literal });

  const ordered = (map: Map<string, Site[]>): CapabilityUse[] => [...map].map(([name, sites]) => ({ name, sites }));
  const callsInContractOrder: CapabilityUse[] = [];
  if (host) for (const name of host.keys()) if (calls.has(name)) callsInContractOrder.push({ name, sites: calls.get(name)! });
  return {
    calls: callsInContractOrder, ungranted: ordered(ungranted), forbidden: ordered(forbidden), requires: ordered(requires),
    files: ordered(files).map((f) => {
      const space = f.name.indexOf(' ');
      return { ...f, name: f.name.slice(space + 1), path: f.name.slice(space + 1), access: f.name.slice(0, space) as FileCapability['access'] };
    }),
  };
}

/** Host functions a contract grants that a script never reaches, in the contract's order. */
export function unusedHostFunctions(capabilities: ScriptCapabilities, contract: Contract | undefined): string[] {
  if (!contract) return [];
  const used = new Set(capabilities.calls.map((c) => c.name));
  return [...contract.host.keys()].filter((name) => !used.has(name));
}
