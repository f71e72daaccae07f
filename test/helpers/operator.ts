import type { WorkflowHandle } from '@temporalio/client';
import { operatorUpdate } from '../../workflows/definitions.js';

/** An operator's decision on a parked saga, as the admin routes deliver it (the `operator` update). */
export function operatorDecides(handle: WorkflowHandle, action: 'retry' | 'abort', note?: string) {
  return handle.executeUpdate(operatorUpdate, { args: [{ action, ...(note ? { note } : {}), operator: 'test-operator' }] });
}
