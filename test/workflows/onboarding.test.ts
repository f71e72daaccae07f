import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidEthereumAddress, isValidSolanaAddress } from '../../src/domain/addresses.js';
import { kycDecisionSignal, searchAttributes, workflowIds } from '../../workflows/definitions.js';
import { balancesOf, createUser, startStack, type Stack } from '../helpers/stack.js';
import { providerErrors } from '../../src/metrics.js';
import { eventually } from '../helpers/eventually.js';
import { provisionWallet } from './support.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ name: 'onboarding' });
});
afterAll(async () => stack?.stop());

describe('KYC', () => {
  it('a user who submits is pending, and approval opens their balances at zero', async () => {
    const user = await createUser(stack.db, { kycStatus: 'not_started', balance: false });
    const { result, handle } = await stack.accept('kycWorkflow', workflowIds.kyc(user.id), { userId: user.id });
    expect(result).toEqual({ accepted: true, id: user.id });
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: user.id } })).kycStatus).toBe('pending');

    await handle.signal(kycDecisionSignal, { decision: 'approved' });
    expect(await handle.result()).toBe('approved');
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: user.id } })).kycStatus).toBe('approved');
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '0.00', pendingBrokerDepositsUsd: '0.00' });
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(searchAttributes.status)).toBe('approved');
    expect(described.typedSearchAttributes.get(searchAttributes.kind)).toBe('kyc');
  });

  it('a rejected user can submit again and be approved by a new run of the same id', async () => {
    const user = await createUser(stack.db, { kycStatus: 'not_started' });
    const first = await stack.accept('kycWorkflow', workflowIds.kyc(user.id), { userId: user.id });
    await first.handle.signal(kycDecisionSignal, { decision: 'rejected', reason: 'blurry passport' });
    expect(await first.handle.result()).toBe('rejected');
    const firstRunId = (await first.handle.describe()).runId;

    // A repeat of the update id 'accept' would be answered from the closed run; a new submission needs its own.
    const repeat = await stack.accept('kycWorkflow', workflowIds.kyc(user.id), { userId: user.id });
    expect((await repeat.handle.describe()).runId).toBe(firstRunId);
    const second = await stack.accept('kycWorkflow', workflowIds.kyc(user.id), { userId: user.id }, { updateId: 'accept-2' });
    expect(second.result.accepted).toBe(true);
    expect((await second.handle.describe()).runId).not.toBe(firstRunId);
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: user.id } })).kycStatus).toBe('pending');
    await second.handle.signal(kycDecisionSignal, { decision: 'approved' });
    expect(await second.handle.result()).toBe('approved');
  });

  it('an approved user submitting again is refused with 409 and stays approved', async () => {
    const user = await createUser(stack.db);
    const { result, handle } = await stack.accept('kycWorkflow', workflowIds.kyc(user.id), { userId: user.id });
    expect(result).toMatchObject({ accepted: false, refusal: { code: 'kyc_already_approved' } });
    await handle.result();
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: user.id } })).kycStatus).toBe('approved');
  });
});

describe('wallets', () => {
  it('an approved user gets an active Circle wallet per chain, with a real address of that chain', async () => {
    const user = await createUser(stack.db);
    const eth = await provisionWallet(stack, user.id, 'ethereum');
    const sol = await provisionWallet(stack, user.id, 'solana');
    expect(eth.status).toBe('active');
    expect(isValidEthereumAddress(eth.address)).toBe(true);
    expect(sol.status).toBe('active');
    expect(isValidSolanaAddress(sol.address)).toBe(true);
    expect(await stack.sandbox.control.effectCount('circle-wallets', 'createWallets')).toBeGreaterThanOrEqual(2);
  });

  it('asking twice answers the same wallet and creates one at Circle', async () => {
    const user = await createUser(stack.db);
    const first = await provisionWallet(stack, user.id);
    const again = await stack.accept('walletWorkflow', workflowIds.wallet(user.id, 'ethereum'), { userId: user.id, chain: 'ethereum' });
    expect(again.result).toEqual({ accepted: true, id: first.id });
    expect(await stack.db.wallet.count({ where: { userId: user.id } })).toBe(1);
    expect(await stack.sandbox.control.duplicatedEffects()).toEqual([]);
  });

  it('a user whose KYC is not approved is refused with 403 and gets no wallet', async () => {
    const user = await createUser(stack.db, { kycStatus: 'pending' });
    const { result } = await stack.accept('walletWorkflow', workflowIds.wallet(user.id, 'ethereum'), {
      userId: user.id,
      chain: 'ethereum',
    });
    expect(result).toMatchObject({ accepted: false, refusal: { code: 'kyc_required' } });
    expect(await stack.db.wallet.count({ where: { userId: user.id } })).toBe(0);
  });

  it('a Circle outage while creating the wallet is absorbed by retries', async () => {
    const user = await createUser(stack.db);
    await stack.sandbox.control.fault({ provider: 'circle-wallets', operation: 'createWallets', kind: 'http500', times: 2 });
    const before = await providerErrorCount('createCustodyWallet');
    const wallet = await provisionWallet(stack, user.id);
    expect(wallet.status).toBe('active');
    await eventually(async () => ((await stack.sandbox.control.duplicatedEffects()).length === 0 ? true : undefined));
    // Both failed attempts are counted for Prometheus as retryable Circle outages.
    expect((await providerErrorCount('createCustodyWallet')) - before).toBe(2);
  });
});

async function providerErrorCount(activityType: string): Promise<number> {
  const metric = await providerErrors.get();
  return metric.values
    .filter(
      (v) =>
        v.labels.operation === activityType &&
        v.labels.provider === 'circle-wallets' &&
        v.labels.kind === 'unavailable' &&
        v.labels.retryable === 'true',
    )
    .reduce((sum, v) => sum + v.value, 0);
}
