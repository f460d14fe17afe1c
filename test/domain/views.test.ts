import { describe, expect, it } from 'vitest';
import {
  createEventState,
  eventWindowSchema,
  planTemplateSchema,
  recipientsOf,
  searchAttributeValues,
  tick,
  toEventView,
  type PlanTemplateInput,
} from '../../domain';
import { tinyTemplateInput } from '../support/fixtures';
import { eventWith } from './scenario';

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

describe('who a notification reaches by email', () => {
  const people = (change: (p: NonNullable<PlanTemplateInput['people']>) => void) =>
    eventWith((t) => {
      change(t.people!);
    });
  const withEmails = (p: NonNullable<PlanTemplateInput['people']>) => {
    for (const person of p) (person as { email?: string }).email = `${person.id}@example.org`;
  };

  it('reaches the members of its units and the holders of its roles, never viewers, only with an address', () => {
    const state = people(withEmails);
    const addresses = (to: { units: string[]; roles: string[] }) => recipientsOf(state, to).map((r) => r.address);
    expect(addresses({ units: ['police'], roles: [] })).toEqual(['police.nam@example.org']);
    expect(addresses({ units: [], roles: ['steering-head'] })).toEqual([
      'head.tuan@example.org',
      'both.roles@example.org',
    ]);
    expect(recipientsOf(eventWith(), { units: ['police'], roles: [] })).toEqual([]);
  });

  it('prefers holders of a role in the unit or its parents, as escalation does', () => {
    const state = people((p) => {
      withEmails(p);
    });
    // office-chief: office.mai sits in the cyber unit's parent; both.roles holds it without a unit.
    expect(recipientsOf(state, { units: ['cyber'], roles: ['office-chief'] }).map((r) => r.address)).toEqual([
      'office.mai@example.org',
      'cyber.hung@example.org',
    ]);
  });
});
