import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { Money } from '../domain/money.js';
import { firmAccountNames, shareAsset } from '../ledger/accounts.js';
import type { BrokerOrder, Chain, ChainTransfer, Providers } from '../providers/ports.js';

// What Circle and Alpaca report, read once per reconciliation through the same ports the sagas use (so the same
// code reads the real services with real keys): each pool's balance as a firm ledger account, and every money
// movement the providers list, by provider and id. Read-only: no call here has an effect.

export const chains: readonly Chain[] = ['ethereum', 'solana'];

/** A movement as the provider lists it. */
export interface ListedMovement {
  provider: 'circle-mint' | 'circle-wallets' | 'alpaca';
  kind: 'off_ramp' | 'on_ramp' | 'mint_transfer' | 'chain_transfer' | 'broker_fund' | 'broker_withdraw' | 'order';
  id: string;
  /** pending | complete | failed (orders: the broker's status). */
  status: string;
  amount: string;
  asset: string;
  destinationAddress?: string;
}

export interface ProviderBooks {
  /** `<account> <asset>` -> balance, for every firm account a provider holds. */
  balances: Map<string, Money>;
  /** `<provider> <id>` -> the movement. */
  movements: Map<string, ListedMovement>;
  /** Orders by client_order_id. */
  ordersByClientId: Map<string, BrokerOrder>;
  /** Broker positions: symbol -> quantity. */
  positions: Map<string, Money>;
}

export const movementKey = (provider: string, id: string) => `${provider} ${id}`;
export const balanceKey = (account: string, asset: string) => `${account} ${asset}`;

/** The treasury wallets' refId when none is configured (activities/funding/withdrawal.ts creates them with it). */
const treasuryRefId = 'fundflow-treasury';

export async function readProviderBooks(
  deps: { db: Db; providers: Providers; config: Config },
  progress: (message: string) => void,
): Promise<ProviderBooks> {
  const { db, providers, config } = deps;
  const balances = new Map<string, Money>();
  const movements = new Map<string, ListedMovement>();
  const add = (m: ListedMovement) => movements.set(movementKey(m.provider, m.id), m);
  const sum = async (walletIds: string[]) => {
    let total = new Money(0);
    for (const id of walletIds) total = total.plus(await providers.wallets.usdcBalance(id));
    return total;
  };

  for (const chain of chains) {
    const userWallets = await db.wallet.findMany({ where: { chain }, select: { circleWalletId: true } });
    progress(`reading Circle Wallets on ${chain}: ${userWallets.length} user wallets, the treasury, outbound transfers`);
    balances.set(balanceKey(firmAccountNames.circleWallets(chain), 'USDC'), await sum(userWallets.map((w) => w.circleWalletId)));
    const configured = chain === 'ethereum' ? config.CIRCLE_TREASURY_WALLET_ID_ETHEREUM : config.CIRCLE_TREASURY_WALLET_ID_SOLANA;
    const treasury = configured ? [configured] : (await providers.wallets.findWallets({ chain, refId: treasuryRefId })).map((w) => w.id);
    balances.set(balanceKey(firmAccountNames.circleTreasury(chain), 'USDC'), await sum(treasury));
    for (const t of await providers.wallets.listOutboundTransfers(chain)) add(chainMovement(t));
  }

  progress('reading Circle Mint: balance, payouts, wire deposits, transfers');
  balances.set(balanceKey(firmAccountNames.circleMint, 'USDC'), new Money(await providers.rails.balanceUsd()));
  for (const p of await providers.rails.listOffRamps())
    add({ provider: 'circle-mint', kind: 'off_ramp', id: p.id, status: p.status, amount: p.amountUsd, asset: 'USD' });
  for (const d of await providers.rails.listOnRamps())
    add({ provider: 'circle-mint', kind: 'on_ramp', id: d.id, status: d.status, amount: d.amountUsd, asset: 'USD' });
  for (const t of await providers.rails.listMintTransfers()) {
    add({
      provider: 'circle-mint',
      kind: 'mint_transfer',
      id: t.id,
      status: t.status,
      amount: t.amountUsd,
      asset: 'USD',
      destinationAddress: t.destinationAddress,
    });
  }

  progress('reading Alpaca: firm and brokerage cash, positions, journals, orders');
  balances.set(balanceKey(firmAccountNames.alpacaFirm, 'USD'), new Money(await providers.broker.firmCashUsd()));
  balances.set(balanceKey(firmAccountNames.alpacaBrokerage, 'USD'), new Money((await providers.broker.getAccount()).cashUsd));
  const positions = new Map<string, Money>();
  for (const p of await providers.broker.listPositions()) {
    positions.set(p.symbol, new Money(p.qty));
    balances.set(balanceKey(firmAccountNames.alpacaBrokerage, shareAsset(p.symbol)), new Money(p.qty));
  }
  for (const j of await providers.broker.listTransfers()) {
    add({
      provider: 'alpaca',
      kind: j.direction === 'fund' ? 'broker_fund' : 'broker_withdraw',
      id: j.id,
      status: j.status,
      amount: j.amountUsd,
      asset: 'USD',
    });
  }
  const ordersByClientId = new Map<string, BrokerOrder>();
  for (const o of await providers.broker.listOrders()) {
    ordersByClientId.set(o.clientOrderId, o);
    add({
      provider: 'alpaca',
      kind: 'order',
      id: o.id,
      status: o.status,
      amount: o.notional ?? o.qty ?? '0',
      asset: o.notional ? 'USD' : shareAsset(o.symbol),
    });
  }
  return { balances, movements, ordersByClientId, positions };
}

function chainMovement(t: ChainTransfer): ListedMovement {
  return {
    provider: 'circle-wallets',
    kind: 'chain_transfer',
    id: t.id,
    status: t.state,
    amount: t.amount,
    asset: t.token.isUsdc ? 'USDC' : `token:${t.token.address ?? t.token.id ?? 'native'}`,
    destinationAddress: t.destinationAddress,
  };
}
