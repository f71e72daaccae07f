import { describe, expect, it } from 'vitest';
import {
  formatUsd,
  formatUsdc,
  isUsdAmount,
  MoneyFormatError,
  parseUsd,
  parseUsdc,
  sumUsd,
  sumUsdc,
  usdcFromUsd,
  usdFromUsdc,
} from '../../src/domain/money.js';

describe('money', () => {
  it('reads USD with at most two decimals and writes it with exactly two', () => {
    expect(formatUsd(parseUsd('125.5'))).toBe('125.50');
    expect(formatUsd(parseUsd('7'))).toBe('7.00');
    expect(formatUsd('0.10')).toBe('0.10');
  });

  it('refuses USD that is not a plain non-negative amount of cents', () => {
    for (const bad of ['1.234', '-1.00', '1e3', ' 1.00', '', '1.', '.5', 'NaN', '0x10']) {
      expect(() => parseUsd(bad), bad).toThrow(MoneyFormatError);
      expect(isUsdAmount(bad)).toBe(false);
    }
    expect(() => formatUsd('1.005')).toThrow(MoneyFormatError);
  });

  it('keeps all 18 decimals of a large USDC amount', () => {
    const amount = '123456789012345678.123456789012345678';
    expect(formatUsdc(parseUsdc(amount))).toBe(amount);
    expect(formatUsdc('10.100000')).toBe('10.1');
    expect(() => parseUsdc('1.1234567890123456789')).toThrow(MoneyFormatError);
  });

  it('turns USDC into USD by truncating to whole cents, never rounding up', () => {
    expect(usdFromUsdc('10.129999')).toBe('10.12');
    expect(usdFromUsdc('10.999999999999999999')).toBe('10.99');
    expect(usdFromUsdc('0.009')).toBe('0.00');
    expect(usdFromUsdc('25')).toBe('25.00');
    expect(usdcFromUsd('25.50')).toBe('25.5');
  });

  it('sums exactly where floats would drift', () => {
    expect(sumUsd(['0.10', '0.20'])).toBe('0.30');
    expect(sumUsd(Array.from({ length: 1000 }, () => '0.01'))).toBe('10.00');
    expect(sumUsdc(['0.000000000000000001', '999999999999999999.999999999999999999'])).toBe('1000000000000000000');
    expect(sumUsd([])).toBe('0.00');
  });
});
