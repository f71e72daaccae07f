// ISO weeks in UTC: a summary week starts on a Monday at 00:00 UTC and covers [start, start + 7 days).
// Pure date arithmetic on UTC fields only, so it runs the same in workflow code (on workflow time) and in Node.

const dayMs = 24 * 60 * 60 * 1000;
const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` of a UTC instant. */
export function isoDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The UTC midnight of a `YYYY-MM-DD` date, or undefined when it is not a real calendar date. */
export function parseIsoDate(value: string): Date | undefined {
  const match = datePattern.exec(value);
  if (!match) return undefined;
  const at = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  // Date.UTC rolls 2026-02-30 over to March: a real date round-trips unchanged.
  return isoDate(at) === value ? at : undefined;
}

/** The Monday (`YYYY-MM-DD`) of the ISO week that contains `at`. */
export function weekStartOf(at: Date): string {
  const midnight = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const daysSinceMonday = (at.getUTCDay() + 6) % 7; // getUTCDay: Sunday = 0
  return isoDate(new Date(midnight - daysSinceMonday * dayMs));
}

/** The Monday of the last ISO week that has fully ended at `at` (the week before the one containing `at`). */
export function previousWeekStart(at: Date): string {
  return weekStartOf(new Date(at.getTime() - 7 * dayMs));
}

/** Whether `value` is a `YYYY-MM-DD` date that falls on a Monday. */
export function isWeekStartDate(value: string): boolean {
  const at = parseIsoDate(value);
  return at !== undefined && at.getUTCDay() === 1;
}

/** The half-open interval [start, end) of the week starting on the Monday `weekStartDate`. */
export function weekRange(weekStartDate: string): { start: Date; end: Date } {
  const start = parseIsoDate(weekStartDate);
  if (!start || start.getUTCDay() !== 1) throw new RangeError(`${weekStartDate} is not a Monday (YYYY-MM-DD)`);
  return { start, end: new Date(start.getTime() + 7 * dayMs) };
}

/** Whether the week starting on `weekStartDate` has fully ended at `at`. */
export function weekHasEnded(weekStartDate: string, at: Date): boolean {
  return weekRange(weekStartDate).end.getTime() <= at.getTime();
}
