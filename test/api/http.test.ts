import { Client, Connection } from '@temporalio/client';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { startInternalServer } from '../../src/api/internal.js';
import { createDb } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { freePort } from '../../scripts/lib/tools.js';
import { registerUser, startApi, testConfig, uniqueSubject, type Api } from './harness.js';

// The API's conventions that hold for every route: health, problem+json errors, authentication and the
// operator guard, request ids.

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

function expectProblem(reply: { status: number; headers: Headers; body: any }, status: number): void {
  expect(reply.status).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
}

/** The API's internal listener (/metrics, readiness details) over the same dependencies, on a free port. */
async function internalListener(deps: Parameters<typeof startInternalServer>[1]) {
  const server = await startInternalServer({ HTTP_HOST: '127.0.0.1', API_INTERNAL_PORT: 0 }, deps, createLogger('silent', 'internal-test'));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('health', () => {
  it('is alive and ready when PostgreSQL and Temporal answer; only the internal listener names the dependencies', async () => {
    expect((await api.request('GET', '/healthz')).status).toBe(200);
    const ready = await api.request('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });
    const internal = await internalListener({ db: api.db, temporal: api.temporal });
    try {
      const detailed = (await (await fetch(`${internal.url}/readyz`)).json()) as { checks: Record<string, string> };
      expect(detailed.checks).toEqual({ postgres: 'ok', temporal: 'ok' });
    } finally {
      await internal.close();
    }
  });

  it('is not ready while Temporal does not answer, and the internal listener says which dependency is down', async () => {
    const config = testConfig({ TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` });
    const db = createDb(config.DATABASE_URL, 1);
    const connection = Connection.lazy({ address: config.TEMPORAL_ADDRESS });
    const temporal = new Client({ connection });
    const app = createApp({ config, db, temporal, logger: createLogger('silent', 'api-test') });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const internal = await internalListener({ db, temporal });
    try {
      const { port } = server.address() as { port: number };
      const reply = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(reply.status).toBe(503);
      expect(await reply.json()).toEqual({ status: 'not ready' });
      const detailed = await fetch(`${internal.url}/readyz`);
      expect(detailed.status).toBe(503);
      const body = (await detailed.json()) as { checks: Record<string, string> };
      expect(body.checks.postgres).toBe('ok');
      // The RPC itself gave up (its deadline), so no retry of it is left running once the connection closes.
      expect(body.checks.temporal).toMatch(/DEADLINE_EXCEEDED/);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      server.close();
      await internal.close();
      await connection.close();
      await db.$disconnect();
    }
  });

  it('serves Prometheus metrics on the internal listener only, with the request latency histogram', async () => {
    await api.request('GET', '/healthz');
    expect((await api.request('GET', '/metrics')).status).toBe(404);
    const internal = await internalListener({ db: api.db, temporal: api.temporal });
    try {
      const reply = await fetch(`${internal.url}/metrics`);
      expect(reply.status).toBe(200);
      expect(await reply.text()).toContain('fundflow_http_request_duration_seconds_bucket');
    } finally {
      await internal.close();
    }
  });
});

describe('errors', () => {
  it('answers an unknown route with a 404 problem', async () => {
    expectProblem(await api.request('GET', '/nowhere'), 404);
    expectProblem(await api.request('GET', '/v1/nowhere', { as: uniqueSubject('nobody') }), 404);
  });

  it('answers malformed JSON with a 400 problem, never a 500', async () => {
    const reply = await api.request('PUT', '/v1/me', { as: uniqueSubject('broken'), raw: '{"email": ' });
    expectProblem(reply, 400);
    expect(reply.body.title).toBe('Malformed JSON');
  });

  it('lists every invalid field of a request', async () => {
    const subject = uniqueSubject('invalid');
    await registerUser(api, subject);
    const reply = await api.request('PUT', '/v1/me', {
      as: subject,
      body: { email: 'not-an-email', phoneNumber: '12', nickname: 'x' },
    });
    expectProblem(reply, 400);
    const paths = reply.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.email', 'body.phoneNumber']));
    expect(reply.body.errors.every((e: { message: unknown }) => typeof e.message === 'string')).toBe(true);
  });
});

describe('authentication', () => {
  it('refuses a request without a token with 401 and a Bearer challenge', async () => {
    const reply = await api.request('GET', '/v1/me');
    expectProblem(reply, 401);
    expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('refuses tokens signed with another secret, expired, or without a subject', async () => {
    const sign = (secret: string, build: (jwt: SignJWT) => SignJWT) =>
      build(new SignJWT({}).setProtectedHeader({ alg: 'HS256' })).sign(new TextEncoder().encode(secret));
    const forged = await sign('another-secret', (j) => j.setSubject('mallory').setExpirationTime('1h'));
    const expired = await sign(api.config.AUTH_JWT_SECRET!, (j) =>
      j.setSubject('late').setExpirationTime(Math.floor(Date.now() / 1000) - 60),
    );
    const anonymous = await sign(api.config.AUTH_JWT_SECRET!, (j) => j.setExpirationTime('1h'));
    for (const token of [forged, expired, anonymous, 'not-a-jwt']) {
      expectProblem(await api.request('GET', '/v1/me', { headers: { authorization: `Bearer ${token}` } }), 401);
    }
  });

  it('answers 404 to a valid token whose user was never created, until PUT /v1/me creates it', async () => {
    const subject = uniqueSubject('newcomer');
    const before = await api.request('GET', '/v1/me', { as: subject });
    expectProblem(before, 404);
    await registerUser(api, subject);
    expect((await api.request('GET', '/v1/me', { as: subject })).status).toBe(200);
  });

  it('keeps operator routes from users: 403 with a user token', async () => {
    const subject = uniqueSubject('curious');
    const userId = await registerUser(api, subject);
    const reply = await api.request('POST', `/v1/admin/users/${userId}/kyc-decision`, {
      as: subject,
      body: { decision: 'approved' },
    });
    expectProblem(reply, 403);
    expect((await api.db.user.findUniqueOrThrow({ where: { id: userId } })).kycStatus).toBe('not_started');
  });

  it('checks issuer and audience when they are configured', async () => {
    const strict = await startApi({ config: testConfig({ AUTH_ISSUER: 'https://id.fundflow.test', AUTH_AUDIENCE: 'fundflow-api' }) });
    try {
      const subject = uniqueSubject('audience');
      expect((await strict.request('PUT', '/v1/me', { as: subject })).status).toBe(201);
      const untargeted = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(subject)
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(strict.config.AUTH_JWT_SECRET!));
      expectProblem(await strict.request('GET', '/v1/me', { headers: { authorization: `Bearer ${untargeted}` } }), 401);
    } finally {
      await strict.close();
    }
  });
});

describe('request ids', () => {
  it('echoes the caller X-Request-Id, or makes one', async () => {
    const given = await api.request('GET', '/healthz', { headers: { 'x-request-id': 'trace-42' } });
    expect(given.headers.get('x-request-id')).toBe('trace-42');
    const made = await api.request('GET', '/healthz');
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('security headers', () => {
  it('come on every response: health, errors, documents, the API', async () => {
    const subject = uniqueSubject('headers');
    for (const reply of [
      await api.request('GET', '/healthz'),
      await api.request('GET', '/nope'),
      await api.request('GET', '/openapi.json'),
      await api.request('GET', '/v1/me'),
      await api.request('GET', '/v1/me', { as: subject }),
    ]) {
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
      expect(reply.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(reply.headers.get('content-security-policy')).toMatch(/default-src 'none'|frame-ancestors 'none'/);
      expect(reply.headers.get('x-frame-options')).toBe('DENY');
      expect(reply.headers.get('referrer-policy')).toBe('no-referrer');
      expect(reply.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('forbid caching of anything under /v1, answers and errors alike', async () => {
    const subject = uniqueSubject('nocache');
    await registerUser(api, subject);
    for (const reply of [
      await api.request('GET', '/v1/me', { as: subject }),
      await api.request('GET', '/v1/me'),
      await api.request('GET', '/v1/withdrawals/not-an-id', { as: subject }),
    ]) {
      expect(reply.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('still let the reference page load its own scripts, from this origin only (test/api/docs.test.ts)', async () => {
    const reply = await api.request('GET', '/docs');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-security-policy')).toMatch(/script-src 'self';/);
  });
});
