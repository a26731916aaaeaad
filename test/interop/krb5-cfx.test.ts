// Interop: RFC 4121 per-message tokens against MIT krb5 (python-gssapi, scripts/lab/krb5_msg_peer.py).
// MIT establishes a raw krb5 context with itself and gives us the context key; we verify and unwrap
// MIT's MIC and Wrap tokens in both directions (RRC 0 from gss_wrap, rotated ones from gss_wrap_iov),
// and MIT verifies and unwraps ours (RRC 0 and rotated).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rfc4121Security, CfxFlag } from '../../src/mech/krb5/cfx.js';
import { assertCode } from '../helpers/errors.js';

interface Lab {
  python?: string;
  mit: { krb5Conf: string };
}
interface MitToken {
  kind: 'mic' | 'wrap';
  conf?: boolean;
  iov?: boolean;
  msg: string;
  token: string;
}
interface PeerHello {
  ok: boolean;
  enctype: number;
  keys: Record<'initiator' | 'acceptor', { key: string; enctype: number; enctypeOid: string }>;
  tokens: Record<'initiator' | 'acceptor', MitToken[]>;
}
interface PeerAnswer {
  ok: boolean;
  msg?: string;
  encrypted?: boolean;
  error?: string;
  text?: string;
}

let labJson: string;
let lab: Lab;
before(() => {
  const s = process.env.LAB_STATE;
  if (!s) throw new Error('LAB_STATE is not set: run `npm test`, which starts the lab');
  labJson = join(s, 'lab.json');
  lab = JSON.parse(readFileSync(labJson, 'utf8')) as Lab;
});

const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const toB64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const enc = (s: string) => new TextEncoder().encode(s);
const seqOf = (t: Uint8Array) => new DataView(t.buffer, t.byteOffset, t.byteLength).getBigUint64(8, false);

class Peer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: Interface;
  private readonly queue: ((line: string) => void)[] = [];
  private readonly buffered: string[] = [];
  private stderr = '';

  constructor(enctype: string) {
    this.child = spawn(lab.python ?? '/usr/bin/python3', ['scripts/lab/krb5_msg_peer.py', labJson, enctype], { stdio: 'pipe' });
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.lines = createInterface({ input: this.child.stdout });
    this.lines.on('line', (l) => {
      const w = this.queue.shift();
      if (w) w(l);
      else this.buffered.push(l);
    });
  }

  next(): Promise<string> {
    const b = this.buffered.shift();
    if (b !== undefined) return Promise.resolve(b);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`krb5_msg_peer.py gave no answer: ${this.stderr}`)), 20000);
      this.queue.push((l) => {
        clearTimeout(t);
        resolve(l);
      });
    });
  }

  async ask(req: object): Promise<PeerAnswer> {
    this.child.stdin.write(JSON.stringify(req) + '\n');
    return JSON.parse(await this.next()) as PeerAnswer;
  }

  close(): void {
    this.child.stdin.end();
    this.lines.close();
  }
}

for (const [name, etype] of [
  ['aes256-cts-hmac-sha1-96', 18],
  ['aes128-cts-hmac-sha1-96', 17],
  ['aes256-cts-hmac-sha384-192', 20],
  ['aes128-cts-hmac-sha256-128', 19],
] as const) {
  test(`MIT krb5 per-message tokens both ways: ${name}`, async () => {
    const peer = new Peer(name);
    try {
      const hello = JSON.parse(await peer.next()) as PeerHello;
      assert.equal(hello.ok, true);
      assert.equal(hello.keys.initiator.enctype, etype);
      assert.equal(hello.keys.initiator.key, hello.keys.acceptor.key, 'both MIT sides report the same context key');
      const key = { enctype: etype, value: new Uint8Array(Buffer.from(hello.keys.acceptor.key, 'hex')) };
      const iTok = hello.tokens.initiator;
      const aTok = hello.tokens.acceptor;
      const first = (ts: MitToken[]) => b64(ts[0]!.token);
      // AcceptorSubkey from the token flags; the initial sequence numbers from each side's first token.
      const acceptorSubkey = ((first(iTok)[2] ?? 0) & CfxFlag.AcceptorSubkey) !== 0;
      assert.equal(((first(aTok)[2] ?? 0) & CfxFlag.AcceptorSubkey) !== 0, acceptorSubkey);
      const iSeq = seqOf(first(iTok));
      const aSeq = seqOf(first(aTok));
      const ours = {
        initiator: new Rfc4121Security({ key, role: 'initiator', acceptorSubkey, sendSeq: iSeq, recvSeq: aSeq, sequenceDetection: true }),
        acceptor: new Rfc4121Security({ key, role: 'acceptor', acceptorSubkey, sendSeq: aSeq, recvSeq: iSeq, sequenceDetection: true }),
      };

      // MIT's tokens: the acceptor's are checked by our initiator and the other way round, in order.
      for (const [mitSide, checker] of [['acceptor', ours.initiator], ['initiator', ours.acceptor]] as const) {
        for (const t of hello.tokens[mitSide]) {
          const tok = b64(t.token);
          if (t.kind === 'mic') checker.verifyMic(b64(t.msg), tok);
          else {
            const rrc = ((tok[6] ?? 0) << 8) | (tok[7] ?? 0);
            // MIT's gss_wrap: RRC 0; its gss_wrap_iov without a trailer: RRC = (16 +) checksum length
            const ck = etype === 20 ? 24 : etype === 19 ? 16 : 12;
            assert.equal(rrc, t.iov === true ? (t.conf === true ? 16 + ck : ck) : 0, `RRC of MIT's ${t.conf === true ? 'sealed' : 'integrity'} token`);
            const r = checker.unwrap(tok);
            assert.equal(toB64(r.message), t.msg);
            assert.equal(r.encrypted, t.conf);
          }
        }
        // replaying MIT's first token is a duplicate; a reflected MIT token is refused
        assertCode(() => checker.verifyMic(b64(hello.tokens[mitSide][0]!.msg), first(hello.tokens[mitSide])), 'DUPLICATE_TOKEN');
        const other = mitSide === 'acceptor' ? ours.acceptor : ours.initiator;
        assertCode(() => other.unwrap(b64(hello.tokens[mitSide][1]!.token)), 'DEFECTIVE_TOKEN');
      }

      // Our tokens, checked by MIT: our initiator's by MIT's acceptor and the other way round.
      for (const [ourSide, mitSide] of [['initiator', 'acceptor'], ['acceptor', 'initiator']] as const) {
        const sec = ours[ourSide];
        for (const msg of [enc(`our MIC from the ${ourSide}`), enc('')]) {
          const a = await peer.ask({ op: 'verify_mic', side: mitSide, msg: toB64(msg), token: toB64(sec.getMic(msg)) });
          assert.equal(a.ok, true, `MIT ${mitSide} refused our MIC: ${a.error} ${a.text}`);
        }
        for (const [encrypt, rrc] of [[true, 0], [false, 0], [true, 28], [false, 12], [true, 3]] as const) {
          const msg = enc(`our wrap from the ${ourSide}, encrypt ${encrypt}, rrc ${rrc}`);
          const a = await peer.ask({ op: 'unwrap', side: mitSide, token: toB64(sec.wrap(msg, { encrypt, rrc })) });
          assert.equal(a.ok, true, `MIT ${mitSide} refused our wrap (encrypt ${encrypt}, rrc ${rrc}): ${a.error} ${a.text}`);
          assert.equal(a.msg, toB64(msg));
          assert.equal(a.encrypted, encrypt);
        }
        // MIT notices tampering and replay of our tokens
        const msg = enc('tampered');
        const t = sec.wrap(msg, { encrypt: true });
        const bad = t.slice();
        bad[bad.length - 1]! ^= 1;
        const r1 = await peer.ask({ op: 'unwrap', side: mitSide, token: toB64(bad) });
        assert.equal(r1.ok, false);
        assert.equal(r1.error, 'BadMICError', r1.text);
        assert.equal((await peer.ask({ op: 'unwrap', side: mitSide, token: toB64(t) })).ok, true);
        const r2 = await peer.ask({ op: 'unwrap', side: mitSide, token: toB64(t) });
        assert.equal(r2.ok, false, 'MIT accepted a replayed wrap token');
        assert.match(r2.error ?? '', /Duplicate/i, r2.text);
      }
    } finally {
      peer.close();
    }
  });
}
