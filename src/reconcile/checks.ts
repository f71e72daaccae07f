import type { Db } from '../db/client.js';
import { Money, usdFromUsdc } from '../domain/money.js';
import { firmBalances, projectionDrift } from '../ledger/projections.js';
import { workflowIds } from '../../workflows/definitions.js';
import { movementKey, type ProviderBooks } from './provider-books.js';

// The checks of a reconciliation, each comparing what we book with what a provider reports. Each returns breaks:
// what does not add up, named by its check and subject (an account or a movement), with what we expected and
// what was found.

export type BreakCheck =
  | 'firm_balance' // a firm ledger account against the provider's balance
  | 'projection' // balances / positions_cache against the ledger
  | 'deposit' // a broker_funded deposit's payout and journal
  | 'withdrawal' // a complete withdrawal's transfer on chain
  | 'order_fill' // an order leg's booked fills against the broker's
  | 'position' // users' positions per symbol against the broker's
  | 'unrecorded_effect' // an effect listed at a provider that we never recorded (a double effect)
  | 'missing_at_provider'; // an effect we recorded that the provider does not list

export interface Break {
  check: BreakCheck;
  subject: string;
  expected: string;
  found: string;
}

interface RecordedMovement {
  provider: string;
  kind: string;
  providerId: string;
  idempotencyKey: string;
  amount: string;
  asset: string;
  details: Record<string, string>;
}

/** USD and USDC in cents when they have no more, shares as they are. */
export function formatAmount(asset: string, amount: Money): string {
  if (asset === 'USD' || (asset === 'USDC' && amount.decimalPlaces() <= 2)) return amount.toFixed(2);
  return amount.toFixed();
}

const providerAccount = /^(circle|alpaca):/;

/**
 * The smallest amount a provider reports for an account: Alpaca's cash and Mint's balance in cents, W3S wallets
 * in USDC's 6 decimals, positions in shares to 9. The ledger books exact amounts (a fill's cash is quantity x
 * price), so a difference below this unit is the provider's rounding of its display, not a break.
 */
function reportingUnit(account: string, asset: string): Money {
  if (asset === 'USD' || account === 'circle:mint') return new Money('0.01');
  return new Money(asset === 'USDC' ? '0.000001' : '0.000000001');
}

/** Each firm account a provider holds: the ledger's balance against the provider's. */
export async function firmBalanceBreaks(db: Db, books: ProviderBooks): Promise<Break[]> {
  const ledger = await firmBalances(db);
  const keys = new Set([...books.balances.keys(), ...[...ledger.keys()].filter((k) => providerAccount.test(k))]);
  const breaks: Break[] = [];
  for (const key of [...keys].sort()) {
    const asset = key.slice(key.indexOf(' ') + 1);
    const booked = ledger.get(key) ?? new Money(0);
    const held = books.balances.get(key);
    if (held === undefined) {
      breaks.push({ check: 'firm_balance', subject: key, expected: formatAmount(asset, booked), found: 'not reported by any provider' });
    } else if (
      booked
        .minus(held)
        .abs()
        .gte(reportingUnit(key.slice(0, key.indexOf(' ')), asset))
    ) {
      breaks.push({ check: 'firm_balance', subject: key, expected: formatAmount(asset, booked), found: formatAmount(asset, held) });
    }
  }
  return breaks;
}

/** The per-user tables the API reads against the ledger. */
export async function projectionBreaks(db: Db): Promise<Break[]> {
  return (await projectionDrift(db)).map((d) => ({
    check: 'projection',
    subject: `${d.account} ${d.asset}`,
    expected: formatAmount(d.asset, new Money(d.ledger)),
    found: formatAmount(d.asset, new Money(d.projected)),
  }));
}

async function recordedMovements(db: Db): Promise<RecordedMovement[]> {
  const rows = await db.providerMovement.findMany({ orderBy: { id: 'asc' } });
  return rows.map((r) => ({ ...r, amount: r.amount.toFixed(), details: r.details as Record<string, string> }));
}

/** What a saga's recorded movements of one kind came to at the provider: those in `status`, with their amounts. */
function settled(
  books: ProviderBooks,
  recorded: RecordedMovement[],
  kind: string,
  status: string,
  where: (m: RecordedMovement) => boolean = () => true,
) {
  return recorded
    .filter((m) => m.kind === kind && where(m))
    .map((m) => books.movements.get(movementKey(m.provider, m.providerId)))
    .filter((m) => m?.status === status)
    .map((m) => new Money(m!.amount));
}

function exactlyOne(
  subject: string,
  check: BreakCheck,
  what: string,
  asset: string,
  expected: Money,
  found: Money[],
  suffix = '',
): Break[] {
  if (found.length === 1 && found[0]!.eq(expected)) return [];
  const amounts = found.map((a) => formatAmount(asset, a)).join(', ');
  return [
    {
      check,
      subject,
      expected: `1 ${what} of ${formatAmount(asset, expected)} ${asset}${suffix}`,
      found: found.length === 0 ? 'none' : `${found.length} ${what}${found.length > 1 ? 's' : ''} of ${amounts} ${asset}${suffix}`,
    },
  ];
}

/**
 * Per movement: each broker_funded deposit has exactly one completed payout and one executed journal of its USD
 * amount, each complete withdrawal exactly one completed transfer of its amount to its address; and every effect
 * a provider lists was recorded by us, every one we recorded is listed.
 */
export async function movementBreaks(db: Db, books: ProviderBooks): Promise<Break[]> {
  const recorded = await recordedMovements(db);
  const bySaga = new Map<string, RecordedMovement[]>();
  for (const m of recorded) {
    const workflowId = m.idempotencyKey.slice(0, m.idempotencyKey.lastIndexOf(':'));
    bySaga.set(workflowId, [...(bySaga.get(workflowId) ?? []), m]);
  }
  const breaks: Break[] = [];

  const deposits = await db.deposit.findMany({
    where: { status: 'broker_funded' },
    select: { id: true, chain: true, txHash: true, amountStablecoin: true },
  });
  for (const d of deposits) {
    const usd = new Money(usdFromUsdc(d.amountStablecoin.toFixed()));
    const own = bySaga.get(workflowIds.deposit(d.chain, d.txHash)) ?? [];
    breaks.push(
      ...exactlyOne(`deposit:${d.id} off_ramp`, 'deposit', 'complete payout', 'USD', usd, settled(books, own, 'off_ramp', 'complete')),
    );
    breaks.push(
      ...exactlyOne(
        `deposit:${d.id} broker_fund`,
        'deposit',
        'executed journal',
        'USD',
        usd,
        settled(books, own, 'broker_fund', 'complete'),
      ),
    );
  }

  const withdrawals = await db.withdrawal.findMany({
    where: { status: 'complete' },
    select: { id: true, amountUsd: true, targetAddress: true },
  });
  for (const w of withdrawals) {
    const own = bySaga.get(workflowIds.withdrawal(w.id)) ?? [];
    const toTarget = (m: RecordedMovement) => (m.details.destinationAddress ?? '').toLowerCase() === w.targetAddress.toLowerCase();
    breaks.push(
      ...exactlyOne(
        `withdrawal:${w.id} chain_transfer`,
        'withdrawal',
        'complete transfer',
        'USDC',
        new Money(w.amountUsd.toFixed()),
        settled(books, own, 'chain_transfer', 'complete', toTarget),
        ` to ${w.targetAddress}`,
      ),
    );
  }

  const ours = new Set(recorded.map((m) => movementKey(m.provider, m.providerId)));
  for (const [key, listed] of books.movements) {
    if (ours.has(key) || listed.status === 'failed' || listed.status === 'rejected') continue;
    breaks.push({
      check: 'unrecorded_effect',
      subject: `${listed.provider} ${listed.kind} ${listed.id}`,
      expected: 'none',
      found: `${listed.status} ${formatAmount(listed.asset, new Money(listed.amount))} ${listed.asset}`,
    });
  }
  for (const m of recorded) {
    if (books.movements.has(movementKey(m.provider, m.providerId))) continue;
    breaks.push({
      check: 'missing_at_provider',
      subject: `${m.provider} ${m.kind} ${m.providerId}`,
      expected: `${formatAmount(m.asset, new Money(m.amount))} ${m.asset} (${m.idempotencyKey})`,
      found: 'not listed',
    });
  }
  return breaks;
}

/** Each leg of a finished order: the quantity we booked as filled against the broker's filled quantity. */
export async function orderFillBreaks(db: Db, books: ProviderBooks): Promise<Break[]> {
  const legs = await db.orderLeg.findMany({
    where: { order: { status: { in: ['filled', 'canceled', 'failed'] } } },
    select: { clientOrderId: true, filledQuantity: true },
  });
  const breaks: Break[] = [];
  for (const leg of legs) {
    const booked = new Money(leg.filledQuantity.toFixed());
    const atBroker = new Money(books.ordersByClientId.get(leg.clientOrderId)?.filledQty ?? '0');
    if (!booked.eq(atBroker)) {
      breaks.push({
        check: 'order_fill',
        subject: `order-leg:${leg.clientOrderId}`,
        expected: booked.toFixed(),
        found: atBroker.toFixed(),
      });
    }
  }
  return breaks;
}

/**
 * Per symbol: what users hold (positions_cache, plus what open sells took out of it at accept and have not sold
 * yet) against the brokerage account's position.
 */
export async function positionBreaks(db: Db, books: ProviderBooks): Promise<Break[]> {
  const rows = await db.$queryRaw<{ symbol: string; quantity: string }[]>`
    SELECT symbol, sum(quantity)::text AS quantity FROM (
      SELECT symbol, quantity FROM positions_cache
      UNION ALL
      SELECT l.symbol, l.held_quantity - LEAST(l.filled_quantity, l.held_quantity)
      FROM orders o JOIN order_legs l ON l.order_id = o.id
      WHERE o.side = 'sell' AND o.status NOT IN ('filled', 'failed', 'canceled')
    ) held GROUP BY symbol`;
  const users = new Map(rows.map((r) => [r.symbol, new Money(r.quantity)]));
  const breaks: Break[] = [];
  for (const symbol of [...new Set([...users.keys(), ...books.positions.keys()])].sort()) {
    const expected = users.get(symbol) ?? new Money(0);
    const found = books.positions.get(symbol) ?? new Money(0);
    if (!expected.eq(found)) breaks.push({ check: 'position', subject: symbol, expected: expected.toFixed(), found: found.toFixed() });
  }
  return breaks;
}
