/**
 * Deadline arithmetic in an event's IANA time zone. Pure: every instant is an
 * argument; time zone rules come from the runtime's ICU data through Intl,
 * which the workflow sandbox provides deterministically for a given Node build.
 */

export interface LocalDateTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
}

const formatters: Record<string, Intl.DateTimeFormat> = {};

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters[timeZone];
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters[timeZone] = formatter;
  }
  return formatter;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock reading in `timeZone` at `epochMs` (seconds dropped). */
export function toLocal(epochMs: number, timeZone: string): LocalDateTime {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(epochMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
  };
}

function offsetMs(epochMs: number, timeZone: string): number {
  const local = toLocal(epochMs, timeZone);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  return asUtc - Math.floor(epochMs / 60_000) * 60_000;
}

/**
 * The instant at which `timeZone`'s clocks read `local`. In a DST gap the
 * later offset wins (the wall time does not exist; we move forward); in an
 * overlap the earlier instant wins.
 */
export function fromLocal(local: LocalDateTime, timeZone: string): number {
  const naive = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  // The offsets a day either side bracket any transition near this wall time.
  const day = 86_400_000;
  const first = naive - offsetMs(naive - day, timeZone);
  const second = naive - offsetMs(naive + day, timeZone);
  const readsBack = (epochMs: number) => {
    const back = toLocal(epochMs, timeZone);
    return Date.UTC(back.year, back.month - 1, back.day, back.hour, back.minute) === naive;
  };
  const exact = [first, second].filter(readsBack);
  return exact.length > 0 ? Math.min(...exact) : Math.max(first, second);
}

/** Calendar arithmetic on a local date: month and year boundaries roll over. */
export function addLocalDays(local: LocalDateTime, days: number): LocalDateTime {
  const shifted = new Date(Date.UTC(local.year, local.month - 1, local.day + days));
  return {
    ...local,
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
  };
}

export function parseClock(clock: string): { hour: number; minute: number } {
  const [hour, minute] = clock.split(':').map(Number);
  return { hour: hour ?? 0, minute: minute ?? 0 };
}

export function toIso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

export function toMs(iso: string): number {
  return new Date(iso).getTime();
}
