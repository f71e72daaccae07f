import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelOrderSignal, depositTransferUpdate, kycDecisionSignal, workflowIds } from '../../workflows/definitions.js';
import { weeklySummaryRunWorkflow } from '../../workflows/summary.js';
import { inWeek, seedDeposit } from '../summaries/seed.js';
import { orderReaches } from '../orders/support.js';
import { eventually } from '../helpers/eventually.js';
import { createInvestor, createUser, startStack, type Stack } from '../helpers/stack.js';
import { depositUsdc, parkedProgress, provisionWallet } from '../workflows/support.js';
import { recordHistory } from './histories.js';
import { operatorDecides } from '../helpers/operator.js';

// `RECORD_HISTORIES=1 npx vitest run test/replay/record.test.ts` runs one saga per outcome and writes its
// history to histories/<name>.json (commit them); `RECORD_HISTORIES_SUFFIX=-before-<patch>` names the recordings of
// the released code kept beside them (docs/versioning.md). Record again only when a workflow change is meant to be
// incompatible with runs in flight (and ship it behind patched()/a new workflow type instead, when it is).
// histories/deposit-funded-before-sweep.json is not recorded here: a deposit from before the sweep to Mint
// (patch `deposit-sweep-to-mint`), kept so runs in flight from then still replay; likewise
// withdrawal-transfer-refused-before-mint-credit.json, a compensation from before its treasury return waited for
// Mint's credit (patch `treasury-return-credited-by-mint`).

const recording = process.env.RECORD_HISTORIES === '1';

describe.skipIf(!recording)('recording saga histories', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ name: 'record' });
  });
  afterAll(async () => stack?.stop());

  it('kyc approved', async () => {
    const user = await createUser(stack.db, { kycStatus: 'not_started' });
    const { handle } = await stack.accept('kycWorkflow', workflowIds.kyc(user.id), { userId: user.id });
    await handle.signal(kycDecisionSignal, { decision: 'approved' });
    expect(await handle.result()).toBe('approved');
    await recordHistory('kyc-approved', handle);
  });

  it('kyc rejected', async () => {
    const user = await createUser(stack.db, { kycStatus: 'not_started' });
    const { handle } = await stack.accept('kycWorkflow', workflowIds.kyc(user.id), { userId: user.id });
    await handle.signal(kycDecisionSignal, { decision: 'rejected', reason: 'document unreadable' });
    expect(await handle.result()).toBe('rejected');
    await recordHistory('kyc-rejected', handle);
  });

  it('wallet parked at Circle, then retried', async () => {
    const user = await createUser(stack.db);
    await stack.sandbox.control.fault({ provider: 'circle-wallets', operation: 'getWallet', kind: 'reject' });
    const { handle } = await stack.accept('walletWorkflow', workflowIds.wallet(user.id, 'solana'), { userId: user.id, chain: 'solana' });
    await parkedProgress(handle);
    await operatorDecides(handle, 'retry');
    expect(await handle.result()).toBe('active');
    await recordHistory('wallet-parked-retried', handle);
  });

  it('deposit whose payout fails at Circle, retried by an operator as a second payout', async () => {
    const user = await createUser(stack.db);
    const wallet = await provisionWallet(stack, user.id, 'solana');
    await stack.sandbox.control.fault({ provider: 'circle-mint', operation: 'createPayout', kind: 'reject' });
    const deposit = await depositUsdc(stack, { userId: user.id, chain: 'solana', address: wallet.address, amount: '6' });
    await parkedProgress(deposit.handle);
    await operatorDecides(deposit.handle, 'retry');
    expect(await deposit.handle.result()).toBe('broker_funded');
    await recordHistory('deposit-payout-failed-second-round', deposit.handle);
  });

  it('deposit woken by news during its wait for the transfer', async () => {
    const user = await createUser(stack.db);
    const wallet = await provisionWallet(stack, user.id, 'solana');
    await stack.sandbox.control.settings({ stepDelayMs: 4_000 });
    const deposit = await depositUsdc(stack, { userId: user.id, chain: 'solana', address: wallet.address, amount: '2' });
    await stack.sandbox.control.settings({ stepDelayMs: 20 });
    // The wait has polled at least twice (retried attempts, or reads and timers on the code before): news now.
    await eventually(async () => {
      const { raw } = await deposit.handle.describe();
      const events = (await deposit.handle.fetchHistory()).events ?? [];
      const attempt = raw.pendingActivities?.find((a) => a.activityType?.name === 'readDepositTransfer')?.attempt ?? 0;
      return attempt >= 2 || events.some((e) => e.timerStartedEventAttributes) || undefined;
    });
    await deposit.handle.signal(depositTransferUpdate, { transferId: 'news', state: 'pending' });
    expect(await deposit.handle.result()).toBe('broker_funded');
    await recordHistory('deposit-woken-by-news', deposit.handle);
  });

  it('weekly summary run with its children', async () => {
    const week = '2024-03-04';
    const user = await createUser(stack.db);
    await seedDeposit(stack.db, user.id, { amountUsdc: '12.00', at: inWeek(week, 5) });
    const run = await stack.client.workflow.start(weeklySummaryRunWorkflow, {
      workflowId: workflowIds.summaryRun(week),
      taskQueue: stack.taskQueue,
      args: [{ weekStartDate: week }],
    });
    expect(await run.result()).toMatchObject({ weekStartDate: week, failed: 0 });
    await recordHistory('summary-run', stack.client.workflow.getHandle(workflowIds.summaryRun(week)));
    await recordHistory('summary-user', stack.client.workflow.getHandle(workflowIds.summary(user.id, week)));
  });

  it('wallet active, deposit funded, deposit parked then retried, deposit payout refused then aborted into suspense', async () => {
    const user = await createUser(stack.db);
    const wallet = await provisionWallet(stack, user.id);
    await recordHistory('wallet-active', stack.client.workflow.getHandle(workflowIds.wallet(user.id, 'ethereum')));

    const funded = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '25.129999' });
    expect(await funded.handle.result()).toBe('broker_funded');
    await recordHistory('deposit-funded', funded.handle);

    await stack.sandbox.control.fault({ provider: 'alpaca-broker', operation: 'createJournal', kind: 'reject' });
    const parked = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '3' });
    await parkedProgress(parked.handle);
    await operatorDecides(parked.handle, 'retry');
    expect(await parked.handle.result()).toBe('broker_funded');
    await recordHistory('deposit-parked-retried', parked.handle);

    // A confirmed deposit whose payout Circle refuses parks; the operator's abort records its USDC in suspense.
    await stack.sandbox.control.fault({ provider: 'circle-mint', operation: 'createPayout', kind: 'reject' });
    const refused = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '4' });
    await parkedProgress(refused.handle);
    await eventually(() =>
      operatorDecides(refused.handle, 'abort').then(
        () => true,
        () => undefined,
      ),
    );
    expect(await refused.handle.result()).toBe('failed');
    await recordHistory('deposit-payout-refused-aborted', refused.handle);
  });

  it('withdrawal complete, compensated after a refused transfer, aborted by an operator', async () => {
    const user = await createInvestor(stack, '100.00');
    const withdraw = async (amountUsd: string) => {
      const withdrawalId = randomUUID();
      return stack.accept('withdrawalWorkflow', workflowIds.withdrawal(withdrawalId), {
        withdrawalId,
        userId: user.id,
        amountUsd,
        targetChain: 'ethereum',
        targetAddress: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
      });
    };
    const complete = await withdraw('10.00');
    expect(await complete.handle.result()).toBe('complete');
    await recordHistory('withdrawal-complete', complete.handle);

    await stack.sandbox.control.fault({ provider: 'circle-wallets', operation: 'createTransaction', kind: 'reject' });
    const refused = await withdraw('20.00');
    expect(await refused.handle.result()).toBe('failed');
    await recordHistory('withdrawal-transfer-refused', refused.handle);

    // Parked at the on-ramp, which then fails at Circle: only then does the saga take the operator's abort.
    await stack.sandbox.control.fault({ provider: 'circle-mint', operation: 'createMockWire', kind: 'reject' });
    await stack.sandbox.control.fault({ provider: 'circle-mint', operation: 'listDeposits', kind: 'reject' });
    const aborted = await withdraw('30.00');
    await parkedProgress(aborted.handle);
    await eventually(() =>
      operatorDecides(aborted.handle, 'abort').then(
        () => true,
        () => undefined,
      ),
    );
    expect(await aborted.handle.result()).toBe('failed');
    await recordHistory('withdrawal-aborted', aborted.handle);
  });

  it('order bought, then sold by quantity', async () => {
    const user = await createInvestor(stack, '100.00');
    await stack.sandbox.control.setFills({ prices: { RPLY: '10.00' } });
    const order = (input: Record<string, unknown>) => {
      const orderId = randomUUID();
      return stack.accept('orderWorkflow', workflowIds.order(orderId), {
        orderId,
        userId: user.id,
        assetType: 'stock',
        symbol: 'RPLY',
        ...input,
      });
    };
    const bought = await order({ side: 'buy', amountUsd: '50.00' });
    expect(await bought.handle.result()).toMatchObject({ status: 'filled' });
    await recordHistory('order-buy-filled', bought.handle);

    const sold = await order({ side: 'sell', quantity: '2' });
    expect(sold.result.accepted).toBe(true);
    expect(await sold.handle.result()).toMatchObject({ status: 'filled' });
    await recordHistory('order-sell-filled', sold.handle);
  });

  it('order canceled after a partial fill, order aborted by an operator', async () => {
    const user = await createInvestor(stack, '200.00');
    const order = (input: Record<string, unknown>) => {
      const orderId = randomUUID();
      return {
        orderId,
        started: stack.accept('orderWorkflow', workflowIds.order(orderId), {
          orderId,
          userId: user.id,
          assetType: 'etf',
          side: 'buy',
          ...input,
        }),
      };
    };
    await stack.sandbox.control.setFills({ prices: { RPLC: '100.00' }, partialFillRatio: 0.5 });
    const partial = order({ symbol: 'RPLC', amountUsd: '50.00' });
    const { handle: canceling } = await partial.started;
    await orderReaches(stack, partial.orderId, 'partially_filled');
    await canceling.signal(cancelOrderSignal);
    expect(await canceling.result()).toMatchObject({ status: 'canceled' });
    await recordHistory('order-canceled', canceling);

    await stack.sandbox.control.setFills({ partialFillRatio: 1, fillDelayMs: 60_000 });
    await stack.sandbox.control.fault({ provider: 'alpaca', operation: 'getOrder', kind: 'reject' });
    const parked = order({ symbol: 'RPLA', amountUsd: '60.00' });
    const { handle: aborting } = await parked.started;
    await parkedProgress(aborting);
    await operatorDecides(aborting, 'abort', 'broker account under review');
    expect(await aborting.result()).toMatchObject({ status: 'failed' });
    await recordHistory('order-aborted', aborting);
    await stack.sandbox.control.setFills({ fillDelayMs: 0 });
  });
});
