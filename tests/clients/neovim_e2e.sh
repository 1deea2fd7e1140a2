#!/usr/bin/env bash
# Neovim end-to-end: the plugin in clients/neovim starts the real code4me-lsp, text is typed,
# ghost text appears (read back from the extmarks), is accepted, and the server recorded it.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

c4_require nvim neovim
exe=$(c4_server_exe)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ws" "$work/home"

# -u NONE: no user config; -i NONE: no shada. HOME/XDG point into the temp dir so the
# LSP log and state stay out of the user's home.
HOME="$work/home" XDG_STATE_HOME="$work/home/state" XDG_CACHE_HOME="$work/home/cache" \
CODE4ME_LSP_EXE="$exe" CODE4ME_TEST_WORKSPACE="$work/ws" \
  timeout --kill-after=5 120 nvim --headless -u NONE -i NONE \
    --cmd "set rtp^=$c4_repo/clients/neovim" \
    -c "luafile $c4_repo/tests/clients/neovim_e2e.lua" </dev/null
