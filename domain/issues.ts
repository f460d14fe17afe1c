import { type z } from 'zod';

/** A validation problem in zod's shape (code, path, message) plus the path spelled as people read it. */
export interface ValidationIssue {
  code: string;
  path: (string | number)[];
  at: string;
  message: string;
}

/** `['items', 12, 'dependsOn', 0]` → `items[12].dependsOn[0]` */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    return out ? `${out}.${String(key)}` : String(key);
  }, '');
}

export function toValidationIssues(error: z.ZodError, prefix: (string | number)[] = []): ValidationIssue[] {
  return error.issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path.filter((k): k is string | number => typeof k !== 'symbol')];
    // zod reports unknown keys once, at their parent; callers want the path of each key.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        code: issue.code,
        path: [...path, key],
        at: formatPath([...path, key]),
        message: `unknown field "${key}"`,
      }));
    }
    const custom = issue.code === 'custom' ? (issue.params as { code?: string } | undefined)?.code : undefined;
    return [{ code: custom ?? issue.code, path, at: formatPath(path), message: issue.message }];
  });
}
