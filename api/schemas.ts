import { z } from 'zod';
import { personSchema, phases, startEventInputSchema } from '../domain';

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
        start: z.iso.datetime({ offset: true }),
        end: z.iso.datetime({ offset: true }),
        timeZone: z.string().optional().describe("IANA time zone; defaults to the template's defaultTimeZone"),
      })
      .strict(),
    roster: z.array(personSchema).optional().describe("the event's people; defaults to the template's sample roster"),
  })
  .strict();
export type StartEventBody = z.infer<typeof startEventBody>;

export const eventReadQuery = z
  .object({
    asOf: z.iso.datetime({ offset: true }).optional().describe('reconstruct the event as it was at this instant'),
  })
  .strict();

export const timelineQuery = z
  .object({
    format: z.enum(['json', 'csv']).optional().describe('or send Accept: text/csv'),
    asOf: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

// Values that go into a visibility query: a closed alphabet, so no quoting tricks reach the server.
const visibilityValue = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-"');

export const listEventsQuery = z
  .object({
    phase: z.enum([...phases, 'cancelled']).optional(),
    program: visibilityValue.optional(),
    template: visibilityValue.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const idempotencyKey = z
  .string()
  .min(8)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits, ".", "_", ":" and "-"');
