/**
 * The installation store's seal: a 32-byte key or nothing, tokens never in the file in plain
 * text, a row's seal bound to its workspace; and the Slack process refusing OAuth without a key.
 */
import { afterAll, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfig } from '../../lib/config.ts'
import { silentLogger } from '../../lib/log.ts'
import { startSlack } from './index.ts'
import { SqliteInstallationStore, tokenKey } from './installations.ts'

const dir = mkdtempSync(join(tmpdir(), 'cm-slack-store-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const installation = (team: string, token: string) => ({
  team: { id: team },
  enterprise: undefined,
  user: { id: 'U1', token: undefined, scopes: undefined },
  bot: { token, id: 'B1', userId: 'U0BOT', scopes: ['commands'] },
  isEnterpriseInstall: false as const,
  authVersion: 'v2' as const,
})

test('SLACK_TOKEN_KEY must be 32 bytes of base64', () => {
  expect(() => tokenKey(randomBytes(16).toString('base64'))).toThrow('32 bytes')
  expect(tokenKey(randomBytes(32).toString('base64')).byteLength).toBe(32)
})

test('a seal opens only under its key and on its own workspace row', async () => {
  const key = randomBytes(32).toString('base64')
  const store = SqliteInstallationStore.open(dir, key)
  await store.storeInstallation(installation('T0AAAA01', 'xoxb-aaaa'))
  await store.storeInstallation(installation('T0BBBB02', 'xoxb-bbbb'))
  expect(store.find('T0AAAA01')?.bot?.token).toBe('xoxb-aaaa')
  store.close()

  // Copy A's sealed installation onto B's row: it must not open as B's.
  const db = new Database(join(dir, 'slack.sqlite'))
  db.run(
    `UPDATE installations SET sealed = (SELECT sealed FROM installations WHERE workspace = 'T0AAAA01') WHERE workspace = 'T0BBBB02'`,
  )
  db.close()
  const again = SqliteInstallationStore.open(dir, key)
  expect(() => again.find('T0BBBB02')).toThrow()
  expect(again.find('T0AAAA01')?.bot?.token).toBe('xoxb-aaaa')
  again.close()

  const other = SqliteInstallationStore.open(dir, randomBytes(32).toString('base64'))
  expect(() => other.find('T0AAAA01')).toThrow()
  other.close()
})

test('OAuth settings without SLACK_TOKEN_KEY: the Slack process refuses to start', async () => {
  const config = parseConfig({
    REDIS_URL: 'redis://127.0.0.1:1',
    DATA_DIR: dir,
    SLACK_SIGNING_SECRET: 'secret',
    SLACK_CLIENT_ID: '123.456',
    SLACK_CLIENT_SECRET: 'client-secret',
    SLACK_STATE_SECRET: 'state-secret-state-secret',
    LOG_LEVEL: 'silent',
  })
  await expect(startSlack(config, silentLogger, { port: 0 })).rejects.toThrow('SLACK_TOKEN_KEY')
})
