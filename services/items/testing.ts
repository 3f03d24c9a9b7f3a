/**
 * What the items tests share: requests to an app without a port, a harness of one fresh app per
 * test with a clock the test sets, a garage with a reminder tick, and the refusal checks.
 */
import { afterAll, beforeEach, expect } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp, type ItemsApp } from './app.ts'

export const TOKEN = 'items-test-token-0123456789'

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field
export type Res = { status: number; body: any }

export type CallOptions = {
  /** X-Tenant (default local:a); null sends none. */
  tenant?: string | null
  body?: unknown
  raw?: string
  headers?: Record<string, string>
}

export async function request(
  app: ItemsApp,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<Res> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${TOKEN}`,
    'content-type': 'application/json',
  }
  if (opts.tenant !== null) headers['x-tenant'] = opts.tenant ?? 'local:a'
  Object.assign(headers, opts.headers)
  const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body))
  const res = await app.handle(new Request(`http://localhost${path}`, { method, headers, body }))
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {}
  return { status: res.status, body: parsed }
}

const dirs: string[] = []
const apps: ItemsApp[] = []

/** Stops the apps a test file booted and removes their folders after its tests (call once per file). */
export function cleanUpAfterAll() {
  afterAll(async () => {
    for (const a of apps.splice(0)) await a.stop()
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })
}

/** A new app on a fresh data folder (or on an existing one: a restart), stopped after the file's tests. */
export function boot(clock: () => Date, existingDir?: string): { app: ItemsApp; dir: string } {
  const dir = existingDir ?? mkdtempSync(join(tmpdir(), 'items-test-'))
  if (!existingDir) dirs.push(dir)
  const app = createApp({ dataDir: dir, token: TOKEN, now: clock })
  apps.push(app)
  return { app, dir }
}

/** Rows of a table of the app's database. */
export const countRows = (app: ItemsApp, table: string, where = '1 = 1', ...args: (string | number)[]) =>
  (app.decorator.db.query(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get(...args) as { n: number })
    .n

/**
 * One fresh app per test, the clock at 2026-05-10 12:00 UTC unless the test moves it:
 * `h.call(method, path, options)` asks it, `h.count(table)` counts its rows.
 */
export function harness() {
  const h = {
    clock: new Date('2026-05-10T12:00:00Z'),
    app: undefined as unknown as ItemsApp,
    dir: '',
    fresh(existingDir?: string): ItemsApp {
      const booted = boot(() => h.clock, existingDir)
      h.dir = booted.dir
      return booted.app
    },
    call: (method: string, path: string, opts: CallOptions & { on?: ItemsApp } = {}) =>
      request(opts.on ?? h.app, method, path, opts),
    count: (table: string, where = '1 = 1', ...args: (string | number)[]) =>
      countRows(h.app, table, where, ...args),
  }
  beforeEach(() => {
    h.clock = new Date('2026-05-10T12:00:00Z')
    h.app = h.fresh()
  })
  cleanUpAfterAll()
  return h
}

/** A refusal with this status naming this field, its message starting with the field. */
export function expectRefused(res: Res, status: number, field: string, words?: RegExp) {
  expect(res.status).toBe(status)
  expect(res.body.error.field).toBe(field)
  expect(res.body.error.message).toStartWith(field)
  if (words) expect(res.body.error.message).toMatch(words)
}

/** A 4xx naming the field (or a field within it), its message starting with the field. */
export function expectFieldRefused(res: Res, field: string, words?: RegExp) {
  expect(res.status).toBeGreaterThanOrEqual(400)
  expect(res.status).toBeLessThan(500)
  expect(res.body.error.field ?? '').toStartWith(field)
  expect(res.body.error.message).toStartWith(field)
  if (words) expect(res.body.error.message).toMatch(words)
}

export const corolla = {
  nickname: 'corolla',
  make: 'Toyota',
  model: 'Corolla',
  year: 2018,
  odometer: { value: 52000, unit: 'mi', text: '52,000 mi' },
  plate: 'AB-123',
}

/** A typed distance in miles ("5,000 mi"). */
export const mi = (value: number) => ({ value, unit: 'mi', text: `${value.toLocaleString('en-US')} mi` })

/** Noon-ish local time in Chicago (CDT, UTC-5) on a date: past a reminder hour of 9. */
export const chicagoAfternoon = (date: string) => `${date}T17:00:00Z`

/** A garage on a fresh (or an existing) items database with a clock the test moves. */
export class Garage {
  clock: Date
  app: ItemsApp
  readonly dir: string

  constructor(start: string, dir?: string) {
    this.clock = new Date(start)
    const booted = boot(() => this.clock, dir)
    this.dir = booted.dir
    this.app = booted.app
  }

  /** A restart: a new app on the same file. */
  restart() {
    this.app = boot(() => this.clock, this.dir).app
  }

  at(iso: string) {
    this.clock = new Date(iso)
  }

  call(
    method: string,
    path: string,
    body?: unknown,
    tenant: string | null = 'local:a',
    raw?: string,
  ): Promise<Res> {
    return request(this.app, method, path, { body, tenant, ...(raw === undefined ? {} : { raw }) })
  }

  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field
  async ok(method: string, path: string, body?: unknown, tenant: string | null = 'local:a'): Promise<any> {
    const r = await this.call(method, path, body, tenant)
    if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }

  /** One reminder tick at the current clock: claim, then acknowledge what was returned. */
  // biome-ignore lint/suspicious/noExplicitAny: announcements are checked field by field
  async tick(): Promise<any[]> {
    const { announcements } = await this.ok(
      'POST',
      '/reminders/claim',
      { at: this.clock.toISOString() },
      null,
    )
    if (announcements.length)
      await this.ok('POST', '/reminders/ack', { ids: announcements.map((a: { id: number }) => a.id) }, null)
    return announcements
  }

  count(table: string, where = '1 = 1', ...args: (string | number)[]): number {
    return countRows(this.app, table, where, ...args)
  }

  /** An imperial garage in Chicago with a reminder channel, and its corolla at `odometer`. */
  async setup(tenant = 'local:a', settings: Record<string, unknown> = {}, odometer = '48,000 mi') {
    const garage = {
      units: 'imperial',
      timezone: 'America/Chicago',
      reminder_channel: 'general',
      reminder_hour: 9,
    }
    await this.ok('PATCH', '/settings', { ...garage, ...settings }, tenant)
    const value = Number(odometer.replace(/[^0-9]/g, ''))
    await this.ok(
      'POST',
      '/cars',
      { nickname: 'corolla', odometer: { value, unit: 'mi', text: odometer } },
      tenant,
    )
  }
}
