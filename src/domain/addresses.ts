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

export function isValidSolanaAddress(address: string): boolean {
  if (address.length < 32 || address.length > 44) return false;
  try {
    return bs58.decode(address).length === 32;
  } catch {
    return false;
  }
}

export function isValidAddress(chain: 'ethereum' | 'solana', address: string): boolean {
  return chain === 'ethereum' ? isValidEthereumAddress(address) : isValidSolanaAddress(address);
}
