/**
 * Data a tenant holds in each service, written through the services' own routes
 * (so it is exactly what the worker would have stored). Best effort per service: a service
 * whose contract changed is reported by name instead of breaking every trust test.
 */
import { createHash } from 'node:crypto'
import type { ServiceName } from '../../lib/contracts/services.ts'
import { makePng } from '../fixtures/images.ts'
import { TOKEN } from './routes.ts'

export type Call = (
  service: ServiceName,
  method: string,
  path: string,
  tenant: string,
  body?: unknown,
) => Promise<{ status: number; json: unknown; text: string }>

/** A `Call` on in-process apps (`app.handle`). */
export function callVia(apps: Map<ServiceName, { handle: (r: Request) => Promise<Response> }>): Call {
  return callWith((service, request) => {
    const app = apps.get(service)
    if (!app) throw new Error(`no ${service} service`)
    return app.handle(request)
  }, TOKEN)
}

/** A `Call` over HTTP to running services (the stack's listeners). */
export function callHttp(urlOf: (s: ServiceName) => string, token: string): Call {
  return callWith((service, request) => {
    const url = new URL(request.url)
    return fetch(new Request(`${urlOf(service)}${url.pathname}${url.search}`, request))
  }, token)
}

function callWith(send: (service: ServiceName, request: Request) => Promise<Response>, token: string): Call {
  return async (service, method, path, tenant, body) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'x-tenant': tenant }
    let payload: RequestInit['body'] | undefined
    if (body instanceof Uint8Array) payload = body
    else if (body !== undefined) {
      payload = JSON.stringify(body)
      headers['content-type'] = 'application/json'
    }
    const res = await send(
      service,
      new Request(`http://localhost${path}`, { method, headers, body: payload }),
    )
    const text = await res.text()
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {}
    return { status: res.status, json, text }
  }
}

export type Holdings = {
  tenant: string
  car?: { id: number; nickname: string }
  itemId?: number
  recordId?: number
  issues: number[]
  quotes: number[]
  photo?: { sha256: string; linkId: number; bytes: Uint8Array }
  itemName?: string
  /** The highest number of its webhooks (one per issue it holds, so A's highest is a number B has not). */
  webhook?: number
  /** Strings that exist only in this tenant's data; another tenant must never see them. */
  markers: string[]
  problems: string[]
}

const actor = { id: 'u1', name: 'Seeder' }

/**
 * Writes a car, a maintenance item, a service record, a fill-up, `issueCount` issues, a quote
 * per issue and a photo for `tenant`. `marker` is woven into every free-text field so a leak of
 * this tenant's data is visible in any answer.
 */
export async function seedTenant(
  call: Call,
  tenant: string,
  opts: { nickname: string; marker: string; issueCount: number; photoSize: number },
): Promise<Holdings> {
  const h: Holdings = { tenant, issues: [], quotes: [], markers: [opts.marker], problems: [] }
  const m = opts.marker
  const expect2xx = (what: string, r: { status: number; text: string }) => {
    if (r.status >= 300) h.problems.push(`${what}: ${r.status} ${r.text.slice(0, 200)}`)
    return r.status < 300
  }
  const car = await call('items', 'POST', '/cars', tenant, {
    nickname: opts.nickname,
    make: `${m}Make`,
    model: `${m}Model`,
    plate: `${m}-PLATE`,
    odometer: { value: 1000, unit: 'km', text: '1000 km' },
  })
  if (expect2xx('POST /cars', car)) {
    const c =
      (car.json as { car?: { id: number; nickname: string } }).car ??
      (car.json as { id: number; nickname: string })
    h.car = { id: c.id, nickname: c.nickname }
  }
  const item = await call('items', 'POST', '/items', tenant, {
    car: opts.nickname,
    name: `${m} oil change`,
    months: 6,
  })
  if (expect2xx('POST /items', item)) {
    h.itemId = findNumber(item.json, 'id')
    h.itemName = `${m} oil change`
  }
  const record = await call('items', 'POST', '/records', tenant, {
    car: opts.nickname,
    title: `${m} brake job`,
    notes: `${m} notes`,
    odometer: { value: 1200, unit: 'km', text: '1200 km' },
  })
  if (expect2xx('POST /records', record)) h.recordId = findNumber(record.json, 'id')
  const fill = await call('items', 'POST', '/fillups', tenant, {
    car: opts.nickname,
    volume: { value: 40, unit: 'L', text: '40 L' },
    odometer: { value: 1500, unit: 'km', text: '1500 km' },
  })
  expect2xx('POST /fillups', fill)
  if (h.car) {
    for (let i = 0; i < opts.issueCount; i++) {
      const issue = await call('issues', 'POST', '/issues', tenant, {
        car_id: h.car.id,
        car: h.car.nickname,
        title: `${m} rattle ${i + 1}`,
        details: `${m} details`,
        actor,
      })
      if (expect2xx('POST /issues', issue)) h.issues.push((issue.json as { number: number }).number)
    }
  }
  for (const issue of h.issues) {
    const quote = await call('quotes', 'POST', '/quotes', tenant, {
      issue,
      shop: `${m} Garage`,
      currency: 'USD',
      amount: { value: 640, text: '640' },
      notes: `${m} quote notes`,
    })
    if (expect2xx('POST /quotes', quote)) {
      const n = findNumber(quote.json, 'number')
      if (n !== undefined) h.quotes.push(n)
    }
  }
  for (let i = 0; i < opts.issueCount; i++) {
    const hook = await call('items', 'POST', '/webhooks', tenant, {
      url: `https://hooks.example.com/${m}/${i + 1}`,
      events: ['all'],
    })
    if (expect2xx('POST /webhooks', hook)) h.webhook = (hook.json as { webhook: { number: number } }).webhook.number
  }
  const png = await makePng(opts.photoSize, opts.photoSize)
  const sha256 = createHash('sha256').update(png).digest('hex')
  const q = new URLSearchParams({ uploader: 'u1', uploader_name: `${m} uploader`, filename: `${m}.png` })
  if (h.car) {
    q.set('car_id', String(h.car.id))
    q.set('car', h.car.nickname)
  }
  if (h.issues[0]) q.set('issue', String(h.issues[0]))
  const up = await call('images', 'POST', `/images?${q}`, tenant, png)
  if (expect2xx('POST /images', up)) {
    const photo = (up.json as { photo: { id: number; sha256: string } }).photo
    h.photo = { sha256: photo.sha256, linkId: photo.id, bytes: png }
    if (photo.sha256 !== sha256) h.problems.push('POST /images: sha256 is not the bytes’ hash')
  }
  if (h.issues[0]) {
    expect2xx(
      'POST /issues/:n/photos',
      await call('issues', 'POST', `/issues/${h.issues[0]}/photos`, tenant, { sha256, actor }),
    )
  }
  return h
}

/** The first numeric `key` found in a JSON answer (top level, then one level down). */
export function findNumber(json: unknown, key: string): number | undefined {
  if (!json || typeof json !== 'object') return undefined
  const o = json as Record<string, unknown>
  if (typeof o[key] === 'number') return o[key] as number
  for (const v of Object.values(o)) {
    if (v && typeof v === 'object' && typeof (v as Record<string, unknown>)[key] === 'number')
      return (v as Record<string, number>)[key]
  }
  return undefined
}
