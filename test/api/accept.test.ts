import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startApi, testConfig, uniqueSubject, type Api } from './harness.js';

// startWithAccept when no worker takes the saga: the request does not hang; it answers 503 with Retry-After,
// and the run it started stays for a worker to pick up (a repeat joins it).

let api: Api;
beforeAll(async () => {
  api = await startApi({ config: testConfig({ TEMPORAL_TASK_QUEUE: `nobody-polls-${process.pid}`, API_ACCEPT_TIMEOUT_SECONDS: '1' }) });
});
afterAll(() => api?.close());

describe('a saga that no worker accepts in time', () => {
  it('answers 503 with Retry-After, and a repeat joins the same run', async () => {
    const subject = uniqueSubject('waiting');
    const userId = await registerUser(api, subject);
    const first = await api.request('POST', '/v1/me/kyc', { as: subject });
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('1');
    expect(first.headers.get('content-type')).toMatch(/problem\+json/);

    const second = await api.request('POST', '/v1/me/kyc', { as: subject });
    expect(second.status).toBe(503);
    const runs = [];
    for await (const run of api.temporal.workflow.list({ query: `WorkflowId = 'kyc-${userId}'` })) runs.push(run);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.status.name).toBe('RUNNING');
    expect((await api.db.user.findUniqueOrThrow({ where: { id: userId } })).kycStatus).toBe('not_started');
  });
});
