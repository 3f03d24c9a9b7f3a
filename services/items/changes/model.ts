/** Schemas of the change log: a garage's history of fill-ups and service records, and undo. */
import { t } from 'elysia'
import { wholeNumber } from '../../lib/whole.ts'
import { CarRef, PageInfo, PageQuery, strict, Whole } from '../shared/model.ts'

/**
 * What a change is of: a fill-up, a service record, an odometer reading, a car (its archive; `ref`
 * its id), the garage's settings (`ref` 0), or an import of a file (`ref` the import's number: its
 * rows added, and undone, as one).
 */
export const ChangeKind = t.Union([
  t.Literal('fuel'),
  t.Literal('service'),
  t.Literal('reading'),
  t.Literal('car'),
  t.Literal('settings'),
  t.Literal('expense'),
  t.Literal('charge'),
  t.Literal('import'),
])
/** The records /changes/undo undoes (a car's archive is undone on its own route, /cars/archive/undo). */
export const RecordChangeKind = t.Union([
  t.Literal('fuel'),
  t.Literal('service'),
  t.Literal('reading'),
  t.Literal('expense'),
  t.Literal('charge'),
  t.Literal('import'),
])
export const ChangeAction = t.Union([t.Literal('add'), t.Literal('edit'), t.Literal('remove'), t.Literal('undo')])

const changeView = <K extends typeof ChangeKind | typeof RecordChangeKind>(kind: K) =>
  t.Object({
    id: Whole(),
    /** ISO time of the change. */
    at: t.String(),
    /** The name of who made it. */
    actor: t.String(),
    action: ChangeAction,
    kind,
    /** The fill-up's or reading's number, or the service record's id. */
    ref: Whole(),
    car: t.Nullable(t.String()),
    /** The fields that changed (all of them for an add or a remove), before and after. */
    fields: t.Array(t.Object({ name: t.String(), before: t.Nullable(t.String()), after: t.Nullable(t.String()) })),
    /** The change this one undid (an undo). */
    undoes: t.Nullable(Whole()),
    /** The undo that undid this change. */
    undone_by: t.Nullable(Whole()),
  })

export const ChangeView = changeView(ChangeKind)
export type ChangeView = typeof ChangeView.static

export const ChangesQuery = t.Object({ car: t.Optional(CarRef), ...PageQuery })
export const ChangeList = t.Object({ changes: t.Array(ChangeView), ...PageInfo })

/** Undo one change (`change`), or without it the asker's (X-Actor) last change not undone yet. */
export const UndoBody = t.Object({ change: t.Optional(wholeNumber('change', 1)) }, strict)

/** What an undo did: the change undone, and the undo's own change. */
export const UndoResult = t.Object({ undone: changeView(RecordChangeKind), change: Whole() })
export type UndoResult = typeof UndoResult.static

/** Undo of a car's archive or unarchive (the Undo button of its reply): that change. */
export const CarUndoBody = t.Object({ change: wholeNumber('change', 1) }, strict)
export const CarUndoResult = t.Object({ undone: ChangeView, change: Whole() })
export type CarUndoResult = typeof CarUndoResult.static
