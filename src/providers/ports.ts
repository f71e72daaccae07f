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

/** The token a transfer moved. Anyone can deploy a token under any symbol: only `isUsdc` says it is USDC. */
export interface ChainToken {
  /** Circle's token id; unknown on a transfer just created by token address. */
  id?: string;
  /** Circle's blockchain code (ETH, ETH-SEPOLIA, SOL, SOL-DEVNET). */
  blockchain: string;
  /** Contract (EVM) or mint (Solana) address; none for the chain's native coin. */
  address?: string;
  symbol?: string;
  isNative: boolean;
  /** The configured USDC of the chain: its blockchain and contract / mint address (and token id, when configured). */
  isUsdc: boolean;
}

export interface ChainTransfer {
  id: string;
  state: TransferState;
  /** Circle's own state (INITIATED … COMPLETE, FAILED, DENIED, CANCELLED, STUCK). */
  providerState: string;
  direction: 'inbound' | 'outbound';
  chain: Chain;
  walletId: string;
  /** In units of `token` (USDC only when `token.isUsdc`). */
  amount: string;
  token: ChainToken;
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
  /** Every inbound transfer of the on-chain transaction with this hash that Circle has seen (none: not yet). */
  listInboundTransfers(input: { chain: Chain; txHash: string }): Promise<ChainTransfer[]>;
  /** Sends the configured USDC (never another token named USDC) out of a wallet. */
  sendUsdc(input: {
    walletId: string;
    chain: Chain;
    destinationAddress: string;
    amountUsdc: string;
    idempotencyKey: string;
  }): Promise<ChainTransfer>;
  /** Reconciliation read: the configured USDC a wallet holds (no other token counts, whatever it is named). */
  usdcBalance(walletId: string): Promise<string>;
  /** Reconciliation read: our wallets on `chain` created with this refId (a user id, or `fundflow-treasury`). */
  findWallets(input: { chain: Chain; refId: string }): Promise<CustodyWallet[]>;
  /** Reconciliation read: every outbound transfer out of any of our wallets on `chain`, newest first. */
  listOutboundTransfers(chain: Chain): Promise<ChainTransfer[]>;
}

export type RailStatus = 'pending' | 'complete' | 'failed';

export interface RailMovement {
  id: string;
  status: RailStatus;
  amountUsd: string;
  errorCode?: string;
}

/** USDC leaving the Mint balance on chain (a Mint business transfer); `txHash` once it is on chain. */
export interface MintTransfer extends RailMovement {
  txHash?: string;
}

/** USDC that reached Mint's deposit address on chain, as Mint records it: `complete` once credited to the balance. */
export interface MintChainDeposit extends RailMovement {
  txHash: string;
}

/**
 * Circle Mint: USDC to USD (payout to the broker's bank) and USD back to USDC, and the Mint balance's own chain
 * side: USDC out to an address saved in Mint's recipient book, and in through Mint's deposit address per chain.
 */
export interface FiatRailsPort {
  startOffRamp(input: { amountUsd: string; idempotencyKey: string }): Promise<RailMovement>;
  getOffRamp(id: string): Promise<RailMovement>;
  startOnRamp(input: { amountUsd: string; idempotencyKey: string }): Promise<RailMovement>;
  getOnRamp(id: string): Promise<RailMovement>;
  /** Saves `address` in Mint's recipient book (the same key saves it once) and returns its address id. */
  saveRecipientAddress(input: { chain: Chain; address: string; description: string; idempotencyKey: string }): Promise<string>;
  /** Sends USD-worth of USDC from the Mint balance to a saved recipient address. */
  startMintTransfer(input: { recipientAddressId: string; amountUsd: string; idempotencyKey: string }): Promise<MintTransfer>;
  getMintTransfer(id: string): Promise<MintTransfer>;
  /** Mint's deposit address on `chain` (created once if it has none): USDC sent there is credited to the Mint balance. */
  depositAddress(chain: Chain): Promise<string>;
  /** Reconciliation read: the Mint balance available (USD at Mint, which is USDC). */
  balanceUsd(): Promise<string>;
  /** Reconciliation read: every payout (off-ramp), newest first. */
  listOffRamps(): Promise<RailMovement[]>;
  /** Reconciliation read: every incoming wire deposit (on-ramp), newest first. */
  listOnRamps(): Promise<RailMovement[]>;
  /** Reconciliation read: every transfer out of the Mint balance on chain, newest first. */
  listMintTransfers(): Promise<(MintTransfer & { destinationAddress?: string })[]>;
  /** What Mint recorded of the on-chain transaction `txHash` that reached its deposit address (none: not seen yet). */
  getChainDeposit(input: { chain: Chain; txHash: string }): Promise<MintChainDeposit | undefined>;
}

export type BrokerOrderStatus =
  | 'new'
  | 'accepted'
  | 'pending_new'
  | 'partially_filled'
  | 'filled'
  | 'done_for_day'
  | 'canceled'
  | 'expired'
  | 'replaced'
  | 'pending_cancel'
  | 'pending_replace'
  | 'accepted_for_bidding'
  | 'stopped'
  | 'rejected'
  | 'suspended'
  | 'calculated'
  | 'held';

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
  /** The broker's latest price per share (per underlying share for options), USD. */
  currentPrice: string;
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
  /** Asks the broker to cancel; the cancel completes later (pending_cancel), and the order may still fill. */
  cancelOrder(id: string): Promise<void>;
  listPositions(): Promise<BrokerPosition[]>;
  /** The account's position in one symbol, with the broker's current price; undefined when it holds none. */
  getPosition(symbol: string): Promise<BrokerPosition | undefined>;
  /** Reconciliation read: the firm account's cash at the broker (Broker API trading account of the firm). */
  firmCashUsd(): Promise<string>;
  /** Reconciliation read: every cash journal between the firm account and the brokerage account, with its direction. */
  listTransfers(): Promise<(BrokerTransfer & { direction: 'fund' | 'withdraw' })[]>;
  /** Reconciliation read: every order of the brokerage account, whatever its status, oldest first. */
  listOrders(): Promise<BrokerOrder[]>;
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
