import { afterEach, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkpoint, openDatabase, WAL_AUTOCHECKPOINT_PAGES } from './db.ts'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function open() {
  const dir = mkdtempSync(join(tmpdir(), 'cm-db-'))
  dirs.push(dir)
  const path = join(dir, 'x.sqlite')
  return { db: openDatabase(path, ['CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)']), path }
}

test('a burst of writes is not checkpointed in its midst; checkpoint() moves the WAL back once it is quiet', () => {
  const { db, path } = open()
  expect(db.query('PRAGMA wal_autocheckpoint').get()).toEqual({ wal_autocheckpoint: WAL_AUTOCHECKPOINT_PAGES })
  // About 1,500 pages of WAL in many small commits, past SQLite's default of 1,000.
  const insert = db.query('INSERT INTO t (v) VALUES (?)')
  for (let i = 0; i < 1_500; i++) insert.run('x'.repeat(3_000))
  const walBytes = statSync(`${path}-wal`).size
  expect(walBytes).toBeGreaterThan(1_200 * 4096)
  const moved = checkpoint(db)
  expect(moved.log).toBeGreaterThan(1_200)
  expect(moved.checkpointed).toBe(moved.log)
  // Nothing is lost on the way, and the next checkpoint has nothing left to move.
  expect(db.query('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1_500 })
  db.close()
  const again = openDatabase(path, ['CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)'])
  expect(again.query('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1_500 })
  expect(checkpoint(again).log).toBe(0)
  again.close()
})
