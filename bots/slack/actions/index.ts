/**
 * Button presses (`block_actions`). Acknowledged at once; an action id `<kind>:<arg>` becomes
 * a job of that kind with payload `{ arg }` (envelope id `<team>-<action_ts>-<user>`), answered
 * in the press's channel (deliver.ts; the press's response_url when the bot cannot post there, or
 * for a private answer); `form:<name>:<arg>` opens that form of catalog/forms.ts as a
 * modal (views.open), whose submit is handled in views/.
 */
import type { App, BlockAction, ButtonAction } from '@slack/bolt'
import { parseActionId } from '../../../catalog/actions.ts'
import type { Form } from '../../../catalog/forms.ts'
import { TYPE_HINTS } from '../../../catalog/values.ts'
import { clip } from '../../../lib/domain/text.ts'
import { dispatchFailureText } from '../../shared/dispatch.ts'
import { envelope } from '../../shared/envelope.ts'
import { SORRY, type SlackContext, tenantOf } from '../context.ts'

/** What a modal carries from the press to its submit. */
export type FormMetadata = {
  form: string
  arg: string
  channelId: string
  responseUrl?: string
  threadTs?: string
}

/** The Slack modal of a catalog form: one plain-text input per field, block_id = field name. */
export function formView(name: string, form: Form, metadata: FormMetadata) {
  return {
    type: 'modal' as const,
    callback_id: `form:${name}`,
    title: { type: 'plain_text' as const, text: clip(form.title, 24) },
    submit: { type: 'plain_text' as const, text: 'Save' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    private_metadata: JSON.stringify(metadata),
    blocks: form.fields.map((f) => ({
      type: 'input' as const,
      block_id: f.name,
      optional: !f.required,
      label: { type: 'plain_text' as const, text: clip(f.label, 2000) },
      element: {
        type: 'plain_text_input' as const,
        action_id: f.name,
        placeholder: { type: 'plain_text' as const, text: clip(TYPE_HINTS[f.type], 150) },
      },
    })),
  }
}

export function register(app: App, ctx: SlackContext): void {
  app.action<BlockAction<ButtonAction>>(
    { type: 'block_actions', action_id: /.*/ },
    async ({ ack, body, action, client, respond }) => {
      await ack()
      const log = ctx.log.child({
        listener: 'block_actions',
        team: body.team?.id,
        actionId: action.action_id,
      })
      try {
        const tenant = tenantOf(body.team?.id)
        const parsed = parseActionId(action.action_id)
        if (!tenant || !parsed) {
          log.warn('button with an unknown id or team; ignored')
          await respond({
            response_type: 'ephemeral',
            replace_original: false,
            text: 'That button is not known (any more); nothing was done.',
          })
          return
        }
        const channelId = body.channel?.id ?? body.container?.channel_id ?? ''
        const threadTs: string | undefined = body.message?.thread_ts
        if (parsed.type === 'form') {
          const form = ctx.forms[parsed.form]
          if (!form) {
            await respond({
              response_type: 'ephemeral',
              replace_original: false,
              text: `The form "${parsed.form}" is not known (any more); nothing was done.`,
            })
            return
          }
          const metadata: FormMetadata = {
            form: parsed.form,
            arg: parsed.arg,
            channelId,
            ...(body.response_url ? { responseUrl: body.response_url } : {}),
            ...(threadTs ? { threadTs } : {}),
          }
          await client.views.open({
            trigger_id: body.trigger_id,
            view: formView(parsed.form, form, metadata),
          })
          return
        }
        const facts = await ctx.facts(client, body.team?.id ?? '', body.user.id)
        const job = envelope({
          id: [body.team?.id, action.action_ts, body.user.id],
          kind: parsed.kind,
          tenant,
          actor: {
            platform: 'slack',
            userId: body.user.id,
            name: body.user.name ?? body.user.username ?? '',
            ...(facts ? { slack: facts } : {}),
          },
          replyTo: {
            platform: 'slack',
            channelId,
            ...(body.response_url ? { responseUrl: body.response_url } : {}),
            ...(threadTs ? { threadTs } : {}),
            userId: body.user.id,
          },
          payload: { arg: parsed.arg },
          at: ctx.now().getTime(),
        })
        const result = await ctx.dispatch(job)
        if (!result.ok)
          await respond({ response_type: 'ephemeral', replace_original: false, text: dispatchFailureText(result) })
      } catch (err) {
        log.error({ err }, 'button press failed')
        await respond({ response_type: 'ephemeral', replace_original: false, text: SORRY }).catch(() => {})
      }
    },
  )
}
