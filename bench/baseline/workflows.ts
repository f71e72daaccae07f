import { proxyActivities, setHandler, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import { acceptUpdate, searchAttributes, type AcceptResult } from '../../workflows/definitions.js';
import { once, providerRetry } from '../../workflows/saga.js';
import type { BaselineActivities } from './activities.js';

// The benchmark's baseline: a workflow with a saga's shape and none of its work. It is started the way the API
// starts a saga (update-with-start of `accept`, whose handler runs one activity), then replays the commands a real
// saga's history showed after that — the same activities, search-attribute upserts and timers, in the same order,
// activities scheduled together (a basket's legs) run together — with activities that do nothing.

export type BaselineStep = { activities: number } | { upsert: true } | { timerMs: number };

export interface BaselineInput {
  userId: string;
  /** The saga's search-attribute kind, so operators' lists stay truthful about what a baseline run is. */
  kind: string;
  steps: BaselineStep[];
}

const { noop } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '1 minute', retry: providerRetry });

export async function baselineWorkflow(input: BaselineInput): Promise<string> {
  const accept = once(() => noop());
  setHandler(acceptUpdate, async (): Promise<AcceptResult> => ({ accepted: true, id: await accept() }));
  await accept();
  for (const step of input.steps) {
    if ('activities' in step) await Promise.all(Array.from({ length: step.activities }, () => noop()));
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
