// The capabilities fundflow needs from the outside world, one small interface each. Activities depend on these,
// never on an SDK; src/providers/<provider>/ implements them over the official SDKs. Money crosses every port
// as decimal strings. Every call that causes an effect takes an idempotency key derived from workflow id + step.

export type Chain = 'ethereum' | 'solana';

export interface CustodyWallet {
  id: string;
  address: string;
  chain: Chain;
  state: 'LIVE' | 'FROZEN';
}

export type TransferState = 'pending' | 'complete' | 'failed';

export interface ChainTransfer {
  id: string;
  state: TransferState;
  /** Circle's own state (INITIATED … COMPLETE, FAILED, DENIED, CANCELLED, STUCK). */
  providerState: string;
  direction: 'inbound' | 'outbound';
  chain: Chain;
  walletId: string;
  amountUsdc: string;
  txHash?: string;
  sourceAddress?: string;
  destinationAddress: string;
  errorReason?: string;
}

/** Circle Programmable Wallets: the users' deposit wallets and transfers out of them. */
export interface WalletsPort {
  createWallet(input: { userId: string; chain: Chain; idempotencyKey: string }): Promise<CustodyWallet>;
  getWallet(walletId: string): Promise<CustodyWallet>;
  getTransfer(transferId: string): Promise<ChainTransfer>;
  /** Finds the inbound transfer with this on-chain hash, if Circle has seen it. */
  findInboundTransfer(input: { chain: Chain; txHash: string }): Promise<ChainTransfer | undefined>;
  sendUsdc(input: {
    walletId: string;
    chain: Chain;
    destinationAddress: string;
    amountUsdc: string;
    idempotencyKey: string;
  }): Promise<ChainTransfer>;
}

export type RailStatus = 'pending' | 'complete' | 'failed';

export interface RailMovement {
  id: string;
  status: RailStatus;
  amountUsd: string;
  errorCode?: string;
}

/** Circle Mint: USDC to USD (payout to the broker's bank) and USD back to USDC. */
export interface FiatRailsPort {
  startOffRamp(input: { amountUsd: string; idempotencyKey: string }): Promise<RailMovement>;
  getOffRamp(id: string): Promise<RailMovement>;
  startOnRamp(input: { amountUsd: string; idempotencyKey: string }): Promise<RailMovement>;
  getOnRamp(id: string): Promise<RailMovement>;
}

export type BrokerOrderStatus =
  | 'new' | 'accepted' | 'pending_new' | 'partially_filled' | 'filled' | 'done_for_day' | 'canceled'
  | 'expired' | 'replaced' | 'pending_cancel' | 'pending_replace' | 'accepted_for_bidding' | 'stopped'
  | 'rejected' | 'suspended' | 'calculated' | 'held';

export interface BrokerOrder {
  id: string;
  clientOrderId: string;
  symbol: string;
  side: 'buy' | 'sell';
  status: BrokerOrderStatus;
  notional?: string;
  qty?: string;
  filledQty: string;
  filledAvgPrice?: string;
  limitPrice?: string;
}

export interface BrokerPosition {
  symbol: string;
  qty: string;
  avgEntryPrice: string;
  marketValue: string;
}

export interface BrokerTransfer {
  id: string;
  status: 'pending' | 'complete' | 'failed';
  amountUsd: string;
  reason?: string;
}

/** Alpaca: funding journals into/out of the brokerage account, orders and positions. */
export interface BrokerPort {
  getAccount(): Promise<{ id: string; status: string; cashUsd: string; buyingPowerUsd: string }>;
  /** Moves off-ramped USD into the brokerage account (a journal from the firm account). */
  fund(input: { amountUsd: string; idempotencyKey: string }): Promise<BrokerTransfer>;
  /** Moves USD out of the brokerage account for a withdrawal. */
  withdraw(input: { amountUsd: string; idempotencyKey: string }): Promise<BrokerTransfer>;
  getTransfer(id: string): Promise<BrokerTransfer>;
  placeOrder(input: {
    clientOrderId: string;
    symbol: string;
    side: 'buy' | 'sell';
    notional?: string;
    qty?: string;
    type: 'market' | 'limit';
    limitPrice?: string;
  }): Promise<BrokerOrder>;
  /** The order placed with this client order id, if any (reconciles after an ambiguous failure). */
  findOrderByClientId(clientOrderId: string): Promise<BrokerOrder | undefined>;
  getOrder(id: string): Promise<BrokerOrder>;
  cancelOrder(id: string): Promise<void>;
  listPositions(): Promise<BrokerPosition[]>;
}

/** The LLM that writes weekly summaries. */
export interface LlmPort {
  complete(input: { model: string; system: string; user: string }): Promise<{ text: string; model: string }>;
}

export interface Providers {
  wallets: WalletsPort;
  rails: FiatRailsPort;
  broker: BrokerPort;
  llm: LlmPort;
}
