/**
 * One slash command per catalog command (`/car`, `/garage`, … — the catalog is iterated, so
 * a new command file is a new slash command). Each is acknowledged at once; the text is parsed
 * with the core grammar; an empty command or a parse error is answered privately in the ack
 * with that command's help and dispatches nothing; a good one becomes a job for tenant
 * `slack:<team_id>` whose reply goes to the command's response_url.
 */
import type { App, SlashCommand } from '@slack/bolt'
import { UNAVAILABLE_TEXT } from '../../../queue/dispatch.ts'
import type { Envelope } from '../../../queue/envelope.ts'
import { parseCommandText } from '../../core/grammar.ts'
import { envelopeId, SORRY, type SlackContext, tenantOf } from '../context.ts'

const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`)

/** The private answer to a command that could not be parsed: what is wrong, then the help. */
export function helpText(error: string, help: string): string {
  return clip(`${error}\n\`\`\`${help}\`\`\``, 3000)
}

export function register(app: App, ctx: SlackContext): void {
  for (const command of ctx.commands) {
    app.command(`/${command.name}`, async ({ command: body, ack, respond }) => {
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
        const parsed = parseCommandText(command.name, body.text ?? '', ctx.commands)
        if (!parsed.ok) return await answerPrivately(helpText(parsed.error, parsed.help))
        acked = true
        await ack()
        const envelope = commandEnvelope(body, tenant, parsed.kind, parsed.payload, ctx.now())
        const result = await ctx.dispatch(envelope)
        if (!result.ok) await respond({ response_type: 'ephemeral', text: UNAVAILABLE_TEXT })
      } catch (err) {
        log.error({ err }, 'slash command failed')
        await answerPrivately(SORRY).catch(() => {})
      }
    })
  }
}

export function commandEnvelope(
  body: SlashCommand,
  tenant: string,
  kind: string,
  payload: Record<string, unknown>,
  now: Date,
): Envelope {
  return {
    // trigger_id is unique per invocation; Slack does not resend slash commands.
    id: envelopeId(body.trigger_id || `${body.team_id}-${body.user_id}-${now.getTime()}`),
    kind,
    tenant,
    actor: { platform: 'slack', userId: body.user_id, name: clip(body.user_name ?? '', 200) },
    replyTo: {
      platform: 'slack',
      channelId: body.channel_id,
      responseUrl: body.response_url,
      userId: body.user_id,
    },
    payload,
    at: now.getTime(),
  }
}
