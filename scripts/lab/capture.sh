#!/usr/bin/env bash
# Capture REAL tokens from the live lab peers; prints one JSON object per line on stdout:
#   {"name","peer","direction","header","base64","kind","length"}
# "kind" is derived from the bytes by describe_token.py; "base64" is exactly what went over the
# wire (HTTP header value after "Negotiate ", helper line token, or SMB2 security buffer).
#   capture.sh [STATE_DIR] > tokens.jsonl
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
S=${1:-${LAB_STATE_DIR:-}}
[[ -n "$S" && -f "$S/env.sh" ]] || { echo "capture.sh: no lab state dir (arg or LAB_STATE_DIR)" >&2; exit 2; }
# shellcheck disable=SC1091
source "$S/env.sh"
SAMBA_HTTP_HOST=${LAB_SAMBA_HTTP_SPN#HTTP/}; SAMBA_HTTP_HOST=${SAMBA_HTTP_HOST%@*}
W=$S/capture; rm -rf "$W"; mkdir -p "$W"
TSV=$W/tokens.tsv; : > "$TSV"
T="timeout 30"
I2A="initiator->acceptor"; A2I="acceptor->initiator"
add() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >> "$TSV"; }   # name peer direction header base64
need() { [[ -n "$1" ]] || { echo "capture.sh: no token for $2" >&2; exit 1; }; }

MITCC=FILE:$W/alice.cc; SAMCC=FILE:$W/samba-alice.cc
echo "$LAB_MIT_PASS1" | KRB5CCNAME=$MITCC $T kinit "alice@$LAB_MIT_REALM" >/dev/null
echo "$LAB_SAMBA_PASS1" | KRB5_CONFIG=$LAB_SAMBA_KRB5_CONFIG KRB5CCNAME=$SAMCC $T kinit "alice@$LAB_SAMBA_REALM" >/dev/null

# header tokens from curl -v: "> Authorization: Negotiate X" / "< WWW-Authenticate: Negotiate X"
hdr() { # file  '>'|'<'  header-name  -> tokens, one per line, in order
  tr -d '\r' < "$1" | sed -n "s/^$2 $3: Negotiate \([A-Za-z0-9+/=]\+\)\$/\1/Ip"
}

# ---------------------------------------------------------------- Apache, Kerberos
KRB5CCNAME=$MITCC $T curl -sS -v --negotiate -u : -o /dev/null "$LAB_HTTP_URL" 2> "$W/apache-krb5.log"
a=$(hdr "$W/apache-krb5.log" '>' Authorization | head -n1); need "$a" apache-krb5
add apache-krb5-authorization apache-krb5 "$I2A" Authorization "$a"
a=$(hdr "$W/apache-krb5.log" '<' WWW-Authenticate | head -n1); need "$a" apache-krb5-final
add apache-krb5-www-authenticate-final apache-krb5 "$A2I" WWW-Authenticate "$a"
# same with the lab host name (other SPN, HTTP/www.spnego.test)
KRB5CCNAME=$MITCC $T curl -sS -v --negotiate -u : --resolve "$LAB_CURL_RESOLVE" -o /dev/null "$LAB_HTTP_URL_HOST" 2> "$W/apache-krb5-host.log"
a=$(hdr "$W/apache-krb5-host.log" '>' Authorization | head -n1); need "$a" apache-krb5-host
add apache-krb5-hostname-authorization apache-krb5 "$I2A" Authorization "$a"

# ---------------------------------------------------------------- Apache, NTLM (gss-ntlmssp)
KRB5CCNAME=FILE:$W/empty.cc NTLM_USER_FILE=$LAB_NTLM_USER_FILE NTLMUSER=alice _NO_WINBINDD=1 \
  $T curl -sS -v --negotiate -u : -o /dev/null "$LAB_HTTP_URL" 2> "$W/apache-ntlm.log"
mapfile -t req < <(hdr "$W/apache-ntlm.log" '>' Authorization)
mapfile -t rsp < <(hdr "$W/apache-ntlm.log" '<' WWW-Authenticate)
[[ ${#req[@]} -ge 2 && ${#rsp[@]} -ge 2 ]] || { echo "capture.sh: apache-ntlm: ${#req[@]} requests/${#rsp[@]} responses" >&2; exit 1; }
add apache-ntlm-negotiate apache-ntlm "$I2A" Authorization "${req[0]}"
add apache-ntlm-challenge apache-ntlm "$A2I" WWW-Authenticate "${rsp[0]}"
add apache-ntlm-authenticate apache-ntlm "$I2A" Authorization "${req[1]}"
add apache-ntlm-final apache-ntlm "$A2I" WWW-Authenticate "${rsp[1]}"

# ---------------------------------------------------------------- squid (Proxy-Authorization)
KRB5CCNAME=$MITCC $T curl -sS -v --proxy-negotiate -U : -x "$LAB_SQUID_PROXY" -o /dev/null "$LAB_HTTP_URL_PUBLIC" 2> "$W/squid.log"
a=$(hdr "$W/squid.log" '>' Proxy-Authorization | head -n1); need "$a" squid
add squid-proxy-authorization squid "$I2A" Proxy-Authorization "$a"
a=$(hdr "$W/squid.log" '<' Proxy-Authenticate | head -n1 || true)
[[ -z "$a" ]] || add squid-proxy-authenticate-final squid "$A2I" Proxy-Authenticate "$a"

# ---------------------------------------------------------------- Samba SMB2 security buffers (tshark on lo)
PCAP=$W/smb.pcap
setsid tshark -i lo -f "tcp port 445 and host $LAB_SAMBA_IP" -w "$PCAP" -q 2> "$W/tshark.err" < /dev/null &
TP=$!
trap 'kill -TERM -- -$TP 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q 'Capturing on' "$W/tshark.err" && break; kill -0 $TP 2>/dev/null || break; sleep 0.1; done
grep -q 'Capturing on' "$W/tshark.err" || { echo "capture.sh: tshark did not start: $(cat "$W/tshark.err")" >&2; exit 1; }
SMB() { KRB5_CONFIG=$LAB_SAMBA_KRB5_CONFIG $T smbclient "//$LAB_SAMBA_DC_HOST/netlogon" -I "$LAB_SAMBA_IP" --configfile="$LAB_SAMBA_SMB_CONF" -c ls "$@" > /dev/null; }
KRB5CCNAME=$SAMCC SMB --use-kerberos=required
sleep 0.5
KRB5CCNAME=FILE:$W/empty.cc SMB --use-kerberos=disabled -U "$LAB_SAMBA_DOMAIN/alice%$LAB_SAMBA_PASS1"
sleep 1
kill -INT $TP; wait $TP || true; trap - EXIT
# frame, tcp stream, cmd (0 NEGOTIATE, 1 SESSION_SETUP), response flag, blob hex
tshark -r "$PCAP" -Y smb2.security_blob -T fields -E separator=, \
  -e tcp.stream -e smb2.cmd -e smb2.flags.response -e smb2.security_blob 2>/dev/null > "$W/smb.fields"
streams=($(cut -d, -f1 "$W/smb.fields" | uniq))
[[ ${#streams[@]} -ge 2 ]] || { echo "capture.sh: expected 2 SMB connections in pcap, got ${#streams[@]}" >&2; exit 1; }
for idx in 0 1; do
  label=$([[ $idx == 0 ]] && echo krb5 || echo ntlm)
  n=0
  while IFS=, read -r st cmd resp hex; do
    [[ "$st" == "${streams[$idx]}" ]] || continue
    b64=$(printf '%s' "$hex" | xxd -r -p | base64 -w0)
    if [[ "$cmd" == 0 ]]; then
      [[ $idx == 0 ]] && add samba-smb2-negotiate-response samba-smb "$A2I" null "$b64"
      continue
    fi
    n=$((n + 1))
    if [[ "$resp" == 1 || "$resp" == True ]]; then
      add "samba-smb2-$label-session-setup-response-$n" samba-smb "$A2I" null "$b64"
    else
      add "samba-smb2-$label-session-setup-request-$n" samba-smb "$I2A" null "$b64"
    fi
  done < "$W/smb.fields"
done

# ---------------------------------------------------------------- ntlm_auth helpers (Samba DC)
legs() { # json prefix peer : emit each leg with b64
  /usr/bin/python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); pre, peer = sys.argv[2], sys.argv[3]
for i,l in enumerate(d["legs"],1):
    if l.get("b64"):
        cli = l["from"] == "client"
        print("\t".join([ "%s-%d-%s" % (pre, i, l["from"]), peer,
              "initiator->acceptor" if cli else "acceptor->initiator", "null", l["b64"]]))' "$@" >> "$TSV"
}
NP=$HERE/ntlm_auth_pair.py
$T /usr/bin/python3 "$NP" ntlm "$LAB_SAMBA_SMB_CONF" "$LAB_SAMBA_DOMAIN" alice "$LAB_SAMBA_PASS1" > "$W/ntlm_auth-ntlm.json"
legs "$W/ntlm_auth-ntlm.json" ntlm_auth-ntlmssp ntlm_auth
KRB5_CONFIG=$LAB_SAMBA_KRB5_CONFIG KRB5CCNAME=$SAMCC LAB_ACCEPTOR_KEYTAB=$LAB_SAMBA_HTTP_KEYTAB \
  $T /usr/bin/python3 "$NP" spnego "$LAB_SAMBA_SMB_CONF" "$LAB_SAMBA_DOMAIN" alice "$LAB_SAMBA_PASS1" HTTP "$SAMBA_HTTP_HOST" > "$W/gss-spnego-krb5.json"
legs "$W/gss-spnego-krb5.json" gss-spnego-krb5 gss-spnego
KRB5_CONFIG=$LAB_SAMBA_KRB5_CONFIG KRB5CCNAME=FILE:$W/empty.cc \
  $T /usr/bin/python3 "$NP" spnego "$LAB_SAMBA_SMB_CONF" "$LAB_SAMBA_DOMAIN" alice "$LAB_SAMBA_PASS1" > "$W/gss-spnego-ntlm.json"
legs "$W/gss-spnego-ntlm.json" gss-spnego-ntlm gss-spnego

# ---------------------------------------------------------------- python-gssapi (MIT): raw krb5 and a KRB-ERROR
KRB5CCNAME=$MITCC KRB5_KTNAME=$LAB_MIT_HTTP_KEYTAB $T /usr/bin/python3 "$HERE/gss_pair.py" HTTP@localhost krb5 > "$W/py-krb5.json"
/usr/bin/python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
for i,l in enumerate(d["legs"],1):
    ini = l["from"]=="initiator"
    print("\t".join(["python-gssapi-raw-krb5-%s" % ("ap-req" if ini else "ap-rep"), "python-gssapi",
                     "initiator->acceptor" if ini else "acceptor->initiator", "null", l["b64"]]))' "$W/py-krb5.json" >> "$TSV"
# acceptor with a wrong key of the right kvno -> MIT answers the AP-REQ with a KRB-ERROR token
kv=$(klist -k "$LAB_MIT_HTTP_KEYTAB" | awk '/HTTP\/localhost@/{print $1; exit}')
printf 'addent -password -p HTTP/localhost@%s -k %s -e aes256-cts-hmac-sha1-96\nnot-the-key\nwkt %s\n' \
  "$LAB_MIT_REALM" "$kv" "$W/wrong.keytab" | ktutil > /dev/null
for mech in krb5 spnego; do
KRB5CCNAME=$MITCC KRB5_KTNAME=$W/wrong.keytab $T /usr/bin/python3 - "$mech" >> "$TSV" <<'PY'
import base64, sys, gssapi
mech = {"krb5": "1.2.840.113554.1.2.2", "spnego": "1.3.6.1.5.5.2"}[sys.argv[1]]
ini = gssapi.SecurityContext(name=gssapi.Name("HTTP@localhost", gssapi.NameType.hostbased_service),
      mech=gssapi.OID.from_int_seq(mech), usage="initiate",
      flags=[gssapi.RequirementFlag.mutual_authentication])
tok = ini.step()
acc = gssapi.SecurityContext(creds=gssapi.Credentials(usage="accept"), usage="accept")
# python-gssapi 1.8 hands back the acceptor's error token from step() without raising here
err = None
try:
    out = acc.step(tok)
    if acc.complete:
        sys.exit("capture.sh: wrong key accepted?")
    err = out
except gssapi.exceptions.GSSError as e:
    err = getattr(e, "token", None)
if err:
    name = "python-gssapi-%s-ap-req-to-wrong-key" % sys.argv[1]
    print("\t".join([name, "python-gssapi", "initiator->acceptor", "null", base64.b64encode(tok).decode()]))
    print("\t".join(["python-gssapi-%s-krb-error-bad-integrity" % sys.argv[1], "python-gssapi",
                     "acceptor->initiator", "null", base64.b64encode(err).decode()]))
else:
    print("capture.sh: acceptor produced no error token for %s" % sys.argv[1], file=sys.stderr)
PY
done

/usr/bin/python3 "$HERE/describe_token.py" < "$TSV"
