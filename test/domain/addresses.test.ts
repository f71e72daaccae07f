import bs58 from 'bs58';
import { describe, expect, it } from 'vitest';
import {
  isOnEd25519Curve,
  isValidAddress,
  isValidEthereumAddress,
  isValidSolanaAddress,
  isValidTxHash,
  normalizedTxHash,
  toChecksumAddress,
  withdrawalAddressProblem,
} from '../../src/domain/addresses.js';

// The EIP-55 test vectors from the EIP itself.
const eip55 = [
  '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
  '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
  '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
  '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
];

describe('ethereum addresses', () => {
  it('accepts correctly checksummed addresses and computes the same checksum', () => {
    for (const address of eip55) {
      expect(isValidEthereumAddress(address)).toBe(true);
      expect(toChecksumAddress(address.toLowerCase())).toBe(address);
    }
  });

  it('accepts an address written in one case, which carries no checksum', () => {
    expect(isValidEthereumAddress(eip55[0]!.toLowerCase())).toBe(true);
    expect(isValidEthereumAddress(`0x${eip55[0]!.slice(2).toUpperCase()}`)).toBe(true);
  });

  it('refuses a mixed-case address whose checksum does not match (a mistyped character)', () => {
    const flipped = eip55[0]!.replace('aAeb', 'aaEb');
    expect(isValidEthereumAddress(flipped)).toBe(false);
  });

  it('refuses what is not 20 bytes of hex after 0x', () => {
    for (const bad of ['', '0x', eip55[0]!.slice(0, 41), `${eip55[0]!}00`, eip55[0]!.slice(2), '0xZZ' + '0'.repeat(38)]) {
      expect(isValidEthereumAddress(bad), bad).toBe(false);
    }
  });
});

describe('solana addresses', () => {
  it('accepts base58 encodings of 32 bytes', () => {
    expect(isValidSolanaAddress('EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v')).toBe(true);
    expect(isValidSolanaAddress('11111111111111111111111111111111')).toBe(true);
    expect(isValidSolanaAddress(bs58.encode(new Uint8Array(32).fill(255)))).toBe(true);
  });

  it('refuses other lengths and characters outside base58', () => {
    expect(isValidSolanaAddress(bs58.encode(new Uint8Array(31).fill(7)))).toBe(false);
    expect(isValidSolanaAddress(bs58.encode(new Uint8Array(64).fill(7)))).toBe(false);
    expect(isValidSolanaAddress('EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1O')).toBe(false); // 'O' is not base58
    expect(isValidSolanaAddress('')).toBe(false);
  });

  it('picks the rule of the chain', () => {
    expect(isValidAddress('ethereum', eip55[1]!)).toBe(true);
    expect(isValidAddress('solana', eip55[1]!)).toBe(false);
  });
});

describe('addresses no withdrawal may target', () => {
  const none: string[] = [];

  it('refuses the zero address and the burn address on ethereum, in any spelling', () => {
    expect(withdrawalAddressProblem('ethereum', '0x0000000000000000000000000000000000000000', none)).toMatch(/zero address/);
    expect(withdrawalAddressProblem('ethereum', '0x000000000000000000000000000000000000dead', none)).toMatch(/burn/);
    expect(withdrawalAddressProblem('ethereum', eip55[0]!, none)).toBeUndefined();
  });

  it('refuses the USDC token contracts and mints themselves', () => {
    for (const [chain, address] of [
      ['ethereum', '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48'],
      ['ethereum', '0x1c7d4b196cb0c7b01d743fbc6116a902379c7238'],
      ['solana', 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v'],
      ['solana', '4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU'],
    ] as const) {
      expect(withdrawalAddressProblem(chain, address, none), address).toMatch(/token/);
    }
  });

  it('refuses the addresses it is given (our deposit wallets, the treasury), ethereum in any case', () => {
    const ours = ['0x52908400098527886E0F7030069857D2E4169EE7', 'DRpbCBMxVnDK7maPM5tGv6MvB3v1sRMC86PZ8okm21hy'];
    expect(withdrawalAddressProblem('ethereum', '0x52908400098527886e0f7030069857d2e4169ee7', ours)).toMatch(/our own/);
    expect(withdrawalAddressProblem('solana', 'DRpbCBMxVnDK7maPM5tGv6MvB3v1sRMC86PZ8okm21hy', ours)).toMatch(/our own/);
    expect(withdrawalAddressProblem('solana', 'GmaDrppBC7P5ARKV8g3djiwP89vz1jLK23V2GBjuAEGB', ours)).toBeUndefined(); // the ed25519 key of seed 7…7
  });

  it('refuses Solana programs (the system program first) and addresses off the ed25519 curve', () => {
    for (const program of [
      '11111111111111111111111111111111',
      'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA',
      'ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL',
    ]) {
      expect(withdrawalAddressProblem('solana', program, none), program).toMatch(/program/);
    }
    // 32 bytes that are no ed25519 point: no private key can ever sign for it (a program-derived address at best).
    expect(withdrawalAddressProblem('solana', '2kzvcTkdKNgQZFjZPjgZ6vsnEvSXD5HkVKEkgXcofMwx', none)).toMatch(/curve/);
    expect(isOnEd25519Curve('DRpbCBMxVnDK7maPM5tGv6MvB3v1sRMC86PZ8okm21hy')).toBe(true);
  });
});

describe('a transaction hash', () => {
  it('is 0x + 64 hex on ethereum (any case, kept in lower case) and a 64-byte base58 signature on solana', () => {
    const hex = `0x${'aB'.repeat(32)}`;
    expect(isValidTxHash('ethereum', hex)).toBe(true);
    expect(normalizedTxHash('ethereum', hex)).toBe(hex.toLowerCase());
    expect(isValidTxHash('ethereum', hex.slice(0, -1))).toBe(false);
    const signature = bs58.encode(new Uint8Array(64).fill(7));
    expect(isValidTxHash('solana', signature)).toBe(true);
    expect(normalizedTxHash('solana', signature)).toBe(signature);
    expect(isValidTxHash('solana', bs58.encode(new Uint8Array(32).fill(7)))).toBe(false); // an address, not a signature
    expect(isValidTxHash('solana', hex)).toBe(false);
    expect(isValidTxHash('ethereum', signature)).toBe(false);
  });
});
