import type { Request } from 'express';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import type { OperatorAuditEntry, Prisma } from '../generated/prisma/client.js';
import { HttpProblem } from './problem.js';

// The operator audit log (operator_audit_log, append-only by trigger): every operator action leaves one row with
// the token's subject, the action, its target and the outcome. The row is written after the action, because only
// then is the outcome known and the table cannot be updated: accepted when the action was delivered, refused
// with the problem's detail when the API or the saga said no (4xx), failed when we broke (5xx, Temporal away)
// and the effect is unknown. A request the validator rejects never reaches the action and is not recorded.

export type OperatorAction =
  | 'kyc_decision'
  | 'retry'
  | 'abort'
  | 'summary_run'
  | 'reconciliation_resolve'
  | 'webhook_endpoint_create'
  | 'webhook_endpoint_update'
  | 'webhook_endpoint_delete'
  | 'webhook_replay';
export type AuditTargetKind =
  'user' | 'deposit' | 'withdrawal' | 'order' | 'summary_week' | 'reconciliation_break' | 'webhook_endpoint' | 'webhook_delivery';

export interface AuditedAction {
  action: OperatorAction;
  targetKind: AuditTargetKind;
  /** As the operator sent it: a path id may name nothing (a refusal is worth recording too). */
  targetId: string;
  /** What the operator asked for beyond the target: the decision, the note, never a secret. */
  details?: Prisma.InputJsonObject;
}

// The columns are VARCHAR(255): a longer path id is cut rather than lose the row of a refusal.
const column = (value: string) => value.slice(0, 255);

/** Runs `act` and records its outcome in the audit log; rethrows what `act` threw, after recording it. */
export async function audited<T>(db: Db, req: Request, entry: AuditedAction, act: () => Promise<T>): Promise<T> {
  // requireOperator runs before every /v1/admin route, so a subject is always there; an empty one would be a bug.
  const operatorSubject = req.auth?.subject;
  if (!operatorSubject) throw new HttpProblem(403, 'This route is for operators');
  const record = (outcome: 'accepted' | 'refused' | 'failed', reason: string | null) =>
    db.operatorAuditEntry.create({
      data: {
        operatorSubject: column(operatorSubject),
        action: entry.action,
        targetKind: entry.targetKind,
        targetId: column(entry.targetId),
        outcome,
        reason,
        details: entry.details ?? {},
      },
    });
  let result: T;
  try {
    result = await act();
  } catch (error) {
    if (error instanceof HttpProblem && error.status < 500) await record('refused', error.detail);
    else await record('failed', error instanceof Error ? error.message : String(error));
    throw error;
  }
  await record('accepted', null);
  return result;
}

export const auditEntryView = z
  .object({
    id: z.guid(),
    operatorSubject: z.string().meta({ description: "The operator token's `sub`" }),
    action: z.enum([
      'kyc_decision',
      'retry',
      'abort',
      'summary_run',
      'reconciliation_resolve',
      'webhook_endpoint_create',
      'webhook_endpoint_update',
      'webhook_endpoint_delete',
      'webhook_replay',
    ]),
    targetKind: z.enum([
      'user',
      'deposit',
      'withdrawal',
      'order',
      'summary_week',
      'reconciliation_break',
      'webhook_endpoint',
      'webhook_delivery',
    ]),
    targetId: z.string().meta({ description: 'The id as the operator sent it (a week: its Monday, YYYY-MM-DD)' }),
    outcome: z.enum(['accepted', 'refused', 'failed']).meta({
      description: 'accepted: delivered; refused: the API or the saga said no (reason); failed: our error, effect unknown',
    }),
    reason: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).meta({ description: 'What was asked beyond the target: decision, note' }),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'OperatorAuditEntry' });

export function serializeAuditEntry(row: OperatorAuditEntry): z.input<typeof auditEntryView> {
  return {
    id: row.id,
    operatorSubject: row.operatorSubject,
    action: row.action as OperatorAction,
    targetKind: row.targetKind as AuditTargetKind,
    targetId: row.targetId,
    outcome: row.outcome as 'accepted' | 'refused' | 'failed',
    reason: row.reason,
    details: (row.details ?? {}) as Record<string, unknown>,
    createdAt: row.createdAt.toISOString(),
  };
}
