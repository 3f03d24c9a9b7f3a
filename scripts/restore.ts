/**
 * `bun run restore DIR`: checks the snapshot in DIR against its manifest, then copies it into
 * DATA_DIR, which must be empty (stop the stack first), runs `PRAGMA integrity_check` on each
 * restored database and says what it restored (lib/backup/restore.ts). Exits 1 saying why when
 * it refused or failed, having written nothing that stays.
 */
import { BackupError } from '../lib/backup/take.ts'
import { restoreBackup } from '../lib/backup/restore.ts'
import { humanBytes } from '../lib/bytes.ts'
import { loadConfig } from '../lib/config.ts'

const args = process.argv.slice(2)
if (args.length !== 1 || args[0]!.startsWith('-')) {
  console.error('usage: bun run restore DIR   (DIR: a folder `bun run backup` made; DATA_DIR must be empty)')
  process.exit(2)
}
const config = loadConfig()
try {
  const r = await restoreBackup(args[0]!, config.DATA_DIR)
  console.log(`restored the snapshot of ${r.manifest.created_at} into ${r.dataDir}`)
  for (const d of r.databases)
    console.log(
      `  ${d.file.padEnd(16)} integrity_check ok, schema ${d.user_version}, ${d.rows} rows in ${d.tables} tables`,
    )
  const others = r.files - r.databases.length
  if (others > 0) console.log(`  ${others} other files (photos)`)
  console.log(`  ${r.files} files, ${humanBytes(r.bytes)}, every sha256 as in the manifest`)
  console.log(
    'Start the stack on this DATA_DIR (bun run demo); a new SERVICE_TOKEN is generated unless you set one.',
  )
} catch (error) {
  if (!(error instanceof BackupError)) throw error
  console.error(`restore failed: ${error.message}`)
  process.exit(1)
}
