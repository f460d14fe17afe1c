import { toIso, toMs, type Severity } from '../../domain';
import { escapeHtml as esc } from './escape';
import { completionParts, localTime, severities, severityColours, severityLabels, type Label } from './format';

/**
 * The report's charts as inline SVG strings: no browser, no DOM, no library.
 * Deterministic (same input, same bytes). Every drawn value carries
 * `data-*` attributes, so a test reading the rendered page can check each
 * bar and point against the after-action record:
 *
 * - burn-up: `<g data-chart="burn-up">`, one `data-point` per day with `data-date`, `data-planned`, `data-done`;
 *   the final values as figures `chart-burnup-planned` / `chart-burnup-done`;
 * - incidents: `<g data-chart="incidents">`, one `rect[data-severity]` per non-empty (bin, severity) with
 *   `data-bin-start`, `data-bin-end` and `data-value`; figures `chart-incidents-total` and
 *   `chart-incidents-severity` (scope: the severity);
 * - completion: `<g data-chart="completion">`, one `rect[data-part]` per non-empty (work group, part)
 *   with `data-scope` (the work group) and `data-value`.
 */

/** `data-figure` attributes: a named number (empty when there is none), optionally scoped (a group, a severity…). */
export function figure(name: string, value: number | null | undefined, scope?: string): string {
  const v = value === null || value === undefined || !Number.isFinite(value) ? '' : String(value);
  return ` data-figure="${esc(name)}"${scope === undefined ? '' : ` data-scope="${esc(scope)}"`} data-value="${v}"`;
}

/** Coordinates to one decimal: compact, and the same bytes on every platform. */
const r1 = (n: number) => String(Math.round(n * 10) / 10);

/** Evenly spaced round ticks from 0 covering `max` (at least 1), about `target` of them. */
export function niceTicks(max: number, target = 5): number[] {
  const top = Math.max(1, Math.ceil(max));
  const raw = top / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude);
  const ticks: number[] = [];
  for (let v = 0; v < top + step; v += step) {
    ticks.push(v);
    if (v >= top) break;
  }
  return ticks;
}

/** Indices of at most `count` evenly spread labels over `n` positions, always the first and the last. */
export function spreadIndices(n: number, count: number): number[] {
  if (n <= 0) return [];
  if (n <= count) return [...Array(n).keys()];
  const picked = new Set<number>();
  for (let k = 0; k < count; k++) picked.add(Math.round((k * (n - 1)) / (count - 1)));
  return [...picked].sort((a, b) => a - b);
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const niceDurations = [
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
];

/** The smallest round bin width that cuts `spanMs` into at most `maxBins` bins. */
export function binWidthMs(spanMs: number, maxBins = 24): number {
  const span = Math.max(1, spanMs);
  return niceDurations.find((d) => Math.ceil(span / d) <= maxBins) ?? Math.ceil(span / maxBins / DAY) * DAY;
}

export interface IncidentBin {
  start: string;
  end: string;
  counts: Record<Severity, number>;
}

/**
 * Incidents counted per severity in round time bins over the window. The window is widened to take in an
 * incident reported outside it, so every incident is counted once: the bins always add up to the list.
 */
export function incidentBins(
  incidents: { reportedAt: string; severity: Severity }[],
  window: { start: string; end: string },
  maxBins = 24,
): IncidentBin[] {
  const times = incidents.map((i) => toMs(i.reportedAt));
  const start = Math.min(toMs(window.start), ...times);
  const end = Math.max(toMs(window.end), ...times.map((t) => t + 1));
  const width = binWidthMs(end - start, maxBins);
  const count = Math.max(1, Math.ceil((end - start) / width));
  const bins: IncidentBin[] = Array.from({ length: count }, (_, i) => ({
    start: toIso(start + i * width),
    end: toIso(Math.min(end, start + (i + 1) * width)),
    counts: Object.fromEntries(severities.map((s) => [s, 0])) as Record<Severity, number>,
  }));
  incidents.forEach((incident, i) => {
    const index = Math.min(count - 1, Math.floor((times[i]! - start) / width));
    bins[index]!.counts[incident.severity]++;
  });
  return bins;
}

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}
const plotWidth = (f: Frame) => f.width - f.left - f.right;
const plotHeight = (f: Frame) => f.height - f.top - f.bottom;

function svgOpen(f: Frame, id: string, title: Label, description: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${f.width} ${f.height}" width="${f.width}" height="${f.height}"` +
    ` role="img" aria-labelledby="${id}-title ${id}-desc" class="chart" font-family="inherit" font-size="12">` +
    `<title id="${id}-title">${esc(title.vi)} (${esc(title.en)})</title><desc id="${id}-desc">${esc(description)}</desc>`
  );
}

/** Horizontal grid lines and their labels for the y ticks. */
function yAxis(f: Frame, ticks: number[], y: (v: number) => number): string {
  const x0 = f.left;
  const x1 = f.width - f.right;
  return ticks
    .map(
      (t) =>
        `<line x1="${x0}" x2="${x1}" y1="${r1(y(t))}" y2="${r1(y(t))}" stroke="#e0e0e0"/>` +
        `<text x="${x0 - 6}" y="${r1(y(t) + 4)}" text-anchor="end" fill="#555">${t}</text>`,
    )
    .join('');
}

export interface BurnUpPoint {
  date: string;
  planned: number;
  done: number;
}

/** The readiness burn-up: cumulative items due (planned, dashed) and done (solid), one point per day. */
export function burnUpSvg(
  points: BurnUpPoint[],
  options: { markers?: { date: string; label: string }[]; id?: string } = {},
): string {
  const id = options.id ?? 'burn-up';
  const f: Frame = { width: 760, height: 300, left: 48, right: 118, top: 34, bottom: 40 };
  const last = points.at(-1);
  const description = last
    ? `${points.length} ngày (days) từ ${points[0]!.date} đến ${last.date}: kế hoạch (planned) ${last.planned}, hoàn thành (done) ${last.done}`
    : 'Không có dữ liệu (no data)';
  let svg = svgOpen(f, id, { vi: 'Tiến độ sẵn sàng', en: 'Readiness burn-up' }, description);
  svg += `<g data-chart="burn-up" data-points="${points.length}">`;
  if (!last) {
    svg += `<text x="${f.width / 2}" y="${f.height / 2}" text-anchor="middle" fill="#777">Không có dữ liệu (no data)</text>`;
    return `${svg}${figureText('chart-burnup-planned', 0)}${figureText('chart-burnup-done', 0)}</g></svg>`;
  }
  const ticks = niceTicks(Math.max(...points.map((p) => Math.max(p.planned, p.done))));
  const top = ticks.at(-1)!;
  const x = (i: number) => f.left + (points.length === 1 ? plotWidth(f) / 2 : (i * plotWidth(f)) / (points.length - 1));
  const y = (v: number) => f.top + plotHeight(f) * (1 - v / top);
  svg += yAxis(f, ticks, y);
  const baseline = r1(y(0));
  svg += `<line x1="${f.left}" x2="${f.width - f.right}" y1="${baseline}" y2="${baseline}" stroke="#9e9e9e"/>`;
  for (const i of spreadIndices(points.length, 6)) {
    svg +=
      `<line x1="${r1(x(i))}" x2="${r1(x(i))}" y1="${baseline}" y2="${r1(y(0) + 4)}" stroke="#9e9e9e"/>` +
      `<text x="${r1(x(i))}" y="${r1(y(0) + 18)}" text-anchor="middle" fill="#555">${esc(points[i]!.date)}</text>`;
  }
  // Markers (the event's opening and closing days), where they fall inside the plotted days.
  // The first label to the left of its line, the others to the right: two close days never overlap.
  (options.markers ?? []).forEach((marker, k) => {
    const i = points.findIndex((p) => p.date === marker.date);
    if (i < 0) return;
    const anchor = k === 0 ? `x="${r1(x(i) - 3)}" text-anchor="end"` : `x="${r1(x(i) + 3)}"`;
    svg +=
      `<line x1="${r1(x(i))}" x2="${r1(x(i))}" y1="${f.top}" y2="${baseline}" stroke="#6d4c41" stroke-dasharray="2 3"/>` +
      `<text ${anchor} y="${f.top + 10}" fill="#6d4c41" font-size="11">${esc(marker.label)}</text>`;
  });
  const line = (key: 'planned' | 'done') => points.map((p, i) => `${r1(x(i))},${r1(y(p[key]))}`).join(' ');
  svg += `<polygon points="${r1(x(0))},${baseline} ${line('done')} ${r1(x(points.length - 1))},${baseline}" fill="#1565c0" fill-opacity="0.12"/>`;
  svg += `<polyline points="${line('planned')}" fill="none" stroke="#757575" stroke-width="2" stroke-dasharray="6 4" data-series="planned"/>`;
  svg += `<polyline points="${line('done')}" fill="none" stroke="#1565c0" stroke-width="2.5" data-series="done"/>`;
  const dot = points.length <= 62 ? 2.5 : 0;
  svg += points
    .map(
      (p, i) =>
        `<g data-point="${i}" data-date="${esc(p.date)}" data-planned="${p.planned}" data-done="${p.done}">` +
        `<circle cx="${r1(x(i))}" cy="${r1(y(p.done))}" r="${dot}" fill="#1565c0"/></g>`,
    )
    .join('');
  const endX = r1(x(points.length - 1) + 8);
  // End labels, kept apart when the two values are close.
  let yPlanned = y(last.planned) + 4;
  let yDone = y(last.done) + 4;
  if (Math.abs(yPlanned - yDone) < 14) {
    if (last.planned >= last.done) yPlanned = yDone - 14;
    else yDone = yPlanned - 14;
  }
  svg += `<text x="${endX}" y="${r1(yPlanned)}" fill="#616161"${figure('chart-burnup-planned', last.planned)}>Kế hoạch ${last.planned}</text>`;
  svg += `<text x="${endX}" y="${r1(yDone)}" fill="#1565c0" font-weight="bold"${figure('chart-burnup-done', last.done)}>Hoàn thành ${last.done}</text>`;
  svg += legend(f.left, 14, [
    { colour: '#757575', text: 'Kế hoạch (planned: due by then)', dashed: true },
    { colour: '#1565c0', text: 'Hoàn thành (done)' },
  ]);
  return `${svg}</g></svg>`;
}

/** A hidden-from-sight figure for charts with nothing to draw, so the numbers are still there to check. */
const figureText = (name: string, value: number) => `<text x="0" y="0" fill="none"${figure(name, value)}></text>`;

function legend(x: number, y: number, entries: { colour: string; text: string; dashed?: boolean }[]): string {
  let offset = 0;
  return entries
    .map((e) => {
      const at = x + offset;
      offset += 28 + Array.from(e.text).length * 6.4;
      const swatch = e.dashed
        ? `<line x1="${r1(at)}" x2="${r1(at + 18)}" y1="${y - 4}" y2="${y - 4}" stroke="${e.colour}" stroke-width="2" stroke-dasharray="6 4"/>`
        : `<rect x="${r1(at)}" y="${y - 10}" width="18" height="10" fill="${e.colour}"/>`;
      return `${swatch}<text x="${r1(at + 22)}" y="${y}" fill="#333">${esc(e.text)}</text>`;
    })
    .join('');
}

/** Incidents by severity over the live window: stacked bars, least severe at the bottom. */
export function incidentsSvg(
  bins: IncidentBin[],
  options: { timeZone: string; window: { start: string; end: string }; id?: string },
): string {
  const id = options.id ?? 'incidents-chart';
  const f: Frame = { width: 760, height: 300, left: 48, right: 24, top: 34, bottom: 40 };
  const totals = Object.fromEntries(severities.map((s) => [s, bins.reduce((n, b) => n + b.counts[s], 0)])) as Record<
    Severity,
    number
  >;
  const total = severities.reduce((n, s) => n + totals[s], 0);
  const description =
    `${total} sự cố (incidents) từ ${localTime(options.window.start, options.timeZone)} đến ${localTime(options.window.end, options.timeZone)}: ` +
    severities.map((s) => `${severityLabels[s].en} ${totals[s]}`).join(', ');
  let svg = svgOpen(f, id, { vi: 'Sự cố theo mức độ', en: 'Incidents by severity' }, description);
  svg += `<g data-chart="incidents" data-bins="${bins.length}">`;
  const ticks = niceTicks(Math.max(0, ...bins.map((b) => severities.reduce((n, s) => n + b.counts[s], 0))));
  const top = ticks.at(-1)!;
  const y = (v: number) => f.top + plotHeight(f) * (1 - v / top);
  svg += yAxis(f, ticks, y);
  const slot = plotWidth(f) / Math.max(1, bins.length);
  const barWidth = Math.max(2, slot * 0.72);
  bins.forEach((bin, i) => {
    let stacked = 0;
    for (const severity of severities) {
      const value = bin.counts[severity];
      if (value === 0) continue;
      const x = f.left + i * slot + (slot - barWidth) / 2;
      svg +=
        `<rect x="${r1(x)}" y="${r1(y(stacked + value))}" width="${r1(barWidth)}" height="${r1(y(stacked) - y(stacked + value))}"` +
        ` fill="${severityColours[severity]}" data-severity="${severity}" data-bin-start="${bin.start}" data-bin-end="${bin.end}" data-value="${value}">` +
        `<title>${esc(severityLabels[severity].vi)} (${severity}): ${value} — ${esc(localTime(bin.start, options.timeZone, { seconds: true }))}</title></rect>`;
      stacked += value;
    }
  });
  const baseline = r1(y(0));
  svg += `<line x1="${f.left}" x2="${f.width - f.right}" y1="${baseline}" y2="${baseline}" stroke="#9e9e9e"/>`;
  // Time labels at bin starts (seconds when the bins are shorter than a minute), and the window's end.
  const fine = bins.length > 0 && toMs(bins[0]!.end) - toMs(bins[0]!.start) < MINUTE;
  const first = bins[0] ? localTime(bins[0].start, options.timeZone) : '';
  const oneDay = bins.every((b) => localTime(b.end, options.timeZone).slice(0, 10) === first.slice(0, 10));
  // `HH:mm` (with seconds for bins under a minute) within one local day, `MM-DD HH:mm` across days.
  const label = (iso: string) => localTime(iso, options.timeZone, { seconds: fine }).slice(oneDay ? 11 : 5);
  const every = Math.max(1, Math.ceil(bins.length / 5));
  for (let i = 0; i < bins.length; i += every) {
    const x = f.left + i * slot;
    svg += `<text x="${r1(x)}" y="${r1(y(0) + 18)}" text-anchor="start" fill="#555">${esc(label(bins[i]!.start))}</text>`;
  }
  if (bins.length) {
    svg += `<text x="${f.width - f.right}" y="${r1(y(0) + 32)}" text-anchor="end" fill="#555">${esc(label(bins.at(-1)!.end))}</text>`;
  }
  if (total === 0) {
    svg += `<text x="${f.width / 2}" y="${r1(f.top + plotHeight(f) / 2)}" text-anchor="middle" fill="#777">Không có sự cố (no incidents)</text>`;
  }
  let x = f.left;
  svg += `<text x="${f.width - f.right}" y="14" text-anchor="end" fill="#333" font-weight="bold"${figure('chart-incidents-total', total)}>Tổng ${total}</text>`;
  for (const s of severities) {
    const text = `${severityLabels[s].vi} ${totals[s]}`;
    svg +=
      `<rect x="${r1(x)}" y="4" width="12" height="10" fill="${severityColours[s]}"/>` +
      `<text x="${r1(x + 16)}" y="14" fill="#333"${figure('chart-incidents-severity', totals[s], s)}>${esc(text)}</text>`;
    x += 28 + Array.from(text).length * 6.6;
  }
  return `${svg}</g></svg>`;
}

export interface CompletionRow {
  id: string;
  title: string;
  total: number;
  onTime: number;
  late: number;
  waived: number;
  carriedOver: number;
  open: number;
}

/** One horizontal stacked bar per work group: on time, late, waived, carried over, open. */
export function completionSvg(rows: CompletionRow[], options: { id?: string } = {}): string {
  const id = options.id ?? 'completion-chart';
  const rowHeight = 22;
  const f: Frame = {
    width: 760,
    height: 44 + Math.max(1, rows.length) * rowHeight,
    left: 260,
    right: 48,
    top: 34,
    bottom: 10,
  };
  const max = Math.max(1, ...rows.map((r) => r.total));
  const description = rows.map((r) => `${r.id}: ${r.onTime + r.late}/${r.total}`).join('; ');
  let svg = svgOpen(f, id, { vi: 'Hạng mục theo nhóm công tác', en: 'Items by work group' }, description);
  svg += `<g data-chart="completion" data-rows="${rows.length}">`;
  rows.forEach((row, i) => {
    const yTop = f.top + i * rowHeight;
    const name = Array.from(row.title).length > 36 ? `${Array.from(row.title).slice(0, 35).join('')}…` : row.title;
    svg += `<text x="${f.left - 8}" y="${yTop + 14}" text-anchor="end" fill="#333"><title>${esc(row.title)}</title>${esc(name)}</text>`;
    let x = f.left;
    for (const part of completionParts) {
      const value = row[part.key];
      if (value === 0) continue;
      const w = (value / max) * plotWidth(f);
      svg +=
        `<rect x="${r1(x)}" y="${yTop + 3}" width="${r1(w)}" height="${rowHeight - 6}" fill="${part.colour}"` +
        ` data-scope="${esc(row.id)}" data-part="${part.key}" data-value="${value}"><title>${esc(part.label.vi)} (${part.label.en}): ${value}</title></rect>`;
      x += w;
    }
    svg += `<text x="${r1(x + 4)}" y="${yTop + 14}" fill="#555">${row.total}</text>`;
  });
  svg += legend(
    8,
    14,
    completionParts.map((p) => ({ colour: p.colour, text: p.label.vi })),
  );
  return `${svg}</g></svg>`;
}
