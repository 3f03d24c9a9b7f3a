/**
 * Running Car Manager's processes on one machine: a free loopback port, a watchdog that keeps a
 * child from outliving its parent, a private `redis-server` and the waits for it and for a
 * service's `/health`. The demo supervises its children with these; they hold nothing of the
 * demo, so the test and bench launchers can start their servers the same way.
 */
import { type Subprocess, spawn } from 'bun'
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import IORedis from 'ioredis'

/** Ports this process has handed out: the callers listen on them later, so they are not free twice. */
const handedOut = new Set<number>()

/** A loopback port nothing listens on, not handed out before by this process. */
export async function freePort(): Promise<number> {
  // Below Linux's ephemeral range (32768-60999 by default), so the port is not taken meanwhile
  // as the local end of some process's outgoing connection (a Redis client, a fetch): a port the
  // kernel hands out for `port: 0` comes from that range, and one did collide with a demo's worker.
  for (let tries = 0; tries < 50; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000)
    if (handedOut.has(port) || portInUse(port, '127.0.0.1')) continue
    handedOut.add(port)
    return port
  }
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() })
  const port = server.port!
  server.stop(true)
  return port
}

/** Whether something already listens on `host`:`port` (this process tries to listen there, then lets go). */
export function portInUse(port: number, host: string): boolean {
  try {
    const server = Bun.listen({ hostname: host, port, socket: { data() {} } })
    server.stop(true)
    return false
  } catch (error) {
    return (error as { code?: string }).code === 'EADDRINUSE' || /in use/i.test(String(error))
  }
}

/** Whether process `pid` runs, and (where /proc tells) runs a command line containing `marker`. */
function running(pid: number, marker: string): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    if ((error as { code?: string }).code !== 'EPERM') return false
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)
  } catch {
    return true
  }
}

export type Lock = { ok: true; release: () => void; stale?: number } | { ok: false; pid: number }

/**
 * Takes the lock file `file` for this process: it holds our pid. Refused (with the holder's pid)
 * while the holder runs a command containing `marker`; the lock of a process that is gone (or
 * whose pid now runs something else) is taken over, and `stale` tells whose it was. `release`
 * removes the file if it still holds our pid.
 */
export function takeLock(file: string, marker: string): Lock {
  const mine = `${process.pid}\n`
  const temp = `${file}.${process.pid}`
  writeFileSync(temp, mine)
  let stale: number | undefined
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        // A hard link appears whole or not at all, and fails when the lock exists.
        linkSync(temp, file)
        break
      } catch (error) {
        if ((error as { code?: string }).code !== 'EEXIST' || attempt >= 2) throw error
      }
      let pid = Number.NaN
      try {
        pid = Number.parseInt(readFileSync(file, 'utf8'), 10)
      } catch {}
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && running(pid, marker)) return { ok: false, pid }
      stale = Number.isInteger(pid) ? pid : undefined
      rmSync(file, { force: true })
    }
  } finally {
    rmSync(temp, { force: true })
  }
  const release = () => {
    try {
      if (readFileSync(file, 'utf8') === mine) rmSync(file, { force: true })
    } catch {}
  }
  return { ok: true, release, ...(stale !== undefined ? { stale } : {}) }
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
