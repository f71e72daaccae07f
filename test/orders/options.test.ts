import { describe, expect, it } from 'vitest';
import { optionDetailsProblems, optionPremiumUsd, parseOccSymbol } from '../../src/domain/options.js';

describe('OCC option symbols', () => {
  it('reads root, expiry, call or put and the strike from the 8-digit strike x 1000', () => {
    expect(parseOccSymbol('AAPL250620C00150000')).toEqual({ root: 'AAPL', expiry: '2025-06-20', type: 'call', strike: '150' });
    expect(parseOccSymbol('SPY261231P00412500')).toEqual({ root: 'SPY', expiry: '2026-12-31', type: 'put', strike: '412.5' });
    expect(parseOccSymbol('F280229C00000500')).toMatchObject({ expiry: '2028-02-29', strike: '0.5' });
  });

  it('refuses spaces, lower case, impossible dates, a zero strike and wrong lengths', () => {
    for (const bad of [
      'AAPL  250620C00150000',
      'aapl250620C00150000',
      'AAPL251320C00150000',
      'AAPL250631C00150000',
      'F270229C00000500',
      'AAPL250620X00150000',
      'AAPL250620C00000000',
      'AAPL250620C0015000',
      'TOOLONGX250620C00150000',
      '',
    ]) {
      expect(parseOccSymbol(bad), bad).toBeUndefined();
    }
  });
});

describe('option order details', () => {
  const valid = { occSymbol: 'AAPL250620C00150000', quantity: 2, limitPrice: '1.25' };

  it('accept whole contracts and a decimal limit price', () => {
    expect(optionDetailsProblems(valid)).toEqual([]);
  });

  it('name each invalid field', () => {
    const paths = (details: Record<string, unknown>) => optionDetailsProblems({ ...valid, ...details }).map((p) => p.path);
    expect(paths({ quantity: 1.5 })).toEqual(['quantity']);
    expect(paths({ quantity: 0 })).toEqual(['quantity']);
    expect(paths({ quantity: '2' })).toEqual(['quantity']);
    expect(paths({ limitPrice: 1.25 })).toEqual(['limitPrice']);
    expect(paths({ limitPrice: '1.255' })).toEqual(['limitPrice']);
    expect(paths({ limitPrice: '0.00' })).toEqual(['limitPrice']);
    expect(paths({ occSymbol: 'AAPL 250620C00150000', quantity: -1 })).toEqual(['occSymbol', 'quantity']);
  });

  it('cost a premium of quantity x limit price x 100', () => {
    expect(optionPremiumUsd(valid)).toBe('250.00');
    expect(optionPremiumUsd({ quantity: 3, limitPrice: '0.05' })).toBe('15.00');
    expect(optionPremiumUsd({ quantity: 1, limitPrice: '12' })).toBe('1200.00');
  });
});
