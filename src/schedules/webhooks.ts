import type { Client } from '@temporalio/client';
import type { Config } from '../config.js';
import {
  webhookWorkflowIds,
  type DeliveryRetry,
  type DeliveryRunInput,
  type webhookDeliveryWorkflow,
  type webhookDispatcherWorkflow,
} from '../../workflows/webhooks.js';

// Starting the webhook runs (workflows/webhooks.ts): the dispatcher, ensured by every worker start like the
// schedules, and one endpoint + resource's delivery run, started by the dispatcher and by an operator's replay.

export function deliveryRetryOf(config: Config): DeliveryRetry {
  return {
    initialSeconds: config.WEBHOOK_RETRY_INITIAL_SECONDS,
    maxIntervalSeconds: config.WEBHOOK_RETRY_MAX_INTERVAL_SECONDS,
    giveUpAfterHours: config.WEBHOOK_RETRY_HOURS,
    attemptTimeoutSeconds: config.WEBHOOK_TIMEOUT_SECONDS,
  };
}

/**
 * Starts the dispatcher with the current configuration. A running one is replaced: it keeps no state of its own
 * (the fan-out cursors are in webhook_endpoints), and this is how a changed interval or retry policy takes effect.
 * `workflowId` is for tests that share one Temporal server.
 */
export async function ensureWebhookDispatcher(
  client: Client,
  config: Config,
  { workflowId = webhookWorkflowIds.dispatcher }: { workflowId?: string } = {},
): Promise<void> {
  await client.workflow.start<typeof webhookDispatcherWorkflow>('webhookDispatcherWorkflow', {
    workflowId,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    args: [{ intervalSeconds: config.WEBHOOK_DISPATCH_INTERVAL_SECONDS, retry: deliveryRetryOf(config) }],
    workflowIdConflictPolicy: 'TERMINATE_EXISTING',
  });
}

/** Starts the delivery run of one endpoint + resource, or leaves the running one alone (it takes what is pending). */
export async function startDeliveryRun(client: Client, taskQueue: string, input: DeliveryRunInput): Promise<void> {
  await client.workflow.start<typeof webhookDeliveryWorkflow>('webhookDeliveryWorkflow', {
    workflowId: webhookWorkflowIds.delivery(input.endpointId, input.resourceType, input.resourceId),
    taskQueue,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}
