// Thin adapters over the authenticator for node:http, Express/Connect, Fastify and Passport.
// None imports its framework: each works by the shape of the objects it is handed.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  createNegotiateAuthenticator,
  type NegotiateAuthenticator,
  type NegotiateAuthenticatorOptions,
  type NegotiateIdentity,
  type NegotiateResult,
} from './authenticator.js';

export type AuthenticatorOrOptions = NegotiateAuthenticator | NegotiateAuthenticatorOptions;

function toAuthenticator(a: AuthenticatorOrOptions): NegotiateAuthenticator {
  return typeof (a as NegotiateAuthenticator).authenticate === 'function' ? (a as NegotiateAuthenticator) : createNegotiateAuthenticator(a as NegotiateAuthenticatorOptions);
}

/** A request that went through an adapter: the identity is on `negotiate`. */
export type NegotiateIncomingMessage = IncomingMessage & { negotiate: NegotiateIdentity };

/** The minimal response shape node:http, Express and Connect share. */
interface NodeResponseLike {
  statusCode: number;
  setHeader(name: string, value: string | string[]): unknown;
  end(body?: string): unknown;
  headersSent?: boolean;
}

function refuseNode(res: NodeResponseLike, r: NegotiateResult): void {
  if (res.headersSent) return;
  res.statusCode = r.status;
  for (const [k, v] of Object.entries(r.headers)) res.setHeader(k, v);
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(r.status === 400 ? 'Bad Request\n' : 'Unauthorized\n');
}

function accept(res: NodeResponseLike, r: NegotiateResult): void {
  for (const [k, v] of Object.entries(r.headers)) res.setHeader(k, v);
}

/**
 * A node:http request listener that authenticates, then calls `handler` with `req.negotiate` set:
 * `http.createServer(negotiateHandler({ credential: { ntlmUsers } }, (req, res) => ...))`.
 * Refused requests get 401/400 without reaching the handler.
 */
export function negotiateHandler(
  opts: AuthenticatorOrOptions,
  handler: (req: NegotiateIncomingMessage, res: ServerResponse) => unknown,
): (req: IncomingMessage, res: ServerResponse) => void {
  const auth = toAuthenticator(opts);
  return (req, res) => {
    auth
      .authenticate(req)
      .then(async (r) => {
        if (r.status !== 200 || !r.identity) return refuseNode(res, r);
        accept(res, r);
        (req as NegotiateIncomingMessage).negotiate = r.identity;
        await handler(req as NegotiateIncomingMessage, res);
      })
      .catch(() => {
        if (!res.headersSent) {
          res.statusCode = 500;
          res.end();
        } else res.destroy();
      });
  };
}

/** Express/Connect middleware: `app.use(negotiateMiddleware(opts))`, then `req.negotiate`. */
export function negotiateMiddleware(opts: AuthenticatorOrOptions): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void {
  const auth = toAuthenticator(opts);
  return (req, res, next) => {
    auth.authenticate(req).then(
      (r) => {
        if (r.status !== 200 || !r.identity) return refuseNode(res, r);
        accept(res, r);
        (req as NegotiateIncomingMessage).negotiate = r.identity;
        next();
      },
      (e: unknown) => next(e),
    );
  };
}

/** The parts of a Fastify instance, request and reply the plugin uses. */
interface FastifyLike {
  decorateRequest(name: string, value: unknown): unknown;
  addHook(name: 'onRequest', hook: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>): unknown;
}
interface FastifyRequestLike {
  raw: IncomingMessage;
  negotiate?: NegotiateIdentity | null;
}
interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  header(name: string, value: string | string[]): FastifyReplyLike;
  send(body?: unknown): unknown;
}

export type FastifyNegotiatePlugin = ((fastify: FastifyLike, opts: AuthenticatorOrOptions, done: (err?: Error) => void) => void) & {
  [k: symbol]: unknown;
};

/**
 * A Fastify plugin: `fastify.register(negotiateFastify, { credential: { ntlmUsers } })`; an
 * onRequest hook authenticates every route of the instance it is registered on (it is not
 * encapsulated, like fastify-plugin's skip-override) and sets `request.negotiate`.
 */
export const negotiateFastify: FastifyNegotiatePlugin = Object.assign(
  (fastify: FastifyLike, opts: AuthenticatorOrOptions, done: (err?: Error) => void) => {
    try {
      const auth = toAuthenticator(opts);
      fastify.decorateRequest('negotiate', null);
      fastify.addHook('onRequest', async (request, reply) => {
        const r = await auth.authenticate(request.raw);
        if (r.status !== 200 || !r.identity) {
          reply.code(r.status);
          for (const [k, v] of Object.entries(r.headers)) reply.header(k, v);
          reply.header('Content-Type', 'text/plain; charset=utf-8');
          return reply.send(r.status === 400 ? 'Bad Request\n' : 'Unauthorized\n');
        }
        for (const [k, v] of Object.entries(r.headers)) reply.header(k, v);
        request.negotiate = r.identity;
        return undefined;
      });
      done();
    } catch (e) {
      done(e instanceof Error ? e : new Error(String(e)));
    }
  },
  { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'spnego-negotiate' },
);

export interface NegotiateStrategyOptions extends NegotiateAuthenticatorOptions {
  /** The strategy name for passport.use/authenticate (default `negotiate`). */
  readonly name?: string;
}

export type NegotiateVerify = (identity: NegotiateIdentity, done: (err: unknown, user?: unknown, info?: unknown) => void) => void;

/**
 * A Passport strategy: `passport.use(new NegotiateStrategy(opts, verify?))`, then
 * `passport.authenticate('negotiate', { session: false })`. success(user) with the identity (or
 * what `verify` makes of it); fail('Negotiate', 401) so Passport sends the challenge; on the 200
 * the final token is set on `req.res` (Express) before success().
 * Passport augments the instance with success/fail/error (Object.create), so the class needs
 * neither passport nor passport-strategy.
 */
export class NegotiateStrategy {
  readonly name: string;
  private readonly auth: NegotiateAuthenticator;
  // Supplied by Passport on the per-request copy.
  declare success: (user: unknown, info?: unknown) => void;
  declare fail: (challenge?: string | number, status?: number) => void;
  declare error: (err: unknown) => void;

  constructor(opts: NegotiateStrategyOptions | NegotiateAuthenticator = {}, private readonly verify?: NegotiateVerify) {
    this.name = (opts as NegotiateStrategyOptions).name ?? 'negotiate';
    this.auth = toAuthenticator(opts);
  }

  authenticate(req: IncomingMessage & { res?: NodeResponseLike }): void {
    this.auth.authenticate(req).then(
      (r) => {
        if (r.status !== 200 || !r.identity) {
          const challenge = r.headers['WWW-Authenticate'];
          if (r.status === 400) return this.fail(400);
          // Passport keeps string challenges only, and sends them all in WWW-Authenticate.
          return challenge ? this.fail(Array.isArray(challenge) ? challenge.join(', ') : challenge, 401) : this.fail(401);
        }
        const identity = r.identity;
        // The final token goes out with a success only: a 401 from `verify` must invite the client
        // to authenticate again (RFC 4559 5), not carry "accept-completed".
        const succeed = (user: unknown, info?: unknown) => {
          if (req.res) accept(req.res, r);
          this.success(user, info);
        };
        if (!this.verify) return succeed(identity);
        try {
          this.verify(identity, (err, user, info) => {
            if (err) return this.error(err);
            if (!user) return this.fail('Negotiate', 401);
            return succeed(user, info);
          });
        } catch (e) {
          this.error(e);
        }
      },
      (e: unknown) => this.error(e),
    );
  }
}
