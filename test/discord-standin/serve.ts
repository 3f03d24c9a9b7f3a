/**
 * The Discord stand-in by hand: `bun test/discord-standin/serve.ts [--port N]` prints its URL,
 * a bot token and the line that starts the demo against it, then reads commands from stdin
 * and plays a user:
 *
 *   /car add corolla make:Toyota model:Corolla year:2018 odometer:52000   (in guild A)
 *   B /car list                                                          (in guild B)
 *   photo corolla ./car.jpg                                              (drop a photo in A)
 *   press car.show:corolla                                               (press a button)
 *
 * What the bot answers (deferrals, edited replies, channel posts) is printed as it arrives.
 * The catalog is registered up front as `bun run deploy:discord` would (run it too: it works).
 */
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { catalogJSON } from '../../bots/discord/commands.ts'
import { commands } from '../../catalog/catalog.ts'
import { tokenize } from '../../catalog/grammar.ts'
import { DiscordStandin, type OptionInput, type RecordedRequest, type StoredMessage } from './standin.ts'

const args = Bun.argv.slice(2)
const arg = (name: string) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}

const standin = new DiscordStandin({ ...(arg('--token') ? { token: arg('--token')! } : {}) }).start(
  Number(arg('--port') ?? 0),
)
standin.commands.set(
  'global',
  catalogJSON(commands).map((c, i) => ({ ...c, id: String(1600000000000000000n + BigInt(i)) })),
)
const [A, B] = standin.guilds

console.log(`Discord stand-in listening: ${standin.apiUrl}`)
console.log(`  bot token:      ${standin.token}`)
console.log(`  application id: ${standin.applicationId}`)
console.log('Start the demo against it (in another terminal):')
console.log(
  `  DISCORD_TOKEN=${standin.token} DISCORD_APP_ID=${standin.applicationId} DISCORD_API_URL=${standin.apiUrl} DISCORD_FILE_HOSTS=${standin.fileHost} bun run demo`,
)
console.log('Then type here as a user of guild A (prefix "B " for guild B):')
console.log('  /car add corolla make:Toyota model:Corolla year:2018 odometer:52000')
console.log('  photo corolla ./car.jpg      press <button id>      quit')

const show = (m: Pick<StoredMessage, 'content' | 'embeds' | 'components' | 'attachments' | 'flags'>) => {
  const lines: string[] = []
  if (m.content) lines.push(m.content)
  for (const e of m.embeds) {
    if (e.title) lines.push(`  ${e.title}`)
    if (e.description)
      lines.push(
        ...String(e.description)
          .split('\n')
          .map((l) => `  ${l}`),
      )
    for (const f of e.fields ?? []) lines.push(`  ${f.name}: ${f.value}`)
    if (e.thumbnail || e.image) lines.push(`  [photo ${(e.thumbnail ?? e.image).url}]`)
  }
  for (const a of m.attachments ?? []) lines.push(`  attachment ${a.filename}: ${a.url}`)
  const buttons = m.components.flatMap((r: any) =>
    r.components.map((c: any) => `[${c.label} → ${c.custom_id}]`),
  )
  if (buttons.length) lines.push(`  ${buttons.join(' ')}`)
  if ((m.flags ?? 0) & 64) lines.push('  (only you can see this)')
  return lines.join('\n')
}

standin.onIdentify = () => console.log(`« the bot connected to the gateway (${standin.guilds.length} guilds)`)
standin.onRequest = (r: RecordedRequest) => {
  if (r.status >= 400) {
    console.log(`« ${r.method} ${r.path.replace(/\/[A-Za-z0-9._-]{40,}\//, '/<token>/')} → ${r.status}`)
    return
  }
  if (r.path.endsWith('/callback')) {
    if (r.body?.type === 5) console.log('« Car Manager is thinking… (deferred)')
    else if (r.body?.type === 4)
      console.log(`« ${show({ components: [], attachments: [], embeds: [], flags: 0, ...r.body.data })}`)
    else if (r.body?.type === 8)
      console.log(`« suggestions: ${r.body.data.choices.map((c: any) => c.name).join(', ')}`)
    else if (r.body?.type === 9) console.log(`« a form opened: ${r.body.data.title}`)
  } else if (r.method === 'PATCH' && r.path.includes('/messages/@original'))
    console.log(
      `« (edited reply)\n${show({ content: '', components: [], attachments: [], flags: 0, ...r.body })}`,
    )
  else if (
    r.method === 'POST' &&
    (/\/channels\/\d+\/messages$/.test(r.path) || /^\/webhooks\/\d+\/[^/]+$/.test(r.path))
  )
    console.log(
      `« (message in ${r.path.split('/')[2]})\n${show({ content: '', components: [], attachments: [], flags: 0, ...r.body })}`,
    )
  else if (r.method === 'PUT' && r.path.includes('/commands'))
    console.log(`« registered ${(r.body as unknown[]).length} commands`)
}

/** Options of a typed line, typed as the registered command declares them (as Discord's form does). */
function options(name: string, sub: string, rest: string): Record<string, OptionInput> {
  const def = standin.commands.get('global')?.find((c) => c.name === name)
  const subDef = def?.options?.find((o: any) => o.name === sub)
  const defs: any[] = subDef?.options ?? []
  const out: Record<string, OptionInput> = {}
  const required = defs.filter((o) => o.required)
  for (const token of tokenize(rest)) {
    const d = token.name ? defs.find((o) => o.name === token.name) : required.find((o) => !(o.name in out))
    const key = token.name ?? d?.name
    if (!key) continue
    const type = d?.type ?? 3
    out[key] =
      type === 4 || type === 10
        ? Number(token.value)
        : type === 5
          ? /^(y|yes|true)$/i.test(token.value)
          : token.value
  }
  return out
}

for await (const raw of console) {
  const line = raw.trim()
  if (!line) continue
  if (line === 'quit' || line === 'exit') break
  const guild = /^B\s/.test(line) ? B! : A!
  const text = line.replace(/^[AB]\s+/, '')
  try {
    if (text.startsWith('/')) {
      const m = /^\/(\S+)\s*(\S*)\s*([\s\S]*)$/.exec(text)!
      standin.sendCommand(guild.id, m[1]!, m[2] || null, m[2] ? options(m[1]!, m[2], m[3] ?? '') : {})
    } else if (text.startsWith('photo ')) {
      const parts = text.split(/\s+/).slice(1)
      const file = parts.pop()!
      const bytes = new Uint8Array(readFileSync(file))
      const type = /\.png$/i.test(file) ? 'image/png' : /\.webp$/i.test(file) ? 'image/webp' : 'image/jpeg'
      standin.dropPhoto(guild.id, guild.channels[0]!.id, {
        content: parts.join(' '),
        files: [{ filename: basename(file), bytes, contentType: type }],
      })
      console.log('» photo posted')
    } else if (text.startsWith('press ')) standin.pressButton(guild.id, text.slice(6).trim())
    else console.log('» type /command …, photo <text> <file>, press <button id> or quit')
  } catch (error) {
    console.log(`» ${(error as Error).message}`)
  }
}
await standin.close()
process.exit(0)
