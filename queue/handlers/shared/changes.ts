/** The Undo button every change of a fill-up or service record carries, and a change as a history line. */
import type { Action } from '../../../lib/contracts/envelope.ts'
import type { ChangeView } from '../../../services/items/changes/model.ts'

/** `garage.undo_change:<id>`: undoes that change; pressed without an id, the presser's last. */
export const UNDO_KIND = 'garage.undo_change'

export const undoActions = (change: number | undefined): { actions?: Action[] } =>
  change === undefined ? {} : { actions: [{ id: `${UNDO_KIND}:${change}`, label: 'Undo', style: 'secondary' }] }

const NOUN = { fuel: 'fill-up', service: 'service record', reading: 'odometer reading' } as const
const DONE = { add: 'logged', edit: 'edited', remove: 'removed', undo: 'undid a change of' } as const

/** "#14 2026-06-01 17:02 Ann edited fill-up #3 (corolla): odometer 48,400 mi → 48,500 mi". */
export function changeLine(c: ChangeView): string {
  const at = c.at.slice(0, 16).replace('T', ' ')
  const what = `${NOUN[c.kind]} #${c.ref}${c.car ? ` (${c.car})` : ''}`
  const undid = c.undoes === null ? '' : ` (undo of change #${c.undoes})`
  const fields = c.fields
    .map((f) =>
      c.action === 'add'
        ? `${f.name} ${f.after}`
        : c.action === 'remove'
          ? `${f.name} ${f.before}`
          : `${f.name} ${f.before ?? '—'} → ${f.after ?? '—'}`,
    )
    .join(', ')
  const undone = c.undone_by === null ? '' : ` [undone by #${c.undone_by}]`
  return `#${c.id} ${at} ${c.actor} ${DONE[c.action]} ${what}${undid}${fields ? `: ${fields}` : ''}${undone}`
}
