import { describe, expect, it } from 'vitest';
import { MAX_ROSTER, planTemplateSchema, rosterProblem, type Person } from '../../domain';
import { tinyTemplate, tinyTemplateInput, withOperations } from '../support/fixtures';

const template = tinyTemplate();
const people = (): Person[] => structuredClone(template.people);
const without = (...ids: string[]) => people().filter((p) => !ids.includes(p.id));

describe('a roster an event may start with', () => {
  it("accepts the template's own people", () => {
    expect(rosterProblem(template, people())).toBeUndefined();
  });

  it('refuses the same person twice, naming the second entry', () => {
    const roster = [...people(), { id: 'police.nam', name: 'Again', roles: [], units: ['cyber'] }];
    expect(rosterProblem(template, roster)).toMatchObject({
      code: 'ROSTER_INVALID',
      issues: [{ code: 'ROSTER_DUPLICATE_PERSON', at: `roster[${roster.length - 1}].id` }],
    });
  });

  it('refuses a person with a unit or a role the plan does not have', () => {
    const roster = [...people(), { id: 'hx.stranger', name: 'Stranger', roles: ['spy'], units: ['a05-cyber'] }];
    const i = roster.length - 1;
    expect(rosterProblem(template, roster)).toMatchObject({
      code: 'ROSTER_INVALID',
      issues: [
        { code: 'UNKNOWN_REFERENCE', at: `roster[${i}].roles[0]` },
        { code: 'UNKNOWN_REFERENCE', at: `roster[${i}].units[0]` },
      ],
    });
  });

  it(`refuses more than ${MAX_ROSTER} people, who would not fit the published participants`, () => {
    const roster = Array.from({ length: MAX_ROSTER + 1 }, (_, i) => ({
      id: `p${i}`,
      name: `P ${i}`,
      roles: ['steering-head', 'office-chief'],
      units: [],
    }));
    expect(rosterProblem(template, roster)?.issues.map((i) => i.code)).toEqual(['ROSTER_TOO_LARGE']);
    expect(rosterProblem(template, roster.slice(0, MAX_ROSTER))).toBeUndefined();
  });

  it.each([
    ['nobody holds a role of the gate', without('head.tuan', 'both.roles'), 'plan-approval', ['steering-head']],
    [
      'one person holds both roles of an `all` gate',
      without('head.tuan', 'office.mai'),
      'plan-approval',
      ['office-chief', 'steering-head'],
    ],
    [
      'the only holder is a viewer',
      [
        ...without('head.tuan', 'both.roles'),
        { id: 'head.view', name: 'V', roles: ['steering-head', 'viewer'], units: [] },
      ],
      'plan-approval',
      ['steering-head'],
    ],
  ])('refuses a roster where %s, naming the gate and the missing roles', (_case, roster, gate, roles) => {
    expect(rosterProblem(template, roster)).toMatchObject({ code: 'ROSTER_UNSATISFIABLE', gate, roles });
  });

  it('refuses a roster without an evaluator when a gate waits for drills', () => {
    const input = structuredClone(tinyTemplateInput) as Parameters<typeof withOperations>[0];
    withOperations(input);
    const operations = planTemplateSchema.parse(input);
    const roster = operations.people.filter((p) => p.id !== 'eval.an');
    expect(rosterProblem(operations, roster)).toMatchObject({
      code: 'ROSTER_UNSATISFIABLE',
      gate: 'rehearsal-complete',
      roles: ['evaluator'],
    });
  });
});
