import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planTemplateSchema, toValidationIssues } from '../../domain';
import { loadTemplateStore } from '../../api/templates';
import { tinyTemplateInput } from '../support/fixtures';

function issuesOf(mutate: (t: ReturnType<typeof structuredClone<typeof tinyTemplateInput>>) => unknown) {
  const input = structuredClone(tinyTemplateInput);
  mutate(input);
  const parsed = planTemplateSchema.safeParse(input);
  return parsed.success ? [] : toValidationIssues(parsed.error);
}

describe('plan template validation', () => {
  it('accepts a well-formed template and fills defaults', () => {
    const template = planTemplateSchema.parse(structuredClone(tinyTemplateInput));
    expect(template.items[0]!.dependsOn).toEqual([]);
    expect(template.items[0]!.evidenceRequired).toBe(false);
  });

  it('names the exact path of an unknown dependency', () => {
    const issues = issuesOf((t) => (t.items[1]!.dependsOn = ['cyber.scan']));
    expect(issues).toContainEqual(
      expect.objectContaining({
        code: 'UNKNOWN_REFERENCE',
        at: 'items[1].dependsOn[0]',
        path: ['items', 1, 'dependsOn', 0],
      }),
    );
  });

  it('names the cycle when dependencies loop', () => {
    const issues = issuesOf((t) => ((t.items[0] as { dependsOn?: string[] }).dependsOn = ['plan.cyber']));
    const cycle = issues.find((i) => i.code === 'DEPENDENCY_CYCLE');
    expect(cycle?.message).toMatch(
      /plan\.master → plan\.cyber → plan\.master|plan\.cyber → plan\.master → plan\.cyber/,
    );
  });

  it('refuses duplicate ids at the second occurrence', () => {
    const issues = issuesOf((t) => (t.items[2]!.id = 'plan.master'));
    expect(issues).toContainEqual(expect.objectContaining({ code: 'DUPLICATE_ID', at: 'items[2].id' }));
  });

  it('refuses unknown units, work groups and roles wherever they are referenced', () => {
    const issues = issuesOf((t) => {
      t.workGroups[0]!.unit = 'nowhere';
      t.items[0]!.workGroup = 'no-group';
      t.gates[0]!.approval.roles = ['emperor'];
    });
    expect(issues.map((i) => i.at)).toEqual(
      expect.arrayContaining(['workGroups[0].unit', 'items[0].workGroup', 'gates[0].approval.roles[0]']),
    );
  });

  it('refuses a gate rule that no one in the roster can satisfy', () => {
    // "all" of two roles needs two distinct people; only one person holds the steering-head role after this.
    const issues = issuesOf((t) => (t.people = t.people.filter((p) => p.id !== 'office.mai' && p.id !== 'head.tuan')));
    expect(issues).toContainEqual(expect.objectContaining({ code: 'UNSATISFIABLE_RULE', at: 'gates[0].approval' }));
  });

  it('refuses unknown fields instead of ignoring them', () => {
    const issues = issuesOf((t) => ((t as Record<string, unknown>).colour = 'red'));
    expect(issues).toContainEqual(expect.objectContaining({ code: 'unrecognized_keys' }));
  });

  it('loads every sample template in templates/ without error', () => {
    const store = loadTemplateStore(path.resolve(__dirname, '../../templates'));
    expect(store.list().length).toBeGreaterThan(0);
    for (const { template, hash } of store.list()) {
      expect(hash).toMatch(/^sha256:[a-f0-9]{64}$/);
      expect(template.items.length).toBeGreaterThan(0);
    }
  });
});
