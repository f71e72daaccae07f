import { createHash } from 'node:crypto';
import { call, loadPasscode, type LoadUser } from '../scripts/lib/fixtures.js';
import type { ProcessStack } from '../scripts/lib/stack.js';
import { workflowIds } from '../workflows/definitions.js';

// The chaos run's traffic: deposits, withdrawals and buy orders by many users through the API, each request
// made the way a careful client makes it — repeated with the same Idempotency-Key (or, for a deposit, the same
// transaction hash) on a 503 or a dropped connection until the API answers for good.

export type SagaKind = 'deposit' | 'withdrawal' | 'order';

export interface Submitted {
  kind: SagaKind;
  userId: string;
  /** The row's id, from the 202. */
  id: string;
  workflowId: string;
  amount: string;
  /** Requests it took (1 = accepted at once). */
  attempts: number;
}

export interface Refused {
  kind: SagaKind;
  status: number;
  detail: string;
}

/** A small seeded generator (mulberry32), so a run's mix and amounts repeat with CHAOS_SEED. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A USD amount between min and max dollars, with cents. */
export function amount(next: () => number, min: number, max: number): string {
  const cents = min * 100 + Math.floor(next() * (max - min) * 100);
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** Repeats the request while the answer is transient (503, 5xx, connection refused). */
async function persist(send: () => ReturnType<typeof call>): Promise<{ status: number; body: any; attempts: number }> {
  for (let attempts = 1; ; attempts++) {
    try {
      const reply = await send();
      if (reply.status < 500 || attempts >= 20) return { ...reply, attempts };
    } catch (error) {
      if (attempts >= 20) throw error;
    }
    await new Promise((r) => setTimeout(r, 500 * Math.min(attempts, 4)));
  }
}

export async function submit(
  stack: ProcessStack,
  kind: SagaKind,
  user: LoadUser,
  usd: string,
  key: string,
): Promise<Submitted | Refused> {
  let reply: Awaited<ReturnType<typeof persist>>;
  let workflowId: (id: string) => string;
  if (kind === 'deposit') {
    const transfer = await stack.sandbox.chainTransfer({ chain: 'ethereum', toAddress: user.address, amount: usd });
    reply = await persist(() => call(stack, 'POST', '/v1/deposits', { token: user.token, body: { chain: 'ethereum', txHash: transfer.txHash } }));
    workflowId = () => workflowIds.deposit('ethereum', transfer.txHash);
  } else if (kind === 'withdrawal') {
    const body = { amountUsd: usd, targetChain: 'ethereum', targetAddress: `0x${createHash('sha1').update(key).digest('hex')}`, passcode: loadPasscode };
    reply = await persist(() => call(stack, 'POST', '/v1/withdrawals', { token: user.token, body, headers: { 'idempotency-key': key } }));
    workflowId = workflowIds.withdrawal;
  } else {
    const body = { assetType: 'stock', side: 'buy', symbol: 'VTI', amountUsd: usd };
    reply = await persist(() => call(stack, 'POST', '/v1/orders', { token: user.token, body, headers: { 'idempotency-key': key } }));
    workflowId = workflowIds.order;
  }
  if (reply.status !== 202 && reply.status !== 200) {
    return { kind, status: reply.status, detail: reply.body?.detail ?? JSON.stringify(reply.body) };
  }
  const id = reply.body.id as string;
  return { kind, userId: user.id, id, workflowId: workflowId(id), amount: usd, attempts: reply.attempts };
}
