/**
 * Where the app keeps the workspaces that installed it through OAuth (bots/slack/app.ts): its own
 * SQLite file, DATA_DIR/slack.sqlite, one row per workspace (team id, or the enterprise id of an
 * org-wide install) with Bolt's whole `Installation` sealed with AES-256-GCM under
 * SLACK_TOKEN_KEY, so no token is ever in the file in plain text. The row's key is the
 * additional data of its seal: a sealed installation copied onto another workspace's row does
 * not open. Also the one answer to "which bot token for this workspace", used by every listener
 * (through Bolt's `authorize`) and by the delivery worker; without OAuth that answer is
 * SLACK_BOT_TOKEN, whatever the workspace, as before.
 */
import type { Database } from 'bun:sqlite'
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { Installation, InstallationQuery, InstallationStore } from '@slack/oauth'
import { type Migration, openDatabase } from '../../lib/sqlite.ts'

export const MIGRATIONS: readonly Migration[] = [
  `CREATE TABLE installations (
    workspace TEXT PRIMARY KEY,
    sealed BLOB NOT NULL,
    installed_at INTEGER NOT NULL
  ) WITHOUT ROWID;`,
]

/** The 32-byte key of SLACK_TOKEN_KEY (base64), or an error saying what is wrong with it. */
export function tokenKey(base64: string): Buffer {
  const key = Buffer.from(base64, 'base64')
  if (key.byteLength !== 32)
    throw new Error('SLACK_TOKEN_KEY must be 32 bytes, base64-encoded (openssl rand -base64 32)')
  return key
}

const IV_BYTES = 12
const TAG_BYTES = 16

/** iv | tag | ciphertext of `plain` under `key`, bound to `aad`. */
export function seal(key: Buffer, aad: string, plain: string): Buffer {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(aad))
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
  return Buffer.concat([iv, cipher.getAuthTag(), body])
}

/** The plain text of `seal(key, aad, plain)`; throws when the key, the aad or the bytes differ. */
export function unseal(key: Buffer, aad: string, sealed: Uint8Array): string {
  const bytes = Buffer.from(sealed)
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES))
  decipher.setAAD(Buffer.from(aad))
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
    'utf8',
  )
}

type Query = Pick<InstallationQuery<boolean>, 'teamId' | 'enterpriseId' | 'isEnterpriseInstall'>

/** The row of a workspace: its team id, or `E:<enterprise id>` for an org-wide install. */
const workspaceOf = (q: {
  teamId?: string | undefined
  enterpriseId?: string | undefined
  isEnterpriseInstall?: boolean | undefined
}) => {
  if (q.isEnterpriseInstall && q.enterpriseId) return `E:${q.enterpriseId}`
  if (q.teamId) return q.teamId
  throw new Error('an installation without a team or an enterprise')
}

export class SqliteInstallationStore implements InstallationStore {
  private constructor(
    private readonly db: Database,
    private readonly key: Buffer,
  ) {}

  static open(dataDir: string, keyBase64: string): SqliteInstallationStore {
    const key = tokenKey(keyBase64)
    return new SqliteInstallationStore(openDatabase(join(dataDir, 'slack.sqlite'), MIGRATIONS), key)
  }

  async storeInstallation(installation: Installation): Promise<void> {
    const workspace = workspaceOf({
      teamId: installation.team?.id,
      enterpriseId: installation.enterprise?.id,
      isEnterpriseInstall: installation.isEnterpriseInstall,
    })
    this.db
      .query(
        `INSERT INTO installations (workspace, sealed, installed_at) VALUES ($workspace, $sealed, $at)
         ON CONFLICT (workspace) DO UPDATE SET sealed = excluded.sealed, installed_at = excluded.installed_at`,
      )
      .run({ workspace, sealed: seal(this.key, workspace, JSON.stringify(installation)), at: Date.now() })
  }

  async fetchInstallation(query: Query): Promise<Installation> {
    const found = this.find(workspaceOf(query))
    if (!found) throw new Error(`no installation for ${workspaceOf(query)}`)
    return found
  }

  async deleteInstallation(query: Query): Promise<void> {
    this.db
      .query('DELETE FROM installations WHERE workspace = $workspace')
      .run({ workspace: workspaceOf(query) })
  }

  /**
   * Keeps SLACK_BOT_TOKEN as the installation of its own workspace (as auth.test names it), so the
   * workspace the app served before OAuth was turned on keeps being answered; the setting wins
   * over what is stored (a token replaced in the settings takes effect at the next start).
   */
  async keepSingle(auth: {
    teamId: string
    botUserId?: string
    botId?: string
    token: string
  }): Promise<void> {
    await this.storeInstallation({
      team: { id: auth.teamId },
      enterprise: undefined,
      user: { id: '', token: undefined, scopes: undefined },
      bot: { token: auth.token, id: auth.botId ?? '', userId: auth.botUserId ?? '', scopes: [] },
      isEnterpriseInstall: false,
      authVersion: 'v2',
    })
  }

  /** The installation of a workspace (team id or `E:<enterprise id>`), if it installed the app. */
  find(workspace: string): Installation | undefined {
    const row = this.db
      .query('SELECT sealed FROM installations WHERE workspace = $workspace')
      .get({ workspace }) as { sealed: Uint8Array } | null
    return row ? (JSON.parse(unseal(this.key, workspace, row.sealed)) as Installation) : undefined
  }

  close(): void {
    this.db.close()
  }
}

/** The bot token of a workspace (by team id), or undefined when it has not installed the app. */
export type TokenResolver = (teamId: string) => Promise<string | undefined>

/** With OAuth: the workspace's installation. Without: SLACK_BOT_TOKEN for every workspace, as before. */
export function tokenResolver(
  store: SqliteInstallationStore | undefined,
  single: string | undefined,
): TokenResolver {
  return async (teamId) => (store ? store.find(teamId)?.bot?.token : single)
}
