/**
 * Modal submits (`view_submission`) of forms opened by a `form:<name>:<arg>` button. Values
 * are parsed with the catalog's value parsers; a bad value is answered inside the modal next to
 * its field (`response_action: errors`) and dispatches nothing; a good submit becomes a job of
 * the form's kind with `{ arg, ...values }`, answered where the button was.
 */
import type { App, ViewSubmitAction } from '@slack/bolt'
import { Type as T } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { parseFormSubmission } from '../../../catalog/forms.ts'
import { dispatchFailureText } from '../../shared/dispatch.ts'
import { envelope } from '../../shared/envelope.ts'
import { type SlackContext, tenantOf } from '../context.ts'

const Metadata = T.Object({
  form: T.String(),
  arg: T.String(),
  channelId: T.String(),
  responseUrl: T.Optional(T.String()),
  threadTs: T.Optional(T.String()),
})

/** The submitted text of each input block (block_id = field name). */
export function submittedValues(view: ViewSubmitAction['view']): Record<string, string> {
  const values: Record<string, string> = {}
  for (const [blockId, actions] of Object.entries(view.state?.values ?? {})) {
    for (const action of Object.values(actions)) {
      if (typeof action?.value === 'string') values[blockId] = action.value
    }
  }
  return values
}

/** Per-field messages for `response_action: errors`, from the parser's `field: message` lines. */
export function fieldErrors(error: string, fields: string[], fallback: string): Record<string, string> {
  const errors: Record<string, string> = {}
  for (const line of error.split('\n')) {
    const name = fields.find((f) => line.startsWith(`${f}:`)) ?? fallback
    errors[name] = errors[name] ? `${errors[name]}; ${line}` : line
  }
  return errors
}

export function register(app: App, ctx: SlackContext): void {
  app.view<ViewSubmitAction>(
    { type: 'view_submission', callback_id: /^form:/ },
    async ({ ack, body, view, client }) => {
      const log = ctx.log.child({
        listener: 'view_submission',
        team: body.team?.id,
        callbackId: view.callback_id,
      })
      let meta: typeof Metadata.static
      try {
        const raw = JSON.parse(view.private_metadata || '{}')
        if (!Value.Check(Metadata, raw)) throw new Error('private_metadata does not match')
        meta = raw
      } catch (err) {
        log.warn({ err }, 'modal without usable metadata')
        await ack({
          response_action: 'errors',
          errors: { [view.blocks[0]?.block_id ?? 'form']: 'This form has expired; press the button again.' },
        })
        return
      }
      const tenant = tenantOf(body.team?.id)
      const form = ctx.forms[meta.form]
      const values = submittedValues(view)
      const parsed = parseFormSubmission(meta.form, meta.arg, values, ctx.forms)
      if (!tenant || !form || !parsed.ok) {
        const fields = form?.fields.map((f) => f.name) ?? []
        const first = fields[0] ?? view.blocks[0]?.block_id ?? 'form'
        const error = !tenant
          ? 'This workspace id is not one Car Manager understands.'
          : parsed.ok
            ? 'This form is not known (any more).'
            : parsed.error
        await ack({
          response_action: 'errors',
          errors: fieldErrors(error, fields, parsed.ok ? first : (parsed.field ?? first)),
        })
        return
      }
      await ack()
      try {
        const facts = await ctx.facts(client, body.team?.id ?? '', body.user.id)
        const job = envelope({
          id: [body.team?.id, view.id, body.user.id],
          kind: parsed.kind,
          tenant,
          actor: {
            platform: 'slack',
            userId: body.user.id,
            name: body.user.name ?? '',
            ...(facts ? { slack: facts } : {}),
          },
          replyTo: {
            platform: 'slack',
            channelId: meta.channelId,
            ...(meta.responseUrl ? { responseUrl: meta.responseUrl } : {}),
            ...(meta.threadTs ? { threadTs: meta.threadTs } : {}),
            userId: body.user.id,
          },
          payload: parsed.payload,
          at: ctx.now().getTime(),
        })
        const result = await ctx.dispatch(job)
        if (!result.ok) {
          log.warn('queue unavailable; form submit not dispatched')
          await client.chat.postEphemeral({
            channel: meta.channelId,
            user: body.user.id,
            text: dispatchFailureText(result),
          })
        }
      } catch (err) {
        log.error({ err }, 'form submit failed')
      }
    },
  )
}
