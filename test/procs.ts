/**
 * Real processes for fault tests: the items service and the worker started as `bun <entry>`
 * with their own environment, killed with SIGKILL or stopped with SIGTERM as an operator would.
 */
import { type Subprocess, spawn } from 'bun'
import { join } from 'node:path'
import { waitHealthy as waitForHealth } from '../bots/local/processes.ts'

const ROOT = join(import.meta.dir, '..')

export type Proc = {
  name: string
  proc: Subprocess<'ignore', 'pipe', 'pipe'>
  output: () => string
  kill: (signal?: NodeJS.Signals) => void
  exited: Promise<number>
}

export function startProcess(name: string, entry: string, env: Record<string, string>): Proc {
  const proc = spawn(['bun', join(ROOT, entry)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  let out = ''
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    for await (const chunk of stream) out += decoder.decode(chunk)
  }
  void drain(proc.stdout)
  void drain(proc.stderr)
  // A test that fails must not leave its processes behind.
  const guard = () => proc.kill('SIGKILL')
  process.once('exit', guard)
  return {
    name,
    proc,
    output: () => out,
    kill: (signal = 'SIGKILL') => proc.kill(signal),
    exited: proc.exited.finally(() => process.off('exit', guard)),
  }
}

/** Waits until GET url answers 2xx; throws, with the process's output, when it exits or the deadline passes. */
export async function waitHealthy(p: Proc, url: string, timeoutMs = 15_000): Promise<void> {
  await waitForHealth(p.name, url, () => p.proc.exitCode, timeoutMs).catch((e: Error) => {
    throw new Error(`${e.message}\n${p.output()}`)
  })
}
