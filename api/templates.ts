import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  canonicalJson,
  planTemplateSchema,
  toValidationIssues,
  type PlanTemplate,
  type ValidationIssue,
} from '../domain';

export interface LoadedTemplate {
  template: PlanTemplate;
  /** Content hash of the parsed template: the version a running event keeps. */
  hash: string;
}

export type TemplateCheck = { ok: true; loaded: LoadedTemplate } | { ok: false; issues: ValidationIssue[] };

export function checkTemplate(input: unknown, pathPrefix: (string | number)[] = []): TemplateCheck {
  const parsed = planTemplateSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: toValidationIssues(parsed.error, pathPrefix) };
  const hash = `sha256:${createHash('sha256').update(canonicalJson(parsed.data)).digest('hex')}`;
  return { ok: true, loaded: { template: parsed.data, hash } };
}

export interface TemplateStore {
  get(id: string): LoadedTemplate | undefined;
  list(): LoadedTemplate[];
}

/**
 * Loads every `*.yaml` in a folder once, at start. A broken sample template
 * stops the start with its file and path, rather than failing a user later.
 */
export function loadTemplateStore(dir: string): TemplateStore {
  const byId = new Map<string, LoadedTemplate>();
  for (const file of readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    const source = readFileSync(path.join(dir, file), 'utf8');
    const check = checkTemplate(parseYaml(source));
    if (!check.ok) {
      throw new Error(`template ${file} is invalid:\n${check.issues.map((i) => `  ${i.at}: ${i.message}`).join('\n')}`);
    }
    if (byId.has(check.loaded.template.id))
      throw new Error(`template id "${check.loaded.template.id}" is defined twice`);
    byId.set(check.loaded.template.id, check.loaded);
  }
  return { get: (id) => byId.get(id), list: () => [...byId.values()] };
}
