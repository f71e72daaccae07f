import {
  ScheduleAlreadyRunning,
  type Client,
  type ScheduleHandle,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
} from '@temporalio/client';
import type { Workflow } from '@temporalio/common';

// Every schedule the worker keeps (weekly summaries, reconciliation, retention) is ensured the same way at start:
// created the first time; afterwards its spec, action and policies are brought up to date with the configuration,
// and its state (paused or not, and the operator's note) is left to the operators. Never duplicated.

export interface ScheduleDefinition<W extends Workflow> {
  scheduleId: string;
  spec: ScheduleSpec;
  action: ScheduleOptionsStartWorkflowAction<W>;
  policies: NonNullable<ScheduleOptions['policies']>;
  /** What it does and how to stop it, shown in the Temporal UI. */
  note: string;
}

export async function ensureSchedule<W extends Workflow>(client: Client, schedule: ScheduleDefinition<W>): Promise<ScheduleHandle> {
  const { scheduleId, spec, action, policies, note } = schedule;
  try {
    return await client.schedule.create({
      scheduleId,
      spec,
      action,
      policies,
      memo: { description: note },
      state: { note },
    } as ScheduleOptions);
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  const handle = client.schedule.getHandle(scheduleId);
  await handle.update<W>((previous) => ({ ...previous, spec, action, policies }));
  return handle;
}
