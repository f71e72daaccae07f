import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, errors as joseErrors, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../../src/api/auth.js';
import { signDevToken } from '../../src/api/dev-token.js';
import { startApi, testConfig, uniqueSubject, type Api } from '../api/harness.js';

// Tokens carry exp, iat and sub and are refused past a maximum age; the JWKS path follows key rotation and
// refuses unknown key ids and keys of the wrong type; operators need more than a claim.

const now = () => Math.floor(Date.now() / 1000);
const hs256 = (secret: string, claims: Record<string, unknown>, build: (jwt: SignJWT) => SignJWT = (j) => j) =>
  build(new SignJWT(claims).setProtectedHeader({ alg: 'HS256' })).sign(new TextEncoder().encode(secret));
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe('token claims', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi({ config: testConfig({ AUTH_MAX_TOKEN_AGE_SECONDS: '600' }) });
  });
  afterAll(() => api?.close());
  const secret = () => api.config.AUTH_JWT_SECRET!;

  it('accepts a token with exp, iat and sub (the dev tokens carry all three)', async () => {
    const token = await api.token(uniqueSubject('fresh'));
    expect(decodeJwt(token)).toMatchObject({ exp: expect.any(Number), iat: expect.any(Number), sub: expect.any(String) });
    expect((await api.request('GET', '/v1/me', bearer(token))).status).toBe(404); // valid token, no user yet
  });

  it('refuses a token without exp or without iat', async () => {
    const noExp = await hs256(secret(), {}, (j) => j.setSubject('no-exp').setIssuedAt());
    const noIat = await hs256(secret(), {}, (j) => j.setSubject('no-iat').setExpirationTime('1h'));
    for (const token of [noExp, noIat]) expect((await api.request('GET', '/v1/me', bearer(token))).status).toBe(401);
  });

  it('refuses a token issued longer ago than AUTH_MAX_TOKEN_AGE_SECONDS, whatever its exp says', async () => {
    const old = await hs256(secret(), {}, (j) =>
      j
        .setSubject('old')
        .setIssuedAt(now() - 601)
        .setExpirationTime('1h'),
    );
    const future = await hs256(secret(), {}, (j) =>
      j
        .setSubject('early')
        .setIssuedAt(now() + 3600)
        .setExpirationTime('2h'),
    );
    for (const token of [old, future]) expect((await api.request('GET', '/v1/me', bearer(token))).status).toBe(401);
    const recent = await hs256(secret(), {}, (j) =>
      j
        .setSubject(uniqueSubject('recent'))
        .setIssuedAt(now() - 500)
        .setExpirationTime('1h'),
    );
    expect((await api.request('GET', '/v1/me', bearer(recent))).status).toBe(404);
  });
});

describe('the JWKS path', () => {
  // The issuer's key set, served over HTTP like an identity provider's; `keys` is what it publishes now.
  let keys: JWK[] = [];
  let fetches = 0;
  let server: Server;
  let jwksUrl: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise((resolve) => server?.close(resolve)));

  async function issuerKey(kid: string, alg: 'RS256' | 'ES256' = 'RS256') {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    const sign = (subject: string, header: Record<string, string> = {}) =>
      new SignJWT({})
        .setProtectedHeader({ alg, kid, ...header })
        .setSubject(subject)
        .setIssuedAt()
        .setExpirationTime('1h')
        .setIssuer('https://id.fundflow.test/')
        .setAudience('fundflow-api')
        .sign(privateKey);
    return { jwk, sign, privateKey };
  }
  const jwksConfig = () =>
    testConfig({ AUTH_JWT_SECRET: '', AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: 'https://id.fundflow.test/', AUTH_AUDIENCE: 'fundflow-api' });

  it('verifies a token by its kid, and follows a rotation to a new key id', async () => {
    const first = await issuerKey('2026-01');
    const second = await issuerKey('2026-02');
    keys = [first.jwk];
    const verify = createTokenVerifier(jwksConfig(), { jwksCooldownMs: 0 });
    expect(await verify(await first.sign('before-rotation'))).toMatchObject({ subject: 'before-rotation' });

    keys = [second.jwk]; // the issuer rotated: the old key is withdrawn
    const fetched = fetches;
    expect(await verify(await second.sign('after-rotation'))).toMatchObject({ subject: 'after-rotation' });
    expect(fetches).toBe(fetched + 1); // the unknown kid made the verifier fetch the set again
    await expect(verify(await first.sign('withdrawn-key'))).rejects.toBeInstanceOf(joseErrors.JWKSNoMatchingKey);
  });

  it('answers 401 to a token whose kid the issuer does not publish', async () => {
    const published = await issuerKey('published');
    const stranger = await issuerKey('stranger');
    keys = [published.jwk];
    const api = await startApi({ config: jwksConfig() });
    try {
      const subject = uniqueSubject('jwks');
      expect((await api.request('PUT', '/v1/me', bearer(await published.sign(subject)))).status).toBe(201);
      const reply = await api.request('GET', '/v1/me', bearer(await stranger.sign(subject)));
      expect(reply.status).toBe(401);
      expect(reply.headers.get('content-type')).toMatch(/application\/problem\+json/);
    } finally {
      await api.close();
    }
  });

  it('answers 401 to a token whose kid names a key of the wrong type, or that is signed with the shared-secret algorithm', async () => {
    const ec = await issuerKey('ec-key', 'ES256');
    const rsa = await issuerKey('rsa-key', 'RS256');
    keys = [ec.jwk];
    const api = await startApi({ config: jwksConfig() });
    try {
      // An RSA signature presented under the kid of an EC key.
      const wrongType = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', kid: 'ec-key' })
        .setSubject('mallory')
        .setIssuedAt()
        .setExpirationTime('1h')
        .setIssuer('https://id.fundflow.test/')
        .setAudience('fundflow-api')
        .sign(rsa.privateKey);
      // HS256 keyed with the public key's bytes: the classic algorithm-confusion forgery.
      const confused = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', kid: 'ec-key' })
        .setSubject('mallory')
        .setIssuedAt()
        .setExpirationTime('1h')
        .setIssuer('https://id.fundflow.test/')
        .setAudience('fundflow-api')
        .sign(new TextEncoder().encode(JSON.stringify(ec.jwk)));
      for (const token of [wrongType, confused]) expect((await api.request('GET', '/v1/me', bearer(token))).status).toBe(401);
      expect((await api.request('GET', '/v1/me', bearer(await ec.sign(uniqueSubject('ec'))))).status).toBe(404);
    } finally {
      await api.close();
    }
  });
});

describe('operators', () => {
  const audiences = { AUTH_AUDIENCE: 'fundflow-api', AUTH_OPERATOR_AUDIENCE: 'fundflow-operators' };
  const adminRoute = '/v1/admin/inbound-transfers';

  it('need a token for the operator audience: a customer token with role "operator" is refused', async () => {
    const api = await startApi({ config: testConfig(audiences) });
    try {
      const secret = api.config.AUTH_JWT_SECRET!;
      const claimOnly = await hs256(secret, { role: 'operator' }, (j) =>
        j.setSubject('ops').setIssuedAt().setExpirationTime('1h').setAudience('fundflow-api'),
      );
      expect((await api.request('GET', adminRoute, bearer(claimOnly))).status).toBe(403);
      const operator = await api.token('ops', { operator: true });
      expect(decodeJwt(operator).aud).toBe('fundflow-operators');
      expect((await api.request('GET', adminRoute, bearer(operator))).status).toBe(200);
      // An operator's token is not a customer's: it opens no customer route.
      expect((await api.request('PUT', '/v1/me', bearer(operator))).status).toBe(403);
      expect(await api.db.user.count({ where: { authProviderId: 'ops' } })).toBe(0);
    } finally {
      await api.close();
    }
  });

  it('can be limited to an allow-list of subjects', async () => {
    const api = await startApi({ config: testConfig({ AUTH_OPERATOR_SUBJECTS: 'ops-alice, ops-bob' }) });
    try {
      expect((await api.request('GET', adminRoute, { as: 'ops-mallory', operator: true })).status).toBe(403);
      expect((await api.request('GET', adminRoute, { as: 'ops-bob', operator: true })).status).toBe(200);
    } finally {
      await api.close();
    }
  });

  it('need an MFA claim (amr contains "mfa") when AUTH_OPERATOR_REQUIRE_MFA is set', async () => {
    const api = await startApi({ config: testConfig({ AUTH_OPERATOR_REQUIRE_MFA: 'true' }) });
    try {
      const secret = api.config.AUTH_JWT_SECRET!;
      const sign = (amr?: string[]) =>
        hs256(secret, { role: 'operator', ...(amr ? { amr } : {}) }, (j) => j.setSubject('ops').setIssuedAt().setExpirationTime('1h'));
      for (const amr of [undefined, ['pwd'], ['pwd', 'otp-but-not-mfa']]) {
        const reply = await api.request('GET', adminRoute, bearer(await sign(amr)));
        expect(reply.status, JSON.stringify(amr)).toBe(403);
      }
      expect((await api.request('GET', adminRoute, bearer(await sign(['pwd', 'mfa'])))).status).toBe(200);
    } finally {
      await api.close();
    }
  });
});

describe('development tokens', () => {
  it('carry exp, iat and sub, and an operator one the operator audience and an MFA claim', async () => {
    const config = testConfig({ AUTH_AUDIENCE: 'fundflow-api', AUTH_OPERATOR_AUDIENCE: 'fundflow-operators' });
    expect(decodeJwt(await signDevToken(config, { subject: 'alice' }))).toMatchObject({
      sub: 'alice',
      aud: 'fundflow-api',
      exp: expect.any(Number),
      iat: expect.any(Number),
    });
    expect(decodeJwt(await signDevToken(config, { subject: 'ops', operator: true }))).toMatchObject({
      role: 'operator',
      aud: 'fundflow-operators',
      amr: ['mfa'],
    });
  });
});
