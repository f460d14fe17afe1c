import { accessSync, constants as fsConstants, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { type DataConverter, type PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { createCompressionCodec } from '../codec/compression';
import type { NotifyDeps } from '../activities/notify';
import { parseMailbox } from '../activities/channels/mailbox';
import { createEncryptionCodec, KEY_BYTES, KEY_ID_PATTERN } from '../codec/encryption';

/**
 * Parses `PAYLOAD_ENCRYPTION_KEYS` (`keyId:base64key,…`). Problems name an entry by its
 * position only: neither the key nor a possibly misplaced key in the id slot is ever echoed.
 */
export function parseKeyring(text: string): { keys: Record<string, Uint8Array>; problems: string[] } {
  const keys = new Map<string, Uint8Array>();
  const problems: string[] = [];
  const seen = new Map<string, number>();
  text.split(',').forEach((raw, index) => {
    const entry = raw.trim();
    const at = `entry ${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) {
      problems.push(`${at}: expected keyId:base64key`);
      return;
    }
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!KEY_ID_PATTERN.test(id)) {
      problems.push(`${at}: the key id must be 1 to 64 of A-Z a-z 0-9 . _ -`);
      return;
    }
    if (seen.has(id)) {
      problems.push(`${at}: the key id is already used by entry ${seen.get(id)}`);
      return;
    }
    seen.set(id, index + 1);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
      problems.push(`${at}: the key is not base64 (generate one with \`openssl rand -base64 32\`)`);
      return;
    }
    const key = Buffer.from(encoded, 'base64');
    if (key.byteLength !== KEY_BYTES) {
      problems.push(
        `${at}: the key decodes to ${key.byteLength} bytes, AES-256 needs exactly ${KEY_BYTES} (generate one with \`openssl rand -base64 32\`)`,
      );
      return;
    }
    keys.set(id, new Uint8Array(key));
  });
  // fromEntries defines own properties, so even an id such as `__proto__` stays a plain key.
  return { keys: Object.fromEntries(keys), problems };
}

/** A PEM setting is either a file path or the PEM text itself (for platforms that hand secrets over as variables). */
const pemSetting = (what: string) =>
  z.string().min(1).optional().describe(`${what} (PEM): a file path, or the PEM text itself`);

const isInlinePem = (value: string) => value.trimStart().startsWith('-----BEGIN');

/** `ip:port` as the SDK core's Prometheus exporter binds it: an IP literal (no host name) and a port 1-65535. */
export function parseBindAddress(value: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value.trim());
  if (!match) return undefined;
  const host = match[1] ?? match[2]!;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  if (match[1] !== undefined ? isIP(host) !== 6 : isIP(host) !== 4) return undefined;
  return { host, port };
}

const temporalFields = z.object({
  TEMPORAL_ADDRESS: z
    .string()
    .trim()
    .min(1)
    .refine((value) => !value.includes('://'), 'host:port of the Temporal frontend, without a scheme (no http://)')
    .default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('readiness-events'),
  TEMPORAL_API_KEY: z.string().min(1).optional().describe('API key (Temporal Cloud); implies TLS'),
  TEMPORAL_TLS_CERT: pemSetting('the client certificate for mTLS'),
  TEMPORAL_TLS_KEY: pemSetting('the client private key for mTLS'),
  TEMPORAL_TLS_CA: pemSetting('the CA that signed the server certificate (default: the system roots)'),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  TEMPORAL_TLS: z.enum(['true', 'false']).optional(),
  WORKER_METRICS_ADDRESS: z
    .string()
    .trim()
    .refine(
      (value) => parseBindAddress(value) !== undefined,
      'must be ip:port with an IP literal and a port 1-65535, e.g. 127.0.0.1:9464 or 0.0.0.0:9464',
    )
    .optional()
    .describe("where the worker's SDK core serves its Prometheus metrics (GET /metrics); off when unset"),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .describe('human-readable logs (pino-pretty); default on only when NODE_ENV=development'),
  NODE_ENV: z.string().optional(),
  PAYLOAD_ENCRYPTION_KEYS: z
    .string()
    .min(1)
    .superRefine((value, ctx) => {
      for (const message of parseKeyring(value).problems) ctx.addIssue({ code: 'custom', message });
    })
    .optional()
    .describe('comma-separated keyId:base64key (32-byte AES-256 keys); switches payload encryption on'),
  PAYLOAD_ENCRYPTION_KEY_ID: z
    .string()
    .regex(KEY_ID_PATTERN, 'must be 1 to 64 of A-Z a-z 0-9 . _ -')
    .optional()
    .describe('the key id new payloads are encrypted with; one of PAYLOAD_ENCRYPTION_KEYS'),
  PAYLOAD_COMPRESSION: z
    .enum(['gzip', 'off'])
    .default('gzip')
    .describe(
      'gzip payloads over 1 KiB (the event state carried across continue-as-new); every worker and API must agree',
    ),
  NOTIFY_WEBHOOK_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .optional()
    .describe('the worker POSTs every notification here as JSON (X-Delivery-Id header); none when unset'),
  NOTIFY_WEBHOOK_SECRET: z
    .string()
    .min(32, 'use at least 32 characters of random secret (generate one with `openssl rand -hex 32`)')
    .optional()
    .describe('HMAC-SHA256 key: each webhook POST carries X-Signature; unsigned when unset (docs/notifications.md)'),
  SMTP_URL: z
    .url({ protocol: /^smtps?$/, hostname: /./, error: 'must be an smtp:// or smtps:// URL with a host' })
    .optional()
    .describe('the worker emails notifications through this server (smtp://user:pass@host:587, smtps://… for TLS)'),
  SMTP_FROM: z
    .string()
    .refine(
      (value) => parseMailbox(value) !== undefined,
      'must be one address: `Name <noreply@example.org>` or a bare one',
    )
    .optional()
    .describe('the sender of notification emails; its domain also names their Message-IDs'),
});

/** Encryption keys and the current key id go together, and the id must name one of the keys. */
function checkPayloadEncryption(env: z.infer<typeof temporalFields>, ctx: z.RefinementCtx): void {
  const keysSet = env.PAYLOAD_ENCRYPTION_KEYS !== undefined;
  const idSet = env.PAYLOAD_ENCRYPTION_KEY_ID !== undefined;
  if (keysSet && !idSet) {
    ctx.addIssue({
      code: 'custom',
      path: ['PAYLOAD_ENCRYPTION_KEY_ID'],
      message: 'required when PAYLOAD_ENCRYPTION_KEYS is set: the key id new payloads are encrypted with',
    });
  } else if (idSet && !keysSet) {
    ctx.addIssue({
      code: 'custom',
      path: ['PAYLOAD_ENCRYPTION_KEYS'],
      message: 'PAYLOAD_ENCRYPTION_KEY_ID is set but there are no keys: set PAYLOAD_ENCRYPTION_KEYS too',
    });
  } else if (keysSet && idSet) {
    const { keys, problems } = parseKeyring(env.PAYLOAD_ENCRYPTION_KEYS!);
    if (problems.length === 0 && !Object.hasOwn(keys, env.PAYLOAD_ENCRYPTION_KEY_ID!)) {
      ctx.addIssue({
        code: 'custom',
        path: ['PAYLOAD_ENCRYPTION_KEY_ID'],
        message: `names no key in PAYLOAD_ENCRYPTION_KEYS (which has ${Object.keys(keys).length})`,
      });
    }
  }
}

/**
 * The notification channels' variables go together: a webhook secret needs a webhook, and SMTP needs
 * both its server and a sender. Messages name variables only, never their values (the URLs may carry
 * credentials).
 */
function checkNotifyChannels(env: z.infer<typeof temporalFields>, ctx: z.RefinementCtx): void {
  if (env.NOTIFY_WEBHOOK_SECRET !== undefined && env.NOTIFY_WEBHOOK_URL === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['NOTIFY_WEBHOOK_SECRET'],
      message: 'is set but NOTIFY_WEBHOOK_URL is not: there is no webhook to sign',
    });
  }
  if (env.SMTP_URL !== undefined && env.SMTP_FROM === undefined) {
    ctx.addIssue({ code: 'custom', path: ['SMTP_FROM'], message: 'required when SMTP_URL is set: the sender address' });
  } else if (env.SMTP_FROM !== undefined && env.SMTP_URL === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['SMTP_URL'],
      message: 'SMTP_FROM is set but there is no server: set SMTP_URL',
    });
  }
}

/**
 * TLS settings that cannot work are refused at start, not at the first connection: a certificate without its
 * key (or the reverse), TLS switched off beside an API key or client certificate (the key would travel in
 * clear), and a PEM file that does not exist or cannot be read. Messages name variables, never values.
 */
function checkTls(env: z.infer<typeof temporalFields>, ctx: z.RefinementCtx): void {
  if (Boolean(env.TEMPORAL_TLS_CERT) !== Boolean(env.TEMPORAL_TLS_KEY)) {
    ctx.addIssue({
      code: 'custom',
      path: [env.TEMPORAL_TLS_CERT ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT'],
      message: 'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (mTLS needs both)',
    });
  }
  if (env.TEMPORAL_TLS === 'false') {
    const needsTls = ['TEMPORAL_API_KEY', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CA'] as const;
    for (const name of needsTls) {
      if (env[name] !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['TEMPORAL_TLS'], message: `is false, but ${name} needs TLS` });
      }
    }
  }
  for (const name of ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CA'] as const) {
    const value = env[name];
    if (value === undefined) continue;
    if (isInlinePem(value)) {
      if (!/-----END [A-Z0-9 ]+-----/.test(value))
        ctx.addIssue({ code: 'custom', path: [name], message: 'looks like PEM text but has no -----END …----- line' });
      continue;
    }
    try {
      accessSync(value, fsConstants.R_OK);
    } catch {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: 'names no readable file (give a PEM file path or the PEM text)',
      });
    }
  }
}

/** Where the engine's Temporal lives. Parsed once at start; a bad value stops the process with a clear message. */
export const temporalConfigSchema = temporalFields.superRefine((env, ctx) => {
  checkTls(env, ctx);
  checkPayloadEncryption(env, ctx);
  checkNotifyChannels(env, ctx);
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
  const pem = (value: string) => (isInlinePem(value) ? Buffer.from(value) : readFileSync(value));
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
            ...(config.TEMPORAL_TLS_CA ? { serverRootCACertificate: pem(config.TEMPORAL_TLS_CA) } : {}),
            ...(mtls
              ? { clientCertPair: { crt: pem(config.TEMPORAL_TLS_CERT!), key: pem(config.TEMPORAL_TLS_KEY!) } }
              : {}),
          },
        }
      : {}),
  };
}

/** The logger settings of a process: pretty output only when asked (LOG_PRETTY) or under NODE_ENV=development. */
export function logOptionsOf(config: Pick<TemporalConfig, 'LOG_LEVEL' | 'LOG_PRETTY' | 'NODE_ENV'>): {
  level: TemporalConfig['LOG_LEVEL'];
  pretty: boolean;
} {
  const pretty =
    config.LOG_PRETTY === undefined
      ? config.NODE_ENV === 'development'
      : config.LOG_PRETTY === 'true' || config.LOG_PRETTY === '1';
  return { level: config.LOG_LEVEL, pretty };
}

/**
 * The data converter every client and worker of this engine uses: AES-256-GCM payload
 * encryption when `PAYLOAD_ENCRYPTION_KEYS` is set, otherwise `undefined` (the SDK's default).
 */
export function dataConverterOf(
  config: Pick<TemporalConfig, 'PAYLOAD_ENCRYPTION_KEYS' | 'PAYLOAD_ENCRYPTION_KEY_ID'> & {
    PAYLOAD_COMPRESSION?: 'gzip' | 'off';
  },
): DataConverter | undefined {
  // Compress first, then encrypt: ciphertext does not compress.
  const codecs: PayloadCodec[] = config.PAYLOAD_COMPRESSION === 'off' ? [] : [createCompressionCodec()];
  if (config.PAYLOAD_ENCRYPTION_KEYS) {
    const { keys, problems } = parseKeyring(config.PAYLOAD_ENCRYPTION_KEYS);
    const currentKeyId = config.PAYLOAD_ENCRYPTION_KEY_ID;
    if (problems.length > 0 || !currentKeyId || !Object.hasOwn(keys, currentKeyId)) {
      throw new ConfigError('invalid payload encryption configuration: parse it with parseConfig first');
    }
    codecs.push(createEncryptionCodec({ keys, currentKeyId }));
  }
  return codecs.length > 0 ? { payloadCodecs: codecs } : undefined;
}

/**
 * The notification channels of `createActivities` (spread them beside the logger): webhook URL and
 * signing secret, SMTP server and sender. Parse the config with parseConfig first.
 */
export function notifyDepsOf(
  config: Pick<TemporalConfig, 'NOTIFY_WEBHOOK_URL' | 'NOTIFY_WEBHOOK_SECRET' | 'SMTP_URL' | 'SMTP_FROM'>,
): Pick<NotifyDeps, 'webhookUrl' | 'webhookSecret' | 'smtp'> {
  return {
    ...(config.NOTIFY_WEBHOOK_URL ? { webhookUrl: config.NOTIFY_WEBHOOK_URL } : {}),
    ...(config.NOTIFY_WEBHOOK_SECRET ? { webhookSecret: config.NOTIFY_WEBHOOK_SECRET } : {}),
    ...(config.SMTP_URL && config.SMTP_FROM ? { smtp: { url: config.SMTP_URL, from: config.SMTP_FROM } } : {}),
  };
}
