import { SignJWT } from 'jose';
import type { Config } from '../config.js';

// Tokens for development and tests, signed with AUTH_JWT_SECRET the way the API verifies them (auth.ts): exp,
// iat and sub always; an operator's carries the operator audience when one is configured and `amr: ["mfa"]`, as an
// identity provider's would after a second factor. Production tokens come from the identity provider, never here.

export async function signDevToken(
  config: Config,
  claims: { subject: string; operator?: boolean; expiresIn?: string; mfa?: boolean },
): Promise<string> {
  if (!config.AUTH_JWT_SECRET) throw new Error('signing a development token needs AUTH_JWT_SECRET');
  const operator = claims.operator ?? false;
  const payload = operator ? { role: 'operator', ...((claims.mfa ?? true) ? { amr: ['mfa'] } : {}) } : {};
  let jwt = new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.subject)
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '12h');
  if (config.AUTH_ISSUER) jwt = jwt.setIssuer(config.AUTH_ISSUER);
  const audience = operator && config.AUTH_OPERATOR_AUDIENCE ? config.AUTH_OPERATOR_AUDIENCE : config.AUTH_AUDIENCE;
  if (audience) jwt = jwt.setAudience(audience);
  return jwt.sign(new TextEncoder().encode(config.AUTH_JWT_SECRET));
}
