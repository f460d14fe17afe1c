import {
  drillRatings,
  severities,
  toLocal,
  toMs,
  type AfterActionRecord,
  type DrillRating,
  type Severity,
  type TimelineEntry,
} from '../../domain';

/**
 * What both report formats share: labels (Vietnamese first, English beside),
 * time formatting in the event's zone, and the derived views (phase dates,
 * the live window, the timeline summary) so that Markdown and HTML always
 * show the same numbers. Pure: no I/O, no clock.
 */

export interface Label {
  vi: string;
  en: string;
}

export const sections = {
  report: { vi: 'Báo cáo sau hoạt động', en: 'After-action report' },
  summary: { vi: 'Tóm tắt', en: 'Summary' },
  timeline: { vi: 'Diễn biến', en: 'Timeline' },
  completion: { vi: 'Hoàn thành theo nhóm công tác', en: 'Completion by work group against deadlines' },
  overdue: { vi: 'Quá hạn và chuyển cấp xử lý', en: 'Overdue items and escalations' },
  drills: { vi: 'Diễn tập', en: 'Drills (HSEEP ratings)' },
  incidents: { vi: 'Sự cố', en: 'Incidents' },
  readiness: { vi: 'Tuyên bố sẵn sàng và rủi ro được chấp nhận', en: 'Readiness declaration and accepted risks' },
  handovers: { vi: 'Bàn giao ca trực', en: 'Duty handovers' },
  lessons: { vi: 'Bài học kinh nghiệm', en: 'Lessons learned' },
  corrective: { vi: 'Hành động khắc phục', en: 'Corrective actions' },
  burnUp: { vi: 'Tiến độ sẵn sàng: kế hoạch và thực hiện', en: 'Readiness burn-up: planned vs done' },
  incidentsChart: { vi: 'Sự cố theo mức độ trong thời gian diễn ra', en: 'Incidents by severity over the live window' },
  completionChart: { vi: 'Hạng mục theo nhóm công tác', en: 'Items by work group' },
} satisfies Record<string, Label>;

export const phaseLabels: Record<string, Label> = {
  planning: { vi: 'Lập kế hoạch', en: 'planning' },
  preparation: { vi: 'Chuẩn bị', en: 'preparation' },
  rehearsal: { vi: 'Diễn tập', en: 'rehearsal' },
  readiness: { vi: 'Sẵn sàng', en: 'readiness' },
  live: { vi: 'Diễn ra', en: 'live' },
  review: { vi: 'Tổng kết', en: 'review' },
  closed: { vi: 'Kết thúc', en: 'closed' },
  cancelled: { vi: 'Hủy bỏ', en: 'cancelled' },
};
export const phaseLabel = (phase: string): Label => phaseLabels[phase] ?? { vi: phase, en: phase };

export const severityLabels: Record<Severity, Label> = {
  low: { vi: 'Thấp', en: 'low' },
  moderate: { vi: 'Trung bình', en: 'moderate' },
  high: { vi: 'Cao', en: 'high' },
  critical: { vi: 'Nghiêm trọng', en: 'critical' },
};
export const severityColours: Record<Severity, string> = {
  low: '#7cb342',
  moderate: '#f9a825',
  high: '#ef6c00',
  critical: '#c62828',
};
export { severities };

/** HSEEP's four ratings of a capability target, with the letter the exercise community uses. */
export const ratingCodes: Record<DrillRating, 'P' | 'S' | 'M' | 'U'> = {
  performed: 'P',
  some_challenges: 'S',
  major_challenges: 'M',
  unable: 'U',
};
export const ratingMeanings: Record<DrillRating, Label> = {
  performed: { vi: 'Thực hiện không gặp khó khăn', en: 'Performed without challenges' },
  some_challenges: { vi: 'Thực hiện với một số khó khăn', en: 'Performed with some challenges' },
  major_challenges: { vi: 'Thực hiện với khó khăn lớn', en: 'Performed with major challenges' },
  unable: { vi: 'Không thực hiện được', en: 'Unable to be performed' },
};
export { drillRatings };

export const completionParts = [
  { key: 'onTime', label: { vi: 'Đúng hạn', en: 'on time' }, colour: '#2e7d32' },
  { key: 'late', label: { vi: 'Trễ hạn', en: 'late' }, colour: '#ef6c00' },
  { key: 'waived', label: { vi: 'Miễn trừ', en: 'waived' }, colour: '#90a4ae' },
  { key: 'carriedOver', label: { vi: 'Chuyển tiếp', en: 'carried over' }, colour: '#7e57c2' },
  { key: 'open', label: { vi: 'Còn mở', en: 'open' }, colour: '#c62828' },
] as const;
export type CompletionPart = (typeof completionParts)[number]['key'];

/** `2027-11-09 08:00` in the event's zone (seconds on request: the timeline of a short event needs them). */
export function localTime(iso: string | null | undefined, timeZone: string, options: { seconds?: boolean } = {}) {
  if (!iso) return '—';
  const ms = toMs(iso);
  if (!Number.isFinite(ms)) return '—';
  const l = toLocal(ms, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  const base = `${l.year}-${two(l.month)}-${two(l.day)} ${two(l.hour)}:${two(l.minute)}`;
  return options.seconds ? `${base}:${two(Math.floor((((ms % 60_000) + 60_000) % 60_000) / 1000))}` : base;
}

/** Minutes as people read them: `4`, `12.5`, `1 h 20` (no value: a dash). */
export function minutes(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (value < 60) return String(Math.round(value * 10) / 10);
  const h = Math.floor(value / 60);
  const m = Math.round(value - h * 60);
  return m ? `${h} h ${m}` : `${h} h`;
}

/** The phases with the instant each began and ended (the next one's start; open while current). */
export function phaseSpans(record: Pick<AfterActionRecord, 'phases'>) {
  return record.phases.map((p, i) => ({ phase: p.phase, start: p.at, end: record.phases[i + 1]?.at ?? null }));
}

/**
 * The live window the incident chart spans: from entering `live` to leaving it (the record's
 * generation time while still live), else the planned event window.
 */
export function liveWindow(record: Pick<AfterActionRecord, 'phases' | 'window' | 'generatedAt'>) {
  const spans = phaseSpans(record);
  const live = spans.find((s) => s.phase === 'live');
  if (live) return { start: live.start, end: live.end ?? record.generatedAt, actual: true };
  return { start: record.window.start, end: record.window.end, actual: false };
}

/** Entries shown one by one before a long timeline is cut in the middle. */
export const TIMELINE_CAP = 300;

/**
 * A timeline people can read: every human action and every system change
 * (start, gate passed, phase change) in full; notifications the rules sent
 * (reminders, escalations, requests…) counted by type, since each follows
 * from an entry already shown. Past `cap` entries the middle is left out
 * (the first and last half kept) and counted.
 */
export function summariseTimeline(timeline: TimelineEntry[], cap = TIMELINE_CAP) {
  const isNotification = (e: TimelineEntry) => e.kind === 'system' && typeof e.detail?.notificationId === 'string';
  const full = timeline.filter((e) => !isNotification(e));
  const counts = new Map<string, number>();
  for (const e of timeline) if (isNotification(e)) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  const half = Math.floor(cap / 2);
  const cut = full.length > cap;
  return {
    total: timeline.length,
    actions: timeline.filter((e) => e.kind === 'action').length,
    head: cut ? full.slice(0, half) : full,
    tail: cut ? full.slice(full.length - (cap - half)) : [],
    omitted: cut ? full.length - cap : 0,
    notifications: timeline.length - full.length,
    counts: [...counts.entries()]
      .map(([type, count]) => ({ type, count }))
      .sort((a, b) => b.count - a.count || (a.type < b.type ? -1 : 1)),
  };
}

/** A short description of what an entry did beyond its type and target (decision, outcome, phase change). */
export function entryOutcome(entry: TimelineEntry): string {
  const d = entry.detail ?? {};
  if (entry.type === 'phaseChanged') return `${String(d.from)} → ${String(d.to)}`;
  const parts = [d.decision, d.outcome, d.status].filter((v): v is string => typeof v === 'string');
  return parts.join(', ');
}

/** Counts of each HSEEP rating over every attempt of every drill. */
export function ratingCounts(record: Pick<AfterActionRecord, 'drills'>): Record<DrillRating, number> {
  const counts = Object.fromEntries(drillRatings.map((r) => [r, 0])) as Record<DrillRating, number>;
  for (const drill of record.drills)
    for (const attempt of drill.attempts) for (const r of attempt.ratings) counts[r.rating]++;
  return counts;
}

/** Corrective actions per status, in a fixed order. */
export function correctiveByStatus(record: Pick<AfterActionRecord, 'correctiveActions'>) {
  const order = ['done', 'carried_over', 'waived', 'in_progress', 'blocked', 'todo'];
  const counts = new Map<string, number>();
  for (const a of record.correctiveActions) counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([status, count]) => ({ status, count }));
}

export const statusLabels: Record<string, Label> = {
  todo: { vi: 'Chưa làm', en: 'to do' },
  in_progress: { vi: 'Đang làm', en: 'in progress' },
  blocked: { vi: 'Vướng mắc', en: 'blocked' },
  done: { vi: 'Hoàn thành', en: 'done' },
  waived: { vi: 'Miễn trừ', en: 'waived' },
  carried_over: { vi: 'Chuyển tiếp', en: 'carried over' },
  passed: { vi: 'Đạt', en: 'passed' },
  failed: { vi: 'Không đạt', en: 'failed' },
  scheduled: { vi: 'Đã lên lịch', en: 'scheduled' },
  reported: { vi: 'Đã báo cáo', en: 'reported' },
  acknowledged: { vi: 'Đã tiếp nhận', en: 'acknowledged' },
  resolved: { vi: 'Đã xử lý', en: 'resolved' },
};
export const statusLabel = (status: string | undefined): Label =>
  status === undefined ? { vi: '—', en: '—' } : (statusLabels[status] ?? { vi: status, en: status });
