import { type AfterActionRecord, type TimelineEntry } from '../../domain';
import { incidentBins, spreadIndices } from './charts';
import { escapeMarkdown as md, truncate } from './escape';
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
  severityLabels,
  statusLabel,
  summariseTimeline,
  type Label,
} from './format';

/**
 * The after-action report as Markdown (GitHub-flavoured tables). Pure: the
 * same record gives the same text. Every piece of text from the record is
 * escaped (no markup, links or raw HTML can come through); charts become
 * small tables of the same numbers.
 */
export function renderMarkdown(record: AfterActionRecord): string {
  const tz = record.window.timeZone;
  const time = (iso: string | null | undefined) => localTime(iso, tz);
  const seconds = (iso: string | null | undefined) => localTime(iso, tz, { seconds: true });
  // A window shorter than an hour (a rehearsal, a test) is shown to the second.
  const short = Date.parse(record.window.end) - Date.parse(record.window.start) < 3_600_000;
  const windowTime = short ? seconds : time;
  const both = (l: Label) => (l.vi === l.en ? md(l.vi) : `${md(l.vi)} (${md(l.en)})`);
  const heading = (level: number, l: Label) => `${'#'.repeat(level)} ${both(l)}`;
  const table = (headers: string[], rows: (string | number)[][]) =>
    [
      `| ${headers.join(' | ')} |`,
      `| ${headers.map(() => '---').join(' | ')} |`,
      ...rows.map((row) => `| ${row.map((c) => (c === '' ? ' ' : String(c))).join(' | ')} |`),
    ].join('\n');
  const none = '_Không có (none)._';
  const out: string[] = [];
  const push = (...blocks: string[]) => out.push(...blocks, '');

  // ── Summary ──
  const overall = record.completion.overall;
  push(`# ${md(sections.report.vi)}: ${md(record.title)}`, `_${md(sections.report.en)}_`);
  push(heading(2, sections.summary));
  push(
    table(
      ['', ''],
      [
        ['Sự kiện (event)', md(record.eventId)],
        ...(record.program ? [['Chương trình (program)', md(record.program)]] : []),
        ['Mẫu kế hoạch (template)', `${md(record.template.id)} · ${md(record.template.hash)}`],
        ['Thời gian (window)', `${windowTime(record.window.start)} → ${windowTime(record.window.end)} (${md(tz)})`],
        ['Giai đoạn (phase)', both(phaseLabel(record.phase))],
        ['Lập lúc (generated at)', seconds(record.generatedAt)],
      ],
    ),
  );
  push(
    [
      `- Hạng mục hoàn thành (items done): **${overall.done}** / ${overall.total}; đúng hạn (on time) ${overall.onTime}, trễ hạn (late) ${overall.late}, còn mở (open) ${overall.open}; ${overall.percentOnTime}% đúng hạn`,
      `- Diễn tập đạt (drills passed): **${record.drills.filter((d) => d.status === 'passed').length}** / ${record.drills.length}`,
      `- Sự cố (incidents): **${record.incidents.total}**, còn mở (open) ${record.incidents.open}`,
      `- Chuyển cấp xử lý (escalations): **${record.overdue.escalations.total}**; nhắc việc (reminders) ${record.overdue.reminders}`,
      `- Rủi ro được chấp nhận (risks accepted): **${record.readiness.risksAccepted.length}**`,
    ].join('\n'),
  );
  push(heading(3, { vi: 'Các giai đoạn', en: 'Phases' }));
  push(
    table(
      ['Giai đoạn (phase)', 'Bắt đầu (start)', 'Kết thúc (end)'],
      phaseSpans(record).map((s) => [both(phaseLabel(s.phase)), seconds(s.start), s.end ? seconds(s.end) : '—']),
    ),
  );

  // ── Completion ──
  push(heading(2, sections.completion));
  const completionRow = (title: string, unit: string, c: typeof overall) => [
    title,
    unit,
    c.total,
    c.done,
    ...completionParts.map((p) => c[p.key]),
    `${c.percentOnTime}%`,
  ];
  push(
    table(
      [
        'Nhóm công tác (work group)',
        'Đơn vị (unit)',
        'Tổng (total)',
        'Hoàn thành (done)',
        ...completionParts.map((p) => both(p.label)),
        '% đúng hạn',
      ],
      [
        ...record.completion.workGroups.map((g) => completionRow(`${md(g.title)} (${md(g.id)})`, md(g.unit), g)),
        completionRow('**Tổng cộng (overall)**', '', overall),
      ],
    ),
  );
  push(heading(3, sections.burnUp));
  if (record.burnUp.length === 0) push(none);
  else {
    const picked = spreadIndices(record.burnUp.length, 12).map((i) => record.burnUp[i]!);
    push(
      table(
        ['Ngày (date, UTC)', 'Kế hoạch (planned)', 'Hoàn thành (done)'],
        picked.map((p) => [p.date, p.planned, p.done]),
      ),
    );
  }

  // ── Overdue and escalations ──
  const o = record.overdue;
  push(heading(2, sections.overdue));
  push(
    [
      `- Hoàn thành trễ hạn (completed late): **${o.itemsCompletedLate}**`,
      `- Còn mở quá hạn (open past due): **${o.itemsOpenPastDue}**`,
      `- Nhắc việc đã gửi (reminders sent): ${o.reminders}`,
      `- Chuyển cấp xử lý (escalations): **${o.escalations.total}** — hạng mục (items) ${o.escalations.items}, cổng phê duyệt (gates) ${o.escalations.gates}, diễn tập (drills) ${o.escalations.drills}, sự cố (incidents) ${o.escalations.incidents}`,
      `- Theo cấp (by level): ${
        Object.entries(o.escalations.byLevel)
          .sort(([a], [b]) => Number(a) - Number(b))
          .map(([level, n]) => `cấp ${md(level)}: ${n}`)
          .join(', ') || '—'
      }`,
      `- Kiểm điểm tiến độ (progress reviews): ${o.progressReviews}; báo cáo bị thiếu (missed reports): ${o.missedReports}`,
    ].join('\n'),
  );
  if (o.byUnit.length) {
    push(
      table(
        ['Đơn vị (unit)', 'Trễ hạn (completed late)', 'Quá hạn còn mở (open past due)'],
        o.byUnit.map((u) => [md(u.unit), u.completedLate, u.openPastDue]),
      ),
    );
  }

  // ── Drills ──
  push(heading(2, sections.drills));
  const counts = ratingCounts(record);
  push(
    drillRatings
      .map((r) => `- **${ratingCodes[r]}** — ${md(ratingMeanings[r].vi)} (${md(ratingMeanings[r].en)}): ${counts[r]}`)
      .join('\n'),
  );
  if (record.drills.length === 0) push(none);
  for (const drill of record.drills) {
    push(
      `### ${md(drill.title)} (${md(drill.id)})`,
      `Trạng thái (status): **${both(statusLabel(drill.status))}** · mức độ (severity): ${both(severityLabels[drill.severity])} · đơn vị (units): ${drill.units.map(md).join(', ')} · số lần (attempts): ${drill.attempts.length}`,
    );
    if (drill.waiver) {
      push(
        `Miễn diễn tập (waived) bởi ${md(drill.waiver.by)} lúc ${time(drill.waiver.at)}: ${md(drill.waiver.justification)}`,
      );
    }
    for (const attempt of drill.attempts) {
      push(
        `**Lần ${attempt.attempt} (attempt ${attempt.attempt})** — ${seconds(attempt.at)} — ${md(attempt.by)} — ${both(statusLabel(attempt.outcome))}`,
      );
      push(
        table(
          ['Mục tiêu (target)', 'Đánh giá (rating)', 'Nhận xét (observation)'],
          attempt.ratings.map((r) => [
            `${md(r.title)} (${md(r.targetId)})`,
            `**${ratingCodes[r.rating]}** — ${md(ratingMeanings[r.rating].vi)}`,
            md(r.observation ?? ''),
          ]),
        ),
      );
      const lines = [
        ...attempt.strengths.map((s) => `- Điểm mạnh (strength): ${md(s)}`),
        ...attempt.gaps.map((g) => `- Tồn tại (gap): ${md(g)}`),
        ...(attempt.observations ? [`- Nhận xét chung (observations): ${md(attempt.observations)}`] : []),
        ...attempt.remediation.map(
          (r) =>
            `- Khắc phục (remediation) ${md(r.id)}: ${both(statusLabel(r.status))}${r.completedAt ? `, ${time(r.completedAt)}` : ''}`,
        ),
      ];
      if (lines.length) push(lines.join('\n'));
    }
  }

  // ── Readiness ──
  const ready = record.readiness;
  push(heading(2, sections.readiness));
  push(
    ready.declaredAt
      ? `Tuyên bố sẵn sàng lúc (declared ready at) **${seconds(ready.declaredAt)}**, ${ready.signers.length} người ký (signers).`
      : '_Chưa tuyên bố sẵn sàng (not declared ready)._',
  );
  if (ready.signers.length) {
    push(
      table(
        ['Người ký (signer)', 'Thay mặt (on behalf of)', 'Lúc (at)', 'Vai trò (roles)'],
        ready.signers.map((s) => [md(s.by), md(s.onBehalfOf ?? ''), seconds(s.at), s.roles.map(md).join(', ')]),
      ),
    );
  }
  push(heading(3, { vi: 'Rủi ro được chấp nhận', en: 'Risks accepted' }));
  push(
    ready.risksAccepted.length
      ? table(
          [
            'Mục (entry)',
            'Nội dung (title)',
            'Đơn vị (unit)',
            'Lý do chấp nhận (justification)',
            'Người chấp nhận (by)',
            'Lúc (at)',
          ],
          ready.risksAccepted.map((r) => [
            md(r.key),
            md(r.title),
            md(r.unit),
            md(r.justification),
            md(r.by) + (r.onBehalfOf ? ` (thay/for ${md(r.onBehalfOf)})` : ''),
            seconds(r.at),
          ]),
        )
      : none,
  );
  if (ready.noGoDecisions.length) {
    push(heading(3, { vi: 'Quyết định chưa sẵn sàng', en: 'No-go decisions' }));
    push(
      table(
        ['Cổng (gate)', 'Người quyết định (by)', 'Lúc (at)', 'Lý do (reason)', 'Mục còn vướng (blocking)'],
        ready.noGoDecisions.map((d) => [md(d.gateId), md(d.by), seconds(d.at), md(d.reason), d.blocking]),
      ),
    );
  }

  // ── Incidents ──
  const inc = record.incidents;
  push(heading(2, sections.incidents));
  push(
    [
      `- Tổng số (total): **${inc.total}**; còn mở (open): ${inc.open}`,
      `- Theo mức độ (by severity): ${severities.map((s) => `${md(severityLabels[s].vi)} ${inc.bySeverity[s]}`).join(', ')}`,
      `- Thời gian tiếp nhận trung bình (mean minutes to acknowledge): ${minutes(inc.meanMinutesToAcknowledge)}`,
      `- Thời gian xử lý trung bình (mean minutes to resolve): ${minutes(inc.meanMinutesToResolve)}`,
    ].join('\n'),
  );
  if (inc.list.length === 0) push(none);
  else {
    push(
      table(
        [
          'Mã (id)',
          'Loại (type)',
          'Mức độ (severity)',
          'Phiên (session)',
          'Báo cáo lúc (reported)',
          'Người báo cáo (by)',
          'Phút tiếp nhận (to acknowledge)',
          'Phút xử lý (to resolve)',
          'Trạng thái (status)',
          'Mô tả (description)',
          'Kết quả xử lý (resolution)',
        ],
        inc.list.map((i) => [
          md(i.id),
          md(i.typeTitle),
          md(severityLabels[i.severity].vi),
          md(i.sessionId ?? '—'),
          seconds(i.reportedAt),
          md(i.reportedBy),
          minutes(i.minutesToAcknowledge),
          minutes(i.minutesToResolve),
          both(statusLabel(i.status)),
          md(truncate(i.description, 300)),
          md(truncate(i.resolution ?? '', 300)),
        ]),
      ),
    );
  }
  const window = liveWindow(record);
  const bins = incidentBins(inc.list, window).filter((b) => severities.some((s) => b.counts[s] > 0));
  push(heading(3, sections.incidentsChart));
  push(`${seconds(window.start)} → ${seconds(window.end)}${window.actual ? '' : ' (kế hoạch, planned)'}`);
  if (bins.length) {
    push(
      table(
        ['Từ (from)', 'Đến (to)', ...severities.map((s) => md(severityLabels[s].vi))],
        bins.map((b) => [seconds(b.start), seconds(b.end), ...severities.map((s) => b.counts[s])]),
      ),
    );
  }
  if (record.sessions.length) {
    push(
      table(
        ['Phiên (session)', 'Bắt đầu (start)', 'Kết thúc (end)', 'Sự cố (incidents)'],
        record.sessions.map((s) => [`${md(s.title)} (${md(s.id)})`, time(s.start), time(s.end), s.incidents]),
      ),
    );
  }

  // ── Handovers, lessons, corrective actions ──
  push(heading(2, sections.handovers));
  push(
    record.handovers.length
      ? table(
          [
            'Ca trực (shift)',
            'Từ (from)',
            'Nhận ca (to)',
            'Lúc (at)',
            'Sự cố đang mở (open incidents)',
            'Ghi chú (note)',
          ],
          record.handovers.map((h) => [
            md(h.shiftId),
            md(h.from ?? '—'),
            md(h.to),
            seconds(h.at),
            h.openIncidents.length,
            md(h.note ?? ''),
          ]),
        )
      : none,
  );
  push(heading(2, sections.lessons));
  push(
    record.lessons.length
      ? table(
          [
            'Mã (id)',
            'Bài học (title)',
            'Nhận định (observation)',
            'Kiến nghị (recommendation)',
            'Nhóm công tác',
            'Người ghi (by)',
            'Lúc (at)',
          ],
          record.lessons.map((l) => [
            md(l.id),
            md(l.title),
            md(l.observation),
            md(l.recommendation ?? ''),
            md(l.workGroup ?? ''),
            md(l.by),
            time(l.at),
          ]),
        )
      : none,
  );
  push(heading(2, sections.corrective));
  const byStatus = correctiveByStatus(record);
  if (byStatus.length) push(byStatus.map((s) => `- ${both(statusLabel(s.status))}: ${s.count}`).join('\n'));
  push(
    record.correctiveActions.length
      ? table(
          [
            'Mã (id)',
            'Nội dung (title)',
            'Đơn vị (unit)',
            'Hạn (due)',
            'Trạng thái (status)',
            'Bài học (lesson)',
            'Đóng / chuyển tiếp (closed / carried over)',
          ],
          record.correctiveActions.map((a) => [
            md(a.id),
            md(a.title),
            md(a.unit),
            time(a.due),
            both(statusLabel(a.status)),
            md(a.lessonId ?? ''),
            a.closedAt
              ? `${time(a.closedAt)} — ${md(a.closedBy ?? '')}`
              : a.carriedOver
                ? `${time(a.carriedOver.at)} — ${md(a.carriedOver.by)}: ${md(a.carriedOver.reason)}`
                : '',
          ]),
        )
      : none,
  );
  // ── Timeline ──
  const summary = summariseTimeline(record.timeline);
  push(heading(2, sections.timeline));
  push(
    `${summary.total} mục (entries): ${summary.actions} hành động (actions) và các thay đổi hệ thống (system changes) đầy đủ; ` +
      `${summary.notifications} thông báo tự động (notifications) được đếm theo loại.` +
      (summary.omitted ? ` ${summary.omitted} mục ở giữa được lược bớt (omitted).` : ''),
  );
  const timelineRow = (e: TimelineEntry) => [
    seconds(e.at),
    e.actor ? md(e.actor) + (e.onBehalfOf ? ` (thay/for ${md(e.onBehalfOf)})` : '') : '—',
    md(e.type),
    e.target ? md(e.target) : '',
    md(entryOutcome(e)),
    md(truncate([e.reason, e.note].filter(Boolean).join(' — '), 200)),
  ];
  push(
    table(
      ['Thời điểm (time)', 'Người thực hiện (actor)', 'Loại (type)', 'Đối tượng (target)', 'Kết quả', 'Ghi chú (note)'],
      [
        ...summary.head.map(timelineRow),
        ...(summary.omitted ? [['…', `${summary.omitted} mục được lược bớt (entries omitted)`, '', '', '', '']] : []),
        ...summary.tail.map(timelineRow),
      ],
    ),
  );
  if (summary.counts.length) {
    push(heading(3, { vi: 'Thông báo tự động', en: 'Notifications sent' }));
    push(
      table(
        ['Loại (type)', 'Số lượng (count)'],
        summary.counts.map((c) => [md(c.type), c.count]),
      ),
    );
  }

  return `${out.join('\n').trimEnd()}\n`;
}
