#!/usr/bin/env bash
# Install the Debian packages the SPNEGO lab needs (idempotent, fast when all present).
# Package postinst scripts are prevented from starting system daemons via policy-rc.d,
# and any daemon that slipped through is stopped afterwards (the lab runs its own instances).
set -euo pipefail

PKGS=(krb5-kdc krb5-admin-server krb5-user krb5-gss-samples libgssapi-krb5-2
      apache2 libapache2-mod-auth-gssapi gss-ntlmssp squid python3-gssapi
      samba samba-ad-dc samba-ad-provision samba-dsdb-modules winbind smbclient
      krb5-config ldb-tools curl wget faketime tshark
      procps iproute2 psmisc systemd libnss-wrapper redis-server firefox-esr)
# systemd: provides systemd-socket-activate (used to keep gss-server on loopback)

missing=()
for p in "${PKGS[@]}"; do
  st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
  [[ "$st" == ii* ]] || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install.sh: all lab packages already installed"
  exit 0
fi

CMD="DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install.sh: missing packages and cannot install them (need root and apt-get). Run:" >&2
  echo "$CMD"
  exit 2
fi

created_policy=0
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  created_policy=1
fi
cleanup() { if [[ $created_policy == 1 ]]; then rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT

# apt-get update only if lists are absent or a candidate is unknown
need_update=0
if ! compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null; then need_update=1; fi
if [[ $need_update == 0 ]]; then
  for p in "${missing[@]}"; do
    c=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/{print $2}')
    if [[ -z "$c" || "$c" == "(none)" ]]; then need_update=1; break; fi
  done
fi
if [[ $need_update == 1 ]]; then apt-get update; fi

echo "+ $CMD"
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
# Stale package lists give 404s on download: refresh them once and retry.
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" || {
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

# Stop any system daemon that a postinst may have started anyway (policy-rc.d should have
# prevented it). Only daemons actually running are stopped, via their packaged init script.
running() { ps -eo comm= | grep -qxE "$1"; }
stop_if() { # $1 = comm regex, $2 = init script
  if running "$1" && [[ -x /etc/init.d/$2 ]]; then echo "stopping system $2"; /etc/init.d/$2 stop || true; fi
}
stop_if 'apache2' apache2
stop_if 'squid' squid
stop_if 'samba' samba-ad-dc
stop_if 'smbd' smbd
stop_if 'nmbd' nmbd
stop_if 'winbindd' winbind
stop_if 'krb5kdc' krb5-kdc
stop_if 'kadmind' krb5-admin-server
stop_if 'redis-server' redis-server
left=$(ps -eo pid=,comm= | awk '$2 ~ /^(apache2|squid|samba|smbd|nmbd|winbindd|krb5kdc|kadmind)$/' || true)
if [[ -n "$left" ]]; then
  echo "install.sh: WARNING system daemons still running (not started by the lab?):" >&2; echo "$left" >&2
fi
echo "install.sh: done"
