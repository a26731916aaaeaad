// `spnego kdestroy`: removes a FILE credential cache (overwritten with zeros first, as MIT's
// kdestroy does). No cache is not an error (MIT prints a notice and exits 0).
import { parseArgs } from 'node:util';
import { SpnegoError } from '../errors.js';
import { destroyCcache, ccachePath } from '../mech/krb5/ccache-store.js';
import { loadKrb5Config, type Krb5Config } from '../mech/krb5/config/index.js';
import { ccacheNameFor } from './klist.js';

type Env = Readonly<Record<string, string | undefined>>;

const HELP = `usage: spnego kdestroy [-q] [-c CCACHE]

Destroys the credential cache (-c, else KRB5CCNAME, else krb5.conf's default_ccache_name):
its bytes are overwritten with zeros, then the file is removed.

  -c CCACHE   the cache (FILE:path or a path)
  -q          no notice when there is no cache
`;

export async function runKdestroy(args: string[], env: Env = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      c: { type: 'string', short: 'c' },
      q: { type: 'boolean', short: 'q', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length > 0) {
    process.stderr.write(`spnego kdestroy: unexpected argument "${positionals[0]!}"\n${HELP}`);
    return 2;
  }
  let config: Krb5Config | undefined;
  if (values.c === undefined && env['KRB5CCNAME'] === undefined) {
    try {
      config = loadKrb5Config({ env });
    } catch {
      config = undefined;
    }
  }
  const name = ccacheNameFor(values.c, env, config);
  let destroyed: boolean;
  try {
    destroyed = destroyCcache(name);
  } catch (e) {
    if (e instanceof SpnegoError) throw e;
    throw new SpnegoError('FAILURE', `${e instanceof Error ? e.message : String(e)} while destroying cache`, { cause: e });
  }
  if (!destroyed && !values.q) process.stderr.write(`spnego kdestroy: No credentials cache found while destroying cache (filename: ${ccachePath(name)})\n`);
  return 0;
}
