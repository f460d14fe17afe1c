import { type SearchAttributeUpdatePair } from '@temporalio/common';
import { patched, upsertSearchAttributes } from '@temporalio/workflow';
import { rosterParticipants, searchAttributeValues, searchAttributeValuesV1, type EventState } from '../domain';
import { searchAttributes as keys } from './search-attributes';

type Current = ReturnType<typeof searchAttributeValues>;
type Values = Current | ReturnType<typeof searchAttributeValuesV1>;

/**
 * Pending work (units of incident steps, drills and reports; roles of
 * go/no-go, waivers and drill evaluations; delegates), open incidents and
 * gate and drill deadlines are published from here on. Events that started
 * before replay the values they published then: the upserts a workflow
 * makes are commands, and a different set of upserts would not replay.
 */
export const PENDING_WORK_PATCH = 'pending-work-attributes';

/**
 * Participants are the roster's people (`participantKey`) from here on, not
 * the plan's units and roles: lists follow the roster like reads do. Events
 * that started before replay the participants they published then, and
 * publish the roster's the next time they publish anything.
 */
export const ROSTER_PARTICIPANTS_PATCH = 'roster-participants';

/**
 * Publishes the event's search attributes, upserting only those whose value
 * changed since the last publication (each upsert is a history event).
 * Returns what is now published.
 */
export function publishSearchAttributes(state: EventState, now: string, previous: Values | undefined): Values {
  const published: Values = patched(PENDING_WORK_PATCH)
    ? searchAttributeValues(state, now)
    : searchAttributeValuesV1(state, now);
  const values: Values = patched(ROSTER_PARTICIPANTS_PATCH)
    ? { ...published, participants: rosterParticipants(state.roster) }
    : published;
  const date = (iso: string | undefined) => (iso ? new Date(iso) : null);
  const pairs: Record<keyof Current, (v: Partial<Current>) => SearchAttributeUpdatePair> = {
    phase: (v) => ({ key: keys.phase, value: v.phase ?? null }),
    program: (v) => ({ key: keys.program, value: v.program ?? null }),
    template: (v) => ({ key: keys.template, value: v.template ?? null }),
    eventStart: (v) => ({ key: keys.eventStart, value: date(v.eventStart) }),
    nextDeadline: (v) => ({ key: keys.nextDeadline, value: date(v.nextDeadline) }),
    overdueCount: (v) => ({ key: keys.overdueCount, value: v.overdueCount ?? null }),
    openIncidents: (v) => ({ key: keys.openIncidents, value: v.openIncidents ?? null }),
    percentComplete: (v) => ({ key: keys.percentComplete, value: v.percentComplete ?? null }),
    pendingUnits: (v) => ({ key: keys.pendingUnits, value: v.pendingUnits ?? null }),
    pendingRoles: (v) => ({ key: keys.pendingRoles, value: v.pendingRoles ?? null }),
    participants: (v) => ({ key: keys.participants, value: v.participants ?? null }),
  };
  // The names this version publishes, in a fixed order (the V1 set has no `openIncidents`).
  const names = (Object.keys(pairs) as (keyof Current)[]).filter((name) => name in values);
  const before = previous as Partial<Current> | undefined;
  const current = values as Partial<Current>;
  const changed = names.filter((name) => !before || JSON.stringify(before[name]) !== JSON.stringify(current[name]));
  if (changed.length > 0) upsertSearchAttributes(changed.map((name) => pairs[name](current)));
  return values;
}
