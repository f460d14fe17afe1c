import { describe, expect, it } from 'vitest';
import { eventWindowSchema, fromLocal, resolveDue } from '../../domain';

const windowIn = (timeZone: string, start: string, end: string) => eventWindowSchema.parse({ start, end, timeZone });

describe('deadline arithmetic', () => {
  const hanoi = windowIn('Asia/Ho_Chi_Minh', '2026-11-10T01:00:00Z', '2026-11-15T10:00:00Z');

  it('puts "14 days before at 17:00" on the local calendar of the event, across a month boundary', () => {
    expect(resolveDue({ daysBefore: 14, at: '17:00', from: 'start' }, hanoi)).toBe('2026-10-27T10:00:00.000Z');
  });

  it('keeps the local time of the event start when no time of day is given', () => {
    expect(resolveDue({ daysBefore: 1, from: 'start' }, hanoi)).toBe('2026-11-09T01:00:00.000Z');
  });

  it('counts days after the event end for review deadlines', () => {
    expect(resolveDue({ daysAfter: 7, at: '09:00', from: 'end' }, hanoi)).toBe('2026-11-22T02:00:00.000Z');
  });

  it('keeps absolute deadlines as they are, normalised to UTC', () => {
    expect(resolveDue({ absolute: '2026-09-01T08:00:00+07:00' }, hanoi)).toBe('2026-09-01T01:00:00.000Z');
  });

  it('uses the offset in force on the deadline day, not on the event day, in a zone with daylight saving', () => {
    // New York leaves daylight saving on 1 Nov 2026: the event is in EST (UTC-5), the deadline in EDT (UTC-4).
    const newYork = windowIn('America/New_York', '2026-11-10T14:00:00Z', '2026-11-11T22:00:00Z');
    expect(resolveDue({ daysBefore: 14, at: '17:00', from: 'start' }, newYork)).toBe('2026-10-27T21:00:00.000Z');
  });

  it('moves a wall time that does not exist (spring-forward gap) to the first instant after the gap', () => {
    const instant = fromLocal({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, 'Europe/Berlin');
    expect(new Date(instant).toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('takes the earlier instant of a repeated wall time (fall-back overlap)', () => {
    const instant = fromLocal({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, 'Europe/Berlin');
    expect(new Date(instant).toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });

  it('refuses a window that ends before it starts or names an unknown time zone', () => {
    expect(
      eventWindowSchema.safeParse({ start: '2026-11-10T01:00:00Z', end: '2026-11-09T01:00:00Z', timeZone: 'UTC' })
        .success,
    ).toBe(false);
    expect(
      eventWindowSchema.safeParse({
        start: '2026-11-10T01:00:00Z',
        end: '2026-11-11T01:00:00Z',
        timeZone: 'Mars/Olympus',
      }).success,
    ).toBe(false);
  });
});

describe('deadlines without a time of day', () => {
  it('keep the exact local time of the anchor, seconds included', () => {
    const window = eventWindowSchema.parse({
      start: '2026-11-10T01:02:03.456Z',
      end: '2026-11-11T00:00:00Z',
      timeZone: 'Asia/Ho_Chi_Minh',
    });
    expect(resolveDue({ daysBefore: 2, from: 'start' }, window)).toBe('2026-11-08T01:02:03.456Z');
  });
});
