/**
 * /car add, list, show, edit, odometer, readings, reading_remove, archive, unarchive, remove (the
 * items service; archive and unarchive answer with a `car.undo_archive` Undo), photos (the images
 * service) and stats (fuel economy and running costs from the calculator). Service refusals
 * (4xx) become UserErrors carrying the service's message, which names the field.
 */
import { actionId } from '../../catalog/actions.ts'
import car from '../../catalog/commands/car.ts'
import { calculatorClient, callCalculator } from '../clients/calculator.ts'
import { callImages, carCovers, imagesClient, removePhotos } from '../clients/images.ts'
import { callIssues, issuesClient } from '../clients/issues.ts'
import { callItems, itemsClient } from '../clients/items.ts'
import { callQuotes, quotesClient } from '../clients/quotes.ts'
import { recordedFor } from '../../lib/domain/car.ts'
import { type DateOrder, formatDate } from '../../lib/domain/dates.ts'
import { formatMoney } from '../../lib/domain/money.ts'
import { ECONOMY_LABEL, type EconomyUnit, fromKmPerLitre, UNIT_SETS, type UnitSet } from '../../lib/domain/units.ts'
import { clip, formatNumber, plural } from '../../lib/domain/text.ts'
import type { CarView, RemoveResult } from '../../services/items/cars/model.ts'
import type { CarIssues } from '../../services/issues/model.ts'
import { SERVICES } from '../../lib/contracts/services.ts'
import type { NumberedReading, ReadingView } from '../../services/items/readings/model.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { type HandlerContext, type HandlerFamily, handlers, ServiceUnavailable, UserError } from '../handler.ts'
import { Type as T } from '@sinclair/typebox'
import { carData, costFields, costOf, distanceText, economyText, fmt, perHour } from './shared/costs.ts'
import { carChart } from './shared/charts.ts'
import { carReport } from './shared/reports.ts'
import { CAR_UNDO_KIND, carUndoActions, changeLineIn, undoActions } from './shared/changes.ts'
import { archivedNote, archivedText, carRef, fitLines, olderLine } from './shared/format.ts'
import { linesWithAuthors } from './shared/authors.ts'
import { carDrivers } from './shared/drivers.ts'
import { garageOf, resolveCar } from './shared/lookups.ts'
import { recordEvent } from './shared/webhook-events.ts'

/**
 * "2018 Toyota Corolla · 52,000 mi · AB-123": items' labels are in the garage's number format, and
 * the dates of a car are written in its date order (`presentation`, which items sends with the car).
 */
export function describeCar(c: CarView): string {
  const name = [c.year, c.make, c.model].filter((p) => p !== null && p !== '').join(' ')
  const archived = c.archived ? `archived ${formatDate(c.archived.on, c.presentation.dates)}` : null
  const parts = [name, c.odometer?.label ?? 'no odometer yet', c.plate, archived].filter(
    (p): p is string => Boolean(p),
  )
  return parts.join(' · ')
}

function detailFields(c: CarView): NonNullable<Reply['fields']> {
  const { dates } = c.presentation
  const fields: NonNullable<Reply['fields']> = []
  if (c.odometer)
    fields.push({ name: 'Odometer', value: `${c.odometer.label} (${formatDate(c.odometer.read_on, dates)})`, inline: true })
  if (c.plate) fields.push({ name: 'Plate', value: c.plate, inline: true })
  if (c.vin) fields.push({ name: 'VIN', value: c.vin, inline: true })
  if (c.purchase_date || c.purchase_price) {
    const value = [c.purchase_date && formatDate(c.purchase_date, dates), c.purchase_price?.label].filter(Boolean).join(' for ')
    fields.push({ name: 'Purchased', value, inline: true })
  }
  if (c.powertrain || c.fuels)
    fields.push({ name: 'Runs on', value: [c.powertrain, c.fuels?.replaceAll(',', ' + ')].filter(Boolean).join(' · '), inline: true })
  if (c.loan)
    fields.push({
      name: 'Loan',
      value: `${c.loan.amount.label} at ${formatNumber(c.loan.rate_percent, 3, 0, c.presentation.numbers)}% over ${c.loan.months} months from ${formatDate(c.loan.start, dates)}`,
      inline: true,
    })
  if (c.value) fields.push({ name: 'Value', value: `${c.value.amount.label} on ${formatDate(c.value.on, dates)}`, inline: true })
  if (c.archived) fields.push({ name: 'Archived', value: archivedText(c.archived, dates), inline: false })
  return fields
}

function readingLine(r: ReadingView, dates: DateOrder): string {
  return `${formatDate(r.read_on, dates)}  ${r.label}${r.source === 'reading' ? '' : ` (${r.source})`}`
}

const ref = (c: CarView) => carRef(c.nickname)

/** Where a reading came from, as /car readings says it. */
const SOURCE_TEXT = { car: 'typed', reading: 'typed', fuel: 'fill-up', service: 'service' } as const

/** "#3 2026-05-10  53,400 mi (typed)" */
function numberedLine(r: NumberedReading, dates: DateOrder): string {
  return `#${r.number} ${formatDate(r.read_on, dates)}  ${r.label} (${SOURCE_TEXT[r.source]})`
}

const VOLUME_LABEL = { L: 'L', gal: 'gal', impgal: 'UK gal' } as const

/** "km, L, L/100 km (the garage's; change with /car edit units:…)": the car's units, and where they came from. */
export function unitsText(c: CarView): string {
  // an hour-meter car's economy is fuel per hour
  const economy = c.odometer_unit === 'h' ? `${VOLUME_LABEL[c.volume_unit]}/h` : ECONOMY_LABEL[c.economy_unit]
  const units = `${c.odometer_unit}, ${VOLUME_LABEL[c.volume_unit]}, ${economy}`
  return c.units_from_garage ? `${units} (the garage's; change with /car edit units:…)` : units
}

const METERS = ['distance', 'hours'] as const

/** The `units:`, `economy_unit:` and `meter:` typed, checked against their choices (the catalog's). */
function typedUnits<P extends { units?: string; economy_unit?: string; meter?: string }>(p: P) {
  const { units, economy_unit, meter, ...rest } = p
  const knownMeter = METERS.find((m) => m === meter)
  if (meter !== undefined && !knownMeter) throw new UserError(`meter: "${meter}" is not one of ${METERS.join(', ')}`, 'meter')
  if (units !== undefined && !(units in UNIT_SETS)) {
    throw new UserError(`units: "${units}" is not one of ${Object.keys(UNIT_SETS).join(', ')}`, 'units')
  }
  if (economy_unit !== undefined && !(economy_unit in ECONOMY_LABEL)) {
    throw new UserError(`economy_unit: "${economy_unit}" is not one of ${Object.keys(ECONOMY_LABEL).join(', ')}`, 'economy_unit')
  }
  return {
    ...rest,
    ...(units !== undefined ? { units: units as UnitSet } : {}),
    ...(economy_unit !== undefined ? { economy_unit: economy_unit as EconomyUnit } : {}),
    ...(knownMeter ? { meter: knownMeter } : {}),
  }
}

/** What a car's removal takes in each service: items' counts, its issues, photo links, quotes. */
type Removal = {
  car: CarView
  items: RemoveResult
  issues: CarIssues
  photos: number
  quotes: number[]
}

/** "• records: …" per service, the lines of /car remove's preview and of its answer. */
function goesLines(r: Removal): string[] {
  const n = r.issues.numbers.length
  const issues =
    n === 0
      ? 'no issues'
      : `${plural(n, 'issue')} (${clip(r.issues.numbers.map((i) => `#${i}`).join(', '), 200)})${r.issues.comments > 0 ? ` with ${plural(r.issues.comments, 'comment')}` : ''}`
  return [
    `• records: ${recordedFor(r.items)}`,
    `• issues: ${issues}`,
    `• photos: ${r.photos === 0 ? 'no photos' : plural(r.photos, 'photo')}`,
    `• quotes: ${r.quotes.length === 0 ? 'no quotes' : `${plural(r.quotes.length, 'quote')} (${clip(r.quotes.join(', '), 200)})`}`,
  ]
}

/**
 * What removing the car would take, asked of every service and changing nothing, so a service
 * that is down stops the command before anything is removed. A retried confirmed job whose car
 * items already removed (the last step: everything else went before it) finds it again by
 * replaying items' answer under the job's key.
 */
async function whatGoes(ctx: HandlerContext, ref: string, confirm: boolean): Promise<Removal> {
  let items: RemoveResult
  try {
    items = await callItems(
      itemsClient(ctx).cars({ car: ref }).delete(undefined, { query: { preview: 'yes' } }),
    )
  } catch (error) {
    if (!(error instanceof UserError) || !confirm) throw error
    items = await callItems(
      itemsClient(ctx, { write: true, key: ctx.envelope.id })
        .cars({ car: ref })
        .delete(undefined, { query: { confirm: 'yes' } }),
    )
  }
  const id = items.removed.id
  const issues = await callIssues(issuesClient(ctx).cars({ car: id }).issues.get())
  const [photos, quotes] = await Promise.all([
    removePhotos(ctx, { car_id: id, issues: issues.numbers, preview: true }),
    callQuotes(quotesClient(ctx).quotes.remove.post({ issues: issues.numbers, preview: true })),
  ])
  return { car: items.removed, items, issues, photos: photos.removed.length, quotes: quotes.removed }
}

/**
 * Removes the car in every service, or says what is left to do. The services are separate
 * databases, so the order is what makes it safe to retry: quotes first (they are found through
 * the car's issue numbers, which issues still knows), then photos (by car and those numbers),
 * then the issues, and the car in items last: until that last step the car is still there, so
 * the same command, retried by the queue (same Idempotency-Keys, each step answers its first
 * result again) or typed again (each step finds what is left), finishes the removal. A service
 * that is down is retried by the queue; on the last attempt the answer says the car is not
 * removed, what already went, and to run the command again.
 */
async function removeEverywhere(
  ctx: HandlerContext,
  planned: Removal,
): Promise<{ ok: true; removal: Removal } | { ok: false; reply: Reply }> {
  const key = (step: string) => `${ctx.envelope.id}-${step}`
  const id = planned.car.id
  const done: string[] = []
  try {
    const quotes = await callQuotes(
      quotesClient(ctx, { write: true, key: key('quotes') }).quotes.remove.post({ issues: planned.issues.numbers }),
    )
    if (quotes.removed.length > 0) done.push(plural(quotes.removed.length, 'quote'))
    const photos = await removePhotos(ctx, { car_id: id, issues: planned.issues.numbers }, key('photos'))
    if (photos.removed.length > 0) done.push(plural(photos.removed.length, 'photo'))
    const issues = await callIssues(
      issuesClient(ctx, { write: true, key: key('issues') }).cars({ car: id }).issues.delete(),
    )
    if (issues.numbers.length > 0) done.push(plural(issues.numbers.length, 'issue'))
    const items = await callItems(
      itemsClient(ctx, { write: true, key: ctx.envelope.id })
        // '#<id>' (encoded: a bare '#' would start the URL's fragment) is the car by id, never a
        // nickname: a car renamed meanwhile is still the one removed.
        .cars({ car: encodeURIComponent(`#${id}`) })
        .delete(undefined, { query: { confirm: 'yes' } }),
    )
    return {
      ok: true,
      removal: { car: items.removed, items, issues, photos: photos.removed.length, quotes: quotes.removed },
    }
  } catch (error) {
    if (!(error instanceof ServiceUnavailable) || !ctx.finalAttempt) throw error
    ctx.log.warn({ err: error, car: id, done }, 'car removal stopped; the car is kept')
    const name = planned.car.nickname
    return {
      ok: false,
      reply: {
        tone: 'error',
        title: `${name} is not removed`,
        text: `${SERVICES[error.service].label} is unavailable, so ${name} is not removed: ${done.length === 0 ? 'nothing of it was removed yet' : `only its ${done.join(', ')} went, the rest is still there`}. Run /car remove ${name} confirm:yes again to finish.`,
      },
    }
  }
}

const family = handlers(car, {
  drivers: carDrivers,
  add: async (p, ctx) => {
    const c = await callItems(itemsClient(ctx, { write: true }).cars.post(typedUnits(p)))
    return {
      tone: 'ok',
      title: `Added ${c.nickname}`,
      text: describeCar(c),
      fields: [
        ...detailFields(c).filter((f) => f.name !== 'Odometer' && f.name !== 'Plate'),
        { name: 'Units', value: unitsText(c), inline: false },
      ],
      ref: ref(c),
      // the starter set of maintenance items (queue/handlers/item.ts `item.starter`)
      actions: [{ id: actionId('item.starter', c.id), label: 'Add starter items', style: 'secondary' }],
    }
  },

  list: async (p, ctx) => {
    const { cars: every } = await callItems(itemsClient(ctx).cars.get({ query: { archived: 'yes' } }))
    const cars = p.archived ? every : every.filter((c) => !c.archived)
    const hidden = every.length - cars.length
    const archivedLine = hidden > 0 ? `\n(${plural(hidden, 'archived car')} not shown: /car list archived:yes)` : ''
    if (cars.length === 0)
      return {
        tone: 'ok',
        text: hidden > 0 ? `No cars in use — add one with /car add${archivedLine}` : 'No cars yet — add one with /car add',
      }
    const text = fitLines(
      cars.map((c) => `${c.nickname} — ${describeCar(c)}`),
      { more: (n) => `… and ${n} more (/car show <nickname> for one)` },
    )
    return { tone: 'ok', title: plural(cars.length, 'car'), text: text + archivedLine }
  },

  show: async (p, ctx) => {
    // The car's photo is asked for alongside the car (the car's id is not known before).
    const covers = carCovers(ctx)
    const c = await callItems(itemsClient(ctx).cars({ car: p.car }).get())
    const fields = detailFields(c)
    fields.push({ name: 'Units', value: unitsText(c), inline: false })
    if (c.readings.length > 0) {
      const more =
        c.reading_count > c.readings.length ? `\n… ${c.reading_count - c.readings.length} older` : ''
      const lines = c.readings.map((r) => readingLine(r, c.presentation.dates))
      fields.push({ name: 'Odometer readings', value: lines.join('\n') + more })
    }
    // The newest photo is a nicety: carCovers never throws, so a photo service that is down
    // still leaves /car show working.
    const image = (await covers).get(c.id)
    return {
      tone: 'ok',
      title: c.nickname,
      text: describeCar(c),
      fields,
      ref: ref(c),
      ...(image ? { image } : {}),
    }
  },

  edit: async (p, ctx) => {
    const { car: target, ...changes } = p
    const changed = Object.keys(changes).filter((k) => k !== 'confirm')
    if (changed.length === 0) {
      throw new UserError(
        'Nothing to change: give at least one of nickname, make, model, year, odometer, plate, vin, purchase_date, purchase_price, units, economy_unit, fuels, powertrain, energy_unit, meter, loan, value',
      )
    }
    const body = typedUnits(changes)
    const c = await callItems(itemsClient(ctx, { write: true }).cars({ car: target }).patch(body))
    const lines = [describeCar(c), `Changed: ${changed.join(', ')}`]
    if (body.units || body.economy_unit) {
      const wanted = body.units ? UNIT_SETS[body.units].distance : c.odometer_unit
      lines.push(
        `Units now ${unitsText(c)}. Nothing stored is converted (readings and fill-ups keep their values); only what is shown changes${wanted !== c.odometer_unit ? `; distances stay in ${c.odometer_unit}, the unit its readings and items are stored in` : ''}.`,
      )
    }
    if (body.meter)
      lines.push(
        c.odometer_unit === 'h'
          ? 'Its meter counts engine hours now: readings and items\' intervals are in h (e.g. "1,250 h").'
          : `Its meter counts distance now, in ${c.odometer_unit}.`,
      )
    if (c.removed > 0) lines.push(`Corrected: removed ${plural(c.removed, 'reading')} above the new odometer`)
    return {
      tone: 'ok',
      title: `Updated ${c.nickname}`,
      text: lines.join('\n'),
      fields: detailFields(c),
      ref: ref(c),
    }
  },

  odometer: async (p, ctx) => {
    const { car: target, number, ...body } = p
    if (number !== undefined) {
      const e = await callItems(itemsClient(ctx, { write: true }).readings.edit.post({ number, car: target, ...body }))
      recordEvent(ctx, 'changed', 'reading', { car: e.car, ...e.reading })
      return {
        tone: 'ok',
        title: `Reading #${e.reading.number} of ${e.car} corrected`,
        text: `${readingLine(e.reading, e.presentation.dates)}\nOdometer now ${e.odometer ?? 'unknown'}.`,
        ...undoActions(e.change),
      }
    }
    const r = await callItems(itemsClient(ctx, { write: true }).cars({ car: target }).readings.post(body))
    recordEvent(ctx, 'created', 'reading', { car: r.car.nickname, number: r.number, ...r.reading })
    const { numbers, dates } = r.car.presentation
    const lines = [`Recorded ${r.reading.label} on ${formatDate(r.reading.read_on, dates)}.`]
    if (r.removed > 0) {
      lines.push(`Corrected: removed ${plural(r.removed, 'reading')} that contradicted it.`)
    } else if (r.previous && r.car.odometer) {
      const delta = Math.round((r.car.odometer.value - r.previous.value) * 10) / 10
      const since = r.previous.read_on === r.reading.read_on ? 'the last reading' : formatDate(r.previous.read_on, dates)
      if (delta > 0) lines.push(`+${formatNumber(delta, 1, 0, numbers)} ${r.car.odometer_unit} since ${since}.`)
    }
    return {
      tone: 'ok',
      title: `${r.car.nickname}: ${r.car.odometer?.label ?? r.reading.label}`,
      text: lines.join(' '),
      ...(r.number ? { fields: [{ name: 'Reading', value: `#${r.number}`, inline: true }] } : {}),
      ref: ref(r.car),
      ...undoActions(r.change),
    }
  },

  readings: async (p, ctx) => {
    const limit = 10
    const page = p.page ?? 1
    const r = await callItems(itemsClient(ctx).readings.get({ query: { car: p.car, limit, page } }))
    if (r.readings.length === 0)
      return {
        tone: 'ok',
        text:
          r.total === 0
            ? `No odometer readings for ${r.car} yet — record one with /car odometer ${r.car} reading:…`
            : `${r.car} has ${plural(r.total, 'odometer reading')}; page ${page} is past the last`,
      }
    const upTo = (page - 1) * limit + r.readings.length
    return {
      tone: 'ok',
      title: `${r.car}: ${plural(r.total, 'odometer reading')}${r.total > r.readings.length ? ` (${(page - 1) * limit + 1}–${upTo} shown)` : ''}`,
      text:
        fitLines(linesWithAuthors(r.readings, ctx.envelope.actor, (n) => numberedLine(n, r.presentation.dates))) +
        olderLine(r, upTo, `/car readings ${r.car}`) +
        `\nCorrect one with /car odometer ${r.car} reading:… number:N, remove a typed one with /car reading_remove number:N.`,
      ref: carRef(r.car),
    }
  },

  reading_remove: async (p, ctx) => {
    const e = await callItems(itemsClient(ctx, { write: true }).readings.remove.post({ number: p.number }))
    return {
      tone: 'ok',
      title: `Reading #${e.reading.number} removed from ${e.car}`,
      text: `It was ${numberedLine(e.reading, e.presentation.dates)}.\nOdometer now ${e.odometer ?? 'unknown (no readings left)'}.`,
      ref: carRef(e.car),
      ...undoActions(e.change),
    }
  },

  archive: async (p, ctx) => {
    const { car: target, ...body } = p
    const r = await callItems(itemsClient(ctx, { write: true }).cars({ car: target }).archive.post(body))
    const a = r.car.archived!
    return {
      tone: 'ok',
      title: `Archived ${r.car.nickname}`,
      text: `${archivedText(a, r.car.presentation.dates)}. Its history stays (/car show, /fuel list, /service list, /car stats); its reminders stop and nothing new is logged on it. /car unarchive ${r.car.nickname} brings it back.`,
      ref: ref(r.car),
      ...carUndoActions(r.change),
    }
  },

  unarchive: async (p, ctx) => {
    const r = await callItems(itemsClient(ctx, { write: true }).cars({ car: p.car }).unarchive.post({}))
    return {
      tone: 'ok',
      title: `${r.car.nickname} is back in use`,
      text: `${describeCar(r.car)}\nIts reminders start again; fill-ups, services and readings can be logged on it.`,
      ref: ref(r.car),
      ...carUndoActions(r.change),
    }
  },

  remove: async (p, ctx) => {
    const confirm = p.confirm === true
    const removal = await whatGoes(ctx, p.car, confirm)
    const { car } = removal
    if (!confirm) {
      return {
        tone: 'warn',
        title: `Remove ${car.nickname}?`,
        text: `Removing ${car.nickname} deletes, in every service:\n${goesLines(removal).join('\n')}\nNothing is removed yet: add confirm:yes to remove all of it (/car remove ${car.nickname} confirm:yes).`,
        ref: ref(car),
      }
    }
    const gone = await removeEverywhere(ctx, removal)
    if (!gone.ok) return gone.reply
    return {
      tone: 'ok',
      title: `Removed ${car.nickname}`,
      text: `${car.nickname} is gone, with everything recorded for it:\n${goesLines(gone.removal).join('\n')}`,
    }
  },

  photos: async (p, ctx) => {
    const c = await resolveCar(ctx, p.car)
    const { photos, total } = await callImages(
      imagesClient(ctx).images.get({ query: { car: c.id, limit: 10 } }),
    )
    if (total === 0) {
      return {
        tone: 'ok',
        text: `No photos of ${c.nickname} yet: drop one in the channel with "${c.nickname}" in the message, or /photo add car:${c.nickname}.`,
      }
    }
    const lines = photos.map(
      (ph) =>
        `${formatDate(ph.created_at.slice(0, 10), c.presentation.dates)} ${ph.uploader_name}${ph.issue ? ` · issue #${ph.issue}` : ''}${ph.filename ? ` · ${clip(ph.filename, 60)}` : ''} (${ph.width}×${ph.height})`,
    )
    if (total > photos.length) lines.push(`… and ${total - photos.length} older`)
    const newest = photos[0]!
    return {
      tone: 'ok',
      title: `${c.nickname}: ${plural(total, 'photo')}`,
      text: lines.join('\n'),
      image: { sha256: newest.sha256, size: 1024, alt: `newest photo of ${c.nickname}` },
      ref: carRef(c.nickname),
    }
  },

  /** Economy per full-to-full segment, the average, and the last 12 months' costs (electricity too). */
  stats: async (p, ctx) => {
    const g = await garageOf(ctx)
    const d = await carData(ctx, p.car, g.currency)
    const [eco, cost] = await Promise.all([
      callCalculator(calculatorClient(ctx).economy.post({ fillUps: d.fillUps })),
      costOf(ctx, d, g, 365),
    ])
    // In the car's units, whatever the garage's: the one conversion is lib/domain/units.ts.
    const unit = d.car.odometer_unit
    const n = g.numbers
    // an hour-meter car's figures count hours as km: its economy is fuel per hour
    const show = (e: { kmPerLitre: number }) =>
      unit === 'h'
        ? perHour(1 / e.kmPerLitre, d.car.volume_unit, n)
        : `${fmt(fromKmPerLitre(e.kmPerLitre, d.car.economy_unit), 1, n)} ${ECONOMY_LABEL[d.car.economy_unit]}`
    const segments = eco.entries.filter((e) => e.segment || e.status === 'missed')
    const lines = segments
      .slice(-10)
      .map((e) =>
        e.segment
          ? `${formatDate(e.date, g.dates)}  ${show(e.segment)}  (${distanceText(e.segment.km, unit, n)}, ${plural(e.segment.fillUps, 'fill-up')})`
          : `${formatDate(e.date, g.dates)}  — a fill-up before this one was not logged; the chain restarts here`,
      )
    const text = archivedNote(d.car, g.dates) + (eco.average
      ? `Average ${show(eco.average)}${unit === 'h' ? '' : ` (${economyText(eco.average, n)})`} over ${plural(eco.segments, 'full-to-full segment')}.\n${lines.join('\n')}`
      : d.fillUps.length === 0 && d.charges.length > 0
        ? 'No fill-ups: this car charges; its electricity use and costs are below.'
        : `Not enough fill-ups for fuel economy yet: log two full fill-ups with their odometer (/fuel log car:${d.car.nickname} volume:… odometer:… full:yes).`)
    return {
      tone: 'ok',
      title: `${d.car.nickname}: fuel economy and costs`,
      text,
      fields: [
        { name: 'Last 12 months', value: formatMoney(cost.totalMinor, cost.currency, 0, n), inline: true },
        ...costFields(cost, unit, g),
      ],
      ref: carRef(d.car.nickname),
    }
  },

  /** A chart of the car (queue/handlers/shared/charts.ts). */
  chart: (p, ctx) => carChart(p, ctx),

  /** The car's history as a PDF (queue/handlers/shared/reports.ts). */
  report: (p, ctx) => carReport(p, ctx),
})

const undoButton = T.Object({ arg: T.String({ minLength: 1, maxLength: 40 }) }, { additionalProperties: false })

export default {
  ...family,
  /** The Undo button of /car archive and /car unarchive: `car.undo_archive:<change id>`. */
  [CAR_UNDO_KIND]: {
    schema: undoButton,
    run: async (p: typeof undoButton.static, ctx: HandlerContext): Promise<Reply> => {
      if (!/^\d{1,15}$/.test(p.arg)) throw new UserError(`change: "${p.arg.slice(0, 20)}" is not a change number`, 'change')
      const r = await callItems(itemsClient(ctx, { write: true }).cars.archive.undo.post({ change: Number(p.arg) }))
      const u = r.undone
      const archived = u.fields.some((f) => f.name === 'archived' && f.after !== null)
      const { dates } = await garageOf(ctx)
      return {
        tone: 'ok',
        title: `Undone: change #${u.id}`,
        text: `${u.car ?? 'The car'} is ${archived ? 'back in use' : 'archived again'}.\n${changeLineIn(dates)(u)}`,
      }
    },
  },
} satisfies HandlerFamily
