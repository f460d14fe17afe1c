import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createReportActivities,
  ensureReport,
  recordFingerprint,
  renderHtml,
  renderMarkdown,
  REPORT_FILES,
} from '../../activities/report';
import {
  binWidthMs,
  burnUpSvg,
  incidentBins,
  incidentsSvg,
  niceTicks,
  spreadIndices,
} from '../../activities/report/charts';
import { escapeHtml, escapeMarkdown, truncate } from '../../activities/report/escape';
import { liveWindow, summariseTimeline } from '../../activities/report/format';
import { loadApiConfig } from '../../api/config';
import { ConfigError } from '../../config/temporal';
import {
  afterActionRecord,
  eventWindowSchema,
  planTemplateSchema,
  reconstruct,
  type AfterActionRecord,
  type HistoryStep,
  type TimelineEntry,
} from '../../domain';
import { eventEnd, eventStart, passAll, shift, t0, when, type Step } from '../domain/scenario';
import { completeItem, startTinyEvent } from '../support/events';
import { lifecycleTemplateInput, tinyWindow } from '../support/fixtures';
import { colourStats, readPng } from '../support/png';
import { expectedFigures, figuresFromHtml } from '../support/report-figures';
import { connectTestTemporal, uniqueEventId, type TestTemporal } from '../support/temporal';

// ── A whole lifecycle, as the workflow's history would hold it, with untrusted text everywhere ──

const XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>';
const GROUP_TITLE = 'Kế hoạch & phương án <b>"tổng thể"</b>';
const NOTE = `Ghi chú </td></tr>${XSS} | cột giả`;
const JUSTIFICATION = `Đã kiểm thử tháng trước ' " <iframe src=//evil.example>`;
const DESCRIPTION = `Mất điện toàn khu ${XSS} | **đậm** [bấm](javascript:alert(1))`;
const LESSON_TITLE = `Bài học: chuyển mạch ${XSS}`;
const evidence = [{ url: 'https://docs.example.org/evidence.pdf' }];
const at = (days: number, hours = 0, minutes = 0) => shift(eventStart, { days, hours, minutes });

function hostileHistory(): HistoryStep[] {
  const steps: Step[] = [
    ['office.mai', { type: 'completeItem', itemId: 'plan.master', note: NOTE }],
    ['cyber.hung', { type: 'completeItem', itemId: 'plan.cyber', evidence }],
    ['head.tuan', { type: 'signOffGate', gateId: 'plan-approval', decision: 'approve' }],
    ['office.mai', { type: 'signOffGate', gateId: 'plan-approval', decision: 'approve' }],
    // Due three days before the start at 08:00: done two days before, late.
    ['police.nam', { type: 'completeItem', itemId: 'order.routes', note: 'Tuyến đường đã thông' }, at(-2)],
    ['head.tuan', { type: 'signOffGate', gateId: 'preparation-complete', decision: 'approve' }, at(-2, 1)],
    [
      'eval.an',
      {
        type: 'recordDrillResult',
        scenarioId: 'ddos',
        ratings: [
          { targetId: 'detect', rating: 'performed' },
          { targetId: 'failover', rating: 'major_challenges', observation: `Chậm 25 phút ${XSS}` },
          { targetId: 'inform', rating: 'some_challenges' },
        ],
        strengths: ['Phát hiện sớm'],
        gaps: ['Chuyển mạch chậm'],
      },
      at(-2, 2),
    ],
    [
      'cyber.hung',
      { type: 'completeItem', itemId: 'remediation.ddos.1.failover', evidence, note: 'Đã cấu hình' },
      at(-2, 3),
    ],
    when(passAll('ddos', ['detect', 'failover', 'inform']), at(-2, 4)),
    [
      'eval.an',
      { type: 'recordDrillResult', scenarioId: 'power', ratings: [{ targetId: 'restore', rating: 'unable' }] },
      at(-2, 5),
    ],
    ['police.nam', { type: 'completeItem', itemId: 'remediation.power.1.restore', evidence }, at(-2, 6)],
    when(passAll('power', ['restore']), at(-2, 7)),
    ['head.tuan', { type: 'signOffGate', gateId: 'rehearsal-complete', decision: 'approve' }, at(-2, 8)],
    [
      'office.mai',
      {
        type: 'decideGoNoGo',
        gateId: 'go-no-go',
        decision: 'go',
        acceptRisks: [{ key: 'item:cyber.pentest', justification: JUSTIFICATION }],
      },
      at(-1),
    ],
    ['head.tuan', { type: 'decideGoNoGo', gateId: 'go-no-go', decision: 'go' }, at(-1, 1)],
    ['duty.khoa', { type: 'handOverDuty', shiftId: 'day-1', to: 'duty.khoa', note: NOTE }, at(0, 0, 1)],
    [
      'duty.khoa',
      {
        type: 'reportIncident',
        incidentType: 'power',
        severity: 'critical',
        sessionId: 'plenary',
        description: DESCRIPTION,
      },
      at(0, 3),
    ],
    ['duty.lan', { type: 'acknowledgeIncident', incidentId: 'inc-1' }, at(0, 3, 4)],
    [
      'police.nam',
      { type: 'updateIncidentStep', incidentId: 'inc-1', stepId: 'generator', outcome: 'done' },
      at(0, 3, 10),
    ],
    ['duty.lan', { type: 'resolveIncident', incidentId: 'inc-1', resolution: `Máy phát chạy ${XSS}` }, at(0, 3, 34)],
    [
      'duty.khoa',
      { type: 'reportIncident', incidentType: 'cyber', severity: 'high', sessionId: 'opening', description: 'DDoS' },
      at(0, 5),
    ],
    ['duty.lan', { type: 'acknowledgeIncident', incidentId: 'inc-2' }, at(0, 5, 12)],
    [
      'planner.linh',
      { type: 'addLesson', title: LESSON_TITLE, observation: 'Dòng 1\n# Dòng 2', workGroup: 'cyber' },
      shift(eventEnd, { days: 1 }),
    ],
    [
      'planner.linh',
      {
        type: 'addCorrectiveAction',
        title: 'Viết quy trình chuyển mạch',
        unit: 'cyber',
        due: shift(eventEnd, { days: 30 }),
        lessonId: 'lesson-1',
      },
      shift(eventEnd, { days: 1 }),
    ],
  ];
  const input = lifecycleTemplateInput();
  input.title = `Hội nghị Cấp cao ASEAN ${XSS}`;
  input.workGroups.find((g) => g.id === 'plan')!.title = GROUP_TITLE;
  const history: HistoryStep[] = [
    {
      kind: 'started',
      at: t0,
      args: {
        eventId: 'asean-report',
        template: planTemplateSchema.parse(input),
        templateHash: 'sha256:test',
        window: eventWindowSchema.parse(tinyWindow),
        createdBy: 'planner.linh',
      },
    },
  ];
  steps.forEach(([actor, command, stepAt = t0], i) => {
    // The workflow's own timer at the start and at the end of the event.
    for (const instant of [eventStart, eventEnd]) {
      if (stepAt >= instant && !history.some((h) => h.kind === 'tick' && h.at === instant)) {
        history.push({ kind: 'tick', at: instant });
      }
    }
    history.push({ kind: 'command', at: stepAt, updateId: `u-${i}`, actor: { id: actor }, command });
  });
  return history;
}

function hostileRecord(now = shift(eventEnd, { days: 2 })): AfterActionRecord {
  const { state, timeline } = reconstruct(hostileHistory());
  expect(timeline.filter((e) => e.type === 'unreplayable')).toEqual([]);
  return afterActionRecord(state!, timeline, now);
}

/** Every `<tag>` closed in order (void HTML elements aside): enough to catch a broken or injected structure. */
function unbalancedTags(markup: string, voidElements: string[] = []): string[] {
  const stack: string[] = [];
  const problems: string[] = [];
  const withoutComments = markup.replace(/<!--[\s\S]*?-->/g, '').replace(/<!DOCTYPE[^>]*>/i, '');
  for (const m of withoutComments.matchAll(/<(\/?)([a-zA-Z][\w:-]*)\b[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    const tag = name!.toLowerCase();
    if (selfClosing || voidElements.includes(tag)) continue;
    if (!closing) stack.push(tag);
    else if (stack.at(-1) === tag) stack.pop();
    else problems.push(`</${tag}> closes <${stack.at(-1) ?? 'nothing'}>`);
  }
  return [...problems, ...stack.map((t) => `<${t}> never closed`)];
}
const htmlVoid = ['meta', 'br', 'link', 'img', 'hr', 'input'];

/** The cells of the Markdown table row that starts with `first`, split on unescaped pipes. */
function markdownRow(markdown: string, first: string): string[] {
  const line = markdown.split('\n').find((l) => l.startsWith(`| ${first}`));
  if (!line) throw new Error(`no row starting with ${first}`);
  return line
    .slice(2, -2)
    .split(/(?<!\\) \| /)
    .map((c) => c.trim());
}
const unescapedPipes = (line: string) => (line.match(/(?<!\\)\|/g) ?? []).length;

describe('the after-action report renderers', () => {
  const record = hostileRecord();
  const html = renderHtml(record);
  const markdown = renderMarkdown(record);

  it('starts from a record with late items, a failed drill, two incidents and an accepted risk', () => {
    expect(record.completion.workGroups.find((g) => g.id === 'order')).toMatchObject({ done: 2, late: 1 });
    expect(record.drills.map((d) => d.attempts.map((a) => a.outcome))).toEqual([
      ['failed', 'passed'],
      ['failed', 'passed'],
    ]);
    expect(record.incidents).toMatchObject({ total: 2, open: 1, bySeverity: { critical: 1, high: 1 } });
    expect(record.readiness.risksAccepted).toHaveLength(1);
    expect(record.overdue.escalations.total).toBeGreaterThan(0);
  });

  it('shows every figure of the record in the HTML, each tagged with the record value', () => {
    const shown = figuresFromHtml(html);
    const expected = expectedFigures(record);
    expect(Object.fromEntries(shown)).toEqual(Object.fromEntries(expected));
    expect(shown.get('incidents-total')).toBe(2);
    expect(shown.get('incident-minutes-to-acknowledge@inc-1')).toBe(4);
    expect(shown.get('incident-minutes-to-resolve@inc-2')).toBeNull();
    expect(shown.get('completion-late@order')).toBe(1);
  });

  it('escapes template labels and people’s text in the HTML: nothing from the record becomes markup', () => {
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<iframe');
    expect(html).not.toContain('<b>');
    // No tag carries an event handler (the text of the record may mention one, escaped).
    expect(html).not.toMatch(/<[^>]*\son\w+=/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('Kế hoạch &amp; phương án &lt;b&gt;&quot;tổng thể&quot;&lt;/b&gt;');
    expect(html).toContain('Đã kiểm thử tháng trước &#39; &quot; &lt;iframe src=//evil.example&gt;');
    expect(unbalancedTags(html, htmlVoid)).toEqual([]);
  });

  it('escapes the same text in Markdown: no raw HTML, no link, no broken table', () => {
    expect(markdown).not.toMatch(/<[a-z/!]/i);
    expect(markdown).not.toContain('](javascript:');
    expect(markdown).toContain('&lt;script&gt;');
    expect(markdown).toContain('\\[bấm\\]\\(javascript:alert\\(1\\)\\)');
    // Every row of every table has as many cells as its header.
    const lines = markdown.split('\n');
    lines.forEach((line, i) => {
      if (line.startsWith('| ---')) {
        const width = unescapedPipes(lines[i - 1]!);
        for (let j = i + 1; j < lines.length && lines[j]!.startsWith('|'); j++) {
          expect(unescapedPipes(lines[j]!), lines[j]).toBe(width);
        }
      }
    });
    // The lesson's line break and heading mark stay inside its cell.
    expect(markdown).not.toMatch(/^# Dòng 2/m);
    expect(markdown).toContain('Dòng 1 \\# Dòng 2');
  });

  it('lists the completion of each work group in Markdown with the record numbers', () => {
    for (const g of record.completion.workGroups) {
      const cells = markdownRow(markdown, escapeMarkdown(g.title));
      expect(cells.slice(2, 9).map(Number)).toEqual([
        g.total,
        g.done,
        g.onTime,
        g.late,
        g.waived,
        g.carriedOver,
        g.open,
      ]);
      expect(cells[9]).toBe(`${g.percentOnTime}%`);
    }
    expect(markdown).toContain(
      `- Tổng số (total): **${record.incidents.total}**; còn mở (open): ${record.incidents.open}`,
    );
  });

  it('writes one self-contained UTF-8 document in Vietnamese: charset, lang, inline CSS, no script or outside resource', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<link|<script|@import|url\(|src=["']|href=["'](?!#)/i);
    expect(html).toContain('Content-Security-Policy');
    expect(Buffer.from(html, 'utf8').toString('utf8')).toBe(html);
    for (const text of ['Báo cáo sau hoạt động', 'Mất điện', 'Phiên toàn thể', 'Tuyên bố sẵn sàng', 'Nghiêm trọng']) {
      expect(html).toContain(text);
      expect(markdown).toContain(text);
    }
  });

  it('rates each drill target with its HSEEP letter and lists the four ratings with their meaning', () => {
    const letters = [...html.matchAll(/<tr data-target="([^"]+)"><td>.*?data-rating="([PSMU])"/g)].map((m) => [
      m[1],
      m[2],
    ]);
    const code = { performed: 'P', some_challenges: 'S', major_challenges: 'M', unable: 'U' } as const;
    expect(letters).toEqual(
      record.drills.flatMap((d) => d.attempts.flatMap((a) => a.ratings.map((r) => [r.targetId, code[r.rating]]))),
    );
    for (const meaning of [
      'Performed without challenges',
      'Performed with some challenges',
      'Performed with major challenges',
      'Unable to be performed',
    ]) {
      expect(html).toContain(meaning);
      expect(markdown).toContain(meaning);
    }
  });

  it('draws the burn-up as well-formed SVG with one point per day, ending at the final planned and done counts', () => {
    const svg = html.match(/<svg[^>]*aria-labelledby="burn-up-title[\s\S]*?<\/svg>/)![0];
    expect(unbalancedTags(svg)).toEqual([]);
    const points = [...svg.matchAll(/data-date="([^"]+)" data-planned="(\d+)" data-done="(\d+)"/g)].map((m) => ({
      date: m[1],
      planned: Number(m[2]),
      done: Number(m[3]),
    }));
    expect(points).toEqual(record.burnUp);
    expect(svg).toContain(`data-points="${record.burnUp.length}"`);
    expect(svg).toMatch(/<polyline points="[^"]+"[^>]*data-series="planned"/);
    expect(svg).toMatch(/<polyline points="[^"]+"[^>]*data-series="done"/);
  });

  it('draws incidents by severity in bins over the live window that add up to the record', () => {
    const svg = html.match(/<svg[^>]*aria-labelledby="incidents-chart-title[\s\S]*?<\/svg>/)![0];
    expect(unbalancedTags(svg)).toEqual([]);
    const bars = [
      ...svg.matchAll(/data-severity="(\w+)" data-bin-start="([^"]+)" data-bin-end="([^"]+)" data-value="(\d+)"/g),
    ];
    const bySeverity: Record<string, number> = {};
    for (const [, severity, , , value] of bars) bySeverity[severity!] = (bySeverity[severity!] ?? 0) + Number(value);
    expect(bySeverity).toEqual({ critical: 1, high: 1 });
    const window = liveWindow(record);
    expect(window).toEqual({ start: eventStart, end: eventEnd, actual: true });
    for (const [, , start, end] of bars) {
      expect(start! >= window.start && end! <= window.end).toBe(true);
    }
  });

  it('renders the same bytes for the same record, and the fingerprint ignores only the generation time', () => {
    expect(renderHtml(hostileRecord())).toBe(html);
    expect(renderMarkdown(hostileRecord())).toBe(markdown);
    const later = hostileRecord(shift(eventEnd, { days: 3 }));
    expect(recordFingerprint(later)).toBe(recordFingerprint(record));
    // Thirty days on, the corrective action is past due: another record, another fingerprint.
    expect(recordFingerprint(hostileRecord(shift(eventEnd, { days: 40 })))).not.toBe(recordFingerprint(record));
  });
});

describe('the timeline of a report', () => {
  const entry = (seq: number, kind: 'action' | 'system', type: string, notification = false): TimelineEntry => ({
    seq,
    at: shift(t0, { minutes: seq }),
    kind,
    type,
    ...(notification ? { detail: { notificationId: `n-${seq}` } } : {}),
  });

  it('keeps every human action and phase change in full and counts notifications by type', () => {
    const timeline = [
      entry(1, 'system', 'eventStarted'),
      entry(2, 'action', 'completeItem'),
      entry(3, 'system', 'reminder', true),
      entry(4, 'system', 'escalation', true),
      entry(5, 'system', 'reminder', true),
      entry(6, 'system', 'phaseChanged'),
    ];
    const summary = summariseTimeline(timeline);
    expect(summary.head.map((e) => e.seq)).toEqual([1, 2, 6]);
    expect(summary).toMatchObject({ total: 6, actions: 1, notifications: 3, omitted: 0, tail: [] });
    expect(summary.counts).toEqual([
      { type: 'reminder', count: 2 },
      { type: 'escalation', count: 1 },
    ]);
  });

  it('cuts a long timeline in the middle, keeping the first and the last entries, and says how many it left out', () => {
    const timeline = Array.from({ length: 1400 }, (_, i) =>
      i % 2 === 0 ? entry(i + 1, 'action', 'completeItem') : entry(i + 1, 'system', 'reminder', true),
    );
    const summary = summariseTimeline(timeline, 300);
    expect(summary.head).toHaveLength(150);
    expect(summary.tail).toHaveLength(150);
    expect(summary.omitted).toBe(400);
    expect(summary.head[0]!.seq).toBe(1);
    expect(summary.tail.at(-1)!.seq).toBe(1399);
    expect(summary.counts).toEqual([{ type: 'reminder', count: 700 }]);

    const record = { ...hostileRecord(), timeline };
    const html = renderHtml(record);
    expect(html.match(/<tr data-seq=/g)).toHaveLength(300);
    expect(figuresFromHtml(html).get('timeline-omitted')).toBe(400);
    expect(Object.fromEntries(figuresFromHtml(html))).toEqual(Object.fromEntries(expectedFigures(record)));
  });
});

describe('the chart helpers', () => {
  it.each([
    [0, [0, 1]],
    [1, [0, 1]],
    [7, [0, 2, 4, 6, 8]],
    [10, [0, 2, 4, 6, 8, 10]],
    [120, [0, 50, 100, 150]],
  ])('puts round ticks from 0 over a maximum of %i', (max, ticks) => {
    expect(niceTicks(max)).toEqual(ticks);
  });

  it.each([
    [20_000, 1_000],
    [3_600_000, 5 * 60_000],
    [5 * 86_400_000 + 9 * 3_600_000, 6 * 3_600_000],
    [400 * 86_400_000, 17 * 86_400_000],
  ])('cuts a span of %i ms into round bins of %i ms, at most 24 of them', (span, width) => {
    expect(binWidthMs(span)).toBe(width);
    expect(Math.ceil(span / width)).toBeLessThanOrEqual(24);
  });

  it('spreads at most the asked number of labels, always the first and the last', () => {
    expect(spreadIndices(3, 6)).toEqual([0, 1, 2]);
    expect(spreadIndices(100, 6)).toEqual([0, 20, 40, 59, 79, 99]);
    expect(spreadIndices(0, 6)).toEqual([]);
  });

  it('widens the incident window to take in an incident outside it, so every incident is counted once', () => {
    const window = { start: '2026-11-10T01:00:00.000Z', end: '2026-11-10T02:00:00.000Z' };
    const bins = incidentBins(
      [
        { reportedAt: '2026-11-10T01:00:00.000Z', severity: 'low' },
        { reportedAt: '2026-11-10T02:00:00.000Z', severity: 'high' },
        { reportedAt: '2026-11-10T03:30:00.000Z', severity: 'critical' },
      ],
      window,
    );
    expect(bins[0]!.start).toBe(window.start);
    expect(bins.at(-1)!.end > '2026-11-10T03:30:00.000Z').toBe(true);
    const total = (s: 'low' | 'high' | 'critical') => bins.reduce((n, b) => n + b.counts[s], 0);
    expect([total('low'), total('high'), total('critical')]).toEqual([1, 1, 1]);
    expect(bins.length).toBeLessThanOrEqual(24);
  });

  it('draws charts with nothing to show as well-formed SVG that still carries zero figures', () => {
    const empty = burnUpSvg([]);
    expect(unbalancedTags(empty)).toEqual([]);
    expect(figuresFromHtml(empty)).toEqual(
      new Map([
        ['chart-burnup-planned', 0],
        ['chart-burnup-done', 0],
      ]),
    );
    const window = { start: '2026-11-10T01:00:00.000Z', end: '2026-11-10T02:00:00.000Z' };
    const none = incidentsSvg(incidentBins([], window), { timeZone: 'Asia/Ho_Chi_Minh', window });
    expect(unbalancedTags(none)).toEqual([]);
    expect(figuresFromHtml(none).get('chart-incidents-total')).toBe(0);
    expect(none).not.toContain('data-severity');
  });
});

describe('escaping', () => {
  it.each([
    ['<a href="x">&\'</a>', '&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;'],
    ['Hà Nội\u0007', 'Hà Nội'],
  ])('escapes %j for HTML', (input, output) => {
    expect(escapeHtml(input)).toBe(output);
  });

  it.each([
    ['**bold** _it_ `code`', '\\*\\*bold\\*\\* \\_it\\_ \\`code\\`'],
    ['[x](javascript:alert(1))', '\\[x\\]\\(javascript:alert\\(1\\)\\)'],
    ['a | b', 'a \\| b'],
    ['<script>', '&lt;script&gt;'],
    ['# heading', '\\# heading'],
    ['- item', '\\- item'],
    ['1. item', '1\\. item'],
    ['line 1\n\nline 2', 'line 1 line 2'],
    ['KH-132 Hà Nội', 'KH-132 Hà Nội'],
  ])('escapes %j for Markdown', (input, output) => {
    expect(escapeMarkdown(input)).toBe(output);
  });

  it('cuts long text on a character boundary', () => {
    expect(truncate('Việt Nam 🇻🇳 xin chào', 12)).toBe('Việt Nam 🇻🇳…');
    expect(truncate('ngắn', 10)).toBe('ngắn');
  });
});

describe('REPORTS_DIR', () => {
  const secret = { AUTH_JWT_SECRET: 'x'.repeat(40) };

  it('defaults to data/reports and resolves a relative directory', () => {
    expect(loadApiConfig(secret).REPORTS_DIR).toBe(path.resolve(__dirname, '../../data/reports'));
    expect(loadApiConfig({ ...secret, REPORTS_DIR: 'some/where' }).REPORTS_DIR).toBe(path.resolve('some/where'));
  });

  it('refuses at start a directory that cannot be one (a file on its path)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'reports-config-'));
    try {
      writeFileSync(path.join(dir, 'file'), 'x');
      expect(() => loadApiConfig({ ...secret, REPORTS_DIR: path.join(dir, 'file', 'reports') })).toThrow(ConfigError);
      expect(() => loadApiConfig({ ...secret, REPORTS_DIR: path.join(dir, 'file', 'reports') })).toThrow(
        /REPORTS_DIR: .*file is not a directory/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('storing a report', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'reports-store-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes both formats and report.json, and keeps them while the fingerprint stays the same', async () => {
    const record = hostileRecord();
    const first = await ensureReport(dir, record);
    expect(first.source).toBe('rendered');
    expect(readFileSync(first.paths.html, 'utf8')).toBe(renderHtml(record));
    expect(readFileSync(first.paths.markdown, 'utf8')).toBe(renderMarkdown(record));
    expect(JSON.parse(readFileSync(first.paths.json, 'utf8'))).toMatchObject({
      eventId: record.eventId,
      fingerprint: recordFingerprint(record),
      generatedAt: record.generatedAt,
    });
    expect(readdirSync(path.dirname(first.paths.json)).sort()).toEqual(
      [REPORT_FILES.html, REPORT_FILES.meta, REPORT_FILES.markdown].sort(),
    );

    const again = await ensureReport(dir, hostileRecord(shift(eventEnd, { days: 3 })));
    expect(again).toMatchObject({ source: 'stored', fingerprint: first.fingerprint, generatedAt: record.generatedAt });

    const changed = await ensureReport(dir, hostileRecord(shift(eventEnd, { days: 40 })));
    expect(changed.source).toBe('rendered');
    expect(JSON.parse(readFileSync(first.paths.json, 'utf8')).fingerprint).toBe(changed.fingerprint);
  });

  it('renders again when a stored file was removed', async () => {
    const record = hostileRecord();
    const first = await ensureReport(dir, record);
    rmSync(first.paths.html);
    const again = await ensureReport(dir, record);
    expect(again.source).toBe('rendered');
    expect(existsSync(first.paths.html)).toBe(true);
  });
});

describe('the renderReport activity', () => {
  let temporal: TestTemporal;
  let dir: string;
  beforeAll(async () => {
    temporal = await connectTestTemporal();
    await temporal.startWorker();
    dir = mkdtempSync(path.join(tmpdir(), 'reports-activity-'));
  });
  afterAll(async () => {
    await temporal?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders an event read from its workflow history into <reportsDir>/<eventId>, and again only when it changed', async () => {
    const eventId = uniqueEventId('report');
    const handle = await startTinyEvent(temporal.client, temporal.taskQueue, eventId);
    await completeItem(handle, 'office.mai', { itemId: 'plan.master', note: 'Kế hoạch tổng thể đã ký' });
    let clock = Date.parse('2026-09-01T00:00:00.000Z');
    const { renderReport } = createReportActivities({
      client: temporal.client,
      reportsDir: dir,
      now: () => new Date((clock += 60_000)),
    });

    const first = await renderReport({ eventId });
    expect(first.paths).toEqual({
      markdown: path.join(dir, eventId, 'report.md'),
      html: path.join(dir, eventId, 'report.html'),
      json: path.join(dir, eventId, 'report.json'),
    });
    const meta = JSON.parse(readFileSync(first.paths.json, 'utf8'));
    expect(meta).toMatchObject({ eventId, fingerprint: first.fingerprint, generatedAt: '2026-09-01T00:01:00.000Z' });
    const html = readFileSync(first.paths.html, 'utf8');
    expect(html).toContain('Kế hoạch tổng thể đã ký');
    expect(figuresFromHtml(html).get('completion-done@overall')).toBe(1);
    const written = statSync(first.paths.html).mtimeMs;

    // A minute later, nothing happened: the same report, not written again.
    expect(await renderReport({ eventId })).toEqual(first);
    expect(statSync(first.paths.html).mtimeMs).toBe(written);

    await completeItem(handle, 'cyber.hung', {
      itemId: 'plan.cyber',
      evidence: [{ url: 'https://docs.example.org/cyber.pdf' }],
    });
    const second = await renderReport({ eventId });
    expect(second.fingerprint).not.toBe(first.fingerprint);
    expect(figuresFromHtml(readFileSync(second.paths.html, 'utf8')).get('completion-done@overall')).toBe(2);
    expect(readdirSync(path.join(dir, eventId)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses an event that never started with a non-retryable EVENT_NOT_FOUND', async () => {
    const { renderReport } = createReportActivities({ client: temporal.client, reportsDir: dir });
    const error = await renderReport({ eventId: uniqueEventId('missing') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: 'EVENT_NOT_FOUND', nonRetryable: true });
  });

  it('refuses an id that is not an event id before touching the disk', async () => {
    const { renderReport } = createReportActivities({ client: temporal.client, reportsDir: dir });
    for (const eventId of ['../escape', 'a/b', '']) {
      const error = await renderReport({ eventId }).catch((e: unknown) => e);
      expect(error).toMatchObject({ type: 'INVALID_EVENT_ID', nonRetryable: true });
    }
    expect(existsSync(path.join(dir, '..', 'escape'))).toBe(false);
  });
});

describe('the PNG reader of the browser test', () => {
  /** An 8-bit RGB PNG of `rows`, each row written with the given filter, as an encoder would. */
  function encodePng(rows: number[][], filters: number[]): Buffer {
    const width = rows[0]!.length / 3;
    const paeth = (a: number, b: number, c: number) => {
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    };
    const raw = rows.flatMap((row, y) => [
      filters[y]!,
      ...row.map((v, x) => {
        const a = x >= 3 ? row[x - 3]! : 0;
        const b = y > 0 ? rows[y - 1]![x]! : 0;
        const c = x >= 3 && y > 0 ? rows[y - 1]![x - 3]! : 0;
        const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filters[y]!]!;
        return (v - predictor + 256) & 0xff;
      }),
    ]);
    const chunk = (type: string, data: Buffer) => {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(data.length, 0);
      head.write(type, 4, 'latin1');
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
      return Buffer.concat([head, data, crc]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(rows.length, 4);
    ihdr.set([8, 2, 0, 0, 0], 8);
    return Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(Buffer.from(raw))),
      chunk('IEND', Buffer.alloc(0)),
    ]);
  }
  const rows = [
    [255, 255, 255, 10, 20, 30, 200, 100, 0, 255, 255, 255],
    [0, 0, 0, 10, 20, 30, 90, 180, 250, 255, 255, 255],
    [255, 255, 255, 255, 255, 255, 255, 255, 255, 1, 2, 3],
  ];

  it('undoes every row filter (none, sub, up, average, Paeth) and gives back the pixels', () => {
    for (const filters of [
      [0, 1, 2],
      [3, 4, 4],
      [4, 3, 1],
    ]) {
      const png = readPng(encodePng(rows, filters));
      expect([png.width, png.height, png.channels]).toEqual([4, 3, 3]);
      expect([...png.pixels]).toEqual(rows.flat());
    }
    expect(colourStats(readPng(encodePng(rows, [0, 0, 0])))).toEqual({ distinctColours: 6, dominantShare: 6 / 12 });
  });

  it('refuses a file that is not a whole, intact PNG', () => {
    const good = encodePng(rows, [0, 0, 0]);
    const corrupt = Buffer.from(good);
    corrupt[40] = corrupt[40]! ^ 0xff;
    expect(() => readPng(corrupt)).toThrow(/bad CRC/);
    expect(() => readPng(good.subarray(0, good.length - 12))).toThrow(/no IEND/);
    expect(() => readPng(Buffer.from('GIF89a'))).toThrow(/signature/);
  });
});
