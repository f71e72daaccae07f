import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import {
  compositionProblems,
  legClientOrderId,
  orderStatusFromLegs,
  parseComposition,
  splitByWeight,
  type BasketComponent,
} from '../../src/domain/basket.js';

// Property-style: many generated amounts and compositions, each checked against the rules a split must keep.

/** A small deterministic PRNG (mulberry32), so a failing case can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n weights with 4 decimals that add up to exactly 1. */
function composition(next: () => number, n: number): BasketComponent[] {
  const raw = Array.from({ length: n }, () => 1 + Math.floor(next() * 1000));
  const total = raw.reduce((a, b) => a + b, 0);
  const units = raw.map((r) => Math.floor((r / total) * 10_000));
  units[0]! += 10_000 - units.reduce((a, b) => a + b, 0);
  return units.map((u, i) => ({ symbol: `S${String.fromCharCode(65 + i)}`, weight: new Decimal(u).div(10_000).toNumber() }));
}

const sum = (values: string[]) => values.reduce((total, v) => total.plus(v), new Decimal(0));

describe('splitting an order amount across a basket', () => {
  it('the legs always add up to the order amount to the cent', () => {
    const next = random(20261125);
    for (let run = 0; run < 2_000; run++) {
      const components = composition(next, 1 + Math.floor(next() * 8));
      const cents = 1 + Math.floor(next() * 10_000_000);
      const amount = new Decimal(cents).div(100).toFixed(2);
      const legs = splitByWeight(amount, components);
      expect(sum(legs.map((l) => l.notionalUsd)).toFixed(2), `${amount} over ${JSON.stringify(components)}`).toBe(amount);
    }
  });

  it('each leg is within one cent of its exact share, in whole cents, and never negative', () => {
    const next = random(7);
    for (let run = 0; run < 1_000; run++) {
      const components = composition(next, 2 + Math.floor(next() * 5));
      const amount = new Decimal(1 + Math.floor(next() * 1_000_000)).div(100).toFixed(2);
      for (const leg of splitByWeight(amount, components)) {
        const weight = components.find((c) => c.symbol === leg.symbol)!.weight;
        const exact = new Decimal(amount).times(String(weight));
        expect(leg.notionalUsd).toMatch(/^\d+\.\d{2}$/);
        expect(new Decimal(leg.notionalUsd).minus(exact).abs().lte('0.01')).toBe(true);
        expect(new Decimal(leg.notionalUsd).gt(0)).toBe(true);
      }
    }
  });

  it('splits the same input the same way every time (ties go to the earlier component)', () => {
    const thirds = [
      { symbol: 'VTI', weight: '0.3333' },
      { symbol: 'BND', weight: '0.3333' },
      { symbol: 'VXUS', weight: '0.3334' },
    ];
    expect(splitByWeight('100.00', thirds)).toEqual([
      { symbol: 'VTI', notionalUsd: '33.33' },
      { symbol: 'BND', notionalUsd: '33.33' },
      { symbol: 'VXUS', notionalUsd: '33.34' },
    ]);
    const halves = [
      { symbol: 'VTI', weight: 0.5 },
      { symbol: 'BND', weight: 0.5 },
    ];
    expect(splitByWeight('0.01', halves)).toEqual([{ symbol: 'VTI', notionalUsd: '0.01' }]);
    expect(splitByWeight('10.01', halves)).toEqual([
      { symbol: 'VTI', notionalUsd: '5.01' },
      { symbol: 'BND', notionalUsd: '5.00' },
    ]);
  });

  it('refuses an amount that is not whole cents', () => {
    expect(() => splitByWeight('10.001', [{ symbol: 'VTI', weight: 1 }])).toThrow(/cents/);
  });
});

describe('basket compositions', () => {
  it('accept weights whose decimal sum is exactly 1, however floats would round them', () => {
    expect(
      compositionProblems([
        { symbol: 'A', weight: 0.1 },
        { symbol: 'B', weight: 0.2 },
        { symbol: 'C', weight: 0.7 },
      ]),
    ).toEqual([]);
    expect(
      parseComposition([
        { symbol: 'VTI', weight: '0.6' },
        { symbol: 'BND', weight: '0.4' },
      ]),
    ).toHaveLength(2);
  });

  it('refuse weights that miss 1, duplicates, bad symbols and empty baskets', () => {
    expect(
      compositionProblems([
        { symbol: 'A', weight: 0.5 },
        { symbol: 'B', weight: 0.49 },
      ]),
    ).toEqual(['weights add up to 0.99, not 1']);
    expect(
      compositionProblems([
        { symbol: 'A', weight: 0.5 },
        { symbol: 'A', weight: 0.5 },
      ])[0],
    ).toMatch(/twice/);
    expect(compositionProblems([{ symbol: 'a b', weight: 1 }])[0]).toMatch(/symbol/);
    expect(
      compositionProblems([
        { symbol: 'A', weight: -1 },
        { symbol: 'B', weight: 2 },
      ]).length,
    ).toBeGreaterThan(0);
    expect(compositionProblems([])).toHaveLength(1);
    expect(() => parseComposition({ symbol: 'A' })).toThrow(/invalid basket composition/);
  });
});

describe('client order ids', () => {
  it('are deterministic per order and symbol, distinct across symbols, and at most 128 characters', () => {
    const orderId = '3f0c1c9e-5a3e-4d0b-9a51-2f3f5c2f8b11';
    expect(legClientOrderId(orderId, 'VTI')).toBe(`${orderId}-VTI`);
    expect(legClientOrderId(orderId, 'VTI')).toBe(legClientOrderId(orderId, 'VTI'));
    const long1 = legClientOrderId(orderId, 'X'.repeat(100));
    const long2 = legClientOrderId(orderId, `${'X'.repeat(99)}Y`);
    expect(long1.length).toBeLessThanOrEqual(128);
    expect(long2.length).toBeLessThanOrEqual(128);
    expect(long1).not.toBe(long2);
  });
});

describe('an order follows its legs', () => {
  const leg = (status: Parameters<typeof orderStatusFromLegs>[0][number]['status'], filled = false) => ({ status, filled });

  it('fills when every leg filled, and is partially filled while any fill is in', () => {
    expect(orderStatusFromLegs([leg('filled', true), leg('filled', true)])).toBe('filled');
    expect(orderStatusFromLegs([leg('filled', true), leg('accepted_by_broker')])).toBe('partially_filled');
    expect(orderStatusFromLegs([leg('partially_filled', true), leg('accepted_by_broker')])).toBe('partially_filled');
    expect(orderStatusFromLegs([leg('accepted_by_broker'), leg('accepted_by_broker')])).toBe('accepted_by_broker');
    expect(orderStatusFromLegs([leg('accepted_by_broker'), leg('pending')])).toBe('pending');
  });

  it('fails when every leg was refused, and is canceled when a canceled leg ends it, partial fills or not', () => {
    expect(orderStatusFromLegs([leg('failed'), leg('failed')])).toBe('failed');
    expect(orderStatusFromLegs([leg('filled', true), leg('failed')])).toBe('failed');
    expect(orderStatusFromLegs([leg('canceled', true), leg('filled', true)])).toBe('canceled');
    expect(orderStatusFromLegs([leg('canceled'), leg('canceled')])).toBe('canceled');
  });
});
