import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCircleWallets } from '../../src/providers/circle/wallets.js';
import type { WalletsPort } from '../../src/providers/ports.js';
import { eventually } from '../helpers/eventually.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { Conformance, type Answer, type Exception, type ProviderDescription } from './openapi/conformance.js';

// The sandbox against the providers' own OpenAPI descriptions: every operation fundflow calls at Circle Mint and
// Alpaca (Trading and Broker API) is driven over HTTP, and each answer's status and body are checked against
// what the provider's published description documents for it (test/providers/openapi/, README.md there names
// the sources). Circle's Programmable Wallets (W3S) API publishes no machine-readable description; it is not
// covered here (see that README).
//
// Where the sandbox answers as the real provider does and the description is silent or wrong, the deviation is
// accepted below, each with its reason; anything else is a failure to fix in the sandbox.

const exceptions: Exception[] = [
  {
    description: 'circle-mint',
    method: 'post',
    path: '/v1/businessAccount/payouts',
    status: 409,
    reason:
      'an idempotency key reused for another request: Circle answers 409 {code, message} (PROVIDERS.md); the description documents 409 Conflict for two other operations only',
  },
  {
    description: 'alpaca-trading',
    method: 'get',
    path: '/v2/positions/{symbol_or_asset_id}',
    status: 404,
    reason:
      'Alpaca answers 404 {code: 40410000, "position does not exist"} for a symbol the account does not hold; the description lists 200 only, and the adapter reads this 404 as "no position"',
  },
  {
    description: 'alpaca-trading',
    method: 'get',
    path: '/v2/orders/{order_id}',
    status: 404,
    reason: 'Alpaca answers 404 {code: 40410000} for an unknown order id; the description lists 200 only',
  },
  {
    description: 'alpaca-broker',
    method: 'post',
    path: '/v1/journals',
    status: 403,
    reason:
      'the description types every error body of this operation as a bare string (a placeholder); Alpaca answers {code, message} like everywhere else, which the adapter reads',
  },
  {
    description: 'alpaca-broker',
    method: 'post',
    path: '/v1/journals',
    status: 422,
    reason:
      'a reused Idempotency-Key with another body: Alpaca answers 422 (PROVIDERS.md); this 2022 description predates Idempotency-Key on journals',
  },
  {
    description: 'alpaca-broker',
    method: 'get',
    path: '/v1/journals',
    status: 200,
    instancePath: /^\/\d+\/status$/,
    transient: true,
    reason:
      'a journal passes through sent_to_clearing on its way to executed (PROVIDERS.md lists it among the journal statuses Alpaca sends); the enum of this 2022 description predates it. A list read in that moment shows it',
  },
];

const conformance = new Conformance(exceptions);
let sandbox: TestSandbox;
let wallets: WalletsPort;
/** Real Alpaca account ids are UUIDs (the test environment's default firm account id is not). */
const firmAccountId = randomUUID();

beforeAll(async () => {
  sandbox = await startTestSandbox({ firmAccountId });
  wallets = createCircleWallets(sandbox.config());
});
afterAll(() => sandbox.stop());

type Method = 'get' | 'post' | 'delete';

/** Calls the sandbox as the provider's client would and checks the answer against the description. */
async function call(
  description: ProviderDescription,
  method: Method,
  route: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const config = sandbox.config();
  const auth: Record<ProviderDescription, Record<string, string>> = {
    'circle-mint': { authorization: `Bearer ${config.CIRCLE_API_KEY}` },
    'alpaca-trading': { 'apca-api-key-id': config.ALPACA_KEY_ID, 'apca-api-secret-key': config.ALPACA_SECRET_KEY },
    'alpaca-broker': {
      authorization: `Basic ${Buffer.from(`${config.ALPACA_BROKER_KEY}:${config.ALPACA_BROKER_SECRET}`).toString('base64')}`,
    },
  };
  const res = await fetch(`${sandbox.url}${url}`, {
    method: method.toUpperCase(),
    headers: {
      accept: 'application/json',
      ...auth[description],
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const answer: Answer = { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  expect(
    conformance.problems(description, method, route, answer),
    `${description} ${method.toUpperCase()} ${url} → ${answer.status} ${text.slice(0, 400)}`,
  ).toEqual([]);
  return answer;
}

const data = <T = Record<string, unknown>>(answer: Answer) => (answer.body as { data: T }).data;

describe('the sandbox answers as Circle Mint describes its API', () => {
  const mint = (method: Method, route: string, url = route, body?: unknown) => call('circle-mint', method, route, url, body);
  const billing = { name: 'Fundflow Inc', city: 'Boston', country: 'US', line1: '100 Money Street', district: 'MA', postalCode: '01234' };

  it('wire bank account, instructions, the mock incoming wire, deposits and balances', async () => {
    const bank = data(
      await mint('post', '/v1/businessAccount/banks/wires', undefined, {
        idempotencyKey: randomUUID(),
        accountNumber: '12340010',
        routingNumber: '121000248',
        billingDetails: billing,
        bankAddress: { bankName: 'SAN FRANCISCO', city: 'SAN FRANCISCO', country: 'US', line1: '100 Money Street', district: 'CA' },
      }),
    );
    const instructions = data<{ trackingRef: string; beneficiaryBank: { accountNumber: string } }>(
      await mint(
        'get',
        '/v1/businessAccount/banks/wires/{id}/instructions',
        `/v1/businessAccount/banks/wires/${String(bank.id)}/instructions?currency=USD`,
      ),
    );
    await mint(
      'get',
      '/v1/businessAccount/banks/wires/{id}/instructions',
      `/v1/businessAccount/banks/wires/${randomUUID()}/instructions?currency=USD`,
    );

    await sandbox.control.brokerWire({ account: 'firm', amountUsd: '1000.00' });
    await mint('post', '/v1/mocks/payments/wire', undefined, {
      trackingRef: instructions.trackingRef,
      amount: { amount: '600.00', currency: 'USD' },
      beneficiaryBank: { accountNumber: instructions.beneficiaryBank.accountNumber },
    });
    // pending, then complete: both shapes are checked.
    await mint('get', '/v1/businessAccount/deposits', '/v1/businessAccount/deposits?type=wire&pageSize=50');
    await eventually(
      async () =>
        data<Array<{ status: string }>>(await mint('get', '/v1/businessAccount/deposits', '/v1/businessAccount/deposits?type=wire')),
      (deposits) => deposits.every((d) => d.status === 'complete'),
    );
    expect(data<{ available: unknown[] }>(await mint('get', '/v1/businessAccount/balances')).available).toEqual([
      { amount: '600.00', currency: 'USD' },
    ]);

    const payout = data(
      await mint('post', '/v1/businessAccount/payouts', undefined, {
        idempotencyKey: randomUUID(),
        destination: { type: 'wire', id: bank.id },
        amount: { amount: '125.50', currency: 'USD' },
      }),
    );
    await mint('get', '/v1/businessAccount/payouts/{id}', `/v1/businessAccount/payouts/${String(payout.id)}`);
    await eventually(
      async () =>
        data<{ status: string }>(await mint('get', '/v1/businessAccount/payouts/{id}', `/v1/businessAccount/payouts/${String(payout.id)}`)),
      (p) => p.status === 'complete',
    );
    // A payout beyond the balance is created and fails later with its error code.
    const refused = data(
      await mint('post', '/v1/businessAccount/payouts', undefined, {
        idempotencyKey: randomUUID(),
        destination: { type: 'wire', id: bank.id },
        amount: { amount: '9999.00', currency: 'USD' },
      }),
    );
    await eventually(
      async () =>
        data<{ status: string }>(
          await mint('get', '/v1/businessAccount/payouts/{id}', `/v1/businessAccount/payouts/${String(refused.id)}`),
        ),
      (p) => p.status === 'failed',
    );
    await mint('get', '/v1/businessAccount/payouts', '/v1/businessAccount/payouts?pageSize=10');
    await mint('get', '/v1/businessAccount/payouts/{id}', `/v1/businessAccount/payouts/${randomUUID()}`);

    const idempotencyKey = randomUUID();
    await mint('post', '/v1/businessAccount/payouts', undefined, {
      idempotencyKey,
      destination: { type: 'wire', id: bank.id },
      amount: { amount: '1.00', currency: 'USD' },
    });
    const conflict = await mint('post', '/v1/businessAccount/payouts', undefined, {
      idempotencyKey,
      destination: { type: 'wire', id: bank.id },
      amount: { amount: '2.00', currency: 'USD' },
    });
    expect(conflict.status).toBe(409);
    await mint('post', '/v1/businessAccount/payouts', undefined, {
      idempotencyKey: randomUUID(),
      destination: { type: 'wire', id: bank.id },
      amount: { amount: '-1', currency: 'USD' },
    });
  });

  it('recipient book, deposit addresses and on-chain transfers both ways', async () => {
    await sandbox.control.brokerWire({ account: 'firm', amountUsd: '100.00' });
    const bank = data(
      await mint('post', '/v1/businessAccount/banks/wires', undefined, {
        idempotencyKey: randomUUID(),
        accountNumber: '12340011',
        routingNumber: '121000248',
        billingDetails: billing,
        bankAddress: { country: 'US' },
      }),
    );
    const instructions = data<{ trackingRef: string; beneficiaryBank: { accountNumber: string } }>(
      await mint(
        'get',
        '/v1/businessAccount/banks/wires/{id}/instructions',
        `/v1/businessAccount/banks/wires/${String(bank.id)}/instructions`,
      ),
    );
    await mint('post', '/v1/mocks/payments/wire', undefined, {
      trackingRef: instructions.trackingRef,
      amount: { amount: '100.00', currency: 'USD' },
      beneficiaryBank: { accountNumber: instructions.beneficiaryBank.accountNumber },
    });

    const wallet = await wallets.createWallet({
      userId: `treasury-${randomUUID()}`,
      chain: 'ethereum',
      idempotencyKey: `conformance-${randomUUID()}`,
    });
    const recipient = data(
      await mint('post', '/v1/businessAccount/wallets/addresses/recipient', undefined, {
        idempotencyKey: randomUUID(),
        address: wallet.address,
        chain: 'ETH',
        currency: 'USD',
        description: 'treasury (ethereum)',
      }),
    );
    await mint('post', '/v1/businessAccount/wallets/addresses/recipient', undefined, {
      idempotencyKey: randomUUID(),
      address: 'not-an-address',
      chain: 'ETH',
      currency: 'USD',
      description: 'bad',
    });

    const deposit = data<{ address: string }>(
      await mint('post', '/v1/businessAccount/wallets/addresses/deposit', undefined, {
        idempotencyKey: randomUUID(),
        currency: 'USD',
        chain: 'ETH',
      }),
    );
    await mint('get', '/v1/businessAccount/wallets/addresses/deposit');

    // Out: Mint → the treasury wallet (pending, then complete with its transaction hash).
    await eventually(
      async () => data<{ available: Array<{ amount: string }> }>(await mint('get', '/v1/businessAccount/balances')),
      (b) => b.available[0]?.amount !== '0.00',
    );
    const transfer = data(
      await mint('post', '/v1/businessAccount/transfers', undefined, {
        idempotencyKey: randomUUID(),
        destination: { type: 'verified_blockchain', addressId: recipient.id },
        amount: { amount: '40.00', currency: 'USD' },
      }),
    );
    await mint('get', '/v1/businessAccount/transfers/{id}', `/v1/businessAccount/transfers/${String(transfer.id)}`);
    await eventually(
      async () =>
        data<{ status: string }>(
          await mint('get', '/v1/businessAccount/transfers/{id}', `/v1/businessAccount/transfers/${String(transfer.id)}`),
        ),
      (t) => t.status === 'complete',
    );

    // In: the wallet sends USDC back to Mint's deposit address; Mint lists the credit as an incoming transfer.
    const sent = await wallets.sendUsdc({
      walletId: wallet.id,
      chain: 'ethereum',
      destinationAddress: deposit.address,
      amountUsdc: '15',
      idempotencyKey: `conformance-${randomUUID()}`,
    });
    await eventually(
      () => wallets.getTransfer(sent.id),
      (t) => t.state === 'complete',
    );
    const listed = data<Array<{ source: { type: string } }>>(
      await mint('get', '/v1/businessAccount/transfers', '/v1/businessAccount/transfers?pageSize=50'),
    );
    expect(listed.map((t) => t.source.type).sort()).toEqual(['blockchain', 'wallet']);
  });
});

describe('the sandbox answers as Alpaca describes its Trading API', () => {
  const trading = (method: Method, route: string, url = route, body?: unknown) => call('alpaca-trading', method, route, url, body);

  it('account, orders (placed, looked up, listed, canceled, refused) and positions', async () => {
    await sandbox.control.brokerWire({ account: 'trading', amountUsd: '5000.00' });
    await sandbox.control.setFills({ prices: { AAPL: '200.00' } });
    await trading('get', '/v2/account');

    const clientOrderId = `conformance-${randomUUID()}`;
    const bought = (
      await trading('post', '/v2/orders', undefined, {
        symbol: 'AAPL',
        side: 'buy',
        type: 'market',
        time_in_force: 'day',
        notional: '1000',
        client_order_id: clientOrderId,
      })
    ).body as { id: string };
    await trading('get', '/v2/orders/{order_id}', `/v2/orders/${bought.id}`);
    await trading('get', '/v2/orders:by_client_order_id', `/v2/orders:by_client_order_id?client_order_id=${clientOrderId}`);
    await eventually(
      async () => (await trading('get', '/v2/orders/{order_id}', `/v2/orders/${bought.id}`)).body as { status: string },
      (o) => o.status === 'filled',
    );

    const resting = (
      await trading('post', '/v2/orders', undefined, {
        symbol: 'MSFT',
        side: 'buy',
        type: 'limit',
        time_in_force: 'gtc',
        qty: '2',
        limit_price: '1.00',
        client_order_id: `conformance-${randomUUID()}`,
      })
    ).body as { id: string };
    await trading('get', '/v2/orders', '/v2/orders?status=all&limit=500&direction=asc&nested=false');
    expect((await trading('delete', '/v2/orders/{order_id}', `/v2/orders/${resting.id}`)).status).toBe(204);
    expect((await trading('delete', '/v2/orders/{order_id}', `/v2/orders/${resting.id}`)).status).toBe(422);
    await eventually(
      async () => (await trading('get', '/v2/orders/{order_id}', `/v2/orders/${resting.id}`)).body as { status: string },
      (o) => o.status === 'canceled',
    );
    await trading('get', '/v2/orders', '/v2/orders?status=closed');

    expect(
      (
        await trading('post', '/v2/orders', undefined, {
          symbol: 'AAPL',
          side: 'buy',
          type: 'market',
          time_in_force: 'day',
          notional: '100000',
          client_order_id: `conformance-${randomUUID()}`,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await trading('post', '/v2/orders', undefined, {
          symbol: 'AAPL',
          side: 'buy',
          type: 'market',
          time_in_force: 'day',
          client_order_id: `conformance-${randomUUID()}`,
        })
      ).status,
    ).toBe(422);
    expect((await trading('get', '/v2/orders/{order_id}', `/v2/orders/${randomUUID()}`)).status).toBe(404);

    await trading('get', '/v2/positions');
    await trading('get', '/v2/positions/{symbol_or_asset_id}', '/v2/positions/AAPL');
    expect((await trading('get', '/v2/positions/{symbol_or_asset_id}', '/v2/positions/TSLA')).status).toBe(404);
    await trading('get', '/v2/account');
  });
});

describe('the sandbox answers as Alpaca describes its Broker API', () => {
  const broker = (method: Method, route: string, url = route, body?: unknown, headers?: Record<string, string>) =>
    call('alpaca-broker', method, route, url, body, headers);

  it("cash journals between the firm and the trading account, and the accounts' cash", async () => {
    await sandbox.control.brokerWire({ account: 'firm', amountUsd: '300.00' });
    const account = (await call('alpaca-trading', 'get', '/v2/account', '/v2/account')).body as { id: string };
    const key = randomUUID();
    const journal = {
      entry_type: 'JNLC',
      from_account: firmAccountId,
      to_account: account.id,
      amount: '120.00',
      description: 'conformance',
    };
    await broker('post', '/v1/journals', undefined, journal, { 'idempotency-key': key });
    expect((await broker('post', '/v1/journals', undefined, journal, { 'idempotency-key': key })).status).toBe(200);
    expect((await broker('post', '/v1/journals', undefined, { ...journal, amount: '1.00' }, { 'idempotency-key': key })).status).toBe(422);
    expect(
      (await broker('post', '/v1/journals', undefined, { ...journal, amount: '100000.00' }, { 'idempotency-key': randomUUID() })).status,
    ).toBe(403);
    await broker('get', '/v1/journals', '/v1/journals?entry_type=JNLC');
    await eventually(
      async () => (await broker('get', '/v1/journals', '/v1/journals?entry_type=JNLC')).body as Array<{ status: string }>,
      (js) => js.every((j) => j.status === 'executed'),
    );
    await broker('get', '/v1/trading/accounts/{account_id}/account', `/v1/trading/accounts/${firmAccountId}/account`);
    await broker('get', '/v1/trading/accounts/{account_id}/account', `/v1/trading/accounts/${account.id}/account`);
  });
});

describe('the check itself', () => {
  it('every operation of the kept descriptions was exercised, and every exception was needed', () => {
    const all = (['circle-mint', 'alpaca-trading', 'alpaca-broker'] as const).flatMap((d) => conformance.operations(d));
    expect(all.filter((op) => !conformance.exercised.has(op))).toEqual([]);
    expect(conformance.unusedExceptions().map((e) => `${e.description} ${e.method} ${e.path} ${e.status ?? ''}`)).toEqual([]);
  });

  it('finds what a provider would not send: an undocumented status, a missing field, a value outside an enum, a null', () => {
    const check = new Conformance();
    expect(check.problems('alpaca-trading', 'get', '/v2/orders/{order_id}', { status: 500, body: {} })).toEqual([
      expect.stringContaining('status 500 is not documented'),
    ]);
    expect(
      check.problems('alpaca-trading', 'get', '/v2/positions/{symbol_or_asset_id}', { status: 200, body: { symbol: 'AAPL' } }),
    ).toContain("(body) must have required property 'qty'");
    expect(
      check.problems('circle-mint', 'get', '/v1/businessAccount/payouts/{id}', {
        status: 200,
        body: { data: { id: randomUUID(), status: 'settled' } },
      }),
    ).toEqual([expect.stringMatching(/^\/data\/status must be equal to one of the allowed values/)]);
    expect(
      check.problems('alpaca-broker', 'get', '/v1/journals', {
        status: 200,
        body: [{ id: randomUUID(), entry_type: 'JNLC', net_amount: null }],
      }).length,
    ).toBeGreaterThan(0);
  });
});
