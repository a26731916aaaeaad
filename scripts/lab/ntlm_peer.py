#!/usr/bin/python3
"""A long-lived NTLM peer driven over stdin/stdout, one JSON object per line, so that one process
serves a whole handshake and then the per-message calls. Run with Debian's /usr/bin/python3 (the
pyenv python3 on PATH has no gssapi).

  ntlm_peer.py ROLE [--target HTTP@localhost] [--user alice] [--domain D] [--password P]
                    [--smbconf FILE] [--flags mutual,integrity,...]
  ntlm_peer.py bench [--seconds 2] [--size 1048576] [--user alice]   (one JSON line, then exit)
  ntlm_peer.py seq-evidence     (SeqNum/RC4 state of gss-ntlmssp tokens, raw and under SPNEGO)

Roles
  gss-init     python-gssapi initiator, mech NTLMSSP 1.3.6.1.4.1.311.2.2.10 (gss-ntlmssp). Credentials:
               NTLM_USER_FILE + --user (default NTLMUSER or alice), or --password for a password
               credential (gss_acquire_cred_with_password; the name may be DOMAIN\\user).
  gss-accept   python-gssapi acceptor, mech NTLMSSP; gss-ntlmssp reads NTLM_USER_FILE (with
               _NO_WINBINDD=1 it never asks winbindd).
  samba-accept relay to `ntlm_auth --helper-protocol=squid-2.5-ntlmssp` (validates against the
               Samba AD DC through winbindd; needs --smbconf).
  samba-init   relay to `ntlm_auth --helper-protocol=ntlmssp-client-1 --username --domain --password`.

Requests (one JSON object a line) and replies (always one JSON line, "ok": true|false):
  {"op":"step","token":B64|null}        -> {"ok","token":B64|null,"complete", ...}
  {"op":"wrap","data":B64,"conf":bool}  -> {"ok","token":B64,"encrypted"}
  {"op":"unwrap","token":B64}           -> {"ok","data":B64,"encrypted"}
  {"op":"get_mic","data":B64}           -> {"ok","token":B64}
  {"op":"verify_mic","data":B64,"token":B64} -> {"ok"}  (ok false with "error" when refused)
  {"op":"info"}                          -> {"ok","complete","peer","local","mech","flags",...}
  {"op":"quit"}                          -> {"ok"} and exit
Failures never end the process: {"ok":false,"error":"...", "major":..., "minor":...}.
The first line written is {"ok":true,"ready":ROLE} once the peer is set up.
"""
import argparse, base64, json, os, subprocess, sys, time

NTLM_OID = "1.3.6.1.4.1.311.2.2.10"
# GSS_C_INQ_SSPI_SESSION_KEY (gss-ntlmssp answers it with the exported session key)
SESSION_KEY_OID = "1.2.840.113554.1.2.2.5.5"


def b64(x):
    return None if x is None else base64.b64encode(bytes(x)).decode()


def unb64(x):
    return b"" if x is None else base64.b64decode(x)


def clean(name):
    # gss-ntlmssp display names carry a trailing NUL in python-gssapi
    return None if name is None else str(name).rstrip("\x00")


class GssPeer:
    def __init__(self, role, args):
        import gssapi
        self.gssapi = gssapi
        self.role = role
        self.mech = gssapi.OID.from_int_seq(NTLM_OID)
        F = gssapi.RequirementFlag
        names = args.flags.split(",") if args.flags else [
            "mutual_authentication", "integrity", "confidentiality", "replay_detection",
            "out_of_sequence_detection"]
        flags = [getattr(F, n) for n in names if n]
        if role == "gss-init":
            creds = None
            if args.password is not None:
                user = args.user if args.domain is None else "%s\\%s" % (args.domain, args.user)
                name = gssapi.Name(user, gssapi.NameType.user)
                creds = gssapi.raw.acquire_cred_with_password(
                    name, args.password.encode(), usage="initiate", mechs=[self.mech]).creds
                creds = gssapi.Credentials(base=creds)
            else:
                name = gssapi.Name(args.user, gssapi.NameType.user)
                creds = gssapi.Credentials(name=name, usage="initiate", mechs=[self.mech])
            target = gssapi.Name(args.target, gssapi.NameType.hostbased_service)
            self.ctx = gssapi.SecurityContext(name=target, mech=self.mech, usage="initiate",
                                              flags=flags, creds=creds)
        else:
            creds = gssapi.Credentials(usage="accept", mechs=[self.mech])
            self.ctx = gssapi.SecurityContext(creds=creds, usage="accept")

    def step(self, token):
        out = self.ctx.step(unb64(token) if token is not None else None)
        return {"token": b64(out) if out else None, "complete": bool(self.ctx.complete)}

    def wrap(self, data, conf):
        r = self.ctx.wrap(data, bool(conf))
        return {"token": b64(r.message), "encrypted": bool(r.encrypted)}

    def unwrap(self, token):
        r = self.ctx.unwrap(token)
        return {"data": b64(r.message), "encrypted": bool(r.encrypted)}

    def get_mic(self, data):
        return {"token": b64(self.ctx.get_signature(data))}

    def verify_mic(self, data, token):
        self.ctx.verify_signature(data, token)
        return {}

    def info(self):
        c = self.ctx
        d = {"complete": bool(c.complete), "role": self.role}
        if c.complete:
            # gss-ntlmssp's acceptor segfaults on gss_inquire_context(target_name) when it was
            # given no acceptor name, so the acceptor reports no local name
            peer = c.initiator_name if self.role == "gss-accept" else c.target_name
            local = None if self.role == "gss-accept" else c.initiator_name
            d.update({"peer": clean(peer), "peerRaw": str(peer) if peer is not None else None,
                      "local": clean(local), "mech": c.mech.dotted_form if c.mech else None,
                      "flags": sorted(f.name for f in c.actual_flags),
                      "locallyInitiated": bool(c.locally_initiated)})
            try:
                ks = self.gssapi.raw.inquire_sec_context_by_oid(
                    c, self.gssapi.OID.from_int_seq(SESSION_KEY_OID))
                d["sessionKey"] = b64(ks[0]) if ks else None
            except Exception as e:  # not every build answers it; say so
                d["sessionKeyError"] = str(e)
        return d


class SambaPeer:
    """ntlm_auth helper relay. The helper protocols carry no per-message calls."""

    def __init__(self, role, args):
        if not args.smbconf:
            raise SystemExit("--smbconf is required for " + role)
        cmd = [os.environ.get("LAB_NTLM_AUTH", "ntlm_auth"), "--configfile=" + args.smbconf]
        self.role = role
        if role == "samba-accept":
            cmd.append("--helper-protocol=squid-2.5-ntlmssp")
        else:
            cmd += ["--helper-protocol=ntlmssp-client-1", "--username=" + args.user,
                    "--domain=" + (args.domain or ""), "--password=" + (args.password or "")]
        # ntlm_auth validates through winbindd: _NO_WINBINDD (set for gss-ntlmssp) would stop it
        env = {k: v for k, v in os.environ.items() if k != "_NO_WINBINDD"}
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, bufsize=1, env=env)
        self.complete, self.user, self.legs, self.first = False, None, [], True
        self.result = None

    def talk(self, line):
        self.p.stdin.write(line + "\n"); self.p.stdin.flush()
        out = self.p.stdout.readline()
        if not out:
            raise RuntimeError("ntlm_auth closed: " + self.p.stderr.read()[-500:])
        out = out.rstrip("\n")
        self.legs.append({"sent": line.split(" ")[0], "got": out.split(" ")[0]})
        return out

    def step(self, token):
        if self.complete:
            raise RuntimeError("context already complete")
        if self.role == "samba-init":
            if token is None:
                line = self.talk("YR")  # -> "YR <NEGOTIATE>"
            else:
                line = self.talk("TT " + token)  # -> "AF <AUTHENTICATE>" (not KK)
            verb, _, tail = line.partition(" ")
            if verb in ("YR", "KK"):
                return {"token": tail.split(" ")[0], "complete": False, "line": verb}
            if verb == "AF":
                self.complete, self.result = True, "AF"
                return {"token": tail.split(" ")[0] or None, "complete": True, "line": verb}
            self.result = verb
            raise RuntimeError("ntlmssp-client-1 said: " + line)
        # samba-accept: "YR <NEGOTIATE>" -> "TT <CHALLENGE>"; "KK <AUTHENTICATE>" -> "AF D\\u" | "NA why"
        line = self.talk(("YR " if self.first else "KK ") + (token or ""))
        self.first = False
        verb, _, tail = line.partition(" ")
        if verb == "TT":
            return {"token": tail.split(" ")[0], "complete": False, "line": verb}
        self.result = verb
        if verb == "AF":
            self.complete, self.user = True, tail
            return {"token": None, "complete": True, "line": verb, "user": tail}
        raise RuntimeError("squid-2.5-ntlmssp said: " + line)

    def info(self):
        return {"complete": self.complete, "role": self.role, "peer": self.user,
                "result": self.result, "legs": self.legs}

    def close(self):
        try:
            self.p.stdin.close(); self.p.wait(timeout=5)
        except Exception:
            self.p.kill()


def error_reply(e):
    d = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
    for k, attr in (("major", "maj_code"), ("minor", "min_code")):
        if hasattr(e, attr):
            d[k] = getattr(e, attr)
    if hasattr(e, "gen_message"):
        try:
            d["error"] = e.gen_message()
        except Exception:
            pass
    return d


def serve(peer):
    print(json.dumps({"ok": True, "ready": peer.role}), flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            op = req.get("op")
            if op == "quit":
                print(json.dumps({"ok": True}), flush=True)
                break
            if op == "step":
                r = peer.step(req.get("token"))
            elif op == "info":
                r = peer.info()
            elif not isinstance(peer, GssPeer):
                raise RuntimeError("%s has no per-message call %r" % (peer.role, op))
            elif op == "wrap":
                r = peer.wrap(unb64(req["data"]), req.get("conf", True))
            elif op == "unwrap":
                r = peer.unwrap(unb64(req["token"]))
            elif op == "get_mic":
                r = peer.get_mic(unb64(req["data"]))
            elif op == "verify_mic":
                r = peer.verify_mic(unb64(req["data"]), unb64(req["token"]))
            else:
                raise RuntimeError("unknown op %r" % op)
            r["ok"] = True
            print(json.dumps(r), flush=True)
        except Exception as e:
            print(json.dumps(error_reply(e)), flush=True)
    if isinstance(peer, SambaPeer):
        peer.close()


def bench(args):
    """gss-ntlmssp initiator + acceptor in this one process: handshakes/s, then wrap+unwrap with
    confidentiality of --size byte messages (MB/s, 1 MB = 2^20 bytes)."""
    import gssapi
    mech = gssapi.OID.from_int_seq(NTLM_OID)
    F = gssapi.RequirementFlag
    flags = [F.mutual_authentication, F.integrity, F.confidentiality, F.replay_detection,
             F.out_of_sequence_detection]
    target = gssapi.Name(args.target, gssapi.NameType.hostbased_service)
    icred = gssapi.Credentials(name=gssapi.Name(args.user, gssapi.NameType.user), usage="initiate",
                               mechs=[mech])
    acred = gssapi.Credentials(usage="accept", mechs=[mech])

    def handshake():
        ini = gssapi.SecurityContext(name=target, mech=mech, usage="initiate", flags=flags, creds=icred)
        acc = gssapi.SecurityContext(creds=acred, usage="accept")
        tok = ini.step()
        while not (ini.complete and acc.complete):
            tok = acc.step(tok)
            if ini.complete and acc.complete:
                break
            tok = ini.step(tok)
            if tok is None and ini.complete and not acc.complete:
                raise RuntimeError("initiator finished before the acceptor")
        return ini, acc

    for _ in range(20):
        handshake()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < args.seconds:
        handshake(); n += 1
    hs = n / (time.perf_counter() - t0)

    ini, acc = handshake()
    msg = os.urandom(args.size)
    for _ in range(3):
        acc.unwrap(ini.wrap(msg, True).message)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < args.seconds:
        w = ini.wrap(msg, True)
        assert w.encrypted
        out = acc.unwrap(w.message)
        n += 1
    dt = time.perf_counter() - t0
    assert out.message == msg
    print(json.dumps({"ok": True, "handshakesPerSecond": hs, "wrapUnwrapMBps": n * args.size / dt / 2**20,
                      "messages": n, "size": args.size}), flush=True)


def seq_evidence(args):
    """What gss-ntlmssp does with sequence numbers and the RC4 sealing handle, raw NTLM and under
    MIT's SPNEGO (which exchanges NTLM mechListMICs): SeqNum of each token, and whether the checksum
    of the first application MIC is sealed with a fresh RC4 handle (keystream offset 0) or one that
    went on after the mechListMIC (offset 8). Session key from GSS_C_INQ_SSPI_SESSION_KEY;
    SIGNKEY/SEALKEY as MS-NLMP 3.4.5 (ESS, 128-bit). One JSON line."""
    import gssapi, hashlib, hmac
    F = gssapi.RequirementFlag
    flags = [F.mutual_authentication, F.integrity, F.confidentiality, F.replay_detection,
             F.out_of_sequence_detection]

    def rc4(key):
        S, j = list(range(256)), 0
        for i in range(256):
            j = (j + S[i] + key[i % len(key)]) & 255; S[i], S[j] = S[j], S[i]
        st = [0, 0]

        def ks(n):
            i, j, out = st[0], st[1], bytearray()
            for _ in range(n):
                i = (i + 1) & 255; j = (j + S[i]) & 255; S[i], S[j] = S[j], S[i]
                out.append(S[(S[i] + S[j]) & 255])
            st[0], st[1] = i, j
            return bytes(out)
        return ks

    def keys(sk, direction):
        c = lambda what: hashlib.md5(sk + ("session key to %s %s key magic constant\0" % (direction, what)).encode()).digest()
        return c("signing"), c("sealing")

    def rc4_offset(sk, direction, sig, msg):
        sign, seal = keys(sk, direction)
        mac = hmac.new(sign, sig[12:16] + msg, hashlib.md5).digest()[:8]
        for off in (0, 8, 16, 24):
            ks = rc4(seal); ks(off)
            if bytes(a ^ b for a, b in zip(mac, ks(8))) == sig[4:12]:
                return off
        return None

    out = {}
    for label, oid in (("ntlm", NTLM_OID), ("spnego", "1.3.6.1.5.5.2")):
        mech = gssapi.OID.from_int_seq(oid)
        ini = gssapi.SecurityContext(name=gssapi.Name(args.target, gssapi.NameType.hostbased_service),
                                     mech=mech, usage="initiate", flags=flags)
        acc = gssapi.SecurityContext(creds=gssapi.Credentials(usage="accept"), usage="accept")
        tok = ini.step()
        for _ in range(6):
            tok = acc.step(tok)
            if ini.complete and acc.complete:
                break
            tok = ini.step(tok)
            if ini.complete and acc.complete:
                break
        sk = gssapi.raw.inquire_sec_context_by_oid(ini, gssapi.OID.from_int_seq(SESSION_KEY_OID))[0]
        seq = lambda b: int.from_bytes(b[12:16], "little")
        r = {"mech": acc.mech.dotted_form}
        m1 = ini.get_signature(b"first")
        r["initiatorFirstMic"] = {"seq": seq(m1), "rc4Offset": rc4_offset(sk, "client-to-server", m1, b"first")}
        w = ini.wrap(b"second", True).message
        r["initiatorNextWrapSeq"] = seq(w)
        acc.verify_signature(b"first", m1); acc.unwrap(w)
        m2 = acc.get_signature(b"first")
        r["acceptorFirstMic"] = {"seq": seq(m2), "rc4Offset": rc4_offset(sk, "server-to-client", m2, b"first")}
        out[label] = r
    print(json.dumps(out), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("role", choices=["gss-init", "gss-accept", "samba-accept", "samba-init", "bench",
                                     "seq-evidence"])
    ap.add_argument("--target", default="HTTP@localhost")
    ap.add_argument("--user", default=os.environ.get("NTLMUSER", "alice"))
    ap.add_argument("--domain")
    ap.add_argument("--password")
    ap.add_argument("--smbconf", default=os.environ.get("LAB_SAMBA_SMB_CONF"))
    ap.add_argument("--flags")
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--size", type=int, default=1 << 20)
    args = ap.parse_args()
    if args.role == "bench":
        return bench(args)
    if args.role == "seq-evidence":
        return seq_evidence(args)
    try:
        peer = GssPeer(args.role, args) if args.role.startswith("gss-") else SambaPeer(args.role, args)
    except Exception as e:
        print(json.dumps(error_reply(e)), flush=True)
        sys.exit(1)
    serve(peer)


main()
