import { planTemplateSchema, type PlanTemplate, type PlanTemplateInput } from '../../domain';

/**
 * A small template for tests, independent of the sample YAML so that editing
 * the samples never breaks the rules' tests.
 */
export const tinyTemplateInput = {
  id: 'tiny-summit',
  title: 'Tiny summit',
  defaultTimeZone: 'Asia/Ho_Chi_Minh',
  roles: [
    { id: 'steering-head', title: 'Steering head' },
    { id: 'office-chief', title: 'Standing office chief' },
  ],
  units: [
    { id: 'office', title: 'Standing office' },
    { id: 'cyber', title: 'Cyber security department', parent: 'office' },
    { id: 'police', title: 'City police', parent: 'office' },
  ],
  workGroups: [
    { id: 'plan', title: 'Plans', unit: 'office' },
    { id: 'cyber', title: 'Cyber security', unit: 'cyber' },
    { id: 'order', title: 'Public order', unit: 'police' },
  ],
  items: [
    {
      id: 'plan.master',
      title: 'Issue the master plan',
      workGroup: 'plan',
      phase: 'planning',
      due: { daysBefore: 60, at: '17:00' },
    },
    {
      id: 'plan.cyber',
      title: 'Cyber-security plan for online sessions',
      workGroup: 'cyber',
      phase: 'planning',
      due: { daysBefore: 45, at: '17:00' },
      dependsOn: ['plan.master'],
      evidenceRequired: true,
    },
    {
      id: 'order.routes',
      title: 'Secure the motorcade routes',
      workGroup: 'order',
      phase: 'preparation',
      due: { daysBefore: 3, at: '08:00' },
    },
  ],
  gates: [
    {
      id: 'plan-approval',
      title: 'Plan approval',
      phase: 'planning',
      covers: ['plan.master', 'plan.cyber'],
      approval: { mode: 'all', roles: ['office-chief', 'steering-head'] },
    },
    {
      id: 'preparation-complete',
      title: 'Preparation complete',
      phase: 'preparation',
      covers: ['order.routes'],
      approval: { mode: 'any', roles: ['steering-head'] },
    },
  ],
  people: [
    { id: 'planner.linh', name: 'Trần Thị Linh', roles: ['planner'] },
    { id: 'head.tuan', name: 'Nguyễn Văn Tuấn', roles: ['steering-head'] },
    { id: 'office.mai', name: 'Lê Thị Mai', roles: ['office-chief'], units: ['office'] },
    { id: 'cyber.hung', name: 'Phạm Văn Hùng', units: ['cyber'] },
    { id: 'police.nam', name: 'Đỗ Văn Nam', units: ['police'] },
    { id: 'both.roles', name: 'Holder of both roles', roles: ['office-chief', 'steering-head'] },
    { id: 'duty.khoa', name: 'Trịnh Minh Khoa', roles: ['duty-officer'] },
    { id: 'viewer.trang', name: 'Phan Thu Trang', roles: ['viewer'], units: ['police'] },
    { id: 'admin.root', name: 'System administrator', roles: ['admin'] },
  ],
} satisfies PlanTemplateInput;

export function tinyTemplate(): PlanTemplate {
  return planTemplateSchema.parse(structuredClone(tinyTemplateInput));
}

export const tinyWindow = {
  start: '2026-11-10T01:00:00.000Z', // 08:00 in Hanoi
  end: '2026-11-15T10:00:00.000Z',
  timeZone: 'Asia/Ho_Chi_Minh',
};

export const evidence = [{ url: 'https://docs.example.org/plan.pdf', sha256: 'a'.repeat(64) }];

/** A plan of `count` independent items in one unit, for scale and continue-as-new tests. */
export function generatedTemplateInput(count: number) {
  return {
    ...structuredClone(tinyTemplateInput),
    id: `generated-${count}`,
    title: `Generated plan of ${count} items`,
    items: Array.from({ length: count }, (_, i) => ({
      id: `gen.item-${String(i + 1).padStart(4, '0')}`,
      title: `Hạng mục ${i + 1}`,
      workGroup: 'plan',
      phase: 'planning' as const,
      due: { daysBefore: 30, at: '17:00' },
    })),
    gates: [
      {
        id: 'plan-approval',
        title: 'Plan approval',
        phase: 'planning' as const,
        covers: ['gen.item-0001'],
        approval: { mode: 'any' as const, roles: ['steering-head'] },
      },
    ],
  };
}

/**
 * The second half of the lifecycle on top of the tiny template: a drill
 * programme gated by the rehearsal gate, a go/no-go gate over a readiness
 * item, incidents with procedures, sessions, duty shifts, an escalation chain
 * and a review gate.
 */
export function withOperations(input: PlanTemplateInput): void {
  input.roles.push({ id: 'evaluator', title: 'Drill evaluator' });
  input.items.push({
    id: 'cyber.pentest',
    title: 'Penetration test of the conference platform',
    workGroup: 'cyber',
    phase: 'readiness',
    due: { daysBefore: 1, at: '17:00' },
  });
  input.gates!.push(
    {
      id: 'rehearsal-complete',
      title: 'Rehearsal complete',
      phase: 'rehearsal',
      scenarios: ['ddos', 'power'],
      approval: { mode: 'any', roles: ['steering-head'] },
    },
    {
      id: 'go-no-go',
      title: 'Go / no-go',
      phase: 'readiness',
      covers: ['cyber.pentest'],
      approval: { mode: 'all', roles: ['office-chief', 'steering-head'] },
    },
    {
      id: 'review-closure',
      title: 'Review closed',
      phase: 'review',
      approval: { mode: 'any', roles: ['steering-head'] },
    },
  );
  input.escalation = [
    { after: { hours: 1 }, role: 'office-chief' },
    { after: { hours: 4 }, role: 'steering-head' },
  ];
  input.drills = {
    evaluatorRoles: ['evaluator'],
    scenarios: [
      {
        id: 'ddos',
        title: 'DDoS against the online conference platform',
        severity: 'critical',
        units: ['cyber'],
        start: { daysBefore: 3, at: '08:00' },
        due: { daysBefore: 3, at: '17:00' },
        injects: [
          { title: 'Traffic spike on the streaming gateway' },
          { after: { minutes: 30 }, title: 'Registration portal unreachable' },
        ],
        targets: [
          { id: 'detect', title: 'Detect the attack within 5 minutes' },
          { id: 'failover', title: 'Fail over to the standby platform' },
          { id: 'inform', title: 'Inform the steering committee', unit: 'office' },
        ],
      },
      {
        id: 'power',
        title: 'Power loss at the media centre',
        severity: 'moderate',
        units: ['police'],
        due: { daysBefore: 3, at: '17:00' },
        targets: [{ id: 'restore', title: 'Restore power within 10 minutes' }],
      },
    ],
  };
  input.sessions = [
    { id: 'opening', title: 'Lễ khai mạc', start: { daysAfter: 0, at: '08:00' }, end: { daysAfter: 0, at: '10:00' } },
    {
      id: 'plenary',
      title: 'Phiên toàn thể',
      start: { daysAfter: 0, at: '10:30' },
      end: { daysAfter: 0, at: '17:00' },
      weight: 3,
    },
  ];
  input.incidents = {
    acknowledgeWithin: { minutes: 15 },
    procedures: [
      {
        id: 'cyber-response',
        title: 'Cyber incident response',
        steps: [
          { id: 'isolate', title: 'Isolate the affected systems', unit: 'cyber' },
          { id: 'restore', title: 'Restore service', unit: 'cyber' },
          { id: 'report', title: 'Report to the steering committee', unit: 'office' },
        ],
      },
      {
        id: 'power-response',
        title: 'Power outage',
        steps: [{ id: 'generator', title: 'Start the generator', unit: 'police' }],
      },
    ],
    types: [
      { id: 'cyber', title: 'Tấn công mạng', procedure: 'cyber-response' },
      { id: 'power', title: 'Mất điện', procedure: 'power-response' },
      { id: 'other', title: 'Khác' },
    ],
  };
  input.dutyShifts = [
    { id: 'day-1', title: 'Ca ngày 1', start: { daysAfter: 0, at: '06:00' }, end: { daysAfter: 0, at: '18:00' } },
    { id: 'night-1', title: 'Ca đêm 1', start: { daysAfter: 0, at: '18:00' }, end: { daysAfter: 1, at: '06:00' } },
  ];
  input.people!.push(
    { id: 'eval.an', name: 'Vũ Thị An', roles: ['evaluator'] },
    { id: 'duty.lan', name: 'Hoàng Thị Lan', roles: ['duty-officer'] },
  );
}

export function lifecycleTemplateInput(): PlanTemplateInput {
  const input: PlanTemplateInput = structuredClone(tinyTemplateInput);
  withOperations(input);
  return { ...input, id: 'tiny-lifecycle', title: 'Tiny summit, whole lifecycle' };
}
