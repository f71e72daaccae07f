import { Prisma } from '../../src/db/client.js';
import { TransitionError, type KycStatus } from '../../src/domain/status.js';
import type { AcceptResult } from '../../workflows/definitions.js';
import type { ActivityDeps } from '../index.js';
import { translated } from '../failures.js';
import { refusal } from '../../src/domain/refusals.js';

// KYC: submitting moves the user to `pending` (from not_started, or rejected on a re-submission); the decision
// moves them to approved (with their balances row, so money can arrive) or rejected.

export type KycDecision = 'approved' | 'rejected';

export function createKycActivities({ db }: ActivityDeps) {
  return {
    async submitKyc({ userId }: { userId: string }): Promise<AcceptResult> {
      return translated(async () => {
        const rows = await db.$queryRaw<{ previous: KycStatus; moved: number }[]>`
          WITH u AS (SELECT id, kyc_status::text AS previous FROM users WHERE id = ${userId}::uuid FOR UPDATE),
          moved AS (
            UPDATE users SET kyc_status = 'pending' FROM u
            WHERE users.id = u.id AND u.previous IN ('not_started', 'rejected') RETURNING users.id
          )
          SELECT u.previous, (SELECT count(*) FROM moved)::int AS moved FROM u`;
        const row = rows[0];
        if (!row) return { accepted: false, refusal: refusal('not_found', 'No such user') };
        if (row.previous === 'approved') {
          return { accepted: false, refusal: refusal('kyc_already_approved', 'This user is already verified') };
        }
        return { accepted: true, id: userId };
      });
    },

    /** Writes the decision on a pending user; approval also opens their balances row. */
    async recordKycDecision({ userId, decision }: { userId: string; decision: KycDecision }): Promise<KycStatus> {
      return translated(async () => {
        const openBalance =
          decision === 'approved'
            ? Prisma.sql`, opened AS (INSERT INTO balances (user_id) SELECT id FROM moved ON CONFLICT (user_id) DO NOTHING RETURNING 1)`
            : Prisma.empty;
        const rows = await db.$queryRaw<{ id: string }[]>`
          WITH moved AS (
            UPDATE users SET kyc_status = ${decision}::kyc_status
            WHERE id = ${userId}::uuid AND kyc_status = 'pending' RETURNING id
          )${openBalance}
          SELECT id FROM moved`;
        if (rows.length > 0) return decision;
        const user = await db.user.findUnique({ where: { id: userId }, select: { kycStatus: true } });
        // A retry after the write landed finds the decision already there.
        if (user?.kycStatus === decision) return decision;
        throw new TransitionError('users.kyc_status', user?.kycStatus ?? 'missing', decision);
      });
    },
  };
}
