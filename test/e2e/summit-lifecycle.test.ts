import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { recordFingerprint } from '../../activities/report';
import { type AfterActionRecord } from '../../domain';
import { useTestApi } from '../support/api';
import { launchChromium } from '../support/browser';
import { colourStats, readPng } from '../support/png';
import { expectedFigures, figuresFrom, type FigureAttributes } from '../support/report-figures';
import { uniqueEventId } from '../support/temporal';

/**
 * The sample summit plan through its whole lifecycle over HTTP, against the
 * real app, the run's real Temporal server and a real worker: planning,
 * preparation, a rehearsal where one drill fails and is re-tested after its
 * remediation, a go with one accepted risk, the live event started and ended
 * by the workflow's own timer (incidents, duty handovers), the review with
 * lessons and corrective actions, and the after-action record.
 *
 * Expected figures come from the YAML itself, parsed here, not from the API.
 */

const TEMPLATE_ID = 'asean-summit-security';

interface YamlItem {
  id: string;
  workGroup: string;
  unit?: string;
  phase: string;
  dependsOn?: string[];
  evidenceRequired?: boolean;
}
interface YamlGate {
  id: string;
  phase: string;
  approval: { mode: 'all' | 'any' | 'quorum' | 'percent'; roles: string[]; count?: number; percent?: number };
}
interface YamlScenario {
  id: string;
  units: string[];
  targets: { id: string; unit?: string }[];
}
interface YamlTemplate {
  title: string;
  workGroups: { id: string; title: string; unit: string }[];
  items: YamlItem[];
  gates: YamlGate[];
  drills: { evaluatorRoles: string[]; scenarios: YamlScenario[] };
  sessions: { id: string; weight?: number }[];
  incidents: {
    types: { id: string; procedure?: string }[];
    procedures: { id: string; steps: { id: string; unit: string }[] }[];
  };
  dutyShifts: { id: string }[];
  people: { id: string; roles: string[]; units: string[] }[];
}

const plan = parse(
  readFileSync(path.resolve(__dirname, `../../templates/${TEMPLATE_ID}.yaml`), 'utf8'),
) as YamlTemplate;

// ── Reading the plan ──

const ownerOf = (item: YamlItem) => item.unit ?? plan.workGroups.find((g) => g.id === item.workGroup)!.unit;
const itemsOfPhase = (phase: string) => plan.items.filter((i) => i.phase === phase);
const gateOfPhase = (phase: string) => plan.gates.find((g) => g.phase === phase)!;
const holders = (role: string) => plan.people.filter((p) => p.roles.includes(role));
/** A member of the unit, preferring one who signs nothing (so separation of duties always holds). */
const memberOf = (unit: string) => {
  const members = plan.people.filter((p) => p.units.includes(unit) && !p.roles.includes('viewer'));
  const member = [...members].sort((a, b) => a.roles.length - b.roles.length)[0];
  if (!member) throw new Error(`nobody on the roster belongs to ${unit}`);
  return member.id;
};
/** The work group a unit's generated items (remediation, corrective actions) fall in: the one the unit owns. */
const workGroupOwnedBy = (unit: string) => {
  const group = plan.workGroups.find((g) => g.unit === unit);
  if (!group) throw new Error(`${unit} owns no work group: pick a unit that does`);
  return group.id;
};
/** Dependencies first: every dependency inside the list comes before its dependants. */
function dependencyOrder(items: YamlItem[]): YamlItem[] {
  const ordered: YamlItem[] = [];
  const placed = new Set<string>();
  const visit = (item: YamlItem) => {
    if (placed.has(item.id)) return;
    placed.add(item.id);
    for (const dep of item.dependsOn ?? []) {
      const inList = items.find((i) => i.id === dep);
      if (inList) visit(inList);
    }
    ordered.push(item);
  };
  items.forEach(visit);
  return ordered;
}
/** People who together meet a gate's approval rule, each a distinct person. */
function signersOf(gate: YamlGate): string[] {
  const { mode, roles } = gate.approval;
  const chosen: string[] = [];
  const pick = (candidates: { id: string }[]) => {
    const person = candidates.find((p) => !chosen.includes(p.id));
    if (!person) throw new Error(`no more signers for ${gate.id}`);
    chosen.push(person.id);
  };
  if (mode === 'all') roles.forEach((role) => pick(holders(role)));
  else {
    const eligible = plan.people.filter((p) => p.roles.some((r) => roles.includes(r)));
    const needed =
      mode === 'any'
        ? 1
        : mode === 'quorum'
          ? gate.approval.count!
          : Math.ceil((eligible.length * gate.approval.percent!) / 100);
    for (let i = 0; i < needed; i++) pick(eligible);
  }
  return chosen;
}
const evidenceFor = (id: string) => [{ url: `https://docs.example.org/asean/${id}.pdf` }];

// ── Talking to the API ──

const suite = useTestApi();
const tokens = new Map<string, { Authorization: string }>();
async function as(personId: string) {
  if (!tokens.has(personId)) tokens.set(personId, await suite.api.as(personId, TEMPLATE_ID));
  return tokens.get(personId)!;
}
/** A POST that must answer `status`; the body is shown when it does not. */
async function post(personId: string, url: string, body: object = {}, status = 200) {
  const res = await suite.api.request
    .post(url)
    .set(await as(personId))
    .send(body);
  expect(res.status, `POST ${url} as ${personId}: ${JSON.stringify(res.body)}`).toBe(status);
  return res.body;
}
async function get(url: string, personId = 'planner.linh') {
  const res = await suite.api.request.get(url).set(await as(personId));
  expect(res.status, `GET ${url}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}
/** A GET of the report with the given headers, as text whatever its media type. */
async function getReport(url: string, headers: Record<string, string> = {}, personId = 'planner.linh') {
  return suite.api.request
    .get(url)
    .set(await as(personId))
    .set(headers)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks).toString('utf8')));
    });
}

// Screenshots land here; kept when REPORT_ARTIFACTS_DIR names a directory, removed otherwise.
const artifacts = process.env.REPORT_ARTIFACTS_DIR ?? mkdtempSync(path.join(tmpdir(), 'asean-report-'));
afterAll(() => {
  if (!process.env.REPORT_ARTIFACTS_DIR) rmSync(artifacts, { recursive: true, force: true });
});

describe('the ASEAN summit plan from issuance to the after-action record', () => {
  it(
    'runs planning, preparation, drills, go/no-go, the live event and the review over HTTP',
    { timeout: 300_000 },
    async () => {
      const eventId = uniqueEventId('asean-e2e');
      const ev = `/events/${eventId}`;
      const view = () => get(ev);
      const completeAll = async (items: YamlItem[]) => {
        for (const item of dependencyOrder(items)) {
          await post(memberOf(ownerOf(item)), `${ev}/items/${item.id}/complete`, {
            ...(item.evidenceRequired ? { evidence: evidenceFor(item.id) } : {}),
            note: `${item.id} xong`,
          });
        }
      };
      const signGate = async (gate: YamlGate) => {
        const signers = signersOf(gate);
        for (const signer of signers) {
          await post(signer, `${ev}/gates/${gate.id}/decisions`, { decision: 'approve' }, 201);
        }
        return signers;
      };
      const waitForPhase = async (phase: string, untilMs: number) => {
        for (;;) {
          const current = await view();
          if (current.phase === phase) return current;
          if (Date.now() > untilMs)
            throw new Error(`still ${current.phase} at ${new Date().toISOString()}, not ${phase}`);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      };

      // The window opens after the steps up to the go (about 6 s for ~100 requests when run alone) with a wide
      // margin for a loaded machine; the event lasts long enough for two incidents and two handovers (under 1 s
      // alone). Every relative deadline of the plan is then in the past: reminders and escalations fire at once
      // (the recording notify fake absorbs them) and the history crosses continue-as-new on the way.
      const LEAD_MS = 45_000;
      const LIVE_MS = 20_000;
      const startedAt = Date.now();
      const window = {
        start: new Date(startedAt + LEAD_MS).toISOString(),
        end: new Date(startedAt + LEAD_MS + LIVE_MS).toISOString(),
      };
      await post('planner.linh', '/events', { eventId, template: TEMPLATE_ID, window }, 201);

      // ── Planning, preparation: every item by a member of its owner unit, then the gate per its rule ──
      for (const phase of ['planning', 'preparation']) {
        await completeAll(itemsOfPhase(phase));
        expect((await view()).phase).toBe(phase);
        await signGate(gateOfPhase(phase));
      }
      expect((await view()).phase).toBe('rehearsal');

      // ── Rehearsal: the drills; one fails, is remediated and re-tested ──
      const evaluator = holders(plan.drills.evaluatorRoles[0]!)[0]!.id;
      const failing = plan.drills.scenarios[0]!;
      const failedTarget = failing.targets.find((t) => !t.unit) ?? failing.targets[0]!;
      const remediationUnit = failedTarget.unit ?? failing.units[0]!;
      const rate = (scenario: YamlScenario, worst?: string) => ({
        ratings: scenario.targets.map((t) => ({
          targetId: t.id,
          rating: t.id === worst ? 'major_challenges' : 'performed',
        })),
        strengths: ['Phối hợp giữa các lực lượng nhịp nhàng'],
        gaps: worst ? ['Chuyển mạch chậm hơn 2 phút'] : [],
      });
      const failed = await post(evaluator, `${ev}/drills/${failing.id}/results`, rate(failing, failedTarget.id), 201);
      expect(failed.drill.status).toBe('failed');
      expect(failed.remediation).toHaveLength(1);
      const remediationId: string = failed.remediation[0];
      expect((await view()).items.find((i: { id: string }) => i.id === remediationId)).toMatchObject({
        unit: remediationUnit,
        status: 'todo',
        evidenceRequired: true,
        origin: { kind: 'remediation', scenarioId: failing.id },
      });
      // The re-test waits for the remediation.
      expect((await post(evaluator, `${ev}/drills/${failing.id}/results`, rate(failing), 422)).code).toBe(
        'REMEDIATION_OPEN',
      );
      await post(memberOf(remediationUnit), `${ev}/items/${remediationId}/complete`, {
        evidence: evidenceFor(remediationId),
        note: 'Đã cấu hình chuyển mạch tự động',
      });
      expect((await post(evaluator, `${ev}/drills/${failing.id}/results`, rate(failing), 201)).drill.status).toBe(
        'passed',
      );
      for (const scenario of plan.drills.scenarios.slice(1)) {
        expect((await post(evaluator, `${ev}/drills/${scenario.id}/results`, rate(scenario), 201)).drill.status).toBe(
          'passed',
        );
      }
      await completeAll(itemsOfPhase('rehearsal'));
      await signGate(gateOfPhase('rehearsal'));
      expect((await view()).phase).toBe('readiness');

      // ── Readiness: one check left open; the go must accept it as a risk ──
      const readinessItems = itemsOfPhase('readiness');
      // An item nothing else waits for, so every other check can be completed.
      const leftOpen = readinessItems.find((i) => !readinessItems.some((o) => o.dependsOn?.includes(i.id)))!;
      await completeAll(readinessItems.filter((i) => i.id !== leftOpen.id));
      const beforeGo = await view();
      expect(beforeGo.phase).toBe('readiness');
      const riskKey = `item:${leftOpen.id}`;
      expect(beforeGo.launchBlocking.map((e: { key: string }) => e.key)).toEqual([riskKey]);
      const goGate = gateOfPhase('readiness');
      const goSigners = signersOf(goGate);
      const refused = await post(goSigners[0]!, `${ev}/gates/${goGate.id}/go-no-go`, { decision: 'go' }, 422);
      expect(refused.code).toBe('LAUNCH_BLOCKED');
      expect(refused.entries.map((e: { key: string }) => e.key)).toEqual([riskKey]);
      const justification =
        'Mẫu thực phẩm lấy vào sáng ngày khai mạc; bếp ăn đã được kiểm tra (sampled on opening morning)';
      // The first signer accepts the one entry; it stays accepted for the others, who only say go.
      let lastGo: { gate: { status: string } } | undefined;
      for (const [i, signer] of goSigners.entries()) {
        lastGo = await post(
          signer,
          `${ev}/gates/${goGate.id}/go-no-go`,
          { decision: 'go', ...(i === 0 ? { acceptRisks: [{ key: riskKey, justification }] } : {}) },
          201,
        );
      }
      expect(lastGo?.gate.status).toBe('passed');
      const declared = await view();
      expect(declared.readiness.declaredAt).toBeDefined();
      const readyAfterMs = Date.now() - startedAt;
      expect(readyAfterMs, 'readiness must be declared before the window opens: raise LEAD_MS').toBeLessThan(
        LEAD_MS - 5_000,
      );
      expect(declared.phase).toBe('readiness');

      // ── Live: entered by the workflow's own timer at the window start ──
      await waitForPhase('live', Date.parse(window.start) + 15_000);
      const [firstOfficer, secondOfficer] = holders('duty-officer').map((p) => p.id);
      const [shiftA, shiftB] = plan.dutyShifts;
      await post(
        firstOfficer!,
        `${ev}/duty/handovers`,
        { shiftId: shiftA!.id, to: firstOfficer, note: 'Nhận ca' },
        201,
      );
      await post(
        firstOfficer!,
        `${ev}/duty/handovers`,
        { shiftId: shiftB!.id, to: secondOfficer, note: 'Bàn giao ca, không có sự cố tồn đọng' },
        201,
      );
      const sessionsByWeight = [...plan.sessions].sort((a, b) => (b.weight ?? 1) - (a.weight ?? 1));
      const reported = [
        {
          incidentType: 'cyber-attack',
          severity: 'critical',
          sessionId: sessionsByWeight[0]!.id,
          description: 'Tấn công DDoS vào nền tảng họp trực tuyến (DDoS on the conference platform)',
        },
        {
          incidentType: 'security-threat',
          severity: 'high',
          sessionId: sessionsByWeight[1]!.id,
          description: 'Vali bỏ quên gần cửa đón đoàn (unattended suitcase near the delegation entrance)',
        },
      ];
      const incidents = [];
      for (const body of reported) incidents.push((await post(secondOfficer!, `${ev}/incidents`, body, 201)).incident);
      for (const incident of incidents) {
        await post(secondOfficer!, `${ev}/incidents/${incident.id}/acknowledge`, { note: 'Đã nhận' });
        const type = plan.incidents.types.find((t) => t.id === incident.type)!;
        const steps = plan.incidents.procedures.find((p) => p.id === type.procedure)!.steps;
        expect(incident.steps.map((s: { id: string }) => s.id)).toEqual(steps.map((s) => s.id));
        for (const step of steps) {
          await post(memberOf(step.unit), `${ev}/incidents/${incident.id}/steps/${step.id}`, { outcome: 'done' });
        }
        await post(secondOfficer!, `${ev}/incidents/${incident.id}/resolve`, { resolution: 'Đã xử lý xong' });
      }
      const liveView = await view();
      expect(liveView.phase, 'the live work must finish before the window closes: raise LIVE_MS').toBe('live');
      expect(liveView.openIncidents).toBe(0);
      expect(liveView.duty.onDuty).toBe(secondOfficer);
      expect(liveView.launchBlocking).toEqual([]);

      // ── Review: entered by the timer at the window end ──
      await waitForPhase('review', Date.parse(window.end) + 15_000);
      // Two units that own a work group each: one lesson per work group, one corrective action per unit.
      const correctiveUnits = ['a05-cyber', 'hanoi-fire-police'];
      const lessonGroups = correctiveUnits.map(workGroupOwnedBy);
      const lessons = [];
      for (const workGroup of lessonGroups) {
        lessons.push(
          (
            await post(
              'planner.linh',
              `${ev}/lessons`,
              {
                title: `Bài học ${workGroup}`,
                observation: 'Thời gian phản ứng đạt yêu cầu nhưng báo cáo chậm',
                recommendation: 'Chuẩn hóa mẫu báo cáo nhanh',
                workGroup,
              },
              201,
            )
          ).lesson,
        );
      }
      const corrective: string[] = [];
      for (const [i, unit] of correctiveUnits.entries()) {
        const added = await post(
          'planner.linh',
          `${ev}/corrective-actions`,
          {
            title: `Khắc phục tồn tại ${i + 1}`,
            unit,
            due: new Date(Date.now() + 30 * 86_400_000).toISOString(),
            lessonId: lessons[i].id,
          },
          201,
        );
        corrective.push(added.itemId);
      }
      const [closedAction, carriedAction] = corrective;
      const closer = memberOf(correctiveUnits[0]!);
      await post(closer, `${ev}/items/${closedAction}/complete`, { note: 'Đã hoàn thành' });
      await post('planner.linh', `${ev}/corrective-actions/${carriedAction}/carry-over`, {
        reason: 'Chuyển sang kế hoạch của sự kiện tiếp theo',
      });
      const reviewGate = gateOfPhase('review');
      await signGate(reviewGate);

      // ── The final state ──
      const final = await view();
      expect(final.phase).toBe('closed');
      expect(final.phaseChanges.map((c: { phase: string }) => c.phase)).toEqual([
        'planning',
        'preparation',
        'rehearsal',
        'readiness',
        'live',
        'review',
        'closed',
      ]);
      const changedAt = (phase: string) => final.phaseChanges.find((c: { phase: string }) => c.phase === phase).at;
      expect(changedAt('live')).toBe(window.start);
      expect(changedAt('review')).toBe(window.end);
      expect(final.readiness.signers.map((s: { by: string }) => s.by).sort()).toEqual([...goSigners].sort());
      expect(final.readiness.acceptedRisks).toEqual([
        expect.objectContaining({ key: riskKey, justification, by: goSigners[0], unit: ownerOf(leftOpen) }),
      ]);

      // ── The after-action record, figure by figure ──
      const record = await get(`${ev}/review`);
      expect(record.phase).toBe('closed');
      // The record is folded from history across continue-as-new runs: it agrees with the live state.
      expect(record.phases).toEqual(final.phaseChanges);
      expect(
        record.completion.workGroups.map((g: { id: string; total: number; done: number }) => [g.id, g.total, g.done]),
      ).toEqual(final.workGroups.map((g: { id: string; total: number; done: number }) => [g.id, g.total, g.done]));

      // Completion: the plan's items per work group, plus the remediation item and the corrective actions.
      const byGroup: Record<string, { done: number; open: number; carriedOver: number }> = {};
      const add = (group: string, field: 'done' | 'open' | 'carriedOver') => {
        byGroup[group] ??= { done: 0, open: 0, carriedOver: 0 };
        byGroup[group][field]++;
      };
      for (const item of plan.items) add(item.workGroup, item.id === leftOpen.id ? 'open' : 'done');
      add(workGroupOwnedBy(remediationUnit), 'done');
      add(workGroupOwnedBy(correctiveUnits[0]!), 'done');
      add(workGroupOwnedBy(correctiveUnits[1]!), 'carriedOver');
      expect(record.completion.workGroups).toHaveLength(plan.workGroups.length);
      for (const group of plan.workGroups) {
        const expected = byGroup[group.id] ?? { done: 0, open: 0, carriedOver: 0 };
        const actual = record.completion.workGroups.find((g: { id: string }) => g.id === group.id);
        expect({
          id: group.id,
          total: actual.total,
          done: actual.done,
          open: actual.open,
          carriedOver: actual.carriedOver,
        }).toEqual({
          id: group.id,
          total: expected.done + expected.open + expected.carriedOver,
          ...expected,
        });
      }
      expect(record.completion.overall.total).toBe(plan.items.length + 1 + corrective.length);

      // Drills: the failed scenario failed, was remediated and passed; every other passed at once.
      expect(record.drills.map((d: { id: string }) => d.id)).toEqual(plan.drills.scenarios.map((s) => s.id));
      for (const drill of record.drills) {
        expect(drill.status).toBe('passed');
        const outcomes = drill.attempts.map((a: { outcome: string }) => a.outcome);
        if (drill.id === failing.id) {
          expect(outcomes).toEqual(['failed', 'passed']);
          expect(drill.attempts[0].remediation).toEqual([
            { id: remediationId, status: 'done', completedAt: expect.any(String) },
          ]);
          expect(
            drill.attempts[0].ratings.find((r: { targetId: string }) => r.targetId === failedTarget.id).rating,
          ).toBe('major_challenges');
          expect(drill.attempts[1].remediation).toEqual([]);
        } else {
          expect(outcomes).toEqual(['passed']);
        }
      }

      // Readiness: the signers of the go and the one accepted risk with its justification.
      expect(record.readiness.declaredAt).toBe(declared.readiness.declaredAt);
      expect(record.readiness.signers.map((s: { by: string }) => s.by).sort()).toEqual([...goSigners].sort());
      expect(record.readiness.risksAccepted).toHaveLength(1);
      expect(record.readiness.risksAccepted[0]).toMatchObject({ key: riskKey, justification, by: goSigners[0] });
      expect(record.readiness.noGoDecisions).toEqual([]);

      // Incidents: two, one critical, both acknowledged and resolved, each in its session.
      expect(record.incidents.total).toBe(2);
      expect(record.incidents.open).toBe(0);
      expect(record.incidents.bySeverity).toEqual({ low: 0, moderate: 0, high: 1, critical: 1 });
      expect(record.incidents.list).toHaveLength(2);
      for (const [i, row] of record.incidents.list.entries()) {
        expect(row).toMatchObject({
          type: reported[i]!.incidentType,
          severity: reported[i]!.severity,
          sessionId: reported[i]!.sessionId,
          status: 'resolved',
        });
        expect(row.minutesToAcknowledge).not.toBeNull();
        expect(row.minutesToAcknowledge).toBeGreaterThanOrEqual(0);
        expect(row.minutesToResolve).not.toBeNull();
        expect(row.minutesToResolve).toBeGreaterThanOrEqual(row.minutesToAcknowledge);
        expect(row.steps.every((s: { status: string }) => s.status === 'done')).toBe(true);
      }
      for (const session of record.sessions) {
        expect(session.incidents).toBe(reported.filter((r) => r.sessionId === session.id).length);
      }

      // Duty: the first officer took duty, then handed over to the second.
      expect(record.handovers).toEqual([
        expect.objectContaining({ shiftId: shiftA!.id, to: firstOfficer }),
        expect.objectContaining({ shiftId: shiftB!.id, from: firstOfficer, to: secondOfficer }),
      ]);
      expect(record.handovers[0].from).toBeUndefined();

      // Review: two lessons, two corrective actions: one closed by its unit, one carried over.
      expect(record.lessons.map((l: { workGroup: string }) => l.workGroup)).toEqual(lessonGroups);
      expect(record.correctiveActions).toEqual([
        expect.objectContaining({
          id: closedAction,
          unit: correctiveUnits[0],
          status: 'done',
          closedBy: closer,
          lessonId: lessons[0].id,
        }),
        expect.objectContaining({
          id: carriedAction,
          unit: correctiveUnits[1],
          status: 'carried_over',
          carriedOver: expect.objectContaining({ by: 'planner.linh' }),
        }),
      ]);

      // Timeline: the go decisions, the incidents and every phase change, in order.
      const entries = record.timeline as {
        type: string;
        actor?: string;
        target?: string;
        detail?: Record<string, unknown>;
      }[];
      expect(entries.filter((e) => e.type === 'unreplayable')).toEqual([]);
      expect(entries.filter((e) => e.type === 'decideGoNoGo').map((e) => [e.actor, e.detail?.acceptedRisks])).toEqual(
        goSigners.map((signer, i) => [signer, i === 0 ? [riskKey] : []]),
      );
      expect(entries.filter((e) => e.type === 'reportIncident').map((e) => e.target)).toEqual(
        incidents.map((i: { id: string }) => i.id),
      );
      expect(entries.filter((e) => e.type === 'incidentReported')).toHaveLength(2);
      expect(entries.filter((e) => e.type === 'resolveIncident')).toHaveLength(2);
      // Each phase change is a system entry (from, to); the clock-driven ones also notify everyone (phaseEntered).
      expect(entries.filter((e) => e.type === 'phaseChanged').map((e) => e.detail?.to)).toEqual([
        'preparation',
        'rehearsal',
        'readiness',
        'live',
        'review',
        'closed',
      ]);
      expect(entries.filter((e) => e.type === 'phaseEntered').map((e) => e.target)).toHaveLength(2);

      // ── The after-action report: rendered, stored, served as HTML and Markdown ──
      const { links: _links, ...recordOnly } = record as AfterActionRecord & { links: unknown };
      const reportUrl = `${ev}/report`;
      const htmlRes = await getReport(reportUrl, { Accept: 'text/html' });
      expect(htmlRes.status).toBe(200);
      expect(htmlRes.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(htmlRes.headers['x-report-source']).toBe('rendered');
      // The report is of the same record /review answered with.
      const fingerprint = recordFingerprint(recordOnly);
      expect(htmlRes.headers['x-report-fingerprint']).toBe(fingerprint);
      const html = htmlRes.body as string;
      const stored = path.join(suite.api.reportsDir, eventId);
      expect(readFileSync(path.join(stored, 'report.html'), 'utf8')).toBe(html);
      expect(JSON.parse(readFileSync(path.join(stored, 'report.json'), 'utf8'))).toMatchObject({
        eventId,
        fingerprint,
      });

      const mdRes = await getReport(reportUrl, { Accept: 'text/markdown' });
      expect(mdRes.status).toBe(200);
      expect(mdRes.headers['content-type']).toBe('text/markdown; charset=utf-8');
      // Nothing changed since: the stored report, not a new one.
      expect([mdRes.headers['x-report-source'], mdRes.headers['x-report-fingerprint']]).toEqual([
        'stored',
        fingerprint,
      ]);
      const markdown = mdRes.body as string;
      expect(readFileSync(path.join(stored, 'report.md'), 'utf8')).toBe(markdown);
      expect(markdown).toContain(
        `- Tổng số (total): **${record.incidents.total}**; còn mở (open): ${record.incidents.open}`,
      );
      for (const group of plan.workGroups) expect(markdown).toContain(group.id);
      // format= wins over Accept; HTML is the default.
      expect((await getReport(`${reportUrl}?format=md`, { Accept: 'text/html' })).body).toBe(markdown);
      expect((await getReport(`${reportUrl}?format=html`, { Accept: 'text/markdown' })).body).toBe(html);
      expect((await getReport(reportUrl, { Accept: '*/*' })).headers['content-type']).toBe('text/html; charset=utf-8');
      expect((await getReport(reportUrl, { 'If-None-Match': htmlRes.headers.etag! })).status).toBe(304);
      expect((await getReport(`${reportUrl}?format=pdf`)).status).toBe(400);
      // Like /review, for full readers only: a unit member is refused.
      const scoped = await getReport(reportUrl, {}, memberOf(correctiveUnits[0]!));
      expect([scoped.status, JSON.parse(scoped.body as string).code]).toEqual([403, 'READ_FORBIDDEN']);

      // ── The HTML report in a real browser: figures read from the rendered page equal the record ──
      const file = path.join(artifacts, `${eventId}.html`);
      writeFileSync(file, html);
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        const requested: string[] = [];
        page.on('request', (request) => void requested.push(request.url()));
        await page.setViewport({ width: 1280, height: 900, deviceScaleFactor: 1 });
        await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
        // Self-contained: the document is the only thing the page loaded.
        expect(requested).toEqual([pathToFileURL(file).href]);
        expect(await page.evaluate('[document.characterSet, document.documentElement.lang]')).toEqual(['UTF-8', 'vi']);

        const elements: FigureAttributes[] = await page.$$eval('[data-figure]', (nodes) =>
          nodes.map((n) => ({
            figure: n.getAttribute('data-figure') ?? '',
            scope: n.getAttribute('data-scope'),
            value: n.getAttribute('data-value') ?? '',
          })),
        );
        expect(Object.fromEntries(figuresFrom(elements))).toEqual(Object.fromEntries(expectedFigures(record)));
        // The incident bars drawn add up to the record, per severity.
        const bars: { severity: string; value: number }[] = await page.$$eval('rect[data-severity]', (nodes) =>
          nodes.map((n) => ({
            severity: n.getAttribute('data-severity') ?? '',
            value: Number(n.getAttribute('data-value')),
          })),
        );
        const drawn: Record<string, number> = { low: 0, moderate: 0, high: 0, critical: 0 };
        for (const bar of bars) drawn[bar.severity]! += bar.value;
        expect(drawn).toEqual(record.incidents.bySeverity);
        const burnUpPoints: number = await page.$$eval('[data-chart="burn-up"] [data-point]', (nodes) => nodes.length);
        expect(burnUpPoints).toBe(record.burnUp.length);

        // Vietnamese labels render as text: the report's own, the plan's, and people's notes.
        const text: string = await page.$eval('body', (body) => body.innerText);
        for (const label of [
          'Báo cáo sau hoạt động',
          'Hoàn thành theo nhóm công tác',
          plan.title,
          plan.workGroups[0]!.title,
          reported[0]!.description,
          justification,
        ]) {
          expect(text).toContain(label);
        }

        // A screenshot of the first screen: a valid PNG of the viewport's size, and not blank.
        const shot = path.join(artifacts, `${eventId}.png`);
        await page.screenshot({ path: shot, type: 'png' });
        const png = readPng(readFileSync(shot));
        expect([png.width, png.height]).toEqual([1280, 900]);
        const screen = colourStats(png);
        expect(screen.distinctColours).toBeGreaterThan(50);
        expect(screen.dominantShare).toBeLessThan(0.9);
        // The burn-up chart, drawn: its own screenshot is the chart's size and has lines and text on it.
        const chart = (await page.$('svg[aria-labelledby^="burn-up-title"]'))!;
        const box = (await chart.boundingBox())!;
        const chartShot = path.join(artifacts, `${eventId}-burn-up.png`);
        await chart.screenshot({ path: chartShot, type: 'png' });
        const chartPng = readPng(readFileSync(chartShot));
        expect([chartPng.width, chartPng.height]).toEqual([Math.round(box.width), Math.round(box.height)]);
        expect(colourStats(chartPng).distinctColours).toBeGreaterThan(10);
        expect(colourStats(chartPng).dominantShare).toBeLessThan(0.95);
      } finally {
        await browser.close();
      }
    },
  );
});
