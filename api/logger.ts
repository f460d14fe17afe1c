import pino, { type Logger } from 'pino';

/** pino-pretty is optional at run time: an install without it (a slim production image) logs JSON instead. */
function prettyAvailable(): boolean {
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * The process logger: JSON lines (one object a line, `time` in epoch ms, `level` as a number), or
 * human-readable lines through pino-pretty when `pretty` (NODE_ENV=development or LOG_PRETTY=1; see
 * `logOptionsOf` in config/temporal.ts). Fields named authorization, password, secret or token are redacted
 * one level deep; the request logger (api/logging.ts) redacts the request's own headers.
 */
export function createLogger(options: { level: string; pretty: boolean; name?: string }): Logger {
  const pretty = options.pretty && prettyAvailable();
  const logger = pino({
    level: options.level,
    name: options.name ?? 'readiness-api',
    redact: { paths: ['*.authorization', '*.password', '*.secret', '*.token', '*.apiKey'], censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, singleLine: true } } } : {}),
  });
  if (options.pretty && !pretty) logger.warn('pretty logs asked for but pino-pretty is not installed: logging JSON');
  return logger;
}
