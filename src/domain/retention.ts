// How long the rows that only exist to repeat an answer are kept. Pure: no I/O.

/**
 * A client may repeat a request for a day and must get the first answer (and start nothing new): idempotency keys
 * are never purged sooner, whatever the configuration or a run's input says.
 */
export const minimumIdempotencyKeyRetentionHours = 24;

/** Circle redelivers a notification for hours: one handled is remembered at least a day. */
export const minimumCircleNotificationRetentionHours = 24;

/** Events are what GET /v1/events hands out and webhooks carry: a client that polls daily must not miss one. */
export const minimumEventRetentionHours = 24;
