import { proxyActivities, setHandler, sleep, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { acceptUpdate, searchAttributes, type AcceptResult } from '../../workflows/definitions.js';
import { providerTaskQueue, type ProviderQueue } from '../../workflows/activities.js';
import { once, providerRetry } from '../../workflows/saga.js';
import type { BaselineActivities } from './activities.js';

// The benchmark's baseline: a workflow with a saga's shape and none of its work. It is started the way the API
// starts a saga (update-with-start of `accept`, whose handler runs one activity), then replays the commands a real
// saga's history showed after that — the same activities, search-attribute upserts and timers, in the same order,
// activities scheduled together (a basket's legs) run together, each on the kind of task queue the saga's ran on
// (its own or a provider's: workflows/activities.ts) with inputs and results of the same sizes — with activities
// that do nothing.

/** The task queue an activity ran on: the workflow's own, or `<the workflow's>-<provider>`. */
export type ActivityQueue = ProviderQueue | 'main';

/** One of the saga's activities: where it ran, and its input's and result's sizes in bytes. */
export interface ActivityShape {
  queue: ActivityQueue;
  inputBytes: number;
  resultBytes: number;
}

export type BaselineStep = { activities: ActivityShape[] } | { upsert: true } | { timerMs: number };

export interface BaselineShape {
  accept: ActivityShape;
  steps: BaselineStep[];
}

export interface BaselineInput extends BaselineShape {
  userId: string;
  /** The saga's search-attribute kind, so operators' lists stay truthful about what a baseline run is. */
  kind: string;
}

const options = { startToCloseTimeout: '1 minute', retry: providerRetry } as const;
const onMain = proxyActivities<BaselineActivities>(options);

function noop({ queue, inputBytes, resultBytes }: ActivityShape): Promise<string> {
  const on =
    queue === 'main'
      ? onMain
      : proxyActivities<BaselineActivities>({ ...options, taskQueue: providerTaskQueue(workflowInfo().taskQueue, queue) });
  return on.noop('x'.repeat(inputBytes), resultBytes);
}

export async function baselineWorkflow(input: BaselineInput): Promise<string> {
  const accept = once(() => noop(input.accept));
  setHandler(acceptUpdate, async (): Promise<AcceptResult> => ({ accepted: true, id: await accept() }));
  await accept();
  for (const step of input.steps) {
    if ('activities' in step) await Promise.all(step.activities.map(noop));
    else if ('upsert' in step) {
      upsertSearchAttributes([
        { key: searchAttributes.kind, value: input.kind },
        { key: searchAttributes.status, value: 'baseline' },
        { key: searchAttributes.userId, value: input.userId },
        { key: searchAttributes.needsOperator, value: false },
      ]);
    } else await sleep(step.timerMs);
  }
  return 'done';
}
