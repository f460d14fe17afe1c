import { type Client } from '@temporalio/client';
import { type TypedSearchAttributes } from '@temporalio/common';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { type z } from 'zod';
import { Problem } from './problems';

/**
 * Visibility queries, page by page, with the server's own next-page token.
 * Only values in a closed alphabet are ever quoted into a query string.
 */

/** Ids, unit and role ids, workflow ids: letters, digits and `/ : . _ -`, starting with a letter or digit. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9/:._-]{0,250}$/;

export const isSafeId = (value: string): boolean => SAFE_ID.test(value);

/** `'value'` for a query; a value outside the closed alphabet is a programming error here (filter first). */
export function quote(value: string): string {
  if (!isSafeId(value)) throw new Error(`refusing to quote "${value}" into a visibility query`);
  return `'${value}'`;
}

/** `'a', 'b'` of the safe values only; empty when none is safe. */
export const quoteSafe = (values: readonly string[]): string => values.filter(isSafeId).map(quote).join(', ');

export const and = (...clauses: (string | undefined | false)[]): string =>
  clauses.filter((c): c is string => typeof c === 'string' && c.length > 0).join(' AND ');

export interface VisibleWorkflow {
  workflowId: string;
  /** `RUNNING`, `COMPLETED`, … */
  status: string;
  startTime: Date | undefined;
  attributes: TypedSearchAttributes;
}

export interface VisibilityPage {
  rows: VisibleWorkflow[];
  /** The server's token for the next page; absent on the last page. */
  nextPageToken?: Uint8Array;
}

const statusPrefix = 'WORKFLOW_EXECUTION_STATUS_';

/** One page of `ListWorkflowExecutions` (the SDK's iterator hides the token, which cursors need). */
export async function listPage(
  client: Client,
  query: string,
  pageSize: number,
  nextPageToken?: Uint8Array,
): Promise<VisibilityPage> {
  const response = await client.workflowService.listWorkflowExecutions({
    namespace: client.options.namespace,
    query,
    pageSize,
    ...(nextPageToken ? { nextPageToken } : {}),
  });
  const rows = response.executions.map((raw) => {
    const startMs = optionalTsToMs(raw.startTime);
    return {
      workflowId: raw.execution?.workflowId ?? '',
      status: (temporal.api.enums.v1.WorkflowExecutionStatus[raw.status ?? 0] ?? 'UNSPECIFIED').replace(
        statusPrefix,
        '',
      ),
      startTime: startMs === undefined ? undefined : new Date(startMs),
      attributes: decodeTypedSearchAttributes(raw.searchAttributes?.indexedFields),
    };
  });
  const token = response.nextPageToken;
  return { rows, ...(token && token.length > 0 ? { nextPageToken: token } : {}) };
}

/** Strict comparisons with a value, as visibility query clauses. */
export interface Comparisons {
  gt: (value: number) => string;
  lt: (value: number) => string;
  eq: (value: number) => string;
}

export const numberComparisons = (name: string): Comparisons => {
  const literal = (value: number) => {
    if (!Number.isFinite(value)) throw new Error('a visibility number must be finite');
    return String(value);
  };
  return {
    gt: (v) => `${name} > ${literal(v)}`,
    lt: (v) => `${name} < ${literal(v)}`,
    eq: (v) => `${name} = ${literal(v)}`,
  };
};

/**
 * Datetime comparisons at millisecond precision, written with half-millisecond
 * bounds (`x > t` as `x > t + 0.5 ms`, `x = t` as `t - 0.5 ms < x < t + 0.5 ms`).
 * SQLite visibility compares datetimes as text: it stores them with exactly
 * three decimals (`…01:00:00.000+00:00`) but writes query literals with
 * trailing zeros trimmed (`…01:00:00+00:00`), so `=` never matches a whole
 * second and `<`/`>` are wrong at it. A literal whose last decimal is a 5 in
 * the fourth place never ties with a stored value and compares right on every
 * SQL store; the engine's datetimes carry milliseconds at most.
 */
export const datetimeComparisons = (name: string): Comparisons => {
  const plusHalf = (ms: number) => quote(new Date(Math.floor(ms)).toISOString().replace('Z', '5Z'));
  const minusHalf = (ms: number) => plusHalf(Math.floor(ms) - 1);
  return {
    gt: (ms) => `${name} > ${plusHalf(ms)}`,
    lt: (ms) => `${name} < ${minusHalf(ms)}`,
    eq: (ms) => `(${name} > ${minusHalf(ms)} AND ${name} < ${plusHalf(ms)})`,
  };
};

/** A position in an ordered list: the sort value (null among events without one) and the workflow id. */
export interface Position {
  value: number | string | null;
  id: string;
}

/** A total order that visibility can filter on: key extraction, comparison, and the query clauses of a range. */
export interface Ordering {
  keyOf: (row: VisibleWorkflow) => Position;
  compare: (a: Position, b: Position) => number;
  /** Rows strictly after the position. */
  after: (p: Position) => string;
  /** Rows at or before the position. */
  notAfter: (p: Position) => string;
}

/** Rows scanned per visibility page while sorting (the server's default maximum page size). */
export const SORT_SCAN_PAGE = 1000;
/** At most this many rows are read to answer one sorted page; beyond it the caller must narrow the filters. */
export const SORT_SCAN_BUDGET = 20_000;

/**
 * The first `limit` rows of `base` after `from` in `ordering`, exactly,
 * without ORDER BY (which SQL visibility refuses). Each round reads one page
 * of the range; if the range holds more than a page, the `limit`-th smallest
 * row read bounds the range from above (at least `limit` rows lie below it),
 * and the narrower range is read again. With rows in an order unrelated to
 * the sort key a round or two suffice; at worst each round drops a page's
 * worth of rows, and past `SORT_SCAN_BUDGET` rows the request is refused
 * (422 SORT_TOO_BROAD) rather than answered inexactly.
 */
export async function orderedPage(
  client: Client,
  base: string,
  ordering: Ordering,
  from: Position | undefined,
  limit: number,
  budget = { scanned: 0 },
  scanPage = SORT_SCAN_PAGE,
): Promise<{ rows: VisibleWorkflow[]; more: boolean }> {
  let upper: Position | undefined;
  for (;;) {
    const query = and(base, from && ordering.after(from), upper && ordering.notAfter(upper));
    const rows: VisibleWorkflow[] = [];
    let token: Uint8Array | undefined;
    do {
      const page = await listPage(client, query, scanPage, token);
      rows.push(...page.rows.filter((r) => isSafeId(r.workflowId)));
      token = page.nextPageToken;
    } while (token && rows.length <= limit);
    budget.scanned += rows.length;
    const sorted = rows
      .map((row) => ({ row, key: ordering.keyOf(row) }))
      .sort((a, b) => ordering.compare(a.key, b.key));
    if (!token) {
      return { rows: sorted.slice(0, limit).map((s) => s.row), more: sorted.length > limit || upper !== undefined };
    }
    if (budget.scanned >= SORT_SCAN_BUDGET) {
      throw new Problem(
        422,
        'SORT_TOO_BROAD',
        `sorting this list would read more than ${SORT_SCAN_BUDGET} events; narrow it with filters (program, phase, template, starts…)`,
      );
    }
    upper = sorted[limit - 1]!.key;
  }
}

/** base64url of JSON: opaque to clients, checked on the way back in. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeCursor<T>(schema: z.ZodType<T>, cursor: string): T {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw invalidCursor();
  return parsed.data;
}

export const invalidCursor = (): Problem =>
  new Problem(400, 'INVALID_CURSOR', 'the cursor is not one this list gave out', {
    issues: [{ code: 'INVALID_CURSOR', path: ['cursor'], at: 'cursor', message: 'use the `next` link as given' }],
  });

/** Runs `work` over `items` with at most `concurrency` at a time; results in input order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  });
  await Promise.all(lanes);
  return results;
}
