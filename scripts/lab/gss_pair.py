#!/usr/bin/python3
"""In-process GSSAPI initiator + acceptor with python-gssapi (MIT krb5 / gss-ntlmssp), printing
the exchanged tokens and what the acceptor saw as JSON. Must run with Debian's /usr/bin/python3.

  gss_pair.py SERVICE@HOST [spnego|krb5|ntlmssp]
Initiator credentials: KRB5CCNAME (krb5) or NTLM_USER_FILE/NTLMUSER (ntlmssp);
acceptor keys: KRB5_KTNAME (krb5) or NTLM_USER_FILE (ntlmssp).
"""
import base64, json, sys
import gssapi

OIDS = {"spnego": "1.3.6.1.5.5.2", "krb5": "1.2.840.113554.1.2.2", "ntlmssp": "1.3.6.1.4.1.311.2.2.10"}

def main():
    target = sys.argv[1]
    mech = gssapi.OID.from_int_seq(OIDS[sys.argv[2] if len(sys.argv) > 2 else "spnego"])
    name = gssapi.Name(target, gssapi.NameType.hostbased_service)
    flags = [gssapi.RequirementFlag.mutual_authentication, gssapi.RequirementFlag.integrity,
             gssapi.RequirementFlag.confidentiality, gssapi.RequirementFlag.replay_detection,
             gssapi.RequirementFlag.out_of_sequence_detection]
    ini = gssapi.SecurityContext(name=name, mech=mech, usage="initiate", flags=flags)
    acc = gssapi.SecurityContext(creds=gssapi.Credentials(usage="accept"), usage="accept")
    legs, tok = [], None
    for _ in range(8):
        tok = ini.step(tok)
        if tok:
            legs.append({"from": "initiator", "b64": base64.b64encode(tok).decode()})
        if ini.complete and not tok:
            break
        tok = acc.step(tok)
        if tok:
            legs.append({"from": "acceptor", "b64": base64.b64encode(tok).decode()})
        if ini.complete and acc.complete:
            break
        if acc.complete and not tok:
            break
    if not ini.complete:
        ini.step(tok)
    wrapped = ini.wrap(b"lab wrap test", True)
    assert acc.unwrap(wrapped.message).message == b"lab wrap test"
    mic = acc.get_signature(b"mic test"); ini.verify_signature(b"mic test", mic)
    print(json.dumps({"ok": ini.complete and acc.complete, "initiator": str(acc.initiator_name),
                      "target": str(ini.target_name), "mech": str(acc.mech), "legs": legs}))

main()
