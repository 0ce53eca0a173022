// Fixture checking shared by the analysis tests: every `.lua` file of a folder is analysed under
// the folder's `sandlua.json`, and each line ending in `--@ code code` must have exactly those
// codes (lines without a mark: none).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { loadManifest, type Contract } from '../../contract/manifest';
import { LineMap } from '../../syntax/linemap';
import { analyzeScript } from '../checker';
import type { Finding } from '../findings';

export function contractAt(dir: string): Contract {
  const result = loadManifest(path.join(dir, 'sandlua.json'));
  assert.ok(result.manifest, JSON.stringify(result.problems));
  return result.manifest;
}

/** The codes each line expects, from `--@ code code` marks. */
export function expectations(source: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  source.split('\n').forEach((line, i) => {
    const m = /(?:^|[^-])--@\s*([\w\s-]*)$/.exec(line);
    if (m) out.set(i + 1, m[1].trim().split(/\s+/).filter(Boolean).sort());
  });
  return out;
}

export function findingsByLine(source: string, findings: Finding[]): Map<number, string[]> {
  const lines = new LineMap(source);
  const out = new Map<number, string[]>();
  for (const f of findings) {
    const line = lines.positionAt(f.start).line + 1;
    out.set(line, [...(out.get(line) ?? []), f.code].sort());
  }
  return out;
}

/** Asserts that the file's findings are exactly its marks. */
export function checkFixture(file: string, contract: Contract | undefined): void {
  const source = fs.readFileSync(file, 'utf8');
  const { findings } = analyzeScript(source, path.basename(file), contract);
  const expected = expectations(source);
  const actual = findingsByLine(source, findings);
  const describe = (m: Map<number, string[]>) => [...m].sort((a, b) => a[0] - b[0]).map(([l, c]) => `${l}: ${c.join(' ')}`);
  assert.deepEqual(describe(actual), describe(expected), findings.map((f) => `${f.code}: ${f.message}`).join('\n'));
}
