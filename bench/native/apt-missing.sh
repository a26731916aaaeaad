# Sourced by the bench's native build scripts: install_missing NAME PKG... installs the Debian
# packages when root with apt-get (updating the index once if the first try fails), else stops
# with the command to run. NAME prefixes the messages.
install_missing() {
  local name="$1"
  shift
  [ $# -gt 0 ] || return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "$name: installing $*" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2 ||
      { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2; }
  else
    echo "$name: missing $*; install with: sudo apt-get install $*" >&2
    exit 2
  fi
}
