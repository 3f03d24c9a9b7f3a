import { describe, expect, test } from 'bun:test'
import { createLogger } from './log.ts'

const collect = (level = 'debug') => {
  const lines: Record<string, unknown>[] = []
  const raw: string[] = []
  const log = createLogger('worker', level, {
    write: (line) => {
      raw.push(line)
      lines.push(JSON.parse(line))
    },
  })
  return { log, lines, raw }
}

describe('createLogger', () => {
  test('one JSON line per entry in pino layout: level number, ISO time, process, pid, fields, msg', () => {
    const { log, lines, raw } = collect()
    log.info({ jobId: 'j1', n: 2 }, 'done')
    expect(raw[0]?.endsWith('}\n')).toBe(true)
    expect(Object.keys(lines[0] ?? {})).toEqual(['level', 'time', 'process', 'pid', 'jobId', 'n', 'msg'])
    expect(lines[0]).toMatchObject({ level: 30, process: 'worker', pid: process.pid, jobId: 'j1', n: 2, msg: 'done' })
    expect(new Date(String(lines[0]?.time)).toISOString()).toBe(String(lines[0]?.time))
  })

  test('levels below the threshold write nothing; the numbers are pino’s', () => {
    const { log, lines } = collect('warn')
    log.debug('no')
    log.info('no')
    log.warn('w')
    log.error('e')
    log.fatal('f')
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'w'],
      [50, 'e'],
      [60, 'f'],
    ])
    expect(log.level).toBe('warn')
  })

  test('a child adds its bindings to every line, and its own children theirs', () => {
    const { log, lines } = collect()
    log.child({ jobId: 'a' }).child({ kind: 'car.add' }).info({ step: 1 }, 'x')
    expect(lines[0]).toMatchObject({ process: 'worker', jobId: 'a', kind: 'car.add', step: 1, msg: 'x' })
  })

  test('secrets are redacted by key at every listed path, and the caller’s object is left alone', () => {
    const { log, lines } = collect()
    const fields = {
      token: 't1',
      headers: { authorization: 'Bearer x', accept: 'json' },
      replyTo: { interaction: { token: 'it', id: '5' } },
      config: { token: 't2', name: 'ok' },
    }
    log.info(fields, 'secrets')
    expect(lines[0]).toMatchObject({
      token: '[redacted]',
      headers: { authorization: '[redacted]', accept: 'json' },
      replyTo: { interaction: { token: '[redacted]', id: '5' } },
      config: { token: '[redacted]', name: 'ok' },
    })
    expect(JSON.stringify(lines[0])).not.toContain('Bearer')
    expect(fields.token).toBe('t1')
    expect(fields.headers.authorization).toBe('Bearer x')
    log.child({ botToken: 'b' }).info('child')
    expect(lines[1]?.botToken).toBe('[redacted]')
    // Slack's OAuth settings and an installation's tokens
    log.info({ clientSecret: 'c', stateSecret: 's', bot: { token: 'xoxb', refreshToken: 'r' } }, 'oauth')
    expect(lines[2]).toMatchObject({
      clientSecret: '[redacted]',
      stateSecret: '[redacted]',
      bot: { token: '[redacted]', refreshToken: '[redacted]' },
    })
  })

  test('errors are written as type, message, stack and cause, under err or any key', () => {
    const { log, lines } = collect()
    const cause = new TypeError('inner')
    const error = Object.assign(new Error('outer', { cause }), { code: 'E_X' })
    log.error(error)
    expect(lines[0]).toMatchObject({ msg: 'outer', err: { type: 'Error', message: 'outer', code: 'E_X' } })
    expect((lines[0]?.err as { cause: { type: string } }).cause.type).toBe('TypeError')
    expect(String((lines[0]?.err as { stack: string }).stack)).toContain('outer')
    log.warn({ problem: new RangeError('r') }, 'under a key')
    expect(lines[1]?.problem).toMatchObject({ type: 'RangeError', message: 'r' })
  })

  test('cycles and BigInts do not break a line', () => {
    const { log, lines } = collect()
    const loop: Record<string, unknown> = { a: 1 }
    loop.self = loop
    log.info({ loop, big: 10n }, 'odd values')
    expect(lines[0]).toMatchObject({ loop: { a: 1, self: '[Circular]' }, big: '10', msg: 'odd values' })
  })

  test('an unknown level is refused by name', () => {
    expect(() => createLogger('x', 'loud')).toThrow(/LOG_LEVEL loud/)
  })

  test('the default destination is standard output, written before the process exits', async () => {
    const proc = Bun.spawn(
      ['bun', '-e', `import { createLogger } from '${import.meta.dir}/log.ts'; createLogger('p').info({ a: 1 }, 'bye'); process.exit(0)`],
      { stdout: 'pipe', stderr: 'pipe' },
    )
    const out = await new Response(proc.stdout).text()
    expect(await proc.exited).toBe(0)
    expect(JSON.parse(out)).toMatchObject({ level: 30, process: 'p', a: 1, msg: 'bye' })
  })
})
