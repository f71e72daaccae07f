import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ApplicationFailure } from '@temporalio/common';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookActivities } from '../../activities/webhooks/index.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Db } from '../../src/db/client.js';
import { receiverUrlProblem } from '../../src/webhooks/receivers.js';
import { resealWebhookSecrets, webhookSecretOf } from '../../src/webhooks/secrets.js';
import { startApi, testConfig, type Api } from '../api/harness.js';
import { realProviderEnv, strongPassword } from '../helpers/production-env.js';
import { startReceiver, type Receiver } from './receiver.js';

// Webhook endpoints as an attacker or a database reader would meet them: signing secrets sealed at rest
// (AES-256-GCM, key id beside the ciphertext), and receiver URLs that point into our own network refused at
// registration and again at delivery, unless the explicit development switch allows them.

const keySpec = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const k1 = keySpec('k1');
const k2 = keySpec('k2');

let sealed: Api; // keys configured, private URLs refused: as production
let open: Api; // the development switch on, no keys
const receivers: Receiver[] = [];
beforeAll(async () => {
  sealed = await startApi({ config: testConfig({ WEBHOOK_SECRET_KEYS: k1, WEBHOOK_ALLOW_PRIVATE_URLS: 'false' }) });
  open = await startApi({ config: testConfig({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }) });
});
afterAll(async () => {
  // Other test files share this database, and a dispatcher there would fan their events out to these endpoints.
  await sealed?.db.webhookEndpoint.deleteMany({ where: { createdBy: ops.as } });
  for (const r of receivers) await r.close();
  await sealed?.close();
  await open?.close();
});

const ops = { as: 'ops|endpoint-security', operator: true };
const rawSecretOf = async (db: Db, id: string) =>
  (await db.$queryRaw<{ secret: string }[]>`SELECT secret FROM webhook_endpoints WHERE id = ${id}::uuid`)[0]!.secret;

/** One event and its pending delivery to `endpointId`, written as the trigger and the fan-out would. */
async function pendingDelivery(db: Db, endpointId: string): Promise<{ deliveryId: string; eventId: string }> {
  const resourceId = randomUUID();
  const [event] = await db.$queryRaw<{ id: string }[]>`
    INSERT INTO events (xid, type, resource_type, resource_id, sequence, user_id, data)
    VALUES (1, 'deposit.broker_funded', 'deposit', ${resourceId}::uuid, 1, ${randomUUID()}::uuid, ${JSON.stringify({ amountUsd: '12.50' })}::jsonb)
    RETURNING id`;
  const delivery = await db.webhookDelivery.create({
    data: { endpointId, eventId: event!.id, resourceType: 'deposit', resourceId, sequence: 1 },
  });
  return { deliveryId: delivery.id, eventId: event!.id };
}

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

describe('endpoint signing secrets at rest', () => {
  it('are stored sealed with the key id, never in plain text, and deliveries are still signed with them', async () => {
    // Registered through the API with the development switch on a config that also seals: the raw column holds no secret.
    const api = await startApi({ config: testConfig({ WEBHOOK_SECRET_KEYS: k1, WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }) });
    try {
      const target = await receiver();
      const created = await api.request('POST', '/v1/admin/webhooks/endpoints', { ...ops, body: { url: target.url } });
      expect(created.status).toBe(201);
      const secret: string = created.body.secret;
      expect(secret).toMatch(/^whsec_/);
      const raw = await rawSecretOf(api.db, created.body.id);
      expect(raw).toMatch(/^sealed:v1:k1:[A-Za-z0-9+/]+=*$/);
      expect(raw).not.toContain(secret);
      expect(raw).not.toContain(secret.slice('whsec_'.length));
      expect(raw).not.toContain(Buffer.from(secret.slice('whsec_'.length), 'base64').toString('hex'));
      const rows = await api.db.$queryRaw<
        { row: string }[]
      >`SELECT row_to_json(w)::text AS row FROM webhook_endpoints w WHERE id = ${created.body.id}::uuid`;
      expect(rows[0]!.row).not.toContain(secret.slice('whsec_'.length));
      // Nor does any answer after the first.
      expect(JSON.stringify((await api.request('GET', `/v1/admin/webhooks/endpoints/${created.body.id}`, ops)).body)).not.toContain(secret);

      // The worker opens it to sign: the receiver verifies with the secret it was shown, as an app backend does.
      const { deliveryId, eventId } = await pendingDelivery(api.db, created.body.id);
      const activities = createWebhookActivities({ db: api.db, config: api.config });
      expect(await activities.attemptWebhookDelivery({ deliveryId, timeoutSeconds: 5 })).toBe('delivered');
      const [request] = target.received;
      const payload = new Webhook(secret).verify(request!.body, {
        'webhook-id': String(request!.headers['webhook-id']),
        'webhook-timestamp': String(request!.headers['webhook-timestamp']),
        'webhook-signature': String(request!.headers['webhook-signature']),
      });
      expect(payload).toMatchObject({ id: eventId, data: { amountUsd: '12.50' } });

      // A sealed value copied onto another row does not open there (bound to its endpoint).
      const other = await api.request('POST', '/v1/admin/webhooks/endpoints', { ...ops, body: { url: target.url } });
      expect(() => webhookSecretOf(api.config, { id: other.body.id, secret: raw })).toThrow(/failed authentication/);
      // Without the key it is unreadable.
      expect(() => webhookSecretOf(loadConfig({ WEBHOOK_SECRET_KEYS: keySpec('k1') }), { id: created.body.id, secret: raw })).toThrow(
        /failed authentication/,
      );
    } finally {
      await api.close();
    }
  });

  it('a secret stored in plain text before keys were configured is sealed at the next worker start; rotation re-seals', async () => {
    const created = await open.request('POST', '/v1/admin/webhooks/endpoints', { ...ops, body: { url: 'http://127.0.0.1:9/hooks' } });
    const secret: string = created.body.secret;
    expect(await rawSecretOf(open.db, created.body.id)).toBe(secret); // no keys: plain, as payloads are

    const withK1 = loadConfig({ WEBHOOK_SECRET_KEYS: k1 });
    const only = { endpointIds: [created.body.id] }; // other test files' endpoints share this database
    expect(await resealWebhookSecrets(open.db, withK1, only)).toEqual({ resealed: 1, unreadable: [] });
    const sealedK1 = await rawSecretOf(open.db, created.body.id);
    expect(sealedK1).toMatch(/^sealed:v1:k1:/);
    expect(webhookSecretOf(withK1, { id: created.body.id, secret: sealedK1 })).toBe(secret);

    const rotated = loadConfig({ WEBHOOK_SECRET_KEYS: `${k1},${k2}`, WEBHOOK_SECRET_KEY_ID: 'k2' });
    expect(await resealWebhookSecrets(open.db, rotated, only)).toEqual({ resealed: 1, unreadable: [] });
    const sealedK2 = await rawSecretOf(open.db, created.body.id);
    expect(sealedK2).toMatch(/^sealed:v1:k2:/);
    expect(webhookSecretOf(loadConfig({ WEBHOOK_SECRET_KEYS: k2 }), { id: created.body.id, secret: sealedK2 })).toBe(secret);
    expect(await resealWebhookSecrets(open.db, rotated, only)).toEqual({ resealed: 0, unreadable: [] });
  });

  it('a secret no configured key opens does not stop the worker start, and its deliveries fail as logged, retried attempts', async () => {
    // Sealed under k1, then a deploy that lost k1: the worker start re-seals what it can and reports the rest.
    const lost = await sealed.request('POST', '/v1/admin/webhooks/endpoints', { ...ops, body: { url: 'https://93.184.216.34/lost' } });
    expect(lost.status).toBe(201);
    const withoutK1 = loadConfig({ WEBHOOK_SECRET_KEYS: k2 });
    expect(await resealWebhookSecrets(sealed.db, withoutK1, { endpointIds: [lost.body.id] })).toEqual({
      resealed: 0,
      unreadable: [lost.body.id],
    });

    // Its deliveries fail as attempts, logged (so the dispatcher sees a run carrying them) and retried until the key is back.
    const { deliveryId } = await pendingDelivery(sealed.db, lost.body.id);
    const activities = createWebhookActivities({ db: sealed.db, config: { ...sealed.config, ...withoutK1 } });
    const failure = await activities.attemptWebhookDelivery({ deliveryId, timeoutSeconds: 5 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).nonRetryable).toBe(false);
    const delivery = await sealed.db.webhookDelivery.findUniqueOrThrow({ where: { id: deliveryId }, include: { attempts: true } });
    expect(delivery).toMatchObject({ status: 'pending', attemptCount: 1 });
    expect(delivery.lastAttemptAt).not.toBeNull();
    expect(delivery.attempts.map((a) => [a.succeeded, a.statusCode])).toEqual([[false, null]]);
    expect(delivery.attempts[0]!.error).toMatch(/authentication|key/i);
    await sealed.request('DELETE', `/v1/admin/webhooks/endpoints/${lost.body.id}`, ops);
  });

  it('production refuses to start without a key, and with the private URL switch', () => {
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: `postgresql://fundflow:${strongPassword}@db.internal:5432/fundflow`,
      ...realProviderEnv,
      ALPACA_TRADING_BASE_URL: '',
    };
    expect(loadConfig(production).WEBHOOK_SECRET_KEY_ID).toBe('2025-06');
    const { WEBHOOK_SECRET_KEYS: _, ...withoutKey } = production as Record<string, string>;
    expect(() => loadConfig(withoutKey)).toThrow(/^invalid configuration: WEBHOOK_SECRET_KEYS is required in production/);
    expect(() => loadConfig({ ...production, WEBHOOK_ALLOW_PRIVATE_URLS: 'true' })).toThrow(
      /^invalid configuration: WEBHOOK_ALLOW_PRIVATE_URLS must not be true/,
    );
    expect(() => loadConfig({ WEBHOOK_SECRET_KEYS: `${k1},${k2}` })).toThrow(/WEBHOOK_SECRET_KEY_ID must name the current key/);
  });
});

describe('receiver URLs into our own network (SSRF)', () => {
  const internal = [
    'http://127.0.0.1:8080/hooks',
    'http://localhost/hooks',
    'http://ops.localhost/hooks',
    'http://10.1.2.3/hooks',
    'http://172.20.0.5/hooks',
    'http://192.168.1.10/hooks',
    'http://100.64.0.1/hooks',
    'http://169.254.169.254/latest/meta-data/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://[::1]/hooks',
    'http://[::ffff:127.0.0.1]/hooks',
    'http://[::ffff:a9fe:a9fe]/hooks',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://[fe80::1]/hooks',
    'http://0.0.0.0/hooks',
    'http://2130706433/hooks', // 127.0.0.1 as one number
    'http://0x7f.1/hooks',
  ];

  it('are refused at registration and on change when the switch is off, naming the field', async () => {
    for (const url of internal) {
      const reply = await sealed.request('POST', '/v1/admin/webhooks/endpoints', { ...ops, body: { url } });
      expect(reply.status, url).toBe(400);
      expect(reply.body.errors, url).toEqual([expect.objectContaining({ path: 'body.url' })]);
    }
    const publicReceiver = await sealed.request('POST', '/v1/admin/webhooks/endpoints', {
      ...ops,
      body: { url: 'https://93.184.216.34/hooks' },
    });
    expect(publicReceiver.status).toBe(201);
    const moved = await sealed.request('PATCH', `/v1/admin/webhooks/endpoints/${publicReceiver.body.id}`, {
      ...ops,
      body: { url: 'http://169.254.169.254/' },
    });
    expect(moved.status).toBe(400);
    expect((await sealed.request('GET', `/v1/admin/webhooks/endpoints/${publicReceiver.body.id}`, ops)).body.url).toBe(
      'https://93.184.216.34/hooks',
    );
  });

  it('a name that resolves to an internal address is refused too; production also wants https', async () => {
    const policy = { NODE_ENV: 'test' as const, WEBHOOK_ALLOW_PRIVATE_URLS: false };
    // This machine's own name resolves to one of its addresses (loopback or private), which no name check knows.
    expect(await receiverUrlProblem(policy, `http://${hostname()}/hooks`)).toMatch(/resolves to .+, an internal address/);
    expect(await receiverUrlProblem(policy, 'http://localhost./hooks')).toMatch(/localhost is a local name/);
    expect(await receiverUrlProblem(policy, 'https://93.184.216.34/hooks')).toBeUndefined();
    const production = { NODE_ENV: 'production' as const, WEBHOOK_ALLOW_PRIVATE_URLS: false };
    expect(await receiverUrlProblem(production, 'http://93.184.216.34/hooks')).toMatch(/https/);
    expect(await receiverUrlProblem(production, 'https://93.184.216.34/hooks')).toBeUndefined();
  });

  it('are refused at delivery (a row from before the rule, a name that moved): logged, failed, nothing sent', async () => {
    const target = await receiver();
    // Registered while allowed; the worker now runs with the switch off.
    const created = await open.request('POST', '/v1/admin/webhooks/endpoints', { ...ops, body: { url: target.url } });
    expect(created.status).toBe(201);
    const { deliveryId } = await pendingDelivery(open.db, created.body.id);
    const strict: Config = { ...open.config, WEBHOOK_ALLOW_PRIVATE_URLS: false };
    const failure = await createWebhookActivities({ db: open.db, config: strict })
      .attemptWebhookDelivery({ deliveryId, timeoutSeconds: 5 })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    expect(target.received).toEqual([]);
    const attempts = await open.db.webhookDeliveryAttempt.findMany({ where: { deliveryId } });
    expect(attempts).toEqual([
      expect.objectContaining({
        statusCode: null,
        succeeded: false,
        error: expect.stringMatching(/^refused: 127\.0\.0\.1 is an internal address \(loopback\)/),
      }),
    ]);

    // A name resolving to an internal address (DNS can change after registration) is refused where it connects.
    await open.db.webhookEndpoint.update({ where: { id: created.body.id }, data: { url: target.url.replace('127.0.0.1', hostname()) } });
    const byName = await createWebhookActivities({ db: open.db, config: strict })
      .attemptWebhookDelivery({ deliveryId, timeoutSeconds: 5 })
      .catch((e: unknown) => e);
    expect(String((byName as Error).message)).toMatch(new RegExp(`refused: ${hostname()} resolves to .+, an internal address`));
    expect(target.received).toEqual([]);

    // With the switch on (development, tests) the same delivery goes out.
    await open.db.webhookEndpoint.update({ where: { id: created.body.id }, data: { url: target.url } });
    expect(
      await createWebhookActivities({ db: open.db, config: open.config }).attemptWebhookDelivery({ deliveryId, timeoutSeconds: 5 }),
    ).toBe('delivered');
    expect(target.received).toHaveLength(1);
  });
});
