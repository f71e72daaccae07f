import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInternalServer } from '../../src/api/internal.js';
import { createLogger } from '../../src/logger.js';
import { refreshedAtMostEvery } from '../../src/metrics.js';
import { registerUser, startApi, testConfig, uniqueSubject, type Api } from '../api/harness.js';

// /metrics is scraped every few seconds by every Prometheus replica; counting whole tables per scrape would let
// scrapes load the database that moves the money. The sagas-by-status gauge is counted at most every
// METRICS_SAGA_STATUS_REFRESH_SECONDS, and scrapes that arrive together share one count.

const refreshSeconds = 3;
let api: Api;
let internal: { url: string; close(): Promise<void> };
beforeAll(async () => {
  api = await startApi({ config: testConfig({ METRICS_SAGA_STATUS_REFRESH_SECONDS: String(refreshSeconds) }) });
  const server = await startInternalServer({ HTTP_HOST: '127.0.0.1', API_INTERNAL_PORT: 0 }, api, createLogger('silent', 'gauge-test'));
  const { port } = server.address() as { port: number };
  internal = { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
});
afterAll(async () => {
  await internal?.close();
  await api?.close();
});

/** The gauge's value for pending withdrawals, as one scrape of the internal listener shows it. */
async function pendingWithdrawals(): Promise<number> {
  const text = await (await fetch(`${internal.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('fundflow_sagas{kind="withdrawal",status="pending"}'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

async function insertPendingWithdrawal(): Promise<void> {
  const userId = await registerUser(api, uniqueSubject('gauge'));
  await api.db.withdrawal.create({
    data: { userId, amountUsd: '12.34', targetChain: 'ethereum', targetAddress: '0x52908400098527886E0F7030069857D2E4169EE7' },
  });
}

describe('the sagas-by-status gauge', () => {
  it('keeps its counts for the refresh window: a row written between two scrapes shows only once the window passed', async () => {
    const first = await pendingWithdrawals();
    const countedAt = Date.now();
    await insertPendingWithdrawal();
    expect(Date.now() - countedAt).toBeLessThan(refreshSeconds * 1000); // still inside the window
    expect(await pendingWithdrawals()).toBe(first);

    await new Promise((resolve) => setTimeout(resolve, refreshSeconds * 1000 - (Date.now() - countedAt) + 100));
    // Other test files may add pending withdrawals meanwhile: at least ours is counted now.
    expect(await pendingWithdrawals()).toBeGreaterThanOrEqual(first + 1);
  });

  it('scrapes that arrive together share one count, and a failed count is not kept', async () => {
    let counts = 0;
    let fail = false;
    const counted = refreshedAtMostEvery(60_000, async () => {
      counts++;
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (fail) throw new Error('database down');
      return counts;
    });
    expect(await Promise.all([counted(), counted(), counted(), counted()])).toEqual([1, 1, 1, 1]);
    expect(await counted()).toBe(1);
    expect(counts).toBe(1);

    const stale = refreshedAtMostEvery(0, async () => {
      counts++;
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (fail) throw new Error('database down');
      return counts;
    });
    fail = true;
    const failures = await Promise.allSettled([stale(), stale()]);
    expect(failures.map((f) => f.status)).toEqual(['rejected', 'rejected']);
    expect(counts).toBe(2); // one count for both scrapes, even when it fails
    fail = false;
    expect(await stale()).toBe(3); // the failure was not kept: the next scrape counts again
  });
});
