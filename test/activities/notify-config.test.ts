import { describe, expect, it } from 'vitest';
import { createNotifyActivities } from '../../activities/notify';
import { loadApiConfig } from '../../api/config';
import { ConfigError, notifyDepsOf, parseConfig, temporalConfigSchema } from '../../config/temporal';

/**
 * The notification channels' environment (NOTIFY_WEBHOOK_URL, NOTIFY_WEBHOOK_SECRET, SMTP_URL,
 * SMTP_FROM): parsed with the worker's Temporal config, a bad or incomplete set stops the start
 * with every problem named by variable, and no value (URLs may carry credentials) is ever echoed.
 */

const SECRET = 'f'.repeat(16) + 'hunter2-webhook-secret';
const SMTP_PASSWORD = 'smtp-pass-hunter2';

function configError(env: Record<string, string>): ConfigError {
  try {
    parseConfig(temporalConfigSchema, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected the configuration to be refused');
}

/** The variables a ConfigError names, from its `  NAME: problem` lines. */
const namedIn = (error: ConfigError) => [...error.message.matchAll(/^ {2}([A-Z_]+):/gm)].map((m) => m[1]);

describe('notification channel configuration', () => {
  it('turns the full set into the activity deps', () => {
    const config = parseConfig(temporalConfigSchema, {
      NOTIFY_WEBHOOK_URL: 'https://hooks.example.vn/readiness',
      NOTIFY_WEBHOOK_SECRET: SECRET,
      SMTP_URL: `smtps://notify:${SMTP_PASSWORD}@mail.example.vn:465`,
      SMTP_FROM: 'Hệ thống sẵn sàng <readiness@example.vn>',
    });

    expect(notifyDepsOf(config)).toEqual({
      webhookUrl: 'https://hooks.example.vn/readiness',
      webhookSecret: SECRET,
      smtp: {
        url: `smtps://notify:${SMTP_PASSWORD}@mail.example.vn:465`,
        from: 'Hệ thống sẵn sàng <readiness@example.vn>',
      },
    });
  });

  it('leaves every channel off when nothing is set', () => {
    expect(notifyDepsOf(parseConfig(temporalConfigSchema, {}))).toEqual({});
  });

  it('allows an unsigned webhook (no secret)', () => {
    const config = parseConfig(temporalConfigSchema, { NOTIFY_WEBHOOK_URL: 'http://127.0.0.1:9000/hook' });
    expect(notifyDepsOf(config)).toEqual({ webhookUrl: 'http://127.0.0.1:9000/hook' });
  });

  it('refuses a webhook secret without a webhook, or one too short, without echoing it', () => {
    const orphan = configError({ NOTIFY_WEBHOOK_SECRET: SECRET });
    expect(namedIn(orphan)).toEqual(['NOTIFY_WEBHOOK_SECRET']);
    expect(orphan.message).not.toContain(SECRET);

    const short = configError({ NOTIFY_WEBHOOK_URL: 'https://hooks.example.vn/r', NOTIFY_WEBHOOK_SECRET: 'hunter2' });
    expect(namedIn(short)).toEqual(['NOTIFY_WEBHOOK_SECRET']);
    expect(short.message).not.toContain('hunter2');
  });

  it('refuses an SMTP URL that is not smtp:// or smtps://, without echoing its credentials', () => {
    for (const url of [`https://u:${SMTP_PASSWORD}@mail.example.vn`, `smtp://u:${SMTP_PASSWORD}@`, 'mail.example.vn']) {
      const error = configError({ SMTP_URL: url, SMTP_FROM: 'readiness@example.vn' });
      expect(namedIn(error)).toEqual(['SMTP_URL']);
      expect(error.message).not.toContain(SMTP_PASSWORD);
    }
  });

  it('needs SMTP_URL and SMTP_FROM together', () => {
    expect(namedIn(configError({ SMTP_URL: 'smtp://mail.example.vn:587' }))).toEqual(['SMTP_FROM']);
    expect(namedIn(configError({ SMTP_FROM: 'readiness@example.vn' }))).toEqual(['SMTP_URL']);
  });

  it('refuses a sender that is not exactly one address', () => {
    for (const from of ['readiness', 'a@example.vn, b@example.vn', 'Readiness <>']) {
      const error = configError({ SMTP_URL: 'smtp://mail.example.vn:587', SMTP_FROM: from });
      expect(namedIn(error)).toEqual(['SMTP_FROM']);
    }
  });

  it('lists every problem at once', () => {
    const error = configError({ NOTIFY_WEBHOOK_SECRET: SECRET, SMTP_URL: 'smtp://mail.example.vn' });
    expect(namedIn(error).sort()).toEqual(['NOTIFY_WEBHOOK_SECRET', 'SMTP_FROM']);
  });

  it('applies the same checks to the API process configuration (npm start runs the worker from it)', () => {
    const dev = { AUTH_MODE: 'dev', AUTH_DEV_SECRET: 'd'.repeat(32) };
    expect(() => loadApiConfig({ ...dev, NOTIFY_WEBHOOK_SECRET: SECRET })).toThrow(ConfigError);
    const config = loadApiConfig({ ...dev, SMTP_URL: 'smtp://127.0.0.1:2525', SMTP_FROM: 'readiness@example.vn' });
    expect(notifyDepsOf(config).smtp).toEqual({ url: 'smtp://127.0.0.1:2525', from: 'readiness@example.vn' });
  });

  it('the activities refuse a sender that is not one address when they are built, not at the first send', () => {
    expect(() =>
      createNotifyActivities({
        logger: { info: () => undefined, warn: () => undefined },
        smtp: { url: 'smtp://x', from: 'nope' },
      }),
    ).toThrow(TypeError);
  });
});
