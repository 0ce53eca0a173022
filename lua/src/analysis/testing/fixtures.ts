// Fixture checking shared by the analysis tests: every `.lua` file of a folder is analysed under
// the folder's `sandlua.json`, and each line ending in `--@ code code` must have exactly those
// codes (lines without a mark: none). A finding a suppression comment covers is not shown, so it
// does not count unless the test asks for suppressed findings too.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { loadManifest, type Contract } from '../../contract/manifest';
import { LineMap } from '../../syntax/linemap';
import { analyzeScript } from '../checker';
import type { Edit, Finding } from '../findings';

export function contractAt(dir: string): Contract {
  const result = loadManifest(path.join(dir, 'sandlua.json'));
  assert.ok(result.manifest, JSON.stringify(result.problems));
  return result.manifest;
}

/** The `.lua` files of a folder (and of its subfolders, when `recursive`), sorted. */
export function luaFiles(dir: string, recursive = false): string[] {
  const out: string[] = [];
  const pending = [dir];
  while (pending.length > 0) {
    const d = pending.pop()!;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) { if (recursive) pending.push(path.join(d, e.name)); }
      else if (e.name.endsWith('.lua')) out.push(path.join(d, e.name));
    }
  }
  return out.sort();
}

/**
 * The codes each line expects, from `--@ code code` marks. A LuaCATS line (`---@param s string`)
 * is no mark: the `--@` must not follow another `-`.
 */
export function expectations(source: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  source.split('\n').forEach((line, i) => {
    const m = /(?:^|[^-])--@\s*([\w\s-]*)$/.exec(line);
    if (m) out.set(i + 1, m[1].trim().split(/\s+/).filter(Boolean).sort());
  });
  return out;
}

export interface FixtureOptions {
  /** Count findings a suppression comment covers as present too (default: only shown ones count). */
  includeSuppressed?: boolean;
}

/** The codes found on each line (1-based). */
export function findingsByLine(source: string, findings: readonly Finding[], options: FixtureOptions = {}): Map<number, string[]> {
  const lines = new LineMap(source);
  const out = new Map<number, string[]>();
  for (const f of findings) {
    if (f.suppressed && !options.includeSuppressed) continue;
    const line = lines.positionAt(f.start).line + 1;
    out.set(line, [...(out.get(line) ?? []), f.code].sort());
  }
  return out;
}

/** Asserts that the file's findings are exactly its marks. */
export function checkFixture(file: string, contract: Contract | undefined, options: FixtureOptions = {}): void {
  const source = fs.readFileSync(file, 'utf8');
  const { findings } = analyzeScript(source, path.basename(file), contract);
  const expected = expectations(source);
  const actual = findingsByLine(source, findings, options);
  const describe = (m: Map<number, string[]>) => [...m].sort((a, b) => a[0] - b[0]).map(([l, c]) => `${l}: ${c.join(' ')}`);
  const lines = new LineMap(source);
  const found = findings.map((f) => `${lines.positionAt(f.start).line + 1} ${f.code}${f.suppressed ? ' (suppressed)' : ''}: ${f.message}`);
  assert.deepEqual(describe(actual), describe(expected), found.join('\n'));
}

/** The source with edits applied (as an editor applies a fix: offsets are into the original). */
export function applyEdits(source: string, edits: readonly Edit[]): string {
  let out = source;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}
