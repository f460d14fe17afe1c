import { type AfterActionRecord, type TimelineEntry } from '../../domain';
import { burnUpSvg, completionSvg, figure, incidentBins, incidentsSvg } from './charts';
import { escapeHtml as esc, truncate } from './escape';
import {
  completionParts,
  correctiveByStatus,
  drillRatings,
  entryOutcome,
  liveWindow,
  localTime,
  minutes,
  phaseLabel,
  phaseSpans,
  ratingCodes,
  ratingCounts,
  ratingMeanings,
  sections,
  severities,
  severityColours,
  severityLabels,
  statusLabel,
  summariseTimeline,
  type Label,
} from './format';

/**
 * The after-action report as one self-contained HTML document: inline CSS
 * and SVG, no script, no external font, image or style sheet (its own CSP
 * says so), `lang="vi"` and UTF-8. Pure: the same record gives the same bytes.
 *
 * Every number shown carries `data-figure` (and `data-scope` where it belongs
 * to a work group, unit, severity…) with `data-value`, so tests read the
 * rendered page and compare with the record:
 *
 * | figure                                   | scope                    | record                                     |
 * | ---------------------------------------- | ------------------------ | ------------------------------------------ |
 * | `completion-{total,done,onTime,late,waived,carriedOver,open,percentOnTime}` | `overall` or work group | `completion.overall` / `.workGroups[]` |
 * | `overdue-completed-late`, `overdue-open-past-due` |                 | `overdue.itemsCompletedLate` / `…OpenPastDue` |
 * | `overdue-unit-completed-late`, `overdue-unit-open-past-due` | unit  | `overdue.byUnit[]`                         |
 * | `escalations-{total,items,gates,drills,incidents}` |                | `overdue.escalations`                      |
 * | `escalations-level`                      | level                    | `overdue.escalations.byLevel`              |
 * | `reminders`, `progress-reviews`, `missed-reports` |                 | `overdue.*`                                |
 * | `drills-total`, `drills-passed`          |                          | `drills`                                   |
 * | `drill-attempts`                         | scenario                 | `drills[].attempts.length`                 |
 * | `drill-ratings`                          | `P`, `S`, `M`, `U`       | ratings over every attempt                 |
 * | `incidents-{total,open}`                 |                          | `incidents.total` / `.open`                |
 * | `incidents-severity`                     | severity                 | `incidents.bySeverity`                     |
 * | `incidents-mean-minutes-to-{acknowledge,resolve}` |                 | `incidents.meanMinutesTo…` (empty: null)   |
 * | `incident-minutes-to-{acknowledge,resolve}` | incident id           | `incidents.list[].minutesTo…`              |
 * | `session-incidents`                      | session                  | `sessions[].incidents`                     |
 * | `readiness-signers`, `risks-accepted`, `no-go-decisions` |          | `readiness.*`                              |
 * | `handovers`, `lessons`, `corrective-actions` |                      | lengths                                    |
 * | `corrective-actions-status`              | status                   | `correctiveActions` per status             |
 * | `timeline-{entries,actions,notifications,shown,omitted}` |          | `timeline`                                 |
 * | `timeline-count`                         | notification type        | `timeline` entries of that type            |
 * | `chart-*`                                | see charts.ts            | `burnUp`, `incidents.list`                 |
 */
export function renderHtml(record: AfterActionRecord): string {
  const tz = record.window.timeZone;
  const time = (iso: string | null | undefined) => esc(localTime(iso, tz));
  const seconds = (iso: string | null | undefined) => esc(localTime(iso, tz, { seconds: true }));
  // A window shorter than an hour (a rehearsal, a test) is shown to the second.
  const short = Date.parse(record.window.end) - Date.parse(record.window.start) < 3_600_000;
  const windowTime = short ? seconds : time;
  const both = (l: Label) =>
    l.vi === l.en ? esc(l.vi) : `${esc(l.vi)} <span class="en" lang="en">${esc(l.en)}</span>`;
  const th = (l: Label, cls = '') => `<th${cls ? ` class="${cls}"` : ''} title="${esc(l.en)}">${esc(l.vi)}</th>`;
  const num = (value: number | null, name: string, scope?: string) =>
    `<td class="num"${figure(name, value, scope)}>${value === null ? '—' : value}</td>`;
  const minutesCell = (value: number | null, name: string, scope?: string) =>
    `<td class="num"${figure(name, value, scope)}>${esc(minutes(value))}</td>`;
  const section = (id: string, label: Label, body: string) =>
    `<section id="${id}"><h2>${both(label)}</h2>${body}</section>`;
  const none = '<p class="muted">Không có <span lang="en">(none)</span>.</p>';
  const card = (value: number, name: string, label: Label, scope?: string) =>
    `<div class="card"><span class="value"${figure(name, value, scope)}>${value}</span><span class="label">${both(label)}</span></div>`;
  const statusBadge = (status: string | undefined) =>
    `<span class="status status-${esc(status ?? 'none')}">${both(statusLabel(status))}</span>`;

  const overall = record.completion.overall;
  const o = record.overdue;
  const inc = record.incidents;
  const ready = record.readiness;

  // ── Summary ──
  const summary = section(
    'summary',
    sections.summary,
    `<div class="cards">` +
      `<div class="card"><span class="value"${figure('completion-percentOnTime', overall.percentOnTime, 'overall')}>${overall.percentOnTime}%</span><span class="label">${both({ vi: 'Hoàn thành đúng hạn', en: 'done on time' })}</span></div>` +
      card(
        overall.done,
        'completion-done',
        { vi: `Hạng mục hoàn thành / ${overall.total}`, en: `items done of ${overall.total}` },
        'overall',
      ) +
      card(record.drills.filter((d) => d.status === 'passed').length, 'drills-passed', {
        vi: `Diễn tập đạt / ${record.drills.length}`,
        en: `drills passed of ${record.drills.length}`,
      }) +
      card(inc.total, 'incidents-total', { vi: 'Sự cố', en: 'incidents' }) +
      card(o.escalations.total, 'escalations-total', { vi: 'Chuyển cấp xử lý', en: 'escalations' }) +
      card(ready.risksAccepted.length, 'risks-accepted', { vi: 'Rủi ro được chấp nhận', en: 'risks accepted' }) +
      `</div>` +
      `<table class="facts"><tbody>` +
      `<tr><th>Sự kiện <span class="en" lang="en">event</span></th><td><code>${esc(record.eventId)}</code></td></tr>` +
      (record.program
        ? `<tr><th>Chương trình <span class="en" lang="en">program</span></th><td>${esc(record.program)}</td></tr>`
        : '') +
      `<tr><th>Mẫu kế hoạch <span class="en" lang="en">template</span></th><td><code>${esc(record.template.id)}</code> <code class="muted">${esc(record.template.hash)}</code></td></tr>` +
      `<tr><th>Thời gian <span class="en" lang="en">window</span></th><td class="time">${windowTime(record.window.start)} → ${windowTime(record.window.end)} <span class="muted">(${esc(tz)})</span></td></tr>` +
      `<tr><th>Giai đoạn <span class="en" lang="en">phase</span></th><td data-phase="${esc(record.phase)}">${both(phaseLabel(record.phase))}</td></tr>` +
      `<tr><th>Lập lúc <span class="en" lang="en">generated at</span></th><td class="time">${seconds(record.generatedAt)}</td></tr>` +
      `</tbody></table>` +
      `<h3>${both({ vi: 'Các giai đoạn', en: 'Phases' })}</h3>` +
      `<table class="phases"><thead><tr>${th({ vi: 'Giai đoạn', en: 'phase' })}${th({ vi: 'Bắt đầu', en: 'start' })}${th({ vi: 'Kết thúc', en: 'end' })}</tr></thead><tbody>` +
      phaseSpans(record)
        .map(
          (s) =>
            `<tr data-phase="${esc(s.phase)}" data-start="${esc(s.start)}"${s.end ? ` data-end="${esc(s.end)}"` : ''}><td>${both(phaseLabel(s.phase))}</td><td class="time">${seconds(s.start)}</td><td>${s.end ? seconds(s.end) : '—'}</td></tr>`,
        )
        .join('') +
      `</tbody></table>`,
  );

  // ── Completion ──
  const completionRow = (title: string, unit: string, scope: string, c: typeof overall, cls = '') =>
    `<tr${cls ? ` class="${cls}"` : ''} data-scope="${esc(scope)}"><td>${title}</td><td>${unit}</td>` +
    num(c.total, 'completion-total', scope) +
    num(c.done, 'completion-done', scope) +
    completionParts.map((p) => num(c[p.key], `completion-${p.key}`, scope)).join('') +
    `<td class="num"${figure('completion-percentOnTime', c.percentOnTime, scope)}>${c.percentOnTime}%</td>` +
    `</tr>`;
  const markers = [
    { date: record.window.start.slice(0, 10), label: 'Khai mạc (opening)' },
    ...(record.window.end.slice(0, 10) !== record.window.start.slice(0, 10)
      ? [{ date: record.window.end.slice(0, 10), label: 'Bế mạc (closing)' }]
      : []),
  ];
  const completion = section(
    'completion',
    sections.completion,
    `<table class="completion"><thead><tr>${th({ vi: 'Nhóm công tác', en: 'work group' })}${th({ vi: 'Đơn vị', en: 'unit' })}` +
      `${th({ vi: 'Tổng', en: 'total' }, 'num')}${th({ vi: 'Hoàn thành', en: 'done' }, 'num')}` +
      completionParts.map((p) => th(p.label, 'num')).join('') +
      `${th({ vi: '% đúng hạn', en: 'percent on time (waived and carried over left out)' }, 'num')}</tr></thead><tbody>` +
      record.completion.workGroups
        .map((g) =>
          completionRow(
            `${esc(g.title)} <code class="muted">${esc(g.id)}</code>`,
            `<code>${esc(g.unit)}</code>`,
            g.id,
            g,
          ),
        )
        .join('') +
      completionRow(
        `<strong>Tổng cộng</strong> <span class="en" lang="en">overall</span>`,
        '',
        'overall',
        overall,
        'total',
      ) +
      `</tbody></table>` +
      `<figure>${completionSvg(record.completion.workGroups)}<figcaption>${both(sections.completionChart)}</figcaption></figure>` +
      `<figure>${burnUpSvg(record.burnUp, { markers })}<figcaption>${both(sections.burnUp)} — ${esc(
        'số hạng mục đến hạn và đã hoàn thành tính đến cuối mỗi ngày (UTC)',
      )} <span class="en" lang="en">items due and done by the end of each day (UTC)</span></figcaption></figure>`,
  );

  // ── Overdue and escalations ──
  const levels = Object.entries(o.escalations.byLevel).sort(([a], [b]) => Number(a) - Number(b));
  const overdue = section(
    'overdue',
    sections.overdue,
    `<table class="facts"><tbody>` +
      `<tr><th>${both({ vi: 'Hoàn thành trễ hạn', en: 'items completed late' })}</th>${num(o.itemsCompletedLate, 'overdue-completed-late')}</tr>` +
      `<tr><th>${both({ vi: 'Còn mở quá hạn', en: 'items open past due' })}</th>${num(o.itemsOpenPastDue, 'overdue-open-past-due')}</tr>` +
      `<tr><th>${both({ vi: 'Nhắc việc đã gửi', en: 'reminders sent' })}</th>${num(o.reminders, 'reminders')}</tr>` +
      `<tr><th>${both({ vi: 'Chuyển cấp xử lý', en: 'escalations' })}</th>${num(o.escalations.total, 'escalations-total')}</tr>` +
      `<tr><th class="sub">${both({ vi: 'hạng mục', en: 'items' })}</th>${num(o.escalations.items, 'escalations-items')}</tr>` +
      `<tr><th class="sub">${both({ vi: 'cổng phê duyệt', en: 'gates' })}</th>${num(o.escalations.gates, 'escalations-gates')}</tr>` +
      `<tr><th class="sub">${both({ vi: 'diễn tập', en: 'drills' })}</th>${num(o.escalations.drills, 'escalations-drills')}</tr>` +
      `<tr><th class="sub">${both({ vi: 'sự cố', en: 'incidents' })}</th>${num(o.escalations.incidents, 'escalations-incidents')}</tr>` +
      levels
        .map(
          ([level, n]) =>
            `<tr><th class="sub">${both({ vi: `cấp ${level}`, en: `level ${level}` })}</th>${num(n, 'escalations-level', level)}</tr>`,
        )
        .join('') +
      `<tr><th>${both({ vi: 'Kiểm điểm tiến độ', en: 'progress reviews' })}</th>${num(o.progressReviews, 'progress-reviews')}</tr>` +
      `<tr><th>${both({ vi: 'Báo cáo bị thiếu', en: 'missed unit reports' })}</th>${num(o.missedReports, 'missed-reports')}</tr>` +
      `</tbody></table>` +
      (o.byUnit.length
        ? `<table><thead><tr>${th({ vi: 'Đơn vị', en: 'unit' })}${th({ vi: 'Hoàn thành trễ hạn', en: 'completed late' }, 'num')}${th({ vi: 'Quá hạn còn mở', en: 'open past due' }, 'num')}</tr></thead><tbody>` +
          o.byUnit
            .map(
              (u) =>
                `<tr><td><code>${esc(u.unit)}</code></td>${num(u.completedLate, 'overdue-unit-completed-late', u.unit)}${num(u.openPastDue, 'overdue-unit-open-past-due', u.unit)}</tr>`,
            )
            .join('') +
          `</tbody></table>`
        : ''),
  );

  // ── Drills ──
  const counts = ratingCounts(record);
  const ratingBadge = (rating: keyof typeof ratingCodes) =>
    `<span class="rating rating-${ratingCodes[rating]}" data-rating="${ratingCodes[rating]}" title="${esc(ratingMeanings[rating].vi)} (${esc(ratingMeanings[rating].en)})">${ratingCodes[rating]}</span>`;
  const drills = section(
    'drills',
    sections.drills,
    `<table class="legend"><thead><tr>${th({ vi: 'Mức', en: 'rating' })}${th({ vi: 'Ý nghĩa', en: 'meaning' })}${th({ vi: 'Số lượt', en: 'count over every attempt' }, 'num')}</tr></thead><tbody>` +
      drillRatings
        .map(
          (r) =>
            `<tr><td>${ratingBadge(r)}</td><td>${both(ratingMeanings[r])}</td>${num(counts[r], 'drill-ratings', ratingCodes[r])}</tr>`,
        )
        .join('') +
      `</tbody></table>` +
      `<p>${both({ vi: 'Kịch bản', en: 'scenarios' })}: <strong${figure('drills-total', record.drills.length)}>${record.drills.length}</strong></p>` +
      (record.drills.length === 0
        ? none
        : record.drills
            .map(
              (drill) =>
                `<article class="drill" data-drill="${esc(drill.id)}"><h3>${esc(drill.title)} <code class="muted">${esc(drill.id)}</code></h3>` +
                `<p>${statusBadge(drill.status)} · ${both({ vi: 'mức độ', en: 'severity' })}: ${both(severityLabels[drill.severity])} · ` +
                `${both({ vi: 'đơn vị', en: 'units' })}: ${drill.units.map((u) => `<code>${esc(u)}</code>`).join(', ')} · ` +
                `${both({ vi: 'số lần', en: 'attempts' })}: <strong${figure('drill-attempts', drill.attempts.length, drill.id)}>${drill.attempts.length}</strong></p>` +
                (drill.waiver
                  ? `<p>${both({ vi: 'Miễn diễn tập', en: 'waived' })}: <code>${esc(drill.waiver.by)}</code>, ${time(drill.waiver.at)} — ${esc(drill.waiver.justification)}</p>`
                  : '') +
                drill.attempts
                  .map(
                    (a) =>
                      `<div class="attempt" data-attempt="${a.attempt}" data-outcome="${esc(a.outcome)}"><h4>${both({ vi: `Lần ${a.attempt}`, en: `attempt ${a.attempt}` })} — ${seconds(a.at)} — <code>${esc(a.by)}</code> — ${statusBadge(a.outcome)}</h4>` +
                      `<table class="ratings"><thead><tr>${th({ vi: 'Mục tiêu năng lực', en: 'capability target' })}${th({ vi: 'Đánh giá', en: 'rating' })}${th({ vi: 'Nhận xét', en: 'observation' })}</tr></thead><tbody>` +
                      a.ratings
                        .map(
                          (r) =>
                            `<tr data-target="${esc(r.targetId)}"><td>${esc(r.title)} <code class="muted">${esc(r.targetId)}</code></td><td>${ratingBadge(r.rating)} ${esc(ratingMeanings[r.rating].vi)}</td><td>${esc(r.observation ?? '')}</td></tr>`,
                        )
                        .join('') +
                      `</tbody></table>` +
                      list([
                        ...a.strengths.map((s) => `${both({ vi: 'Điểm mạnh', en: 'strength' })}: ${esc(s)}`),
                        ...a.gaps.map((g) => `${both({ vi: 'Tồn tại', en: 'gap' })}: ${esc(g)}`),
                        ...(a.observations
                          ? [`${both({ vi: 'Nhận xét chung', en: 'observations' })}: ${esc(a.observations)}`]
                          : []),
                        ...a.remediation.map(
                          (r) =>
                            `${both({ vi: 'Khắc phục', en: 'remediation' })} <code>${esc(r.id)}</code>: ${statusBadge(r.status)}${r.completedAt ? `, ${time(r.completedAt)}` : ''}`,
                        ),
                      ]) +
                      `</div>`,
                  )
                  .join('') +
                `</article>`,
            )
            .join('')),
  );

  // ── Readiness ──
  const readiness = section(
    'readiness',
    sections.readiness,
    (ready.declaredAt
      ? `<p>${both({ vi: 'Tuyên bố sẵn sàng lúc', en: 'declared ready at' })} <strong data-declared-at="${esc(ready.declaredAt)}">${seconds(ready.declaredAt)}</strong>; ` +
        `${both({ vi: 'người ký', en: 'signers' })}: <strong${figure('readiness-signers', ready.signers.length)}>${ready.signers.length}</strong></p>`
      : `<p class="muted"${figure('readiness-signers', ready.signers.length)}>${both({ vi: 'Chưa tuyên bố sẵn sàng', en: 'not declared ready' })}</p>`) +
      (ready.signers.length
        ? `<table><thead><tr>${th({ vi: 'Người ký', en: 'signer' })}${th({ vi: 'Thay mặt', en: 'on behalf of' })}${th({ vi: 'Lúc', en: 'at' })}${th({ vi: 'Vai trò', en: 'roles' })}</tr></thead><tbody>` +
          ready.signers
            .map(
              (s) =>
                `<tr><td><code>${esc(s.by)}</code></td><td>${s.onBehalfOf ? `<code>${esc(s.onBehalfOf)}</code>` : ''}</td><td class="time">${seconds(s.at)}</td><td>${s.roles.map((r) => `<code>${esc(r)}</code>`).join(', ')}</td></tr>`,
            )
            .join('') +
          `</tbody></table>`
        : '') +
      `<h3>${both({ vi: 'Rủi ro được chấp nhận', en: 'risks accepted' })} <span class="count">(${ready.risksAccepted.length})</span></h3>` +
      (ready.risksAccepted.length
        ? `<table class="risks"><thead><tr>${th({ vi: 'Mục', en: 'entry' })}${th({ vi: 'Nội dung', en: 'title' })}${th({ vi: 'Đơn vị', en: 'unit' })}${th({ vi: 'Lý do chấp nhận', en: 'justification' })}${th({ vi: 'Người chấp nhận', en: 'accepted by' })}${th({ vi: 'Lúc', en: 'at' })}</tr></thead><tbody>` +
          ready.risksAccepted
            .map(
              (r) =>
                `<tr data-risk="${esc(r.key)}"><td><code>${esc(r.key)}</code></td><td>${esc(r.title)}</td><td><code>${esc(r.unit)}</code></td><td>${esc(r.justification)}</td>` +
                `<td><code>${esc(r.by)}</code>${r.onBehalfOf ? ` (<code>${esc(r.onBehalfOf)}</code>)` : ''}</td><td class="time">${seconds(r.at)}</td></tr>`,
            )
            .join('') +
          `</tbody></table>`
        : none) +
      `<h3>${both({ vi: 'Quyết định chưa sẵn sàng', en: 'no-go decisions' })} <span class="count"${figure('no-go-decisions', ready.noGoDecisions.length)}>(${ready.noGoDecisions.length})</span></h3>` +
      (ready.noGoDecisions.length
        ? `<table><thead><tr>${th({ vi: 'Cổng', en: 'gate' })}${th({ vi: 'Người quyết định', en: 'by' })}${th({ vi: 'Lúc', en: 'at' })}${th({ vi: 'Lý do', en: 'reason' })}${th({ vi: 'Mục còn vướng', en: 'blocking entries' }, 'num')}</tr></thead><tbody>` +
          ready.noGoDecisions
            .map(
              (d) =>
                `<tr><td><code>${esc(d.gateId)}</code></td><td><code>${esc(d.by)}</code></td><td class="time">${seconds(d.at)}</td><td>${esc(d.reason)}</td><td class="num">${d.blocking}</td></tr>`,
            )
            .join('') +
          `</tbody></table>`
        : ''),
  );

  // ── Incidents ──
  const window = liveWindow(record);
  const incidents = section(
    'incidents',
    sections.incidents,
    `<table class="facts"><tbody>` +
      `<tr><th>${both({ vi: 'Tổng số', en: 'total' })}</th>${num(inc.total, 'incidents-total')}</tr>` +
      `<tr><th>${both({ vi: 'Còn mở', en: 'open' })}</th>${num(inc.open, 'incidents-open')}</tr>` +
      severities
        .map(
          (s) =>
            `<tr><th class="sub"><span class="swatch" style="background:${severityColours[s]}"></span>${both(severityLabels[s])}</th>${num(inc.bySeverity[s], 'incidents-severity', s)}</tr>`,
        )
        .join('') +
      `<tr><th>${both({ vi: 'Số phút tiếp nhận trung bình', en: 'mean minutes to acknowledge' })}</th>${minutesCell(inc.meanMinutesToAcknowledge, 'incidents-mean-minutes-to-acknowledge')}</tr>` +
      `<tr><th>${both({ vi: 'Số phút xử lý trung bình', en: 'mean minutes to resolve' })}</th>${minutesCell(inc.meanMinutesToResolve, 'incidents-mean-minutes-to-resolve')}</tr>` +
      `</tbody></table>` +
      `<figure>${incidentsSvg(incidentBins(inc.list, window), { timeZone: tz, window })}<figcaption>${both(sections.incidentsChart)}: ` +
      `${seconds(window.start)} → ${seconds(window.end)}${window.actual ? '' : ` ${both({ vi: '(kế hoạch)', en: '(planned window)' })}`}</figcaption></figure>` +
      (inc.list.length
        ? `<table class="incidents"><thead><tr>${th({ vi: 'Mã', en: 'id' })}${th({ vi: 'Loại', en: 'type' })}${th({ vi: 'Mức độ', en: 'severity' })}${th({ vi: 'Phiên', en: 'session' })}` +
          `${th({ vi: 'Báo cáo lúc', en: 'reported at' })}${th({ vi: 'Người báo cáo', en: 'reported by' })}${th({ vi: 'Phút tiếp nhận', en: 'minutes to acknowledge' }, 'num')}` +
          `${th({ vi: 'Phút xử lý', en: 'minutes to resolve' }, 'num')}${th({ vi: 'Chuyển cấp', en: 'escalations' }, 'num')}${th({ vi: 'Trạng thái', en: 'status' })}${th({ vi: 'Mô tả và kết quả', en: 'description and resolution' })}</tr></thead><tbody>` +
          inc.list
            .map(
              (i) =>
                `<tr data-incident="${esc(i.id)}" data-severity="${esc(i.severity)}"><td><code>${esc(i.id)}</code></td><td>${esc(i.typeTitle)}</td>` +
                `<td><span class="swatch" style="background:${severityColours[i.severity]}"></span>${esc(severityLabels[i.severity].vi)}</td><td>${i.sessionId ? `<code>${esc(i.sessionId)}</code>` : '—'}</td>` +
                `<td class="time">${seconds(i.reportedAt)}</td><td><code>${esc(i.reportedBy)}</code></td>` +
                minutesCell(i.minutesToAcknowledge, 'incident-minutes-to-acknowledge', i.id) +
                minutesCell(i.minutesToResolve, 'incident-minutes-to-resolve', i.id) +
                `<td class="num">${i.escalations}</td><td>${statusBadge(i.status)}${i.reopened ? ` <span class="muted">(${i.reopened}× ${both({ vi: 'mở lại', en: 'reopened' })})</span>` : ''}</td>` +
                `<td>${esc(truncate(i.description, 400))}${i.resolution ? `<br><span class="muted">→ ${esc(truncate(i.resolution, 400))}</span>` : ''}</td></tr>`,
            )
            .join('') +
          `</tbody></table>`
        : none) +
      (record.sessions.length
        ? `<h3>${both({ vi: 'Theo phiên', en: 'by session' })}</h3><table class="sessions"><thead><tr>${th({ vi: 'Phiên', en: 'session' })}${th({ vi: 'Bắt đầu', en: 'start' })}${th({ vi: 'Kết thúc', en: 'end' })}${th({ vi: 'Trọng số', en: 'weight' }, 'num')}${th({ vi: 'Sự cố', en: 'incidents' }, 'num')}</tr></thead><tbody>` +
          record.sessions
            .map(
              (s) =>
                `<tr><td>${esc(s.title)} <code class="muted">${esc(s.id)}</code></td><td class="time">${time(s.start)}</td><td class="time">${time(s.end)}</td><td class="num">${s.weight}</td>${num(s.incidents, 'session-incidents', s.id)}</tr>`,
            )
            .join('') +
          `</tbody></table>`
        : ''),
  );

  // ── Handovers, lessons, corrective actions ──
  const handovers = section(
    'handovers',
    sections.handovers,
    `<p>${both({ vi: 'Số lần bàn giao', en: 'handovers' })}: <strong${figure('handovers', record.handovers.length)}>${record.handovers.length}</strong></p>` +
      (record.handovers.length
        ? `<table><thead><tr>${th({ vi: 'Ca trực', en: 'shift' })}${th({ vi: 'Từ', en: 'from' })}${th({ vi: 'Nhận ca', en: 'to' })}${th({ vi: 'Lúc', en: 'at' })}${th({ vi: 'Sự cố đang mở', en: 'open incidents' }, 'num')}${th({ vi: 'Ghi chú', en: 'note' })}</tr></thead><tbody>` +
          record.handovers
            .map(
              (h) =>
                `<tr><td><code>${esc(h.shiftId)}</code></td><td>${h.from ? `<code>${esc(h.from)}</code>` : '—'}</td><td><code>${esc(h.to)}</code></td><td class="time">${seconds(h.at)}</td><td class="num">${h.openIncidents.length}</td><td>${esc(h.note ?? '')}</td></tr>`,
            )
            .join('') +
          `</tbody></table>`
        : ''),
  );
  const lessons = section(
    'lessons',
    sections.lessons,
    `<p>${both({ vi: 'Số bài học', en: 'lessons' })}: <strong${figure('lessons', record.lessons.length)}>${record.lessons.length}</strong></p>` +
      (record.lessons.length
        ? `<table><thead><tr>${th({ vi: 'Mã', en: 'id' })}${th({ vi: 'Bài học', en: 'title' })}${th({ vi: 'Nhận định', en: 'observation' })}${th({ vi: 'Kiến nghị', en: 'recommendation' })}${th({ vi: 'Nhóm công tác', en: 'work group' })}${th({ vi: 'Người ghi', en: 'by' })}${th({ vi: 'Lúc', en: 'at' })}</tr></thead><tbody>` +
          record.lessons
            .map(
              (l) =>
                `<tr data-lesson="${esc(l.id)}"><td><code>${esc(l.id)}</code></td><td>${esc(l.title)}</td><td>${esc(l.observation)}</td><td>${esc(l.recommendation ?? '')}</td><td>${l.workGroup ? `<code>${esc(l.workGroup)}</code>` : ''}</td><td><code>${esc(l.by)}</code></td><td class="time">${time(l.at)}</td></tr>`,
            )
            .join('') +
          `</tbody></table>`
        : ''),
  );
  const corrective = section(
    'corrective-actions',
    sections.corrective,
    `<p>${both({ vi: 'Số hành động', en: 'actions' })}: <strong${figure('corrective-actions', record.correctiveActions.length)}>${record.correctiveActions.length}</strong>` +
      correctiveByStatus(record)
        .map(
          (s) =>
            ` · ${both(statusLabel(s.status))}: <strong${figure('corrective-actions-status', s.count, s.status)}>${s.count}</strong>`,
        )
        .join('') +
      `</p>` +
      (record.correctiveActions.length
        ? `<table><thead><tr>${th({ vi: 'Mã', en: 'id' })}${th({ vi: 'Nội dung', en: 'title' })}${th({ vi: 'Đơn vị', en: 'unit' })}${th({ vi: 'Hạn', en: 'due' })}${th({ vi: 'Trạng thái', en: 'status' })}${th({ vi: 'Bài học', en: 'lesson' })}${th({ vi: 'Đóng / chuyển tiếp', en: 'closed / carried over' })}</tr></thead><tbody>` +
          record.correctiveActions
            .map(
              (a) =>
                `<tr data-action="${esc(a.id)}" data-status="${esc(a.status)}"><td><code>${esc(a.id)}</code></td><td>${esc(a.title)}</td><td><code>${esc(a.unit)}</code></td><td class="time">${time(a.due)}</td><td>${statusBadge(a.status)}</td><td>${a.lessonId ? `<code>${esc(a.lessonId)}</code>` : ''}</td>` +
                `<td>${a.closedAt ? `${time(a.closedAt)} — <code>${esc(a.closedBy ?? '')}</code>` : a.carriedOver ? `${time(a.carriedOver.at)} — <code>${esc(a.carriedOver.by)}</code>: ${esc(a.carriedOver.reason)}` : ''}</td></tr>`,
            )
            .join('') +
          `</tbody></table>`
        : ''),
  );

  // ── Timeline ──
  const t = summariseTimeline(record.timeline);
  const timelineRow = (e: TimelineEntry) =>
    `<tr data-seq="${e.seq}" data-kind="${esc(e.kind)}"><td class="time">${seconds(e.at)}</td><td>${e.actor ? `<code>${esc(e.actor)}</code>` : '—'}${e.onBehalfOf ? ` <span class="muted">(${both({ vi: 'thay', en: 'for' })} <code>${esc(e.onBehalfOf)}</code>)</span>` : ''}</td>` +
    `<td><code>${esc(e.type)}</code></td><td>${e.target ? `<code>${esc(e.target)}</code>` : ''}</td><td>${esc(entryOutcome(e))}</td><td>${esc(truncate([e.reason, e.note].filter(Boolean).join(' — '), 200))}</td></tr>`;
  const timeline = section(
    'timeline',
    sections.timeline,
    `<p><strong${figure('timeline-entries', t.total)}>${t.total}</strong> ${both({ vi: 'mục', en: 'entries' })}: ` +
      `<span${figure('timeline-actions', t.actions)}>${t.actions}</span> ${both({ vi: 'hành động', en: 'human actions' })} ${esc('và các thay đổi hệ thống đầy đủ;')} ` +
      `<span${figure('timeline-notifications', t.notifications)}>${t.notifications}</span> ${both({ vi: 'thông báo tự động được đếm theo loại', en: 'notifications, counted by type' })}. ` +
      `${both({ vi: 'Hiển thị', en: 'shown' })}: <span${figure('timeline-shown', t.head.length + t.tail.length)}>${t.head.length + t.tail.length}</span>; ` +
      `${both({ vi: 'lược bớt', en: 'omitted' })}: <span${figure('timeline-omitted', t.omitted)}>${t.omitted}</span>.</p>` +
      (t.counts.length
        ? `<table class="counts"><thead><tr>${th({ vi: 'Thông báo tự động', en: 'notification type' })}${th({ vi: 'Số lượng', en: 'count' }, 'num')}</tr></thead><tbody>` +
          t.counts
            .map((c) => `<tr><td><code>${esc(c.type)}</code></td>${num(c.count, 'timeline-count', c.type)}</tr>`)
            .join('') +
          `</tbody></table>`
        : '') +
      `<table class="timeline"><thead><tr>${th({ vi: 'Thời điểm', en: 'time' })}${th({ vi: 'Người thực hiện', en: 'actor' })}${th({ vi: 'Loại', en: 'type' })}${th({ vi: 'Đối tượng', en: 'target' })}${th({ vi: 'Kết quả', en: 'outcome' })}${th({ vi: 'Ghi chú', en: 'reason or note' })}</tr></thead><tbody>` +
      t.head.map(timelineRow).join('') +
      (t.omitted
        ? `<tr class="omitted"><td colspan="6">… ${t.omitted} ${both({ vi: 'mục được lược bớt', en: 'entries omitted' })} …</td></tr>`
        : '') +
      t.tail.map(timelineRow).join('') +
      `</tbody></table>`,
  );

  const toc = [
    ['summary', sections.summary],
    ['completion', sections.completion],
    ['overdue', sections.overdue],
    ['drills', sections.drills],
    ['readiness', sections.readiness],
    ['incidents', sections.incidents],
    ['handovers', sections.handovers],
    ['lessons', sections.lessons],
    ['corrective-actions', sections.corrective],
    ['timeline', sections.timeline],
  ] as const;

  return (
    `<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">\n` +
    `<meta name="generator" content="readiness-engine after-action report">\n` +
    `<title>${esc(sections.report.vi)} — ${esc(record.title)}</title>\n<style>${CSS}</style>\n</head>\n<body>\n` +
    `<header class="report"><p class="kicker">${both(sections.report)}</p><h1>${esc(record.title)}</h1>` +
    `<p class="sub"><code>${esc(record.eventId)}</code> · ${windowTime(record.window.start)} → ${windowTime(record.window.end)} (${esc(tz)}) · ${both(phaseLabel(record.phase))}</p></header>\n` +
    `<nav><ol>${toc.map(([id, label]) => `<li><a href="#${id}">${esc(label.vi)}</a></li>`).join('')}</ol></nav>\n<main>\n` +
    [summary, completion, overdue, drills, readiness, incidents, handovers, lessons, corrective, timeline].join('\n') +
    `\n</main>\n<footer><p class="muted">${both({ vi: 'Lập lúc', en: 'generated at' })} ${seconds(record.generatedAt)} (${esc(tz)}) · ${both({ vi: 'từ lịch sử quy trình', en: "from the workflow's own history" })}</p></footer>\n</body>\n</html>\n`
  );
}

/** Nothing but inline styles and data: images may run: no script, no fetch, no frame, no form. */
export const REPORT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const list = (items: string[]) => (items.length ? `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>` : '');

const CSS = `
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0;font-family:"Noto Sans","DejaVu Sans","Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2933;background:#fff;line-height:1.45;font-size:14px}
header.report{background:#0d3b66;color:#fff;padding:22px 32px 18px}
header.report h1{font-size:24px;margin:2px 0 6px;line-height:1.25}
header.report .kicker{margin:0;letter-spacing:.03em;font-size:13px;opacity:.9}
header.report .en{color:#cfe0f3}
header.report .sub{margin:0;opacity:.92}
header.report code{color:#fff}
nav{background:#eef3f8;border-bottom:1px solid #d5dee8;padding:6px 32px}
nav ol{margin:0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:4px 18px;font-size:13px}
nav a{color:#0d3b66;text-decoration:none}
main{max-width:1180px;margin:0 auto;padding:8px 32px 40px}
h2{font-size:19px;color:#0d3b66;border-bottom:2px solid #0d3b66;padding-bottom:4px;margin:34px 0 12px}
h3{font-size:16px;margin:22px 0 8px}
h4{font-size:14px;margin:14px 0 6px;font-weight:600}
.en{font-weight:normal;color:#607d8b;font-size:.82em;margin-left:.25em}
th .en,td .en,p .en,li .en,figcaption .en,h4 .en{font-size:.9em}
code{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.9em;color:#37474f}
.muted{color:#78909c}
table{border-collapse:collapse;width:100%;margin:8px 0 16px;font-size:13px}
th,td{border:1px solid #dde3ea;padding:4px 7px;text-align:left;vertical-align:top}
thead th{background:#f1f5f9;font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.total td{background:#f7f9fb;font-weight:600}
table.facts{width:auto;min-width:420px}
table.facts th{background:#f7f9fb;font-weight:600}
table.facts th.sub{font-weight:normal;padding-left:22px}
table.timeline{font-size:12px}
td.time,code{white-space:nowrap}
table.counts,table.legend{width:auto;min-width:420px}
tr.omitted td{text-align:center;background:#fff8e1;font-style:italic}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px;margin:10px 0 18px}
.card{border:1px solid #d5dee8;border-radius:6px;padding:10px 12px;background:#f8fbff}
.card .value{display:block;font-size:28px;font-weight:700;color:#0d3b66;line-height:1.2}
.card .label{font-size:12px;color:#455a64}
figure{margin:14px 0 22px}
figcaption{font-size:13px;color:#455a64;margin-top:4px}
svg.chart{max-width:100%;height:auto;display:block}
.rating{display:inline-block;min-width:1.7em;text-align:center;border-radius:3px;font-weight:700;color:#fff;padding:0 3px}
.rating-P{background:#2e7d32}.rating-S{background:#827717}.rating-M{background:#e65100}.rating-U{background:#b71c1c}
.status{display:inline-block;border-radius:10px;padding:0 8px;background:#eceff1;font-size:12px}
.status-done,.status-passed,.status-resolved{background:#e8f5e9;color:#1b5e20}
.status-failed,.status-todo,.status-blocked,.status-reported{background:#ffebee;color:#b71c1c}
.status-carried_over,.status-waived{background:#ede7f6;color:#4527a0}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:baseline}
article.drill{border-left:3px solid #d5dee8;padding-left:14px;margin:12px 0}
footer{max-width:1180px;margin:0 auto;padding:0 32px 32px;font-size:12px}
@media print{header.report{background:none;color:#000;padding:0}header.report .en{color:#555}nav{display:none}main{padding:0}h2{break-after:avoid}tr{break-inside:avoid}}
`
  .trim()
  .replace(/\n/g, '');
