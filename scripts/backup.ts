/**
 * `bun run backup [--to DIR]`: a snapshot of every service while the stack runs (each service
 * writes its own part; lib/backup/take.ts) and of the Slack bot's installation store when DATA_DIR
 * has one, into DIR or DATA_DIR/backups/<time>. Reads the
 * settings like every process: each service's URL and SERVICE_TOKEN (or the token `bun run demo`
 * generated into DATA_DIR). Prints what it saved; exits 1 saying why when it could not.
 */
import { parseArgs } from 'node:util'
import { SLACK_STORE } from '../lib/backup/contract.ts'
import { BackupError, serviceToken, serviceUrls, takeBackup } from '../lib/backup/take.ts'
import { humanBytes } from '../lib/bytes.ts'
import { loadConfig } from '../lib/config.ts'
import { yieldToOthers } from '../lib/idle.ts'

function usage(line?: string): never {
  if (line) console.error(`backup: ${line}`)
  console.error('usage: bun run backup [--to DIR]   (default DIR: DATA_DIR/backups/<time>)')
  process.exit(2)
}

let to: string | undefined
try {
  to = parseArgs({ options: { to: { type: 'string' } }, strict: true }).values.to
} catch (error) {
  usage((error as Error).message)
}
// A snapshot is never in a hurry, the garage's commands are: this process (hashing, copying,
// fsyncing) steps aside for them (lib/idle.ts: SCHED_IDLE on Linux, else nice 10). `bun run
// backup` starts it at nice 10 already (package.json), so Bun's own start-up does too.
yieldToOthers()
const config = loadConfig()
try {
  const taken = await takeBackup({
    dataDir: config.DATA_DIR,
    token: serviceToken(config),
    urls: serviceUrls(config),
    to,
  })
  const size = (path: string) => taken.manifest.files.find((f) => f.path === path)?.bytes ?? 0
  console.log(`backup: ${taken.dir}`)
  for (const s of taken.services) {
    const parts: string[] = []
    if (s.database) parts.push(`${s.database} (${humanBytes(size(s.database))}, schema ${s.user_version})`)
    if (s.files > 0) {
      const bytes = taken.manifest.files
        .filter((f) => f.path.startsWith(`${s.service}/`))
        .reduce((n, f) => n + f.bytes, 0)
      parts.push(`${s.files} files in ${s.service}/ (${humanBytes(bytes)})`)
    }
    console.log(`  ${s.service.padEnd(11)} ${parts.join(', ') || 'nothing to save'}  [${s.ms} ms]`)
  }
  const slack = taken.manifest.databases.find((d) => d.service === SLACK_STORE.service)
  if (slack)
    console.log(
      `  ${'slack'.padEnd(11)} ${slack.file} (${humanBytes(size(slack.file))}, schema ${slack.user_version}; the bot's installations, tokens still encrypted)`,
    )
  const total = taken.manifest.files.reduce((n, f) => n + f.bytes, 0)
  console.log(
    `  manifest.json: ${taken.manifest.files.length} files, ${humanBytes(total)}, each with its sha256`,
  )
} catch (error) {
  if (!(error instanceof BackupError)) throw error
  console.error(`backup failed; nothing was saved:\n${error.message}`)
  process.exit(1)
}
