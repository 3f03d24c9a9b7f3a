/**
 * /car add, list, show, edit, odometer, remove (the items service), photos (the images
 * service) and stats (fuel economy and running costs from the calculator). Service refusals
 * (4xx) become UserErrors carrying the service's message, which names the field.
 */
import car from '../../catalog/commands/car.ts'
import { calculatorClient, callCalculator } from '../clients/calculator.ts'
import { callImages, imagesClient, newestCarPhoto, removePhotos } from '../clients/images.ts'
import { callItems, itemsClient } from '../clients/items.ts'
import { recordedFor } from '../../lib/domain/car.ts'
import { formatMoney } from '../../lib/domain/money.ts'
import { ECONOMY_LABEL, type EconomyUnit, fromKmPerLitre, UNIT_SETS, type UnitSet } from '../../lib/domain/units.ts'
import { clip, formatNumber, plural } from '../../lib/domain/text.ts'
import type { CarView } from '../../services/items/cars/model.ts'
import type { ReadingView } from '../../services/items/readings/model.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { handlers, ServiceUnavailable, UserError } from '../handler.ts'
import { carData, costFields, costOf, distanceText, economyText, fmt } from './shared/costs.ts'
import { undoActions } from './shared/changes.ts'
import { carRef, fitLines } from './shared/format.ts'
import { garageOf, resolveCar } from './shared/lookups.ts'

/** "2018 Toyota Corolla · 52,000 mi · AB-123" */
export function describeCar(c: CarView): string {
  const name = [c.year, c.make, c.model].filter((p) => p !== null && p !== '').join(' ')
  const parts = [name, c.odometer?.label ?? 'no odometer yet', c.plate].filter((p): p is string => Boolean(p))
  return parts.join(' · ')
}

function detailFields(c: CarView): NonNullable<Reply['fields']> {
  const fields: NonNullable<Reply['fields']> = []
  if (c.odometer)
    fields.push({ name: 'Odometer', value: `${c.odometer.label} (${c.odometer.read_on})`, inline: true })
  if (c.plate) fields.push({ name: 'Plate', value: c.plate, inline: true })
  if (c.vin) fields.push({ name: 'VIN', value: c.vin, inline: true })
  if (c.purchase_date || c.purchase_price) {
    const value = [c.purchase_date, c.purchase_price?.label].filter(Boolean).join(' for ')
    fields.push({ name: 'Purchased', value, inline: true })
  }
  return fields
}

function readingLine(r: ReadingView): string {
  return `${r.read_on}  ${r.label}${r.source === 'reading' ? '' : ` (${r.source})`}`
}

const ref = (c: CarView) => carRef(c.nickname)

const VOLUME_LABEL = { L: 'L', gal: 'gal', impgal: 'UK gal' } as const

/** "km, L, L/100 km (the garage's; change with /car edit units:…)": the car's units, and where they came from. */
export function unitsText(c: CarView): string {
  const units = `${c.odometer_unit}, ${VOLUME_LABEL[c.volume_unit]}, ${ECONOMY_LABEL[c.economy_unit]}`
  return c.units_from_garage ? `${units} (the garage's; change with /car edit units:…)` : units
}

/** The `units:` and `economy_unit:` typed, checked against their choices (the catalog's). */
function typedUnits<P extends { units?: string; economy_unit?: string }>(p: P) {
  const { units, economy_unit, ...rest } = p
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
  }
}

export default handlers(car, {
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
    }
  },

  list: async (_p, ctx) => {
    const { cars } = await callItems(itemsClient(ctx).cars.get())
    if (cars.length === 0) return { tone: 'ok', text: 'No cars yet — add one with /car add' }
    const text = fitLines(
      cars.map((c) => `${c.nickname} — ${describeCar(c)}`),
      { more: (n) => `… and ${n} more (/car show <nickname> for one)` },
    )
    return { tone: 'ok', title: plural(cars.length, 'car'), text }
  },

  show: async (p, ctx) => {
    const c = await callItems(itemsClient(ctx).cars({ car: p.car }).get())
    const fields = detailFields(c)
    fields.push({ name: 'Units', value: unitsText(c), inline: false })
    if (c.readings.length > 0) {
      const more =
        c.reading_count > c.readings.length ? `\n… ${c.reading_count - c.readings.length} older` : ''
      fields.push({ name: 'Odometer readings', value: c.readings.map(readingLine).join('\n') + more })
    }
    // The newest photo is a nicety: newestCarPhoto never throws, so a photo service that is
    // down still leaves /car show working.
    const image = await newestCarPhoto(ctx, c.id)
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
        'Nothing to change: give at least one of nickname, make, model, year, odometer, plate, vin, purchase_date, purchase_price, units, economy_unit',
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
      return {
        tone: 'ok',
        title: `Reading #${e.reading.number} of ${e.car} corrected`,
        text: `${readingLine(e.reading)}\nOdometer now ${e.odometer ?? 'unknown'}.`,
        ...undoActions(e.change),
      }
    }
    const r = await callItems(itemsClient(ctx, { write: true }).cars({ car: target }).readings.post(body))
    const lines = [`Recorded ${r.reading.label} on ${r.reading.read_on}.`]
    if (r.removed > 0) {
      lines.push(`Corrected: removed ${plural(r.removed, 'reading')} that contradicted it.`)
    } else if (r.previous && r.car.odometer) {
      const delta = Math.round((r.car.odometer.value - r.previous.value) * 10) / 10
      const since = r.previous.read_on === r.reading.read_on ? 'the last reading' : r.previous.read_on
      if (delta > 0) lines.push(`+${formatNumber(delta)} ${r.car.odometer_unit} since ${since}.`)
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

  remove: async (p, ctx) => {
    const query = p.confirm === true ? { confirm: 'yes' } : {}
    const r = await callItems(
      itemsClient(ctx, { write: true }).cars({ car: p.car }).delete(undefined, { query }),
    )
    // Items first: only a removal items carried out (confirmed) takes the photos. A retried job
    // gets items' first answer again (same Idempotency-Key), so the photos are tried again.
    let photos: string
    try {
      const gone = await removePhotos(ctx, { car_id: r.removed.id }, `${ctx.envelope.id}-photos`)
      const n = gone.removed.length
      photos = n === 0 ? 'Its issues are kept (see /issue list).' : `Its ${plural(n, 'photo')} ${n === 1 ? 'is' : 'are'} removed too; its issues are kept, with their photos (see /issue list).`
    } catch (error) {
      if (error instanceof ServiceUnavailable && !ctx.finalAttempt) throw error
      ctx.log.warn({ err: error, car: r.removed.id }, 'car removed, its photos not')
      photos = `Its issues and photos are kept: the photo service is unavailable, so its photos could not be removed (they still count toward the garage's photo storage). See /issue list for its issues.`
    }
    return {
      tone: 'ok',
      title: `Removed ${r.removed.nickname}`,
      text: `${r.removed.nickname} is gone with its ${recordedFor(r)}. ${photos}`,
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
        `${ph.created_at.slice(0, 10)} ${ph.uploader_name}${ph.issue ? ` · issue #${ph.issue}` : ''}${ph.filename ? ` · ${clip(ph.filename, 60)}` : ''} (${ph.width}×${ph.height})`,
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

  /** Economy per full-to-full segment, the average, and the last 12 months' costs. */
  stats: async (p, ctx) => {
    const g = await garageOf(ctx)
    const d = await carData(ctx, p.car, g.currency)
    const [eco, cost] = await Promise.all([
      callCalculator(calculatorClient(ctx).economy.post({ fillUps: d.fillUps })),
      costOf(ctx, d, g, 365),
    ])
    // In the car's units, whatever the garage's: the one conversion is lib/domain/units.ts.
    const unit = d.car.odometer_unit
    const show = (e: { kmPerLitre: number }) =>
      `${fmt(fromKmPerLitre(e.kmPerLitre, d.car.economy_unit))} ${ECONOMY_LABEL[d.car.economy_unit]}`
    const segments = eco.entries.filter((e) => e.segment || e.status === 'missed')
    const lines = segments
      .slice(-10)
      .map((e) =>
        e.segment
          ? `${e.date}  ${show(e.segment)}  (${distanceText(e.segment.km, unit)}, ${plural(e.segment.fillUps, 'fill-up')})`
          : `${e.date}  — a fill-up before this one was not logged; the chain restarts here`,
      )
    const text = eco.average
      ? `Average ${show(eco.average)} (${economyText(eco.average)}) over ${plural(eco.segments, 'full-to-full segment')}.\n${lines.join('\n')}`
      : `Not enough fill-ups for fuel economy yet: log two full fill-ups with their odometer (/fuel log car:${d.car.nickname} volume:… odometer:… full:yes).`
    return {
      tone: 'ok',
      title: `${d.car.nickname}: fuel economy and costs`,
      text,
      fields: [
        { name: 'Last 12 months', value: formatMoney(cost.totalMinor, cost.currency), inline: true },
        ...costFields(cost, unit),
      ],
      ref: carRef(d.car.nickname),
    }
  },
})
