import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';

/**
 * What an operator does with Temporal's ResetWorkflowExecution (the Web UI's "Reset"): a new run of the same
 * workflow id that keeps the history up to the first WorkflowTaskCompleted after the accept update was accepted
 * (the accept step's result stays) and runs every later step again. Returns the new run's handle.
 */
export async function resetAfterAccept(client: Client, handle: WorkflowHandle): Promise<WorkflowHandle> {
  const events = (await handle.fetchHistory()).events ?? [];
  const accepted = events.findIndex((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
  if (accepted < 0) throw new Error(`${handle.workflowId}: no accepted update in the history`);
  const point = events.slice(accepted + 1).find((e) => e.workflowTaskCompletedEventAttributes);
  if (!point?.eventId) throw new Error(`${handle.workflowId}: no workflow task completed after the accept update`);
  const { runId } = await handle.describe();
  const reset = await client.workflowService.resetWorkflowExecution({
    namespace: client.options.namespace,
    workflowExecution: { workflowId: handle.workflowId, runId },
    reason: 'operator reset (test)',
    workflowTaskFinishEventId: point.eventId,
    requestId: randomUUID(),
  });
  if (!reset.runId) throw new Error(`${handle.workflowId}: the reset started no run`);
  return client.workflow.getHandle(handle.workflowId, reset.runId);
}
