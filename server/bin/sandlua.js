#!/usr/bin/env node
// Entry point of the `sandlua` command: runs the esbuild bundle made by `npm run build`.
const path = require('path');
const fs = require('fs');
const bundle = path.join(__dirname, '..', 'dist', 'sandlua.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write('sandlua: not built yet; run `npm start` (or `npm run build`) in the repository first\n');
  process.exit(2);
}
require(bundle);
