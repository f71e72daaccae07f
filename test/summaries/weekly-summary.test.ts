import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIds } from '../../workflows/definitions.js';
import { userWeeklySummaryWorkflow, weeklySummaryRunWorkflow, type WeeklySummaryRunInput } from '../../workflows/summary.js';
import { weekRange } from '../../src/domain/week.js';
import { inWeek, seedDeposit, seedOrder, seedWithdrawal, summariesOf } from './seed.js';
import { createUser, startStack, type Stack } from '../helpers/stack.js';

// Each test summarises its own week of 2024, so runs never see each other's users (nor other files' rows, all
// written at today's date).

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ name: 'summaries' });
});
afterAll(() => stack?.stop());

function startRun(input: WeeklySummaryRunInput & { weekStartDate: string }) {
  return stack.client.workflow.start(weeklySummaryRunWorkflow, {
    workflowId: workflowIds.summaryRun(input.weekStartDate),
    taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
    args: [input],
  });
}

function runChild(userId: string, weekStartDate: string) {
  return stack.client.workflow.execute(userWeeklySummaryWorkflow, {
    workflowId: `direct-${workflowIds.summary(userId, weekStartDate)}-${Date.now()}`,
    taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
    args: [{ userId, weekStartDate }],
  });
}

describe('weekly AI summaries', () => {
  it('a run gives every active user with activity exactly one summary, and running the week again changes nothing', async () => {
    const week = '2024-01-08';
    const alice = (await createUser(stack.db)).id;
    await seedDeposit(stack.db, alice, { amountUsdc: '1250.456789', at: inWeek(week, 10) });
    await seedOrder(stack.db, alice, { side: 'buy', amountUsd: '300.00', at: inWeek(week, 50) });
    const bob = (await createUser(stack.db)).id;
    await seedWithdrawal(stack.db, bob, { amountUsd: '40.00', at: inWeek(week, 100) });
    const others = [];
    for (let i = 0; i < 3; i++) {
      const id = (await createUser(stack.db)).id;
      await seedDeposit(stack.db, id, { amountUsdc: `${10 + i}.00`, at: inWeek(week, 1 + i) });
      others.push(id);
    }
    const pendingKyc = (await createUser(stack.db, { kycStatus: 'pending' })).id;
    await seedDeposit(stack.db, pendingKyc, { amountUsdc: '99.00', at: inWeek(week) });

    // Pages of two users: five active users take three runs chained by continue-as-new.
    const handle = await startRun({ weekStartDate: week, pageSize: 2, concurrency: 2 });
    expect(await handle.result()).toEqual({ weekStartDate: week, processed: 5, failed: 0 });
    expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);

    const [aliceSummary] = await summariesOf(stack.db, alice);
    expect(await summariesOf(stack.db, alice)).toHaveLength(1);
    // The deposit counts as its USDC truncated to cents, as the ledger credits it.
    expect(aliceSummary!.summaryMarkdown).toContain('1250.45');
    expect(aliceSummary!.weekStartDate.toISOString()).toBe(weekRange(week).start.toISOString());
    expect(await summariesOf(stack.db, bob)).toHaveLength(1);
    for (const id of others) expect(await summariesOf(stack.db, id)).toHaveLength(1);
    expect(await summariesOf(stack.db, pendingKyc)).toEqual([]);

    const again = await startRun({ weekStartDate: week, pageSize: 2, concurrency: 2 });
    expect(await again.result()).toEqual({ weekStartDate: week, processed: 0, failed: 0 });
    // Even a user's own run started anew finds the row and writes nothing.
    expect(await runChild(alice, week)).toBe('existing');
    expect(await summariesOf(stack.db, alice)).toEqual([aliceSummary]);
    expect(await stack.db.aiSummary.count({ where: { weekStartDate: weekRange(week).start } })).toBe(5);
  });

  it('an active user with no deposit, withdrawal or order in the week gets no summary for it', async () => {
    const week = '2024-01-22';
    const { start, end } = weekRange(week);
    const idle = (await createUser(stack.db, { buyingPowerUsd: '500.00' })).id;
    // Activity just outside the half-open week on both sides.
    await seedDeposit(stack.db, idle, { amountUsdc: '20.00', at: new Date(start.getTime() - 1) });
    await seedOrder(stack.db, idle, { side: 'buy', amountUsd: '20.00', at: end });
    const active = (await createUser(stack.db)).id;
    await seedDeposit(stack.db, active, { amountUsdc: '5.00', at: start });

    expect(await (await startRun({ weekStartDate: week })).result()).toEqual({ weekStartDate: week, processed: 1, failed: 0 });
    expect(await summariesOf(stack.db, idle)).toEqual([]);
    expect(await summariesOf(stack.db, active)).toHaveLength(1);
    expect(await runChild(idle, week)).toBe('no_activity');
    expect(await summariesOf(stack.db, idle)).toEqual([]);
  });

  it('when the LLM refuses, the user still gets one summary made of our own figures', async () => {
    const week = '2024-02-05';
    const user = (await createUser(stack.db)).id;
    await seedDeposit(stack.db, user, { amountUsdc: '75.25', at: inWeek(week) });
    await stack.sandbox.control.fault({ provider: 'openai', operation: 'chatCompletion', kind: 'reject', times: 1 });

    expect(await (await startRun({ weekStartDate: week })).result()).toMatchObject({ processed: 1, failed: 0 });
    const [summary, ...more] = await summariesOf(stack.db, user);
    expect(more).toEqual([]);
    expect(summary!.summaryMarkdown).toContain(`## Your week of ${week}`);
    expect(summary!.summaryMarkdown).toContain('$75.25');
    expect(summary!.summaryMarkdown).toContain('not investment advice');
  });

  it('an LLM outage is retried and the summary is still the model’s, written once', async () => {
    const week = '2024-02-12';
    const user = (await createUser(stack.db)).id;
    await seedWithdrawal(stack.db, user, { amountUsd: '12.34', at: inWeek(week) });
    await stack.sandbox.control.fault({ provider: 'openai', operation: 'chatCompletion', kind: 'http500', times: 1 });

    expect(await (await startRun({ weekStartDate: week })).result()).toMatchObject({ processed: 1, failed: 0 });
    const summaries = await summariesOf(stack.db, user);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.summaryMarkdown).not.toContain('## Your week of');
    expect(summaries[0]!.summaryMarkdown).toContain('12.34');
  });
});
