#!/usr/bin/python3
"""MIT acceptor (python-gssapi, krb5 mech) for delegation tests: reads one base64 AP-REQ token per
line on stdin, answers {"token", "complete", "peer", "delegated", "ccache"} per line; when the
initiator delegated, the forwarded credentials are stored in FILE:<argv[1]> (gss_store_cred_into)."""
import base64, json, sys
import gssapi

out_cache = sys.argv[1]
krb5 = gssapi.OID.from_int_seq("1.2.840.113554.1.2.2")
ctx = gssapi.SecurityContext(creds=gssapi.Credentials(usage="accept", mechs=[krb5]), usage="accept")
for line in sys.stdin:
    tok = ctx.step(base64.b64decode(line.strip()))
    r = {"token": base64.b64encode(tok).decode() if tok else None, "complete": ctx.complete}
    if ctx.complete:
        r["peer"] = str(ctx.initiator_name)
        d = ctx.delegated_creds
        r["delegated"] = d is not None
        if d is not None:
            d.store(store={"ccache": "FILE:" + out_cache}, overwrite=True, set_default=False)
            r["ccache"] = out_cache
    print(json.dumps(r), flush=True)
    if ctx.complete:
        break
