import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startApi, uniqueSubject, type Api } from './harness.js';

// The caller's own user: created with its balance by the first PUT /v1/me, then updated; email and phone are
// unique across users; the passcode is stored only as an argon2id hash.

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

/** Rows of one subject: tests share the run's database with other files running at the same time. */
const rowsOf = async (subject: string) => ({
  users: await api.db.user.count({ where: { authProviderId: subject } }),
  balances: await api.db.balance.count({ where: { user: { authProviderId: subject } } }),
});

describe('PUT /v1/me', () => {
  it('creates the caller with an empty balance on the first call, and updates it afterwards', async () => {
    const subject = uniqueSubject('ada');
    const created = await api.request('PUT', '/v1/me', { as: subject, body: { email: `${subject}@Example.com` } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      user: { email: `${subject}@example.com`, phoneNumber: null, kycStatus: 'not_started', hasPasscode: false },
      kycStatus: 'not_started',
      balances: { buyingPowerUsd: '0.00', pendingBrokerDepositsUsd: '0.00' },
      wallets: [],
    });
    const row = await api.db.user.findUniqueOrThrow({ where: { authProviderId: subject }, include: { balance: true } });
    expect(row.id).toBe(created.body.user.id);
    expect(row.balance?.buyingPowerUsd.toFixed(2)).toBe('0.00');

    const updated = await api.request('PUT', '/v1/me', { as: subject, body: { phoneNumber: '+14155550100' } });
    expect(updated.status).toBe(200);
    expect(updated.body.user).toMatchObject({ id: row.id, email: `${subject}@example.com`, phoneNumber: '+14155550100' });
    expect(await api.db.user.count({ where: { authProviderId: subject } })).toBe(1);
  });

  it('creates one user and one balance when the first calls race', async () => {
    const subject = uniqueSubject('racer');
    const replies = await Promise.all(Array.from({ length: 4 }, () => api.request('PUT', '/v1/me', { as: subject })));
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 200, 201]);
    const user = await api.db.user.findUniqueOrThrow({ where: { authProviderId: subject } });
    expect(await api.db.balance.count({ where: { userId: user.id } })).toBe(1);
  });

  it('does not reveal whether an email or phone number belongs to another user: the same answer, nothing taken', async () => {
    const first = uniqueSubject('first');
    const firstId = await registerUser(api, first, { email: `${first}@example.com`, phoneNumber: '+4915112345678' });
    const second = uniqueSubject('second');

    // A taken value and a free one get the same status and no problem that names either; the taken one is not
    // stored (it stays with its owner).
    const newcomer = await api.request('PUT', '/v1/me', { as: second, body: { email: `${first}@example.com` } });
    const free = await api.request('PUT', '/v1/me', { as: uniqueSubject('free'), body: { email: `${uniqueSubject('free')}@example.com` } });
    expect(newcomer.status).toBe(free.status);
    expect(JSON.stringify(newcomer.body)).not.toMatch(/already|another user|in use/i);
    expect((await api.db.user.findUniqueOrThrow({ where: { authProviderId: second } })).email).toBeNull();

    const phone = await api.request('PUT', '/v1/me', { as: second, body: { phoneNumber: '+4915112345678' } });
    expect(phone.status).toBe(200);
    expect((await api.db.user.findUniqueOrThrow({ where: { authProviderId: second } })).phoneNumber).toBeNull();
    expect(await api.db.user.findUniqueOrThrow({ where: { id: firstId } })).toMatchObject({
      email: `${first}@example.com`,
      phoneNumber: '+4915112345678',
    });
  });

  it('rejects invalid input without creating the user', async () => {
    const subject = uniqueSubject('typo');
    const reply = await api.request('PUT', '/v1/me', { as: subject, body: { email: 'nope' } });
    expect(reply.status).toBe(400);
    expect(await rowsOf(subject)).toEqual({ users: 0, balances: 0 });
  });
});

describe('GET /v1/me and /v1/balances', () => {
  it('shows the caller their own balances and nobody else’s', async () => {
    const alice = uniqueSubject('alice');
    const bob = uniqueSubject('bob');
    const aliceId = await registerUser(api, alice);
    await registerUser(api, bob);
    await api.db.balance.update({ where: { userId: aliceId }, data: { buyingPowerUsd: '125.5' } });

    expect((await api.request('GET', '/v1/balances', { as: alice })).body.buyingPowerUsd).toBe('125.50');
    expect((await api.request('GET', '/v1/balances', { as: bob })).body.buyingPowerUsd).toBe('0.00');
    const me = await api.request('GET', '/v1/me', { as: alice });
    expect(me.body.balances.buyingPowerUsd).toBe('125.50');
    expect(me.body.user).not.toHaveProperty('passcodeHash');
  });
});

describe('PUT /v1/me/passcode', () => {
  it('stores only an argon2id hash of a 6-digit passcode', async () => {
    const subject = uniqueSubject('vault');
    await registerUser(api, subject);
    expect((await api.request('PUT', '/v1/me/passcode', { as: subject, body: { passcode: '123456' } })).status).toBe(204);
    const { passcodeHash } = await api.db.user.findUniqueOrThrow({ where: { authProviderId: subject } });
    expect(passcodeHash).toMatch(/^\$argon2id\$/);
    expect(passcodeHash).not.toContain('123456');
    expect((await api.request('GET', '/v1/me', { as: subject })).body.user.hasPasscode).toBe(true);
  });

  it('refuses a passcode that is not 6 digits and keeps the old one', async () => {
    const subject = uniqueSubject('short');
    await registerUser(api, subject);
    for (const passcode of ['12345', '1234567', 'abcdef', 123456]) {
      expect((await api.request('PUT', '/v1/me/passcode', { as: subject, body: { passcode } })).status).toBe(400);
    }
    expect((await api.db.user.findUniqueOrThrow({ where: { authProviderId: subject } })).passcodeHash).toBeNull();
  });

  it('changes a passcode only with the current one', async () => {
    const subject = uniqueSubject('change');
    await registerUser(api, subject);
    await api.request('PUT', '/v1/me/passcode', { as: subject, body: { passcode: '111111' } });
    const hashOf = async () => (await api.db.user.findUniqueOrThrow({ where: { authProviderId: subject } })).passcodeHash;
    const first = await hashOf();

    expect((await api.request('PUT', '/v1/me/passcode', { as: subject, body: { passcode: '222222' } })).status).toBe(403);
    const wrong = await api.request('PUT', '/v1/me/passcode', {
      as: subject,
      body: { passcode: '222222', currentPasscode: '999999' },
    });
    expect(wrong.status).toBe(403);
    expect(await hashOf()).toBe(first);

    const right = await api.request('PUT', '/v1/me/passcode', {
      as: subject,
      body: { passcode: '222222', currentPasscode: '111111' },
    });
    expect(right.status).toBe(204);
    expect(await hashOf()).not.toBe(first);
  });
});
