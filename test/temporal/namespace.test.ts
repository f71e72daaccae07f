import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/tools.js';
import { startTemporalServer, type TemporalServer } from '../../scripts/lib/temporal-server.js';
import { kycDecisionSignal, searchAttributes, workflowIds } from '../../workflows/definitions.js';
import { createUser, startStack, type Stack } from '../helpers/stack.js';

// fundflow in a namespace other than `default`, as on a shared cluster or Temporal Cloud (`<name>.<account>`): a dev
// server of this file's own creates `fundflow-test` at start with the search attributes (as `npm run temporal` does
// for TEMPORAL_NAMESPACE), and the worker, the client and the schedules all use TEMPORAL_NAMESPACE. The rest of the
// suite stays on the shared server's `default`.

const namespace = 'fundflow-test';
let temporal: TemporalServer;
let stack: Stack;

beforeAll(async () => {
  temporal = await startTemporalServer({ port: await freePort(), quiet: true, namespaces: [namespace] });
  stack = await startStack({ name: 'namespace', env: { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: namespace } });
});
afterAll(async () => {
  await stack?.stop();
  await temporal?.stop();
});

describe(`TEMPORAL_NAMESPACE=${namespace}`, () => {
  it('runs a saga in that namespace, searchable there by its attributes and absent from `default`', async () => {
    expect(stack.client.options.namespace).toBe(namespace);
    const user = await createUser(stack.db, { kycStatus: 'not_started', balance: false });
    const { result, handle } = await stack.accept('kycWorkflow', workflowIds.kyc(user.id), { userId: user.id });
    expect(result).toEqual({ accepted: true, id: user.id });
    await handle.signal(kycDecisionSignal, { decision: 'approved' });
    expect(await handle.result()).toBe('approved');
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: user.id } })).kycStatus).toBe('approved');

    const described = await handle.describe();
    expect(described.raw.workflowExecutionInfo?.execution?.workflowId).toBe(workflowIds.kyc(user.id));
    expect(described.typedSearchAttributes.get(searchAttributes.status)).toBe('approved');

    const query = `WorkflowId = "${workflowIds.kyc(user.id)}"`;
    const inNamespace = await stack.client.workflowService.countWorkflowExecutions({ namespace, query });
    const inDefault = await stack.client.workflowService.countWorkflowExecutions({ namespace: 'default', query });
    expect(Number(inNamespace.count)).toBe(1);
    expect(Number(inDefault.count)).toBe(0);
  });

  it("keeps the worker's task queue in that namespace: a worker of `default` polls an empty queue", async () => {
    const described = await stack.client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: stack.taskQueue },
      taskQueueType: 1, // workflow tasks
    });
    expect(described.pollers?.length ?? 0).toBeGreaterThan(0);
    const inDefault = await stack.client.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: stack.taskQueue },
      taskQueueType: 1,
    });
    expect(inDefault.pollers ?? []).toEqual([]);
  });
});
