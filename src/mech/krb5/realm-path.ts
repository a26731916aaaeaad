// The realms a client crosses to reach a service in another realm (RFC 4120 1.2, 3.3.3.2): the
// [capaths] entry for (client realm, server realm) when krb5.conf has one, as MIT's
// k5_client_realm_path reads it ("." means direct), else the hierarchy: up from the client's realm
// to the longest common suffix of the two, then down to the server's.
import { profileValues, type Krb5Config } from './config/index.js';

/** The realms after `client`, ending with `server` (empty when they are the same). */
export function realmPath(client: string, server: string, config?: Krb5Config): string[] {
  if (client === server) return [];
  const capath = config ? profileValues(config.profile, ['capaths', client, server]) : [];
  if (capath.length > 0) return [...capath.filter((r) => r !== '.'), server];
  const c = client.split('.');
  const s = server.split('.');
  let common = 0;
  while (common < c.length && common < s.length && c[c.length - 1 - common] === s[s.length - 1 - common]) common++;
  const path: string[] = [];
  for (let i = 1; i < c.length - common; i++) path.push(c.slice(i).join('.')); // up, client's parents
  if (common > 0 && common < c.length && common < s.length) path.push(c.slice(c.length - common).join('.'));
  for (let i = s.length - common - 1; i >= 1; i--) path.push(s.slice(i).join('.')); // down, server's parents
  path.push(server);
  return path;
}
