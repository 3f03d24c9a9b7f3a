import { expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { describeSettings } from '../../lib/config.ts'
import { ENV_EXAMPLE, envExample, README, settingsTable, TABLE_END, TABLE_START } from './settings-docs.ts'

test('.env.example lists exactly the settings of lib/config.ts (regenerate: bun bots/local/settings-docs.ts)', () => {
  const text = readFileSync(ENV_EXAMPLE, 'utf8')
  const names = [...text.matchAll(/^# ([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1])
  expect(names).toEqual(describeSettings().map((s) => s.name))
  expect(text).toBe(envExample())
})

test('README has a row for every setting of lib/config.ts, and no row for a setting that does not exist', () => {
  const readme = readFileSync(README, 'utf8')
  const block = readme.slice(readme.indexOf(TABLE_START), readme.indexOf(TABLE_END))
  const rows = [...block.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1])
  expect(rows.sort()).toEqual(
    describeSettings()
      .map((s) => s.name)
      .sort(),
  )
  expect(block).toContain(settingsTable())
})
