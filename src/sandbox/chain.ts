import { createHash, randomBytes } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3.js';
import bs58 from 'bs58';

// What a blockchain would hand out: addresses and transaction hashes in each chain's real format, and the USDC
// token of each Circle blockchain, so that the adapters' and the API's address checks see real-looking values.

export type CircleBlockchain = 'ETH' | 'ETH-SEPOLIA' | 'SOL' | 'SOL-DEVNET';
export const circleBlockchains: readonly CircleBlockchain[] = ['ETH', 'ETH-SEPOLIA', 'SOL', 'SOL-DEVNET'];

export function isEvm(blockchain: string): boolean {
  return blockchain.startsWith('ETH');
}

/** EIP-55: a hex letter is upper case when the matching nibble of keccak256(lowercase address) is >= 8. */
export function toChecksumAddress(address: string): string {
  const lower = address.toLowerCase().replace(/^0x/, '');
  const hash = Buffer.from(keccak_256(new TextEncoder().encode(lower))).toString('hex');
  let out = '0x';
  for (let i = 0; i < lower.length; i++) {
    const c = lower[i]!;
    out += parseInt(hash[i]!, 16) >= 8 ? c.toUpperCase() : c;
  }
  return out;
}

export function newAddress(blockchain: string): string {
  return isEvm(blockchain) ? toChecksumAddress(randomBytes(20).toString('hex')) : bs58.encode(randomBytes(32));
}

/** 0x + 64 hex for EVM chains; a base58 64-byte signature for Solana. */
export function newTxHash(blockchain: string): string {
  return isEvm(blockchain) ? `0x${randomBytes(32).toString('hex')}` : bs58.encode(randomBytes(64));
}

export function isAddressFor(blockchain: string, address: string): boolean {
  if (isEvm(blockchain)) return /^0x[0-9a-fA-F]{40}$/.test(address);
  try {
    return bs58.decode(address).length === 32;
  } catch {
    return false;
  }
}

export function sameAddress(blockchain: string, a: string, b: string): boolean {
  return isEvm(blockchain) ? a.toLowerCase() === b.toLowerCase() : a === b;
}

const usdcAddresses: Record<CircleBlockchain, string> = {
  ETH: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48',
  'ETH-SEPOLIA': '0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238',
  SOL: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v',
  'SOL-DEVNET': '4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU',
};

export interface Token {
  id: string;
  blockchain: CircleBlockchain;
  tokenAddress: string;
  standard: string;
  name: string;
  symbol: string;
  decimals: number;
  isNative: boolean;
  updateDate: string;
  createDate: string;
}

const tokenDate = '2023-01-01T00:00:00Z';

export function usdcToken(blockchain: CircleBlockchain): Token {
  return {
    id: stableUuid(`usdc:${blockchain}`),
    blockchain,
    tokenAddress: usdcAddresses[blockchain],
    standard: isEvm(blockchain) ? 'ERC20' : 'Fungible',
    name: 'USD Coin',
    symbol: 'USDC',
    decimals: 6,
    isNative: false,
    updateDate: tokenDate,
    createDate: tokenDate,
  };
}

export function tokenById(id: string): Token | undefined {
  return circleBlockchains.map(usdcToken).find((t) => t.id === id);
}

/** A UUID (v5 layout) derived from a name: the same name always gives the same id. */
export function stableUuid(name: string): string {
  const bytes = createHash('sha1').update(`fundflow-sandbox:${name}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
