#!/usr/bin/python3
"""Describe a captured GSS/SPNEGO/NTLM/Kerberos token from its bytes (lenient DER walk, lab use
only: gives the "kind" text of capture.sh). Usage as a filter: TSV lines
name<TAB>peer<TAB>direction<TAB>header<TAB>base64  ->  JSON lines with "kind" added."""
import base64, json, sys

OID_NAMES = {
    "1.3.6.1.5.5.2": "SPNEGO", "1.2.840.113554.1.2.2": "krb5", "1.2.840.48018.1.2.2": "MS-KRB5",
    "1.3.6.1.4.1.311.2.2.10": "NTLMSSP", "1.2.840.113554.1.2.2.3": "krb5-U2U",
    "1.3.6.1.4.1.311.2.2.30": "NEGOEX",
}
NEG_STATE = {0: "accept-completed", 1: "accept-incomplete", 2: "reject", 3: "request-mic"}
NTLM_TYPE = {1: "NEGOTIATE", 2: "CHALLENGE", 3: "AUTHENTICATE"}
KRB_TOK = {b"\x01\x00": "AP-REQ", b"\x02\x00": "AP-REP", b"\x03\x00": "KRB-ERROR", b"\x04\x04": "MIC", b"\x05\x04": "Wrap"}

def tlv(b, i):
    tag = b[i]; i += 1
    l = b[i]; i += 1
    if l & 0x80:
        n = l & 0x7F; l = int.from_bytes(b[i:i + n], "big"); i += n
    return tag, b[i:i + l], i + l

def children(b):
    out, i = [], 0
    while i < len(b):
        t, v, i = tlv(b, i); out.append((t, v))
    return out

def oid(v):
    arcs, n = [], 0
    for x in v:
        n = (n << 7) | (x & 0x7F)
        if not x & 0x80: arcs.append(n); n = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(map(str, [first, arcs[0] - 40 * first] + arcs[1:]))

def mech_token(v):
    if v.startswith(b"NTLMSSP\0"):
        return "NTLM " + NTLM_TYPE.get(v[8], "type %d" % v[8])
    if v[:1] == b"\x60":
        t, body, _ = tlv(v, 0)
        _, o, j = tlv(body, 0)
        name = OID_NAMES.get(oid(o), oid(o))
        return "%s %s" % (name, KRB_TOK.get(body[j:j + 2], "tok " + body[j:j + 2].hex()))
    if v[:1] == b"\x6f": return "krb5 AP-REP (no GSS framing)"
    if v[:1] == b"\x7e": return "KRB-ERROR (no GSS framing)"
    return "unknown inner token %s" % v[:4].hex()

def describe(b):
    if b.startswith(b"NTLMSSP\0"):
        return "raw NTLMSSP " + NTLM_TYPE.get(b[8], "?")
    if b[:1] == b"\x60":
        _, body, _ = tlv(b, 0)
        _, o, j = tlv(body, 0)
        o = oid(o)
        if o != "1.3.6.1.5.5.2":
            return "raw GSS " + mech_token(b)
        t, inner, _ = tlv(body, j)       # [0] NegTokenInit / NegTokenInit2
        seq = children(children(inner)[0][1])
        parts, mechs = [], []
        for t, v in seq:
            if t == 0xA0:
                mechs = [OID_NAMES.get(oid(x), oid(x)) for _, x in children(children(v)[0][1])]
            elif t == 0xA2:
                parts.append("mechToken " + mech_token(children(v)[0][1]))
            elif t == 0xA3:
                h = [(ht, hv) for ht, hv in children(children(v)[0][1])]
                hint = ""
                for ht, hv in h:
                    if ht == 0xA0: hint = children(hv)[0][1].decode("latin-1")
                parts.append("negHints(hintName=%r)" % hint if hint else "negHints")
            elif t == 0xA4:
                parts.append("mechListMIC")
        name = "NegTokenInit2" if any(p.startswith("negHints") for p in parts) else "NegTokenInit"
        return "SPNEGO %s mechTypes=[%s]%s" % (name, ",".join(mechs), "".join(" with " + p for p in parts))
    if b[:1] == b"\xa1":
        _, inner, _ = tlv(b, 0)
        parts, state = [], "no negState"
        for t, v in children(children(inner)[0][1]):
            if t == 0xA0: state = NEG_STATE.get(children(v)[0][1][0], "?")
            elif t == 0xA1:
                m = oid(children(v)[0][1]); parts.append("supportedMech " + OID_NAMES.get(m, m))
            elif t == 0xA2: parts.append("responseToken " + mech_token(children(v)[0][1]))
            elif t == 0xA3: parts.append("mechListMIC")
        return "SPNEGO NegTokenResp %s%s" % (state, "".join(" with " + p for p in parts))
    return "unknown (first byte %02x)" % b[0]

if __name__ == "__main__":
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line: continue
        name, peer, direction, header, b64 = line.split("\t")
        raw = base64.b64decode(b64, validate=True)
        try:
            kind = describe(raw)
        except Exception as e:
            kind = "undecodable by describe_token.py: %s" % e
        print(json.dumps({"name": name, "peer": peer, "direction": direction,
                          "header": None if header in ("", "null") else header,
                          "base64": b64, "kind": kind, "length": len(raw)}))
