import { type TimelineEntry } from './history';
import { isOpenStatus, resolveDue, type EventState, type Incident } from './state';
import { itemUnit, severities, type Severity } from './template';
import { toIso, toMs } from './time';

/**
 * The after-action record (HSEEP's after-action report data): everything the
 * review needs, derived from the state and the timeline rebuilt from the
 * workflow's own history. Rendering it as a document is a separate concern;
 * every figure a report shows comes from here.
 */

const MINUTE = 60_000;
const minutesBetween = (from: string, to: string) => Math.round(((toMs(to) - toMs(from)) / MINUTE) * 10) / 10;
const mean = (values: number[]) =>
  values.length ? Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10 : null;

export function afterActionRecord(state: EventState, timeline: TimelineEntry[], now: string) {
  const { template } = state;
  const items = template.items.map((item) => {
    const s = state.items[item.id]!;
    const late = s.status === 'done' && s.completedAt !== undefined && s.completedAt > s.due;
    return {
      id: item.id,
      workGroup: item.workGroup,
      unit: itemUnit(template, item),
      phase: item.phase,
      status: s.status,
      due: s.due,
      completedAt: s.completedAt,
      late,
      openPastDue: isOpenStatus(s.status) && s.due < now,
      origin: s.origin?.kind,
    };
  });

  const completionOf = (list: typeof items) => {
    const count = (f: (i: (typeof items)[number]) => boolean) => list.filter(f).length;
    const done = count((i) => i.status === 'done');
    const onTime = count((i) => i.status === 'done' && !i.late);
    return {
      total: list.length,
      done,
      onTime,
      late: done - onTime,
      waived: count((i) => i.status === 'waived'),
      carriedOver: count((i) => i.status === 'carried_over'),
      open: count((i) => isOpenStatus(i.status)),
      /** Done on time, of the items that had to be done (waived and carried over left out). */
      percentOnTime: (() => {
        const owed = list.length - count((i) => i.status === 'waived' || i.status === 'carried_over');
        return owed ? Math.round((onTime / owed) * 1000) / 10 : 100;
      })(),
    };
  };

  const escalations = timeline.filter((e) => e.type === 'escalation');
  const escalationsBy = (kind: string) =>
    escalations.filter((e) => (e.detail?.notificationId as string | undefined)?.includes(`:escalation:${kind}:`))
      .length;
  const byLevel: Record<string, number> = {};
  for (const e of escalations) {
    const level = String(typeof e.detail?.level === 'number' ? e.detail.level : 0);
    byLevel[level] = (byLevel[level] ?? 0) + 1;
  }
  const units = [...new Set(items.map((i) => i.unit))].sort();

  const typeTitle = (type: string) => template.incidents?.types.find((t) => t.id === type)?.title ?? type;
  const incidentRow = (incident: Incident) => ({
    id: incident.id,
    type: incident.type,
    typeTitle: typeTitle(incident.type),
    severity: incident.severity,
    ...(incident.sessionId ? { sessionId: incident.sessionId } : {}),
    description: incident.description,
    status: incident.status,
    reportedBy: incident.reportedBy,
    reportedAt: incident.reportedAt,
    acknowledgedAt: incident.acknowledgedAt ?? null,
    resolvedAt: incident.resolvedAt ?? null,
    minutesToAcknowledge: incident.acknowledgedAt ? minutesBetween(incident.reportedAt, incident.acknowledgedAt) : null,
    minutesToResolve: incident.resolvedAt ? minutesBetween(incident.reportedAt, incident.resolvedAt) : null,
    resolution: incident.resolution ?? null,
    escalations: incident.escalations,
    reopened: incident.reopened.length,
    steps: incident.steps,
  });
  const incidents = state.incidents.map(incidentRow);
  const bySeverity = Object.fromEntries(
    severities.map((sev) => [sev, incidents.filter((i) => i.severity === sev).length]),
  ) as Record<Severity, number>;

  const readinessGates = template.gates.filter((g) => g.phase === 'readiness');
  const correctiveActions = template.items
    .filter((item) => state.items[item.id]?.origin?.kind === 'corrective')
    .map((item) => {
      const s = state.items[item.id]!;
      const origin = s.origin?.kind === 'corrective' ? s.origin : undefined;
      return {
        id: item.id,
        title: item.title,
        unit: itemUnit(template, item),
        due: s.due,
        status: s.status,
        ...(origin?.lessonId ? { lessonId: origin.lessonId } : {}),
        ...(s.completedAt ? { closedAt: s.completedAt, closedBy: s.completedBy } : {}),
        ...(s.carriedOver ? { carriedOver: s.carriedOver } : {}),
      };
    });

  return {
    eventId: state.eventId,
    title: template.title,
    ...(state.program ? { program: state.program } : {}),
    template: { id: template.id, hash: state.templateHash },
    window: state.window,
    phase: state.phase,
    generatedAt: now,
    phases: state.phaseChanges,
    timeline,
    completion: {
      overall: completionOf(items),
      workGroups: template.workGroups.map((group) => ({
        id: group.id,
        title: group.title,
        unit: group.unit,
        ...completionOf(items.filter((i) => i.workGroup === group.id)),
      })),
    },
    overdue: {
      itemsCompletedLate: items.filter((i) => i.late).length,
      itemsOpenPastDue: items.filter((i) => i.openPastDue).length,
      byUnit: units
        .map((unit) => ({
          unit,
          completedLate: items.filter((i) => i.unit === unit && i.late).length,
          openPastDue: items.filter((i) => i.unit === unit && i.openPastDue).length,
        }))
        .filter((u) => u.completedLate + u.openPastDue > 0),
      escalations: {
        total: escalations.length,
        byLevel,
        items: escalationsBy('item'),
        gates: escalationsBy('gate'),
        drills: escalationsBy('drill'),
        incidents: escalationsBy('incident'),
      },
      reminders: timeline.filter((e) => e.type === 'reminder').length,
      progressReviews: state.reviews.length,
      missedReports: state.reviews.reduce((n, r) => n + (r.missed?.length ?? 0), 0),
    },
    /** Readiness burn-up: items planned (due) and done by the end of each UTC day. */
    burnUp: burnUp(items),
    drills: (template.drills?.scenarios ?? []).map((scenario) => {
      const d = state.drills[scenario.id]!;
      const targetTitle = (id: string) => scenario.targets.find((t) => t.id === id)?.title ?? id;
      return {
        id: scenario.id,
        title: scenario.title,
        severity: scenario.severity,
        units: scenario.units,
        status: d.status,
        attempts: d.attempts.map((a) => ({
          attempt: a.attempt,
          at: a.at,
          by: a.by,
          outcome: a.outcome,
          ratings: a.ratings.map((r) => ({ ...r, title: targetTitle(r.targetId) })),
          strengths: a.strengths,
          gaps: a.gaps,
          ...(a.observations ? { observations: a.observations } : {}),
          remediation: a.remediation.map((id) => ({
            id,
            status: state.items[id]?.status,
            ...(state.items[id]?.completedAt ? { completedAt: state.items[id].completedAt } : {}),
          })),
        })),
        ...(d.waiver ? { waiver: d.waiver } : {}),
      };
    }),
    readiness: {
      declaredAt: state.readiness?.declaredAt ?? null,
      signers: state.readiness?.signers ?? [],
      risksAccepted: state.readiness?.acceptedRisks ?? [],
      noGoDecisions: readinessGates.flatMap((g) =>
        state.gates[g.id]!.rejections.map((r) => ({
          gateId: g.id,
          by: r.by,
          ...(r.onBehalfOf ? { onBehalfOf: r.onBehalfOf } : {}),
          at: r.at,
          reason: r.reason,
          blocking: r.blocking?.length ?? 0,
        })),
      ),
    },
    incidents: {
      total: incidents.length,
      open: incidents.filter((i) => i.status !== 'resolved').length,
      bySeverity,
      meanMinutesToAcknowledge: mean(
        incidents.flatMap((i) => (i.minutesToAcknowledge === null ? [] : [i.minutesToAcknowledge])),
      ),
      meanMinutesToResolve: mean(incidents.flatMap((i) => (i.minutesToResolve === null ? [] : [i.minutesToResolve]))),
      list: incidents,
    },
    sessions: template.sessions.map((session) => ({
      id: session.id,
      title: session.title,
      weight: session.weight,
      start: resolveDue(session.start, state.window),
      end: resolveDue(session.end, state.window),
      incidents: incidents.filter((i) => i.sessionId === session.id).length,
    })),
    handovers: state.handovers,
    lessons: state.lessons,
    correctiveActions,
  };
}
export type AfterActionRecord = ReturnType<typeof afterActionRecord>;

/** Cumulative items due (planned) and done, at the end of each UTC day from the first deadline to the last event. */
function burnUp(items: { due: string; completedAt?: string; status: string }[]) {
  const instants = items.flatMap((i) => [i.due, ...(i.completedAt ? [i.completedAt] : [])]).map(toMs);
  if (instants.length === 0) return [];
  const DAY = 86_400_000;
  const first = Math.floor(Math.min(...instants) / DAY) * DAY;
  const last = Math.floor(Math.max(...instants) / DAY) * DAY;
  const points: { date: string; planned: number; done: number }[] = [];
  for (let day = first; day <= last && points.length < 3660; day += DAY) {
    const end = day + DAY;
    points.push({
      date: toIso(day).slice(0, 10),
      planned: items.filter((i) => toMs(i.due) < end).length,
      done: items.filter((i) => i.status === 'done' && i.completedAt !== undefined && toMs(i.completedAt) < end).length,
    });
  }
  return points;
}
