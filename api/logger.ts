import pino, { type Logger } from 'pino';

export function createLogger(options: { level: string; pretty: boolean; name?: string }): Logger {
  return pino({
    level: options.level,
    name: options.name ?? 'readiness-api',
    redact: { paths: ['*.authorization', '*.password', '*.secret', '*.token'], censor: '[redacted]' },
    ...(options.pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, singleLine: true } } } : {}),
  });
}
