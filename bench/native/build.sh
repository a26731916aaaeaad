#!/usr/bin/env bash
# Compiles bench/native/krb5_bench.c (the MIT side of bench/krb5.ts) into a directory (default: a
# new temporary one) with gcc against Debian's libkrb5-dev; prints the binary's path on the last
# line. When gcc or libkrb5-dev is missing: installs them with apt-get when root, else prints
# what to install and exits 2.
#
#   bash bench/native/build.sh [OUT_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$(mktemp -d "${TMPDIR:-/tmp}/krb5-bench.XXXXXX")}"
mkdir -p "$out"

missing=()
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
{ command -v krb5-config >/dev/null 2>&1 && [ -f /usr/include/gssapi/gssapi_krb5.h ]; } || missing+=(libkrb5-dev)
# shellcheck source=apt-missing.sh
. "$here/apt-missing.sh"
install_missing build.sh "${missing[@]}"

# shellcheck disable=SC2046
gcc -O2 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -o "$out/krb5_bench" "$here/krb5_bench.c" \
  $(krb5-config --cflags krb5 gssapi) $(krb5-config --libs krb5 gssapi) >&2
echo "$out/krb5_bench"
