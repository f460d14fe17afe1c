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
