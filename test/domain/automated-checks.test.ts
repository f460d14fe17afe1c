import { describe, expect, it } from 'vitest';
import {
  commandSchema,
  launchBlockingList,
  nextWakeUp,
  SYSTEM_CHECKS,
  tick,
  validate,
  type EventState,
} from '../../domain';
import {
  eventEnd,
  eventWith,
  given,
  play,
  shift,
  t0,
  throughRehearsal,
  type Step,
  type TemplateChange,
} from './scenario';
import { withOperations } from '../support/fixtures';

const portalCheck = { kind: 'http' as const, url: 'https://portal.example.org/health', every: { minutes: 10 } };

/** The lifecycle template whose readiness item (the pentest) is checked automatically every 10 minutes. */
const withCheck: TemplateChange = (input) => {
  withOperations(input);
  input.items.find((i) => i.id === 'cyber.pentest')!.check = portalCheck;
};
const checkedEvent = (change: TemplateChange = () => undefined) =>
  eventWith((input) => {
    withCheck(input);
    change(input);
  });

const result = (ok: boolean, at: string, code = 'HTTP_STATUS_MISMATCH') => ({
  ok,
  kind: 'http',
  target: 'https://portal.example.org/health',
  checkedAt: at,
  durationMs: 42,
  summary: ok ? '200 in 42 ms' : '503 in 40 ms',
  details: { status: ok ? 200 : 503 },
  ...(ok ? {} : { failure: { code, message: 'expected 200, got 503' } }),
});
const report = (ok: boolean, runAt: string, at = runAt): Step => [
  SYSTEM_CHECKS,
  { type: 'recordCheckResult', itemId: 'cyber.pentest', runAt, result: result(ok, at) },
  at,
];
const item = (state: EventState) => state.items['cyber.pentest']!;

describe('scheduling automated checks', () => {
  it('runs a check at creation, then every cadence, and stops when the event ends', () => {
    const state = checkedEvent();
    const first = tick(state, t0);
    expect(first.checks).toEqual([
      {
        eventId: 'e',
        itemId: 'cyber.pentest',
        runAt: t0,
        spec: expect.objectContaining({ kind: 'http', url: portalCheck.url, expectStatus: [200] }),
        mustBeValidUntil: eventEnd,
      },
    ]);
    expect(tick(first.state, t0).checks).toEqual([]);
    expect(nextWakeUp(first.state, t0)).toBe(shift(t0, { minutes: 10 }));
    // After an outage, one run stands for the missed ones, on the cadence's grid.
    const late = tick(first.state, shift(t0, { minutes: 35 }));
    expect(late.checks.map((c) => c.runAt)).toEqual([shift(t0, { minutes: 30 })]);
    expect(tick(first.state, shift(eventEnd, { minutes: 1 })).checks).toEqual([]);
  });

  it('does not check a waived item', () => {
    const waived = given(checkedEvent(), [
      ['cyber.hung', { type: 'requestWaiver', itemId: 'cyber.pentest', justification: 'Done by the vendor' }],
      ['head.tuan', { type: 'decideWaiver', itemId: 'cyber.pentest', decision: 'approve' }],
    ]);
    expect(tick(waived, t0).checks).toEqual([]);
  });
});

describe('recording check results', () => {
  it('completes the item on a pass, with the result as evidence', () => {
    const played = play(checkedEvent(), [report(true, t0)]);
    expect(played.code).toBe('OK');
    expect(item(played.state)).toMatchObject({
      status: 'done',
      completedBy: SYSTEM_CHECKS,
      note: '200 in 42 ms',
      check: { passes: 1, failures: 0, last: { ok: true, target: portalCheck.url, details: { status: 200 } } },
    });
  });

  it('blocks the item on a fail, with the failure code as the reason, and tells its unit once', () => {
    const played = play(checkedEvent(), [report(false, t0), report(false, shift(t0, { minutes: 10 }))]);
    expect(item(played.state)).toMatchObject({
      status: 'blocked',
      blocked: { by: SYSTEM_CHECKS, reason: 'HTTP_STATUS_MISMATCH: 503 in 40 ms', at: t0 },
      check: { failures: 2 },
    });
    expect(played.effects.map((e) => [e.kind, e.to.units])).toEqual([['checkFailed', ['cyber']]]);
    expect(launchBlockingList(played.state, t0).find((e) => e.id === 'cyber.pentest')?.kind).toBe('check');
  });

  it('completes a check-blocked item once the check passes again', () => {
    const played = play(checkedEvent(), [report(false, t0), report(true, shift(t0, { minutes: 10 }))]);
    expect(item(played.state).status).toBe('done');
    expect(item(played.state).blocked).toBeUndefined();
  });

  it("leaves a person's blocker standing when the check passes", () => {
    const played = play(checkedEvent(), [
      ['cyber.hung', { type: 'blockItem', itemId: 'cyber.pentest', reason: 'Scope not agreed' }],
      report(true, t0),
    ]);
    expect(item(played.state)).toMatchObject({
      status: 'blocked',
      blocked: { by: 'cyber.hung' },
      check: { passes: 1 },
    });
  });

  it('reopens a passed item when a later run fails (a regression), alerting ops, and lists it as a failing check', () => {
    const ready = given(eventWith(withCheck), [...throughRehearsal, report(true, t0)]);
    expect(ready.phase).toBe('readiness');
    const later = shift(t0, { minutes: 20 });
    const played = play(ready, [report(false, later)]);
    expect(item(played.state)).toMatchObject({
      status: 'blocked',
      blocked: { by: SYSTEM_CHECKS, at: later },
      check: { regressions: 1, passes: 1, failures: 1 },
    });
    expect(item(played.state).completedBy).toBeUndefined();
    expect(played.effects.map((e) => [e.kind, e.to])).toEqual([
      ['checkRegressed', { units: ['cyber'], roles: ['duty-officer', 'office-chief'] }],
    ]);
    expect(launchBlockingList(played.state, later).map((e) => [e.key, e.kind])).toEqual([
      ['item:cyber.pentest', 'check'],
    ]);
  });

  it('refuses a result older than one already recorded (STALE_CHECK_RESULT)', () => {
    const played = play(checkedEvent(), [
      report(true, shift(t0, { minutes: 10 })),
      report(false, t0, shift(t0, { minutes: 11 })),
    ]);
    expect(played.code).toBe('STALE_CHECK_RESULT');
  });

  it('accepts results only from the check activity, and only for items with a check', () => {
    const state = checkedEvent();
    const forged = commandSchema.parse(report(true, t0)[1]);
    const verdict = validate(state, forged, { id: 'cyber.hung' }, t0);
    expect(verdict.ok ? 'OK' : verdict.rejection.code).toBe('NOT_SYSTEM');
    const unchecked = commandSchema.parse({ ...report(true, t0)[1], itemId: 'plan.master' });
    const refused = validate(state, unchecked, { id: SYSTEM_CHECKS }, t0);
    expect(refused.ok ? 'OK' : refused.rejection.code).toBe('NO_CHECK');
  });

  it('gives the system actor no other power', () => {
    expect(play(checkedEvent(), [[SYSTEM_CHECKS, { type: 'completeItem', itemId: 'plan.master' }]]).code).toBe(
      'NOT_IN_ROSTER',
    );
  });
});
