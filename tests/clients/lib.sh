# Shared by the editor e2e scripts: sourced, not run.
# c4_server_exe prints the code4me-lsp to test: $CODE4ME_LSP_EXE, or one published into artifacts/.
c4_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

c4_server_exe() {
  if [ -n "${CODE4ME_LSP_EXE:-}" ]; then
    if [ ! -x "$CODE4ME_LSP_EXE" ]; then
      echo "CODE4ME_LSP_EXE=$CODE4ME_LSP_EXE is not an executable" >&2
      return 1
    fi
    printf '%s\n' "$CODE4ME_LSP_EXE"
    return 0
  fi
  local out="$c4_repo/artifacts/clients-server"
  echo "publishing code4me-lsp to $out (set CODE4ME_LSP_EXE to skip)" >&2
  timeout 600 dotnet publish "$c4_repo/server/Code4me.Lsp" -c Release -o "$out" >&2 || return 1
  printf '%s\n' "$out/code4me-lsp"
}

# c4_require TOOL PACKAGE: fail with the apt package to install when TOOL is missing.
c4_require() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "$1 not found: apt-get install -y $2" >&2
    return 1
  fi
}
