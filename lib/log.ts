/**
 * Structured JSON logs (pino): every line carries the process name; job handlers add the job
 * id and tenant with `log.child({ jobId, tenant })`. Secrets are redacted by key.
 */
import pino, { type Logger } from 'pino'

export type { Logger }

export function createLogger(processName: string, level = 'info'): Logger {
  return pino({
    level,
    base: { process: processName, pid: process.pid },
    redact: {
      paths: ['token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'botToken', 'signingSecret', 'serviceToken', 'interaction.token', 'replyTo.interaction.token'],
      censor: '[redacted]',
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  })
}

/** A logger that writes nothing (tests). */
export const silentLogger: Logger = pino({ level: 'silent' })
