import type { NextFunction, Request, Response } from 'express';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyResult } from 'jose';
import type { Config } from '../config.js';
import type { User } from '../generated/prisma/client.js';
import type { Db } from '../db/client.js';
import { HttpProblem } from './problem.js';

// Bearer JWTs: HS256 with AUTH_JWT_SECRET (development, tests) or the issuer's JWKS (production). `sub` is
// users.auth_provider_id; the claim `role: "operator"` opens /v1/admin. The caller's users row is read once here,
// so every route sees `req.caller` without another query.

export type TokenVerifier = (token: string) => Promise<{ subject: string; operator: boolean }>;

export function createTokenVerifier(config: Config): TokenVerifier {
  if (!config.AUTH_JWKS_URL && !config.AUTH_JWT_SECRET) throw new Error('AUTH_JWT_SECRET or AUTH_JWKS_URL is required');
  const options = {
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    // A shared secret must never verify an asymmetric token and vice versa (algorithm confusion).
    algorithms: config.AUTH_JWKS_URL ? ['RS256', 'PS256', 'ES256', 'EdDSA'] : ['HS256'],
  };
  let verifyJwt: (token: string) => Promise<JWTVerifyResult>;
  if (config.AUTH_JWKS_URL) {
    const keys = createRemoteJWKSet(new URL(config.AUTH_JWKS_URL));
    verifyJwt = (token) => jwtVerify(token, keys, options);
  } else {
    // Imported once: given the raw bytes, jose would import the key again for every request (bench/README.md).
    const secret = crypto.subtle.importKey('raw', new TextEncoder().encode(config.AUTH_JWT_SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    verifyJwt = async (token) => jwtVerify(token, await secret, options);
  }
  return async (token) => {
    const { payload } = await verifyJwt(token);
    if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 255) {
      throw new joseErrors.JWTClaimValidationFailed('sub must be a non-empty string', payload, 'sub', 'invalid');
    }
    return { subject: payload.sub, operator: payload.role === 'operator' };
  };
}

function unauthorized(detail: string): HttpProblem {
  return new HttpProblem(401, detail, { headers: { 'WWW-Authenticate': 'Bearer realm="fundflow"' } });
}

/** Verifies the bearer token and resolves the caller's users row (null before PUT /v1/me creates it). */
export function authenticate(deps: { config: Config; db: Db }) {
  const verify = createTokenVerifier(deps.config);
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
    req.caller = await deps.db.user.findUnique({ where: { authProviderId: req.auth.subject } });
    next();
  };
}

/** Guards /v1/admin: a valid token without `role: "operator"` is 403. */
export function requireOperator(req: Request, _res: Response, next: NextFunction): void {
  if (!req.auth?.operator) throw new HttpProblem(403, 'This route is for operators');
  next();
}

/**
 * The caller's users row. Every route except PUT /v1/me needs it: a valid token whose user was never created
 * answers 404 (the token is fine; the user resource does not exist yet).
 */
export function callerOf(req: Request): User {
  if (!req.caller) {
    throw new HttpProblem(404, 'No user exists for this token yet: create it with PUT /v1/me', {
      title: 'User not registered',
    });
  }
  return req.caller;
}
