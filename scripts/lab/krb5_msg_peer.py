#!/usr/bin/python3
"""MIT krb5 per-message token peer for interop tests of our RFC 4121 code (test/interop/krb5-cfx.test.ts).
Run with Debian's /usr/bin/python3 (python3-gssapi).

  krb5_msg_peer.py LAB_JSON ENCTYPE
Establishes a raw krb5 context (mech 1.2.840.113554.1.2.2) between an initiator (alice, kinit into a
temporary ccache with her password from lab.json) and an acceptor (HTTP/localhost from the lab's HTTP
keytab) in this one process, with a temporary copy of the lab's krb5.conf whose default_tgs_enctypes is
ENCTYPE alone (and ENCTYPE first in permitted_enctypes, see setup_env). Then:
  - prints one JSON line: the context key (GSS_C_INQ_SSPI_SESSION_KEY) and its enctype, the flags,
    and MIC/Wrap tokens MIT made in each direction (conf on and off) over known messages, the last two
    by gss_wrap_iov without a TRAILER buffer (so with RRC 28 / 12 and more for sha384);
  - reads JSON request lines on stdin, one answer line each:
      {"op": "verify_mic", "side": "initiator"|"acceptor", "msg": b64, "token": b64}
      {"op": "unwrap", "side": ..., "token": b64}
    `side` is the MIT context that checks the token; the answer is {"ok": true, ...} or
    {"ok": false, "error": "<GSSError class>", "major": n}.
Nothing is written outside a temporary directory that is removed at exit.
"""
import base64, json, os, re, shutil, subprocess, sys, tempfile

ENCTYPE_NUMBERS = {"aes128-cts-hmac-sha1-96": 17, "aes256-cts-hmac-sha1-96": 18,
                   "aes128-cts-hmac-sha256-128": 19, "aes256-cts-hmac-sha384-192": 20}
KRB5_MECH = "1.2.840.113554.1.2.2"
INQ_SSPI_SESSION_KEY = "1.2.840.113554.1.2.2.5.5"
# The second buffer MIT returns is this OID with the enctype number appended as one more arc
# (GSS_KRB5_SESSION_KEY_ENCTYPE_OID, lib/gssapi/krb5/inq_sec_context_by_oid).
ENCTYPE_OID_PREFIX = "1.2.840.113554.1.2.2.4"

b64 = lambda b: base64.b64encode(bytes(b)).decode()


def setup_env(lab, enctype, tmp):
    conf = open(lab["mit"]["krb5Conf"]).read()
    # The ticket session key comes from default_tgs_enctypes (ENCTYPE alone). permitted_enctypes must
    # keep the other AES types, since this one process is also the acceptor and must still decrypt
    # the ticket (the KDC encrypts it in the service's strongest key); ENCTYPE first makes it the
    # initiator's first choice in the RFC 4537 list, so MIT's acceptor subkey is ENCTYPE as well.
    rest = " ".join(e for e in ENCTYPE_NUMBERS if e != enctype)
    values = {"permitted_enctypes": f"{enctype} {rest}", "default_tkt_enctypes": f"{enctype} {rest}",
              "default_tgs_enctypes": enctype}
    for k, v in values.items():
        conf, n = re.subn(rf"(?m)^(\s*){k}\s*=.*$", rf"\g<1>{k} = {v}", conf)
        if n == 0:
            conf = conf.replace("[libdefaults]\n", f"[libdefaults]\n    {k} = {v}\n", 1)
    path = os.path.join(tmp, "krb5.conf")
    open(path, "w").write(conf)
    os.environ.update(lab.get("env", {}))
    os.environ["KRB5_CONFIG"] = path
    os.environ["KRB5CCNAME"] = "FILE:" + os.path.join(tmp, "ccache")
    os.environ["KRB5_KTNAME"] = lab["mit"]["httpKeytab"]
    alice = next(u for u in lab["mit"]["users"] if u["name"] == "alice")
    subprocess.run(["kinit", alice["principal"]], input=alice["password"] + "\n", text=True,
                   check=True, capture_output=True)


def oid_arcs(oid_bytes):
    """DER OID contents -> list of arcs."""
    arcs, v = [], 0
    for i, c in enumerate(oid_bytes):
        v = (v << 7) | (c & 0x7F)
        if not c & 0x80:
            arcs.append(v)
            v = 0
    first = arcs.pop(0)
    return [min(first // 40, 2), first - 40 * min(first // 40, 2)] + arcs


def main():
    lab = json.load(open(sys.argv[1]))
    enctype = sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="krb5-msg-peer.")
    try:
        setup_env(lab, enctype, tmp)
        import gssapi, gssapi.raw
        from gssapi.raw import IOV, IOVBufferType
        mech = gssapi.OID.from_int_seq(KRB5_MECH)
        flags = [gssapi.RequirementFlag.mutual_authentication, gssapi.RequirementFlag.integrity,
                 gssapi.RequirementFlag.confidentiality, gssapi.RequirementFlag.replay_detection,
                 gssapi.RequirementFlag.out_of_sequence_detection]
        name = gssapi.Name("HTTP@localhost", gssapi.NameType.hostbased_service)
        ini = gssapi.SecurityContext(name=name, mech=mech, usage="initiate", flags=flags)
        acc = gssapi.SecurityContext(creds=gssapi.Credentials(usage="accept"), usage="accept")
        tok = ini.step(None)
        while True:
            tok = acc.step(tok)
            if ini.complete:
                break
            tok = ini.step(tok)
            if ini.complete and acc.complete:
                break
        assert ini.complete and acc.complete, "context not established"

        keys = {}
        for side, ctx in (("initiator", ini), ("acceptor", acc)):
            data = gssapi.raw.inquire_sec_context_by_oid(ctx, gssapi.OID.from_int_seq(INQ_SSPI_SESSION_KEY))
            key, etoid = bytes(data[0]), bytes(data[1])
            arcs = oid_arcs(etoid)
            prefix = [int(x) for x in ENCTYPE_OID_PREFIX.split(".")]
            assert arcs[: len(prefix)] == prefix and len(arcs) == len(prefix) + 1, arcs
            keys[side] = {"key": key.hex(), "enctype": arcs[-1], "enctypeOid": ".".join(map(str, arcs))}

        msgs = {"mic": b"MIT MIC message", "wrapConf": b"MIT sealed wrap message",
                "wrapInteg": b"MIT integrity-only wrap message", "empty": b"",
                "iov": b"MIT wrap_iov message, trailer in the header"}
        made = {}
        for side, ctx in (("initiator", ini), ("acceptor", acc)):
            made[side] = [
                {"kind": "mic", "msg": b64(msgs["mic"]), "token": b64(ctx.get_signature(msgs["mic"]))},
                {"kind": "wrap", "conf": True, "msg": b64(msgs["wrapConf"]),
                 "token": b64(ctx.wrap(msgs["wrapConf"], True).message)},
                {"kind": "wrap", "conf": False, "msg": b64(msgs["wrapInteg"]),
                 "token": b64(ctx.wrap(msgs["wrapInteg"], False).message)},
                {"kind": "wrap", "conf": True, "msg": b64(msgs["empty"]),
                 "token": b64(ctx.wrap(msgs["empty"], True).message)},
                {"kind": "mic", "msg": b64(msgs["empty"]), "token": b64(ctx.get_signature(msgs["empty"]))},
            ]
            # gss_wrap_iov with a HEADER and DATA buffer but no TRAILER: MIT moves the trailer into
            # the header and says so with RRC (SSPI/DCE layout), so these tokens are rotated.
            for conf in (True, False):
                iov = IOV(IOVBufferType.header, msgs["iov"], std_layout=False)
                gssapi.raw.wrap_iov(ctx, iov, confidential=conf)
                made[side].append({"kind": "wrap", "conf": conf, "iov": True, "msg": b64(msgs["iov"]),
                                   "token": b64(bytes(iov[0].value) + bytes(iov[1].value))})
        print(json.dumps({"ok": True, "enctype": ENCTYPE_NUMBERS.get(enctype), "keys": keys,
                          "initiatorFlags": int(ini.actual_flags), "acceptorFlags": int(acc.actual_flags),
                          "tokens": made}), flush=True)

        ctxs = {"initiator": ini, "acceptor": acc}
        for line in sys.stdin:
            if not line.strip():
                continue
            req = json.loads(line)
            ctx = ctxs[req["side"]]
            try:
                if req["op"] == "verify_mic":
                    ctx.verify_signature(base64.b64decode(req["msg"]), base64.b64decode(req["token"]))
                    out = {"ok": True}
                elif req["op"] == "unwrap":
                    r = ctx.unwrap(base64.b64decode(req["token"]))
                    out = {"ok": True, "msg": b64(r.message), "encrypted": bool(r.encrypted)}
                else:
                    out = {"ok": False, "error": "unknown op"}
            except gssapi.exceptions.GSSError as e:
                out = {"ok": False, "error": type(e).__name__, "major": int(e.maj_code), "text": str(e)[:300]}
            print(json.dumps(out), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
