import { ed25519 } from '@noble/curves/ed25519.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import bs58 from 'bs58';

// Where a withdrawal may send USDC. Ethereum follows EIP-55: an address written in one case (all lower or all
// upper hex) carries no checksum and is accepted as written; a mixed-case address is a checksum and must match
// keccak256 of its lower-case hex, so a mistyped character is caught before money leaves. Solana addresses are
// base58 encodings of a 32-byte ed25519 public key.

const hexAddress = /^0x[0-9a-fA-F]{40}$/;

/** The EIP-55 spelling of a 20-byte hex address (with 0x). */
export function toChecksumAddress(address: string): string {
  if (!hexAddress.test(address)) throw new Error(`not a 20-byte hex address: ${address}`);
  const lower = address.slice(2).toLowerCase();
  const hash = keccak_256(new TextEncoder().encode(lower));
  let out = '0x';
  for (let i = 0; i < lower.length; i++) {
    // The i-th hex digit of the hash: high nibble for even i, low nibble for odd.
    const nibble = i % 2 === 0 ? hash[i >> 1]! >> 4 : hash[i >> 1]! & 0x0f;
    out += nibble >= 8 ? lower[i]!.toUpperCase() : lower[i]!;
  }
  return out;
}

export function isValidEthereumAddress(address: string): boolean {
  if (!hexAddress.test(address)) return false;
  const body = address.slice(2);
  if (body === body.toLowerCase() || body === body.toUpperCase()) return true;
  return toChecksumAddress(address) === address;
}

/** Whether `value` is base58 and decodes to exactly `bytes` bytes (32: a Solana address, 64: a signature). */
function isBase58Of(value: string, bytes: number): boolean {
  try {
    return bs58.decode(value).length === bytes;
  } catch {
    return false;
  }
}

export function isValidSolanaAddress(address: string): boolean {
  return address.length >= 32 && address.length <= 44 && isBase58Of(address, 32);
}

/** A transaction hash of the chain: 0x + 64 hex on Ethereum, a base58 64-byte signature on Solana. */
export function isValidTxHash(chain: 'ethereum' | 'solana', txHash: string): boolean {
  return chain === 'ethereum' ? /^0x[0-9a-fA-F]{64}$/.test(txHash) : isBase58Of(txHash, 64);
}

/** The hash as Circle reports it: hex is case-insensitive and comes in lower case; base58 is case-sensitive. */
export function normalizedTxHash(chain: 'ethereum' | 'solana', txHash: string): string {
  return chain === 'ethereum' ? txHash.toLowerCase() : txHash;
}

export function isValidAddress(chain: 'ethereum' | 'solana', address: string): boolean {
  return chain === 'ethereum' ? isValidEthereumAddress(address) : isValidSolanaAddress(address);
}

// Addresses a withdrawal can never rightly target: USDC sent there is burned, stuck in a contract, or comes back to
// us as a deposit nobody made. Ethereum compares case-insensitively (the checksum is only a spelling); Solana's
// base58 is case-sensitive.

const ethereumSinks: Record<string, string> = {
  '0x0000000000000000000000000000000000000000': 'the zero address',
  '0x000000000000000000000000000000000000dead': 'the burn address',
};

/** Circle's USDC on every blockchain we may run on (ETH, ETH-SEPOLIA, SOL, SOL-DEVNET): token contracts and mints. */
export const circleUsdcAddresses: readonly string[] = [
  '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48',
  '0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238',
  'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v',
  '4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU',
];

/** Native programs and the token programs: accounts no one holds a key for. */
const solanaPrograms: readonly string[] = [
  '11111111111111111111111111111111', // the system program (32 zero bytes, which happen to be on the curve)
  'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA',
  'TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb',
  'ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL',
  'MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr',
  'ComputeBudget111111111111111111111111111111',
  'Vote111111111111111111111111111111111111111',
  'Stake11111111111111111111111111111111111111',
  'Config1111111111111111111111111111111111111',
  'BPFLoaderUpgradeab1e11111111111111111111111',
  'BPFLoader2111111111111111111111111111111111',
  'NativeLoader1111111111111111111111111111111',
  'SysvarRent111111111111111111111111111111111',
  'SysvarC1ock11111111111111111111111111111111',
];

/**
 * Whether a Solana address is an ed25519 point, i.e. could be someone's public key. Off-curve addresses are
 * program-derived: nobody can sign for the USDC sent there. Decoded leniently (ZIP-215), as Solana's own check does.
 */
export function isOnEd25519Curve(address: string): boolean {
  try {
    ed25519.Point.fromBytes(bs58.decode(address), true);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why no withdrawal may go to `address` (an address already valid for the chain), or undefined. `refused` are our
 * own addresses: users' deposit wallets, treasury wallets, configured token addresses.
 */
export function withdrawalAddressProblem(chain: 'ethereum' | 'solana', address: string, refused: readonly string[]): string | undefined {
  const same = chain === 'ethereum' ? (a: string, b: string) => a.toLowerCase() === b.toLowerCase() : (a: string, b: string) => a === b;
  if (chain === 'ethereum') {
    const sink = ethereumSinks[address.toLowerCase()];
    if (sink) return `${sink} burns what it receives`;
  }
  if (circleUsdcAddresses.some((a) => same(a, address))) return 'a USDC token address, not a holder';
  if (chain === 'solana') {
    if (solanaPrograms.includes(address)) return 'a Solana program, not a holder';
    if (!isOnEd25519Curve(address)) return 'not on the ed25519 curve: nobody holds its key';
  }
  if (refused.some((a) => same(a, address))) return 'one of our own addresses';
  return undefined;
}
