import path from 'node:path';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { DeterminismViolationError } from '@temporalio/workflow';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { tracingWorkerOptions } from '../../src/tracing.js';
import { workflowInterceptorModules } from '../../src/workflow-code.js';
import { activityQueues } from '../../workflows/activities.js';
import { loadHistories, loadHistory, recordedNames } from './histories.js';

// The recorded runs (histories/*.json, see record.test.ts) must replay against today's workflow code.

const workflowsPath = path.resolve(import.meta.dirname, '../../workflows/index.ts');
Runtime.install({ logger: new DefaultLogger('ERROR') });

/** Every path of every saga, each recorded on the current code and on the code before `poll-by-activity-retry`. */
const sagaPaths = [
  'kyc-approved',
  'kyc-rejected',
  'wallet-active',
  'wallet-parked-retried',
  'deposit-funded',
  'deposit-parked-retried',
  'deposit-payout-refused-aborted',
  'deposit-payout-failed-second-round',
  'deposit-woken-by-news',
  'withdrawal-complete',
  'withdrawal-transfer-refused',
  'withdrawal-aborted',
  'order-buy-filled',
  'order-sell-filled',
  'order-canceled',
  'order-aborted',
  'summary-run',
  'summary-user',
];

describe('replaying recorded saga histories', () => {
  it('covers every saga path, recorded on the current code and on the released code before it', async () => {
    const names = await recordedNames();
    const missing = sagaPaths.flatMap((p) => [p, `${p}-before-poll-by-retry`]).filter((name) => !names.includes(name));
    expect(missing).toEqual([]);
  });

  it('every recorded kyc, wallet, deposit, withdrawal, order and summary run replays against the current workflows', async () => {
    const names = await recordedNames();
    expect(names.length).toBeGreaterThanOrEqual(2 * sagaPaths.length);
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath }, loadHistories(names))) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });

  it('runs recorded with every activity on one queue replay with provider activities routed to their own queues', async () => {
    // The recorded histories scheduled Circle and Alpaca calls on the workflow's own queue; the routing interceptor
    // now gives those commands another task queue. Replay matches an activity command to its event by id and type
    // only (sdk-core's activity_state_machine.rs), so the histories still replay.
    const names = await recordedNames();
    const onOneQueue = [];
    for (const name of names) {
      const { history } = await loadHistory(name);
      const workflowQueue = history.events![0]!.workflowExecutionStartedEventAttributes!.taskQueue!.name!;
      for (const event of history.events!) {
        const scheduled = event.activityTaskScheduledEventAttributes;
        const queue = scheduled && activityQueues[scheduled.activityType!.name as keyof typeof activityQueues];
        if (queue && queue !== 'main' && scheduled.taskQueue!.name === workflowQueue) onOneQueue.push(scheduled.activityType!.name);
      }
    }
    expect(onOneQueue).toEqual(expect.arrayContaining(['confirmDeposit', 'startDepositOffRamp', 'startDepositFunding', 'placeOrderLeg']));

    // With and without OpenTelemetry's interceptors: a worker may start or stop exporting traces at any deploy.
    const failures: string[] = [];
    // A traced worker has the span exporter sink, as src/task-queues.ts gives it (a replay exports nothing).
    const tracing = {
      resource: new Resource({ 'service.name': 'replay' }),
      processor: new SimpleSpanProcessor(new InMemorySpanExporter()),
      shutdown: async () => {},
    };
    for (const traced of [true, false]) {
      for await (const result of Worker.runReplayHistories(
        {
          workflowsPath,
          interceptors: { workflowModules: workflowInterceptorModules(traced) },
          sinks: tracingWorkerOptions(traced ? tracing : undefined).sinks,
        },
        loadHistories(names),
      )) {
        if (result.error) failures.push(`${traced ? 'traced' : 'untraced'} ${result.workflowId}: ${result.error.message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('a deposit saga changed in a non-deterministic way fails the replay', async () => {
    const { workflowId, history } = await loadHistory('deposit-funded');
    await expect(
      Worker.runReplayHistory({ workflowsPath: path.resolve(import.meta.dirname, 'fixtures/reordered-deposit.ts') }, history, workflowId),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
