/**
 * The Log another button of a reminder's Log service that was refused as already logged:
 * `service.log_again:<item id>.<record id>` logs that item's service of record #N once more, on
 * purpose (the items service makes it once per record, however often the button is pressed).
 */
import type { Action, Reply } from '../../../lib/contracts/envelope.ts'
import { UserError } from '../../handler.ts'

export const LOG_AGAIN_KIND = 'service.log_again'

export const logAgainAction = (itemId: number, recordId: number): Action => ({
  id: `${LOG_AGAIN_KIND}:${itemId}.${recordId}`,
  label: 'Log another',
  style: 'secondary',
})

/** The "already logged" answer with a Log another button; undefined for any other refusal. */
export function alreadyLoggedReply(error: unknown, itemId: number): Reply | undefined {
  // services/items/reminders/service.ts `logItem` refuses with `already_logged`, naming the record.
  if (!(error instanceof UserError) || error.refusal?.code !== 'already_logged') return undefined
  const record = error.refusal.ref
  if (record === undefined) return undefined
  return {
    tone: 'error',
    text: `${error.message}\nOr press Log another to log it again now.`,
    actions: [logAgainAction(itemId, record)],
    ephemeral: true,
  }
}

/** `<item id>.<record id>` of a Log another button. */
export function parseLogAgainArg(arg: string): { item: number; record: number } {
  const m = /^(\d{1,15})\.(\d{1,15})$/.exec(arg)
  if (!m) throw new UserError(`arg: "${arg.slice(0, 40)}" is not a Log another button (item.record)`, 'arg')
  return { item: Number(m[1]), record: Number(m[2]) }
}
