#!/usr/bin/env bash
# The VS Code extension from a clean install: npm ci, tsc --noEmit, the extension's unit tests
# (Node's test runner), esbuild bundle, vsce package; then checks the .vsix holds what it must.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

c4_require node nodejs
c4_require npm npm
cd "$c4_repo/clients/vscode"
rm -f dist/code4me.vsix

# npm ci only when package-lock.json changed since the last install (set C4_NPM_CI=1 to force).
stamp=node_modules/.code4me-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "${C4_NPM_CI:-0}" = 1 ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  timeout 300 npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
timeout 120 npm run --silent typecheck
timeout 120 npm test --silent > /tmp/code4me-vscode-unit.$$ 2>&1 || { cat /tmp/code4me-vscode-unit.$$ >&2; rm -f /tmp/code4me-vscode-unit.$$; exit 1; }
grep -E '^# (pass|fail)' /tmp/code4me-vscode-unit.$$ | tr '\n' ' ' >&2; echo >&2
rm -f /tmp/code4me-vscode-unit.$$
timeout 300 npx --no-install vsce package --out dist/code4me.vsix >/dev/null

[ -f dist/code4me.vsix ] || { echo "vscode_build: FAIL no dist/code4me.vsix" >&2; exit 1; }
listing=$(unzip -l dist/code4me.vsix)
for entry in extension/package.json extension/dist/extension.js extension/LICENSE.txt extension/readme.md; do
  grep -q " $entry\$" <<<"$listing" || { echo "vscode_build: FAIL $entry missing from the .vsix" >&2; exit 1; }
done
if grep -q "node_modules/\|\.ts\$\|\.map\$" <<<"$listing"; then
  echo "vscode_build: FAIL the .vsix carries sources, maps or node_modules:" >&2
  echo "$listing" >&2
  exit 1
fi
echo "vscode_build: PASS dist/code4me.vsix ($(stat -c %s dist/code4me.vsix) bytes)" >&2
