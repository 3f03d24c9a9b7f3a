/**
 * The migration that numbers imports per garage: imports made before keep their number (their
 * rowid, which the issues, quotes and images services refer to for undo), and a garage's next
 * import takes the number after its own highest.
 */
import { Database } from 'bun:sqlite'
import { expect, test } from 'bun:test'
import { migrate } from '../../../lib/sqlite.ts'
import { migrations } from '../migrations.ts'

const STEP = migrations.findIndex((m) => typeof m === 'string' && m.includes('imports_number'))

test('earlier imports keep their number; the next of each garage follows its own highest', () => {
  expect(STEP).toBeGreaterThan(0)
  const db = new Database(':memory:', { strict: true })
  migrate(db, migrations.slice(0, STEP))
  const old = db.query(
    `INSERT INTO imports (tenant, actor_id, actor_name, at, file, format, added)
     VALUES (?, 'local:a', 'Ann', '2026-01-01T00:00:00.000Z', 'f.csv', 'Fuelly export', '{}')`,
  )
  for (const tenant of ['local:a', 'local:b', 'local:a']) old.run(tenant)
  migrate(db, migrations)
  const numbers = () => db.query('SELECT tenant, number FROM imports ORDER BY id').all()
  expect(numbers()).toEqual([
    { tenant: 'local:a', number: 1 },
    { tenant: 'local:b', number: 2 },
    { tenant: 'local:a', number: 3 },
  ])
  const next = db.query(
    `INSERT INTO imports (tenant, number, actor_id, actor_name, at, file, format, added)
     VALUES (?1, (SELECT IFNULL(MAX(number), 0) + 1 FROM imports WHERE tenant = ?1), 'x', 'X', 'now', 'g.csv', 'f', '{}')
     RETURNING number`,
  )
  expect(next.get('local:b')).toEqual({ number: 3 })
  expect(next.get('local:c')).toEqual({ number: 1 })
  // a number is its garage's once
  expect(() => db.query("INSERT INTO imports (tenant, number, actor_id, actor_name, at, file, format, added) VALUES ('local:c', 1, 'x', 'X', 'now', 'g', 'f', '{}')").run()).toThrow('UNIQUE')
})
