import type { NotificationSigner } from './circle-common.js';
import { stableUuid } from './chain.js';
import type { SandboxState } from './state.js';

// Circle v2 notifications for Programmable Wallets transactions, delivered to the configured webhook URL as
// Circle does: signed over the exact bytes sent, a notificationId that stays the same on redelivery, and a few
// redeliveries when the endpoint answers non-2xx or cannot be reached.

export interface Delivery {
  notificationId: string;
  notificationType: string;
  transactionId: string;
  state: string;
  attempts: number;
  lastStatus?: number;
  delivered: boolean;
}

export class WebhookSender {
  readonly subscriptionId = stableUuid('webhook-subscription');
  private deliveries: Delivery[] = [];

  constructor(
    private readonly state: SandboxState,
    private readonly signer: NotificationSigner,
  ) {}

  /** Sends one notification for a transaction in its current state (no-op when no URL is configured). */
  notifyTransaction(transaction: { id: string; state: string; transactionType: string }): void {
    const url = this.state.settings.webhookUrl;
    if (!url) return;
    const notificationType = transaction.transactionType === 'INBOUND' ? 'transactions.inbound' : 'transactions.outbound';
    const notificationId = stableUuid(`notification:${transaction.id}:${transaction.state}`);
    const body = Buffer.from(
      JSON.stringify({
        subscriptionId: this.subscriptionId,
        notificationId,
        notificationType,
        notification: transaction,
        timestamp: new Date().toISOString(),
        version: 2,
      }),
    );
    const delivery: Delivery = {
      notificationId,
      notificationType,
      transactionId: transaction.id,
      state: transaction.state,
      attempts: 0,
      delivered: false,
    };
    this.deliveries.push(delivery);
    void this.attempt(url, body, delivery);
  }

  private async attempt(url: string, body: Buffer, delivery: Delivery): Promise<void> {
    delivery.attempts += 1;
    try {
      const res = await fetch(url, {
        method: 'POST',
        body: new Uint8Array(body),
        headers: {
          'content-type': 'application/json',
          'x-circle-signature': this.signer.sign(body),
          'x-circle-key-id': this.signer.keyId,
        },
        signal: AbortSignal.timeout(10_000),
      });
      delivery.lastStatus = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        delivery.delivered = true;
        return;
      }
    } catch (error) {
      this.state.logger.debug({ err: error, notificationId: delivery.notificationId }, 'webhook delivery failed');
    }
    const delay = this.state.settings.webhookRetryDelaysMs[delivery.attempts - 1];
    if (delay === undefined) {
      this.state.logger.warn({ notificationId: delivery.notificationId, attempts: delivery.attempts }, 'webhook given up');
      return;
    }
    this.state.schedule(() => void this.attempt(url, body, delivery), delay);
  }

  list(): Delivery[] {
    return this.deliveries.map((d) => ({ ...d }));
  }

  reset(): void {
    this.deliveries = [];
  }
}
