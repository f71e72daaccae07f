import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateLimitsEnabled } from '../../src/api/rate-limit.js';
import { registerUser, startApi, testConfig, uniqueSubject, type Api, type Reply } from '../api/harness.js';

// Abuse limits: every client address and every user (token subject) has a bucket of requests per window, and
// withdrawals, deposit reports and the Circle webhook have stricter ones. The counts live in PostgreSQL, so
// every API process shares them. A limited request is 429 problem+json with Retry-After.

const limits = {
  RATE_LIMIT_ENABLED: 'true',
  RATE_LIMIT_WINDOW_SECONDS: '60',
  RATE_LIMIT_PER_ADDRESS: '4',
  RATE_LIMIT_PER_USER: '5',
  RATE_LIMIT_WITHDRAWALS_PER_USER: '2',
  RATE_LIMIT_DEPOSIT_REPORTS_PER_USER: '2',
  RATE_LIMIT_WEBHOOK_PER_ADDRESS: '2',
  RATE_LIMIT_PASSCODE_CHECKS_PER_USER: '2',
  // Right passcodes only below; no backoff between a user's tries, so a 429 here is the bucket's.
  PASSCODE_BACKOFF_SECONDS: '0',
  // The tests speak for many clients through X-Forwarded-For, as a load balancer in front of the API would.
  API_TRUST_PROXY: '1',
};

let api: Api;
let twin: Api; // a second API process over the same database
let unlimited: Api; // the test defaults: limits off outside production
beforeAll(async () => {
  [api, twin, unlimited] = await Promise.all([
    startApi({ config: testConfig(limits) }),
    startApi({ config: testConfig(limits) }),
    startApi({ config: testConfig({ RATE_LIMIT_PER_USER: '1', RATE_LIMIT_PER_ADDRESS: '1' }) }),
  ]);
});
afterAll(() => Promise.all([api?.close(), twin?.close(), unlimited?.close()]));

/** A client address no other request of the run uses, so address buckets do not mix between tests. */
const newAddress = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
/** Each request from a fresh address: only the user's bucket counts. */
const asUser = (as: string, extra: Record<string, unknown> = {}) => ({ as, ...extra, headers: { 'x-forwarded-for': newAddress() } });

/** PUT /v1/me from a fresh address: the registration spends the user's bucket only. */
async function register(on: Api, subject: string) {
  expect((await on.request('PUT', '/v1/me', asUser(subject, { body: {} }))).status).toBe(201);
}

function expectLimited(reply: Reply) {
  expect(reply.status).toBe(429);
  expect(reply.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(reply.body).toMatchObject({ status: 429, title: 'Too many requests', type: '/problems/too-many-requests' });
  const retryAfter = Number(reply.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

describe('rate limits', () => {
  it('a burst over the user’s bucket gets 429 with Retry-After; another user is not limited', async () => {
    const subject = uniqueSubject('burst');
    await register(api, subject); // 1 of 5
    for (let i = 0; i < 4; i++) expect((await api.request('GET', '/v1/balances', asUser(subject))).status).toBe(200);
    const limited = await api.request('GET', '/v1/balances', asUser(subject));
    expectLimited(limited);
    expect(limited.body.detail).toMatch(/this user/);

    const other = uniqueSubject('bystander');
    await register(api, other);
    expect((await api.request('GET', '/v1/balances', asUser(other))).status).toBe(200);
  });

  it('counts every address before any token is checked, and other addresses keep theirs', async () => {
    const address = newAddress();
    for (let i = 0; i < 4; i++) {
      expect((await api.request('GET', '/v1/me', { headers: { 'x-forwarded-for': address } })).status).toBe(401);
    }
    const limited = await api.request('GET', '/v1/me', { headers: { 'x-forwarded-for': address } });
    expectLimited(limited);
    expect(limited.body.detail).toMatch(/this address/);
    expect((await api.request('GET', '/v1/me', { headers: { 'x-forwarded-for': newAddress() } })).status).toBe(401);
  });

  it('withdrawals have a stricter bucket per user than the rest of the API', async () => {
    const subject = uniqueSubject('withdrawer');
    await register(api, subject);
    const body = {
      amountUsd: '10.00',
      targetChain: 'ethereum',
      targetAddress: '0x52908400098527886E0F7030069857D2E4169EE7',
      passcode: '424242',
    };
    for (let i = 0; i < 2; i++) expect((await api.request('POST', '/v1/withdrawals', asUser(subject, { body }))).status).toBe(403);
    expectLimited(await api.request('POST', '/v1/withdrawals', asUser(subject, { body })));
    expect((await api.request('GET', '/v1/balances', asUser(subject))).status).toBe(200);
  });

  it('passcode checks have a bucket of their own per user, shared by withdrawals and passcode changes', async () => {
    const subject = uniqueSubject('guesser');
    await register(api, subject); // user bucket: 1 of 5
    const setPasscode = (body: Record<string, string>) => api.request('PUT', '/v1/me/passcode', asUser(subject, { body }));
    // Setting the first passcode checks none: not counted.
    expect((await setPasscode({ passcode: '111111' })).status).toBe(204);
    // Two checks of the right passcode, on two routes (the withdrawal stops at the change's hold, after the check).
    expect((await setPasscode({ currentPasscode: '111111', passcode: '222222' })).status).toBe(204);
    const body = {
      amountUsd: '10.00',
      targetChain: 'ethereum',
      targetAddress: '0x52908400098527886E0F7030069857D2E4169EE7',
      passcode: '222222',
    };
    const held = await api.request('POST', '/v1/withdrawals', asUser(subject, { body }));
    expect(held.status).toBe(403);
    expect(held.body.title).toBe('Withdrawals on hold');
    // The third check in the window is refused before the passcode is looked at, right passcode or not; the
    // withdrawal bucket (1 of 2 spent) and the user's (5 of 5) would still let it through.
    const limited = await setPasscode({ currentPasscode: '222222', passcode: '333333' });
    expectLimited(limited);
    expect(limited.body.detail).toMatch(/passcode checks/);
    const after = await api.db.passcodeAttempt.findFirst({ where: { user: { authProviderId: subject } } });
    expect(after?.consecutiveFailures ?? 0).toBe(0);
  });

  it('the passcode bucket is stricter than the user’s by default', () => {
    const defaults = testConfig();
    expect(defaults.RATE_LIMIT_PASSCODE_CHECKS_PER_USER).toBeLessThan(defaults.RATE_LIMIT_WITHDRAWALS_PER_USER);
    expect(defaults.RATE_LIMIT_PASSCODE_CHECKS_PER_USER).toBeLessThan(defaults.RATE_LIMIT_PER_USER);
  });

  it('deposit reports have a stricter bucket per user', async () => {
    const subject = uniqueSubject('reporter');
    await register(api, subject);
    for (let i = 0; i < 2; i++) expect((await api.request('POST', '/v1/deposits', asUser(subject, { body: {} }))).status).toBe(400);
    expectLimited(await api.request('POST', '/v1/deposits', asUser(subject, { body: {} })));
  });

  it('the Circle webhook has its own bucket per address, counted before the signature is checked', async () => {
    const address = newAddress();
    const post = () =>
      api.request('POST', '/v1/webhooks/circle', {
        raw: JSON.stringify({ notificationType: 'webhooks.test' }),
        headers: { 'x-forwarded-for': address, 'x-circle-key-id': 'nope', 'x-circle-signature': 'bm9wZQ==' },
      });
    for (let i = 0; i < 2; i++) expect((await post()).status).not.toBe(429);
    expectLimited(await post());
  });

  it('two API processes sharing the database share the count', async () => {
    const subject = uniqueSubject('shared');
    await register(api, subject); // 1 of 5
    expect((await api.request('GET', '/v1/balances', asUser(subject))).status).toBe(200);
    expect((await twin.request('GET', '/v1/balances', asUser(subject))).status).toBe(200);
    expect((await twin.request('GET', '/v1/balances', asUser(subject))).status).toBe(200);
    expect((await api.request('GET', '/v1/balances', asUser(subject))).status).toBe(200);
    expectLimited(await twin.request('GET', '/v1/balances', asUser(subject)));
    expectLimited(await api.request('GET', '/v1/balances', asUser(subject)));
  });

  it('are off unless enabled outside production (tests, bench, chaos), on by default in production', async () => {
    const subject = uniqueSubject('unlimited');
    await registerUser(unlimited, subject);
    for (let i = 0; i < 3; i++) expect((await unlimited.request('GET', '/v1/balances', { as: subject })).status).toBe(200);
    expect(rateLimitsEnabled({ NODE_ENV: 'production', RATE_LIMIT_ENABLED: undefined })).toBe(true);
    expect(rateLimitsEnabled({ NODE_ENV: 'development', RATE_LIMIT_ENABLED: undefined })).toBe(false);
    expect(rateLimitsEnabled({ NODE_ENV: 'production', RATE_LIMIT_ENABLED: false })).toBe(false);
  });

  it('429 with Retry-After is in the OpenAPI document of every /v1 route', async () => {
    const doc = (await api.request('GET', '/openapi.json')).body;
    for (const [path, method] of [
      ['/v1/withdrawals', 'post'],
      ['/v1/deposits', 'post'],
      ['/v1/webhooks/circle', 'post'],
      ['/v1/me', 'get'],
    ] as const) {
      const limited = doc.paths[path][method].responses['429'];
      expect(limited, `${method} ${path}`).toBeDefined();
      expect(limited.headers['Retry-After']).toBeDefined();
    }
    expect(doc.paths['/healthz'].get.responses['429']).toBeUndefined();
  });

  it('the OpenAPI 429 of each route names the buckets it spends, the passcode checks where a passcode is checked', async () => {
    const doc = (await api.request('GET', '/openapi.json')).body;
    const limited = (path: string, method: string): string => doc.paths[path][method].responses['429'].description;
    for (const [path, method] of [
      ['/v1/withdrawals', 'post'],
      ['/v1/me/passcode', 'put'],
    ] as const) {
      expect(limited(path, method), `${method} ${path}`).toMatch(/passcode checks per user \(RATE_LIMIT_PASSCODE_CHECKS_PER_USER\)/);
      expect(limited(path, method), `${method} ${path}`).toMatch(/requests per user/);
    }
    expect(limited('/v1/withdrawals', 'post')).toMatch(/withdrawals per user/);
    expect(limited('/v1/deposits', 'post')).toMatch(/deposit reports per user/);
    expect(limited('/v1/balances', 'get')).toMatch(/requests per client address.*requests per user/);
    for (const [path, method] of [
      ['/v1/balances', 'get'],
      ['/v1/deposits', 'post'],
      ['/v1/me', 'put'],
    ] as const) {
      expect(limited(path, method), `${method} ${path}`).not.toMatch(/passcode/);
    }
    expect(limited('/v1/webhooks/circle', 'post')).toMatch(/webhook deliveries per client address/);
  });
});
