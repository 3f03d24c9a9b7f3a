/**
 * Operations checks the bench runs on the live stack: `/health` and `/ready` answer on every
 * HTTP process, and every log line is one JSON object naming its process, with the tenant
 * wherever it names a job.
 */
import { readFileSync } from 'node:fs'
import type { Child, Row } from './lib.ts'
import type { BenchStack } from './stack.ts'

export async function checkEndpoints(
  processes: { name: string; url: string }[],
  token: string,
): Promise<Row[]> {
  const rows: Row[] = []
  for (const p of processes) {
    const statuses: string[] = []
    let ok = true
    for (const path of ['/health', '/ready']) {
      try {
        // Services demand the service token on /ready (only /health is open); the worker asks none.
        const res = await fetch(`${p.url}${path}`, {
          headers: { authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(2_000),
        })
        statuses.push(`${path} ${res.status}`)
        if (res.status !== 200) ok = false
      } catch (error) {
        statuses.push(`${path} ${(error as Error).name}`)
        ok = false
      }
    }
    rows.push({
      section: 'operations',
      name: `${p.name} /health and /ready`,
      value: null,
      unit: '',
      aim: '200 both',
      met: ok,
      note: statuses.join(', '),
    })
  }
  return rows
}

export type LogAudit = {
  lines: number
  notJson: number
  noProcess: number
  jobLines: number
  jobNoTenant: number
  sample?: string
}

/** Counts the lines of a process's output that are not structured as the operations section asks. */
export function auditLines(text: string): LogAudit {
  const audit: LogAudit = { lines: 0, notJson: 0, noProcess: 0, jobLines: 0, jobNoTenant: 0 }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    audit.lines++
    let entry: Record<string, unknown>
    try {
      const parsed = JSON.parse(line) as unknown
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object')
      entry = parsed as Record<string, unknown>
    } catch {
      audit.notJson++
      audit.sample ??= line.slice(0, 120)
      continue
    }
    if (typeof entry.process !== 'string') {
      audit.noProcess++
      audit.sample ??= line.slice(0, 120)
    }
    if (entry.jobId !== undefined) {
      audit.jobLines++
      if (typeof entry.tenant !== 'string') {
        audit.jobNoTenant++
        audit.sample ??= line.slice(0, 120)
      }
    }
  }
  return audit
}

export function auditLog(name: string, text: string): Row {
  const a = auditLines(text)
  const bad = a.notJson + a.noProcess + a.jobNoTenant
  return {
    section: 'operations',
    name: `${name} log lines structured`,
    value: a.lines - bad,
    unit: `of ${a.lines}`,
    aim: 'all JSON with process (+ tenant with jobId)',
    met: bad === 0,
    note: bad
      ? `${a.notJson} not JSON, ${a.noProcess} without process, ${a.jobNoTenant} with jobId but no tenant; e.g. ${a.sample}`
      : `${a.jobLines} lines name a job`,
  }
}

/** The operations part of `bun run bench`: every HTTP process's endpoints and every stack process's log. */
export async function opsRows(stack: BenchStack, children: Child[], token: string): Promise<Row[]> {
  const rows = await checkEndpoints(
    stack.http.map((h) => ({ name: h.name, url: h.url })),
    token,
  )
  for (const c of children) {
    if (c.name === 'bare-server' || c.name === 'hop-worker') continue
    rows.push(auditLog(c.name, readFileSync(c.logFile, 'utf8')))
  }
  return rows
}
