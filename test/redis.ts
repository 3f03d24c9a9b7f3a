/**
 * Starts a private redis-server on a free loopback port (never the machine's 6379) in a
 * temporary folder. Tests that stop, kill or restart Redis start their own with this.
 */
import { type Subprocess, spawn } from 'bun'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, killWithParent, redisServerCommand, waitForRedis } from '../bots/local/processes.ts'

export { freePort }

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
  const command = redisServerCommand({ port, dir, aof: opts.aof ?? false })
  const up = async () => {
    const server = spawn(command, { stdout: 'ignore', stderr: 'ignore' })
    proc = server
    // If this process dies without cleaning up, the server must not outlive it.
    killWithParent(server.pid)
    await waitForRedis(port, 10_000, () => server.exitCode)
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
