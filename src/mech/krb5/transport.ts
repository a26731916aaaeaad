// KDC transport (RFC 4120 7.2): UDP for small requests, TCP (4-byte length prefix) for large
// ones, when the KDC answers KRB_ERR_RESPONSE_TOO_BIG and when UDP gets no reply; a timeout per
// attempt and failover to the next KDC. The network is injected (NetworkIO) so tests can fake
// faults; nodeNetwork() is the real one over node:dgram, node:net and node:dns.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { promises as dns } from 'node:dns';
import { SpnegoError } from '../../errors.js';

export interface KdcAddress {
  readonly host: string;
  readonly port: number;
  /** Restrict to one protocol (DNS SRV `_udp`/`_tcp`, or `tcp/host` in krb5.conf). */
  readonly protocol?: 'udp' | 'tcp';
}

export interface NetworkIO {
  udp(addr: KdcAddress, request: Uint8Array, timeoutMs: number): Promise<Uint8Array>;
  tcp(addr: KdcAddress, request: Uint8Array, timeoutMs: number): Promise<Uint8Array>;
}

export interface KdcTransportOptions {
  /** KDCs of a realm, in order (from krb5.conf or DNS SRV). */
  readonly locate: (realm: string) => Promise<readonly KdcAddress[]>;
  readonly network?: NetworkIO;
  /** Requests up to this size go over UDP first (krb5.conf udp_preference_limit, MIT default 1465). */
  readonly udpPreferenceLimit?: number;
  /** Per attempt, UDP and TCP each (MIT waits about 1 s per KDC before the next). */
  readonly timeoutMs?: number;
}

/** Largest reply accepted over TCP; real replies with big PACs stay well under this. */
export const MAX_KDC_REPLY = 1024 * 1024;
const KRB_ERR_RESPONSE_TOO_BIG = 52;

/** Recognises a KRB-ERROR with error-code 52 without a full decode (the KDC layer decodes it properly). */
export function isResponseTooBig(reply: Uint8Array): boolean {
  if (reply[0] !== 0x7e) return false;
  // error-code is [6] Int32 inside the SEQUENCE; find "a6 03 02 01 34" (a one-byte INTEGER 52).
  for (let i = 0; i + 4 < reply.length && i < 200; i++) {
    if (reply[i] === 0xa6 && reply[i + 1] === 0x03 && reply[i + 2] === 0x02 && reply[i + 3] === 0x01) return reply[i + 4] === KRB_ERR_RESPONSE_TOO_BIG;
  }
  return false;
}

export class KdcTransport {
  private readonly net: NetworkIO;
  constructor(private readonly o: KdcTransportOptions) {
    this.net = o.network ?? nodeNetwork();
  }

  /** Sends a KDC request to the realm's KDCs in turn; the first reply wins. */
  async send(realm: string, request: Uint8Array): Promise<Uint8Array> {
    const kdcs = await this.o.locate(realm);
    if (kdcs.length === 0) throw new SpnegoError('UNAVAILABLE', `no KDC known for realm ${realm}`);
    const limit = this.o.udpPreferenceLimit ?? 1465;
    const timeout = this.o.timeoutMs ?? 1000;
    const failures: string[] = [];
    for (const kdc of kdcs) {
      const useUdp = kdc.protocol === 'udp' || (kdc.protocol === undefined && request.length <= limit);
      const fail = (e: unknown): void => { failures.push(`${kdc.host}:${kdc.port}: ${e instanceof Error ? e.message : String(e)}`); };
      if (useUdp) {
        try {
          const reply = await this.net.udp(kdc, request, timeout);
          if (!isResponseTooBig(reply) || kdc.protocol === 'udp') return reply;
        } catch (e) {
          fail(e);
          // UDP dropped or refused: try TCP on the same KDC before the next one, as MIT does for an
          // entry without a tcp/udp prefix (sendto_kdc.c resolve_server: the other transport, deferred).
          if (kdc.protocol === 'udp') continue;
        }
      }
      try {
        return await this.net.tcp(kdc, request, timeout);
      } catch (e) {
        fail(e);
      }
    }
    throw new SpnegoError('UNAVAILABLE', `cannot contact any KDC for realm ${realm} (${failures.join('; ')})`);
  }
}

/** DNS SRV lookup of `_kerberos._udp.REALM` and `_kerberos._tcp.REALM` (RFC 4120 7.2.3.2). */
export async function locateKdcsByDns(realm: string, resolveSrv: (n: string) => Promise<{ name: string; port: number; priority: number; weight: number }[]> = dns.resolveSrv): Promise<KdcAddress[]> {
  const out: KdcAddress[] = [];
  for (const protocol of ['udp', 'tcp'] as const) {
    try {
      const recs = await resolveSrv(`_kerberos._${protocol}.${realm}`);
      recs.sort((a, b) => a.priority - b.priority || b.weight - a.weight);
      for (const r of recs) if (r.name !== '.') out.push({ host: r.name, port: r.port, protocol });
    } catch {
      // No records of this kind: try the other.
    }
  }
  return out;
}

function timeoutError(what: string, ms: number): SpnegoError {
  return new SpnegoError('UNAVAILABLE', `${what}: no reply within ${ms} ms`);
}

export function nodeNetwork(): NetworkIO {
  return {
    udp: (addr, request, timeoutMs) =>
      new Promise((resolve, reject) => {
        const sock = createSocket(addr.host.includes(':') ? 'udp6' : 'udp4');
        let done = false;
        const finish = (settle: () => void): void => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          sock.close();
          settle();
        };
        const timer = setTimeout(() => finish(() => reject(timeoutError('UDP', timeoutMs))), timeoutMs);
        sock.on('message', (msg) => finish(() => resolve(new Uint8Array(msg))));
        sock.on('error', (e) => finish(() => reject(new SpnegoError('UNAVAILABLE', `UDP: ${e.message}`))));
        // Connected, as MIT's sendto_kdc: only the KDC's address can answer (a stray or spoofed
        // datagram was taken as the reply), and a stopped KDC's ICMP port unreachable fails at once.
        try {
          sock.connect(addr.port, addr.host, (err?: Error) => {
            if (err) sock.emit('error', err);
            else if (!done) sock.send(request);
          });
        } catch (e) {
          // A bad port (e.g. 0 from a DNS SRV record) throws here: typed, and no timer left running.
          sock.emit('error', e instanceof Error ? e : new Error(String(e)));
        }
      }),
    tcp: (addr, request, timeoutMs) =>
      new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let got = 0;
        let need = -1;
        let sock: ReturnType<typeof connect>;
        try {
          sock = connect({ host: addr.host, port: addr.port });
        } catch (e) {
          return reject(new SpnegoError('UNAVAILABLE', `TCP: ${e instanceof Error ? e.message : String(e)}`)); // a bad port throws here
        }
        const fail = (e: SpnegoError): void => {
          clearTimeout(timer);
          sock.destroy();
          reject(e);
        };
        const timer = setTimeout(() => fail(timeoutError('TCP', timeoutMs)), timeoutMs);
        sock.on('connect', () => {
          const len = Buffer.alloc(4);
          len.writeUInt32BE(request.length);
          sock.write(Buffer.concat([len, request]));
        });
        sock.on('data', (d) => {
          chunks.push(d);
          got += d.length;
          if (need < 0 && got >= 4) {
            const all = Buffer.concat(chunks);
            need = all.readUInt32BE(0);
            // RFC 4120 7.2.2: the high bit is reserved; a reply larger than we accept is refused early.
            if (need > MAX_KDC_REPLY) return fail(new SpnegoError('DECODE_LIMIT', `KDC reply of ${need} bytes over TCP exceeds ${MAX_KDC_REPLY}`));
          }
          if (need >= 0 && got >= need + 4) {
            clearTimeout(timer);
            sock.destroy();
            resolve(new Uint8Array(Buffer.concat(chunks).subarray(4, 4 + need)));
          }
        });
        sock.on('error', (e) => fail(new SpnegoError('UNAVAILABLE', `TCP: ${e.message}`)));
        sock.on('end', () => {
          if (need < 0 || got < need + 4) fail(new SpnegoError('UNAVAILABLE', 'TCP: the KDC closed the connection before a full reply'));
        });
      }),
  };
}
