// The layering rules of ARCHITECTURE.md, enforced on the sources: the engine imports no editor
// package and nothing outside lua/; the checker and the language service never import the LSP
// transport or vscode-languageserver (only server/src/lsp/ may).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');

/** Every module specifier imported or required by a TypeScript source. */
export function importsOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\bimport\s+(?:type\s+)?(?:[\w*{}\s,]+\s+from\s+)?['"]([^'"]+)['"]/g,
    /\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s+from\s+['"]([^'"]+)['"]/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) found.push(match[1]);
  }
  return found;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(full));
    else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

const EDITOR_PACKAGE = /^(vscode($|-)|@vscode\/)/;

/** Violations of one rule: files under `dir` whose imports `forbidden` rejects. */
function violations(dir: string, forbidden: (specifier: string, file: string) => boolean): string[] {
  const found: string[] = [];
  for (const file of sources(path.join(root, dir))) {
    for (const specifier of importsOf(fs.readFileSync(file, 'utf8'))) {
      if (forbidden(specifier, file)) found.push(`${path.relative(root, file)} imports '${specifier}'`);
    }
  }
  return found;
}

function leavesFolder(specifier: string, file: string, folder: string): boolean {
  if (!specifier.startsWith('.')) return false;
  const target = path.resolve(path.dirname(file), specifier);
  return path.relative(path.join(root, folder), target).startsWith('..');
}

function importsTransport(specifier: string, file: string): boolean {
  return /^vscode-languageserver/.test(specifier) || (specifier.startsWith('.') && /(^|\/)lsp(\/|$)/.test(path.relative(path.join(root, 'server/src'), path.resolve(path.dirname(file), specifier))));
}

describe('import boundaries', () => {
  it('finds every import form (self-test)', () => {
    const sample = [
      "import * as a from 'vscode';",
      "import { b } from '@vscode/debugadapter';",
      "import type { C } from 'vscode-languageserver/node';",
      "export * from '../../server/src/x';",
      "const d = require('vscode-uri');",
      "const e = await import('vscode-languageclient');",
      "import 'side-effect';",
    ].join('\n');
    assert.deepEqual(importsOf(sample).sort(), ['../../server/src/x', '@vscode/debugadapter', 'side-effect', 'vscode', 'vscode-languageclient', 'vscode-languageserver/node', 'vscode-uri'].sort());
    assert.ok(EDITOR_PACKAGE.test('vscode-uri') && EDITOR_PACKAGE.test('@vscode/debugadapter') && !EDITOR_PACKAGE.test('vscodex'));
    const fakeChecker = path.join(root, 'server/src/check/x.ts');
    assert.ok(importsTransport('../lsp/server', fakeChecker));
    assert.ok(importsTransport('vscode-languageserver/node', fakeChecker));
    assert.ok(!importsTransport('./format-text', fakeChecker));
    assert.ok(leavesFolder('../../../server/src/cli', path.join(root, 'lua/src/syntax/x.ts'), 'lua'));
    assert.ok(!leavesFolder('../syntax/ast', path.join(root, 'lua/src/vm/x.ts'), 'lua'));
  });

  it('the engine (lua/) imports no editor package and nothing outside lua/', () => {
    assert.ok(sources(path.join(root, 'lua/src')).length > 0);
    assert.deepEqual(violations('lua/src', (s, f) => EDITOR_PACKAGE.test(s) || leavesFolder(s, f, 'lua') || s.startsWith('@sandlua/')), []);
  });

  it('the checker and the language service never import the LSP transport', () => {
    assert.deepEqual(violations('server/src/check', importsTransport), []);
    assert.deepEqual(violations('server/src/service', importsTransport), []);
  });

  it('only the transport speaks LSP: no other server module imports vscode-languageserver', () => {
    const outsideLsp = (s: string, f: string) => /^vscode-languageserver/.test(s) && !path.relative(path.join(root, 'server/src'), f).startsWith('lsp');
    assert.deepEqual(violations('server/src', outsideLsp), []);
  });

  it('only the adapter speaks DAP: the debug runtime and everything else import no @vscode/debugadapter', () => {
    const dap = (s: string) => /^@vscode\/debug(adapter|protocol)/.test(s);
    const outsideAdapter = (s: string, f: string) => dap(s) && !/debugger\/src\/adapter(\.test)?\.ts$/.test(f);
    assert.deepEqual(violations('debugger/src', outsideAdapter), []);
    assert.deepEqual(violations('server/src', dap), []);
    assert.deepEqual(violations('debugger/src', (s) => /^vscode-languageserver/.test(s) || s === 'vscode'), []);
  });
});
