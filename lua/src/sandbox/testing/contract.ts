// A contract for a test, from its JSON fields (a name and `scripts` filled in), checked to parse.
import { strict as assert } from 'assert';
import { parseManifest, type Contract } from '../../contract/manifest';

export function testContract(name: string, json: Record<string, unknown> = {}): Contract {
  const result = parseManifest(JSON.stringify({ name, scripts: ['*.lua'], ...json }), '/virtual/sandlua.json');
  assert.ok(result.manifest, JSON.stringify(result.problems));
  return result.manifest;
}
