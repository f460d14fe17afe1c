import { type AfterActionRecord } from '../../domain';

/**
 * The numbers an after-action report must show, worked out here from the
 * record itself (independently of the renderer), keyed `figure@scope`; and a
 * reader of the `data-figure` attributes of a rendered report. The unit
 * tests read the HTML text, the end-to-end test reads the DOM of the page a
 * real browser rendered; both compare with `expectedFigures`.
 */

export type Figures = Map<string, number | null>;

export const figureKey = (name: string, scope?: string | null) => (scope ? `${name}@${scope}` : name);

export function expectedFigures(record: AfterActionRecord): Figures {
  const f: Figures = new Map();
  const set = (name: string, value: number | null, scope?: string) => f.set(figureKey(name, scope), value);

  const fields = ['total', 'done', 'onTime', 'late', 'waived', 'carriedOver', 'open', 'percentOnTime'] as const;
  for (const field of fields) {
    set(`completion-${field}`, record.completion.overall[field], 'overall');
    for (const g of record.completion.workGroups) set(`completion-${field}`, g[field], g.id);
  }

  const o = record.overdue;
  set('overdue-completed-late', o.itemsCompletedLate);
  set('overdue-open-past-due', o.itemsOpenPastDue);
  for (const u of o.byUnit) {
    set('overdue-unit-completed-late', u.completedLate, u.unit);
    set('overdue-unit-open-past-due', u.openPastDue, u.unit);
  }
  set('escalations-total', o.escalations.total);
  set('escalations-items', o.escalations.items);
  set('escalations-gates', o.escalations.gates);
  set('escalations-drills', o.escalations.drills);
  set('escalations-incidents', o.escalations.incidents);
  for (const [level, n] of Object.entries(o.escalations.byLevel)) set('escalations-level', n, level);
  set('reminders', o.reminders);
  set('progress-reviews', o.progressReviews);
  set('missed-reports', o.missedReports);

  set('drills-total', record.drills.length);
  set('drills-passed', record.drills.filter((d) => d.status === 'passed').length);
  const letters = { performed: 'P', some_challenges: 'S', major_challenges: 'M', unable: 'U' } as const;
  const ratings: Record<string, number> = { P: 0, S: 0, M: 0, U: 0 };
  for (const d of record.drills) {
    set('drill-attempts', d.attempts.length, d.id);
    for (const a of d.attempts) for (const r of a.ratings) ratings[letters[r.rating]]!++;
  }
  for (const [letter, n] of Object.entries(ratings)) set('drill-ratings', n, letter);

  const inc = record.incidents;
  set('incidents-total', inc.total);
  set('incidents-open', inc.open);
  for (const [severity, n] of Object.entries(inc.bySeverity)) {
    set('incidents-severity', n, severity);
    set('chart-incidents-severity', n, severity);
  }
  set('chart-incidents-total', inc.list.length);
  set('incidents-mean-minutes-to-acknowledge', inc.meanMinutesToAcknowledge);
  set('incidents-mean-minutes-to-resolve', inc.meanMinutesToResolve);
  for (const i of inc.list) {
    set('incident-minutes-to-acknowledge', i.minutesToAcknowledge, i.id);
    set('incident-minutes-to-resolve', i.minutesToResolve, i.id);
  }
  for (const s of record.sessions) set('session-incidents', s.incidents, s.id);

  set('readiness-signers', record.readiness.signers.length);
  set('risks-accepted', record.readiness.risksAccepted.length);
  set('no-go-decisions', record.readiness.noGoDecisions.length);
  set('handovers', record.handovers.length);
  set('lessons', record.lessons.length);
  set('corrective-actions', record.correctiveActions.length);
  const byStatus: Record<string, number> = {};
  for (const a of record.correctiveActions) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
  for (const [status, n] of Object.entries(byStatus)) set('corrective-actions-status', n, status);

  const isNotification = (e: AfterActionRecord['timeline'][number]) =>
    e.kind === 'system' && typeof e.detail?.notificationId === 'string';
  const full = record.timeline.filter((e) => !isNotification(e)).length;
  set('timeline-entries', record.timeline.length);
  set('timeline-actions', record.timeline.filter((e) => e.kind === 'action').length);
  set('timeline-notifications', record.timeline.length - full);
  set('timeline-shown', Math.min(full, 300));
  set('timeline-omitted', Math.max(0, full - 300));
  const counts: Record<string, number> = {};
  for (const e of record.timeline) if (isNotification(e)) counts[e.type] = (counts[e.type] ?? 0) + 1;
  for (const [type, n] of Object.entries(counts)) set('timeline-count', n, type);

  const last = record.burnUp.at(-1);
  set('chart-burnup-planned', last?.planned ?? 0);
  set('chart-burnup-done', last?.done ?? 0);
  return f;
}

export interface FigureAttributes {
  figure: string;
  scope: string | null;
  value: string;
}

/** Folds figure elements into one value per key; a key shown twice must show the same value both times. */
export function figuresFrom(elements: FigureAttributes[]): Figures {
  const figures: Figures = new Map();
  for (const e of elements) {
    const key = figureKey(e.figure, e.scope);
    const value = e.value === '' ? null : Number(e.value);
    if (figures.has(key) && figures.get(key) !== value) {
      throw new Error(`figure ${key} is shown as ${String(figures.get(key))} and as ${String(value)}`);
    }
    figures.set(key, value);
  }
  return figures;
}

/** The figures of an HTML report read from its text (the renderer writes attributes in one order). */
export function figuresFromHtml(html: string): Figures {
  const elements: FigureAttributes[] = [];
  for (const m of html.matchAll(/data-figure="([^"]*)"(?: data-scope="([^"]*)")? data-value="([^"]*)"/g)) {
    elements.push({ figure: m[1]!, scope: m[2] ?? null, value: m[3]! });
  }
  return figuresFrom(elements);
}
