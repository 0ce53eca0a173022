#!/usr/bin/env bash
# Installs a real VS Code that runs offline — code-server (VS Code 1.100.3 with its Node 20
# extension host) from its npm package — and headless Chromium to drive it, for the extension's
# tests (scripts/vscode-test.mjs). Idempotent: once installed, it only prints the folder.
#
# code-server lives in a cache folder outside the repository's lock file (its dependency tree is
# VS Code's own, hundreds of packages): $SANDLUA_CODE_SERVER_DIR, by default
# ~/.cache/sandlua/code-server-<version>. Its install scripts are skipped and replayed by hand,
# because two of them would download binaries: @vscode/ripgrep (replaced by Debian's rg) and the
# prebuilt native addons (rebuilt from source against the local Node instead).
#
# Prints the install folder as its last line of output.
set -euo pipefail

VERSION=4.100.3   # the last code-server whose engine is Node 20
DIR="${SANDLUA_CODE_SERVER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sandlua/code-server-$VERSION}"
READY="$DIR/.sandlua-ready"

if [ -f "$READY" ]; then
  echo "$DIR"
  exit 0
fi

# Debian packages: gssapi headers for code-server's kerberos addon, ripgrep for VS Code's search,
# Chromium for the browser side.
need=()
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
command -v rg >/dev/null 2>&1 || need+=(ripgrep)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v make >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1 || need+=(build-essential)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup-code-server: installing Debian packages: ${need[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

echo "setup-code-server: installing code-server $VERSION into $DIR (takes a few minutes)" >&2
mkdir -p "$DIR"
cd "$DIR"
[ -f package.json ] || echo '{ "name": "sandlua-code-server", "private": true }' > package.json
quiet=(--no-audit --no-fund --loglevel=error)

# 1. code-server itself, without its install scripts.
npm install "${quiet[@]}" --ignore-scripts "code-server@$VERSION"

# 2. VS Code's own dependencies, ripgrep from Debian, native addons rebuilt locally.
cd node_modules/code-server/lib/vscode
npm install "${quiet[@]}" --omit=dev --ignore-scripts
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
# node-pty's build script runs `npx node-gyp`: let npx install it without asking.
npm_config_yes=true npm rebuild "${quiet[@]}"
ln -sfn node_modules node_modules.asar

# 3. The built-in extensions' dependencies (the TypeScript and JSON language features, git, ...).
cd extensions
npm install "${quiet[@]}" --omit=dev

# 4. code-server's password hashing addon.
cd "$DIR"
npm rebuild "${quiet[@]}" argon2

node node_modules/code-server/out/node/entry.js --version >&2
touch "$READY"
echo "$DIR"
