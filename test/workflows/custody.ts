import { Circle } from '@circle-fin/circle-sdk';
import { initiateDeveloperControlledWalletsClient } from '@circle-fin/developer-controlled-wallets';
import { Decimal } from 'decimal.js';
import type { Config } from '../../src/config.js';
import { isUsdcToken } from '../../src/sandbox/chain.js';

// Where the withdrawn money sits at Circle, read through the official SDKs as an auditor would: the USDC held by
// the chain's treasury wallet (W3S) and the Circle Mint business account's available balance.

/** The refId the withdrawal activities create the treasury wallet with (when none is configured). */
const treasuryRefId = 'fundflow-treasury';

export interface CustodyBalances {
  /** USDC held by the treasury wallet on the chain ('0' before it exists). */
  treasuryUsdc: string;
  /** The Mint account's available USD (= USDC) balance. */
  mintUsd: string;
}

export function custodyReader(config: Config) {
  const w3s = initiateDeveloperControlledWalletsClient({
    apiKey: config.CIRCLE_API_KEY,
    entitySecret: config.CIRCLE_ENTITY_SECRET,
    baseUrl: config.CIRCLE_WALLETS_BASE_URL,
  });
  const mint = new Circle(config.CIRCLE_API_KEY, config.CIRCLE_MINT_BASE_URL);

  const blockchainOf = (chain: 'ethereum' | 'solana') => (chain === 'ethereum' ? config.ETHEREUM_BLOCKCHAIN : config.SOLANA_BLOCKCHAIN);

  /** The treasury wallet of the chain, if it exists yet. */
  async function treasuryWallet(chain: 'ethereum' | 'solana'): Promise<{ id: string; address: string } | undefined> {
    const configured = chain === 'ethereum' ? config.CIRCLE_TREASURY_WALLET_ID_ETHEREUM : config.CIRCLE_TREASURY_WALLET_ID_SOLANA;
    const wallet = configured
      ? (await w3s.getWallet({ id: configured })).data?.wallet
      : (await w3s.listWallets({ refId: treasuryRefId, blockchain: blockchainOf(chain) })).data?.wallets?.[0];
    return wallet && { id: wallet.id, address: wallet.address };
  }

  /** The real USDC a W3S wallet holds (by contract address: a token's symbol can be faked). */
  async function walletUsdc(walletId: string): Promise<string> {
    const balances = (await w3s.getWalletTokenBalance({ id: walletId })).data?.tokenBalances ?? [];
    return balances
      .filter((b) => b.token.id !== undefined && isUsdcToken(b.token.id))
      .reduce((sum, b) => sum.plus(b.amount), new Decimal(0))
      .toFixed();
  }

  async function treasuryUsdc(chain: 'ethereum' | 'solana'): Promise<string> {
    const wallet = await treasuryWallet(chain);
    return wallet ? walletUsdc(wallet.id) : '0';
  }

  /** The inbound W3S transactions with this on-chain hash, as {walletId, amount, state}. */
  async function inboundWithHash(txHash: string): Promise<{ walletId?: string; amount?: string; state: string }[]> {
    const transactions = (await w3s.listTransactions({ txHash, txType: 'INBOUND' })).data?.transactions ?? [];
    return transactions.map((t) => ({ walletId: t.walletId, amount: t.amounts?.[0], state: t.state }));
  }

  /** Mint's business transfers out to `address` (newest first), as {status, amount}. */
  async function mintTransfersTo(address: string): Promise<{ status: string; amountUsd: string; txHash?: string }[]> {
    const transfers = (await mint.transfers.listBusinessTransfers()).data.data ?? [];
    return transfers
      .filter((t) => 'address' in t.destination && t.destination.address?.toLowerCase() === address.toLowerCase())
      .map((t) => ({ status: t.status, amountUsd: t.amount.amount, txHash: t.transactionHash }));
  }

  async function mintUsd(): Promise<string> {
    const available = (await mint.balances.listBusinessBalances()).data.data?.available ?? [];
    return available
      .filter((b) => b.currency === 'USD')
      .reduce((sum, b) => sum.plus(b.amount), new Decimal(0))
      .toFixed(2);
  }

  return {
    treasuryWallet,
    walletUsdc,
    treasuryUsdc,
    mintUsd,
    mintTransfersTo,
    inboundWithHash,
    async balances(chain: 'ethereum' | 'solana' = 'ethereum'): Promise<CustodyBalances> {
      return { treasuryUsdc: await treasuryUsdc(chain), mintUsd: await mintUsd() };
    },
  };
}
