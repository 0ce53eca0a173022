#!/usr/bin/env bash
# The whole test suite, from a fresh clone on a fresh machine: installs the reference programs the
# tests compare against (Debian's lua5.3 and luacheck), the real clients they drive (Neovim), the
# real-world Lua the corpus check runs (scripts/corpus-debian.txt), the npm packages, builds, and
# runs mocha.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v luac5.3 >/dev/null 2>&1 || need+=(lua5.3)
command -v luacheck >/dev/null 2>&1 || need+=(lua-check)
command -v nvim >/dev/null 2>&1 || need+=(neovim)
# The corpus check's real-world Lua (test/corpus.test.ts): pure-Lua Debian packages.
for pkg in $(sed -e 's/#.*//' scripts/corpus-debian.txt); do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "test: installing Debian packages: ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
# A real VS Code for the extension tests: code-server and Chromium, offline (cached after the first run).
bash scripts/setup-code-server.sh >/dev/null
npm run build
# The repository's Lua keeps its style (stylua.toml): the examples and the differential test
# programs, which both lua5.3 and our engine run. Not the other fixtures, whose marks and assertions
# are tied to lines and columns, nor the two programs that test a syntax error (closures.lua, errors.lua).
node server/dist/sandlua.js fmt --check examples lua/test/stdlib \
  $(ls lua/test/programs/*.lua | grep -v -e '/closures\.lua$' -e '/errors\.lua$')
# Without arguments every suite; with arguments only the files named (`bash scripts/test.sh lua/out/vm/x.test.js`).
if [ $# -eq 0 ]; then
  npx mocha 'lua/out/**/*.test.js' 'debugger/out/**/*.test.js' 'server/out/**/*.test.js' 'test/out/**/*.test.js'
  # The VM and standard library suites again with every function translated by the second tier
  # (lua/src/vm/tier.ts) from its first entry: both tiers pass the same differential tests.
  SANDLUA_TIER=eager npx mocha 'lua/out/vm/**/*.test.js' 'lua/out/stdlib/**/*.test.js'
else
  npx mocha "$@"
fi
