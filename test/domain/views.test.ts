import { describe, expect, it } from 'vitest';
import {
  createEventState,
  listAccess,
  eventWindowSchema,
  planTemplateSchema,
  searchAttributeValues,
  tick,
  toEventView,
} from '../../domain';
import { tinyTemplateInput } from '../support/fixtures';

describe('overdue progress reports', () => {
  it('count a unit that missed its report as overdue, in the view and in the overdue count', () => {
    const input = structuredClone(tinyTemplateInput);
    Object.assign(input, {
      reviews: {
        cadence: [{ from: { daysBefore: 14, at: '09:00' }, every: { days: 7 } }],
        reportWithin: { hours: 24 },
      },
    });
    const window = eventWindowSchema.parse({
      start: '2026-11-30T01:00:00Z',
      end: '2026-12-01T10:00:00Z',
      timeZone: 'Asia/Ho_Chi_Minh',
    });
    const created = createEventState({
      eventId: 'e',
      template: planTemplateSchema.parse(input),
      templateHash: 'sha256:t',
      window,
      createdBy: 'planner.linh',
      now: '2026-11-01T00:00:00.000Z',
    });
    // The review opens at 09:00 Hanoi on 16 Nov (02:00Z); reports are due 24 h later.
    const opened = tick(created, '2026-11-16T02:00:00.000Z').state;
    expect(opened.reviews).toHaveLength(1);
    const before = searchAttributeValues(opened, '2026-11-16T03:00:00.000Z').overdueCount;
    const missed = tick(opened, '2026-11-17T02:00:00.000Z').state;
    const view = toEventView(missed, '2026-11-17T02:00:00.000Z');
    expect(view.overdueReports.map((r) => r.unit).sort()).toEqual(['cyber', 'office', 'police']);
    expect(view.units.find((u) => u.id === 'police')?.missedReview).toBe('review-1');
    expect(searchAttributeValues(missed, '2026-11-17T02:00:00.000Z').overdueCount).toBe(before + 3);
  });
});

describe('list access', () => {
  it('lists everything for planners, admins and readers of every program, and by participation otherwise', () => {
    const reader = (claims: Partial<{ roles: string[]; units: string[]; programs: string[] }>) => ({
      id: 'r',
      roles: [],
      units: [],
      programs: [],
      ...claims,
    });
    expect(listAccess(reader({ roles: ['planner'] }))).toEqual({ all: true });
    expect(listAccess(reader({ roles: ['admin'] }))).toEqual({ all: true });
    expect(listAccess(reader({ programs: ['*'] }))).toEqual({ all: true });
    expect(listAccess(reader({ roles: ['viewer'], units: ['police'], programs: ['asean-2020'] }))).toEqual({
      all: false,
      participants: ['unit:police', 'role:viewer'],
      programs: ['asean-2020'],
    });
  });
});
