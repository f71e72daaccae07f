import { randomUUID } from 'node:crypto';
import type { LoadUser } from '../scripts/lib/fixtures.js';
import { call } from '../scripts/lib/fixtures.js';
import type { ProcessStack } from '../scripts/lib/stack.js';
import { closedLoop, openLoop, type LoadRequest, type LoadResult, type LoadTarget } from './lib/http-load.js';

// The API under HTTP load, each route measured two ways: closed loop at a fixed number of connections (the most
// it carries, and the latency at that load) and open loop at half that rate (the latency a client sees when the
// API is busy but not saturated). GET /healthz, a trivial JSON route in the same process, is the yardstick.

export interface RouteResult {
  route: string;
  closed: LoadResult;
  open?: LoadResult;
}

export interface ApiLoadOptions {
  connections: number;
  durationMs: number;
}

const orderBody = JSON.stringify({ assetType: 'stock', side: 'buy', symbol: 'VTI', amountUsd: '1.00' });

function target(stack: ProcessStack, expectStatus: number, request: (i: number) => LoadRequest): LoadTarget {
  return { baseUrl: stack.apiUrl, expectStatus, request };
}

async function measure(route: string, t: LoadTarget, options: ApiLoadOptions, paced: boolean): Promise<RouteResult> {
  process.stderr.write(`  ${route}: closed loop, ${options.connections} connections, ${options.durationMs / 1000} s\n`);
  const closed = await closedLoop(t, options);
  if (closed.errors > 0) throw new Error(`${route}: ${closed.errors} of ${closed.requests} answers were not ${t.expectStatus}`);
  if (!paced) return { route, closed };
  const rate = Math.max(1, Math.floor(closed.rps / 2));
  process.stderr.write(`  ${route}: open loop at ${rate}/s\n`);
  const open = await openLoop(t, { ...options, rate });
  return { route, closed, open };
}

export async function apiLoad(
  stack: ProcessStack,
  users: LoadUser[],
  deposits: { userIndex: number; depositId: string }[],
  options: ApiLoadOptions,
): Promise<RouteResult[]> {
  const results: RouteResult[] = [];
  const auth = (user: LoadUser) => ({ authorization: `Bearer ${user.token}` });

  results.push(await measure('GET /healthz', target(stack, 200, () => ({ method: 'GET', path: '/healthz' })), options, true));

  results.push(
    await measure(
      'GET /v1/deposits/{id}',
      target(stack, 200, (i) => {
        const d = deposits[i % deposits.length]!;
        return { method: 'GET', path: `/v1/deposits/${d.depositId}`, headers: auth(users[d.userIndex]!) };
      }),
      options,
      true,
    ),
  );

  /** The i-th request's order: the same body, by the i-th user, under the key `key(i)`. */
  const order = (key: (i: number) => string) =>
    target(stack, 202, (i) => ({
      method: 'POST',
      path: '/v1/orders',
      headers: { ...auth(users[i % users.length]!), 'idempotency-key': key(i) },
      body: orderBody,
    }));

  // Replays: one order per user made once, then the same key and body again (answered from the database).
  const replayKeys = await Promise.all(
    users.map(async (user) => {
      const key = `bench-replay-${randomUUID()}`;
      const first = await call(stack, 'POST', '/v1/orders', { token: user.token, body: JSON.parse(orderBody), headers: { 'idempotency-key': key } });
      if (first.status !== 202) throw new Error(`POST /v1/orders answered ${first.status}: ${JSON.stringify(first.body)}`);
      return key;
    }),
  );
  results.push(await measure('POST /v1/orders (replayed key)', order((i) => replayKeys[i % users.length]!), options, true));

  // Fresh keys: every request starts an order saga (update-with-start, accept step in the worker).
  results.push(await measure('POST /v1/orders (new key)', order(() => `bench-${randomUUID()}`), options, false));
  return results;
}
