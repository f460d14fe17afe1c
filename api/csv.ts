import { type TimelineEntry } from '../domain';

const columns = [
  'seq',
  'at',
  'kind',
  'type',
  'actor',
  'onBehalfOf',
  'target',
  'reason',
  'note',
  'updateId',
  'detail',
] as const;

/**
 * RFC 4180 quoting, plus a leading apostrophe on cells that a spreadsheet
 * would run as a formula (free text comes from users).
 */
function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The timeline as CSV with a UTF-8 BOM, so spreadsheet programs read Vietnamese text correctly. */
export function timelineCsv(entries: TimelineEntry[]): string {
  const rows = entries.map((entry) => columns.map((column) => cell(entry[column])).join(','));
  return `\uFEFF${[columns.join(','), ...rows].join('\r\n')}\r\n`;
}
