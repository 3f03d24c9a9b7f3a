/**
 * `bun run backup` and `bun run restore` against the real stack (test/stack.ts: every service on
 * its port, the worker on the test Redis): a snapshot taken while commands run restores into an
 * empty DATA_DIR with every database intact and every row there; restore refuses a DATA_DIR
 * that holds anything and a snapshot that does not match its manifest, writing nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SERVICE_NAMES, SERVICES } from '../contracts/services.ts'
import { silentLogger } from '../log.ts'
import { createApp as itemsApp } from '../../services/items/app.ts'
import { makePng } from '../../test/fixtures/images.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import { callHttp, seedTenant } from '../../test/trust/seed.ts'
import { SqliteInstallationStore } from '../../bots/slack/installations.ts'
import { listFiles } from './files.ts'
import { restoreBackup } from './restore.ts'
import { BackupError, serviceUrls, takeBackup } from './take.ts'

const ROOT = join(import.meta.dir, '..', '..')
const TENANT = 'local:backup'
let stack: Stack
let tmp: string

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'cm-backup-'))
  stack = await startStack()
  const call = callHttp((s) => stack.url(s), stack.token)
  for (const [tenant, marker, photoSize] of [
    [TENANT, 'BKA', 24],
    ['local:backup-b', 'BKB', 28],
  ] as const) {
    const held = await seedTenant(call, tenant, { nickname: 'corolla', marker, issueCount: 2, photoSize })
    expect(held.problems).toEqual([])
  }
  expect((await stack.say('/car add golf odometer:"10,000 km"', TENANT)).tone).toBe('ok')
}, 30_000)

afterAll(async () => {
  await stack?.close()
  rmSync(tmp, { recursive: true, force: true })
})

/** The environment of a command run by hand next to the stack: its DATA_DIR, token and services. */
function env(extra: Record<string, string> = {}): Record<string, string> {
  const e: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    DATA_DIR: stack.dataDir,
    SERVICE_TOKEN: stack.token,
    LOG_LEVEL: 'silent',
  }
  for (const name of SERVICE_NAMES) e[SERVICES[name].url] = stack.url(name)
  return { ...e, ...extra }
}

async function run(script: 'backup' | 'restore', args: string[], environment: Record<string, string>) {
  const proc = Bun.spawn([process.execPath, join(ROOT, 'scripts', `${script}.ts`), ...args], {
    cwd: ROOT,
    env: environment,
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  return { code, out, err }
}

/** Row counts of every table of every database (`<service>.sqlite`) in a DATA_DIR, read-only. */
function counts(dataDir: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const file of readdirSync(dataDir).filter((f) => f.endsWith('.sqlite'))) {
    const db = new Database(join(dataDir, file), { readonly: true })
    try {
      const tables = db
        .query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .all() as { name: string }[]
      for (const { name } of tables)
        out[`${file}:${name}`] = (db.query(`SELECT COUNT(*) AS n FROM "${name}"`).get() as { n: number }).n
    } finally {
      db.close()
    }
  }
  return out
}

/** The photo store's files (tmp/ left out). */
const photoFiles = (dataDir: string) =>
  existsSync(join(dataDir, 'images'))
    ? listFiles(join(dataDir, 'images')).filter((f) => !f.startsWith('tmp/'))
    : []

/** Every photo row of a restored images database has its original and both thumbnails. */
function photosWithoutFiles(dataDir: string): string[] {
  const db = new Database(join(dataDir, 'images.sqlite'), { readonly: true })
  try {
    const shas = (db.query('SELECT sha256 FROM images').all() as { sha256: string }[]).map((r) => r.sha256)
    expect(shas.length).toBeGreaterThan(0)
    return shas.filter((sha) =>
      [sha, `${sha}.256.jpg`, `${sha}.1024.jpg`].some(
        (f) => !existsSync(join(dataDir, 'images', sha.slice(0, 2), f)),
      ),
    )
  } finally {
    db.close()
  }
}

let underLoad: string

describe('backup and restore', () => {
  test('a backup taken while commands run restores into an empty DATA_DIR: integrity ok, every row there', async () => {
    const pngs = await Promise.all(Array.from({ length: 20 }, (_, i) => makePng(32 + i, 32 + i)))
    const before = counts(stack.dataDir)
    underLoad = join(tmp, 'under-load')
    let backupDone = false
    let during = 0
    const backup = run('backup', ['--to', underLoad], env()).finally(() => {
      backupDone = true
    })
    // Three streams of commands and one of photo uploads for as long as the backup runs.
    let n = 0
    const stream = async () => {
      while (!backupDone) {
        const reply = await stack.say(`/car add c${n++}`, TENANT)
        expect(reply.tone).toBe('ok')
        if (!backupDone) during++
      }
    }
    const uploads = async () => {
      for (const [i, png] of pngs.entries()) {
        if (backupDone) break
        const res = await fetch(
          `${stack.url('images')}/images?uploader=u1&uploader_name=Tester&filename=p${i}.png`,
          {
            method: 'POST',
            headers: { authorization: `Bearer ${stack.token}`, 'x-tenant': TENANT },
            body: png,
          },
        )
        expect(res.status).toBeLessThan(300)
      }
    }
    await Promise.all([stream(), stream(), stream(), uploads()])
    const taken = await backup
    expect(taken.err).toBe('')
    expect(taken.code).toBe(0)
    expect(during).toBeGreaterThan(0)
    expect(taken.out).toContain(`backup: ${underLoad}`)
    for (const db of ['items', 'issues', 'images', 'quotes']) expect(taken.out).toContain(`${db}.sqlite (`)
    expect(taken.out).toMatch(/images\/ \(/)
    const after = counts(stack.dataDir)

    const target = join(tmp, 'restored-under-load')
    const restored = await run('restore', [underLoad], env({ DATA_DIR: target }))
    expect(restored.err).toBe('')
    expect(restored.code).toBe(0)
    for (const db of ['items', 'issues', 'images', 'quotes'])
      expect(restored.out).toMatch(new RegExp(`${db}\\.sqlite +integrity_check ok, schema \\d+, \\d+ rows`))
    const got = counts(target)
    expect(Object.keys(got).sort()).toEqual(Object.keys(before).sort())
    // Commands went on during the backup, so each table holds at least what it held before the
    // backup began and at most what it held after.
    const outOfRange = Object.keys(got).filter((k) => got[k]! < before[k]! || got[k]! > after[k]!)
    expect(outOfRange).toEqual([])
    expect(got['items.sqlite:cars']).toBeGreaterThan(before['items.sqlite:cars']!)
    expect(photosWithoutFiles(target)).toEqual([])
  }, 60_000)

  test('a backup of a quiet stack restores every row and every photo file exactly, and the garage reads as before', async () => {
    const taken = await takeBackup({
      dataDir: stack.dataDir,
      token: stack.token,
      urls: serviceUrls(stack.config),
    })
    expect(taken.dir.startsWith(join(stack.dataDir, 'backups'))).toBe(true)
    expect(readdirSync(join(stack.dataDir, 'backups')).filter((f) => f.startsWith('.partial'))).toEqual([])
    const manifest = JSON.parse(readFileSync(join(taken.dir, 'manifest.json'), 'utf8'))
    expect(manifest.databases.map((d: { service: string }) => d.service).sort()).toEqual([
      'api',
      'images',
      'issues',
      'items',
      'quotes',
    ])
    expect(manifest.databases.every((d: { user_version: number }) => d.user_version > 0)).toBe(true)
    const target = join(tmp, 'restored-quiet')
    const restored = await restoreBackup(taken.dir, target)
    expect(restored.databases.map((d) => d.file).sort()).toEqual([
      'api.sqlite',
      'images.sqlite',
      'issues.sqlite',
      'items.sqlite',
      'quotes.sqlite',
    ])
    expect(counts(target)).toEqual(counts(stack.dataDir))
    expect(photoFiles(target)).toEqual(photoFiles(stack.dataDir))
    expect(readdirSync(target).sort()).toEqual([
      'api.sqlite',
      'images',
      'images.sqlite',
      'issues.sqlite',
      'items.sqlite',
      'quotes.sqlite',
    ])

    const items = itemsApp({ dataDir: target, token: stack.token, log: silentLogger })
    try {
      const res = await items.handle(
        new Request('http://localhost/cars', {
          headers: { authorization: `Bearer ${stack.token}`, 'x-tenant': TENANT },
        }),
      )
      const live = await fetch(`${stack.url('items')}/cars`, {
        headers: { authorization: `Bearer ${stack.token}`, 'x-tenant': TENANT },
      })
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual(await live.json())
    } finally {
      await items.stop()
    }
  }, 30_000)

  test('restore refuses a DATA_DIR that holds anything, naming what is there, and writes nothing', async () => {
    const target = join(tmp, 'not-empty')
    mkdirSync(join(target, 'old-photos'), { recursive: true })
    writeFileSync(join(target, 'notes.txt'), 'mine')
    const r = await run('restore', [underLoad], env({ DATA_DIR: target }))
    expect(r.code).toBe(1)
    expect(r.err).toContain('not empty')
    expect(r.err).toContain('notes.txt')
    expect(r.err).toContain('old-photos')
    expect(readdirSync(target).sort()).toEqual(['notes.txt', 'old-photos'])
    expect(readdirSync(join(target, 'old-photos'))).toEqual([])
  })

  test('restore refuses a snapshot whose file does not match its manifest, and writes nothing', async () => {
    const tampered = join(tmp, 'tampered')
    cpSync(underLoad, tampered, { recursive: true })
    const file = join(tampered, 'quotes.sqlite')
    const bytes = readFileSync(file)
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff
    writeFileSync(file, bytes)
    const target = join(tmp, 'restored-tampered')
    const r = await run('restore', [tampered], env({ DATA_DIR: target }))
    expect(r.code).toBe(1)
    expect(r.err).toContain('quotes.sqlite: sha256')
    expect(r.err).toContain('nothing was restored')
    expect(existsSync(target)).toBe(false)

    // A photo gone from the snapshot, and a manifest that names a file outside it.
    const missing = join(tmp, 'missing')
    cpSync(underLoad, missing, { recursive: true })
    const photo = listFiles(join(missing, 'images'))[0]!
    rmSync(join(missing, 'images', photo))
    const manifest = JSON.parse(readFileSync(join(missing, 'manifest.json'), 'utf8'))
    manifest.files.push({ path: 'x/../../escape', bytes: 0, sha256: '0'.repeat(64) })
    writeFileSync(join(missing, 'manifest.json'), JSON.stringify(manifest))
    const error = await restoreBackup(missing, target).catch((e) => e)
    expect(error).toBeInstanceOf(BackupError)
    expect(error.message).toContain(`images/${photo}: missing`)
    expect(error.message).toContain('x/../../escape: leads outside the snapshot')
    expect(existsSync(target)).toBe(false)
  })

  test("the Slack bot's installation store is copied while it is open, still encrypted, and restored beside the services", async () => {
    const key = Buffer.alloc(32, 7).toString('base64')
    const token = 'xoxb-backup-secret-0123456789'
    const store = SqliteInstallationStore.open(stack.dataDir, key)
    try {
      await store.keepSingle({ teamId: 'T0BACKUP1', botUserId: 'U0BOT', botId: 'B0BOT', token })
      // the bot keeps its store open (WAL) while the backup runs
      const r = await run('backup', ['--to', join(tmp, 'with-slack')], env())
      expect(r.err).toBe('')
      expect(r.code).toBe(0)
      expect(r.out).toContain('slack       slack.sqlite (')
    } finally {
      store.close()
    }
    const snap = join(tmp, 'with-slack')
    const manifest = JSON.parse(readFileSync(join(snap, 'manifest.json'), 'utf8'))
    expect(manifest.databases).toContainEqual({ service: 'slack', file: 'slack.sqlite', user_version: expect.any(Number) })
    expect(manifest.files.map((f: { path: string }) => f.path)).toContain('slack.sqlite')
    expect(readFileSync(join(snap, 'slack.sqlite')).includes(token)).toBe(false)
    const target = join(tmp, 'restored-slack')
    const restored = await run('restore', [snap], env({ DATA_DIR: target }))
    expect(restored.code).toBe(0)
    expect(restored.out).toMatch(/slack\.sqlite +integrity_check ok, schema \d+, 1 rows/)
    const back = SqliteInstallationStore.open(target, key)
    try {
      expect(back.find('T0BACKUP1')?.bot?.token).toBe(token)
    } finally {
      back.close()
    }
    rmSync(join(stack.dataDir, 'slack.sqlite'), { force: true })
    rmSync(join(stack.dataDir, 'slack.sqlite-wal'), { force: true })
    rmSync(join(stack.dataDir, 'slack.sqlite-shm'), { force: true })
  }, 30_000)

  test('a backup whose service cannot be reached saves nothing and names the service', async () => {
    const r = await run('backup', ['--to', join(tmp, 'down')], env({ QUOTES_URL: 'http://127.0.0.1:9' }))
    expect(r.code).toBe(1)
    expect(r.err).toContain('quotes: not reachable at http://127.0.0.1:9')
    expect(existsSync(join(tmp, 'down'))).toBe(false)
    expect(readdirSync(join(stack.dataDir, 'backups')).filter((f) => f.startsWith('.partial'))).toEqual([])
  })
})
