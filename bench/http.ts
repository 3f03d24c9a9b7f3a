/**
 * The items service's car read and car list routes under autocannon, against a bare
 * `Bun.serve` process answering the same JSON.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { freePort } from '../test/redis.ts'
import { type Child, round, type Row, startChild, waitForOk } from './lib.ts'

const ROOT = join(import.meta.dir, '..')

export type HttpFigures = { requests: number; p50: number; p99: number; non2xx: number; errors: number }

async function load(url: string, headers: Record<string, string>, seconds: number): Promise<HttpFigures> {
  // A short warm-up first, so both sides are measured with their code compiled.
  await autocannon({ url, headers, connections: 16, duration: 1 })
  const r = await autocannon({ url, headers, connections: 16, duration: seconds })
  return {
    requests: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  }
}

export async function benchHttp(options: {
  itemsUrl: string
  headers: Record<string, string>
  routes: { name: string; path: string }[]
  seconds: number
  workDir: string
  env: Record<string, string>
  children: Child[]
}): Promise<{ rows: Row[]; details: Record<string, { items: HttpFigures; bare: HttpFigures }> }> {
  const bodies: Record<string, unknown> = {}
  for (const route of options.routes) {
    const res = await fetch(`${options.itemsUrl}${route.path}`, { headers: options.headers })
    if (res.status !== 200) throw new Error(`GET ${route.path} answered ${res.status}: ${await res.text()}`)
    bodies[route.path] = await res.json()
  }
  const bodiesFile = join(options.workDir, 'bare-bodies.json')
  writeFileSync(bodiesFile, JSON.stringify(bodies))
  const port = await freePort()
  const bare = startChild(
    'bare-server',
    ['bun', join(ROOT, 'bench', 'bare-server.ts'), String(port), bodiesFile],
    options.env,
    join(options.workDir, 'bare-server.log'),
  )
  options.children.push(bare)
  const bareUrl = `http://127.0.0.1:${port}`
  await waitForOk(`${bareUrl}/health`, bare)

  const rows: Row[] = []
  const details: Record<string, { items: HttpFigures; bare: HttpFigures }> = {}
  try {
    for (const route of options.routes) {
      const items = await load(`${options.itemsUrl}${route.path}`, options.headers, options.seconds)
      const base = await load(`${bareUrl}${route.path}`, {}, options.seconds)
      details[route.name] = { items, bare: base }
      const ratio = items.requests / base.requests
      const bad = items.non2xx + items.errors
      rows.push({
        section: 'service http',
        name: `${route.name}: requests/s`,
        value: round(items.requests, 0),
        unit: 'req/s',
        baseline: round(base.requests, 0),
        ratio: round(ratio, 2),
        aim: '≥ 0.50× bare',
        met: ratio >= 0.5 && bad === 0,
        note: `GET ${route.path}, 16 connections, ${options.seconds} s${bad ? `; ${items.non2xx} non-2xx, ${items.errors} errors` : ''}`,
      })
      rows.push({
        section: 'service http',
        name: `${route.name}: latency p99`,
        value: items.p99,
        unit: 'ms',
        baseline: base.p99,
        ratio: base.p99 > 0 ? round(items.p99 / base.p99, 2) : null,
        note: 'autocannon measures whole milliseconds',
      })
    }
  } finally {
    await bare.stop()
  }
  return { rows, details }
}
