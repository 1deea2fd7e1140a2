#!/usr/bin/env bash
# Every editor-client test that can run here, each under `timeout`; one line per client; non-zero
# exit if any fails. Server: $CODE4ME_LSP_EXE (scripts/test exports it), else published here once.
# Usage: tests/clients/run_all.sh        (from anywhere; logs of failures are printed in full)
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CODE4ME_LSP_EXE=$(c4_server_exe) || { echo "clients: FAIL could not publish code4me-lsp" >&2; exit 1; }
export CODE4ME_LSP_EXE

logs=$(mktemp -d)
failed=0

# A loopback OpenAI-compatible provider (chat streamed, FIM completions), so chat and remote models configured in the
# editor are tested end to end in every client.
coproc PROVIDER { exec python3 "$c4_repo/tests/clients/fake_chat_provider.py"; }
read -r provider_port <&"${PROVIDER[0]}" || { echo "clients: FAIL the fake chat provider did not start" >&2; exit 1; }
trap 'kill "$PROVIDER_PID" 2>/dev/null; rm -rf "$logs"' EXIT
export Code4me__Chat__Endpoint="http://127.0.0.1:$provider_port/v1" Code4me__Chat__Model=fake-chat
export C4_CHAT_REPLY="np.loadtxt returns a NumPy array of the file's values."
# The same provider answers FIM completions; the editor tests configure it as a remote model from the editor.
export C4_MODEL_BASE="http://127.0.0.1:$provider_port" C4_FIM_LINE="fname, skiprows=1)"

# run NAME SECONDS COMMAND...: one line "clients: NAME PASS|FAIL (Ns)"; the log of a failure follows it.
run() {
  local name=$1 seconds=$2
  shift 2
  local start=$SECONDS status=0
  timeout --kill-after=10 "$seconds" "$@" >"$logs/$name.log" 2>&1 || status=$?
  local took=$((SECONDS - start))
  if [ "$status" -eq 0 ]; then
    echo "clients: $name PASS (${took}s)"
  else
    [ "$status" -eq 124 ] && echo "(timed out after ${seconds}s)" >>"$logs/$name.log"
    echo "clients: $name FAIL (${took}s, exit $status)"
    sed 's/^/    /' "$logs/$name.log"
    failed=1
  fi
}

run neovim 150 "$c4_repo/tests/clients/neovim_e2e.sh"
run emacs 150 "$c4_repo/tests/clients/emacs_e2e.sh"
# npm ci (first run, or when package-lock.json changed), typecheck, unit tests, esbuild, vsce package.
run vscode-build 480 "$c4_repo/tests/clients/vscode_build.sh"
# Real VS Code (code-server) in Chromium with the .vsix just built. Its tools (Node 24, code-server, playwright-core)
# are installed once into .cache/vscode-e2e, outside the test's own timeout (minutes on a fresh machine).
if [ -f "$c4_repo/clients/vscode/dist/code4me.vsix" ] \
  && timeout --kill-after=10 1800 "$c4_repo/tests/clients/vscode_e2e_setup.sh" >"$logs/vscode-e2e-setup.log" 2>&1; then
  run vscode-e2e 300 "$c4_repo/tests/clients/vscode_e2e.sh"
else
  echo "clients: vscode-e2e FAIL (no .vsix, or tests/clients/vscode_e2e_setup.sh failed)"
  sed 's/^/    /' "$logs/vscode-e2e-setup.log" 2>/dev/null
  failed=1
fi
if [ -d "$c4_repo/clients/vscode/node_modules/vscode-languageserver-protocol" ]; then
  run node-client 120 node --test "$c4_repo/tests/clients/node_client.test.mjs"
  run jetbrains-template 120 node --test "$c4_repo/tests/clients/jetbrains_template.test.mjs"
else
  echo "clients: node-client FAIL (clients/vscode/node_modules missing: vscode-build did not install it)"
  echo "clients: jetbrains-template FAIL (clients/vscode/node_modules missing: vscode-build did not install it)"
  failed=1
fi

if [ "$failed" -ne 0 ]; then
  echo "clients: FAILED"
  exit 1
fi
echo "clients: all passed"
