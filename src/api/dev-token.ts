import { SignJWT } from 'jose';
import type { Config } from '../config.js';

// Tokens for development and tests, signed with AUTH_JWT_SECRET the way the API verifies them (auth.ts).
// Production tokens come from the identity provider, never from here.

export async function signDevToken(
  config: Config,
  claims: { subject: string; operator?: boolean; expiresIn?: string },
): Promise<string> {
  if (!config.AUTH_JWT_SECRET) throw new Error('signing a development token needs AUTH_JWT_SECRET');
  let jwt = new SignJWT(claims.operator ? { role: 'operator' } : {})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.subject)
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '12h');
  if (config.AUTH_ISSUER) jwt = jwt.setIssuer(config.AUTH_ISSUER);
  if (config.AUTH_AUDIENCE) jwt = jwt.setAudience(config.AUTH_AUDIENCE);
  return jwt.sign(new TextEncoder().encode(config.AUTH_JWT_SECRET));
}
