import { afterEach, describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '../../lib/log.ts'
import { createApp as calculatorApp } from '../calculator/app.ts'
import { createApp as itemsApp } from '../items/app.ts'

const TOKEN = 'backup-route-test-token-0123456789'
const dirs: string[] = []
const apps: { stop: () => unknown }[] = []

function fresh() {
  const dir = mkdtempSync(join(tmpdir(), 'cm-backup-route-'))
  dirs.push(dir)
  const app = itemsApp({ dataDir: join(dir, 'data'), token: TOKEN, log: silentLogger })
  apps.push(app)
  return { dir, dataDir: join(dir, 'data'), app }
}

afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const post = (app: { handle: (r: Request) => Promise<Response> }, body: unknown, token = TOKEN) =>
  app.handle(
    new Request('http://localhost/backup', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  )

describe('POST /backup', () => {
  test('writes a consistent copy of the database below DATA_DIR/backups, with its schema version', async () => {
    const { dataDir, app } = fresh()
    const car = await app.handle(
      new Request('http://localhost/cars', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${TOKEN}`,
          'x-tenant': 'local:route',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ nickname: 'golf' }),
      }),
    )
    expect(car.status).toBeLessThan(300)
    const res = await post(app, { to: 'snap' })
    expect(res.status).toBe(200)
    const answer = (await res.json()) as { database: string; user_version: number; files: number }
    expect(answer.database).toBe('items.sqlite')
    const copy = new Database(join(dataDir, 'backups', 'snap', 'items.sqlite'), { readonly: true })
    try {
      expect(
        (copy.query('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check,
      ).toBe('ok')
      expect((copy.query('PRAGMA user_version').get() as { user_version: number }).user_version).toBe(
        answer.user_version,
      )
      expect(answer.user_version).toBeGreaterThan(0)
      expect(copy.query('SELECT nickname FROM cars').all()).toEqual([{ nickname: 'golf' }])
    } finally {
      copy.close()
    }
    // The same folder again is refused: a snapshot is never overwritten.
    expect((await post(app, { to: 'snap' })).status).toBe(409)
  })

  test('refuses a path outside the backup root, by name, by `..` or through a symbolic link, writing nothing', async () => {
    const { dir, dataDir, app } = fresh()
    const outside = join(dir, 'elsewhere')
    mkdirSync(outside)
    mkdirSync(join(dataDir, 'backups'), { recursive: true })
    symlinkSync(outside, join(dataDir, 'backups', 'link'))
    for (const to of [
      outside,
      join(outside, 'snap'),
      '../snap',
      '../../elsewhere',
      'a/../../x',
      join(dataDir, 'backups'),
      '.',
      'link/snap',
      'link',
    ]) {
      const res = await post(app, { to })
      expect({ to, status: res.status }).toEqual({ to, status: 403 })
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('outside_backup_root')
    }
    expect(readdirSync(outside)).toEqual([])
    expect(readdirSync(dataDir).filter((f) => !f.startsWith('items.sqlite'))).toEqual(['backups'])
    expect(readdirSync(join(dataDir, 'backups'))).toEqual(['link'])
  })

  test('needs the service token, and a body with only `to`', async () => {
    const { dataDir, app } = fresh()
    expect((await post(app, { to: 'snap' }, 'wrong-token-wrong-token')).status).toBe(401)
    expect((await post(app, { to: 'snap', extra: 1 })).status).toBe(422)
    expect((await post(app, { to: 'a\u0000b' })).status).toBe(422)
    expect((await post(app, { to: `${'x'.repeat(300)}` })).status).toBe(422)
    expect(existsSync(join(dataDir, 'backups', 'snap'))).toBe(false)
  })

  test('a stateless service checks the path and answers that it wrote nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cm-backup-route-'))
    dirs.push(dir)
    const app = calculatorApp({ dataDir: dir, token: TOKEN })
    apps.push(app)
    const ok = await post(app, { to: 'snap' })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toMatchObject({
      service: 'calculator',
      database: null,
      user_version: null,
      files: 0,
    })
    expect((await post(app, { to: '/etc' })).status).toBe(403)
    expect(readdirSync(dir)).toEqual([])
  })
})
