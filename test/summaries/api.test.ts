import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIds } from '../../workflows/definitions.js';
import { previousWeekStart, weekRange, weekStartOf } from '../../src/domain/week.js';
import { registerUser, startApi, testConfig, uniqueSubject, type Api } from '../api/harness.js';
import { inWeek, seedDeposit, summariesOf } from './seed.js';
import { startStack, type Stack } from '../helpers/stack.js';

// GET /v1/summaries and POST /v1/admin/summaries/run through HTTP, with the worker of the summary stack behind
// the API (same task queue), and a second API on a queue no worker polls, where a run stays running.

let stack: Stack;
let api: Api;
let unpolled: Api;
beforeAll(async () => {
  stack = await startStack({ name: 'summaries' });
  api = await startApi({ config: testConfig({ TEMPORAL_TASK_QUEUE: stack.config.TEMPORAL_TASK_QUEUE }) });
  unpolled = await startApi({ config: testConfig({ TEMPORAL_TASK_QUEUE: `summaries-unpolled-${process.pid}` }) });
});
afterAll(async () => {
  await unpolled?.close();
  await api?.close();
  await stack?.stop();
});

async function approvedUser(subject: string): Promise<string> {
  const id = await registerUser(api, subject);
  await stack.db.user.update({ where: { id }, data: { kycStatus: 'approved' } });
  return id;
}

describe('summaries over HTTP', () => {
  it('a user reads only their own summaries, newest week first', async () => {
    const subject = uniqueSubject('reader');
    const userId = await approvedUser(subject);
    const otherId = await approvedUser(uniqueSubject('other'));
    for (const week of ['2023-03-06', '2023-03-20', '2023-03-13']) {
      await stack.db.aiSummary.create({ data: { userId, weekStartDate: weekRange(week).start, summaryMarkdown: `week ${week}` } });
    }
    await stack.db.aiSummary.create({
      data: { userId: otherId, weekStartDate: weekRange('2023-03-27').start, summaryMarkdown: 'not yours' },
    });

    const first = await api.request('GET', '/v1/summaries?limit=2', { as: subject });
    expect(first.status).toBe(200);
    expect(first.body.items.map((s: { weekStartDate: string }) => s.weekStartDate)).toEqual(['2023-03-20', '2023-03-13']);
    expect(first.body.items[0]).toEqual({
      id: expect.any(String),
      weekStartDate: '2023-03-20',
      summaryMarkdown: 'week 2023-03-20',
      generatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
    });
    const rest = await api.request('GET', `/v1/summaries?limit=2&cursor=${first.body.nextCursor}`, { as: subject });
    expect(rest.body).toMatchObject({ items: [{ weekStartDate: '2023-03-06' }], nextCursor: null });
  });

  it('an operator runs a week now and its active users get their summary', async () => {
    const week = '2023-05-01';
    const subject = uniqueSubject('runner');
    const userId = await approvedUser(subject);
    await seedDeposit(stack.db, userId, { amountUsdc: '61.50', at: inWeek(week) });

    const reply = await api.request('POST', '/v1/admin/summaries/run', { as: 'ops', operator: true, body: { weekStartDate: week } });
    expect(reply.status).toBe(202);
    expect(reply.body).toEqual({ workflowId: workflowIds.summaryRun(week), weekStartDate: week });
    await stack.client.workflow.getHandle(reply.body.workflowId).result();

    const listed = await api.request('GET', '/v1/summaries', { as: subject });
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).toMatchObject({ weekStartDate: week, summaryMarkdown: expect.stringContaining('61.50') });
    expect(await summariesOf(stack.db, userId)).toHaveLength(1);
  });

  it('a second request while the week is running answers the same run and starts no other', async () => {
    const week = '2023-06-05';
    const first = await unpolled.request('POST', '/v1/admin/summaries/run', { as: 'ops', operator: true, body: { weekStartDate: week } });
    const second = await unpolled.request('POST', '/v1/admin/summaries/run', { as: 'ops', operator: true, body: { weekStartDate: week } });
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body).toEqual(first.body);

    const handle = stack.client.workflow.getHandle(first.body.workflowId);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const runs = [];
    for await (const run of stack.client.workflow.list({ query: `WorkflowId = '${first.body.workflowId}'` })) runs.push(run.runId);
    expect(runs).toHaveLength(1);
    await handle.terminate('test over');
  });

  it('without a week the run is for the last full ISO week', async () => {
    const reply = await unpolled.request('POST', '/v1/admin/summaries/run', { as: 'ops', operator: true });
    expect(reply.status).toBe(202);
    expect(reply.body.weekStartDate).toBe(previousWeekStart(new Date()));
    await stack.client.workflow.getHandle(reply.body.workflowId).terminate('test over');
  });

  it('refuses a week that is not a Monday, one not over yet, and a caller who is not an operator', async () => {
    const tuesday = await api.request('POST', '/v1/admin/summaries/run', {
      as: 'ops',
      operator: true,
      body: { weekStartDate: '2023-05-02' },
    });
    expect(tuesday.status).toBe(400);
    expect(tuesday.body.errors).toEqual([{ path: 'body.weekStartDate', message: expect.stringMatching(/Monday/) }]);

    const current = weekStartOf(new Date());
    const unfinished = await api.request('POST', '/v1/admin/summaries/run', {
      as: 'ops',
      operator: true,
      body: { weekStartDate: current },
    });
    expect(unfinished.status).toBe(422);
    expect(unfinished.headers.get('content-type')).toMatch(/application\/problem\+json/);

    const user = await api.request('POST', '/v1/admin/summaries/run', { as: uniqueSubject('user'), body: {} });
    expect(user.status).toBe(403);
    // None of them started a run.
    for (const week of ['2023-05-02', current]) {
      await expect(stack.client.workflow.getHandle(workflowIds.summaryRun(week)).describe()).rejects.toThrow(/not found/i);
    }
  });
});
