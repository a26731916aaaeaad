#!/usr/bin/env bash
# Prove each lab peer with its own native client: one line per peer, "PASS <peer>: <detail>" or
# "FAIL <peer>: <reason>"; exit non-zero if any FAIL.   check.sh [STATE_DIR]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
S=${1:-${LAB_STATE_DIR:-}}
[[ -n "$S" && -f "$S/env.sh" ]] || { echo "check.sh: no lab state dir (arg or LAB_STATE_DIR)" >&2; exit 2; }
# shellcheck disable=SC1091
source "$S/env.sh"
SAMBA_HTTP_HOST=${LAB_SAMBA_HTTP_SPN#HTTP/}; SAMBA_HTTP_HOST=${SAMBA_HTTP_HOST%@*}
CK=$S/check; rm -rf "$CK"; mkdir -p "$CK"
fails=0
pass() { echo "PASS $1: $2"; }
failp() { echo "FAIL $1: $2"; fails=$((fails + 1)); }
# run a check: NAME FUNCTION; the function prints its detail on stdout (last line) and returns 0/1
run() {
  local name=$1 fn=$2 out rc=0
  out=$( (set -euo pipefail; "$fn") 2>"$CK/$name.err") || rc=$?
  out=$(printf '%s' "$out" | tail -n 1)
  if [[ $rc == 0 ]]; then pass "$name" "$out"; else
    [[ -n "$out" ]] || out=$(tail -n 2 "$CK/$name.err" | tr '\n' ' ')
    failp "$name" "${out:-exit $rc}"; fi
}
T="timeout 30"
MITCC=FILE:$CK/alice.cc
SAMCC=FILE:$CK/samba-alice.cc

c_mit_kdc() {
  echo "$LAB_MIT_PASS1" | KRB5CCNAME=$MITCC $T kinit "alice@$LAB_MIT_REALM" >/dev/null
  KRB5CCNAME=$MITCC klist -e | grep -q "krbtgt/$LAB_MIT_REALM@$LAB_MIT_REALM" || { echo "no TGT in cache"; return 1; }
  local ets missing=""
  ets=$(klist -ke "$LAB_MIT_HTTP_KEYTAB" | grep "HTTP/localhost@" | sed -n 's/.*(\(.*\)).*/\1/p' | sort -u | tr '\n' ' ')
  for e in aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96 aes256-cts-hmac-sha384-192 aes128-cts-hmac-sha256-128; do
    [[ " $ets " == *" $e "* ]] || missing+=" $e"; done
  [[ -z "$missing" ]] || { echo "HTTP keytab lacks:$missing"; return 1; }
  local tgt_et; tgt_et=$(KRB5CCNAME=$MITCC klist -e | grep -A1 krbtgt | sed -n 's/.*Etype (skey, tkt): //p' | head -1)
  echo "kinit alice@$LAB_MIT_REALM via $LAB_MIT_KDC (TGT etypes: $tgt_et); HTTP keytab: ${ets% }"
}
c_apache_krb5() {
  local body code
  body=$(KRB5CCNAME=$MITCC $T curl -sS --negotiate -u : -w '\n%{http_code}' "$LAB_HTTP_URL")
  code=$(tail -n1 <<<"$body")
  [[ $code == 200 ]] && grep -q "^REMOTE_USER=alice@$LAB_MIT_REALM\$" <<<"$body" \
    || { echo "HTTP $code: $(head -n1 <<<"$body")"; return 1; }
  body=$(KRB5CCNAME=$MITCC $T curl -sS --negotiate -u : --resolve "$LAB_CURL_RESOLVE" -w '\n%{http_code}' "$LAB_HTTP_URL_HOST")
  [[ $(tail -n1 <<<"$body") == 200 ]] || { echo "$LAB_HTTP_URL_HOST: HTTP $(tail -n1 <<<"$body")"; return 1; }
  echo "200 from $LAB_HTTP_URL and $LAB_HTTP_URL_HOST, server saw $(grep -E '^(REMOTE_USER|GSS_MECH)=' <<<"$body" | tr '\n' ' ')"
}
c_apache_ntlm() {
  local body code
  body=$(KRB5CCNAME=FILE:$CK/empty.cc NTLM_USER_FILE=$LAB_NTLM_USER_FILE NTLMUSER=alice _NO_WINBINDD=1 \
         $T curl -sS --negotiate -u : -w '\n%{http_code}' "$LAB_HTTP_URL")
  code=$(tail -n1 <<<"$body")
  [[ $code == 200 ]] && grep -q '^GSS_MECH=Negotiate/NTLM$' <<<"$body" \
    || { echo "HTTP $code: $(head -n3 <<<"$body" | tr '\n' ' ')"; return 1; }
  echo "200 via gss-ntlmssp (no ticket), server saw $(grep -E '^(REMOTE_USER|GSS_MECH)=' <<<"$body" | tr '\n' ' ')"
}
c_squid() {
  local code body
  code=$($T curl -sS -o /dev/null -w '%{http_code}' -x "$LAB_SQUID_PROXY" -D "$CK/squid-407.hdr" "$LAB_HTTP_URL_PUBLIC")
  [[ $code == 407 ]] && grep -qi '^Proxy-Authenticate: Negotiate' "$CK/squid-407.hdr" || { echo "no 407 Negotiate (got $code)"; return 1; }
  body=$(KRB5CCNAME=$MITCC $T curl -sS --proxy-negotiate -U : -x "$LAB_SQUID_PROXY" -w '\n%{http_code}' "$LAB_HTTP_URL_PUBLIC")
  [[ $(tail -n1 <<<"$body") == 200 && $(head -n1 <<<"$body") == "public page" ]] || { echo "HTTP $(tail -n1 <<<"$body") via proxy"; return 1; }
  local u; u=$(grep -o 'alice@[A-Z.]*' "$S/squid/access.log" | tail -n1 || true)
  echo "407 Negotiate without ticket, then 200 via $LAB_SQUID_PROXY to Apache /public (access.log user: ${u:-?})"
}
c_gss_server() {
  local out
  out=$(KRB5CCNAME=$MITCC $T gss-client -port "$LAB_GSS_SERVER_PORT" "$LAB_GSS_SERVER_HOST" "$LAB_GSS_SERVER_SERVICE" "lab check krb5" 2>&1)
  grep -q 'Signature verified' <<<"$out" || { echo "krb5: $(tail -n1 <<<"$out")"; return 1; }
  out=$(KRB5CCNAME=$MITCC $T gss-client -spnego -port "$LAB_GSS_SERVER_PORT" "$LAB_GSS_SERVER_HOST" "$LAB_GSS_SERVER_SERVICE" "lab check spnego" 2>&1)
  grep -q 'Signature verified' <<<"$out" || { echo "spnego: $(tail -n1 <<<"$out")"; return 1; }

  echo "gss-client krb5 and -spnego to $LAB_GSS_SERVER_SERVICE at $LAB_GSS_SERVER_HOST:$LAB_GSS_SERVER_PORT: signature verified"
}
c_python_gssapi() {
  local a b
  a=$(KRB5CCNAME=$MITCC KRB5_KTNAME=$LAB_MIT_HTTP_KEYTAB $T /usr/bin/python3 "$HERE/gss_pair.py" HTTP@localhost spnego)
  b=$(KRB5CCNAME=FILE:$CK/empty.cc NTLM_USER_FILE=$LAB_NTLM_USER_FILE NTLMUSER=alice _NO_WINBINDD=1 \
      $T /usr/bin/python3 "$HERE/gss_pair.py" HTTP@localhost spnego)
  /usr/bin/python3 -c 'import json,sys
a,b=json.loads(sys.argv[1]),json.loads(sys.argv[2])
assert a["ok"] and a["initiator"]=="alice@"+sys.argv[3], a
assert b["ok"] and b["initiator"].rstrip("\0").endswith("alice"), b
print("python-gssapi SPNEGO init/accept+wrap/MIC: krb5 as %s (%d legs), NTLM as %s (%d legs)" % (a["initiator"], len(a["legs"]), b["initiator"].rstrip("\0"), len(b["legs"])))' "$a" "$b" "$LAB_MIT_REALM"
}
c_samba_kdc() {
  echo "$LAB_SAMBA_PASS1" | KRB5_CONFIG=$LAB_SAMBA_KRB5_CONFIG KRB5CCNAME=$SAMCC $T kinit "alice@$LAB_SAMBA_REALM" >/dev/null
  # service ticket for the AES service account (msDS-SupportedEncryptionTypes=0x1C)
  KRB5_CONFIG=$LAB_SAMBA_KRB5_CONFIG KRB5CCNAME=$SAMCC $T kvno "$LAB_SAMBA_HTTP_SPN" >/dev/null
  local et; et=$(KRB5_CONFIG=$LAB_SAMBA_KRB5_CONFIG KRB5CCNAME=$SAMCC klist -e | grep -A1 "HTTP/" | sed -n 's/.*Etype (skey, tkt): //p' | head -1)
  [[ "$et" == *aes256* ]] || { echo "HTTP ticket not AES: $et"; return 1; }
  echo "kinit alice@$LAB_SAMBA_REALM via $LAB_SAMBA_IP:88; $LAB_SAMBA_HTTP_SPN ticket etypes: $et"
}
c_samba_smb_krb5() {
  local out
  out=$(KRB5_CONFIG=$LAB_SAMBA_KRB5_CONFIG KRB5CCNAME=$SAMCC $T smbclient "//$LAB_SAMBA_DC_HOST/netlogon" -I "$LAB_SAMBA_IP" \
        --configfile="$LAB_SAMBA_SMB_CONF" --use-kerberos=required -c ls 2>&1) || { echo "smbclient: $(tail -n1 <<<"$out")"; return 1; }
  KRB5_CONFIG=$LAB_SAMBA_KRB5_CONFIG KRB5CCNAME=$SAMCC klist | grep -q "cifs/$LAB_SAMBA_DC_HOST@" || { echo "no cifs ticket used"; return 1; }
  echo "smbclient --use-kerberos=required //$LAB_SAMBA_DC_HOST/netlogon ls OK (cifs/$LAB_SAMBA_DC_HOST ticket)"
}
c_samba_smb_ntlm() {
  local out
  out=$(KRB5_CONFIG=$LAB_SAMBA_KRB5_CONFIG KRB5CCNAME=FILE:$CK/empty.cc $T smbclient "//$LAB_SAMBA_DC_HOST/netlogon" -I "$LAB_SAMBA_IP" \
        --configfile="$LAB_SAMBA_SMB_CONF" --use-kerberos=disabled -U "$LAB_SAMBA_DOMAIN/alice%$LAB_SAMBA_PASS1" -c ls 2>&1) \
        || { echo "smbclient: $(tail -n1 <<<"$out")"; return 1; }
  echo "smbclient --use-kerberos=disabled (NTLMSSP) -U $LAB_SAMBA_DOMAIN/alice //$LAB_SAMBA_DC_HOST/netlogon ls OK"
}
c_ntlm_auth() {
  local out
  out=$($T /usr/bin/python3 "$HERE/ntlm_auth_pair.py" ntlm "$LAB_SAMBA_SMB_CONF" "$LAB_SAMBA_DOMAIN" alice "$LAB_SAMBA_PASS1") \
    || { echo "exchange failed: $out"; return 1; }
  /usr/bin/python3 -c 'import json,sys,base64
d=json.loads(sys.argv[1]); l=d["legs"]
assert l[1]["verb"]=="TT" and base64.b64decode(l[1]["b64"])[8]==2, l[1]
print("squid-2.5-ntlmssp answered the ntlmssp-client-1 NEGOTIATE with TT (CHALLENGE), then %s %s" % (d["result"], d["user"]))' "$out"
}
c_gss_spnego() {
  local k n
  k=$(KRB5_CONFIG=$LAB_SAMBA_KRB5_CONFIG KRB5CCNAME=$SAMCC LAB_ACCEPTOR_KEYTAB=$LAB_SAMBA_HTTP_KEYTAB $T /usr/bin/python3 "$HERE/ntlm_auth_pair.py" spnego \
      "$LAB_SAMBA_SMB_CONF" "$LAB_SAMBA_DOMAIN" alice "$LAB_SAMBA_PASS1" HTTP "$SAMBA_HTTP_HOST") || { echo "krb5: $k"; return 1; }
  n=$(KRB5_CONFIG=$LAB_SAMBA_KRB5_CONFIG KRB5CCNAME=FILE:$CK/empty.cc $T /usr/bin/python3 "$HERE/ntlm_auth_pair.py" spnego \
      "$LAB_SAMBA_SMB_CONF" "$LAB_SAMBA_DOMAIN" alice "$LAB_SAMBA_PASS1") || { echo "ntlm: $n"; return 1; }
  /usr/bin/python3 -c 'import json,sys,base64
sys.path.insert(0, sys.argv[3]); from describe_token import describe
k,n=json.loads(sys.argv[1]),json.loads(sys.argv[2])
k0=describe(base64.b64decode(k["legs"][0]["b64"])); n0=describe(base64.b64decode(n["legs"][0]["b64"]))
assert "AP-REQ" in k0, "Kerberos leg fell back: " + k0
assert "NTLM NEGOTIATE" in n0, n0
print("gss-spnego-client<->gss-spnego: Kerberos (HTTP keytab) %s in %d legs; NTLM %s in %d legs" % (k["user"], len(k["legs"]), n["user"], len(n["legs"])))' "$k" "$n" "$HERE"
}
c_redis() {
  local r
  r=$($T redis-cli -h "$LAB_REDIS_HOST" -p "$LAB_REDIS_PORT" SET spnego:check 1 NX PX 1000) || return 1
  [[ "$r" == OK || -z "$r" ]] || { echo "SET NX answered $r"; return 1; }
  echo "redis-cli SET NX PX against $LAB_REDIS_HOST:$LAB_REDIS_PORT answered ${r:-nil}"
}
run mit-kdc c_mit_kdc
run apache-krb5 c_apache_krb5
run apache-ntlm c_apache_ntlm
run squid c_squid
run gss-server c_gss_server
run python-gssapi c_python_gssapi
run samba-kdc c_samba_kdc
run samba-smb-krb5 c_samba_smb_krb5
run samba-smb-ntlm c_samba_smb_ntlm
run ntlm_auth c_ntlm_auth
run gss-spnego c_gss_spnego
run redis c_redis
[[ $fails == 0 ]] || { echo "check.sh: $fails FAIL (details in $CK/*.err)" >&2; exit 1; }
