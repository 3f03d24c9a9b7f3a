/**
 * Structured JSON logs: one line per entry on standard output, in pino's layout
 * (`{"level":30,"time":"…","process":"worker","pid":1,…,"msg":"…"}`) so log tools that read
 * pino read these. Every line carries the process name; job handlers add the job id and
 * tenant with `log.child({ jobId, tenant })`. Secrets are redacted by key.
 *
 * This is our own few dozen lines rather than pino: pino (with sonic-boom, thread-stream and
 * fast-redact) cost every process about 6 MB of memory, and six processes run it, for
 * features (transports, worker threads, custom serializers) the stack never used.
 */
import { writeSync } from 'node:fs'

export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'

/** pino's numbers for the levels, which the lines carry. */
export const LEVEL_NUMBERS: Record<Level, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
}

type Fields = Record<string, unknown>

export type LogFn = {
  (message: string): void
  (fields: object, message?: string): void
}

export type Logger = {
  readonly level: Level
  trace: LogFn
  debug: LogFn
  info: LogFn
  warn: LogFn
  error: LogFn
  fatal: LogFn
  /** A logger whose lines also carry `bindings`. */
  child(bindings: Fields): Logger
}

/** Where the lines go: standard output by default; tests collect them. */
export type Destination = { write(line: string): void }

/** Keys whose values never reach a log line, as paths ('*' is any key at that depth). */
const REDACT = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'botToken',
  'signingSecret',
  'serviceToken',
  'clientSecret',
  'stateSecret',
  'refreshToken',
  '*.refreshToken',
  'secret',
  '*.secret',
  'interaction.token',
  'replyTo.interaction.token',
].map((path) => path.split('.'))
const CENSOR = '[redacted]'

/** `value` with every redacted path replaced; objects on a path are copied, never changed. */
function redact(value: Fields): Fields {
  let out = value
  for (const path of REDACT) out = redactPath(out, path, 0) as Fields
  return out
}

function redactPath(value: unknown, path: string[], at: number): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  const object = value as Fields
  const key = path[at] as string
  const keys = key === '*' ? Object.keys(object) : Object.hasOwn(object, key) ? [key] : []
  let copy: Fields | undefined
  for (const k of keys) {
    const next = at === path.length - 1 ? CENSOR : redactPath(object[k], path, at + 1)
    if (next !== object[k]) {
      copy ??= { ...object }
      copy[k] = next
    }
  }
  return copy ?? object
}

/** An error as plain fields (pino's `err` layout): its class, message, stack, code and cause. */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error
  const out: Fields = { type: error.constructor?.name ?? 'Error', message: error.message, stack: error.stack }
  for (const [k, v] of Object.entries(error)) if (!(k in out)) out[k] = v
  if (error.cause !== undefined) out.cause = serializeError(error.cause)
  return out
}

/** JSON that survives what a log line may be handed: cycles, BigInts and errors under any key. */
function stringify(fields: Fields): string {
  const seen = new WeakSet<object>()
  return JSON.stringify(fields, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString()
    if (value instanceof Error) return serializeError(value)
    if (value !== null && typeof value === 'object') {
      if (seen.has(value)) return '[Circular]'
      seen.add(value)
    }
    return value
  })
}

/** Standard output, written synchronously so a line is out before the process exits. */
const stdout: Destination = {
  write(line) {
    let bytes: Uint8Array = Buffer.from(line)
    for (let tries = 0; bytes.length > 0; ) {
      try {
        bytes = bytes.subarray(writeSync(1, bytes))
      } catch (error) {
        // A pipe whose reader is behind: wait for it a little, then give the line up.
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || ++tries > 100) return
        Bun.sleepSync(1)
      }
    }
  },
}

function makeLogger(level: Level, bindings: string, destination: Destination): Logger {
  const threshold = LEVEL_NUMBERS[level]
  const at = (name: Level): LogFn => {
    const number = LEVEL_NUMBERS[name]
    if (number < threshold) return () => {}
    return (first: object | string, message?: string) => {
      let fields: Fields | undefined
      let msg = message
      if (typeof first === 'string') msg = first
      else if (first instanceof Error) {
        fields = { err: serializeError(first) }
        msg ??= first.message
      } else fields = redact(first as Fields)
      const body = fields ? stringify(fields).slice(1, -1) : ''
      destination.write(
        `{"level":${number},"time":"${new Date().toISOString()}"${bindings}${body ? `,${body}` : ''}${msg === undefined ? '' : `,"msg":${JSON.stringify(msg)}`}}\n`,
      )
    }
  }
  return {
    level,
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: (more) => {
      const body = stringify(redact(more)).slice(1, -1)
      return makeLogger(level, body ? `${bindings},${body}` : bindings, destination)
    },
  }
}

const isLevel = (level: string): level is Level => Object.hasOwn(LEVEL_NUMBERS, level)

/** A process's logger: its lines carry `process` and `pid`. */
export function createLogger(processName: string, level = 'info', destination: Destination = stdout): Logger {
  if (!isLevel(level)) throw new Error(`LOG_LEVEL ${level} is not one of ${Object.keys(LEVEL_NUMBERS).join(', ')}`)
  return makeLogger(level, `,${stringify({ process: processName, pid: process.pid }).slice(1, -1)}`, destination)
}

/** A logger that writes nothing (tests). */
export const silentLogger: Logger = createLogger('silent', 'silent')
