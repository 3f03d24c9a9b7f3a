/**
 * The items service's car read and car list routes under autocannon, against a bare
 * `Bun.serve` process answering the same JSON.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { freePort } from '../test/redis.ts'
import { type Child, failedRow, round, type Row, say, startChild, waitForOk } from './lib.ts'
import { type BenchStack, TOKEN } from './stack.ts'

const ROOT = join(import.meta.dir, '..')

export type HttpFigures = { requests: number; p50: number; p99: number; non2xx: number; errors: number }

async function slice(url: string, headers: Record<string, string>, seconds: number) {
  return autocannon({ url, headers, connections: 16, duration: seconds })
}

/**
 * Items and bare measured in alternating one-second slices (after a warm-up of each), so load
 * from elsewhere on a shared machine falls on both sides alike instead of on one 5-second run.
 */
async function alternate(
  itemsUrl: string,
  bareUrl: string,
  headers: Record<string, string>,
  seconds: number,
): Promise<{ items: HttpFigures; bare: HttpFigures }> {
  await slice(itemsUrl, headers, 1)
  await slice(bareUrl, {}, 1)
  const sums = { items: [] as autocannon.Result[], bare: [] as autocannon.Result[] }
  for (let round = 0; round < Math.max(2, seconds); round++) {
    sums.items.push(await slice(itemsUrl, headers, 1))
    sums.bare.push(await slice(bareUrl, {}, 1))
  }
  const figures = (runs: autocannon.Result[]): HttpFigures => {
    const p99s = runs.map((r) => r.latency.p99).sort((a, b) => a - b)
    return {
      requests: runs.reduce((n, r) => n + r.requests.total, 0) / runs.reduce((n, r) => n + r.duration, 0),
      p50: runs.map((r) => r.latency.p50).sort((a, b) => a - b)[Math.floor(runs.length / 2)]!,
      p99: p99s[Math.floor(p99s.length / 2)]!,
      non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
      errors: runs.reduce((n, r) => n + r.errors, 0),
    }
  }
  return { items: figures(sums.items), bare: figures(sums.bare) }
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
      const { items, bare: base } = await alternate(
        `${options.itemsUrl}${route.path}`,
        `${bareUrl}${route.path}`,
        options.headers,
        options.seconds,
      )
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
        note: `GET ${route.path}, 16 connections, ${Math.max(2, options.seconds)} alternating 1 s slices each${bad ? `; ${items.non2xx} non-2xx, ${items.errors} errors` : ''}`,
      })
      rows.push({
        section: 'service http',
        name: `${route.name}: latency p99`,
        value: items.p99,
        unit: 'ms',
        baseline: base.p99,
        ratio: base.p99 > 0 ? round(items.p99 / base.p99, 2) : null,
        note: 'median of the slices; autocannon measures whole milliseconds',
      })
    }
  } finally {
    await bare.stop()
  }
  return { rows, details }
}

const HTTP_TENANT = 'local:bench-http'

/**
 * The service HTTP part of `bun run bench`: a garage of its own in the running items service,
 * then its car read and car list routes against the bare server.
 */
export async function benchItemsHttp(o: {
  stack: BenchStack
  seconds: number
  workDir: string
  children: Child[]
}): Promise<{ rows: Row[]; details?: unknown }> {
  const items = o.stack.http.find((h) => h.name === 'items')
  if (!items) {
    return {
      rows: [
        {
          section: 'service http',
          name: 'not available',
          value: null,
          unit: '',
          note: 'the items service is not running (see operations)',
        },
      ],
    }
  }
  say('service http: autocannon')
  try {
    // A garage of its own: three cars, the one read with 60 odometer readings (about five
    // years of monthly readings), whatever the commands part did to the bench garage.
    const headers = { authorization: `Bearer ${TOKEN}`, 'x-tenant': HTTP_TENANT }
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${items.url}${path}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      if (res.status !== 200 && res.status !== 201)
        throw new Error(`POST ${path} answered ${res.status}: ${await res.text()}`)
    }
    for (const [nickname, make] of [
      ['corolla', 'Toyota'],
      ['civic', 'Honda'],
      ['golf', 'Volkswagen'],
    ] as const) {
      await post('/cars', { nickname, make, odometer: { value: 52_000, unit: 'km', text: '52,000 km' } })
    }
    for (let i = 1; i <= 60; i++) {
      await post('/cars/corolla/readings', {
        reading: { value: 52_000 + i * 1_200, unit: 'km', text: `${52_000 + i * 1_200} km` },
      })
    }
    return await benchHttp({
      itemsUrl: items.url,
      headers,
      routes: [
        { name: 'car read', path: '/cars/corolla' },
        { name: 'car list', path: '/cars' },
      ],
      seconds: o.seconds,
      workDir: o.workDir,
      env: o.stack.env,
      children: o.children,
    })
  } catch (error) {
    return { rows: [failedRow('service http', error)] }
  }
}
