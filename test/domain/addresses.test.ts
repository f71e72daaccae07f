import bs58 from 'bs58';
import { describe, expect, it } from 'vitest';
import {
  isValidAddress, isValidEthereumAddress, isValidSolanaAddress, toChecksumAddress,
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
