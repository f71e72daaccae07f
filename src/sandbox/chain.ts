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

export function isTxHashFor(blockchain: string, txHash: string): boolean {
  if (isEvm(blockchain)) return /^0x[0-9a-fA-F]{64}$/.test(txHash);
  try {
    return bs58.decode(txHash).length === 64;
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

const nativeCoins: Record<CircleBlockchain, { symbol: string; name: string; decimals: number }> = {
  ETH: { symbol: 'ETH', name: 'Ethereum', decimals: 18 },
  'ETH-SEPOLIA': { symbol: 'ETH', name: 'Ethereum-Sepolia', decimals: 18 },
  SOL: { symbol: 'SOL', name: 'Solana', decimals: 9 },
  'SOL-DEVNET': { symbol: 'SOL', name: 'Solana-Devnet', decimals: 9 },
};

/** A token as GET /v1/w3s/tokens/{id} shows it; the native coin has no tokenAddress. */
export interface Token {
  id: string;
  blockchain: CircleBlockchain;
  tokenAddress?: string;
  standard?: string;
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

/** The chain's own coin (ETH, SOL): what pays gas, and what anyone can send to any address. */
export function nativeToken(blockchain: CircleBlockchain): Token {
  const coin = nativeCoins[blockchain];
  return { id: stableUuid(`native:${blockchain}`), blockchain, ...coin, isNative: true, updateDate: tokenDate, createDate: tokenDate };
}

/**
 * A token contract (EVM) or mint (Solana) at `tokenAddress`: anyone can deploy one under any symbol, "USDC"
 * included, so only the address tells Circle's USDC apart. The same address is always the same token.
 */
export function contractToken(blockchain: CircleBlockchain, symbol: string, tokenAddress: string): Token {
  if (sameAddress(blockchain, tokenAddress, usdcAddresses[blockchain])) return usdcToken(blockchain);
  const id = stableUuid(`token:${blockchain}:${isEvm(blockchain) ? tokenAddress.toLowerCase() : tokenAddress}`);
  const known = deployedTokens.get(id);
  if (known) return { ...known };
  const token: Token = {
    id,
    blockchain,
    tokenAddress,
    standard: isEvm(blockchain) ? 'ERC20' : 'Fungible',
    name: symbol,
    symbol,
    decimals: 6,
    isNative: false,
    updateDate: tokenDate,
    createDate: tokenDate,
  };
  deployedTokens.set(id, token);
  return { ...token };
}

// Contracts seen so far, by id (ids derive from the address, so every sandbox in the process agrees on them).
const deployedTokens = new Map<string, Token>();

/** USDC, a native coin, or a contract seen before; undefined for an id Circle would not know. */
export function tokenById(id: string): Token | undefined {
  const builtIn = circleBlockchains.flatMap((b) => [usdcToken(b), nativeToken(b)]).find((t) => t.id === id);
  const deployed = deployedTokens.get(id);
  return builtIn ?? (deployed && { ...deployed });
}

/** Circle's USDC itself (by id, which derives from the contract), not merely a token whose symbol is USDC. */
export function isUsdcToken(id: string): boolean {
  return circleBlockchains.some((b) => usdcToken(b).id === id);
}

/**
 * The token a control-API transfer names: USDC by default; the chain's native symbol is its coin; any other
 * symbol, or any `tokenAddress` that is not Circle's USDC, is a contract of its own (an address derived from the
 * symbol when none is given).
 */
export function tokenNamed(blockchain: CircleBlockchain, symbol = 'USDC', tokenAddress?: string): Token {
  if (tokenAddress) return contractToken(blockchain, symbol, tokenAddress);
  if (symbol === 'USDC') return usdcToken(blockchain);
  if (symbol === nativeCoins[blockchain].symbol) return nativeToken(blockchain);
  const seed = createHash('sha256').update(`fundflow-sandbox:token:${blockchain}:${symbol}`).digest();
  const derived = isEvm(blockchain) ? toChecksumAddress(seed.subarray(0, 20).toString('hex')) : bs58.encode(seed);
  return contractToken(blockchain, symbol, derived);
}

/** A UUID (v5 layout) derived from a name: the same name always gives the same id. */
export function stableUuid(name: string): string {
  const bytes = createHash('sha1').update(`fundflow-sandbox:${name}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
