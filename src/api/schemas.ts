import { z } from 'zod';

// The zod pieces several resources share. Money arrives as decimal strings and stays one until Prisma.Decimal.

/** A positive USD amount with at most 2 decimals that fits DECIMAL(18,2). */
export const usdAmount = z
  .string()
  .regex(/^\d{1,16}(\.\d{1,2})?$/, 'a decimal string with at most 2 decimals, e.g. "125.50"')
  .refine((v) => /[1-9]/.test(v), 'must be greater than zero');

/** A positive USDC amount with at most 18 decimals that fits DECIMAL(36,18). */
export const usdcAmount = z
  .string()
  .regex(/^\d{1,18}(\.\d{1,18})?$/, 'a decimal string with at most 18 decimals, e.g. "10.123456"')
  .refine((v) => /[1-9]/.test(v), 'must be greater than zero');

export const chain = z.enum(['ethereum', 'solana']);

/** Any well-formed UUID (row ids are v4 from PostgreSQL or v5-style derived ones). */
export const id = z.guid();

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
});
export type ListQuery = z.output<typeof listQuery>;
