import cron from 'node-cron';
import { pino, type Logger } from 'pino';

/**
 * The service's log: JSON lines on stdout for journald. Level from BAOMI_LOG_LEVEL (default
 * info). Secrets are never logged; the redaction is a second line of defence.
 */
export function createLogger(level = process.env.BAOMI_LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  const logger = pino(
    {
      level,
      base: { service: 'baomi-agent', pid: process.pid },
      redact: { paths: ['privateKey', 'passphrase', '*.privateKey', '*.passphrase'], censor: '[redacted]' },
    },
    destination,
  );
  routeCronLogging(logger);
  return logger;
}

/** node-cron writes to the console by default; its messages go through the service log instead. */
function routeCronLogging(logger: Logger): void {
  const log = logger.child({ component: 'node-cron' });
  cron.setLogger({
    info: (message) => log.info(message),
    warn: (message) => log.warn(message),
    error: (message, err) => log.error({ err: err ?? (message instanceof Error ? message : undefined) }, String(message)),
    debug: (message, err) => log.debug({ err }, String(message)),
  });
}
