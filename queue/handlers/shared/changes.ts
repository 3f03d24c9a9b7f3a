/**
 * The Undo button every change of a fill-up, service record or reading carries (a car's archive
 * has its own, `carUndoActions`), and a change as a history line.
 */
import type { Action } from '../../../lib/contracts/envelope.ts'
import { type DateOrder, DEFAULT_DATE_ORDER, formatDate } from '../../../lib/domain/dates.ts'
import type { ChangeView } from '../../../services/items/changes/model.ts'

/** `garage.undo_change:<id>`: undoes that change; pressed without an id, the presser's last. */
export const UNDO_KIND = 'garage.undo_change'

export const undoActions = (change: number | undefined): { actions?: Action[] } =>
  change === undefined ? {} : { actions: [{ id: `${UNDO_KIND}:${change}`, label: 'Undo', style: 'secondary' }] }

/** `car.undo_archive:<id>`: undoes that archive or unarchive of a car (queue/handlers/car.ts). */
export const CAR_UNDO_KIND = 'car.undo_archive'

export const carUndoActions = (change: number): { actions: Action[] } => ({
  actions: [{ id: `${CAR_UNDO_KIND}:${change}`, label: 'Undo', style: 'secondary' }],
})

const NOUN = { fuel: 'fill-up', service: 'service record', reading: 'odometer reading', car: 'car', settings: 'the settings', expense: 'expense', charge: 'charge', import: 'import' } as const

/** "Fuelly file fuelly.csv", "Hammond file hammond.db": an import's file with the app that wrote it. */
const importedFile = (c: ChangeView) => {
  const field = (name: string) => {
    const f = c.fields.find((x) => x.name === name)
    return f?.after ?? f?.before ?? null
  }
  const format = field('format') ?? ''
  const app = /^(.+) (export|backup|database)$/.exec(format)?.[1]
  const file = field('file') ?? 'a file'
  return app ? `${app} file ${file}` : format ? `${file} (${format})` : file
}

/** "#15 2026-06-01 12:00 Ann imported 312 rows from Fuelly file fuelups.csv (import #2)". */
function writeImport(c: ChangeView, at: string): string {
  const rows = Number(c.fields.find((f) => f.name === 'rows')?.after ?? c.fields.find((f) => f.name === 'rows')?.before ?? 0)
  const undone = c.undone_by === null ? '' : ` [undone by #${c.undone_by}]`
  const what = `${rows} ${rows === 1 ? 'row' : 'rows'} from ${importedFile(c)} (import #${c.ref})`
  return c.action === 'undo'
    ? `#${c.id} ${at} ${c.actor} undid the import of ${what} (undo of change #${c.undoes})`
    : `#${c.id} ${at} ${c.actor} imported ${what}${undone}`
}
const DONE = { add: 'logged', edit: 'edited', remove: 'removed', undo: 'undid a change of' } as const

/**
 * "#14 2026-06-01 17:02 Ann edited fill-up #3 (corolla): odometer 48,400 mi → 48,500 mi", the
 * date in a garage's order (the fields come from items in its format and order already):
 * `changeLineIn(dates)` makes the lines of that garage, `lines.map(changeLineIn(g.dates))`.
 */
export const changeLineIn =
  (dates: DateOrder) =>
  (c: ChangeView): string =>
    writeChange(c, dates)

/** A change as a history line with its date written YYYY-MM-DD (`changeLineIn` for a garage's order). */
export const changeLine = changeLineIn(DEFAULT_DATE_ORDER)

function writeChange(c: ChangeView, dates: DateOrder): string {
  const at = `${formatDate(c.at.slice(0, 10), dates)} ${c.at.slice(11, 16)}`
  if (c.kind === 'import') return writeImport(c, at)
  const what =
    c.kind === 'car'
      ? (c.car ?? `car #${c.ref}`)
      : c.kind === 'settings'
        ? NOUN.settings
        : `${NOUN[c.kind]} #${c.ref}${c.car ? ` (${c.car})` : ''}`
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
  // a car's change is its archive: "archived corolla: archived 2026-05-01, price $9,500.00"
  const done =
    c.kind === 'settings'
      ? 'changed'
      : c.kind === 'car' && c.action === 'edit'
      ? c.fields.some((f) => f.name === 'archived' && f.after !== null)
        ? 'archived'
        : 'unarchived'
      : DONE[c.action]
  return `#${c.id} ${at} ${c.actor} ${done} ${what}${undid}${fields ? `: ${fields}` : ''}${undone}`
}
