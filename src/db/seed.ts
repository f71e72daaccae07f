import { compositionProblems, type BasketComponent } from '../domain/basket.js';
import type { Db } from './client.js';

// The reference data every environment needs: the model baskets users can buy. Fixed ids make the seed
// idempotent (run it on every deploy) and let clients and tests name a basket across environments.

type RiskLevel = 'conservative' | 'balanced' | 'growth';

export interface BasketSeed {
  id: string;
  name: string;
  description: string;
  riskLevel: RiskLevel;
  composition: BasketComponent[];
}

export const seedBaskets: readonly BasketSeed[] = [
  {
    id: '6a1f3c0e-0b1d-4c9a-8f10-000000000001',
    name: 'Steady Income',
    description: 'Mostly investment-grade bonds with a slice of broad US stocks, for a smoother ride.',
    riskLevel: 'conservative',
    composition: [
      { symbol: 'BND', weight: 0.6 },
      { symbol: 'VTIP', weight: 0.15 },
      { symbol: 'VTI', weight: 0.25 },
    ],
  },
  {
    id: '6a1f3c0e-0b1d-4c9a-8f10-000000000002',
    name: 'Balanced World',
    description: 'US and international stocks balanced with bonds.',
    riskLevel: 'balanced',
    composition: [
      { symbol: 'VTI', weight: 0.4 },
      { symbol: 'VXUS', weight: 0.2 },
      { symbol: 'BND', weight: 0.4 },
    ],
  },
  {
    id: '6a1f3c0e-0b1d-4c9a-8f10-000000000003',
    name: 'Global Growth',
    description: 'All stocks: the total US market, technology and international.',
    riskLevel: 'growth',
    composition: [
      { symbol: 'VTI', weight: 0.6 },
      { symbol: 'QQQ', weight: 0.25 },
      { symbol: 'VXUS', weight: 0.15 },
    ],
  },
];

/** Inserts or refreshes the seed baskets by id; returns how many it wrote. Throws before writing on a bad weight. */
export async function seed(db: Db, baskets: readonly BasketSeed[] = seedBaskets): Promise<number> {
  for (const basket of baskets) {
    const problems = compositionProblems(basket.composition);
    if (problems.length > 0) throw new Error(`basket ${basket.name}: ${problems.join('; ')}`);
  }
  await db.$transaction(
    baskets.map(({ id, name, description, riskLevel, composition }) => {
      const data = { name, description, riskLevel, compositionJson: composition.map((c) => ({ ...c })), isActive: true };
      return db.basket.upsert({ where: { id }, create: { id, ...data }, update: data });
    }),
  );
  return baskets.length;
}
