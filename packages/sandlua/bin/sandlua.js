#!/usr/bin/env node
// The installed `sandlua` command: the CLI bundle (built by scripts/bundle.mjs), which loads the
// engine from the installed `@sandlua/lua` package.
require('../dist/sandlua.js');
