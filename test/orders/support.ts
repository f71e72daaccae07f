import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { seed, seedBaskets } from '../../src/db/seed.js';
import type { OrderRequest } from '../../activities/orders/index.js';
import type { OrderOutcome } from '../../workflows/order.js';
import { workflowIds } from '../../workflows/definitions.js';
import type { AcceptResult } from '../../workflows/definitions.js';
import { registerUser, uniqueSubject, type Api } from '../api/harness.js';
import { createInvestor, grantBuyingPower, type Stack } from '../helpers/stack.js';
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
  return createInvestor(stack, buyingPowerUsd);
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

/** A user registered through the API (PUT /v1/me), KYC approved, with buying power: who sends orders over HTTP. */
export async function apiInvestor(stack: Stack, api: Api, buyingPowerUsd = '1000.00'): Promise<{ subject: string; userId: string }> {
  const subject = uniqueSubject('investor');
  const userId = await registerUser(api, subject);
  await stack.db.user.update({ where: { id: userId }, data: { kycStatus: 'approved' } });
  await grantBuyingPower(stack, userId, buyingPowerUsd);
  return { subject, userId };
}

/** Waits until GET /v1/orders/{id} shows `status`; answers the order as the API shows it. */
export function apiOrderReaches(api: Api, subject: string, id: string, status: string) {
  return eventually(async () => {
    const reply = await api.request('GET', `/v1/orders/${id}`, { as: subject });
    return reply.body.status === status ? reply.body : undefined;
  });
}

/** Places an order through the API and waits until it filled; answers the order. */
export async function apiFilledOrder(api: Api, subject: string, body: Record<string, unknown>) {
  const reply = await api.request('POST', '/v1/orders', { as: subject, body });
  if (reply.status !== 202) throw new Error(`POST /v1/orders answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return apiOrderReaches(api, subject, reply.body.id, 'filled');
}

/** The user's cached position (quantity as a decimal string, '0' when there is none). */
export async function cachedQuantity(
  stack: Stack,
  userId: string,
  symbol: string,
  assetType: 'stock' | 'etf' | 'basket' | 'option' = 'stock',
) {
  const row = await stack.db.positionCache.findUnique({ where: { userId_symbol_assetType: { userId, symbol, assetType } } });
  return row?.quantity.toFixed() ?? '0';
}

/** The omnibus account's quantity of `symbol` at the broker ('0' when it holds none). */
export async function brokerQuantity(stack: Stack, symbol: string) {
  return (await stack.providers.broker.listPositions()).find((p) => p.symbol === symbol)?.qty ?? '0';
}
