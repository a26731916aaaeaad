#!/usr/bin/python3
"""A long-lived MIT krb5 GSS peer (python-gssapi) driven over stdin/stdout, one JSON object per
line, for test/interop/krb5-gss.test.ts: the Kerberos counterpart of spnego_peer.py. Run with
Debian's /usr/bin/python3 (the pyenv python3 on PATH has no gssapi).

  krb5_gss_peer.py ROLE --mech krb5|spnego [--target host@localhost]

Roles
  init    initiator for --target (hostbased) with the default credential, i.e. the TGT in
          KRB5CCNAME; with --mech spnego the credential's negotiable mechs are set to krb5 alone
          (gss_set_neg_mechs), so MIT's SPNEGO offers exactly [krb5] and no NTLMSSP.
  accept  acceptor with the default acceptor credential (KRB5_KTNAME keytab), any mech.

The environment (KRB5_CONFIG, KRB5CCNAME, KRB5_KTNAME, KRB5RCACHEDIR) is the caller's.

Requests (one line each) and replies:
  {"op":"step","token":B64|null} -> {"token":B64|null,"complete":bool}; a refused leg
      -> {"ok":false,"error":...,"token":B64|null,"major":n,"minor":n} (the error token, if any)
  {"op":"wrap","data":B64,"conf":bool} -> {"token":B64,"encrypted":bool}
  {"op":"unwrap","token":B64} -> {"data":B64,"encrypted":bool}
  {"op":"get_mic","data":B64} -> {"token":B64}
  {"op":"verify_mic","data":B64,"token":B64} -> {} (ok false when refused)
  {"op":"info"} -> {"complete","peer","local","mech","flags","enctype"} where enctype is the
      context key's (GSS_C_INQ_SSPI_SESSION_KEY: MIT appends the enctype to
      GSS_KRB5_SESSION_KEY_ENCTYPE_OID 1.2.840.113554.1.2.2.4)
  {"op":"quit"}
Every reply carries "ok". The first line is {"ok":true,"ready":ROLE}.
"""
import argparse, base64, json, sys

KRB5_OID = "1.2.840.113554.1.2.2"
SPNEGO_OID = "1.3.6.1.5.5.2"
INQ_SSPI_SESSION_KEY = "1.2.840.113554.1.2.2.5.5"
ENCTYPE_OID_PREFIX = [1, 2, 840, 113554, 1, 2, 2, 4]
FLAGS = ["mutual_authentication", "integrity", "confidentiality", "replay_detection",
         "out_of_sequence_detection"]


def b64(x):
    return None if x is None else base64.b64encode(bytes(x)).decode()


def unb64(x):
    return b"" if x is None else base64.b64decode(x)


def oid_arcs(der):
    arcs, v = [], 0
    for c in der:
        v = (v << 7) | (c & 0x7F)
        if not c & 0x80:
            arcs.append(v)
            v = 0
    first = arcs.pop(0)
    top = min(first // 40, 2)
    return [top, first - 40 * top] + arcs


class Peer:
    def __init__(self, args):
        import gssapi, gssapi.raw
        self.gssapi = gssapi
        self.role = args.role
        krb5 = gssapi.OID.from_int_seq(KRB5_OID)
        spnego = gssapi.OID.from_int_seq(SPNEGO_OID)
        mech = spnego if args.mech == "spnego" else krb5
        if self.role == "init":
            creds = None
            if args.mech == "spnego":
                creds = gssapi.Credentials(usage="initiate", mechs=[spnego])
                gssapi.raw.set_neg_mechs(creds, [krb5])
            flags = [getattr(gssapi.RequirementFlag, f) for f in FLAGS]
            target = gssapi.Name(args.target, gssapi.NameType.hostbased_service)
            self.ctx = gssapi.SecurityContext(name=target, mech=mech, usage="initiate",
                                              flags=flags, creds=creds)
        else:
            self.ctx = gssapi.SecurityContext(creds=gssapi.Credentials(usage="accept"),
                                              usage="accept")
        # raise at once on a refused leg (python-gssapi would defer it to the next call)
        setattr(self.ctx, "__DEFER_STEP_ERRORS__", False)

    def step(self, token):
        try:
            out = self.ctx.step(unb64(token) if token is not None else None)
        except self.gssapi.exceptions.GSSError as e:
            return {"ok": False, "error": e.gen_message(), "major": e.maj_code, "minor": e.min_code,
                    "token": b64(e.token) if getattr(e, "token", None) else None}
        return {"token": b64(out) if out else None, "complete": bool(self.ctx.complete)}

    def info(self):
        c = self.ctx
        d = {"complete": bool(c.complete), "role": self.role}
        if not c.complete:
            return d
        d.update({"peer": str(c.initiator_name if self.role == "accept" else c.target_name),
                  "local": str(c.target_name if self.role == "accept" else c.initiator_name),
                  "mech": c.mech.dotted_form if c.mech else None,
                  "flags": sorted(f.name for f in c.actual_flags)})
        try:
            data = self.gssapi.raw.inquire_sec_context_by_oid(
                c, self.gssapi.OID.from_int_seq(INQ_SSPI_SESSION_KEY))
            arcs = oid_arcs(bytes(data[1]))
            if arcs[:len(ENCTYPE_OID_PREFIX)] == ENCTYPE_OID_PREFIX:
                d["enctype"] = arcs[-1]
        except Exception as e:
            d["enctypeError"] = str(e)
        return d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("role", choices=["init", "accept"])
    ap.add_argument("--mech", choices=["krb5", "spnego"], default="krb5")
    ap.add_argument("--target", default="HTTP@localhost")
    args = ap.parse_args()
    try:
        peer = Peer(args)
    except Exception as e:
        print(json.dumps({"ok": False, "error": "%s: %s" % (type(e).__name__, e)}), flush=True)
        sys.exit(1)
    gssapi = peer.gssapi
    print(json.dumps({"ok": True, "ready": args.role}), flush=True)
    for line in sys.stdin:
        if not line.strip():
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
            elif op == "wrap":
                w = peer.ctx.wrap(unb64(req["data"]), bool(req.get("conf", True)))
                r = {"token": b64(w.message), "encrypted": bool(w.encrypted)}
            elif op == "unwrap":
                u = peer.ctx.unwrap(unb64(req["token"]))
                r = {"data": b64(u.message), "encrypted": bool(u.encrypted)}
            elif op == "get_mic":
                r = {"token": b64(peer.ctx.get_signature(unb64(req["data"])))}
            elif op == "verify_mic":
                peer.ctx.verify_signature(unb64(req["data"]), unb64(req["token"]))
                r = {}
            else:
                raise RuntimeError("unknown op %r" % op)
            r.setdefault("ok", True)
        except gssapi.exceptions.GSSError as e:
            r = {"ok": False, "error": e.gen_message(), "major": e.maj_code, "minor": e.min_code}
        except Exception as e:
            r = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
        print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
