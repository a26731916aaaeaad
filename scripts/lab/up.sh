#!/usr/bin/env bash
# Bring up the SPNEGO/Kerberos/NTLM lab on loopback, all state in one folder.
#   up.sh [STATE_DIR]   -> prints the state dir as the last line of stdout
# Peers: MIT KDC+kadmind (127.0.0.1), Apache+mod_auth_gssapi (krb5+ntlmssp), squid (Negotiate),
# gss-server (behind systemd-socket-activate), Samba 4.17 AD DC (127.0.0.2).
# Nothing global is touched: no /etc/krb5.conf, /etc/samba/smb.conf, /etc/hosts, system services.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
S=${1:-}
if [[ -n "$S" && -s "$S/pids" ]]; then echo "up.sh: $S/pids exists: lab already up? run down.sh $S first" >&2; exit 1; fi

for b in krb5kdc kadmind kdb5_util kadmin.local apache2 squid gss-server systemd-socket-activate \
         samba samba-tool ldbmodify ntlm_auth smbclient wbinfo curl klist kinit ss redis-server; do
  command -v "$b" >/dev/null || { echo "up.sh: missing $b: run scripts/lab/install.sh" >&2; exit 1; }
done
[[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c 'import gssapi' 2>/dev/null \
  || { echo "up.sh: /usr/bin/python3 lacks gssapi (python3-gssapi): run scripts/lab/install.sh" >&2; exit 1; }

# ---------------------------------------------------------------- parameters
MIT_REALM=SPNEGO.TEST;  MIT_DOMAIN=SPNEGO   # NTLM domain used by gss-ntlmssp user file
OTHER_REALM=OTHER.TEST   # a second realm in the same krb5kdc, trusting nothing but SPNEGO.TEST's TGT
OTHER_HOST=www.other.test          # mapped to OTHER.TEST in krb5.conf [domain_realm] (client-side)
REFERRAL_HOST=web.referral.test    # mapped to OTHER.TEST only in kdc.conf: the client learns it by referral
DIRECT_HOST=www.direct.test        # in OTHER.TEST, mapped by no lab config: tests add a client-side [domain_realm] entry
RC4_HOST=rc4.spnego.test           # HTTP/ service with an rc4-hmac key only (weak-crypto interop)
MIT_IP=127.0.0.1
KDC_PORT=${LAB_KDC_PORT:-18888}; KADMIN_PORT=${LAB_KADMIN_PORT:-18749}; KPASSWD_PORT=${LAB_KPASSWD_PORT:-18464}
HTTP_PORT=${LAB_HTTP_PORT:-18080}; SQUID_PORT=${LAB_SQUID_PORT:-13128}; GSS_PORT=${LAB_GSS_PORT:-14444}
REDIS_PORT=${LAB_REDIS_PORT:-16379}
HTTP_HOST=www.spnego.test          # lab host name (curl --resolve / squid hosts_file)
SAMBA_IP=127.0.0.2; SAMBA_REALM=SAMBA.TEST; SAMBA_DOMAIN=SAMBA; SAMBA_HOST=dc1; SAMBA_DNS=samba.test
SAMBA_HTTP_HOST=www.samba.test
ALICE_PW='Alice-Pass1'; BOB_PW='Bob-Pass1'
S_ADMIN_PW='Admin-Samba1!'; S_ALICE_PW='Alice-Samba1!'; S_BOB_PW='Bob-Samba1!'; S_SVC_PW='Httpsvc-Samba1!'
WAIT=${LAB_WAIT:-30}

listening() { ss -Hltn "sport = :$2" 2>/dev/null | awk '{print $4}' | grep -qx "$1:$2"; }
for p in "$MIT_IP:$KDC_PORT" "$MIT_IP:$KADMIN_PORT" "$MIT_IP:$KPASSWD_PORT" "$MIT_IP:$HTTP_PORT" \
         "$MIT_IP:$SQUID_PORT" "$MIT_IP:$GSS_PORT" "$SAMBA_IP:445" "$SAMBA_IP:88"; do
  if listening "${p%:*}" "${p##*:}" || listening "0.0.0.0" "${p##*:}"; then
    echo "up.sh: port $p already in use (another lab up? see ss -ltnp)" >&2; exit 1; fi
done
# the winbindd socket path is compiled into the client libraries: only one DC per machine
if [[ -S /run/samba/winbindd/pipe ]] && timeout 5 wbinfo -P >/dev/null 2>&1; then
  echo "up.sh: a winbindd already answers on /run/samba/winbindd (another lab/Samba running?)" >&2; exit 1
fi

if [[ -z "$S" ]]; then S=$(mktemp -d /tmp/spnego-lab.XXXXXX); else mkdir -p "$S"; fi
S=$(cd "$S" && pwd)
mkdir -p "$S"/{mit,apache/cgi,apache/htdocs/public,apache/run,squid,gss,samba,log,rcache,ccache,ntlm}
chmod 755 "$S"; chmod 1777 "$S/rcache"   # apache (www-data) and squid helpers (proxy) need access
: > "$S/pids"

log() { echo "up.sh: $*" >&2; }
tail_logs() { for f in "$@"; do [[ -f "$f" ]] && { echo "---- tail $f" >&2; tail -n 25 "$f" >&2; }; done; return 0; }
fail() { # $1 = message, rest = logs
  local m=$1; shift; log "FAIL: $m"; tail_logs "$@"
  KEEP_LAB=1 "$HERE/down.sh" "$S" >&2 || true
  log "state (logs) kept in $S"; exit 1
}
trap 'fail "command failed at line $LINENO: $BASH_COMMAND" ' ERR

start() { # start NAME LOG CMD...   (own session/process group; pid == pgid)
  local name=$1 lf=$2; shift 2
  setsid "$@" >"$lf" 2>&1 </dev/null &
  local pid=$!
  echo "$pid $name" >> "$S/pids"
  eval "PID_${name//-/_}=$pid"
}
wait_port() { # wait_port NAME PID IP PORT LOG...
  local name=$1 pid=$2 ip=$3 port=$4; shift 4
  local t=$((SECONDS + WAIT))
  while ! listening "$ip" "$port"; do
    kill -0 "$pid" 2>/dev/null || fail "$name (pid $pid) exited before listening on $ip:$port" "$@"
    (( SECONDS < t )) || fail "$name not listening on $ip:$port after ${WAIT}s" "$@"
    sleep 0.1
  done
}
# ---------------------------------------------------------------- common env
export KRB5_CONFIG=$S/krb5.conf
export KRB5_KDC_PROFILE=$S/mit/kdc.conf
export KRB5RCACHEDIR=$S/rcache
export KRB5CCNAME=FILE:$S/ccache/default
export KRB5_KTNAME=$S/mit/http.keytab
export KRB5_CLIENT_KTNAME=$S/mit/client.keytab

ENCTYPES="aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96 aes256-cts-hmac-sha384-192 aes128-cts-hmac-sha256-128"
krb5conf() { # krb5conf DEFAULT_REALM
cat <<EOF
[libdefaults]
    default_realm = $1
    dns_lookup_kdc = false
    dns_lookup_realm = false
    dns_canonicalize_hostname = false
    rdns = false
    ignore_acceptor_hostname = false
    forwardable = true
    permitted_enctypes = $ENCTYPES arcfour-hmac
    default_tkt_enctypes = $ENCTYPES arcfour-hmac
    default_tgs_enctypes = $ENCTYPES arcfour-hmac
    allow_rc4 = true

[realms]
    $MIT_REALM = {
        kdc = $MIT_IP:$KDC_PORT
        admin_server = $MIT_IP:$KADMIN_PORT
        kpasswd_server = $MIT_IP:$KPASSWD_PORT
    }
    $SAMBA_REALM = {
        kdc = $SAMBA_IP:88
        admin_server = $SAMBA_IP
        kpasswd_server = $SAMBA_IP:464
    }
    $OTHER_REALM = {
        kdc = $MIT_IP:$KDC_PORT
    }

[domain_realm]
    localhost = $MIT_REALM
    .other.test = $OTHER_REALM
    .spnego.test = $MIT_REALM
    spnego.test = $MIT_REALM
    .$SAMBA_DNS = $SAMBA_REALM
    $SAMBA_DNS = $SAMBA_REALM
EOF
}
krb5conf "$MIT_REALM" > "$S/krb5.conf"
krb5conf "$SAMBA_REALM" > "$S/samba-krb5.conf"

# ================================================================ MIT KDC
T0=$SECONDS
cat > "$S/mit/kdc.conf" <<EOF
[kdcdefaults]
    kdc_listen = $MIT_IP:$KDC_PORT
    kdc_tcp_listen = $MIT_IP:$KDC_PORT

[realms]
    $MIT_REALM = {
        database_name = $S/mit/principal
        key_stash_file = $S/mit/stash
        acl_file = $S/mit/kadm5.acl
        kadmind_listen = $MIT_IP:$KADMIN_PORT
        kpasswd_listen = $MIT_IP:$KPASSWD_PORT
        master_key_type = aes256-cts-hmac-sha1-96
        supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal aes256-cts-hmac-sha384-192:normal aes128-cts-hmac-sha256-128:normal
        max_life = 10h 0m 0s
        max_renewable_life = 7d 0h 0m 0s
    }
    $OTHER_REALM = {
        database_name = $S/mit/other-principal
        key_stash_file = $S/mit/other-stash
        master_key_type = aes256-cts-hmac-sha1-96
        supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
    }

# Read by krb5kdc only (its profile is kdc.conf, then krb5.conf): the KDC answers a canonicalize
# request for a host-based name under .referral.test with a referral to $OTHER_REALM (RFC 6806).
[domain_realm]
    .referral.test = $OTHER_REALM

[logging]
    kdc = FILE:$S/log/krb5kdc.log
    admin_server = FILE:$S/log/kadmind.log
    default = FILE:$S/log/krb5lib.log
EOF
echo "*/admin@$MIT_REALM *" > "$S/mit/kadm5.acl"
kdb5_util -r "$MIT_REALM" create -s -P 'lab-master-key' > "$S/log/kdb5_util.log" 2>&1 \
  || fail "kdb5_util create" "$S/log/kdb5_util.log"
{
  echo "addprinc -pw $ALICE_PW alice"
  echo "addprinc -pw $BOB_PW bob"
  echo "addprinc -pw Admin-Pass1 admin/admin"
  echo "addprinc -randkey HTTP/localhost"
  echo "addprinc -randkey HTTP/$HTTP_HOST"
  echo "addprinc -randkey host/localhost"
  echo "ktadd -k $S/mit/http.keytab HTTP/localhost HTTP/$HTTP_HOST"
  echo "ktadd -k $S/mit/host.keytab host/localhost"
  echo "ktadd -k $S/mit/client.keytab -norandkey alice"
  echo "addprinc -randkey -e arcfour-hmac:normal HTTP/$RC4_HOST"
  echo "setstr HTTP/$RC4_HOST session_enctypes arcfour-hmac"  # else the KDC picks an AES session key (MIT 1.18+)
  echo "ktadd -k $S/mit/rc4.keytab -e arcfour-hmac:normal HTTP/$RC4_HOST"
  # cross-realm: the same password (and so, with the same default salt, the same keys) in both databases
  echo "addprinc -pw Cross-Realm-Pass1 -e aes256-cts-hmac-sha1-96:normal,aes128-cts-hmac-sha1-96:normal krbtgt/$OTHER_REALM@$MIT_REALM"
} | kadmin.local -r "$MIT_REALM" > "$S/log/kadmin.local.log" 2>&1 || fail "kadmin.local" "$S/log/kadmin.local.log"
kdb5_util -r "$OTHER_REALM" create -s -P 'other-master-key' > "$S/log/kdb5_util-other.log" 2>&1 \
  || fail "kdb5_util create $OTHER_REALM" "$S/log/kdb5_util-other.log"
{
  echo "addprinc -pw Cross-Realm-Pass1 -e aes256-cts-hmac-sha1-96:normal,aes128-cts-hmac-sha1-96:normal krbtgt/$OTHER_REALM@$MIT_REALM"
  echo "addprinc -randkey HTTP/$OTHER_HOST"
  echo "addprinc -randkey HTTP/$REFERRAL_HOST"
  echo "addprinc -randkey HTTP/$DIRECT_HOST"
  echo "ktadd -k $S/mit/other-http.keytab HTTP/$OTHER_HOST HTTP/$REFERRAL_HOST HTTP/$DIRECT_HOST"
} | kadmin.local -r "$OTHER_REALM" > "$S/log/kadmin.local-other.log" 2>&1 || fail "kadmin.local $OTHER_REALM" "$S/log/kadmin.local-other.log"
chmod 644 "$S"/mit/*.keytab
for e in $ENCTYPES; do
  klist -ke "$S/mit/http.keytab" | grep -q "HTTP/localhost@$MIT_REALM ($e)" \
    || fail "HTTP/localhost key for $e missing" "$S/log/kadmin.local.log"
done
start krb5kdc "$S/log/krb5kdc.out" krb5kdc -n -r "$MIT_REALM" -r "$OTHER_REALM"
start kadmind "$S/log/kadmind.out" kadmind -nofork -r "$MIT_REALM"
wait_port krb5kdc "$PID_krb5kdc" "$MIT_IP" "$KDC_PORT" "$S/log/krb5kdc.out" "$S/log/krb5kdc.log"
wait_port kadmind "$PID_kadmind" "$MIT_IP" "$KADMIN_PORT" "$S/log/kadmind.out" "$S/log/kadmind.log"
T_MIT=$((SECONDS - T0))

# ================================================================ NTLM user file (gss-ntlmssp)
printf '%s:alice:%s\n%s:bob:%s\n' "$MIT_DOMAIN" "$ALICE_PW" "$MIT_DOMAIN" "$BOB_PW" > "$S/ntlm/users"
chmod 644 "$S/ntlm/users"

# ================================================================ Apache + mod_auth_gssapi
M=/usr/lib/apache2/modules
cat > "$S/apache/cgi/whoami" <<'EOF'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
# printf, not echo: dash's echo would eat the backslash in DOMAIN\user
printf 'REMOTE_USER=%s\nGSS_NAME=%s\nGSS_MECH=%s\nAUTH_TYPE=%s\n' "$REMOTE_USER" "$GSS_NAME" "$GSS_MECH" "$AUTH_TYPE"
EOF
chmod 755 "$S/apache/cgi/whoami"
echo "public page" > "$S/apache/htdocs/public/index.html"
cat > "$S/apache/httpd.conf" <<EOF
ServerRoot "$S/apache"
ServerName localhost
Listen $MIT_IP:$HTTP_PORT
PidFile $S/apache/run/httpd.pid
DefaultRuntimeDir $S/apache/run
Mutex file:$S/apache/run default
ErrorLog $S/log/apache-error.log
LogLevel info auth_gssapi:debug
LoadModule mpm_prefork_module $M/mod_mpm_prefork.so
LoadModule authn_core_module $M/mod_authn_core.so
LoadModule authz_core_module $M/mod_authz_core.so
LoadModule authz_user_module $M/mod_authz_user.so
LoadModule alias_module $M/mod_alias.so
LoadModule cgi_module $M/mod_cgi.so
LoadModule env_module $M/mod_env.so
LoadModule headers_module $M/mod_headers.so
LoadModule auth_gssapi_module $M/mod_auth_gssapi.so
StartServers 2
MinSpareServers 1
MaxSpareServers 4
KeepAlive On
User www-data
Group www-data
LogFormat "%h %l %u %t \"%r\" %>s %b" common
CustomLog $S/log/apache-access.log common
DocumentRoot $S/apache/htdocs
<Directory />
    Require all granted
</Directory>
ScriptAlias /auth/whoami $S/apache/cgi/whoami
ScriptAlias /auth-krb5/whoami $S/apache/cgi/whoami
<Location /auth>
    AuthType GSSAPI
    AuthName "SPNEGO lab"
    GssapiAllowedMech krb5
    GssapiAllowedMech ntlmssp
    GssapiConnectionBound On
    GssapiPublishMech On
    GssapiBasicAuth Off
    Require valid-user
    Header always set X-Remote-User "%{REMOTE_USER}e"
</Location>
<Location /auth-krb5>
    AuthType GSSAPI
    AuthName "SPNEGO lab krb5 only"
    GssapiAllowedMech krb5
    GssapiPublishMech On
    GssapiBasicAuth Off
    Require valid-user
</Location>
EOF
T0=$SECONDS
# KRB5_KTNAME (not GssapiCredStore: crashes with gss-ntlmssp 1.2), NTLM users, no winbindd
start apache "$S/log/apache.out" env KRB5_KTNAME="$S/mit/http.keytab" NTLM_USER_FILE="$S/ntlm/users" _NO_WINBINDD=1 \
  apache2 -d "$S/apache" -f "$S/apache/httpd.conf" -DFOREGROUND
wait_port apache "$PID_apache" "$MIT_IP" "$HTTP_PORT" "$S/log/apache.out" "$S/log/apache-error.log"

# ================================================================ squid
printf '127.0.0.1 localhost %s\n' "$HTTP_HOST" > "$S/squid/hosts"
cat > "$S/squid/squid.conf" <<EOF
http_port $MIT_IP:$SQUID_PORT
visible_hostname lab-squid
pid_filename $S/squid/squid.pid
cache_log $S/squid/cache.log
access_log stdio:$S/squid/access.log
cache_store_log none
logfile_rotate 0
coredump_dir $S/squid
netdb_filename none
pinger_enable off
hosts_file $S/squid/hosts
dns_nameservers 127.0.0.1
cache deny all
cache_mem 8 MB
shutdown_lifetime 1 seconds
cache_effective_user proxy
auth_param negotiate program /usr/lib/squid/negotiate_kerberos_auth -k $S/mit/http.keytab -s GSS_C_NO_NAME
auth_param negotiate children 3 startup=1 idle=1
auth_param negotiate keep_alive on
acl authed proxy_auth REQUIRED
http_access allow authed
http_access deny all
EOF
chown -R proxy:proxy "$S/squid"
start squid "$S/log/squid.out" env KRB5_KTNAME="$S/mit/http.keytab" squid -N -f "$S/squid/squid.conf"
wait_port squid "$PID_squid" "$MIT_IP" "$SQUID_PORT" "$S/log/squid.out" "$S/squid/cache.log"

# ================================================================ gss-server (loopback only)
# gss-server binds every address itself; systemd-socket-activate listens on loopback and hands
# each connection to a fresh "gss-server -inetd" (socket on stdin/stdout).
start gss-server "$S/log/gss-server.out" systemd-socket-activate -l "$MIT_IP:$GSS_PORT" -a --inetd \
  -E KRB5_CONFIG -E KRB5RCACHEDIR -E KRB5_KTNAME="$S/mit/host.keytab" \
  gss-server -inetd -logfile "$S/log/gss-server.log" -keytab "$S/mit/host.keytab" host@localhost
wait_port gss-server "$PID_gss_server" "$MIT_IP" "$GSS_PORT" "$S/log/gss-server.out"
# ================================================================ Redis (a shared replay cache for the Kerberos acceptor)
mkdir -p "$S/redis"
start redis "$S/log/redis.out" redis-server --bind "$MIT_IP" --port "$REDIS_PORT" --dir "$S/redis" \
  --save '' --appendonly no --daemonize no --protected-mode yes
wait_port redis "$PID_redis" "$MIT_IP" "$REDIS_PORT" "$S/log/redis.out"
T_WEB=$((SECONDS - T0))

# ================================================================ Samba AD DC
T0=$SECONDS
SD=$S/samba
mkdir -p "$SD"/{pid,ncalrpc,log} /run/samba
: > "$SD/empty.conf"
export_samba_env() { KRB5_CONFIG=$S/samba-krb5.conf KRB5CCNAME=FILE:$S/ccache/samba-admin "$@"; }
export_samba_env samba-tool domain provision --configfile="$SD/empty.conf" --targetdir="$SD" \
  --realm="$SAMBA_REALM" --domain="$SAMBA_DOMAIN" --server-role=dc --dns-backend=NONE \
  --host-name="$SAMBA_HOST" --adminpass="$S_ADMIN_PW" --use-rfc2307 \
  --option="interfaces=$SAMBA_IP/8" --option="bind interfaces only=yes" \
  --option="netbios name=${SAMBA_HOST^^}" > "$S/log/samba-provision.log" 2>&1 \
  || fail "samba-tool domain provision" "$S/log/samba-provision.log"
SMBCONF=$SD/etc/smb.conf
cat > "$SMBCONF" <<EOF
# written by scripts/lab/up.sh
[global]
    netbios name = ${SAMBA_HOST^^}
    realm = $SAMBA_REALM
    workgroup = $SAMBA_DOMAIN
    server role = active directory domain controller
    interfaces = $SAMBA_IP/8
    bind interfaces only = yes
    private dir = $SD/private
    binddns dir = $SD/bind-dns
    lock directory = $SD
    state directory = $SD/state
    cache directory = $SD/cache
    pid directory = $SD/pid
    ncalrpc dir = $SD/ncalrpc
    log file = $S/log/samba.log
    log level = 1
    server services = -dns
    dns update command = /bin/true
    spn update command = /bin/true
    disable netbios = yes
    smb ports = 445
    usershare path =
    idmap_ldb:use rfc2307 = yes
    template shell = /bin/false
    # winbindd socket directory stays at the compiled-in /run/samba/winbindd (see README)

[sysvol]
    path = $SD/state/sysvol
    read only = No

[netlogon]
    path = $SD/state/sysvol/$SAMBA_DNS/scripts
    read only = No
EOF
ST() { export_samba_env samba-tool "$@" --configfile="$SMBCONF" >> "$S/log/samba-tool.log" 2>&1 \
        || fail "samba-tool $*" "$S/log/samba-tool.log"; }
ST user create alice "$S_ALICE_PW"
ST user create bob "$S_BOB_PW"
ST user create httpsvc "$S_SVC_PW"
ST user setexpiry --noexpiry httpsvc
ST spn add "HTTP/$SAMBA_HTTP_HOST" httpsvc
printf 'dn: CN=httpsvc,CN=Users,DC=%s,DC=%s\nchangetype: modify\nreplace: msDS-SupportedEncryptionTypes\nmsDS-SupportedEncryptionTypes: 28\n' \
  "${SAMBA_DNS%%.*}" "${SAMBA_DNS#*.}" | ldbmodify -H "$SD/private/sam.ldb" >> "$S/log/samba-tool.log" 2>&1 \
  || fail "ldbmodify msDS-SupportedEncryptionTypes" "$S/log/samba-tool.log"
ST domain exportkeytab "$SD/http.keytab" --principal="HTTP/$SAMBA_HTTP_HOST"
chmod 644 "$SD/http.keytab"
start samba "$S/log/samba.out" env KRB5_CONFIG="$S/samba-krb5.conf" samba --foreground --no-process-group --configfile="$SMBCONF"
wait_port samba-kdc "$PID_samba" "$SAMBA_IP" 88 "$S/log/samba.out" "$S/log/samba.log"
wait_port samba-smb "$PID_samba" "$SAMBA_IP" 445 "$S/log/samba.out" "$S/log/samba.log"
wait_port samba-ldap "$PID_samba" "$SAMBA_IP" 389 "$S/log/samba.out" "$S/log/samba.log"
t=$((SECONDS + WAIT))
until timeout 5 wbinfo -P >/dev/null 2>&1; do
  kill -0 "$PID_samba" 2>/dev/null || fail "samba exited" "$S/log/samba.out" "$S/log/samba.log"
  (( SECONDS < t )) || fail "winbindd does not answer (wbinfo -P) after ${WAIT}s" "$S/log/samba.out" "$S/log/samba.log"
  sleep 0.2
done
T_SAMBA=$((SECONDS - T0))

# ================================================================ env.sh / lab.json
NTLM_AUTH=$(command -v ntlm_auth)
cat > "$S/env.sh" <<EOF
# source me: generated by scripts/lab/up.sh
export LAB_STATE_DIR='$S'
export KRB5_CONFIG='$S/krb5.conf'
export KRB5_KDC_PROFILE='$S/mit/kdc.conf'
export KRB5RCACHEDIR='$S/rcache'
export KRB5CCNAME='FILE:$S/ccache/default'
export KRB5_KTNAME='$S/mit/http.keytab'
export LAB_PYTHON='/usr/bin/python3'
export LAB_MIT_REALM='$MIT_REALM'
export LAB_MIT_KDC='$MIT_IP:$KDC_PORT'
export LAB_MIT_KDC_HOST='$MIT_IP'
export LAB_MIT_KDC_PORT='$KDC_PORT'
export LAB_MIT_KADMIN='$MIT_IP:$KADMIN_PORT'
export LAB_MIT_KPASSWD='$MIT_IP:$KPASSWD_PORT'
export LAB_MIT_USER1='alice'
export LAB_MIT_PASS1='$ALICE_PW'
export LAB_MIT_USER2='bob'
export LAB_MIT_PASS2='$BOB_PW'
export LAB_MIT_HTTP_SPNS='HTTP/localhost@$MIT_REALM HTTP/$HTTP_HOST@$MIT_REALM'
export LAB_MIT_HOST_SPN='host/localhost@$MIT_REALM'
export LAB_MIT_HTTP_KEYTAB='$S/mit/http.keytab'
export LAB_MIT_HOST_KEYTAB='$S/mit/host.keytab'
export LAB_MIT_CLIENT_KEYTAB='$S/mit/client.keytab'
export LAB_OTHER_REALM='$OTHER_REALM'
export LAB_OTHER_HOST='$OTHER_HOST'
export LAB_REFERRAL_HOST='$REFERRAL_HOST'
export LAB_DIRECT_HOST='$DIRECT_HOST'
export LAB_OTHER_HTTP_KEYTAB='$S/mit/other-http.keytab'
export LAB_RC4_SPN='HTTP/$RC4_HOST@$MIT_REALM'
export LAB_RC4_KEYTAB='$S/mit/rc4.keytab'
export LAB_HTTP_HOST='$HTTP_HOST'
export LAB_HTTP_PORT='$HTTP_PORT'
export LAB_HTTP_URL='http://localhost:$HTTP_PORT/auth/whoami'
export LAB_HTTP_URL_HOST='http://$HTTP_HOST:$HTTP_PORT/auth/whoami'
export LAB_HTTP_URL_KRB5_ONLY='http://localhost:$HTTP_PORT/auth-krb5/whoami'
export LAB_HTTP_URL_PUBLIC='http://localhost:$HTTP_PORT/public/index.html'
export LAB_CURL_RESOLVE='$HTTP_HOST:$HTTP_PORT:$MIT_IP'
export LAB_SQUID_PROXY='http://localhost:$SQUID_PORT'
export LAB_SQUID_HOST='$MIT_IP'
export LAB_SQUID_PORT='$SQUID_PORT'
export LAB_SQUID_SPN='HTTP/localhost@$MIT_REALM'
export LAB_GSS_SERVER_HOST='$MIT_IP'
export LAB_GSS_SERVER_PORT='$GSS_PORT'
export LAB_GSS_SERVER_SERVICE='host@localhost'
export LAB_REDIS_HOST='$MIT_IP'
export LAB_REDIS_PORT='$REDIS_PORT'
export LAB_NTLM_DOMAIN='$MIT_DOMAIN'
export LAB_NTLM_USER_FILE='$S/ntlm/users'
export LAB_SAMBA_IP='$SAMBA_IP'
export LAB_SAMBA_REALM='$SAMBA_REALM'
export LAB_SAMBA_DOMAIN='$SAMBA_DOMAIN'
export LAB_SAMBA_DC_HOST='$SAMBA_HOST.$SAMBA_DNS'
export LAB_SAMBA_KRB5_CONFIG='$S/samba-krb5.conf'
export LAB_SAMBA_SMB_CONF='$SMBCONF'
export LAB_SAMBA_ADMIN_USER='Administrator'
export LAB_SAMBA_ADMIN_PASS='$S_ADMIN_PW'
export LAB_SAMBA_USER1='alice'
export LAB_SAMBA_PASS1='$S_ALICE_PW'
export LAB_SAMBA_USER2='bob'
export LAB_SAMBA_PASS2='$S_BOB_PW'
export LAB_SAMBA_SVC_USER='httpsvc'
export LAB_SAMBA_SVC_PASS='$S_SVC_PW'
export LAB_SAMBA_HTTP_SPN='HTTP/$SAMBA_HTTP_HOST@$SAMBA_REALM'
export LAB_SAMBA_HTTP_KEYTAB='$SD/http.keytab'
export LAB_NTLM_AUTH='$NTLM_AUTH'
export LAB_WINBIND_SOCKET_DIR='/run/samba/winbindd'
EOF
/usr/bin/python3 - "$S" <<'PY'
import json, os, re, sys
S = sys.argv[1]
env = {}
for line in open(os.path.join(S, "env.sh")):
    m = re.match(r"export (\w+)='(.*)'$", line.strip())
    if m: env[m.group(1)] = m.group(2)
e = env.get
mit_realm, samba_realm = e("LAB_MIT_REALM"), e("LAB_SAMBA_REALM")
lab = {
  "stateDir": S,
  "envFile": os.path.join(S, "env.sh"),
  "python": "/usr/bin/python3",
  "env": {k: v for k, v in env.items() if not k.startswith("LAB_")},
  "mit": {
    "realm": mit_realm, "krb5Conf": e("KRB5_CONFIG"), "kdcProfile": e("KRB5_KDC_PROFILE"),
    "kdc": {"host": e("LAB_MIT_KDC_HOST"), "port": int(e("LAB_MIT_KDC_PORT")), "protocols": ["udp", "tcp"]},
    "kadmin": e("LAB_MIT_KADMIN"), "kpasswd": e("LAB_MIT_KPASSWD"),
    "users": [{"name": "alice", "principal": "alice@" + mit_realm, "password": e("LAB_MIT_PASS1")},
              {"name": "bob", "principal": "bob@" + mit_realm, "password": e("LAB_MIT_PASS2")}],
    "enctypes": ["aes256-cts-hmac-sha1-96", "aes128-cts-hmac-sha1-96",
                 "aes256-cts-hmac-sha384-192", "aes128-cts-hmac-sha256-128"],
    "httpPrincipals": e("LAB_MIT_HTTP_SPNS").split(), "httpKeytab": e("LAB_MIT_HTTP_KEYTAB"),
    "hostPrincipal": e("LAB_MIT_HOST_SPN"), "hostKeytab": e("LAB_MIT_HOST_KEYTAB"),
    "clientKeytab": e("LAB_MIT_CLIENT_KEYTAB"), "rcacheDir": e("KRB5RCACHEDIR"),
    "crossRealm": {"realm": e("LAB_OTHER_REALM"), "mappedHost": e("LAB_OTHER_HOST"),
                   "referralHost": e("LAB_REFERRAL_HOST"), "directHost": e("LAB_DIRECT_HOST"),
                   "httpKeytab": e("LAB_OTHER_HTTP_KEYTAB")},
    "rc4Service": {"principal": e("LAB_RC4_SPN"), "keytab": e("LAB_RC4_KEYTAB")},
  },
  "apache": {
    "host": "127.0.0.1", "port": int(e("LAB_HTTP_PORT")), "hostName": e("LAB_HTTP_HOST"),
    "url": e("LAB_HTTP_URL"), "urlHostName": e("LAB_HTTP_URL_HOST"),
    "urlKrb5Only": e("LAB_HTTP_URL_KRB5_ONLY"), "urlPublic": e("LAB_HTTP_URL_PUBLIC"),
    "curlResolve": e("LAB_CURL_RESOLVE"), "mechs": ["krb5", "ntlmssp"],
    "spn": "HTTP@localhost", "keytab": e("LAB_MIT_HTTP_KEYTAB"),
    "errorLog": os.path.join(S, "log/apache-error.log"), "accessLog": os.path.join(S, "log/apache-access.log"),
  },
  "ntlm": {"domain": e("LAB_NTLM_DOMAIN"), "userFile": e("LAB_NTLM_USER_FILE"),
           "users": [{"name": "alice", "password": e("LAB_MIT_PASS1")}, {"name": "bob", "password": e("LAB_MIT_PASS2")}],
           "clientEnv": {"NTLM_USER_FILE": e("LAB_NTLM_USER_FILE"), "NTLMUSER": "alice", "_NO_WINBINDD": "1"}},
  "squid": {"host": e("LAB_SQUID_HOST"), "port": int(e("LAB_SQUID_PORT")), "proxy": e("LAB_SQUID_PROXY"),
            "spn": e("LAB_SQUID_SPN"), "targetUrl": e("LAB_HTTP_URL_PUBLIC"),
            "accessLog": os.path.join(S, "squid/access.log")},
  "gssServer": {"host": e("LAB_GSS_SERVER_HOST"), "port": int(e("LAB_GSS_SERVER_PORT")),
                "service": e("LAB_GSS_SERVER_SERVICE"), "principal": e("LAB_MIT_HOST_SPN"),
                "keytab": e("LAB_MIT_HOST_KEYTAB"), "log": os.path.join(S, "log/gss-server.log")},
  "redis": {"host": e("LAB_REDIS_HOST"), "port": int(e("LAB_REDIS_PORT"))},
  "samba": {
    "ip": e("LAB_SAMBA_IP"), "realm": samba_realm, "domain": e("LAB_SAMBA_DOMAIN"),
    "dcHost": e("LAB_SAMBA_DC_HOST"), "krb5Conf": e("LAB_SAMBA_KRB5_CONFIG"), "smbConf": e("LAB_SAMBA_SMB_CONF"),
    "kdc": {"host": e("LAB_SAMBA_IP"), "port": 88}, "smbPort": 445, "ldapPort": 389,
    "admin": {"name": "Administrator", "password": e("LAB_SAMBA_ADMIN_PASS")},
    "users": [{"name": "alice", "principal": "alice@" + samba_realm, "password": e("LAB_SAMBA_PASS1")},
              {"name": "bob", "principal": "bob@" + samba_realm, "password": e("LAB_SAMBA_PASS2")}],
    "serviceAccount": {"name": "httpsvc", "password": e("LAB_SAMBA_SVC_PASS"), "spn": e("LAB_SAMBA_HTTP_SPN"),
                       "msDS-SupportedEncryptionTypes": 28},
    "httpKeytab": e("LAB_SAMBA_HTTP_KEYTAB"), "cifsSpn": "cifs/" + e("LAB_SAMBA_DC_HOST") + "@" + samba_realm,
    "winbindSocketDir": e("LAB_WINBIND_SOCKET_DIR"),
    "ntlmAuth": e("LAB_NTLM_AUTH"),
    "ntlmAuthHelpers": ["squid-2.5-ntlmssp", "ntlm-server-1", "ntlmssp-client-1", "gss-spnego",
                        "gss-spnego-client", "squid-2.5-basic"],
  },
  "pidsFile": os.path.join(S, "pids"),
  "logDir": os.path.join(S, "log"),
}
json.dump(lab, open(os.path.join(S, "lab.json"), "w"), indent=2)
PY
trap - ERR
log "up in MIT ${T_MIT}s, web ${T_WEB}s, samba ${T_SAMBA}s (total ${SECONDS}s)"
echo "$S"
