import { z } from 'zod';
import { canonicalInstantSchema, instantSchema, personSchema, phases, startEventInputSchema } from '../domain';

/**
 * Request and response shapes at the HTTP edge. Built from the domain's
 * schemas, so the API, the workflow validators and the OpenAPI document
 * agree by construction.
 */

export const eventIdParam = startEventInputSchema.shape.eventId;

export const startEventBody = z
  .object({
    eventId: startEventInputSchema.shape.eventId,
    program: startEventInputSchema.shape.program,
    template: z
      .union([z.string().min(1).max(80), z.record(z.string(), z.unknown())])
      .describe('a template id from the catalogue, or an inline template'),
    window: z
      .object({
        start: instantSchema,
        end: instantSchema,
        timeZone: z.string().optional().describe("IANA time zone; defaults to the template's defaultTimeZone"),
      })
      .strict(),
    roster: z.array(personSchema).optional().describe("the event's people; defaults to the template's sample roster"),
  })
  .strict();
export type StartEventBody = z.infer<typeof startEventBody>;

/**
 * An instant in a query string: any RFC 3339 spelling of it (offset, with or without
 * fractions) parses to the same canonical UTC text, so routes compare instants, not spellings.
 */
export const instantQuery = canonicalInstantSchema;

export const eventReadQuery = z
  .object({
    asOf: instantQuery.optional().describe('reconstruct the event as it was at this instant'),
  })
  .strict();

export const timelineQuery = z
  .object({
    format: z.enum(['json', 'csv']).optional().describe('or send Accept: text/csv'),
    asOf: instantQuery.optional().describe('the timeline up to this instant'),
  })
  .strict();

export const reportQuery = z
  .object({
    format: z.enum(['md', 'html']).optional().describe('overrides Accept: text/markdown or text/html'),
  })
  .strict();

// Values that go into a visibility query: a closed alphabet, so no quoting tricks reach the server
// (the alphabet `quote` in visibility.ts accepts: a value it would refuse must never get this far).
const visibilityValue = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-", starting with a letter or digit');

/** A comma-separated list of ids, e.g. `police,cyber`. */
const visibilityValues = z
  .string()
  .max(2000)
  .transform((v) => v.split(','))
  .pipe(z.array(visibilityValue).min(1).max(50));

/** What `GET /events` sorts on: each a search attribute the event workflow publishes. */
export const eventSortKeys = ['eventStart', 'nextDeadline', 'overdueCount', 'percentComplete'] as const;
export type EventSortKey = (typeof eventSortKeys)[number];

export const listEventsQuery = z
  .object({
    phase: z.enum([...phases, 'cancelled']).optional(),
    program: visibilityValue.optional(),
    template: visibilityValue.optional(),
    overdue: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional()
      .describe('true: events with something overdue; false: events with nothing overdue'),
    startsAfter: instantQuery.optional().describe('events whose window starts after this instant'),
    startsBefore: instantQuery.optional().describe('events whose window starts before this instant'),
    pendingUnits: visibilityValues
      .optional()
      .describe(
        'comma-separated unit ids: events with work pending for any of them (your own units unless you read every event)',
      ),
    pendingRoles: visibilityValues
      .optional()
      .describe(
        'comma-separated role ids: events awaiting a decision of any of them (your own roles unless you read every event)',
      ),
    sort: z
      .enum(eventSortKeys)
      .optional()
      .describe(
        'sort key, then event id; events without a value come last. Pages are exact keyset pages computed ' +
          'without ORDER BY (SQL visibility has none): a page reads the matching events in rounds of up to ' +
          '1000 and is refused (422 SORT_TOO_BROAD) past 20,000; narrow with filters. ' +
          'Without `sort`: the visibility store order (most recently started first) and its page token',
      ),
    order: z.enum(['asc', 'desc']).optional().describe('with `sort`; ascending by default'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z
      .string()
      .max(4000)
      .regex(/^[A-Za-z0-9_-]+$/, 'an opaque cursor from a `next` link')
      .optional()
      .describe("from the previous page's `next` link; the other parameters must stay the same"),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.order && !q.sort) ctx.addIssue({ code: 'custom', path: ['order'], message: '`order` needs `sort`' });
    if (q.startsAfter && q.startsBefore && Date.parse(q.startsAfter) >= Date.parse(q.startsBefore)) {
      ctx.addIssue({ code: 'custom', path: ['startsBefore'], message: '`startsBefore` must be after `startsAfter`' });
    }
  });
export type ListEventsQuery = z.infer<typeof listEventsQuery>;

export const inboxQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(200).describe('at most this many tasks, earliest first'),
  })
  .strict();

export const idempotencyKey = z
  .string()
  .min(8)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits, ".", "_", ":" and "-"');
