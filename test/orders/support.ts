import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { seed, seedBaskets } from '../../src/db/seed.js';
import type { OrderRequest } from '../../activities/orders/index.js';
import type { OrderOutcome } from '../../workflows/order.js';
import { workflowIds } from '../../workflows/definitions.js';
import type { AcceptResult } from '../../workflows/definitions.js';
import { createUser, type Stack } from '../helpers/stack.js';
import { eventually } from '../helpers/eventually.js';

// Steps the order tests share: the seeded baskets, a user with buying power, an order started as the API starts
// it (update-with-start of `accept`), and waiting for an order row to reach a status.


export const baskets = {
  conservative: seedBaskets.find((b) => b.riskLevel === 'conservative')!,
  balanced: seedBaskets.find((b) => b.riskLevel === 'balanced')!,
  growth: seedBaskets.find((b) => b.riskLevel === 'growth')!,
};

export async function seedBasketsOnce(stack: Stack): Promise<void> {
  await seed(stack.db);
}

export async function userWithBuyingPower(stack: Stack, buyingPowerUsd: string) {
  return createUser(stack.db, { buyingPowerUsd });
}

export interface StartedOrder {
  orderId: string;
  result: AcceptResult;
  handle: WorkflowHandle;
  outcome(): Promise<OrderOutcome | undefined>;
}

export async function startOrder(stack: Stack, request: Omit<OrderRequest, 'orderId'> & { orderId?: string }): Promise<StartedOrder> {
  const orderId = request.orderId ?? randomUUID();
  const { result, handle } = await stack.accept('orderWorkflow', workflowIds.order(orderId), { ...request, orderId });
  return { orderId, result, handle, outcome: () => handle.result() };
}

/** Waits until the order row shows `status`. */
export function orderReaches(stack: Stack, orderId: string, status: string) {
  return eventually(async () => {
    const order = await stack.db.order.findUnique({ where: { id: orderId } });
    return order?.status === status ? order : undefined;
  });
}

export const buyingPower = async (stack: Stack, userId: string) =>
  (await stack.db.balance.findUniqueOrThrow({ where: { userId } })).buyingPowerUsd.toFixed(2);
