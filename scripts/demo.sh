#!/usr/bin/env bash
# The main job: install, build, run `spnego demo` (a live Negotiate demo: our server and client on
# loopback, every leg decoded), then `spnego inspect` on real tokens captured from the lab's peers
# (Apache mod_auth_gssapi over MIT Kerberos, gss-ntlmssp, squid, Samba AD).
# With --live it starts the lab, captures fresh tokens from it, and inspects those instead.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >/dev/null
fi
npm run --silent build
spnego() { node dist/src/cli/main.js "$@"; }

CAPTURES=test/vectors/lab-captures.json
if [ "${1:-}" = "--live" ]; then
  bash scripts/lab/install.sh
  S=$(bash scripts/lab/up.sh | tail -n 1)
  trap 'bash scripts/lab/down.sh "$S" >/dev/null 2>&1 || true' EXIT
  bash scripts/lab/capture.sh "$S" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.stringify({tokens:s.trim().split("\n").map(l=>JSON.parse(l))})))' > "$S/captures.json"
  CAPTURES=$S/captures.json
fi

# Prints one captured token as the header line it travelled in, then inspects that line.
show() {
  local line
  line=$(node -e '
    const [file, name] = process.argv.slice(1);
    const t = JSON.parse(require("fs").readFileSync(file, "utf8")).tokens.find((x) => x.name === name);
    if (!t) { console.error("no capture " + name); process.exit(1); }
    console.log(t.header ? `${t.header}: Negotiate ${t.base64}` : t.base64);' "$CAPTURES" "$1")
  printf '\n$ spnego inspect "%s..."\n' "${line:0:60}"
  spnego inspect "$line"
}

echo "== spnego demo: a live Negotiate demo (spnego serve + a client on 127.0.0.1, NTLM inside SPNEGO)"
printf '$ spnego demo\n'
spnego demo

echo
echo "== spnego inspect: the token from a server's first NTLM-over-SPNEGO reply"
printf '$ spnego inspect oRUwE6ADCgEBoQwGCisGAQQBgjcCAgo=\n'
spnego inspect oRUwE6ADCgEBoQwGCisGAQQBgjcCAgo=

echo
echo "== curl --negotiate against Apache mod_auth_gssapi, Kerberos (MIT KDC): request and final reply"
show apache-krb5-authorization
show apache-krb5-www-authenticate-final

echo
echo "== the same server with NTLM (gss-ntlmssp): the three legs and the final reply"
for n in apache-ntlm-negotiate apache-ntlm-challenge apache-ntlm-authenticate apache-ntlm-final; do show "$n"; done

echo
echo "== Samba AD DC's SMB server speaks first: NegTokenInit2 with negHints"
show samba-smb2-negotiate-response

echo
echo "== an MIT acceptor rejecting a ticket: KRB-ERROR inside SPNEGO"
show python-gssapi-spnego-krb-error-bad-integrity

echo
echo "demo done: every token above decoded (JSON form: spnego inspect --json ...; format in docs/inspect-json.md)"
