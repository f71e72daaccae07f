import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startApi, testConfig, uniqueSubject, type Api, type Reply } from './harness.js';

// The passcode cannot be brute-forced: consecutive failures are counted per user in the database (every API
// process, across restarts), each one backs off the next try, and the 5th locks the user out; a locked user gets
// 429 with Retry-After and the time to try again, even with the right passcode. Changing an existing passcode
// needs the current one and holds withdrawals for 24 hours; setting the first one holds nothing.

const address = '0x52908400098527886E0F7030069857D2E4169EE7';
const order = { amountUsd: '40.00', targetChain: 'ethereum', targetAddress: address };

let api: Api; // no backoff between tries: the lockout alone
let backoffApi: Api; // the default backoff
beforeAll(async () => {
  [api, backoffApi] = await Promise.all([
    startApi({ config: testConfig({ PASSCODE_BACKOFF_SECONDS: '0' }) }),
    startApi({ config: testConfig() }),
  ]);
});
afterAll(() => Promise.all([api?.close(), backoffApi?.close()]));

async function verifiedUser(on: Api = api) {
  const subject = uniqueSubject('guarded');
  const userId = await registerUser(on, subject);
  expect((await on.request('PUT', '/v1/me/passcode', { as: subject, body: { passcode: '424242' } })).status).toBe(204);
  await on.db.user.update({ where: { id: userId }, data: { kycStatus: 'approved' } });
  return { subject, userId };
}
const withdraw = (on: Api, subject: string, passcode: string) =>
  on.request('POST', '/v1/withdrawals', { as: subject, body: { ...order, passcode } });

function expectLocked(reply: Reply) {
  expect(reply.status).toBe(429);
  expect(reply.headers.get('content-type')).toMatch(/application\/problem\+json/);
  const retryAfter = Number(reply.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(reply.body.detail).toMatch(/try again (after|at) \d{4}-\d\d-\d\dT/);
  return retryAfter;
}

describe('wrong passcodes', () => {
  it('lock the user out after 5 in a row: 429 with Retry-After and when to try again, even for the right one', async () => {
    const { subject, userId } = await verifiedUser();
    for (let i = 0; i < 5; i++) expect((await withdraw(api, subject, '000000')).status, `try ${i + 1}`).toBe(403);
    const retryAfter = expectLocked(await withdraw(api, subject, '424242'));
    expect(retryAfter).toBeGreaterThan(800); // PASSCODE_LOCKOUT_SECONDS, 900 by default
    expect(retryAfter).toBeLessThanOrEqual(900);
    expectLocked(await api.request('PUT', '/v1/me/passcode', { as: subject, body: { passcode: '111111', currentPasscode: '424242' } }));
    expect(await api.db.withdrawal.count({ where: { userId } })).toBe(0);
  });

  it('stay locked out in another API process and after a restart (the count is in the database)', async () => {
    const { subject } = await verifiedUser();
    for (let i = 0; i < 5; i++) await withdraw(api, subject, '000000');
    const another = await startApi({ config: testConfig({ PASSCODE_BACKOFF_SECONDS: '0' }) });
    try {
      expectLocked(await withdraw(another, subject, '424242'));
    } finally {
      await another.close();
    }
  });

  it('cannot be raced: 10 wrong passcodes at once are at most 5 guesses', async () => {
    const { subject } = await verifiedUser();
    const replies = await Promise.all(Array.from({ length: 10 }, () => withdraw(api, subject, '000000')));
    expect(replies.filter((r) => r.status === 403).length).toBeLessThanOrEqual(5);
    expect(replies.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(5);
  });

  it('are forgotten after the right passcode', async () => {
    const { subject, userId } = await verifiedUser();
    for (let i = 0; i < 4; i++) await withdraw(api, subject, '000000');
    expect((await api.db.passcodeAttempt.findUniqueOrThrow({ where: { userId } })).consecutiveFailures).toBe(4);
    // The right passcode passes the guard; with no worker behind this API the saga's accept then times out (503).
    await api.request('PUT', '/v1/me/passcode', { as: subject, body: { passcode: '424242', currentPasscode: '424242' } });
    expect((await api.db.passcodeAttempt.findUniqueOrThrow({ where: { userId } })).consecutiveFailures).toBe(0);
  });

  it('are the only thing that backs off: the right passcode sent four times at once (an app retrying) is never held back by itself', async () => {
    const { subject, userId } = await verifiedUser(backoffApi);
    // Each passes the guard (then, with no worker behind this API, the saga's accept times out: 503).
    const replies = await Promise.all(Array.from({ length: 4 }, () => withdraw(backoffApi, subject, '424242')));
    expect(replies.map((r) => r.status)).toEqual([503, 503, 503, 503]);
    expect((await backoffApi.db.passcodeAttempt.findUniqueOrThrow({ where: { userId } })).consecutiveFailures).toBe(0);
  });

  it('back off: after the 2nd in a row the next try waits, and is allowed once the wait is over', async () => {
    const { subject } = await verifiedUser(backoffApi);
    expect((await withdraw(backoffApi, subject, '000000')).status).toBe(403);
    expect((await withdraw(backoffApi, subject, '000000')).status).toBe(403);
    const wait = expectLocked(await withdraw(backoffApi, subject, '424242'));
    expect(wait).toBe(1); // PASSCODE_BACKOFF_SECONDS × 2^(2-2)
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await withdraw(backoffApi, subject, '000000')).status).toBe(403);
    expect(expectLocked(await withdraw(backoffApi, subject, '000000'))).toBe(2);
  });
});

describe('changing the passcode', () => {
  it('needs the current one, and holds withdrawals for 24 hours', async () => {
    const { subject, userId } = await verifiedUser();
    expect((await api.request('PUT', '/v1/me/passcode', { as: subject, body: { passcode: '515151' } })).status).toBe(403);
    expect(
      (await api.request('PUT', '/v1/me/passcode', { as: subject, body: { passcode: '515151', currentPasscode: '424242' } })).status,
    ).toBe(204);

    const { withdrawalsHeldUntil } = await api.db.passcodeAttempt.findUniqueOrThrow({ where: { userId } });
    const hours = (withdrawalsHeldUntil!.getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);

    const held = await withdraw(api, subject, '515151');
    expect(held.status).toBe(403);
    expect(held.body.title).toBe('Withdrawals on hold');
    expect(held.body.detail).toContain(withdrawalsHeldUntil!.toISOString().slice(0, 16));
    expect(await api.db.withdrawal.count({ where: { userId } })).toBe(0);
  });

  it('holds nothing when the first passcode is set', async () => {
    const { userId } = await verifiedUser();
    const row = await api.db.passcodeAttempt.findUnique({ where: { userId } });
    expect(row?.withdrawalsHeldUntil ?? null).toBeNull();
  });
});
