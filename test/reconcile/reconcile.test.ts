import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ScheduleHandle } from '@temporalio/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ensureDatabase, migrate } from '../../src/db/migrate.js';
import { Prisma } from '../../src/db/client.js';
import { firmBalances } from '../../src/ledger/projections.js';
import { registry } from '../../src/metrics.js';
import { reconcile, type Break } from '../../src/reconcile/index.js';
import { ensureReconcileSchedule } from '../../src/schedules/reconcile.js';
import { workflowIds } from '../../workflows/definitions.js';
import { startApi, type Api } from '../api/harness.js';
import { eventually } from '../helpers/eventually.js';
import { createInvestor, createUser, startStack, type Stack } from '../helpers/stack.js';
import { depositUsdc, parkedProgress, provisionWallet } from '../workflows/support.js';

// Reconciliation holds the ledger and our rows against what Circle and Alpaca report. The firm's books cover
// every provider pool, so this file runs on a database of its own: no other test file's sagas move the pools.
// Real flows first (a deposit, a buy, a withdrawal), which must reconcile clean; then breaks planted on each
// side, each of which a run must report.

const execFileAsync = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
// The run's server (configured, local or embedded: test/helpers/global-setup.ts), its maintenance database.
const adminUrl = Object.assign(new URL(inject('databaseUrl')), { pathname: '/postgres' }).toString();
const databaseName = `fundflow_reconcile_${Date.now()}_${process.pid}`;
const databaseUrl = (() => {
  const url = new URL(inject('databaseUrl'));
  url.pathname = `/${databaseName}`;
  return url.toString();
})();

let stack: Stack;
let api: Api;
const schedules: ScheduleHandle[] = [];

/** The balances the sandbox starts with are money that entered outside the sagas: booked as firm:opening. */
async function bookOpeningBalances(): Promise<void> {
  const mintUsdc = await stack.providers.rails.balanceUsd();
  const firmUsd = await stack.providers.broker.firmCashUsd();
  const brokerageUsd = (await stack.providers.broker.getAccount()).cashUsd;
  const postings = [
    ['circle:mint', 'USDC', mintUsdc],
    ['firm:opening', 'USDC', `-${mintUsdc}`],
    ['alpaca:firm', 'USD', firmUsd],
    ['alpaca:brokerage', 'USD', brokerageUsd],
    ['firm:opening', 'USD', new Prisma.Decimal(firmUsd).plus(brokerageUsd).neg().toFixed()],
  ].filter(([, , amount]) => !new Prisma.Decimal(amount!).isZero());
  if (postings.length === 0) return;
  const rows = Prisma.join(postings.map(([account, asset, amount]) => Prisma.sql`(${account}, ${asset}, ${amount}::numeric)`));
  await stack.db.$executeRaw`
    WITH t AS (INSERT INTO ledger_transactions (reference, kind) VALUES ('fixture:sandbox', 'opening') RETURNING id)
    INSERT INTO ledger_postings (transaction_id, account, asset, amount)
    SELECT t.id, p.account, p.asset, p.amount FROM t CROSS JOIN (VALUES ${rows}) AS p(account, asset, amount)`;
}

const run = () => reconcile({ db: stack.db, providers: stack.providers, config: stack.config });
/** One run of the reconciliation workflow, its second look a second after the first. */
const reconcileRun = () =>
  stack.client.workflow.execute('reconciliationWorkflow', {
    taskQueue: stack.taskQueue,
    workflowId: `reconcile-test-${randomUUID()}`,
    args: [{ confirmAfterSeconds: 1 }],
  });
const named = (breaks: Break[], check: string, subject: string) => breaks.find((b) => b.check === check && b.subject === subject);

const target = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
let investor: { id: string };
let depositId: string;
let orderId: string;

beforeAll(async () => {
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);
  stack = await startStack({ name: 'reconcile', env: { DATABASE_URL: databaseUrl } });
  await stack.sandbox.control.setFills({ prices: { AAPL: '200.00' } });
  await bookOpeningBalances();

  // Real flows: 250 USDC deposited and funded, 100 USD of AAPL bought, 50 USD withdrawn to chain.
  investor = await createUser(stack.db);
  const wallet = await provisionWallet(stack, investor.id);
  const deposit = await depositUsdc(stack, { userId: investor.id, address: wallet.address, amount: '250.00' });
  expect(await deposit.handle.result()).toBe('broker_funded');
  depositId = (await stack.db.deposit.findUniqueOrThrow({ where: { chain_txHash: { chain: 'ethereum', txHash: deposit.txHash } } })).id;

  orderId = randomUUID();
  const order = await stack.accept('orderWorkflow', workflowIds.order(orderId), {
    orderId,
    userId: investor.id,
    assetType: 'stock',
    side: 'buy',
    symbol: 'AAPL',
    amountUsd: '100.00',
  });
  expect(order.result).toMatchObject({ accepted: true });
  await order.handle.result();

  const withdrawalId = randomUUID();
  const withdrawal = await stack.accept('withdrawalWorkflow', workflowIds.withdrawal(withdrawalId), {
    withdrawalId,
    userId: investor.id,
    amountUsd: '50.00',
    targetChain: 'ethereum',
    targetAddress: target,
  });
  expect(await withdrawal.handle.result()).toBe('complete');
  api = await startApi({ stack });
}, 180_000);

afterAll(async () => {
  for (const handle of schedules) await handle.delete().catch(() => {});
  await api?.close();
  await stack?.stop();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(databaseName)} WITH (FORCE)`);
  await admin.end();
});

describe('reconciliation against the providers', () => {
  it('every money-moving call is recorded once per provider effect, with our idempotency key', async () => {
    const movements = await stack.db.providerMovement.findMany({ orderBy: { id: 'asc' } });
    const kinds = movements.map((m) => `${m.provider} ${m.kind}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'circle-mint off_ramp',
        'alpaca broker_fund',
        'alpaca order',
        'alpaca broker_withdraw',
        'circle-mint on_ramp',
        'circle-mint mint_transfer',
        'circle-wallets chain_transfer',
      ]),
    );
    const deposit = await stack.db.deposit.findUniqueOrThrow({ where: { id: depositId } });
    const depositKeys = movements.filter((m) => m.idempotencyKey.startsWith(`${workflowIds.deposit('ethereum', deposit.txHash)}:`));
    expect(depositKeys.map((m) => [m.kind, m.amount.toFixed(2)])).toEqual(
      expect.arrayContaining([
        ['off_ramp', '250.00'],
        ['broker_fund', '250.00'],
      ]),
    );
    const toTarget = movements.filter(
      (m) => m.kind === 'chain_transfer' && (m.details as { destinationAddress?: string }).destinationAddress === target,
    );
    expect(toTarget.map((m) => [m.asset, m.amount.toFixed()])).toEqual([['USDC', '50']]);
  });

  it('after real flows (deposit, buy, withdrawal) every pool, projection, movement and position adds up', async () => {
    expect(await run()).toEqual([]);
  });

  it('a row and a balance wrong together: the deposit and the buying power both say 100 more than Circle paid out', async () => {
    await stack.db.$transaction([
      stack.db.$executeRaw`UPDATE deposits SET amount_stablecoin = amount_stablecoin + 100 WHERE id = ${depositId}::uuid`,
      stack.db.$executeRaw`UPDATE balances SET buying_power_usd = buying_power_usd + 100 WHERE user_id = ${investor.id}::uuid`,
    ]);
    const breaks = await run();
    expect(named(breaks, 'projection', `user:${investor.id}:buying_power USD`)).toMatchObject({ expected: '100.00', found: '200.00' });
    expect(named(breaks, 'deposit', `deposit:${depositId} off_ramp`)).toMatchObject({
      expected: '1 complete payout of 350.00 USD',
      found: '1 complete payout of 250.00 USD',
    });
  });

  it('a payout created at Circle with another key is a double effect, and the Mint balance no longer adds up', async () => {
    const ledgerMint = (await firmBalances(stack.db)).get('circle:mint USDC') ?? new Prisma.Decimal(0);
    const mintBefore = new Prisma.Decimal(await stack.providers.rails.balanceUsd());
    const mint = (p: string, init?: RequestInit) =>
      fetch(`${stack.sandbox.url}${p}`, {
        ...init,
        headers: { authorization: `Bearer ${stack.config.CIRCLE_API_KEY}`, 'content-type': 'application/json' },
      }).then((r) => r.json() as Promise<{ data: any }>);
    const bank = (await mint('/v1/businessAccount/banks/wires')).data[0];
    // Someone wires 100 USD to Mint and pays 75 out again, outside fundflow, with keys of their own.
    const instructions = (await mint(`/v1/businessAccount/banks/wires/${bank.id}/instructions`)).data;
    // The sandbox's firm bank is the Alpaca firm account: the wire needs money there first, from outside too.
    await fetch(`${stack.sandbox.url}/sandbox/broker/wires`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account: 'firm', amountUsd: '100.00' }),
    });
    await mint('/v1/mocks/payments/wire', {
      method: 'POST',
      body: JSON.stringify({
        trackingRef: instructions.trackingRef,
        amount: { amount: '100.00', currency: 'USD' },
        beneficiaryBank: { accountNumber: instructions.beneficiaryBank.accountNumber },
      }),
    });
    await eventually(async () => (await stack.providers.rails.balanceUsd()) === mintBefore.plus(100).toFixed(2) || undefined);
    const payout = (
      await mint('/v1/businessAccount/payouts', {
        method: 'POST',
        body: JSON.stringify({
          idempotencyKey: randomUUID(),
          destination: { type: 'wire', id: bank.id },
          amount: { amount: '75.00', currency: 'USD' },
        }),
      })
    ).data;
    expect(await stack.providers.rails.balanceUsd()).toBe(mintBefore.plus(25).toFixed(2));

    const breaks = await run();
    expect(named(breaks, 'unrecorded_effect', `circle-mint off_ramp ${payout.id}`)).toMatchObject({
      expected: 'none',
      found: expect.stringMatching(/^(pending|complete) 75\.00 USD$/),
    });
    expect(breaks.filter((b) => b.check === 'unrecorded_effect' && /^circle-mint on_ramp /.test(b.subject))).toMatchObject([
      { expected: 'none', found: 'complete 100.00 USD' },
    ]);
    expect(named(breaks, 'firm_balance', 'circle:mint USDC')).toEqual({
      check: 'firm_balance',
      subject: 'circle:mint USDC',
      expected: ledgerMint.toFixed(2),
      found: mintBefore.plus(25).toFixed(2),
    });
  });

  it('a deposit marked broker_funded whose journal the broker refused is a deposit without an executed journal', async () => {
    const user = await createUser(stack.db);
    const wallet = await provisionWallet(stack, user.id);
    await stack.sandbox.control.fault({ provider: 'alpaca-broker', operation: 'createJournal', kind: 'reject' });
    const started = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '40.00' });
    await parkedProgress(started.handle);
    const parked = await stack.db.deposit.findUniqueOrThrow({ where: { chain_txHash: { chain: 'ethereum', txHash: started.txHash } } });
    expect(named(await run(), 'deposit', `deposit:${parked.id} broker_fund`)).toBeUndefined();

    await stack.db.$executeRaw`UPDATE deposits SET status = 'broker_funded' WHERE id = ${parked.id}::uuid`;
    const breaks = await run();
    expect(named(breaks, 'deposit', `deposit:${parked.id} broker_fund`)).toMatchObject({
      expected: '1 executed journal of 40.00 USD',
      found: 'none',
    });
    expect(named(breaks, 'deposit', `deposit:${parked.id} off_ramp`)).toBeUndefined();
  });

  it('a position or a fill booked other than the broker holds it is a position drift and a fill break', async () => {
    const leg = await stack.db.orderLeg.findFirstOrThrow({ where: { orderId } });
    const brokerQty = (await stack.providers.broker.getPosition('AAPL'))!.qty;
    expect(leg.filledQuantity.toFixed()).toBe(new Prisma.Decimal(brokerQty).toFixed());

    await stack.db.$executeRaw`UPDATE positions_cache SET quantity = quantity + 1 WHERE user_id = ${investor.id}::uuid AND symbol = 'AAPL'`;
    await stack.db.$executeRaw`UPDATE order_legs SET filled_quantity = filled_quantity + 0.25 WHERE client_order_id = ${leg.clientOrderId}`;
    const breaks = await run();
    expect(named(breaks, 'position', 'AAPL')).toMatchObject({
      expected: new Prisma.Decimal(brokerQty).plus(1).toFixed(),
      found: new Prisma.Decimal(brokerQty).toFixed(),
    });
    expect(named(breaks, 'order_fill', `order-leg:${leg.clientOrderId}`)).toMatchObject({
      expected: new Prisma.Decimal(brokerQty).plus(0.25).toFixed(),
      found: new Prisma.Decimal(brokerQty).toFixed(),
    });
  });

  it('npm run reconcile prints the breaks as a table, with its progress, and exits non-zero', async () => {
    const env = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'silent',
      CIRCLE_WALLETS_BASE_URL: stack.config.CIRCLE_WALLETS_BASE_URL,
      CIRCLE_MINT_BASE_URL: stack.config.CIRCLE_MINT_BASE_URL,
      ALPACA_TRADING_BASE_URL: stack.config.ALPACA_TRADING_BASE_URL!,
      ALPACA_BROKER_BASE_URL: stack.config.ALPACA_BROKER_BASE_URL,
      ALPACA_RATE_LIMIT_PER_MINUTE: '100000',
    };
    const failure = await execFileAsync('npm', ['run', '--silent', 'reconcile'], { cwd: root, env }).then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure!.stderr).toMatch(/reading Circle Mint/);
    const lines = failure!.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^check\s+\|\s+account or movement\s+\|\s+expected\s+\|\s+found/);
    expect(
      lines.some((l) => /^position\s+\| AAPL\s+\|/.test(l)),
      failure!.stdout,
    ).toBe(true);
    expect(
      lines.some((l) => /^unrecorded_effect\s+\| circle-mint off_ramp /.test(l)),
      failure!.stdout,
    ).toBe(true);
    expect(lines.at(-1)).toMatch(/^\d+ breaks$/);
  });

  it('the hourly schedule stores each break once, counts the open ones, and an operator resolves one with a note', async () => {
    const scheduleId = `reconciliation-test-${randomUUID()}`;
    const handle = await ensureReconcileSchedule(stack.client, stack.config, { scheduleId });
    schedules.push(handle);
    const described = await handle.describe();
    expect(described.action).toMatchObject({ workflowType: 'reconciliationWorkflow', taskQueue: stack.config.TEMPORAL_TASK_QUEUE });
    for (const at of described.info.nextActionTimes) expect([at.getUTCMinutes(), at.getUTCSeconds()]).toEqual([0, 0]);

    const expected = await run();
    const once = await reconcileRun();
    expect(once).toEqual({ breaks: expected.length, passing: 0, open: expected.length });
    const again = await reconcileRun();
    expect(again).toEqual({ breaks: expected.length, passing: 0, open: expected.length });
    expect(await stack.db.reconciliationBreak.count()).toBe(expected.length);
    const gauge = await registry.getSingleMetric('fundflow_reconciliation_breaks_open')!.get();
    expect(gauge.values.reduce((sum, v) => sum + v.value, 0)).toBe(expected.length);

    const operator = { as: 'ops-reconcile', operator: true };
    const listed = await api.request('GET', '/v1/admin/reconciliation/breaks?status=open&limit=100', operator);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(expected.length);
    const position = listed.body.items.find((b: { check: string; subject: string }) => b.check === 'position' && b.subject === 'AAPL');
    expect(position).toMatchObject({ status: 'open', resolvedAt: null });

    expect((await api.request('GET', '/v1/admin/reconciliation/breaks', { as: 'customer' })).status).toBe(403);
    const resolved = await api.request('POST', `/v1/admin/reconciliation/breaks/${position.id}/resolve`, {
      ...operator,
      body: { note: 'cache corrected by hand' },
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({
      id: position.id,
      status: 'resolved',
      resolvedBy: 'ops-reconcile',
      resolutionNote: 'cache corrected by hand',
    });
    const twice = await api.request('POST', `/v1/admin/reconciliation/breaks/${position.id}/resolve`, {
      ...operator,
      body: { note: 'again' },
    });
    expect(twice.status).toBe(409);
    const audit = await stack.db.operatorAuditEntry.findMany({ where: { targetId: position.id }, orderBy: { createdAt: 'asc' } });
    expect(audit.map((a) => [a.action, a.targetKind, a.outcome])).toEqual([
      ['reconciliation_resolve', 'reconciliation_break', 'accepted'],
      ['reconciliation_resolve', 'reconciliation_break', 'refused'],
    ]);
    const open = await api.request('GET', '/v1/admin/reconciliation/breaks?status=open&limit=100', operator);
    expect(open.body.items.map((b: { id: string }) => b.id)).not.toContain(position.id);

    // Still wrong at the next run: a new open break, the resolved one stays as the operator left it.
    await reconcileRun();
    const rows = await stack.db.reconciliationBreak.findMany({
      where: { checkName: 'position', subject: 'AAPL' },
      orderBy: { firstSeenAt: 'asc' },
    });
    expect(rows.map((r) => r.status)).toEqual(['resolved', 'open']);
  });

  it('a break seen at the first look and gone at the second (money in flight) is not stored; one seen twice is', async () => {
    const user = await createInvestor(stack, '5.00');
    const subject = `user:${user.id}:buying_power USD`;
    await stack.db.$executeRaw`UPDATE balances SET buying_power_usd = buying_power_usd + 1 WHERE user_id = ${user.id}::uuid`;
    const openBefore = await stack.db.reconciliationBreak.count({ where: { status: 'open' } });
    const handle = await stack.client.workflow.start('reconciliationWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: `reconcile-test-${randomUUID()}`,
      args: [{ confirmAfterSeconds: 2 }],
    });
    // Between the looks (the workflow's timer is running) the balance is put back: it was in flight.
    await eventually(async () => ((await handle.fetchHistory()).events ?? []).some((e) => e.timerStartedEventAttributes) || undefined);
    await stack.db.$executeRaw`UPDATE balances SET buying_power_usd = buying_power_usd - 1 WHERE user_id = ${user.id}::uuid`;
    expect(await handle.result()).toMatchObject({ passing: 1, open: openBefore });
    expect(await stack.db.reconciliationBreak.count({ where: { subject } })).toBe(0);

    await stack.db.$executeRaw`UPDATE balances SET buying_power_usd = buying_power_usd + 1 WHERE user_id = ${user.id}::uuid`;
    expect(await reconcileRun()).toMatchObject({ passing: 0, open: openBefore + 1 });
    expect(await stack.db.reconciliationBreak.findMany({ where: { subject } })).toMatchObject([
      { status: 'open', expected: '5.00', found: '6.00' },
    ]);
  });
});
