import { type SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';
import { type searchAttributeValues } from '../domain';
import { searchAttributes as keys } from './search-attributes';

type Values = ReturnType<typeof searchAttributeValues>;

/**
 * Upserts only the search attributes whose value changed since the last
 * publication (each upsert is a history event). Returns what is now published.
 */
export function publishSearchAttributes(values: Values, previous: Values | undefined): Values {
  const date = (iso: string | undefined) => (iso ? new Date(iso) : null);
  const pairs: Record<keyof Values, SearchAttributeUpdatePair> = {
    phase: { key: keys.phase, value: values.phase },
    program: { key: keys.program, value: values.program ?? null },
    template: { key: keys.template, value: values.template },
    eventStart: { key: keys.eventStart, value: date(values.eventStart) },
    nextDeadline: { key: keys.nextDeadline, value: date(values.nextDeadline) },
    overdueCount: { key: keys.overdueCount, value: values.overdueCount },
    percentComplete: { key: keys.percentComplete, value: values.percentComplete },
    pendingUnits: { key: keys.pendingUnits, value: values.pendingUnits },
    pendingRoles: { key: keys.pendingRoles, value: values.pendingRoles },
    participants: { key: keys.participants, value: values.participants },
  };
  const changed = (Object.keys(pairs) as (keyof Values)[]).filter(
    (name) => !previous || JSON.stringify(previous[name]) !== JSON.stringify(values[name]),
  );
  if (changed.length > 0) upsertSearchAttributes(changed.map((name) => pairs[name]));
  return values;
}
