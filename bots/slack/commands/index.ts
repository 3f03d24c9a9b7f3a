/**
 * One slash command per catalog command (`/car`, `/garage`, … — the catalog is iterated, so
 * a new command file is a new slash command). Each is acknowledged at once; the text is parsed
 * with the catalog's grammar; an empty command or a parse error is answered privately in the ack
 * with that command's help and dispatches nothing; a good one becomes a job for tenant
 * `slack:<team_id>` whose reply is posted in the command's channel (deliver.ts: chat.postMessage;
 * the command's response_url when the bot cannot post there, or for a private answer).
 */
import type { App, SlashCommand } from '@slack/bolt'
import type { Command, Subcommand } from '../../../catalog/command.ts'
import { parseCommandText } from '../../../catalog/grammar.ts'
import { usage } from '../../../catalog/help.ts'
import type { Envelope, SlackFacts } from '../../../lib/contracts/envelope.ts'
import { clip } from '../../../lib/domain/text.ts'
import { dispatchFailureText } from '../../shared/dispatch.ts'
import { envelope } from '../../shared/envelope.ts'
import { SORRY, type SlackContext, tenantOf } from '../context.ts'

/** The private answer to a command that could not be parsed: what is wrong, then the help. */
export function helpText(error: string, help: string): string {
  return clip(`${error}\n\`\`\`${help}\`\`\``, 3000)
}

export function register(app: App, ctx: SlackContext): void {
  for (const command of ctx.commands) {
    app.command(`/${command.name}`, async ({ command: body, ack, respond, client }) => {
      const log = ctx.log.child({ listener: `command /${command.name}`, team: body.team_id })
      let acked = false
      const answerPrivately = async (text: string) => {
        if (acked) await respond({ response_type: 'ephemeral', text })
        else {
          acked = true
          await ack({ response_type: 'ephemeral', text })
        }
      }
      try {
        const tenant = tenantOf(body.team_id)
        if (!tenant)
          return await answerPrivately(
            'This workspace id is not one Car Manager understands; nothing was done.',
          )
        const sub = fileSubcommand(command, body.text ?? '')
        // A photo comes dropped in the prompt's thread (below); an import as a file dropped in
        // the channel with the word import (events/index.ts).
        if (sub && command.name !== 'photo') {
          const rest = (body.text ?? '').trim().split(/\s+/).slice(1).join(' ')
          return await answerPrivately(
            `/${command.name} ${sub.name} needs a file, and Slack's slash commands cannot carry one: drop the file in a channel I am in with the message \`${sub.name}${rest ? ` ${clip(rest, 200)}` : ''}\`, and the preview answers in its thread.`,
          )
        }
        if (sub) {
          // Slack's slash commands cannot carry a file: the app posts a prompt, remembers what
          // its thread is about, and the file dropped in that thread becomes the photo job.
          const relaxed = withoutAttachments(command, sub)
          const parsed = parseCommandText(
            command.name,
            body.text ?? '',
            ctx.commands.map((c) => (c === command ? relaxed : c)),
          )
          if (!parsed.ok) return await answerPrivately(helpText(parsed.error, parsed.help))
          const ref = refOf(parsed.payload)
          if (!ref)
            return await answerPrivately(
              helpText(
                `/${command.name} ${sub.name}: say what the file is for, e.g. car:corolla or issue:12 — or just drop it in the channel with the car's name in the message`,
                usage(command, sub),
              ),
            )
          acked = true
          await ack()
          const what = ref.startsWith('issue:') ? `issue #${ref.slice(6)}` : ref.slice(4)
          try {
            const posted = await client.chat.postMessage({
              channel: body.channel_id,
              text: `📷 <@${body.user_id}>, drop the photo for ${what} in the thread of this message.`,
            })
            if (posted.ts) await ctx.rememberThread(tenant, posted.ts, ref)
          } catch (err) {
            log.info({ err: (err as Error).message }, 'cannot post the file prompt in the channel')
            await respond({
              response_type: 'ephemeral',
              text: "Invite me to this channel first (/invite @car-manager), then try again — or drop the photo here with the car's name in the message.",
            })
          }
          return
        }
        const parsed = parseCommandText(command.name, body.text ?? '', ctx.commands)
        if (!parsed.ok) return await answerPrivately(helpText(parsed.error, parsed.help))
        acked = true
        await ack()
        const facts = await ctx.facts(client, body.team_id, body.user_id)
        const job = commandEnvelope(body, tenant, parsed.kind, parsed.payload, ctx.now(), facts)
        const result = await ctx.dispatch(job)
        if (!result.ok) await respond({ response_type: 'ephemeral', text: dispatchFailureText(result) })
      } catch (err) {
        log.error({ err }, 'slash command failed')
        await answerPrivately(SORRY).catch(() => {})
      }
    })
  }
}

/** The subcommand the text names, when it needs a file (an attachment option is required). */
export function fileSubcommand(command: Command, text: string): Subcommand | undefined {
  const first = text.trim().split(/\s+/)[0]?.toLowerCase() ?? ''
  const sub = command.subcommands.find((s) => s.name === first)
  return sub?.options.some((o) => o.type === 'attachment' && o.required) ? sub : undefined
}

function withoutAttachments(command: Command, sub: Subcommand): Command {
  return {
    ...command,
    subcommands: command.subcommands.map((s) =>
      s === sub ? { ...s, options: s.options.filter((o) => o.type !== 'attachment') } : s,
    ),
  }
}

/** `issue:<n>` or `car:<nickname>` from a payload's issue / car option. */
export function refOf(payload: Record<string, unknown>): string | undefined {
  if (typeof payload.issue === 'number') return `issue:${payload.issue}`
  if (typeof payload.car === 'string' && /^[^\s]{1,64}$/.test(payload.car)) return `car:${payload.car}`
  return undefined
}

export function commandEnvelope(
  body: SlashCommand,
  tenant: string,
  kind: string,
  payload: Record<string, unknown>,
  now: Date,
  facts?: SlackFacts,
): Envelope {
  return envelope({
    // trigger_id is unique per invocation; Slack does not resend slash commands.
    id: body.trigger_id || [body.team_id, body.user_id, String(now.getTime())],
    kind,
    tenant,
    actor: {
      platform: 'slack',
      userId: body.user_id,
      name: body.user_name ?? '',
      ...(facts ? { slack: facts } : {}),
    },
    replyTo: {
      platform: 'slack',
      channelId: body.channel_id,
      responseUrl: body.response_url,
      userId: body.user_id,
    },
    payload,
    at: now.getTime(),
  })
}
