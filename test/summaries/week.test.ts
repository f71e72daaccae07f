import { describe, expect, it } from 'vitest';
import { isWeekStartDate, parseIsoDate, previousWeekStart, weekHasEnded, weekRange, weekStartOf } from '../../src/domain/week.js';

describe('summary weeks (ISO weeks, UTC)', () => {
  it('a week starts on the Monday of the instant, whatever the weekday and hour', () => {
    expect(weekStartOf(new Date('2026-11-16T00:00:00Z'))).toBe('2026-11-16'); // Monday midnight
    expect(weekStartOf(new Date('2026-11-18T13:45:00Z'))).toBe('2026-11-16'); // Wednesday
    expect(weekStartOf(new Date('2026-11-22T23:59:59.999Z'))).toBe('2026-11-16'); // Sunday, last instant
    expect(weekStartOf(new Date('2026-11-23T00:00:00Z'))).toBe('2026-11-23');
  });

  it('the scheduled Monday 08:00 UTC run summarises the full week before it', () => {
    expect(previousWeekStart(new Date('2026-11-23T08:00:00Z'))).toBe('2026-11-16');
  });

  it('a run late on Sunday still summarises the last week that has ended, not the current one', () => {
    expect(previousWeekStart(new Date('2026-11-29T23:00:00Z'))).toBe('2026-11-16');
  });

  it('weeks cross month, year and leap-day boundaries', () => {
    expect(previousWeekStart(new Date('2027-01-04T08:00:00Z'))).toBe('2026-12-28');
    expect(weekStartOf(new Date('2027-01-01T12:00:00Z'))).toBe('2026-12-28'); // a Friday in ISO week 53 of 2026
    expect(weekStartOf(new Date('2028-03-01T00:00:00Z'))).toBe('2028-02-28');
    expect(weekRange('2028-02-28').end.toISOString()).toBe('2028-03-06T00:00:00.000Z');
  });

  it('the week is the half-open interval of seven UTC days from its Monday', () => {
    const { start, end } = weekRange('2026-11-16');
    expect(start.toISOString()).toBe('2026-11-16T00:00:00.000Z');
    expect(end.toISOString()).toBe('2026-11-23T00:00:00.000Z');
  });

  it('only a real calendar date on a Monday starts a week', () => {
    expect(isWeekStartDate('2026-11-16')).toBe(true);
    expect(isWeekStartDate('2026-11-17')).toBe(false); // Tuesday
    expect(isWeekStartDate('2026-02-30')).toBe(false); // no such day
    expect(isWeekStartDate('2026-11-16T00:00:00Z')).toBe(false);
    expect(isWeekStartDate('16/11/2026')).toBe(false);
    expect(parseIsoDate('2026-13-01')).toBeUndefined();
    expect(() => weekRange('2026-11-17')).toThrow(RangeError);
  });

  it('a week has ended only from the Monday after it, 00:00 UTC', () => {
    expect(weekHasEnded('2026-11-16', new Date('2026-11-22T23:59:59Z'))).toBe(false);
    expect(weekHasEnded('2026-11-16', new Date('2026-11-23T00:00:00Z'))).toBe(true);
  });
});
