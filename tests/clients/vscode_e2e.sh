#!/usr/bin/env bash
# VS Code end-to-end: real VS Code 1.139.1 (code-server) with the built .vsix installed, driven in Debian's
# Chromium by playwright-core (tests/clients/vscode_e2e.mjs). VS Code's settings are its defaults apart from
# the extension's own (server path, telemetry consent) and the spool directory the server records into.
# On failure a screenshot is kept in artifacts/vscode-e2e-failure.png.
# Needs: tests/clients/vscode_e2e_setup.sh (run here; installs into .cache/vscode-e2e once), the .vsix of
# tests/clients/vscode_build.sh (built here when missing), and for chat the provider run_all.sh starts.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

c4_require chromium chromium
exe=$(c4_server_exe)
cache=$("$c4_repo/tests/clients/vscode_e2e_setup.sh")
node24="$cache/node24/node_modules/node/bin"
code_server="$cache/code-server/node_modules/.bin/code-server"
vsix="$c4_repo/clients/vscode/dist/code4me.vsix"
[ -f "$vsix" ] || "$c4_repo/tests/clients/vscode_build.sh"

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then
    kill -- "-$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/ws" "$work/home" "$work/data/User" "$work/extensions" "$work/spool"

# HOME and XDG point into the temp dir: code-server's config, VS Code's state and the server's data stay out
# of the user's home.
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share"
export PATH="$node24:$PATH"

"$code_server" --user-data-dir "$work/data" --extensions-dir "$work/extensions" \
  --install-extension "$vsix" >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; exit 1; }

# Only the extension's settings: everything else of VS Code stays at its defaults (the issue: ghost text
# must appear with them).
cat >"$work/data/User/settings.json" <<EOF
{
  "code4me.serverPath": "$exe",
  "code4me.telemetry.consent.enabled": true,
  "code4me.telemetry.consent.storeContext": true,
  "code4me.telemetry.consent.storeContextual": true,
  "code4me.telemetry.consent.storeBehavioral": true
}
EOF

# The server inherits code-server's environment through the extension host: its spool goes to our folder.
export Code4me__Telemetry__Spool__Directory="$work/spool"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
setsid "$code_server" --auth none --bind-addr "127.0.0.1:$port" --user-data-dir "$work/data" \
  --extensions-dir "$work/extensions" --disable-telemetry --disable-update-check --disable-workspace-trust \
  --disable-getting-started-override --ignore-last-opened "$work/ws" >"$work/code-server.log" 2>&1 &
server_pid=$!

status=0
C4_VSCODE_URL="http://127.0.0.1:$port/" C4_WORKSPACE="$work/ws" C4_SPOOL="$work/spool" C4_USER_DATA="$work/data" C4_SERVER_EXE="$(realpath "$exe")" \
C4_ARTIFACTS="$c4_repo/artifacts" C4_NODE_MODULES="$cache/code-server/node_modules" \
  "$node24/node" "$c4_repo/tests/clients/vscode_e2e.mjs" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- code-server log" >&2
  tail -n 40 "$work/code-server.log" >&2
  for log in $(find "$work/data/logs" -name '*Code4me*' 2>/dev/null); do
    echo "--- $log" >&2
    tail -n 60 "$log" >&2
  done
fi
exit "$status"
