#!/usr/bin/env bash
# Installs the `kerberos` npm package (mongodb-js/kerberos: a native addon over the system's
# GSSAPI, built by node-gyp when no prebuilt binary fits) into a folder OUTSIDE this package's
# dependencies, for bench/addon.ts and bench/startup.ts to compare against. It is never a
# dependency of ours (package.json does not name it): we only measure it. Default folder:
# ${TMPDIR:-/tmp}/spnego-bench-kerberos-addon, reused while it holds a loadable addon. Build deps
# (g++, make, python3, libkrb5-dev for the gssapi headers) are installed with apt-get when root,
# else listed. Prints the addon's module folder (…/node_modules/kerberos) on the last line.
#
#   bash bench/native/addon-install.sh [DIR]        (KERBEROS_ADDON_VERSION, default 7)
set -euo pipefail
dir="${1:-${TMPDIR:-/tmp}/spnego-bench-kerberos-addon}"
version="${KERBEROS_ADDON_VERSION:-7}"
mod="$dir/node_modules/kerberos"
here="$(cd "$(dirname "$0")" && pwd)"

loads() { node -e "require(process.argv[1])" "$mod" >/dev/null 2>&1; }
if [ -f "$mod/package.json" ] && loads; then
  echo "$mod"
  exit 0
fi

missing=()
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
[ -f /usr/include/gssapi/gssapi_krb5.h ] || missing+=(libkrb5-dev)
# shellcheck source=apt-missing.sh
. "$here/apt-missing.sh"
install_missing addon-install.sh "${missing[@]}"

mkdir -p "$dir"
# --prefix: its own node_modules, not ours; --no-save/--no-package-lock: no manifest written.
echo "addon-install.sh: npm install --prefix $dir kerberos@$version" >&2
(cd "$dir" && npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund "kerberos@$version" >&2)
if ! loads; then
  echo "addon-install.sh: $mod does not load (the native build failed?)" >&2
  exit 1
fi
echo "$mod"
