/**
 * The Slack stand-in by hand:
 *
 *   bun test/slack-standin/serve.ts [--port 4990] [--app http://127.0.0.1:3000/slack/events]
 *                                   [--team T0STANDIN] [--channel C0GARAGE]
 *                                   [--bot-token xoxb-…] [--signing-secret …]
 *
 * prints its Web API URL, a bot token, a signing secret and an app-level token (with the line
 * that starts Car Manager against it), then reads slash commands from stdin — one per line, e.g.
 * `/car add corolla make:Toyota model:Corolla year:2018` — sends each to the app signed as Slack
 * signs it, and prints the app's answer and every reply that reaches a response_url or a channel.
 */
import { parseArgs } from 'node:util'
import { SlackStandin } from './standin.ts'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    app: { type: 'string', default: 'http://127.0.0.1:3000/slack/events' },
    team: { type: 'string', default: 'T0STANDIN' },
    channel: { type: 'string', default: 'C0GARAGE' },
    'bot-token': { type: 'string' },
    'signing-secret': { type: 'string' },
  },
})

const standin = new SlackStandin({
  teamId: values.team,
  ...(values['bot-token'] ? { botToken: values['bot-token'] } : {}),
  ...(values['signing-secret'] ? { signingSecret: values['signing-secret'] } : {}),
}).start(Number(values.port))

const out = (line = '') => process.stdout.write(`${line}\n`)
out(`Slack stand-in on ${standin.url}`)
out(`  SLACK_API_URL=${standin.apiUrl}`)
out(`  SLACK_BOT_TOKEN=${standin.botToken}`)
out(`  SLACK_SIGNING_SECRET=${standin.signingSecret}`)
out(`  SLACK_APP_TOKEN=${standin.appToken}   (only for Socket Mode)`)
out(`  SLACK_FILE_HOSTS=${standin.fileHost}`)
out()
out('Start Car Manager against it (another terminal):')
out(
  `  SLACK_BOT_TOKEN=${standin.botToken} SLACK_SIGNING_SECRET=${standin.signingSecret} SLACK_API_URL=${standin.apiUrl} SLACK_FILE_HOSTS=${standin.fileHost} SLACK_PORT=${new URL(values.app).port || 3000} bun run demo`,
)
out()
out(`Type slash commands for team ${values.team}; each is signed and sent to ${values.app}:`)

/** Prints replies as they reach the stand-in. */
let seen = 0
const watcher = setInterval(() => {
  for (; seen < standin.requests.length; seen++) {
    const r = standin.requests[seen]!
    if (r.path.startsWith('/response/') && r.status === 200) {
      out(
        `← reply (${r.body?.response_type ?? 'ephemeral'}): ${String(r.body?.text ?? '').replace(/\n/g, '\n    ')}`,
      )
    } else if (/^\/api\/chat\.(postMessage|postEphemeral|update)$/.test(r.path)) {
      out(
        `← ${r.path.slice(5)} in ${r.body?.channel}${r.body?.thread_ts ? ` (thread ${r.body.thread_ts})` : ''}: ${String(r.body?.text ?? '')}`,
      )
    } else if (r.status === 429) {
      out(`← ${r.path}: 429 (rate limited on request)`)
    }
  }
}, 100)

let pending = Promise.resolve()
const decoder = new TextDecoder()
let buffer = ''
for await (const chunk of Bun.stdin.stream()) {
  buffer += decoder.decode(chunk, { stream: true })
  let nl = buffer.indexOf('\n')
  while (nl >= 0) {
    const line = buffer.slice(0, nl).trim()
    buffer = buffer.slice(nl + 1)
    nl = buffer.indexOf('\n')
    const m = /^\/([a-z]+)\s*([\s\S]*)$/.exec(line)
    if (!line) continue
    if (!m) {
      out('  (type a slash command, e.g. /car list)')
      continue
    }
    pending = pending.then(async () => {
      try {
        const sent = await standin.sendCommand(values.app, {
          command: `/${m[1]}`,
          text: m[2] ?? '',
          teamId: values.team,
          channelId: values.channel,
        })
        out(
          `→ /${m[1]} ${m[2] ?? ''}: HTTP ${sent.status} in ${sent.ms.toFixed(0)} ms${sent.body ? ` ${sent.body}` : ''}`,
        )
      } catch (error) {
        out(`→ could not reach the app at ${values.app}: ${(error as Error).message}`)
      }
    })
  }
}
// End of input: give the last replies a few seconds, then stop.
await pending
await Bun.sleep(5_000)
clearInterval(watcher)
await standin.close()
