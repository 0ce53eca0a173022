// Which contract governs a script: the nearest `sandlua.json` walking up from the script's folder
// whose `scripts` globs (relative to the contract's folder, matched with picomatch) match the
// script — like tsconfig.json — or that declares the script as a module (`modules`). A contract
// whose globs cannot be read (invalid JSON, a broken `scripts`) governs every script below it, so
// that its scripts are reported under it and fall back to deny-all instead of silently escaping to
// a contract further up.

import * as fs from 'fs';
import * as nodePath from 'path';
import picomatch = require('picomatch');
import { MANIFEST_FILE, loadManifest, type ManifestResult } from './manifest';

export interface DiscoveryOptions {
  /**
   * Loads a contract file, or returns undefined when there is none. The default reads the disk;
   * a language server passes one that sees the unsaved text of open editors.
   */
  load?: (file: string) => ManifestResult | undefined;
}

/** Finds and caches contracts. Keep one per command run, or invalidate when files change. */
export class ManifestDiscovery {
  private readonly cache = new Map<string, ManifestResult | null>();
  private readonly loader: (file: string) => ManifestResult | undefined;

  constructor(options: DiscoveryOptions = {}) {
    this.loader = options.load ?? loadFromDisk;
  }

  /** The contract governing `scriptPath`, or undefined when none does. */
  governing(scriptPath: string): ManifestResult | undefined {
    const script = nodePath.resolve(scriptPath);
    let dir = nodePath.dirname(script);
    for (;;) {
      const found = this.at(dir);
      if (found && governs(found, script)) return found;
      const parent = nodePath.dirname(dir);
      if (parent === dir) return undefined;
      dir = parent;
    }
  }

  /** The contract in `dir` (`dir/sandlua.json`), if there is one. */
  at(dir: string): ManifestResult | undefined {
    return this.load(nodePath.join(nodePath.resolve(dir), MANIFEST_FILE));
  }

  /** A contract file by path, whatever its name (`--manifest`); undefined when it does not exist. */
  load(file: string): ManifestResult | undefined {
    const absolute = nodePath.resolve(file);
    let cached = this.cache.get(absolute);
    if (cached === undefined) {
      cached = this.loader(absolute) ?? null;
      this.cache.set(absolute, cached);
    }
    return cached ?? undefined;
  }

  /** Forgets one contract file (after it changed), or all of them. */
  invalidate(file?: string): void {
    if (file === undefined) this.cache.clear();
    else this.cache.delete(nodePath.resolve(file));
  }
}

/** The nearest contract governing `scriptPath` (uncached: use `ManifestDiscovery` for many scripts). */
export function findManifest(scriptPath: string, options: DiscoveryOptions = {}): ManifestResult | undefined {
  return new ManifestDiscovery(options).governing(scriptPath);
}

const matchers = new WeakMap<ManifestResult, (relative: string) => boolean>();

/** Whether a contract's globs match a script (any script below it when its globs are unreadable). */
export function governs(result: ManifestResult, scriptPath: string): boolean {
  const relative = nodePath.relative(nodePath.dirname(result.path), nodePath.resolve(scriptPath));
  if (relative === '' || relative === '..' || relative.startsWith('..' + nodePath.sep) || nodePath.isAbsolute(relative)) return false;
  if (result.scripts === undefined) return true;
  // A declared module runs under the contract that declares it, wherever the globs point.
  const slashed = relative.split(nodePath.sep).join('/');
  if (result.manifest) for (const module of result.manifest.modules.values()) if (module.path === slashed) return true;
  let matcher = matchers.get(result);
  if (!matcher) {
    matcher = result.scripts.length === 0 ? () => false : picomatch(result.scripts, { dot: true });
    matchers.set(result, matcher);
  }
  return matcher(slashed);
}

function loadFromDisk(file: string): ManifestResult | undefined {
  // A folder named sandlua.json is not a contract; anything else by that name is, and is
  // reported (unreadable, binary, …) rather than ignored.
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return undefined;
  }
  return stat.isDirectory() ? undefined : loadManifest(file);
}
