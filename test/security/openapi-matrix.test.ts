import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startApi, testConfig, uniqueSubject, type Api } from '../api/harness.js';

// The security suite is generated from the served OpenAPI document, so a route added tomorrow is attacked
// tomorrow without anyone editing this file: every operation is called with each kind of bad token and must
// refuse it and change nothing; every operation whose body carries an amount gets bad amounts and must answer
// 400 and change nothing. What is allowed without a token is listed here, by hand, on purpose.

/** Operations that take no bearer token, and why. Anything else answering without a token fails the suite. */
const PUBLIC_OPERATIONS: Record<string, string> = {
  'GET /healthz': 'liveness for the orchestrator',
  'GET /readyz': 'readiness for the orchestrator',
  'GET /openapi.json': 'the contract itself',
  'GET /docs': 'the reference page',
  'HEAD /v1/webhooks/circle': 'Circle checks the subscription',
  'POST /v1/webhooks/circle': 'authenticated by the Circle signature instead',
};

const AUDIENCE = 'fundflow-api';
const ISSUER = 'https://id.fundflow.test/';
const now = () => Math.floor(Date.now() / 1000);
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface Operation {
  method: string;
  path: string;
  key: string;
  params: string[];
  admin: boolean;
  requestBody?: JsonSchema;
}

let api: Api;
let operations: Operation[];
let attacker: { subject: string; id: string };
let victim: { subject: string; id: string };
/** The victim's real rows, by the name a path gives its id parameter (resource segment + param). */
let victimIds: Record<string, string>;
/** The document's component schemas, for $refs in request bodies. */
let components: Record<string, JsonSchema>;

beforeAll(async () => {
  api = await startApi({ config: testConfig({ AUTH_AUDIENCE: AUDIENCE, AUTH_ISSUER: ISSUER }) });
  const doc = (await api.request('GET', '/openapi.json')).body;
  components = doc.components?.schemas ?? {};
  operations = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => ['get', 'put', 'post', 'patch', 'delete', 'head'].includes(method))
      .map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        key: `${method.toUpperCase()} ${path}`,
        params: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
        admin: path.startsWith('/v1/admin/'),
        requestBody: op.requestBody?.content?.['application/json']?.schema,
      })),
  );

  attacker = { subject: uniqueSubject('matrix-attacker'), id: '' };
  victim = { subject: uniqueSubject('matrix-victim'), id: '' };
  attacker.id = await registerUser(api, attacker.subject);
  victim.id = await registerUser(api, victim.subject);
  const db = api.db;
  const wallet = await db.wallet.create({
    data: {
      userId: victim.id,
      chain: 'ethereum',
      address: `0x${randomBytes(20).toString('hex')}`,
      circleWalletId: randomUUID(),
      status: 'active',
    },
  });
  const deposit = await db.deposit.create({
    data: {
      userId: victim.id,
      walletId: wallet.id,
      chain: 'ethereum',
      txHash: `0x${randomBytes(32).toString('hex')}`,
      amountStablecoin: '25',
    },
  });
  const withdrawal = await db.withdrawal.create({
    data: { userId: victim.id, amountUsd: '40.00', targetChain: 'ethereum', targetAddress: `0x${randomBytes(20).toString('hex')}` },
  });
  const order = await db.order.create({ data: { userId: victim.id, assetType: 'stock', side: 'buy', amountUsd: '30.00' } });
  victimIds = {
    'users.userId': victim.id,
    'deposits.id': deposit.id,
    'withdrawals.id': withdrawal.id,
    'orders.id': order.id,
    // An open reconciliation break (operator-only routes; reconciliation_breaks has no user): resolved by nobody here.
    'breaks.id': (
      await db.reconciliationBreak.create({
        data: {
          checkName: 'position',
          subject: `matrix-${randomUUID()}`,
          expected: '1',
          found: '0',
          openKey: `position matrix-${randomUUID()}`,
        },
      })
    ).id,
    // A disabled webhook endpoint (operator-only routes) and a delivery of the victim's deposit event to it.
    ...(await webhookVictims(db, deposit.id)),
  };
});
afterAll(() => api?.close());

async function webhookVictims(db: Api['db'], depositId: string) {
  const endpoint = await db.webhookEndpoint.create({
    data: { url: 'http://127.0.0.1:9/matrix', secret: `whsec_${randomBytes(32).toString('base64')}`, enabled: false, createdBy: 'matrix' },
  });
  const event = await db.event.findFirstOrThrow({ where: { resourceId: depositId } });
  const delivery = await db.webhookDelivery.create({
    data: {
      endpointId: endpoint.id,
      eventId: event.id,
      resourceType: event.resourceType,
      resourceId: event.resourceId,
      sequence: event.sequence,
      status: 'failed',
    },
  });
  return { 'endpoints.id': endpoint.id, 'deliveries.deliveryId': delivery.id };
}

/** The path with every parameter replaced by the victim's real id; fails for a parameter with no fixture. */
function victimPath(op: Operation): string {
  return op.path.replace(/\/([\w-]+)\/\{(\w+)\}/g, (_all, resource: string, param: string) => {
    const value = victimIds[`${resource}.${param}`];
    if (!value) throw new Error(`${op.key}: no victim row for {${param}} after /${resource}; add one to victimIds`);
    return `/${resource}/${value}`;
  });
}

/**
 * Everything the two users own or caused, as one string: every row of every table with a user_id column,
 * their users rows, and audit entries naming them. Scoped to these users because other test files write to
 * the same database at the same time.
 */
async function fingerprint(): Promise<string> {
  const ids = [attacker.id, victim.id];
  const tables = await api.db.$queryRawUnsafe<{ table_name: string }[]>(
    `SELECT table_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND column_name = 'user_id' AND table_name <> 'rate_limits'
      ORDER BY table_name`,
  );
  expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['deposits', 'withdrawals', 'orders', 'balances', 'wallets']));
  const parts: string[] = [];
  for (const { table_name } of tables) {
    const [row] = await api.db.$queryRawUnsafe<{ rows: string | null }[]>(
      `SELECT string_agg(t::text, '|' ORDER BY t::text) AS rows FROM "${table_name}" t WHERE user_id = ANY($1::uuid[])`,
      ids,
    );
    parts.push(`${table_name}:${row?.rows ?? ''}`);
  }
  const [users] = await api.db.$queryRawUnsafe<{ rows: string | null }[]>(
    `SELECT string_agg(t::text, '|' ORDER BY t::text) AS rows FROM users t WHERE id = ANY($1::uuid[])`,
    ids,
  );
  const targets = [...ids, ...Object.values(victimIds)];
  const [audit] = await api.db.$queryRawUnsafe<{ rows: string | null }[]>(
    `SELECT string_agg(t::text, '|' ORDER BY t::text) AS rows FROM operator_audit_log t WHERE target_id = ANY($1::text[])`,
    targets,
  );
  return [...parts, `users:${users?.rows ?? ''}`, `audit:${audit?.rows ?? ''}`].join('\n');
}

const secret = () => new TextEncoder().encode(api.config.AUTH_JWT_SECRET!);
function jwt(subject: string, claims: Record<string, unknown> = {}) {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(subject).setIssuer(ISSUER);
}

/** Tokens that must never open any route, each for the attacker (a real, registered user). */
async function forgedTokens(): Promise<Record<string, string | undefined>> {
  const s = attacker.subject;
  return {
    'no token': undefined,
    'an expired token': await jwt(s)
      .setAudience(AUDIENCE)
      .setIssuedAt(now() - 120)
      .setExpirationTime(now() - 60)
      .sign(secret()),
    'a token without exp': await jwt(s).setAudience(AUDIENCE).setIssuedAt().sign(secret()),
    'alg none': `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: s, iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 3600, role: 'operator' })}.`,
    'a wrong audience': await jwt(s).setAudience('someone-else').setIssuedAt().setExpirationTime('1h').sign(secret()),
    'a token signed with another secret': await jwt(s)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('not-the-api-secret-at-all-32-bytes!!')),
  };
}

async function call(op: Operation, token: string | undefined, body: unknown = {}) {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const withBody = !['GET', 'HEAD'].includes(op.method);
  return api.request(op.method, victimPath(op), withBody ? { headers, body } : { headers });
}

describe('the operations of /openapi.json', () => {
  it('are the ones this suite knows how to attack, and the public ones are still there', () => {
    expect(operations.length).toBeGreaterThan(20);
    const keys = operations.map((o) => o.key);
    for (const key of Object.keys(PUBLIC_OPERATIONS).filter((k) => k.includes('/v1/'))) expect(keys).toContain(key);
    for (const op of operations) victimPath(op); // every id parameter has a victim row
  });

  it('every operation but the listed public ones refuses every kind of bad token with 401 and changes nothing', async () => {
    const tokens = await forgedTokens();
    const before = await fingerprint();
    const failures: string[] = [];
    for (const op of operations) {
      if (op.key in PUBLIC_OPERATIONS) continue;
      for (const [kind, token] of Object.entries(tokens)) {
        const reply = await call(op, token);
        if (reply.status !== 401) failures.push(`${op.key} with ${kind}: ${reply.status}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await fingerprint()).toBe(before);
  });

  it('the Circle webhook, public by the list, refuses a notification without a valid signature', async () => {
    const op = operations.find((o) => o.key === 'POST /v1/webhooks/circle')!;
    const reply = await call(op, undefined, { notificationId: randomUUID(), notificationType: 'transactions.inbound', notification: {} });
    expect(reply.status).toBe(401);
  });

  it("operator routes refuse a customer's valid token with 403 and change nothing", async () => {
    const token = await api.token(attacker.subject);
    const admin = operations.filter((o) => o.admin);
    expect(admin.length).toBeGreaterThan(3);
    const before = await fingerprint();
    const failures: string[] = [];
    for (const op of admin) {
      const reply = await call(op, token, { decision: 'approved', reason: 'matrix' });
      if (reply.status !== 403) failures.push(`${op.key}: ${reply.status}`);
    }
    expect(failures).toEqual([]);
    expect(await fingerprint()).toBe(before);
  });

  it("customer id routes answer 404 to another user's valid token on the victim's real rows and change nothing", async () => {
    const token = await api.token(attacker.subject);
    const idRoutes = operations.filter((o) => !o.admin && o.params.length > 0 && !(o.key in PUBLIC_OPERATIONS));
    expect(idRoutes.map((o) => o.key)).toEqual(expect.arrayContaining(['GET /v1/deposits/{id}', 'POST /v1/orders/{id}/cancel']));
    const before = await fingerprint();
    const failures: string[] = [];
    for (const op of idRoutes) {
      const reply = await call(op, token);
      if (reply.status !== 404) failures.push(`${op.key}: ${reply.status}`);
    }
    expect(failures).toEqual([]);
    expect(await fingerprint()).toBe(before);
    // The same calls by the owner find the rows: the 404 above is about ownership, not a bad fixture.
    const own = await api.request('GET', victimPath(operations.find((o) => o.key === 'GET /v1/deposits/{id}')!), { as: victim.subject });
    expect(own.status).toBe(200);
  });
});

/**
 * Bodies each money route accepts (past validation) when their amount fields are left as they are. Between them
 * they must carry every money field of the route's schema, nested ones included (an option order's contracts and
 * limit price): the suite fails until a new money field has a body here.
 */
const VALID_MONEY_BODIES: Record<string, Record<string, unknown>[]> = {
  'POST /v1/withdrawals': [
    { amountUsd: '10.00', targetChain: 'ethereum', targetAddress: `0x${randomBytes(20).toString('hex')}`, passcode: '482913' },
  ],
  'POST /v1/orders': [
    { assetType: 'stock', side: 'buy', symbol: 'VTI', amountUsd: '10.00' },
    { assetType: 'stock', side: 'sell', symbol: 'VTI', quantity: '1.5' },
    // amountUsd left out: the premium is derived from the nested fields alone.
    { assetType: 'option', side: 'buy', optionDetails: { occSymbol: 'AAPL271217C00150000', quantity: 1, limitPrice: '1.25' } },
    {
      assetType: 'option',
      side: 'buy',
      amountUsd: '250.00',
      optionDetails: { occSymbol: 'AAPL271217P00150000', quantity: 2, limitPrice: '1.25' },
    },
  ],
};

const isMoneyField = (name: string) => /amount|quantity|price|strike/i.test(name);

type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
};

/** Every money field of a body schema, at any depth, as a dotted path with its JSON type ('string', 'number', ...). */
function moneyFields(schema: JsonSchema | undefined, prefix = '', depth = 0): Map<string, string> {
  const fields = new Map<string, string>();
  if (!schema || depth > 8) return fields;
  const resolved = schema.$ref ? components[schema.$ref.split('/').at(-1)!] : schema;
  for (const part of [...(resolved?.allOf ?? []), ...(resolved?.anyOf ?? []), ...(resolved?.oneOf ?? [])]) {
    for (const [path, type] of moneyFields(part, prefix, depth + 1)) fields.set(path, type);
  }
  for (const [name, property] of Object.entries(resolved?.properties ?? {})) {
    const path = prefix ? `${prefix}.${name}` : name;
    const target = property.$ref ? components[property.$ref.split('/').at(-1)!] : property;
    if (target?.properties || target?.allOf || target?.anyOf || target?.oneOf) {
      for (const [nested, type] of moneyFields(target, path, depth + 1)) fields.set(nested, type);
    } else if (isMoneyField(name)) {
      const type = [target?.type ?? 'string'].flat().find((t) => t !== 'null') ?? 'string';
      fields.set(path, type);
    }
  }
  return fields;
}

/** The dotted paths of a body's leaves. */
function leafPaths(value: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(value).flatMap(([name, item]) => {
    const path = prefix ? `${prefix}.${name}` : name;
    return item !== null && typeof item === 'object' && !Array.isArray(item) ? leafPaths(item as Record<string, unknown>, path) : [path];
  });
}

/** A copy of `body` with the field at the dotted `path` set to `value`. */
function withField(body: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split('.');
  return { ...body, [head!]: rest.length ? withField(body[head!] as Record<string, unknown>, rest.join('.'), value) : value };
}

const badAmounts = (field: string, type: string): unknown[] =>
  type === 'number' || type === 'integer'
    ? // A count (option contracts): negative, zero, fractional, huge (its premium fits no USD amount), and strings.
      [-1, 0, 0.5, 1.5, 1e21, Number.MAX_SAFE_INTEGER, '1', '1e3', '', null, true]
    : [
        '-1.00',
        '-0.01',
        '0',
        '0.00',
        '1e3',
        '1E3',
        1000,
        10.5,
        '99999999999999999999999999.00',
        'NaN',
        'Infinity',
        '',
        null,
        field.endsWith('Usd') ? '1.001' : '1.0000000001',
      ];

describe('money routes of /openapi.json', () => {
  it('are every operation whose body carries an amount or a quantity, each with a valid body here', () => {
    const money = operations.filter((o) => moneyFields(o.requestBody).size > 0).map((o) => o.key);
    expect(money).toEqual(expect.arrayContaining(['POST /v1/withdrawals', 'POST /v1/orders']));
    expect(money.sort()).toEqual(Object.keys(VALID_MONEY_BODIES).sort());
  });

  it('have their nested money fields found, and every money field of a schema carried by one of its valid bodies', () => {
    const orders = operations.find((o) => o.key === 'POST /v1/orders')!;
    expect(Object.fromEntries(moneyFields(orders.requestBody))).toMatchObject({
      amountUsd: 'string',
      quantity: 'string',
      'optionDetails.quantity': 'number',
      'optionDetails.limitPrice': 'string',
    });
    for (const [key, bodies] of Object.entries(VALID_MONEY_BODIES)) {
      const op = operations.find((o) => o.key === key)!;
      const carried = new Set(bodies.flatMap((b) => leafPaths(b)));
      const missing = [...moneyFields(op.requestBody).keys()].filter((path) => !carried.has(path));
      expect(missing, `${key}: money fields no valid body carries`).toEqual([]);
    }
  });

  it('answer 400 to negative, zero, huge, exponent, over-precise and number-typed amounts, and change nothing', async () => {
    const token = await api.token(attacker.subject);
    const before = await fingerprint();
    const failures: string[] = [];
    for (const [key, bodies] of Object.entries(VALID_MONEY_BODIES)) {
      const op = operations.find((o) => o.key === key)!;
      for (const valid of bodies) {
        // The control: the valid body gets past validation (the attacker has no KYC and no passcode, so it
        // stops there) — a 400 below is about the amount, not the rest of the body.
        const control = await call(op, token, valid);
        if (control.status === 400) failures.push(`${key} control ${JSON.stringify(valid)}: 400 ${JSON.stringify(control.body)}`);
        const fields = moneyFields(op.requestBody);
        for (const path of leafPaths(valid).filter((p) => fields.has(p))) {
          for (const amount of badAmounts(path, fields.get(path)!)) {
            const reply = await call(op, token, withField(valid, path, amount));
            if (reply.status !== 400) failures.push(`${key} ${JSON.stringify(valid)} ${path}=${JSON.stringify(amount)}: ${reply.status}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await fingerprint()).toBe(before);
  });
});
