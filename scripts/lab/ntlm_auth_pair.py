#!/usr/bin/python3
"""Relay tokens between two Samba ntlm_auth helper processes (initiator <-> acceptor) and print
the exchange as JSON. Used by check.sh and capture.sh.

  ntlm_auth_pair.py ntlm  SMBCONF DOMAIN USER PASSWORD
      ntlmssp-client-1  <->  squid-2.5-ntlmssp   (raw NTLMSSP, acceptor validates via winbindd)
  ntlm_auth_pair.py spnego SMBCONF DOMAIN USER PASSWORD [TARGET_SERVICE TARGET_HOST]
      gss-spnego-client <->  gss-spnego          (SPNEGO; Kerberos when a ticket/keytab is usable,
                                                   else NTLM; acceptor keytab from KRB5_KTNAME)
Output: {"legs": [{"from": "client|server", "verb": "YR|TT|KK|AF|NA", "b64": ..., "rest": ...}],
         "result": "AF|NA|error", "user": "..."}
"""
import json, os, subprocess, sys

def helper(proto, smbconf, extra):
    return subprocess.Popen(["ntlm_auth", "--configfile=" + smbconf, "--helper-protocol=" + proto] + extra,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, bufsize=1)

def talk(p, line):
    p.stdin.write(line + "\n"); p.stdin.flush()
    out = p.stdout.readline()
    if not out:
        raise RuntimeError("helper closed: " + p.stderr.read()[-500:])
    return out.rstrip("\n")

def parse(frm, line, tokenless_final=False):
    """Split a helper reply "VERB [b64|*] [rest]". squid-2.5-ntlmssp's final "AF DOMAIN\\user" /
    "NA reason" carry no token (tokenless_final)."""
    verb, _, tail = line.partition(" ")
    if tokenless_final and verb in ("AF", "NA", "BH"):
        return {"from": frm, "verb": verb, "b64": None, "rest": tail or None, "line": line}
    tok, _, rest = tail.partition(" ")
    return {"from": frm, "verb": verb, "b64": tok if tok and tok != "*" else None,
            "rest": rest or None, "line": line}

def main():
    mode, smbconf, domain, user, pw = sys.argv[1:6]
    creds = ["--username=" + user, "--domain=" + domain, "--password=" + pw]
    if mode == "ntlm":
        cli = helper("ntlmssp-client-1", smbconf, creds)
        srv = helper("squid-2.5-ntlmssp", smbconf, [])
    else:
        tgt = []
        if len(sys.argv) > 7:
            tgt = ["--target-service=" + sys.argv[6], "--target-hostname=" + sys.argv[7]]
        cli = helper("gss-spnego-client", smbconf, creds + tgt)
        kt = os.environ.get("LAB_ACCEPTOR_KEYTAB")
        # the gss-spnego acceptor's Kerberos keys: the DC machine account (secrets.ldb) by
        # default, or a service keytab through the dedicated-keytab options
        srv = helper("gss-spnego", smbconf, ["--option=kerberos method=dedicated keytab",
                                             "--option=dedicated keytab file=FILE:" + kt] if kt else [])
    legs, result, who = [], "error", None
    try:
        c = parse("client", talk(cli, "YR")); legs.append(c)
        first = True
        for _ in range(6):
            # ntlmssp-client-1 answers the CHALLENGE with "AF <AUTHENTICATE>"
            if c["verb"] not in ("YR", "KK", "AF") or not c["b64"]:
                break
            s = parse("server", talk(srv, ("YR " if first else "KK ") + c["b64"]), mode == "ntlm"); legs.append(s)
            first = False
            if s["verb"] in ("AF", "NA", "BH"):
                result = s["verb"]; who = s["rest"] if s["rest"] is not None else s["b64"]
                if mode == "spnego" and s["verb"] == "AF" and s["b64"]:
                    # let the initiator check the final token (mutual auth / mechListMIC)
                    legs.append(parse("client", talk(cli, "AF " + s["b64"])))
                break
            if s["verb"] != "TT":
                break
            c = parse("client", talk(cli, "TT " + s["b64"])); legs.append(c)
    except Exception as e:  # report, do not hide
        legs.append({"from": "error", "verb": "error", "b64": None, "rest": str(e), "line": str(e)})
    finally:
        for p in (cli, srv):
            try:
                p.stdin.close(); p.wait(timeout=5)
            except Exception:
                p.kill()
    print(json.dumps({"legs": legs, "result": result, "user": who}))
    sys.exit(0 if result == "AF" else 1)

main()
