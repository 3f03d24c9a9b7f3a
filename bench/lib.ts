/**
 * What the bench parts share: the row shape of the printed table / results.json, latency
 * statistics, RSS and CPU time of a process, child processes that die with the bench, and the
 * figures of a part measured in a child process of its own.
 */
import { type Subprocess, spawn } from 'bun'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { killWithParent, waitHealthy } from '../bots/local/processes.ts'

/** One line of the table. `value` null means "not measured" and `note` says why. */
export type Row = {
  section: string
  name: string
  value: number | null
  unit: string
  /** The same figure for the baseline of this section, measured in the same run. */
  baseline?: number | null
  /** value / baseline. */
  ratio?: number | null
  aim?: string
  /** Whether the aim is met; undefined when the row has no aim. */
  met?: boolean
  note?: string
}

/** A row saying a part failed, and why. */
export const failedRow = (section: string, error: unknown): Row => ({
  section,
  name: 'failed',
  value: null,
  unit: '',
  note: String((error as Error)?.message ?? error).slice(0, 300),
})

/** Progress, on stderr so that stdout is the table alone. */
export const say = (msg: string) => process.stderr.write(`bench: ${msg}\n`)

export type Stats = { count: number; p50: number; p95: number; p99: number; max: number; mean: number }

export function stats(samples: number[]): Stats {
  if (samples.length === 0)
    return { count: 0, p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN, mean: Number.NaN }
  const sorted = Float64Array.from(samples).sort()
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
  const sum = sorted.reduce((a, b) => a + b, 0)
  return {
    count: sorted.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: sorted[sorted.length - 1]!,
    mean: sum / sorted.length,
  }
}

export const round = (n: number | null | undefined, digits = 1): number | null =>
  n === null || n === undefined || !Number.isFinite(n) ? null : Math.round(n * 10 ** digits) / 10 ** digits

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  if (s.length === 0) return Number.NaN
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

/**
 * Runs a part's measuring child (`cmd`) to its end and parses the last line of its stdout as
 * JSON: the figures of work measured in a process of its own. A non-zero exit throws with the
 * last `stderrTail` characters of its stderr.
 */
export async function childFigures<T>(cmd: string[], label: string, stderrTail: number): Promise<T> {
  const proc = Bun.spawn(cmd, { stdout: 'pipe', stderr: 'pipe' })
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  if (code !== 0) throw new Error(`${label} exited ${code}: ${err.slice(-stderrTail)}`)
  return JSON.parse(out.trim().split('\n').at(-1)!) as T
}

/** A `<field>: N kB` line of one of a process's /proc files, in MB; null when the process is gone. */
function procMb(pid: number, file: 'status' | 'smaps_rollup', field: string): number | null {
  try {
    const text = readFileSync(`/proc/${pid}/${file}`, 'utf8')
    const kb = Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(text)?.[1])
    return Number.isFinite(kb) ? kb / 1024 : null
  } catch {
    return null
  }
}

/** Resident set size of a process in MB (VmRSS). */
export const rssMb = (pid: number) => procMb(pid, 'status', 'VmRSS')

/** The part of a process's RSS that is its own memory (heap, JIT code, stacks), not file pages, in MB. */
export const anonMb = (pid: number) => procMb(pid, 'status', 'RssAnon')

/** Peak resident set size of a process in MB (VmHWM). */
export const peakRssMb = (pid: number) => procMb(pid, 'status', 'VmHWM')

/**
 * Proportional set size of a process in MB: its resident pages, each shared page divided by
 * the number of processes that map it (the Bun executable's code is mapped by every Bun
 * process, and RSS counts it in full in each). The PSS of a stack's processes adds up to the
 * memory the stack occupies.
 */
export const pssMb = (pid: number) => procMb(pid, 'smaps_rollup', 'Pss')

/** CPU time (user + system) a process has used so far, in milliseconds, or null when it is gone. */
export function cpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[11]) + Number(fields[12])
    return Number.isFinite(ticks) ? ticks * 10 : null
  } catch {
    return null
  }
}

export type Child = {
  name: string
  proc: Subprocess
  logFile: string
  stop: () => Promise<void>
}

/**
 * Starts a child process whose stdout and stderr go to `logFile`. A watchdog kills it if the
 * bench dies without cleaning up, so no process outlives a run.
 */
export function startChild(name: string, cmd: string[], env: Record<string, string>, logFile: string): Child {
  const fd = openSync(logFile, 'a')
  const proc = spawn(cmd, { env, stdout: fd, stderr: fd, stdin: 'ignore' })
  closeSync(fd)
  killWithParent(proc.pid)
  return {
    name,
    proc,
    logFile,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return
      proc.kill('SIGTERM')
      const done = await Promise.race([proc.exited.then(() => true), Bun.sleep(10_000).then(() => false)])
      if (!done) {
        proc.kill('SIGKILL')
        await proc.exited
      }
    },
  }
}

/** Polls `url` until it answers 2xx; throws, with the end of the child's log, when it exits or the deadline passes. */
export async function waitForOk(url: string, child: Child, timeoutMs = 20_000): Promise<void> {
  try {
    await waitHealthy(child.name, url, () => child.proc.exitCode, timeoutMs)
  } catch (error) {
    const tail = readFileSync(child.logFile, 'utf8').split('\n').slice(-15).join('\n')
    throw new Error(`${(error as Error).message}:\n${tail}`)
  }
}

/** Renders rows as a fixed-width table. */
export function formatTable(rows: Row[]): string {
  const show = (n: number | null | undefined, unit = '') =>
    n === null || n === undefined
      ? '—'
      : `${Number.isInteger(n) ? n : n.toFixed(n < 10 ? 2 : 1)}${unit ? ` ${unit}` : ''}`
  const lines = [['section', 'figure', 'value', 'baseline', 'ratio', 'aim', 'met', 'note']]
  for (const r of rows) {
    lines.push([
      r.section,
      r.name,
      r.value === null ? 'n/a' : show(r.value, r.unit),
      r.baseline === undefined ? '' : show(r.baseline, r.unit),
      r.ratio === undefined || r.ratio === null ? '' : `${r.ratio.toFixed(2)}×`,
      r.aim ?? '',
      r.met === undefined ? '' : r.met ? 'yes' : 'NO',
      r.note ?? '',
    ])
  }
  const widths = lines[0]!.map((_, i) =>
    Math.min(i === 7 ? 200 : 48, Math.max(...lines.map((l) => l[i]!.length))),
  )
  const fmt = (l: string[]) =>
    l
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return [fmt(lines[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.slice(1).map(fmt)].join('\n')
}
