import { workflowIds } from '../../workflows/definitions.js';
import type { Db } from './client.js';
import type { LedgerPosting, LedgerTransaction, OperatorAuditEntry, ProviderMovement } from '../generated/prisma/client.js';

// Everything the database knows about one money movement, for the operator's timeline (GET /v1/admin/{deposits|
// withdrawals|orders}/{id}/timeline): its status changes (the events outbox), its ledger transactions with their
// postings (reference `<kind>:<id>`), the provider calls made for it (provider_movements, by the idempotency key
// `<workflowId>:<step>` or an order leg's client_order_id), the provider references on its own rows, and the
// operators' actions on it (operator_audit_log). Read-only; the route orders and shapes it.

export type MovementKind = 'deposit' | 'withdrawal' | 'order';

export interface ProviderReference {
  provider: string;
  kind: string;
  reference: string;
  /** Where fundflow has it: the movement's own row(s), provider_movements, or Circle's inbound transfer record. */
  sources: ('row' | 'provider_movements' | 'inbound_transfers')[];
  symbol?: string;
}

export interface MovementTimelineFacts {
  kind: MovementKind;
  id: string;
  userId: string;
  status: string;
  failureReason: string | null;
  createdAt: Date;
  workflowId: string;
  statusChanges: { eventId: string; type: string; status: string; sequence: number; at: Date }[];
  ledger: (LedgerTransaction & { postings: LedgerPosting[] })[];
  providerMovements: ProviderMovement[];
  references: ProviderReference[];
  operatorActions: OperatorAuditEntry[];
}

type RowReference = Omit<ProviderReference, 'sources'>;

/** The movement's row, its workflow id, the references on its rows, and how its provider calls are keyed. */
async function movementRow(db: Db, kind: MovementKind, id: string) {
  if (kind === 'deposit') {
    const row = await db.deposit.findUnique({ where: { id }, include: { inboundTransfer: { select: { circleTransferId: true } } } });
    if (!row) return null;
    const references: (RowReference & { source: 'row' | 'inbound_transfers' })[] = [
      { provider: 'chain', kind: 'tx_hash', reference: row.txHash, source: 'row' },
    ];
    if (row.inboundTransfer) {
      references.push({
        provider: 'circle-wallets',
        kind: 'inbound_transfer',
        reference: row.inboundTransfer.circleTransferId,
        source: 'inbound_transfers',
      });
    }
    return { row, workflowId: workflowIds.deposit(row.chain, row.txHash), references, clientOrderIds: [] as string[] };
  }
  if (kind === 'withdrawal') {
    const row = await db.withdrawal.findUnique({ where: { id } });
    if (!row) return null;
    const references = (
      [
        ['alpaca', 'broker_withdraw', row.brokerWithdrawalRef],
        ['circle-mint', 'on_ramp', row.circleOnRampRef],
        ['circle-wallets', 'chain_transfer', row.circleTransferRef],
        ['chain', 'tx_hash', row.txHash],
      ] as const
    )
      .filter(([, , reference]) => reference)
      .map(([provider, refKind, reference]) => ({ provider, kind: refKind, reference: reference!, source: 'row' as const }));
    return { row, workflowId: workflowIds.withdrawal(row.id), references, clientOrderIds: [] as string[] };
  }
  const row = await db.order.findUnique({ where: { id }, include: { legs: { orderBy: { symbol: 'asc' } } } });
  if (!row) return null;
  const references: (RowReference & { source: 'row' })[] = [];
  if (row.alpacaOrderRef) references.push({ provider: 'alpaca', kind: 'order', reference: row.alpacaOrderRef, source: 'row' });
  for (const leg of row.legs) {
    if (leg.alpacaOrderRef)
      references.push({ provider: 'alpaca', kind: 'order', reference: leg.alpacaOrderRef, symbol: leg.symbol, source: 'row' });
  }
  return { row, workflowId: workflowIds.order(row.id), references, clientOrderIds: row.legs.map((leg) => leg.clientOrderId) };
}

/** The movement's timeline facts, or null when no such row exists. */
export async function movementTimelineFacts(db: Db, kind: MovementKind, id: string): Promise<MovementTimelineFacts | null> {
  const found = await movementRow(db, kind, id);
  if (!found) return null;
  const { row, workflowId, clientOrderIds } = found;
  const [events, ledger, providerMovements, operatorActions] = await Promise.all([
    db.event.findMany({ where: { resourceType: kind, resourceId: id }, orderBy: { sequence: 'asc' } }),
    db.ledgerTransaction.findMany({
      where: { reference: `${kind}:${id}` },
      include: { postings: { orderBy: { id: 'asc' } } },
      orderBy: { id: 'asc' },
    }),
    db.providerMovement.findMany({
      where: {
        OR: [
          { idempotencyKey: { startsWith: `${workflowId}:` } },
          ...(clientOrderIds.length ? [{ idempotencyKey: { in: clientOrderIds } }] : []),
        ],
      },
      orderBy: { id: 'asc' },
    }),
    db.operatorAuditEntry.findMany({ where: { targetKind: kind, targetId: id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
  ]);

  // One entry per provider reference, whichever places know it.
  const references = new Map<string, ProviderReference>();
  const add = (reference: RowReference, source: ProviderReference['sources'][number]) => {
    const key = `${reference.provider}\n${reference.reference}`;
    const known = references.get(key);
    if (known) {
      if (!known.sources.includes(source)) known.sources.push(source);
      known.symbol ??= reference.symbol;
    } else {
      references.set(key, { ...reference, sources: [source] });
    }
  };
  for (const { source, ...reference } of found.references) add(reference, source);
  for (const m of providerMovements) {
    const symbol = (m.details as { symbol?: unknown }).symbol;
    add(
      { provider: m.provider, kind: m.kind, reference: m.providerId, ...(typeof symbol === 'string' ? { symbol } : {}) },
      'provider_movements',
    );
  }

  return {
    kind,
    id,
    userId: row.userId,
    status: row.status,
    failureReason: row.failureReason,
    createdAt: row.createdAt,
    workflowId,
    statusChanges: events.map((e) => ({
      eventId: e.id,
      type: e.type,
      status: e.type.slice(kind.length + 1),
      sequence: e.sequence,
      at: e.createdAt,
    })),
    ledger,
    providerMovements,
    references: [...references.values()],
    operatorActions,
  };
}
