// Which contract governs a script: the nearest `sandlua.json` walking up from the script's folder
// whose `scripts` globs (relative to the contract's folder) match the script. This module only
// finds the file and reads the globs; validating the whole contract is the contract loader's job.

import * as fs from 'fs';
import * as path from 'path';
import picomatch from 'picomatch';

export const MANIFEST_FILE = 'sandlua.json';

/** Where a contract file is broken: a message and a 1-based position in the JSON file. */
export interface ManifestProblem {
  message: string;
  line: number;
  column: number;
}

export interface DiscoveredManifest {
  /** Absolute path of the `sandlua.json`. */
  path: string;
  /** The contract's `name`, when it has one. */
  name?: string;
  /** The `scripts` globs (default `["**\/*.lua"]` when absent). */
  scripts: string[];
  /** Set when the file could not be read as JSON or its `scripts` field is unusable. */
  problem?: ManifestProblem;
}

/** Finds and caches contracts; one instance per command run (contracts may change between runs). */
export class ManifestDiscovery {
  private readonly cache = new Map<string, DiscoveredManifest | null>();

  /** The contract governing `scriptPath`, or undefined. A broken contract governs every script below it. */
  governing(scriptPath: string): DiscoveredManifest | undefined {
    const script = path.resolve(scriptPath);
    let dir = path.dirname(script);
    for (;;) {
      const manifest = this.at(dir);
      if (manifest && (manifest.problem || matches(manifest, script))) return manifest;
      const parent = path.dirname(dir);
      if (parent === dir) return undefined;
      dir = parent;
    }
  }

  /** Reads `dir/sandlua.json` if present (cached). */
  at(dir: string): DiscoveredManifest | undefined {
    const file = path.join(dir, MANIFEST_FILE);
    let cached = this.cache.get(file);
    if (cached === undefined) {
      cached = fs.existsSync(file) ? readManifest(file) : null;
      this.cache.set(file, cached);
    }
    return cached ?? undefined;
  }
}

function matches(manifest: DiscoveredManifest, script: string): boolean {
  const relative = path.relative(path.dirname(manifest.path), script).split(path.sep).join('/');
  return manifest.scripts.some((glob) => picomatch.isMatch(relative, glob, { dot: true }));
}

/** Reads a contract file for discovery; never throws. */
export function readManifest(file: string): DiscoveredManifest {
  const result: DiscoveredManifest = { path: path.resolve(file), scripts: ['**/*.lua'] };
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    result.problem = { message: `cannot read ${MANIFEST_FILE}: ${(error as Error).message}`, line: 1, column: 1 };
    return result;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    result.problem = jsonProblem(text, error as Error);
    return result;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    result.problem = { message: `${MANIFEST_FILE} must hold a JSON object`, line: 1, column: 1 };
    return result;
  }
  const object = value as Record<string, unknown>;
  if (typeof object.name === 'string') result.name = object.name;
  if (object.scripts !== undefined) {
    const scripts = object.scripts;
    if (Array.isArray(scripts) && scripts.every((s) => typeof s === 'string')) {
      result.scripts = scripts as string[];
    } else {
      const at = positionOfKey(text, 'scripts');
      result.problem = { message: '"scripts" must be an array of glob strings', ...at };
    }
  }
  return result;
}

/** Turns a JSON.parse error into a message and a position (V8 reports `position N` or `line L column C`). */
function jsonProblem(text: string, error: Error): ManifestProblem {
  const message = error.message.replace(/^JSON\.parse: /, '');
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) {
    return { message: `invalid JSON: ${stripPosition(message)}`, line: +lineColumn[1], column: +lineColumn[2] };
  }
  const position = /position (\d+)/.exec(message);
  const offset = position ? +position[1] : text.length;
  return { message: `invalid JSON: ${stripPosition(message)}`, ...positionOf(text, offset) };
}

function stripPosition(message: string): string {
  return message.replace(/\s*(in JSON )?at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '');
}

function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function positionOfKey(text: string, key: string): { line: number; column: number } {
  const offset = text.indexOf(JSON.stringify(key));
  return positionOf(text, offset < 0 ? 0 : offset);
}
