/**
 * Running Car Manager's processes on one machine: a free loopback port, a watchdog that keeps a
 * child from outliving its parent, a private `redis-server` and the waits for it and for a
 * service's `/health`. The demo supervises its children with these; they hold nothing of the
 * demo, so the test and bench launchers can start their servers the same way.
 */
import { type Subprocess, spawn } from 'bun'
import IORedis from 'ioredis'

/** A loopback port nothing listens on (the OS picks it; it is released at once). */
export async function freePort(): Promise<number> {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() })
  const port = server.port!
  server.stop(true)
  return port
}

/**
 * Kills `pid` once this process is gone, even when this process is killed with SIGKILL and
 * cleans nothing up. Returns the watchdog (a `sh` loop), which does not keep this process alive.
 */
export function killWithParent(pid: number): Subprocess {
  const watchdog = spawn(
    ['sh', '-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -9 ${pid} 2>/dev/null`],
    { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' },
  )
  watchdog.unref()
  return watchdog
}

export type RedisServerOptions = {
  port: number
  /** Its working folder (the AOF files when `aof` is on). */
  dir: string
  /** Append-only file, fsync every second (what production runs); off for throwaway servers. */
  aof: boolean
  binary?: string
}

/**
 * The command line of a private Redis: loopback only, no RDB snapshots, and `noeviction` so a
 * full Redis refuses writes instead of dropping queued jobs.
 */
export function redisServerCommand(o: RedisServerOptions): string[] {
  return [
    o.binary ?? 'redis-server',
    '--port',
    String(o.port),
    '--bind',
    '127.0.0.1',
    '--dir',
    o.dir,
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
    ...(o.aof ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no']),
  ]
}

/**
 * Resolves once the Redis on 127.0.0.1:`port` answers PING. Rejects after `timeoutMs`, or as
 * soon as `exitCode()` tells that the server process ended.
 */
export async function waitForRedis(
  port: number,
  timeoutMs = 10_000,
  exitCode: () => number | null = () => null,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const code = exitCode()
    if (code !== null) throw new Error(`redis-server exited with code ${code}`)
    const probe = new IORedis(port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    })
    probe.on('error', () => {})
    try {
      await probe.connect()
      await probe.ping()
      probe.disconnect()
      return
    } catch {
      probe.disconnect()
      if (Date.now() > deadline)
        throw new Error(`redis-server did not answer on port ${port} within ${timeoutMs / 1000} s`)
      await Bun.sleep(50)
    }
  }
}

/**
 * Resolves once GET `url` answers 2xx. Rejects after `timeoutMs`, or as soon as `exitCode()`
 * tells that the process `name` ended.
 */
export async function waitHealthy(
  name: string,
  url: string,
  exitCode: () => number | null,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const code = exitCode()
    if (code !== null) throw new Error(`${name} exited with code ${code} before it was healthy`)
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1_000) })
      if (r.ok) return
    } catch {}
    if (Date.now() > deadline) throw new Error(`${name} did not answer ${url} within ${timeoutMs / 1000} s`)
    await Bun.sleep(100)
  }
}
