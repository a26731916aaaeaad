#!/usr/bin/python3
"""A long-lived SPNEGO (1.3.6.1.5.5.2) peer driven over stdin/stdout, one JSON object per line:
the SPNEGO counterpart of ntlm_peer.py, with NTLM inside (no Kerberos ticket is used). Run with
Debian's /usr/bin/python3 (the pyenv python3 on PATH has no gssapi).

  spnego_peer.py ROLE [--target HTTP@localhost] [--user alice] [--domain D] [--password P]
                      [--smbconf FILE] [--flags mutual_authentication,integrity,...]
  spnego_peer.py bench [--seconds 2] [--user alice]     (one JSON line, then exit)

Roles
  gss-init     python-gssapi initiator, mech SPNEGO, over gss-ntlmssp: a SPNEGO credential for
               --user from NTLM_USER_FILE, or for DOMAIN\\user with --password
               (gss_acquire_cred_with_password), restricted to NTLMSSP with gss_set_neg_mechs,
               so MIT's SPNEGO offers exactly [NTLMSSP].
  gss-accept   python-gssapi acceptor, mech SPNEGO, credential restricted to NTLMSSP the same
               way; gss-ntlmssp checks NTLM_USER_FILE (_NO_WINBINDD=1).
  samba-accept relay to `ntlm_auth --helper-protocol=gss-spnego` (NTLM validated by the AD DC
               through winbindd; needs --smbconf). Its last line is "AF <token> DOMAIN\\user".
  samba-init   relay to `ntlm_auth --helper-protocol=gss-spnego-client --username --domain
               --password` (no --target-service/--target-hostname: NTLM).

Requests and replies: as ntlm_peer.py (step, wrap, unwrap, get_mic, verify_mic, info, quit). A
refused step answers {"ok":false,"error",...,"token":B64|null} with the error token the GSS call
produced (MIT's SPNEGO reject), instead of python-gssapi's deferred error. The Samba relays carry
no per-message calls: the ntlm_auth helper protocols have none.
"""
import argparse, base64, json, os, subprocess, sys, time

SPNEGO_OID = "1.3.6.1.5.5.2"
NTLM_OID = "1.3.6.1.4.1.311.2.2.10"
# GSS_C_INQ_SSPI_SESSION_KEY (gss-ntlmssp answers it with the exported session key; MIT's SPNEGO
# passes the inquiry to the negotiated mech)
SESSION_KEY_OID = "1.2.840.113554.1.2.2.5.5"
DEFAULT_FLAGS = ["mutual_authentication", "integrity", "confidentiality", "replay_detection",
                 "out_of_sequence_detection"]


def b64(x):
    return None if x is None else base64.b64encode(bytes(x)).decode()


def unb64(x):
    return b"" if x is None else base64.b64decode(x)


def clean(name):
    # gss-ntlmssp display names carry a trailing NUL in python-gssapi
    return None if name is None else str(name).rstrip("\x00")


class StepError(Exception):
    """A refused handshake leg, with the token the GSS call produced (if any)."""

    def __init__(self, message, token=None, major=None, minor=None):
        super().__init__(message)
        self.token, self.major, self.minor = token, major, minor


def gss_creds(gssapi, role, user, domain=None, password=None):
    """A SPNEGO credential whose negotiable mechs are set to NTLMSSP alone (gss_set_neg_mechs).
    It must be acquired for the SPNEGO mech: the mechglue hands SPNEGO no credential at all when
    the union credential has no SPNEGO element, and SPNEGO then falls back to the default one."""
    spnego = gssapi.OID.from_int_seq(SPNEGO_OID)
    ntlm = gssapi.OID.from_int_seq(NTLM_OID)
    if role == "gss-init":
        name = gssapi.Name(user if domain is None else "%s\\%s" % (domain, user), gssapi.NameType.user)
        if password is not None:
            raw = gssapi.raw.acquire_cred_with_password(name, password.encode(), usage="initiate",
                                                        mechs=[spnego]).creds
            creds = gssapi.Credentials(base=raw)
        else:
            creds = gssapi.Credentials(name=name, usage="initiate", mechs=[spnego])
    else:
        creds = gssapi.Credentials(usage="accept", mechs=[spnego])
    gssapi.raw.set_neg_mechs(creds, [ntlm])
    return creds


class GssPeer:
    def __init__(self, role, args):
        import gssapi
        self.gssapi = gssapi
        self.role = role
        self.spnego = gssapi.OID.from_int_seq(SPNEGO_OID)
        F = gssapi.RequirementFlag
        names = args.flags.split(",") if args.flags else DEFAULT_FLAGS
        flags = [getattr(F, n) for n in names if n]
        creds = gss_creds(gssapi, role, args.user, args.domain, args.password)
        if role == "gss-init":
            target = gssapi.Name(args.target, gssapi.NameType.hostbased_service)
            self.ctx = gssapi.SecurityContext(name=target, mech=self.spnego, usage="initiate",
                                              flags=flags, creds=creds)
        else:
            self.ctx = gssapi.SecurityContext(creds=creds, usage="accept")
        # python-gssapi would return a failed leg's error token and raise only on the next call:
        # raise at once, and hand the token back in the error reply
        setattr(self.ctx, "__DEFER_STEP_ERRORS__", False)

    def step(self, token):
        try:
            out = self.ctx.step(unb64(token) if token is not None else None)
        except self.gssapi.exceptions.GSSError as e:
            msg = e.gen_message() if hasattr(e, "gen_message") else str(e)
            raise StepError(msg, b64(e.token) if getattr(e, "token", None) else None,
                            getattr(e, "maj_code", None), getattr(e, "min_code", None))
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
            # gss-ntlmssp's acceptor crashes on gss_inquire_context(target_name) without an
            # acceptor name (see ntlm_peer.py): the acceptor reports no local name
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
            except Exception as e:
                d["sessionKeyError"] = str(e)
        return d


class SambaPeer:
    """ntlm_auth gss-spnego / gss-spnego-client relay. Lines: client "YR" -> "YR <init>";
    "TT <resp>" -> "KK <resp>"; "AF <final>" -> "AF" (final token accepted). Server
    "YR <init>" -> "TT <resp> *"; "KK <resp>" -> "AF <final> DOMAIN\\user" | "NA why"."""

    def __init__(self, role, args):
        if not args.smbconf:
            raise SystemExit("--smbconf is required for " + role)
        cmd = [os.environ.get("LAB_NTLM_AUTH", "ntlm_auth"), "--configfile=" + args.smbconf]
        self.role = role
        if role == "samba-accept":
            cmd.append("--helper-protocol=gss-spnego")
            # With a service keytab the helper accepts Kerberos too (else only the DC's own keys).
            kt = os.environ.get("LAB_ACCEPTOR_KEYTAB")
            if kt:
                cmd += ["--option=kerberos method=dedicated keytab", "--option=dedicated keytab file=FILE:" + kt]
        else:
            cmd += ["--helper-protocol=gss-spnego-client", "--username=" + args.user,
                    "--domain=" + (args.domain or ""), "--password=" + (args.password or "")]
        # ntlm_auth validates through winbindd: _NO_WINBINDD (set for gss-ntlmssp) would stop it
        env = {k: v for k, v in os.environ.items() if k != "_NO_WINBINDD"}
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, bufsize=1, env=env)
        self.complete, self.user, self.legs, self.first = False, None, [], True
        self.result = None
        # set per step by serve(): hand the token to gss-spnego-client as "AF" (final) not "TT"
        self.final = False

    def talk(self, line):
        self.p.stdin.write(line + "\n"); self.p.stdin.flush()
        out = self.p.stdout.readline()
        if not out:
            raise RuntimeError("ntlm_auth closed: " + self.p.stderr.read()[-500:])
        out = out.rstrip("\n")
        self.legs.append({"sent": line.split(" ")[0], "got": out})
        return out

    @staticmethod
    def token_of(tail):
        t = tail.split(" ")[0]
        return t if t and t != "*" else None

    def step(self, token):
        if self.complete:
            raise RuntimeError("context already complete")
        if self.role == "samba-init":
            if self.first:
                line = self.talk("YR")
            elif token is None:
                raise RuntimeError("gss-spnego-client needs the acceptor's token")
            else:
                # a NegTokenResp that may end the exchange is handed over as "AF" only when the
                # caller says so (it cannot be told from the bytes here without decoding them)
                line = self.talk(("AF " if self.final else "TT ") + token)
            self.first = False
            verb, _, tail = line.partition(" ")
            if verb in ("YR", "KK"):
                return {"token": self.token_of(tail), "complete": False, "line": verb}
            if verb == "AF":
                self.complete, self.result = True, "AF"
                return {"token": self.token_of(tail), "complete": True, "line": verb}
            self.result = verb
            raise StepError("gss-spnego-client said: " + line)
        line = self.talk(("YR " if self.first else "KK ") + (token or ""))
        self.first = False
        verb, _, tail = line.partition(" ")
        self.result = verb
        if verb == "TT":
            return {"token": self.token_of(tail), "complete": False, "line": verb}
        if verb == "AF":
            tok, _, user = tail.partition(" ")
            self.complete, self.user = True, user
            return {"token": tok if tok and tok != "*" else None, "complete": True, "line": verb,
                    "user": user}
        tok = self.token_of(tail) if verb == "NA" and tail.startswith(("oR", "oQ")) else None
        raise StepError("gss-spnego said: " + line, tok)

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
    if isinstance(e, StepError):
        d.update({"error": str(e), "token": e.token, "major": e.major, "minor": e.minor})
        return d
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
                if isinstance(peer, SambaPeer):
                    peer.final = bool(req.get("final"))
                r = peer.step(req.get("token"))
            elif op == "info":
                r = peer.info()
            elif not isinstance(peer, GssPeer):
                raise RuntimeError("%s has no per-message call %r (the ntlm_auth helper protocol "
                                   "carries none)" % (peer.role, op))
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
    """MIT SPNEGO initiator + acceptor over gss-ntlmssp in this one process: handshakes/s
    (NegTokenInit/NEGOTIATE, CHALLENGE, AUTHENTICATE with the NTLM MIC and mechListMIC, final
    accept-completed with the acceptor's mechListMIC)."""
    import gssapi
    spnego = gssapi.OID.from_int_seq(SPNEGO_OID)
    F = gssapi.RequirementFlag
    flags = [getattr(F, n) for n in DEFAULT_FLAGS]
    target = gssapi.Name(args.target, gssapi.NameType.hostbased_service)
    icred = gss_creds(gssapi, "gss-init", args.user)
    acred = gss_creds(gssapi, "gss-accept", args.user)

    def handshake():
        ini = gssapi.SecurityContext(name=target, mech=spnego, usage="initiate", flags=flags, creds=icred)
        acc = gssapi.SecurityContext(creds=acred, usage="accept")
        tok, legs = ini.step(), 1  # legs: tokens exchanged
        while not (ini.complete and acc.complete):
            if tok is None or legs > 8:
                raise RuntimeError("no token to send before completion (%d tokens)" % legs)
            tok = acc.step(tok)
            legs += tok is not None
            if ini.complete and acc.complete:
                break
            if tok is None:
                raise RuntimeError("acceptor sent nothing before completing")
            tok = ini.step(tok)
            legs += tok is not None
        if acc.mech.dotted_form != NTLM_OID:
            raise RuntimeError("negotiated %s, not NTLM" % acc.mech.dotted_form)
        return legs

    for _ in range(20):
        legs = handshake()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < args.seconds:
        handshake(); n += 1
    hs = n / (time.perf_counter() - t0)
    print(json.dumps({"ok": True, "handshakesPerSecond": hs, "handshakes": n, "legs": legs}), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("role", choices=["gss-init", "gss-accept", "samba-accept", "samba-init", "bench"])
    ap.add_argument("--target", default="HTTP@localhost")
    ap.add_argument("--user", default=os.environ.get("NTLMUSER", "alice"))
    ap.add_argument("--domain")
    ap.add_argument("--password")
    ap.add_argument("--smbconf", default=os.environ.get("LAB_SAMBA_SMB_CONF"))
    ap.add_argument("--flags")
    ap.add_argument("--seconds", type=float, default=2.0)
    args = ap.parse_args()
    if args.role == "bench":
        return bench(args)
    try:
        peer = GssPeer(args.role, args) if args.role.startswith("gss-") else SambaPeer(args.role, args)
    except Exception as e:
        print(json.dumps(error_reply(e)), flush=True)
        sys.exit(1)
    serve(peer)


if __name__ == "__main__":
    main()
