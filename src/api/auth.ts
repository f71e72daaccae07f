import type { NextFunction, Request, Response } from 'express';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyResult } from 'jose';
import type { Config } from '../config.js';
import type { User } from '../generated/prisma/client.js';
import type { Db } from '../db/client.js';
import { userOf } from '../db/prepared-reads.js';
import { HttpProblem } from './problem.js';

// Bearer JWTs: HS256 with AUTH_JWT_SECRET (development, tests) or the issuer's JWKS (production). `sub` is
// users.auth_provider_id. A token must carry exp, iat and sub and be younger than AUTH_MAX_TOKEN_AGE_SECONDS.
// Operators are more than customers with a claim: `role: "operator"` opens /v1/admin only together with the
// operator audience (AUTH_OPERATOR_AUDIENCE), the allow-list (AUTH_OPERATOR_SUBJECTS) and the MFA claim
// (AUTH_OPERATOR_REQUIRE_MFA) that the deployment configures. The caller's users id is resolved here (CallerIds),
// so a route that reads the caller's rows filters them by `callerIdOf(req)` without another query; a route that
// decides on the caller's own row (KYC status, passcode) reads it fresh with `loadCaller`.

export interface TokenIdentity {
  subject: string;
  /** Issued for the customers' audience (or no audience is configured): may use the customer routes. */
  customer: boolean;
  operator: boolean;
  /** Why a token with the operator claim is still not an operator's (403 on /v1/admin). */
  operatorRefusal?: string;
}

export type TokenVerifier = (token: string) => Promise<TokenIdentity>;

const audiencesOf = (aud: unknown): string[] => (Array.isArray(aud) ? aud.map(String) : typeof aud === 'string' ? [aud] : []);

export function createTokenVerifier(config: Config, options: { jwksCooldownMs?: number } = {}): TokenVerifier {
  if (!config.AUTH_JWKS_URL && !config.AUTH_JWT_SECRET) throw new Error('AUTH_JWT_SECRET or AUTH_JWKS_URL is required');
  const operatorAudience = config.AUTH_OPERATOR_AUDIENCE;
  const audiences = [config.AUTH_AUDIENCE, operatorAudience].filter((a): a is string => Boolean(a));
  const verifyOptions = {
    issuer: config.AUTH_ISSUER,
    // Either audience passes verification; which one the token carries decides what it may do (below).
    audience: audiences.length > 0 ? audiences : undefined,
    requiredClaims: ['exp', 'iat', 'sub'],
    // Measured from iat: a long-lived or future-dated token is refused whatever its exp says.
    maxTokenAge: config.AUTH_MAX_TOKEN_AGE_SECONDS,
    // A shared secret must never verify an asymmetric token and vice versa (algorithm confusion).
    algorithms: config.AUTH_JWKS_URL ? ['RS256', 'PS256', 'ES256', 'EdDSA'] : ['HS256'],
  };
  let verifyJwt: (token: string) => Promise<JWTVerifyResult>;
  if (config.AUTH_JWKS_URL) {
    // An unknown kid refetches the set (a rotation), at most once per cooldown so a flood of made-up kids
    // cannot make us hammer the issuer.
    const keys = createRemoteJWKSet(new URL(config.AUTH_JWKS_URL), { cooldownDuration: options.jwksCooldownMs });
    verifyJwt = (token) => jwtVerify(token, keys, verifyOptions);
  } else {
    // Imported once: given the raw bytes, jose would import the key again for every request (bench/README.md).
    const secret = crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(config.AUTH_JWT_SECRET),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    verifyJwt = async (token) => jwtVerify(token, await secret, verifyOptions);
  }
  const verified = new VerifiedTokens(config.AUTH_VERIFIED_TOKEN_CACHE_SECONDS * 1000);
  return async (token) => {
    const known = verified.get(token);
    if (known) return known;
    const { payload } = await verifyJwt(token);
    if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 255) {
      throw new joseErrors.JWTClaimValidationFailed('sub must be a non-empty string', payload, 'sub', 'invalid');
    }
    const tokenAudiences = audiencesOf(payload.aud);
    const customer = !config.AUTH_AUDIENCE || tokenAudiences.includes(config.AUTH_AUDIENCE);
    let operatorRefusal: string | undefined;
    if (payload.role !== 'operator') operatorRefusal = 'This route is for operators';
    else if (operatorAudience && !tokenAudiences.includes(operatorAudience))
      operatorRefusal = 'An operator token must be issued for the operator audience';
    else if (config.AUTH_OPERATOR_SUBJECTS.length > 0 && !config.AUTH_OPERATOR_SUBJECTS.includes(payload.sub))
      operatorRefusal = 'This subject is not an operator';
    else if (config.AUTH_OPERATOR_REQUIRE_MFA && !audiencesOf(payload.amr).includes('mfa'))
      operatorRefusal = 'Operator routes need a login with a second factor (amr: mfa)';
    const identity = { subject: payload.sub, customer, operator: operatorRefusal === undefined, operatorRefusal };
    // Never past its exp, nor past iat + the maximum age: what jwtVerify would refuse next is not answered here.
    verified.set(token, identity, Math.min(payload.exp! * 1000, (payload.iat! + config.AUTH_MAX_TOKEN_AGE_SECONDS) * 1000));
    return identity;
  };
}

/**
 * Tokens this process verified, by their exact text, each until the earliest of its exp, its iat + the maximum
 * age and `ttlMs` from now. A signature check (WebCrypto; RSA or EC with a JWKS) costs more than the rest of a small
 * request, and an app sends the same token for many requests. Nothing here can accept what verification would not:
 * the entry holds only the outcome of verifying that exact string, the claims are fixed by the signature, and the
 * time limits are checked on every use; there is no revocation list to consult (tokens are stateless). A key
 * removed from the issuer's JWKS stops verifying new tokens at once and cached ones within `ttlMs` (jose's own JWKS
 * cache keeps a removed key up to 10 minutes anyway). Bounded: past `maxEntries` the oldest entry goes.
 */
class VerifiedTokens {
  private readonly entries = new Map<string, { identity: TokenIdentity; untilMs: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 50_000,
  ) {}

  get(token: string): TokenIdentity | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (Date.now() < entry.untilMs) return entry.identity;
    this.entries.delete(token);
    return undefined;
  }

  set(token: string, identity: TokenIdentity, validUntilMs: number): void {
    if (this.ttlMs === 0) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { identity, untilMs: Math.min(validUntilMs, Date.now() + this.ttlMs) });
  }
}

function unauthorized(detail: string): HttpProblem {
  return new HttpProblem(401, detail, { headers: { 'WWW-Authenticate': 'Bearer realm="fundflow"' } });
}

/**
 * Token subject -> users.id, remembered per process. An entry cannot go stale: a users row is never deleted and its
 * auth_provider_id never changes (nothing in the code does either; if one ever did, a stale id matches no row, so
 * it reads nothing and writes nothing: never another user's rows). Not remembered: a subject with no users row
 * yet (PUT /v1/me creates it, maybe in another process). Bounded: past `maxEntries` the oldest entry goes.
 */
export class CallerIds {
  private readonly ids = new Map<string, string>();

  constructor(
    private readonly db: Db,
    private readonly maxEntries = 100_000,
  ) {}

  async of(subject: string): Promise<string | undefined> {
    const known = this.ids.get(subject);
    if (known !== undefined) return known;
    const row = await this.db.user.findUnique({ where: { authProviderId: subject }, select: { id: true } });
    if (row) this.remember(subject, row.id);
    return row?.id;
  }

  remember(subject: string, id: string): void {
    if (this.ids.size >= this.maxEntries) this.ids.delete(this.ids.keys().next().value!);
    this.ids.set(subject, id);
  }
}

/** Verifies the bearer token and resolves the caller's users id (undefined before PUT /v1/me creates the row). */
export function authenticate(deps: { config: Config; db: Db; callerIds?: CallerIds }) {
  const verify = createTokenVerifier(deps.config);
  const callerIds = deps.callerIds ?? new CallerIds(deps.db);
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const match = /^Bearer ([^\s]+)$/i.exec(req.get('authorization') ?? '');
    if (!match) throw unauthorized('A bearer token is required');
    try {
      req.auth = await verify(match[1]!);
    } catch (error) {
      // The issuer's key set did not answer: not the caller's fault.
      if (error instanceof joseErrors.JWKSTimeout) throw new HttpProblem(503, 'The token issuer did not answer in time');
      if (error instanceof joseErrors.JOSEError) throw unauthorized('The bearer token is invalid or expired');
      throw error;
    }
    // An operator-only token (the operator audience, not the customers') opens /v1/admin and nothing else.
    if (!req.auth.customer && !req.path.startsWith('/admin/')) {
      throw new HttpProblem(403, 'This token is not issued for customer routes');
    }
    req.callerId = await callerIds.of(req.auth.subject);
    next();
  };
}

/** Guards /v1/admin: a valid token that is not an operator's (claim, audience, allow-list, MFA) is 403. */
export function requireOperator(req: Request, _res: Response, next: NextFunction): void {
  if (!req.auth?.operator) throw new HttpProblem(403, req.auth?.operatorRefusal ?? 'This route is for operators');
  next();
}

const unregistered = () =>
  new HttpProblem(404, 'No user exists for this token yet: create it with PUT /v1/me', { title: 'User not registered' });

/**
 * The caller's users id. Every route except PUT /v1/me needs it: a valid token whose user was never created
 * answers 404 (the token is fine; the user resource does not exist yet).
 */
export function callerIdOf(req: Request): string {
  if (req.callerId === undefined) throw unregistered();
  return req.callerId;
}

/** The caller's users row as it is now, for a route that decides on it (KYC status, passcode). */
export async function loadCaller(db: Db, req: Request): Promise<User> {
  const user = await userOf(db, callerIdOf(req));
  if (!user) throw unregistered();
  return user;
}
