import type { WorkflowHandle } from '@temporalio/client';
import { progressQuery, type SagaProgress, workflowIds } from '../../workflows/definitions.js';
import { eventually } from '../helpers/eventually.js';
import { createUser, type Stack } from '../helpers/stack.js';

// Steps the funding tests share: provision a wallet through its saga, send USDC to it on the sandbox chain, and
// wait for a saga to park.

export async function parkedProgress(handle: WorkflowHandle): Promise<SagaProgress> {
  return eventually(async () => {
    const progress = await handle.query(progressQuery);
    return progress.parked ? progress : undefined;
  });
}

/** A wallet on `chain` for an approved user, through walletWorkflow; returns the row. */
export async function provisionWallet(stack: Stack, userId: string, chain: 'ethereum' | 'solana' = 'ethereum') {
  const { result, handle } = await stack.accept('walletWorkflow', workflowIds.wallet(userId, chain), { userId, chain });
  if (!result.accepted) throw new Error(`wallet refused: ${result.refusal.detail}`);
  await handle.result();
  return stack.db.wallet.findUniqueOrThrow({ where: { id: result.id } });
}

/** Sends USDC on the sandbox chain to the address and starts the deposit saga as the app would report it for `userId`. */
export async function depositUsdc(
  stack: Stack,
  input: { userId: string; chain?: 'ethereum' | 'solana'; address: string; amount: string; finalState?: 'COMPLETE' | 'FAILED' },
) {
  const chain = input.chain ?? 'ethereum';
  const tx = await stack.sandbox.control.chainTransfer({
    chain,
    toAddress: input.address,
    amount: input.amount,
    finalState: input.finalState,
  });
  const txHash = chain === 'ethereum' ? tx.txHash.toLowerCase() : tx.txHash;
  const started = await stack.accept('depositWorkflow', workflowIds.deposit(chain, txHash), {
    chain,
    txHash,
    reportedBy: `user:${input.userId}`,
  });
  return { ...started, txHash, transactionId: tx.id };
}

/** A deposit of `amount` USDC parked at broker-fund: the broker refuses its funding journal for good. */
export async function parkedDeposit(stack: Stack, amount: string) {
  const user = await createUser(stack.db);
  const wallet = await provisionWallet(stack, user.id);
  await stack.sandbox.control.fault({ provider: 'alpaca-broker', operation: 'createJournal', kind: 'reject' });
  const started = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount });
  await parkedProgress(started.handle);
  const deposit = await stack.db.deposit.findUniqueOrThrow({
    where: { chain_txHash: { chain: 'ethereum', txHash: started.txHash } },
  });
  return { user, deposit, handle: started.handle };
}
