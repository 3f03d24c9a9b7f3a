/**
 * The migration that lets an import be a change (kind 'import'): the changes table is made again
 * with the wider CHECK, its rows and indexes kept, in the migration's one transaction.
 */
import { Database } from 'bun:sqlite'
import { expect, test } from 'bun:test'
import { migrate } from '../../../lib/sqlite.ts'
import { migrations } from '../migrations.ts'

const IMPORT_STEP = migrations.findIndex(
  (m) =>
    typeof m === 'function' && m.toString().includes("'import'") && m.toString().includes('changes_import'),
)

test('the changes of a garage survive the rebuild, and kind import is taken after it and not before', () => {
  expect(IMPORT_STEP).toBeGreaterThan(0)
  const db = new Database(':memory:', { strict: true })
  migrate(db, migrations.slice(0, IMPORT_STEP))
  const insert = (kind: string) =>
    db
      .query(
        `INSERT INTO changes (tenant, actor_id, actor_name, at, kind, action, ref, car_id, before, after)
         VALUES ('local:g', 'local:a', 'Ann', '2026-01-01T00:00:00.000Z', ?, 'add', 7, 3, NULL, '{"row":{"id":7,"car_id":3}}')`,
      )
      .run(kind)
  insert('fuel')
  expect(() => insert('import')).toThrow('CHECK constraint failed')
  const indexes = () =>
    (
      db
        .query("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'changes' ORDER BY name")
        .all() as {
        name: string
      }[]
    ).map((i) => i.name)
  const before = indexes()
  expect(before.length).toBeGreaterThan(0)
  migrate(db, migrations)
  expect(db.query('SELECT id, kind, ref, car_id, after FROM changes').all()).toEqual([
    { id: 1, kind: 'fuel', ref: 7, car_id: 3, after: '{"row":{"id":7,"car_id":3}}' },
  ])
  expect(indexes()).toEqual(before)
  insert('import')
  expect(() => insert('bogus')).toThrow('CHECK constraint failed')
  expect((db.query("SELECT count(*) AS n FROM changes WHERE kind = 'import'").get() as { n: number }).n).toBe(
    1,
  )
})
