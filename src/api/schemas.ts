import { z } from 'zod';
import { isUsdAmount, isUsdcAmount } from '../domain/money.js';

// The zod pieces several resources share. Money arrives as decimal strings and stays one until Prisma.Decimal.

const positive = (v: string) => /[1-9]/.test(v);

/** A positive USD amount with at most 2 decimals that fits DECIMAL(18,2). */
export const usdAmount = z
  .string()
  .refine(isUsdAmount, 'a decimal string with at most 2 decimals, e.g. "125.50"')
  .refine(positive, 'must be greater than zero')
  .meta({ description: 'USD as a decimal string, at most 2 decimals', example: '125.50' });

/** A positive USDC amount with at most 18 decimals that fits DECIMAL(36,18). */
export const usdcAmount = z
  .string()
  .refine(isUsdcAmount, 'a decimal string with at most 18 decimals, e.g. "10.123456"')
  .refine(positive, 'must be greater than zero')
  .meta({ description: 'USDC as a decimal string, at most 18 decimals', example: '10.123456' });

export const chain = z.enum(['ethereum', 'solana']);

/** Any well-formed UUID (row ids are v4 from PostgreSQL or v5-style derived ones). */
export const id = z.guid();

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
});
export type ListQuery = z.output<typeof listQuery>;
