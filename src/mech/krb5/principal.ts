// Principal names as users write them: `alice`, `alice@REALM`, `HTTP/host@REALM`, host-based
// `HTTP@host`; RFC 1964 2.1.1 escaping of `/`, `@` and `\` in components.
import { SpnegoError } from '../../errors.js';
import { NameType } from '../../iana/krb5.js';
import type { PrincipalName } from '../../codec/krb5/principal-name.js';

export interface Principal {
  readonly name: PrincipalName;
  readonly realm: string;
}

/** Parses `comp/comp@REALM` (realm optional: `defaultRealm`), honouring backslash escapes. */
export function parsePrincipal(s: string, defaultRealm?: string, nameType: number = NameType.KRB_NT_PRINCIPAL): Principal {
  const comps: string[] = [];
  let cur = '';
  let inRealm = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      const n = s[++i]!;
      cur += n === 'n' ? '\n' : n === 't' ? '\t' : n === '0' ? '\0' : n;
    } else if (c === '/' && !inRealm) {
      comps.push(cur);
      cur = '';
    } else if (c === '@' && !inRealm) {
      comps.push(cur);
      cur = '';
      inRealm = true;
    } else cur += c;
  }
  if (!inRealm) comps.push(cur);
  const realm = inRealm ? cur : undefined;
  if (comps.some((x) => x === '')) throw new SpnegoError('BAD_NAME', `empty component in principal name ${JSON.stringify(s)}`);
  const r = realm || defaultRealm;
  if (!r) throw new SpnegoError('BAD_NAME', `no realm for ${JSON.stringify(s)} and no default_realm`);
  return { name: { nameType, nameString: comps }, realm: r };
}

export function formatPrincipal(p: Principal): string {
  const esc = (x: string): string => x.replace(/[\\/@]/g, (m) => `\\${m}`);
  return `${p.name.nameString.map(esc).join('/')}@${esc(p.realm)}`;
}

/** `service@host` (GSS_C_NT_HOSTBASED_SERVICE) to `service/host` with KRB_NT_SRV_HST (RFC 4120 6.2.1). */
export function hostBasedService(target: string, realm: string): Principal {
  const at = target.indexOf('@');
  const service = at < 0 ? target : target.slice(0, at);
  const host = at < 0 ? 'localhost' : target.slice(at + 1);
  if (!service || !host) throw new SpnegoError('BAD_NAME', `not a host-based service name: ${JSON.stringify(target)}`);
  return { name: { nameType: NameType.KRB_NT_SRV_HST, nameString: [service, host.toLowerCase()] }, realm };
}

export function tgsPrincipal(realm: string, issuingRealm = realm): Principal {
  return { name: { nameType: NameType.KRB_NT_SRV_INST, nameString: ['krbtgt', realm] }, realm: issuingRealm };
}

export function samePrincipal(a: PrincipalName, b: PrincipalName): boolean {
  return a.nameString.length === b.nameString.length && a.nameString.every((c, i) => c === b.nameString[i]);
}
