import { type EventState } from './state';
import { type EventView } from './views';

/** Who is reading: the authenticated person and the grants their token carries. */
export interface Reader {
  id: string;
  roles: string[];
  units: string[];
  /** Program-wide read grants; '*' reads every program. */
  programs: string[];
}

export type ReadAccess = { level: 'full' } | { level: 'scoped'; units: string[]; roles: string[] } | { level: 'none' };

/**
 * Planners and admins read everything; so does anyone granted the event's
 * program. Everyone else reads an event only if they are on its roster, and
 * then only what their units or roles touch (from the roster, not the token).
 */
export function readAccess(state: EventState, reader: Reader): ReadAccess {
  if (reader.roles.includes('admin') || reader.roles.includes('planner')) return { level: 'full' };
  if (reader.programs.includes('*') || (state.program !== undefined && reader.programs.includes(state.program))) {
    return { level: 'full' };
  }
  const person = state.roster.find((p) => p.id === reader.id);
  if (!person) return { level: 'none' };
  return { level: 'scoped', units: person.units, roles: person.roles };
}

export type ListAccess = { all: true } | { all: false; participants: string[]; programs: string[] };

/**
 * Which events a reader finds in lists: the same rule as `readAccess`, said
 * in terms a visibility query can use (the event's `participants` and
 * program), because lists cannot load each event's roster.
 */
export function listAccess(reader: Reader): ListAccess {
  if (reader.roles.includes('admin') || reader.roles.includes('planner') || reader.programs.includes('*')) {
    return { all: true };
  }
  return {
    all: false,
    participants: [...reader.units.map((u) => `unit:${u}`), ...reader.roles.map((r) => `role:${r}`)],
    programs: reader.programs,
  };
}

/** The part of the view a scoped reader may see; overall progress stays, details narrow. */
export function scopeView(
  view: EventView,
  access: ReadAccess,
  readerId: string,
): EventView & { scope: 'full' | 'scoped' } {
  if (access.level !== 'scoped') return { ...view, scope: 'full' };
  const items = view.items.filter((item) => access.units.includes(item.unit));
  const itemIds = new Set(items.map((i) => i.id));
  return {
    ...view,
    scope: 'scoped',
    items,
    workGroups: view.workGroups.filter((g) => items.some((i) => i.workGroup === g.id)),
    gates: view.gates.filter(
      (g) => g.approval.roles.some((r) => access.roles.includes(r)) || g.covers.some((id) => itemIds.has(id)),
    ),
    overdue: view.overdue.filter((o) => itemIds.has(o.id)),
    units: view.units.filter((u) => access.units.includes(u.id)),
    overdueReports: view.overdueReports.filter((r) => access.units.includes(r.unit)),
    blockers: view.blockers.filter((b) => itemIds.has(b.id)),
    waiversPending: view.waiversPending.filter((w) => itemIds.has(w.id)),
    reviews: view.reviews.map((review) => ({
      ...review,
      agenda: {
        blockers: review.agenda.blockers.filter((b) => access.units.includes(b.unit)),
        overdue: review.agenda.overdue.filter((o) => access.units.includes(o.unit)),
      },
      reports: Object.fromEntries(Object.entries(review.reports).filter(([unit]) => access.units.includes(unit))),
    })),
    delegations: view.delegations.filter((d) => d.from === readerId || d.to === readerId),
    drills: view.drills.filter((d) => d.units.some((u) => access.units.includes(u))),
    launchBlocking: view.launchBlocking.filter((e) => access.units.includes(e.unit)),
    // Duty officers work every incident; others see those their units have steps in, or that they reported.
    incidents: access.roles.includes('duty-officer')
      ? view.incidents
      : view.incidents.filter(
          (i) => i.reportedBy === readerId || i.steps.some((step) => access.units.includes(step.unit)),
        ),
    correctiveActions: view.correctiveActions.filter((c) => access.units.includes(c.unit)),
  };
}
