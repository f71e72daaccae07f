import { Prisma } from '../db/client.js';
import type { Chain } from '../providers/ports.js';

// The chart of accounts. An account is a name; what it holds is per asset ('USD', 'USDC', 'share:<symbol>').
//
//   user:<id>:buying_power        USD     what the user can spend (balances.buying_power_usd = -sum)
//   user:<id>:pending_deposits    USD     confirmed deposits not yet at the broker (balances.pending_broker_deposits_usd = -sum)
//   user:<id>:withdrawing         USD     withdrawals accepted and not yet complete or failed
//   user:<id>:order_reserve       USD     buys accepted and not yet settled
//   user:<id>:positions:<type>    shares  positions_cache.quantity per asset type = -sum
//   user:<id>:sell_holds          shares  what open sells hold (order_legs.held_quantity - filled)
//
//   circle:wallets:<chain>        USDC    deposited USDC still in the users' W3S wallets
//   circle:mint                   USDC    the Circle Mint balance
//   circle:treasury:<chain>       USDC    the chain's treasury wallet
//   alpaca:firm                   USD     the firm account at the broker (payouts land here, journals leave from it)
//   alpaca:brokerage              USD, shares   the omnibus brokerage account's cash and positions
//
//   firm:conversion               USD, USDC     USDC <-> USD at par: open while a deposit or withdrawal is between currencies
//   firm:rounding                 any     dust in the firm's favour (credit) or against it (debit)
//   firm:suspense                 any     money received for nobody (an abandoned deposit)
//   firm:opening                  any     money that entered outside the sagas (fixtures, a migration of old balances)
//
// User accounts are liabilities and firm pools assets: a user's balance is minus the sum of its postings, a pool's
// the sum. Every transaction sums to zero per asset (enforced by the database).

export type UserAccountPurpose = 'buying_power' | 'pending_deposits' | 'withdrawing' | 'order_reserve' | 'sell_holds';

/** An account as a SQL expression, with the user it belongs to (NULL for the firm's). */
export interface Account {
  name: Prisma.Sql;
  userId: Prisma.Sql;
}

const noUser = Prisma.sql`NULL::uuid`;

/** A user's account; `userId` is a SQL expression (a column of the statement, or a parameter). */
export function userAccount(userId: Prisma.Sql, purpose: UserAccountPurpose): Account {
  return { name: Prisma.sql`'user:' || (${userId})::text || ${`:${purpose}`}`, userId: Prisma.sql`(${userId})::uuid` };
}

export function positionsAccount(userId: Prisma.Sql, assetType: Prisma.Sql): Account {
  return { name: Prisma.sql`'user:' || (${userId})::text || ':positions:' || (${assetType})::text`, userId: Prisma.sql`(${userId})::uuid` };
}

const firm = (name: string): Account => ({ name: Prisma.sql`${name}::text`, userId: noUser });
const firmOn = (prefix: string, chain: Prisma.Sql): Account => ({ name: Prisma.sql`${prefix} || (${chain})::text`, userId: noUser });

export const accounts = {
  circleWallets: (chain: Prisma.Sql) => firmOn('circle:wallets:', chain),
  circleMint: firm('circle:mint'),
  circleTreasury: (chain: Prisma.Sql) => firmOn('circle:treasury:', chain),
  alpacaFirm: firm('alpaca:firm'),
  alpacaBrokerage: firm('alpaca:brokerage'),
  conversion: firm('firm:conversion'),
  rounding: firm('firm:rounding'),
  suspense: firm('firm:suspense'),
  opening: firm('firm:opening'),
} as const;

/** Firm account names as text (for reads: the reconciliation, the admin API). */
export const firmAccountNames = {
  circleWallets: (chain: Chain) => `circle:wallets:${chain}`,
  circleMint: 'circle:mint',
  circleTreasury: (chain: Chain) => `circle:treasury:${chain}`,
  alpacaFirm: 'alpaca:firm',
  alpacaBrokerage: 'alpaca:brokerage',
} as const;

export const assets = {
  usd: Prisma.sql`'USD'::text`,
  usdc: Prisma.sql`'USDC'::text`,
  share: (symbol: Prisma.Sql) => Prisma.sql`'share:' || (${symbol})::text`,
} as const;

/** The asset name of a symbol's shares (or option contracts). */
export const shareAsset = (symbol: string) => `share:${symbol}`;
