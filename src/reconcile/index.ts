import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { Providers } from '../providers/ports.js';
import { firmBalanceBreaks, movementBreaks, orderFillBreaks, positionBreaks, projectionBreaks, type Break } from './checks.js';
import { readProviderBooks } from './provider-books.js';

// One reconciliation: read what the providers report, then hold the ledger, our rows and our record of provider
// effects against it. Read-only everywhere. `npm run reconcile` (scripts/reconcile.ts) prints the breaks, the
// reconciliation schedule stores them (src/reconcile/breaks.ts).
//
// It compares a moment: a saga in flight has moved money at one side and not yet booked it at the other, so run
// it when the sagas are quiet, or read an isolated break again at the next run before acting on it.

export type { Break, BreakCheck } from './checks.js';

export interface ReconcileDeps {
  db: Db;
  providers: Providers;
  config: Config;
  progress?: (message: string) => void;
}

export async function reconcile({ db, providers, config, progress = () => {} }: ReconcileDeps): Promise<Break[]> {
  const books = await readProviderBooks({ db, providers, config }, progress);
  progress(`read ${books.movements.size} provider movements, ${books.balances.size} balances; checking`);
  const breaks = [
    ...(await firmBalanceBreaks(db, books)),
    ...(await projectionBreaks(db)),
    ...(await movementBreaks(db, books)),
    ...(await orderFillBreaks(db, books)),
    ...(await positionBreaks(db, books)),
  ];
  progress(`${breaks.length} breaks`);
  return breaks;
}

/** The breaks as a table: check | account or movement | expected | found, and a count. */
export function breaksTable(breaks: Break[]): string {
  const header = ['check', 'account or movement', 'expected', 'found'];
  const rows = breaks.map((b) => [b.check, b.subject, b.expected, b.found]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line), `${breaks.length} breaks`].join('\n');
}
