import { ActivityFailure } from '@temporalio/common';
import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhooks/index.js';

// Webhook delivery (issue 17). The events themselves are written by database triggers in the transaction of each
// status change (the `events` outbox); this is the durable work that carries them to the operators' endpoints.
//
// - webhookDispatcherWorkflow (one, started by every worker start): every interval, one activity turns new events
//   into deliveries for each enabled endpoint and starts the delivery run of every resource whose next delivery
//   is waiting for one. It continues as new after a while, so its history stays small.
// - webhookDeliveryWorkflow (one per endpoint + resource): delivers that resource's pending deliveries one at a
//   time in sequence order. A failed attempt is retried by Temporal with exponential backoff for hours, so a later
//   event of the resource never overtakes an earlier one and a receiver that is down for an hour loses nothing.

export interface DeliveryRetry {
  initialSeconds: number;
  maxIntervalSeconds: number;
  /** Give up (mark the delivery failed, go on with the next) after this long. */
  giveUpAfterHours: number;
  /** One HTTP attempt's timeout. */
  attemptTimeoutSeconds: number;
}

export interface DispatcherInput {
  intervalSeconds: number;
  retry: DeliveryRetry;
}

export interface DeliveryRunInput {
  endpointId: string;
  resourceType: string;
  resourceId: string;
  retry: DeliveryRetry;
}

export const webhookWorkflowIds = {
  dispatcher: 'webhook-dispatcher',
  delivery: (endpointId: string, resourceType: string, resourceId: string) =>
    `webhook-delivery-${endpointId}-${resourceType}-${resourceId}`,
} as const;

/** Dispatch rounds per run before continuing as new (each round is about a dozen history events). */
const roundsPerRun = 100;

export async function webhookDispatcherWorkflow(input: DispatcherInput): Promise<never> {
  const { dispatchWebhookEvents } = proxyActivities<WebhookActivities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  });
  for (let round = 0; round < roundsPerRun; round++) {
    await dispatchWebhookEvents({ retry: input.retry });
    await sleep(input.intervalSeconds * 1000);
  }
  return continueAsNew<typeof webhookDispatcherWorkflow>(input);
}

export async function webhookDeliveryWorkflow(input: DeliveryRunInput): Promise<{ delivered: number; failed: number }> {
  const { nextWebhookDelivery, failWebhookDelivery } = proxyActivities<WebhookActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  });
  // Temporal retries the attempt itself (every attempt is logged by the activity), exponentially, for hours.
  const { attemptWebhookDelivery } = proxyActivities<WebhookActivities>({
    startToCloseTimeout: `${input.retry.attemptTimeoutSeconds + 10} seconds`,
    scheduleToCloseTimeout: `${input.retry.giveUpAfterHours * 3600} seconds`,
    retry: {
      initialInterval: `${input.retry.initialSeconds} seconds`,
      backoffCoefficient: 2,
      maximumInterval: `${input.retry.maxIntervalSeconds} seconds`,
    },
  });
  let delivered = 0;
  let failed = 0;
  // Bounded so that a resource with a long stream of events continues as new instead of growing one history.
  for (let i = 0; i < 200; i++) {
    const next = await nextWebhookDelivery(input);
    if (!next) return { delivered, failed };
    try {
      await attemptWebhookDelivery({ deliveryId: next.deliveryId, timeoutSeconds: input.retry.attemptTimeoutSeconds });
      delivered++;
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      await failWebhookDelivery({ deliveryId: next.deliveryId });
      failed++;
    }
  }
  return continueAsNew<typeof webhookDeliveryWorkflow>(input);
}
