import { Prisma } from '../../src/db/client.js';
import { accounts, assets, positionsAccount, userAccount } from '../../src/ledger/accounts.js';
import { bookedWith, text } from '../../src/ledger/book.js';

// The orders' ledger transactions (reference order:<id>), each booked by the statement that moves the money:
//   accepted   a buy: user buying_power +amount, order_reserve -amount
//              a sell: per leg, user positions:<type> +held, sell_holds -held (shares)
//   fill:<symbol>:<quantity>   one fill increment of a leg, the broker's side at its exact price:
//              a buy: user order_reserve +paid, alpaca:brokerage -cost, firm:rounding -(paid - cost) USD;
//                     alpaca:brokerage +qty, user positions:<type> -qty (shares)
//              a sell: alpaca:brokerage +proceeds, user buying_power -credited, firm:rounding -(proceeds - credited) USD;
//                      user sell_holds +sold within the hold, firm:rounding +sold beyond it, alpaca:brokerage -qty
//   settled    what the order did not use goes back: a buy's reservation to buying power, a sell's unsold hold to
//              the position

const reference = (orderId: string) => text(`order:${orderId}`);

/** Books the accept inside acceptOrder's statement: `ins` is the inserted order (id, user_id); `holds` a sell's holds. */
export function acceptedEntry(orderId: string, side: 'buy' | 'sell', assetType: string, amountUsd: string): Prisma.Sql {
  const user = Prisma.sql`ins.user_id`;
  const amount = Prisma.sql`${amountUsd}::numeric`;
  return bookedWith({
    name: 'ledger',
    when: 'ins',
    reference: reference(orderId),
    kind: text('accepted'),
    userId: user,
    postings:
      side === 'buy'
        ? [
            { account: userAccount(user, 'buying_power'), asset: assets.usd, amount },
            { account: userAccount(user, 'order_reserve'), asset: assets.usd, amount: Prisma.sql`-${amount}` },
          ]
        : [],
    more:
      side === 'sell'
        ? Prisma.sql`
          SELECT a.account, ${assets.share(Prisma.sql`h.symbol`)}, a.amount, ins.user_id FROM holds h
          CROSS JOIN LATERAL (VALUES (${positionsAccount(user, Prisma.sql`${assetType}::text`).name}, h.held),
                                     (${userAccount(user, 'sell_holds').name}, -h.held)) AS a(account, amount)`
        : undefined,
  });
}

/** What one fill increment moved, as decimal strings (the cents booked and the broker's exact cash). */
export interface FillIncrement {
  symbol: string;
  /** The broker's filled quantity after the increment: names the transaction. */
  filledQuantity: string;
  quantity: string;
  bookedUsd: string;
  brokerUsd: string;
  /** A sell's quantity sold within its hold (the rest is beyond it). */
  heldQuantity: string;
}

/** Books a fill increment inside bookLeg's statement: `leg` yields a row when the increment was booked. */
export function fillEntry(order: { id: string; userId: string; side: string; assetType: string }, fill: FillIncrement): Prisma.Sql {
  const user = Prisma.sql`${order.userId}::uuid`;
  const shares = assets.share(Prisma.sql`${fill.symbol}::text`);
  const n = (value: string) => Prisma.sql`${value}::numeric`;
  const buy = order.side === 'buy';
  const rounding = Prisma.sql`${n(fill.brokerUsd)} - ${n(fill.bookedUsd)}`;
  const beyondHold = Prisma.sql`${n(fill.quantity)} - ${n(fill.heldQuantity)}`;
  return bookedWith({
    name: 'ledger',
    when: 'leg',
    reference: reference(order.id),
    kind: text(`fill:${fill.symbol}:${fill.filledQuantity}`),
    userId: user,
    postings: buy
      ? [
          { account: userAccount(user, 'order_reserve'), asset: assets.usd, amount: n(fill.bookedUsd) },
          { account: accounts.alpacaBrokerage, asset: assets.usd, amount: Prisma.sql`-${n(fill.brokerUsd)}` },
          { account: accounts.rounding, asset: assets.usd, amount: rounding },
          { account: accounts.alpacaBrokerage, asset: shares, amount: n(fill.quantity) },
          {
            account: positionsAccount(user, Prisma.sql`${order.assetType}::text`),
            asset: shares,
            amount: Prisma.sql`-${n(fill.quantity)}`,
          },
        ]
      : [
          { account: accounts.alpacaBrokerage, asset: assets.usd, amount: n(fill.brokerUsd) },
          { account: userAccount(user, 'buying_power'), asset: assets.usd, amount: Prisma.sql`-${n(fill.bookedUsd)}` },
          { account: accounts.rounding, asset: assets.usd, amount: Prisma.sql`-(${rounding})` },
          { account: userAccount(user, 'sell_holds'), asset: shares, amount: n(fill.heldQuantity) },
          { account: accounts.rounding, asset: shares, amount: beyondHold },
          { account: accounts.alpacaBrokerage, asset: shares, amount: Prisma.sql`-${n(fill.quantity)}` },
        ],
  });
}

/**
 * Books the settle inside settleOrder's statement: `settled` is the order row that moved (id, user_id, side,
 * asset_type, amount_usd), `filled` its legs' booked USD. Booked only when something goes back.
 */
export function settledEntry(orderId: string): Prisma.Sql {
  const user = Prisma.sql`returning_order.user_id`;
  const unspent = Prisma.sql`GREATEST(returning_order.amount_usd - (SELECT amount FROM filled), 0)`;
  const unsold = Prisma.sql`l.held_quantity - l.filled_quantity`;
  return Prisma.sql`,
    returning_order AS (
      SELECT s.* FROM settled s
      WHERE (s.side = 'buy' AND s.amount_usd > (SELECT amount FROM filled))
         OR (s.side = 'sell' AND EXISTS (SELECT 1 FROM order_legs l WHERE l.order_id = s.id AND l.held_quantity > l.filled_quantity))
    )${bookedWith({
      name: 'ledger',
      when: 'returning_order',
      reference: reference(orderId),
      kind: text('settled'),
      userId: user,
      postings: [],
      more: Prisma.sql`
        SELECT a.account, ${assets.usd}, a.amount, returning_order.user_id
        FROM (VALUES (${userAccount(user, 'order_reserve').name}, ${unspent}),
                     (${userAccount(user, 'buying_power').name}, -${unspent})) AS a(account, amount)
        WHERE returning_order.side = 'buy'
        UNION ALL
        SELECT a.account, ${assets.share(Prisma.sql`l.symbol`)}, a.amount, returning_order.user_id
        FROM order_legs l CROSS JOIN LATERAL (VALUES (${userAccount(user, 'sell_holds').name}, ${unsold}),
               (${positionsAccount(user, Prisma.sql`returning_order.asset_type`).name}, -(${unsold}))) AS a(account, amount)
        WHERE returning_order.side = 'sell' AND l.order_id = returning_order.id AND l.held_quantity > l.filled_quantity`,
    })}`;
}
