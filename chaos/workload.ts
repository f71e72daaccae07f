import { createHash } from 'node:crypto';
import { call, loadPasscode, type LoadUser } from '../scripts/lib/fixtures.js';
import type { ProcessStack } from '../scripts/lib/stack.js';
import { workflowIds } from '../workflows/definitions.js';

// The chaos run's traffic: every kind of money movement by many users through the API, each request made the
// way a careful client makes it — repeated with the same Idempotency-Key (or, for a deposit, the same transaction
// hash) on a 503 or a dropped connection until the API answers for good. The mix (`actions`): USDC deposits and
// deposits of a token that must be ignored, withdrawals and two withdrawals racing for one balance, buys of a
// stock, an ETF, an option and a basket, sells of what was bought, buys cancelled right away, and one request
// sent twice at once with the same key (both answers must name one resource).

export type SagaKind = 'deposit' | 'withdrawal' | 'order';

export type Action =
  | 'deposit'
  | 'fake-token-deposit'
  | 'withdrawal'
  | 'withdrawal-race'
  | 'stock-buy'
  | 'etf-buy'
  | 'option-buy'
  | 'basket-buy'
  | 'sell'
  | 'buy-then-cancel'
  | 'same-key-twice';

/** Each action's share of the workload (sums to 1). */
export const actionMix: readonly [Action, number][] = [
  ['deposit', 0.36],
  ['fake-token-deposit', 0.03],
  ['withdrawal', 0.14],
  ['withdrawal-race', 0.03],
  ['stock-buy', 0.1],
  ['etf-buy', 0.05],
  ['option-buy', 0.03],
  ['basket-buy', 0.05],
  ['sell', 0.1],
  ['buy-then-cancel', 0.05],
  ['same-key-twice', 0.06],
];

export function pickAction(r: number): Action {
  let acc = 0;
  for (const [action, share] of actionMix) if (r < (acc += share)) return action;
  return 'deposit';
}

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

/**
 * Repeats the request while the answer is transient (503, 5xx, connection refused), for up to 3 minutes: the
 * storm restarts the worker, PostgreSQL and Temporal, and a careful client outlasts an outage of that length.
 */
async function persist(send: () => ReturnType<typeof call>): Promise<{ status: number; body: any; attempts: number }> {
  const deadline = Date.now() + 180_000;
  for (let attempts = 1; ; attempts++) {
    try {
      const reply = await send();
      if (reply.status < 500 || Date.now() > deadline) return { ...reply, attempts };
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((r) => setTimeout(r, 500 * Math.min(attempts, 4)));
  }
}

export interface Context {
  stack: ProcessStack;
  basketId: string;
}

/** What one action produced: the sagas it started and the requests answered with a refusal. */
export interface Outcome {
  submitted: Submitted[];
  refused: Refused[];
  /** Broken promises of the API itself (a key answered with two resources, a fake token credited). */
  violations: string[];
}

const empty = (): Outcome => ({ submitted: [], refused: [], violations: [] });

function merge(...outcomes: Outcome[]): Outcome {
  return outcomes.reduce(
    (a, o) => ({
      submitted: [...a.submitted, ...o.submitted],
      refused: [...a.refused, ...o.refused],
      violations: [...a.violations, ...o.violations],
    }),
    empty(),
  );
}

interface Request {
  kind: SagaKind;
  path: string;
  body: unknown;
  key?: string;
  workflowId: (id: string) => string;
}

async function send(ctx: Context, user: LoadUser, request: Request, amount: string): Promise<Outcome> {
  const reply = await persist(() =>
    call(ctx.stack, 'POST', request.path, {
      token: user.token,
      body: request.body,
      headers: request.key ? { 'idempotency-key': request.key } : {},
    }),
  );
  if (reply.status !== 202 && reply.status !== 200) {
    return {
      ...empty(),
      refused: [{ kind: request.kind, status: reply.status, detail: reply.body?.detail ?? JSON.stringify(reply.body) }],
    };
  }
  const id = reply.body.id as string;
  return {
    ...empty(),
    submitted: [{ kind: request.kind, userId: user.id, id, workflowId: request.workflowId(id), amount, attempts: reply.attempts }],
  };
}

const withdrawal = (usd: string, key: string): Request => ({
  kind: 'withdrawal',
  path: '/v1/withdrawals',
  body: {
    amountUsd: usd,
    targetChain: 'ethereum',
    targetAddress: `0x${createHash('sha1').update(key).digest('hex')}`,
    passcode: loadPasscode,
  },
  key,
  workflowId: workflowIds.withdrawal,
});

const order = (body: Record<string, unknown>, key: string): Request => ({
  kind: 'order',
  path: '/v1/orders',
  body,
  key,
  workflowId: workflowIds.order,
});

export async function act(ctx: Context, action: Action, user: LoadUser, usd: string, key: string): Promise<Outcome> {
  const { stack } = ctx;
  switch (action) {
    case 'deposit':
    case 'fake-token-deposit': {
      // A counterfeit: named USDC, from another contract. Circle delivers it; fundflow must credit nothing.
      const fake =
        action === 'fake-token-deposit'
          ? { token: 'USDC', tokenAddress: `0x${createHash('sha1').update(`fake:${key}`).digest('hex')}` }
          : {};
      const transfer = await stack.sandbox.chainTransfer({ chain: 'ethereum', toAddress: user.address, amount: usd, ...fake });
      const outcome = await send(
        ctx,
        user,
        {
          kind: 'deposit',
          path: '/v1/deposits',
          body: { chain: 'ethereum', txHash: transfer.txHash },
          workflowId: () => workflowIds.deposit('ethereum', transfer.txHash),
        },
        usd,
      );
      if (action === 'fake-token-deposit' && outcome.submitted.length > 0) {
        return { ...outcome, violations: [`a counterfeit USDC deposit of ${usd} was accepted as ${outcome.submitted[0]!.id}`] };
      }
      return outcome;
    }
    case 'withdrawal':
      return send(ctx, user, withdrawal(usd, key), usd);
    case 'withdrawal-race':
      return merge(
        ...(await Promise.all([send(ctx, user, withdrawal(usd, `${key}-a`), usd), send(ctx, user, withdrawal(usd, `${key}-b`), usd)])),
      );
    case 'stock-buy':
      return send(ctx, user, order({ assetType: 'stock', side: 'buy', symbol: 'VTI', amountUsd: usd }, key), usd);
    case 'etf-buy':
      return send(ctx, user, order({ assetType: 'etf', side: 'buy', symbol: 'SPY', amountUsd: usd }, key), usd);
    case 'option-buy': {
      // At the sandbox's highest option price, so the limit order fills (a lower limit would wait for the price).
      const optionDetails = { occSymbol: 'AAPL261218C00150000', quantity: 1, limitPrice: '9.99' };
      return send(ctx, user, order({ assetType: 'option', side: 'buy', optionDetails, amountUsd: '999.00' }, key), '999.00');
    }
    case 'basket-buy':
      return send(ctx, user, order({ assetType: 'basket', side: 'buy', basketId: ctx.basketId, amountUsd: usd }, key), usd);
    case 'sell':
      // Sells what an earlier stock buy bought; without a position it is refused (422), which is right too.
      return send(ctx, user, order({ assetType: 'stock', side: 'sell', symbol: 'VTI', amountUsd: usd }, key), usd);
    case 'buy-then-cancel': {
      const bought = await send(ctx, user, order({ assetType: 'stock', side: 'buy', symbol: 'VTI', amountUsd: usd }, key), usd);
      for (const o of bought.submitted) {
        const reply = await persist(() => call(stack, 'POST', `/v1/orders/${o.id}/cancel`, { token: user.token }));
        // 409: the order finished before the cancel arrived.
        if (reply.status !== 202 && reply.status !== 200 && reply.status !== 409)
          bought.violations.push(`cancel of ${o.id}: ${reply.status}`);
      }
      return bought;
    }
    case 'same-key-twice': {
      const request = withdrawal(usd, key);
      const [a, b] = await Promise.all([send(ctx, user, request, usd), send(ctx, user, request, usd)]);
      const ids = new Set([...a!.submitted, ...b!.submitted].map((s) => s.id));
      const outcome: Outcome = {
        submitted: a!.submitted.length ? a!.submitted : b!.submitted,
        refused: [...a!.refused, ...b!.refused],
        violations: [],
      };
      if (ids.size > 1) outcome.violations.push(`key ${key} answered with ${ids.size} withdrawals: ${[...ids].join(', ')}`);
      if (a!.submitted.length !== b!.submitted.length) outcome.violations.push(`key ${key}: one request accepted, the other refused`);
      return outcome;
    }
  }
}
