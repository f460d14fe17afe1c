import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * The event workflow's custom search attributes. One definition serves the
 * workflow (upserts), the API (visibility queries) and the server launchers
 * (registration). Sized for SQL visibility's per-namespace budget:
 * 10 Keyword and 3 each of KeywordList/Int/Double/Datetime/Bool/Text.
 * Values are ids and numbers only: no personal data or free text.
 */
export const searchAttributes = {
  phase: defineSearchAttributeKey('ReadinessPhase', SearchAttributeType.KEYWORD),
  program: defineSearchAttributeKey('ReadinessProgram', SearchAttributeType.KEYWORD),
  template: defineSearchAttributeKey('ReadinessTemplate', SearchAttributeType.KEYWORD),
  eventStart: defineSearchAttributeKey('ReadinessEventStart', SearchAttributeType.DATETIME),
  nextDeadline: defineSearchAttributeKey('ReadinessNextDeadline', SearchAttributeType.DATETIME),
  overdueCount: defineSearchAttributeKey('ReadinessOverdueCount', SearchAttributeType.INT),
  openIncidents: defineSearchAttributeKey('ReadinessOpenIncidents', SearchAttributeType.INT),
  percentComplete: defineSearchAttributeKey('ReadinessPercentComplete', SearchAttributeType.DOUBLE),
  pendingUnits: defineSearchAttributeKey('ReadinessPendingUnits', SearchAttributeType.KEYWORD_LIST),
  pendingRoles: defineSearchAttributeKey('ReadinessPendingRoles', SearchAttributeType.KEYWORD_LIST),
  /** `person:<fingerprint>` of every roster person (`participantKey`): whose lists the event appears in. */
  participants: defineSearchAttributeKey('ReadinessParticipants', SearchAttributeType.KEYWORD_LIST),
} as const;

export const allSearchAttributeKeys = Object.values(searchAttributes);

/** Custom search attributes per namespace that SQL visibility (SQLite, PostgreSQL, MySQL) allows, by type. */
export const sqlVisibilityBudget: Record<SearchAttributeType, number> = {
  [SearchAttributeType.KEYWORD]: 10,
  [SearchAttributeType.KEYWORD_LIST]: 3,
  [SearchAttributeType.INT]: 3,
  [SearchAttributeType.DOUBLE]: 3,
  [SearchAttributeType.DATETIME]: 3,
  [SearchAttributeType.BOOL]: 3,
  [SearchAttributeType.TEXT]: 3,
};

/** How many attributes of each type the engine uses, against the budget. */
export function searchAttributeBudgetUse(): { type: SearchAttributeType; used: number; allowed: number }[] {
  return (Object.keys(sqlVisibilityBudget) as SearchAttributeType[]).map((type) => ({
    type,
    used: allSearchAttributeKeys.filter((key) => key.type === type).length,
    allowed: sqlVisibilityBudget[type],
  }));
}

/** The CLI's `--search-attribute Name=Type` spelling of each key. */
const cliTypeName: Record<SearchAttributeType, string> = {
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

export function searchAttributeCliArgs(): string[] {
  return allSearchAttributeKeys.flatMap((key) => ['--search-attribute', `${key.name}=${cliTypeName[key.type]}`]);
}
