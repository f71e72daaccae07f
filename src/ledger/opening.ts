import type { Db } from '../db/client.js';
import { Money } from '../domain/money.js';

// Money a user holds that did not come through a saga (test fixtures, load scripts, a migration of balances kept
// elsewhere before the ledger): booked once per user as `opening`, against the pool the money sits in. The caller
// puts the money there too (for the brokerage account: an incoming wire at the broker), or the reconciliation
// reports the difference.

export interface OpeningBalance {
  userId: string;
  buyingPowerUsd?: string;
  pendingBrokerDepositsUsd?: string;
}

/** Books a user's opening balances (the projections are written by the caller, with the balances row). */
export async function bookOpening(db: Db, opening: OpeningBalance): Promise<void> {
  const buyingPower = new Money(opening.buyingPowerUsd ?? 0);
  const pending = new Money(opening.pendingBrokerDepositsUsd ?? 0);
  if (buyingPower.isZero() && pending.isZero()) return;
  const user = opening.userId;
  await db.$executeRaw`
    WITH tx AS (
      INSERT INTO ledger_transactions (reference, kind, user_id) VALUES (${`opening:${user}`}, 'opening', ${user}::uuid) RETURNING id
    )
    INSERT INTO ledger_postings (transaction_id, account, asset, amount, user_id)
    SELECT tx.id, p.account, 'USD', p.amount::numeric, p.user_id::uuid FROM tx CROSS JOIN (VALUES
      (${`user:${user}:buying_power`}, ${buyingPower.negated().toFixed()}, ${user}),
      ('alpaca:brokerage', ${buyingPower.toFixed()}, NULL),
      (${`user:${user}:pending_deposits`}, ${pending.negated().toFixed()}, ${user}),
      ('firm:opening', ${pending.toFixed()}, NULL)
    ) AS p(account, amount, user_id)
    WHERE p.amount::numeric <> 0`;
}
