// What test/neovim/client.lua reports, and what every run of it must show against the
// invoice-normalizer contract (from the repository's bundle or from an installed package).
import { strict as assert } from 'assert';

export interface NvimResult {
  diagnostics: { line: number; code: string; message: string }[];
  completion: string[];
  hover: string;
  typeHover?: string;
  error?: string;
}

/** The forbidden call on line 1 reported with the runtime's message, host functions completed, a host function hovered. */
export function assertContractFeatures(result: NvimResult): void {
  assert.equal(result.error, undefined);
  const forbidden = result.diagnostics.find((d) => d.code === 'forbidden');
  assert.ok(forbidden, JSON.stringify(result.diagnostics));
  assert.equal(forbidden.line, 0);
  assert.equal(forbidden.message, 'os.execute is not granted by invoice-normalizer (sandlua.json)');
  assert.ok(result.completion.includes('emit_review_note'), JSON.stringify(result.completion));
  assert.match(result.hover, /lookup_vendor_alias\(alias: string\): string\?/);
}
