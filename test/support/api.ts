import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import supertest from 'supertest';
import { type Express } from 'express';
import { createApp, type AppDeps } from '../../api/app';
import { createAuthenticator, mintDevToken } from '../../api/auth';
import { checkTemplate, loadTemplateStore, type LoadedTemplate, type TemplateStore } from '../../api/templates';
import { tinyTemplateInput } from './fixtures';
import { afterAll, beforeAll } from 'vitest';
import { connectTestTemporal, type TestTemporal } from './temporal';

export const auth = { issuer: 'readiness-test', audience: 'readiness-api-test', clockToleranceSeconds: 5 };

/** The catalogue the tests see: the shipped samples plus the tiny test template. */
function testTemplates(): TemplateStore {
  const samples = loadTemplateStore(path.resolve(__dirname, '../../templates'));
  const tiny = checkTemplate(structuredClone(tinyTemplateInput));
  if (!tiny.ok) throw new Error('tiny template invalid');
  const all = new Map<string, LoadedTemplate>(samples.list().map((t) => [t.template.id, t]));
  all.set(tiny.loaded.template.id, tiny.loaded);
  return { get: (id) => all.get(id), list: () => [...all.values()] };
}

export interface TestApi {
  app: Express;
  request: ReturnType<typeof supertest>;
  secret: string;
  templates: TemplateStore;
  /** Where this app stores after-action reports (a fresh temporary directory). */
  reportsDir: string;
  /** A bearer header for a person of the given template's roster. */
  as(personId: string, templateId?: string): Promise<{ Authorization: string }>;
  /** A signed token for any person, on a roster or not (forged claims, outsiders). */
  tokenFor(person: Parameters<typeof mintDevToken>[0]): Promise<string>;
}

/** The real Express app, wired to the real Temporal server through the real client. */
export function createTestApi(temporal: TestTemporal, overrides: Partial<AppDeps> = {}): TestApi {
  const secret = randomBytes(32).toString('hex');
  const templates = testTemplates();
  const reportsDir = mkdtempSync(path.join(tmpdir(), 'readiness-reports-'));
  const app = createApp({
    client: temporal.client,
    authenticator: createAuthenticator({ mode: 'hs256', secret, ...auth }),
    templates,
    logger: pino({ level: 'silent' }),
    taskQueue: temporal.taskQueue,
    namespace: temporal.namespace,
    temporalUiUrl: 'http://127.0.0.1:8233',
    reportsDir,
    ...overrides,
  });
  const tokenFor: TestApi['tokenFor'] = (person) =>
    mintDevToken(person, { secret, issuer: auth.issuer, audience: auth.audience, expiresIn: '30m' });
  return {
    app,
    request: supertest(app),
    secret,
    templates,
    reportsDir,
    tokenFor,
    async as(personId, templateId = 'tiny-summit') {
      const person = templates.get(templateId)?.template.people.find((p) => p.id === personId);
      if (!person) throw new Error(`no ${personId} in ${templateId}`);
      return { Authorization: `Bearer ${await tokenFor(person)}` };
    },
  };
}

/**
 * For a test file: connects to the run's server, starts a worker on the
 * file's own task queue and builds the app, once; closes it all after.
 * Read `suite.temporal` / `suite.api` inside tests (they exist once beforeAll ran).
 */
export function useTestApi(): { readonly temporal: TestTemporal; readonly api: TestApi } {
  const suite = {} as { temporal: TestTemporal; api: TestApi };
  beforeAll(async () => {
    suite.temporal = await connectTestTemporal();
    await suite.temporal.startWorker();
    suite.api = createTestApi(suite.temporal);
  });
  afterAll(async () => {
    await suite.temporal?.close();
    if (suite.api) rmSync(suite.api.reportsDir, { recursive: true, force: true });
  });
  return suite;
}
