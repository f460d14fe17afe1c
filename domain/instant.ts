import { z } from 'zod';
import { toIso, toMs } from './time';

/**
 * The instants RFC 3339 can write: four-digit years in UTC. `toISOString`
 * prints anything later as `+010000-…` (and anything earlier as `-000001-…`),
 * which no RFC 3339 reader accepts, so such instants are refused where they
 * enter (windows, reschedules, absolute deadlines, delegations, waiver expiries,
 * query parameters), with the issue code `INSTANT_OUT_OF_RANGE`.
 */
export const earliestInstant = '0000-01-01T00:00:00.000Z';
export const latestInstant = '9999-12-31T23:59:59.999Z';

export const isInstantInRange = (epochMs: number): boolean =>
  epochMs >= toMs(earliestInstant) && epochMs <= toMs(latestInstant);

/**
 * An RFC 3339 date-time with an offset, any year its text can hold: what schemas that running
 * workflows parse again (command handlers, the history fold, system reports) keep accepting, so
 * that what they accepted before the range existed still replays. Everything that enters uses
 * `instantSchema`.
 */
export const anyInstantSchema = z.iso.datetime({ offset: true });

/** An RFC 3339 date-time with an offset, in years 0000–9999 once in UTC. The text is kept as sent. */
export const instantSchema = anyInstantSchema.refine(
  // Text that is no date-time at all is the format check's issue, not this one's.
  (v) => Number.isNaN(toMs(v)) || isInstantInRange(toMs(v)),
  {
    message: `an instant between ${earliestInstant} and ${latestInstant}`,
    params: { code: 'INSTANT_OUT_OF_RANGE' },
  },
);

/** The same instant, normalised to canonical UTC (`…T07:43:58.000Z`): compare and store this, never the text sent. */
export const canonicalInstantSchema = instantSchema.transform((v) => toIso(toMs(v)));
