import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { depositTransferUpdate, progressQuery } from '../../workflows/definitions.js';
import { eventually } from '../helpers/eventually.js';
import { createUser, startStack, type Stack } from '../helpers/stack.js';
import { depositUsdc, provisionWallet } from './support.js';

// A saga waiting on a provider must stay far below Temporal's history limits however long the wait (10,240
// events: warning; 51,200: the server terminates the run, with no compensation). Temporal's time-skipping test
// server is not installed here (it downloads a binary), so the test measures how many history events each poll
// adds during a real wait and extrapolates to the 5-minute polls of a long one: 288 a day.

const pollsPerDayAtFiveMinutes = 24 * 12;
const historyWarning = 10_240;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ name: 'long-wait' });
});
afterAll(() => stack?.stop());

/** History length, and how many times the saga has read `activityType` (scheduled reads + retried attempts). */
async function waitStats(handle: WorkflowHandle, activityType: string) {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activityType).length;
  const pending = (await handle.describe()).raw.pendingActivities?.find((a) => a.activityType?.name === activityType);
  return { events: events.length, polls: scheduled + Math.max((pending?.attempt ?? 1) - 1, 0) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function slowDeposit(transferDelayMs: number) {
  const user = await createUser(stack.db);
  const wallet = await provisionWallet(stack, user.id);
  // The inbound transfer completes one step after it is sent: this step only, the saga's later steps are quick.
  await stack.sandbox.control.settings({ stepDelayMs: transferDelayMs });
  const sentAt = Date.now();
  const deposit = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '7' });
  await stack.sandbox.control.settings({ stepDelayMs: 20 });
  return { ...deposit, sentAt };
}

describe('a deposit waiting for its transfer', () => {
  it('polls without growing its history, so weeks of waiting stay far below the warning; news still wakes it', async () => {
    const { handle, sentAt, txHash } = await slowDeposit(16_000);

    const first = await eventually(
      () => waitStats(handle, 'readDepositTransfer'),
      (s) => s.polls >= 3,
    );
    await sleep(Math.max(0, sentAt + 14_000 - Date.now()));
    const later = await waitStats(handle, 'readDepositTransfer');
    const perPoll = (later.events - first.events) / (later.polls - first.polls);
    const perDay = perPoll * pollsPerDayAtFiveMinutes;
    const daysToWarning = perDay > 0 ? (historyWarning - later.events) / perDay : Infinity;
    console.info(
      `waiting deposit: ${later.polls - first.polls} polls added ${later.events - first.events} events (${perPoll.toFixed(1)} per poll, ` +
        `${Math.round(perDay)} per day at 5-minute polls, warning after ${daysToWarning.toFixed(1)} days)`,
    );
    expect(later.polls - first.polls).toBeGreaterThanOrEqual(2);
    expect(later.events - first.events).toBe(0);
    // Three weeks of 5-minute polls, extrapolated from what the polls measured here added.
    expect(later.events + perDay * 21).toBeLessThan(historyWarning / 10);

    // The transfer completed at Circle (16 s after it was sent); the next poll is due only at about 31 s. News
    // (a webhook's signal) cancels the wait in flight and reads again at once.
    await sleep(Math.max(0, sentAt + 16_500 - Date.now()));
    await handle.signal(depositTransferUpdate, { transferId: 'news', state: 'complete' });
    const signalledAt = Date.now();
    const deposit = await eventually(
      async () => (await stack.db.deposit.findFirst({ where: { txHash } })) ?? undefined,
      (row) => row.status !== 'pending_confirmation',
      10_000,
    );
    expect(Date.now() - signalledAt).toBeLessThan(8_000);
    expect(await handle.result()).toBe('broker_funded');
    expect(deposit.status).not.toBe('failed');
  }, 90_000);

  it('keeps polling through a provider outage of a minute instead of parking for an operator', async () => {
    // Circle answers 500 to the wait's reads seven times in a row (more than a provider call's six attempts, about
    // a minute of outage) while the transfer completes after 5 s.
    const { handle } = await slowDeposit(5_000);
    await stack.sandbox.control.fault({ provider: 'circle-wallets', operation: 'getTransaction', kind: 'http500', times: 7 });
    let ended = false;
    const result = handle.result().finally(() => (ended = true));
    while (!ended) {
      const { parked } = await handle.query(progressQuery);
      expect(parked, 'parked during the outage').toBeUndefined();
      await sleep(250);
    }
    expect(await result).toBe('broker_funded');
  }, 150_000);
});
