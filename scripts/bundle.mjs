// Bundles what ships with esbuild: the `sandlua` command (server/dist/sandlua.js), one file with
// the engine and every dependency inside, so nothing from node_modules is needed at run time.
import { build } from 'esbuild';
import { readFileSync } from 'fs';
import { dirname, join } from 'path';
import { fileURLToPath } from 'url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

await build({
  entryPoints: [join(root, 'server/out/bin.js')],
  outfile: join(root, 'server/dist/sandlua.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  define: { SANDLUA_VERSION: JSON.stringify(version) },
  // jsonc-parser's CommonJS build loads its parts through a UMD wrapper esbuild cannot follow;
  // its ES module build bundles cleanly.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
  logLevel: 'warning',
});

// The VS Code extension's client: everything but `vscode` (the extension host provides it) inside.
await build({
  entryPoints: [join(root, 'client/out/extension.js')],
  outfile: join(root, 'client/dist/extension.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['vscode'],
  define: { SANDLUA_VERSION: JSON.stringify(version) },
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
  logLevel: 'warning',
});
