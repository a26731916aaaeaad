// Parsed credential files (keytabs, ccaches, the NTLM user file) shared between contexts and
// re-read when the file changes (its inode, size or modification time), as MIT's profile library
// treats krb5.conf and as gss-ntlmssp re-reads NTLM_USER_FILE per authentication. A server makes
// a context per request; reading and decoding the file for each one cost more than the handshake
// itself. The stat is synchronous, like gss-ntlmssp's fopen: about 2 us on a local file, where an
// async one cost 30 us of CPU in libuv's pool. Values are shared: callers must not mutate them.
import { statSync } from 'node:fs';

interface Entry {
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly value: unknown;
}

const entries = new Map<string, Entry>();
const MAX_FILES = 32;

/** `parse()` of the file at `path`, from the cache while the file is unchanged. */
export function cachedParse<T>(kind: string, path: string, parse: () => T): T {
  const key = `${kind}\0${path}`;
  let st;
  try {
    st = statSync(path, { bigint: true });
  } catch {
    entries.delete(key);
    return parse(); // which raises the typed error for a missing or unreadable file
  }
  const e = entries.get(key);
  if (e && e.ino === st.ino && e.size === st.size && e.mtimeNs === st.mtimeNs) return e.value as T;
  const value = parse();
  entries.delete(key);
  if (entries.size >= MAX_FILES) entries.delete(entries.keys().next().value!);
  entries.set(key, { ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, value });
  return value;
}
