#!/usr/bin/env bash
# Installs what the VS Code end-to-end test needs into $C4_VSCODE_CACHE (default .cache/vscode-e2e in the
# repository, gitignored), once: Node 24 (npm package node@24; code-server's own engine), code-server
# 4.139.1 (VS Code 1.139.1, native modules built with Node 24) and playwright-core. Reruns are no-ops
# while the pinned versions stay the same. Needs the Debian packages chromium, build-essential,
# pkg-config, libkrb5-dev, libx11-dev, libxkbfile-dev, libsecret-1-dev (.ci/run installs them).
# Prints the cache folder on stdout.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

node_version=24.9.0
code_server_version=4.139.1
playwright_version=1.65.2
cache=${C4_VSCODE_CACHE:-$c4_repo/.cache/vscode-e2e}
stamp="$cache/.installed"
want="node@$node_version code-server@$code_server_version playwright-core@$playwright_version"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$cache/node24/node_modules/node/bin/node" ] \
  && [ -x "$cache/code-server/node_modules/.bin/code-server" ]; then
  printf '%s\n' "$cache"
  exit 0
fi

c4_require npm npm
c4_require chromium chromium
for header in krb5.h X11/Xlib.h X11/XKBlib.h X11/extensions/XKBfile.h libsecret-1/libsecret/secret.h; do
  [ -f "/usr/include/$header" ] || {
    echo "vscode_e2e_setup: /usr/include/$header missing: apt-get install -y build-essential pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev" >&2
    exit 1
  }
done

rm -f "$stamp"
mkdir -p "$cache/node24" "$cache/code-server"
cd "$cache/node24"
[ -f package.json ] || echo '{"private": true}' > package.json
timeout 600 npm install --no-audit --no-fund --loglevel=error "node@$node_version" >&2
node24="$cache/node24/node_modules/node/bin"
"$node24/node" --version | grep -q "^v24\." || { echo "vscode_e2e_setup: node@$node_version gave no Node 24" >&2; exit 1; }

# code-server's postinstall builds its native modules with the node and npm that run it: Node 24 first on PATH.
cd "$cache/code-server"
[ -f package.json ] || echo '{"private": true}' > package.json
PATH="$node24:$PATH" timeout 1500 npm install --no-audit --no-fund --loglevel=error \
  "code-server@$code_server_version" "playwright-core@$playwright_version" >&2
XDG_CONFIG_HOME="$cache/xdg" PATH="$node24:$PATH" node_modules/.bin/code-server --version >&2
echo "$want" > "$stamp"
printf '%s\n' "$cache"
