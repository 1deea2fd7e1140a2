#!/usr/bin/env bash
# Emacs end-to-end: code4me.el on eglot starts the real code4me-lsp, text is typed, ghost text
# appears (read back from the overlay), is accepted with TAB, and the server recorded it.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

c4_require emacs "emacs-nox elpa-eglot"
exe=$(c4_server_exe)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ws" "$work/home" "$work/elc"

# code4me.el byte-compiles without warnings (compiled in a copy, so no .elc lands in the repo).
cp "$c4_repo/clients/emacs/code4me.el" "$work/elc/"
timeout 60 emacs --batch -q --eval '(setq byte-compile-error-on-warn t)' -L "$work/elc" \
  -f batch-byte-compile "$work/elc/code4me.el" 2>&1 | grep -v '^Loading' >&2 || true
[ -f "$work/elc/code4me.elc" ] || { echo "emacs_e2e: FAIL code4me.el does not byte-compile cleanly" >&2; exit 1; }

# -q: no init file, but the site start files run, and Debian's put elpa-eglot on the load path.
# HOME points into the temp dir so nothing touches the user's ~/.emacs.d.
HOME="$work/home" CODE4ME_LSP_EXE="$exe" CODE4ME_TEST_WORKSPACE="$work/ws" \
  timeout --kill-after=5 120 emacs --batch -q \
    -L "$c4_repo/clients/emacs" \
    -l "$c4_repo/tests/clients/emacs_e2e.el" </dev/null
