/**
 * Starts a private redis-server on a free loopback port (never the machine's 6379) in a
 * temporary folder. Tests that stop, kill or restart Redis start their own with this.
 */
import { type Subprocess, spawn } from 'bun'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import IORedis from 'ioredis'

export async function freePort(): Promise<number> {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() })
  const port = server.port!
  server.stop(true)
  return port
}

export type TestRedis = {
  url: string
  port: number
  dir: string
  /** Stops the server (SIGTERM, waits). */
  stop: () => Promise<void>
  /** Starts it again on the same port and folder (AOF data survives when `aof` was on). */
  restart: () => Promise<void>
  kill: () => void
}

export async function startRedis(opts: { aof?: boolean; dir?: string; port?: number } = {}): Promise<TestRedis> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'cm-redis-'))
  const port = opts.port ?? (await freePort())
  let proc: Subprocess | undefined
  const args = [
    'redis-server', '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
    '--maxmemory-policy', 'noeviction',
    ...(opts.aof ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no']),
  ]
  const up = async () => {
    proc = spawn(args, { stdout: 'ignore', stderr: 'ignore' })
    // Watchdog: if this process dies without cleaning up, the server must not outlive it.
    spawn(['sh', '-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -9 ${proc.pid} 2>/dev/null`], {
      stdout: 'ignore', stderr: 'ignore', stdin: 'ignore',
    }).unref()
    const deadline = Date.now() + 10_000
    for (;;) {
      const probe = new IORedis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
      probe.on('error', () => {})
      try {
        await probe.connect()
        await probe.ping()
        probe.disconnect()
        return
      } catch {
        probe.disconnect()
        if (Date.now() > deadline) throw new Error(`redis-server did not start on ${port}`)
        await Bun.sleep(50)
      }
    }
  }
  await up()
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    stop: async () => {
      proc?.kill('SIGTERM')
      await proc?.exited
    },
    restart: async () => {
      await up()
    },
    kill: () => {
      proc?.kill('SIGKILL')
      if (!opts.dir) rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A queue prefix no other test uses. */
export const uniquePrefix = (name = 't') => `${name}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`
