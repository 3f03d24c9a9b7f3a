/**
 * The Log another button of a reminder's Log service that was refused as already logged:
 * `service.log_again:<item id>.<record id>` logs that item's service of record #N once more, on
 * purpose (the items service makes it once per record, however often the button is pressed).
 */
import type { Action, Reply } from '../../../lib/contracts/envelope.ts'
import { UserError } from '../../handler.ts'

export const LOG_AGAIN_KIND = 'service.log_again'

/** The refusal of services/items/reminders/service.ts `logItem`, naming the record it already made. */
const ALREADY_LOGGED = /^.+ was already logged as service record #(\d{1,15}) /

export const logAgainAction = (itemId: number, recordId: number): Action => ({
  id: `${LOG_AGAIN_KIND}:${itemId}.${recordId}`,
  label: 'Log another',
  style: 'secondary',
})

/** The "already logged" answer with a Log another button; undefined for any other refusal. */
export function alreadyLoggedReply(error: unknown, itemId: number): Reply | undefined {
  if (!(error instanceof UserError)) return undefined
  const m = ALREADY_LOGGED.exec(error.message)
  if (!m) return undefined
  return {
    tone: 'error',
    text: `${error.message}\nOr press Log another to log it again now.`,
    actions: [logAgainAction(itemId, Number(m[1]))],
    ephemeral: true,
  }
}

/** `<item id>.<record id>` of a Log another button. */
export function parseLogAgainArg(arg: string): { item: number; record: number } {
  const m = /^(\d{1,15})\.(\d{1,15})$/.exec(arg)
  if (!m) throw new UserError(`arg: "${arg.slice(0, 40)}" is not a Log another button (item.record)`, 'arg')
  return { item: Number(m[1]), record: Number(m[2]) }
}
