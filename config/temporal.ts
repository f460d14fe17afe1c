import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Where the engine's Temporal lives. Parsed once at start; a bad value stops the process with a clear message. */
export const temporalConfigSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('readiness-events'),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS_CERT: z.string().min(1).optional().describe('path to the client certificate (PEM) for mTLS'),
  TEMPORAL_TLS_KEY: z.string().min(1).optional().describe('path to the client key (PEM) for mTLS'),
  TEMPORAL_TLS_CA: z.string().min(1).optional().describe('path to the server CA certificate (PEM)'),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  TEMPORAL_TLS: z.enum(['true', 'false']).optional(),
});
export type TemporalConfig = z.infer<typeof temporalConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses environment-shaped input with a schema, or throws one readable message listing every problem. */
export function parseConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(config)'}: ${issue.message}`);
  throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
}

/** Connection options shared by the client (API) and the native connection (worker). */
export function connectionOptions(config: TemporalConfig) {
  const read = (path: string) => readFileSync(path);
  const mtls = config.TEMPORAL_TLS_CERT && config.TEMPORAL_TLS_KEY;
  if (Boolean(config.TEMPORAL_TLS_CERT) !== Boolean(config.TEMPORAL_TLS_KEY)) {
    throw new ConfigError('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together');
  }
  const useTls = mtls || config.TEMPORAL_TLS_CA || config.TEMPORAL_API_KEY || config.TEMPORAL_TLS === 'true';
  return {
    address: config.TEMPORAL_ADDRESS,
    ...(config.TEMPORAL_API_KEY ? { apiKey: config.TEMPORAL_API_KEY } : {}),
    ...(useTls && config.TEMPORAL_TLS !== 'false'
      ? {
          tls: {
            ...(config.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME } : {}),
            ...(config.TEMPORAL_TLS_CA ? { serverRootCACertificate: read(config.TEMPORAL_TLS_CA) } : {}),
            ...(mtls
              ? { clientCertPair: { crt: read(config.TEMPORAL_TLS_CERT!), key: read(config.TEMPORAL_TLS_KEY!) } }
              : {}),
          },
        }
      : {}),
  };
}
