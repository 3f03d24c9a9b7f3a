/**
 * /garage import: a file from another app (Fuelly, LubeLogger, Spritmonitor, any CSV with a column
 * map) read into rows (lib/import), kept by the items service as a pending import, and answered
 * with a preview; its Import button stores it in one transaction, Cancel drops it. Nothing is
 * stored before Import. The file is refused by its declared size before anything is read, and
 * downloaded like a photo: only from the platform's file hosts, with the size cap while it arrives.
 */
import { Type as T } from '@sinclair/typebox'
import { actionId, formActionId } from '../../../catalog/actions.ts'
import type { Attachment } from '../../../catalog/command.ts'
import { humanBytes, megabytes } from '../../../lib/bytes.ts'
import type { Reply } from '../../../lib/contracts/envelope.ts'
import { type DateOrder, formatDate } from '../../../lib/domain/dates.ts'
import { minorDigits } from '../../../lib/domain/money.ts'
import { formatIn, type NumberFormat } from '../../../lib/domain/numbers.ts'
import { clip, plural } from '../../../lib/domain/text.ts'
import {
  IMPORT_MAX_BYTES,
  ImportRefused,
  type ParsedImport,
  parseImport,
  splitMap,
} from '../../../lib/import/index.ts'
import type { ImportIssue, ImportPhoto, ImportQuote } from '../../../lib/import/model.ts'
import { unzip } from '../../../lib/import/zip.ts'
import type { ImportKind, PendingCreate, PendingView } from '../../../services/items/imports/model.ts'
import { attachmentBytes, DownloadRefused, type JobFile } from '../../clients/download.ts'
import { callImages, imagesClient, uploadPhoto } from '../../clients/images.ts'
import { callIssues, issuesClient } from '../../clients/issues.ts'
import { callItems, itemsClient } from '../../clients/items.ts'
import { callQuotes, quotesClient } from '../../clients/quotes.ts'
import { storeFile } from '../../clients/reports.ts'
import { type HandlerContext, type HandlerFamily, UserError } from '../../handler.ts'

/** Problems listed in the preview one by one; the rest are counted. */
const SHOWN_PROBLEMS = 20

const NOUNS: Record<ImportKind, [string, string]> = {
  fuel: ['fill-up', 'fill-ups'],
  service: ['service record', 'service records'],
  repair: ['repair', 'repairs'],
  upgrade: ['upgrade', 'upgrades'],
  reading: ['odometer reading', 'odometer readings'],
  // LubeLogger's taxes, and every expense of Car Manager's export
  tax: ['expense', 'expenses'],
  charge: ['charge', 'charges'],
}
const count = (n: number, kind: ImportKind, numbers: NumberFormat) =>
  `${formatIn(n, numbers)} ${NOUNS[kind][n === 1 ? 0 : 1]}`

const UNIT_NAMES = {
  km: 'km',
  mi: 'miles',
  L: 'litres',
  gal: 'US gallons',
  impgal: 'imperial gallons',
} as const

/** A file's car name as a nickname: "Old Golf" → "Old-Golf". */
export const nicknameOf = (name: string) =>
  clip(
    name
      .trim()
      .replace(/\s+/g, '-')
      .replace(/[^\p{L}\p{N}_-]/gu, ''),
    32,
  ).replace(/…$/, '') || 'imported'

type Payload = { file: Attachment; map?: string; car?: string }

/** The garage's car (or a new one) of each car the file names; `map:` first, then the nicknames. */
export function carsOf(parsed: ParsedImport, p: { map?: string; car?: string }, nicknames: string[]): PendingCreate['cars'] {
  const { cars: mapped } = splitMap(p.map)
  const names = [...new Set(parsed.rows.map((r) => r.car))]
  const unknown = [...mapped.keys()].filter((k) => !names.some((n) => n.toLowerCase() === k))
  if (unknown.length)
    throw new UserError(
      `map: ${unknown.map((u) => `"${u}"`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a car of the file (its cars: ${names.map((n) => `"${n || '(none named)'}"`).join(', ')}). Nothing was imported.`,
      'map',
    )
  const byKey = new Map(nicknames.map((n) => [n.toLowerCase(), n]))
  const withUnits = (c: PendingCreate['cars'][number]): PendingCreate['cars'][number] => {
    const own = parsed.cars?.get(c.name)
    return own
      ? {
          ...c,
          units: { distance: own.distance, volume: own.volume },
          create_units: own.units,
          ...(own.meter ? { meter: own.meter } : {}),
          ...(own.fields ? { fields: own.fields } : {}),
        }
      : c
  }
  const carOf = (name: string): PendingCreate['cars'][number] => {
    const to = mapped.get(name.toLowerCase())
    if (to !== undefined)
      return /^new$/i.test(to) ? { name, new_nickname: nicknameOf(name) } : { name, car: to }
    if (name === '') {
      const only = nicknames.length === 1 ? nicknames[0] : undefined
      const car = p.car ?? only
      if (!car)
        throw new UserError(
          'car: this file names no car (an export of one car); say which with car:<car>. Nothing was imported.',
          'car',
        )
      return { name, car }
    }
    const same = byKey.get(name.toLowerCase()) ?? byKey.get(nicknameOf(name).toLowerCase())
    return same ? { name, car: same } : { name, new_nickname: nicknameOf(name) }
  }
  // every car of Car Manager's export comes, also one without a row
  for (const name of parsed.cars?.keys() ?? []) if (!names.includes(name)) names.push(name)
  for (const i of parsed.items ?? []) if (!names.includes(i.car)) names.push(i.car)
  return names.map((name) => withUnits(carOf(name)))
}

/** Rows with a cost in another currency than the garage's become problems of the preview. */
function keepGarageCurrency(parsed: ParsedImport, currency: string) {
  parsed.rows = parsed.rows.filter((r) => {
    if (r.currency === null || r.cost === null || r.currency === currency) return true
    parsed.problems.push({
      file: r.file,
      line: r.line,
      why: `cost: in ${r.currency}, but this garage keeps its money in ${currency}`,
    })
    return false
  })
}

export function rowsOf(parsed: ParsedImport, cars: PendingCreate['cars'], currency: string): PendingCreate['rows'] {
  const index = new Map(cars.map((c, i) => [c.name, i]))
  const scale = 10 ** minorDigits(parsed.settings?.currency ?? currency)
  return parsed.rows.map((r) => ({
    line: r.line,
    car: index.get(r.car)!,
    kind: r.kind,
    date: r.date,
    odometer: r.odometer,
    volume: r.volume,
    cost_minor: r.cost === null ? null : Math.round(r.cost * scale),
    // a file with settings (Car Manager's export) may bring its currency: the items service judges its rows
    ...(parsed.settings && r.currency !== null ? { currency: r.currency, file: r.file } : {}),
    cost_text: r.cost === null ? null : String(r.cost),
    full: r.full,
    missed: r.missed,
    title: r.title === null ? null : clip(r.title, 200),
    notes: r.notes === null ? null : clip(r.notes, 2000),
    ...(r.items?.length ? { items: r.items } : {}),
    ...(r.every && r.kind === 'tax' ? { every: { months: r.every.months as 1 | 3 | 6 | 12, text: r.every.text } } : {}),
  }))
}

/** The preview: what Import would add, from when to when, to which cars, read how; and each row not used. */
export function previewText(
  parsed: ParsedImport,
  pending: PendingView,
  garage: { dates: DateOrder; numbers: NumberFormat },
): string {
  const lines: string[] = []
  for (const k of pending.kinds) {
    const known = k.known ? `, ${formatIn(k.known, garage.numbers)} already in the garage` : ''
    lines.push(
      `${count(k.rows, k.kind, garage.numbers)} found: ${formatIn(k.new, garage.numbers)} new${known}`,
    )
  }
  if (pending.items.rows) {
    const known = pending.items.known ? `, ${formatIn(pending.items.known, garage.numbers)} already on their cars` : ''
    lines.push(
      `${formatIn(pending.items.rows, garage.numbers)} maintenance ${pending.items.rows === 1 ? 'item' : 'items'} found (schedules and when last done): ${formatIn(pending.items.new, garage.numbers)} new${known}`,
    )
  }
  const dates = parsed.rows.map((r) => r.date).sort()
  if (dates.length)
    lines.push(`Dates: ${formatDate(dates[0]!, garage.dates)} to ${formatDate(dates.at(-1)!, garage.dates)}`)
  const cars = pending.cars.map((c) => {
    const from = c.name ? `"${clip(c.name, 40)}"` : '(the file names none)'
    return `${from} → ${c.new ? `new car ${c.nickname} (${c.distance}, ${c.volume})` : c.nickname}`
  })
  lines.push(`Cars: ${cars.join(' · ')}`)
  if (parsed.drivers?.length) {
    const byCar = new Map<string, string[]>()
    for (const d of parsed.drivers) byCar.set(d.car, [...(byCar.get(d.car) ?? []), clip(d.name, 40)])
    lines.push(`Drivers: ${[...byCar].map(([car, names]) => `"${clip(car, 40)}" ${names.join(', ')}`).join(' · ')}`)
  }
  const { distance, volume } = parsed.units
  if (distance || volume) {
    const said = [distance, volume]
      .filter((u) => u !== null)
      .map((u) => UNIT_NAMES[u!])
      .join(' and ')
    const converted = pending.cars.filter(
      (c) => !c.new && ((distance && distance !== c.distance) || (volume && volume !== c.volume)),
    )
    lines.push(
      `Units: ${said}${converted.length ? `; converted to ${converted.map((c) => `${c.nickname}'s ${c.distance} and ${c.volume}`).join(', ')}` : ''}`,
    )
  } else if (parsed.cars) {
    const own = pending.cars.flatMap((c) => {
      const u = parsed.cars?.get(c.name)
      return u
        ? [`"${clip(c.name, 40)}" ${u.meter === 'hours' ? 'engine hours' : UNIT_NAMES[u.distance]} and ${UNIT_NAMES[u.volume]}`]
        : []
    })
    lines.push(`Units: ${own.join('; ')}`)
  } else lines.push("Units: not said in the file; taken as each car's own")
  const numbers = `Numbers: ${parsed.numbers.format}${parsed.numbers.how === 'file' ? ' (as the file writes them)' : " (the file's numbers read either way; the garage's format)"}`
  const order =
    parsed.dates.how === 'iso'
      ? 'YYYY-MM-DD'
      : `${parsed.dates.order}${parsed.dates.how === 'file' ? ' (as the file writes them)' : " (the file's dates read either way; the garage's order)"}`
  lines.push(`${numbers} · Dates read as ${order}`)
  if (pending.settings && parsed.settings) {
    const s = parsed.settings
    const said = `${s.units}, numbers ${s.numbers}, dates ${s.dates}, ${s.currency}, ${s.timezone}, reminders at ${s.reminder_hour}:00`
    lines.push(
      pending.settings.fate === 'apply'
        ? `Settings: the export's (${said}) become this garage's, which has none of its own yet; the reminder channel is of one chat platform and is not imported (set it with /garage settings reminder_channel:)`
        : `Settings: kept yours${pending.settings.why ? ` (the export's cannot be taken: ${pending.settings.why})` : ''}; the export's (${said}) are not imported`,
    )
  }
  for (const n of parsed.notes) lines.push(`Note: ${n}`)
  const problems = [
    ...parsed.problems.map((p) => `${parsed.files.length > 1 ? `${p.file} ` : ''}line ${p.line}: ${p.why}`),
    ...pending.refused.map((r) => `${r.file && parsed.files.length > 1 ? `${r.file} ` : ''}line ${r.line}: ${r.why}`),
  ]
  if (problems.length) {
    lines.push(`Rows not used (${formatIn(problems.length, garage.numbers)}):`)
    for (const p of problems.slice(0, SHOWN_PROBLEMS)) lines.push(`• ${clip(p, 160)}`)
    if (problems.length > SHOWN_PROBLEMS)
      lines.push(`… and ${formatIn(problems.length - SHOWN_PROBLEMS, garage.numbers)} more`)
  }
  return lines.join('\n')
}

/** /garage import file: [map:] [car:]: downloads, reads, keeps it pending and answers the preview. */
export async function garageImport(p: Payload, ctx: HandlerContext): Promise<Reply> {
  const name = clip(p.file.filename || 'the file', 100)
  if (p.file.size > IMPORT_MAX_BYTES)
    throw new UserError(
      `file: ${name} is ${megabytes(p.file.size)}, over the limit of ${megabytes(IMPORT_MAX_BYTES)} for an import; nothing was read. Split it (one CSV per year or per car) and import each.`,
      'file',
    )
  // a file dropped on Slack was kept by the app (only it holds the workspace's token)
  const bytes = await importBytes(
    ctx,
    p.file,
    name,
    'drop it again with the word import',
    (why) => new UserError(`file: ${why}. Nothing was imported.`, 'file'),
  )
  return preview(ctx, bytes, name, p)
}

/**
 * The import file's bytes: downloaded from the chat platform, or read where the app or a preview
 * kept it (`stored`: the images service's short-lived files, this garage's only). A file that
 * cannot be had is the user's to send again (`again` says how), in the words `refused` gives.
 */
async function importBytes(
  ctx: HandlerContext,
  file: JobFile,
  name: string,
  again: string,
  refused: (why: string) => UserError,
): Promise<Uint8Array> {
  try {
    return await attachmentBytes(file, {
      platform: ctx.envelope.actor.platform,
      config: ctx.config,
      filename: name,
      maxBytes: IMPORT_MAX_BYTES,
      tenant: ctx.envelope.tenant,
      what: 'file',
      again,
    })
  } catch (error) {
    if (!(error instanceof DownloadRefused)) throw error
    throw refused(error.message)
  }
}

/**
 * Reads the file and keeps it as a pending import; answers the preview with its buttons. `kept`:
 * the id the file is kept under already (a Map cars step reading it again), else it is kept here
 * when the preview needs it later (its photos, or a Map cars step).
 */
async function preview(
  ctx: HandlerContext,
  bytes: Uint8Array,
  name: string,
  p: { map?: string; car?: string },
  kept?: string,
): Promise<Reply> {
  const settings = await callItems(itemsClient(ctx).settings.get({ query: {} }))
  let parsed: ParsedImport
  try {
    parsed = parseImport(bytes, name, { numbers: settings.numbers, dates: settings.dates }, p.map)
  } catch (error) {
    if (error instanceof ImportRefused) throw new UserError(error.message, 'file')
    throw error
  }
  // a file with its own settings (Car Manager's export) is judged by the items service, which knows whether they are taken
  if (!parsed.settings) keepGarageCurrency(parsed, settings.currency)
  if (parsed.rows.length === 0 && !parsed.items?.length && !parsed.issues?.length)
    throw new UserError(
      `${name}: no row can be used.\n${previewProblems(parsed)}\nNothing was imported.`,
      'file',
    )
  const { cars: garageCars } = await callItems(itemsClient(ctx).cars.get({ query: { archived: 'yes' } }))
  const cars = carsOf(
    parsed,
    p,
    garageCars.map((c) => c.nickname),
  )
  // A car of the file that matched none of the garage's (and was not mapped to a new one) may be
  // one of them by another name: the Map cars step says which.
  const { cars: mapped } = splitMap(p.map)
  const unmatched = garageCars.length > 0 && cars.some((c) => c.new_nickname !== undefined && !mapped.has(c.name.toLowerCase()))
  let keptId = kept
  const keep = async () => {
    keptId ??= (await storeFile(ctx, bytes, name, 'application/zip', `${ctx.envelope.id}-import-file`)).id
    return keptId
  }
  const body: PendingCreate = {
    file: name,
    format: parsed.format,
    units: parsed.units,
    cars,
    rows: rowsOf(parsed, cars, settings.currency),
    ...(parsed.drivers
      ? {
          drivers: parsed.drivers.map((d) => ({
            car: cars.findIndex((c) => c.name === d.car),
            user_id: d.user_id,
            name: d.name,
          })).filter((d) => d.car >= 0),
        }
      : {}),
    ...(parsed.items?.length
      ? {
          items: parsed.items.flatMap((i) => {
            const car = cars.findIndex((c) => c.name === i.car)
            return car < 0 ? [] : [{ ...i, car }]
          }),
        }
      : {}),
    ...(parsed.settings ? { settings: parsed.settings as NonNullable<PendingCreate['settings']> } : {}),
  }
  if (parsed.issues?.length || parsed.photos?.length) {
    const carry: Carry = {
      issues: parsed.issues ?? [],
      quotes: parsed.quotes ?? [],
      // the photos' originals stay in the file, kept by the images service until Import (a day)
      ...(parsed.photos?.length ? { photos: { file: await keep(), list: parsed.photos } } : {}),
    }
    body.carry = JSON.stringify(carry)
  }
  // Kept for the Map cars step when the images service takes it; otherwise the hint says map:.
  const mapKept = unmatched ? await keep().catch(() => undefined) : undefined
  if (mapKept)
    body.source = { kept: mapKept, ...(p.map ? { map: clip(p.map, 2000) } : {}), ...(p.car ? { car: p.car } : {}) }
  const others = await otherServices(ctx, parsed, cars, garageCars)
  const pending = await callItems(itemsClient(ctx, { write: true, key: ctx.envelope.id }).imports.post(body))
  const text = [previewText(parsed, pending, settings), ...others.lines].join('\n')
  const fresh = pending.kinds.reduce((n, k) => n + k.new, 0) + pending.items.new + others.fresh
  if (fresh === 0) {
    await callItems(
      itemsClient(ctx, { write: true, key: `${ctx.envelope.id}-cancel` }).imports.cancel.post({
        id: pending.id,
      }),
    )
    return {
      tone: 'ok',
      title: clip(`Nothing new in ${name}`, 256),
      text: clip(
        `Every row of this ${parsed.format} is in the garage already; nothing to import.\n${text}`,
        3900,
      ),
    }
  }
  const example = unmatched
    ? `"${clip(cars.find((c) => c.new_nickname !== undefined)!.name, 40)}=${garageCars[0]!.nickname}"`
    : ''
  const mapHint = unmatched
    ? `\nA car of the file is not one of the garage's by name (${garageCars.map((c) => c.nickname).slice(0, 10).join(', ')}): ${mapKept ? `Map cars says which it is (${example}, or =new).` : `say which it is by importing again with map:${example} (or =new).`}`
    : ''
  return {
    tone: parsed.problems.length + pending.refused.length > 0 ? 'warn' : 'ok',
    title: clip(`Import preview: ${name} (${parsed.format})`, 256),
    text: `${clip(`Nothing is stored until you press Import.\n${text}`, 3900 - mapHint.length)}${mapHint}`,
    actions: [
      {
        id: actionId('garage.import_confirm', pending.id),
        label: `Import ${plural(fresh, 'row')}`,
        style: 'primary',
      },
      ...(mapKept ? [{ id: formActionId('import_map', pending.id), label: 'Map cars', style: 'secondary' as const }] : []),
      { id: actionId('garage.import_cancel', pending.id), label: 'Cancel', style: 'secondary' },
    ],
  }
}

/**
 * The Map cars step of a preview: the file read again from where it is kept, with the original
 * options and the mapping given (which wins over them), answered as a new preview; the old
 * preview's pending import is dropped once the new one stands.
 */
async function remap(p: { arg: string; map: string }, ctx: HandlerContext): Promise<Reply> {
  const id = pendingId(p.arg)
  const { file, source } = await callItems(itemsClient(ctx).imports({ pending: id }).source.get())
  const bytes = await importBytes(
    ctx,
    { url: '', filename: file, stored: source.kept },
    file,
    'run /garage import again with map:',
    (why) => new UserError(`${why}. Nothing was imported.`, 'map'),
  )
  const map = [source.map, p.map].filter(Boolean).join(',')
  const answer = await preview(ctx, bytes, file, { map, ...(source.car ? { car: source.car } : {}) }, source.kept)
  await callItems(
    itemsClient(ctx, { write: true, key: `${ctx.envelope.id}-replaced` }).imports.cancel.post({ id }),
  ).catch(() => null)
  return answer
}

/**
 * What an import carries to the issues, quotes and images services (a Car Manager export's), kept
 * with the pending import; the photos by the short-lived file that holds the export's zip.
 */
type Carry = { issues: ImportIssue[]; quotes: ImportQuote[]; photos?: { file: string; list: ImportPhoto[] } }

/** The kept import file's photos by their zip names; refused when the day it was kept is over. */
async function keptPhotos(ctx: HandlerContext, id: string): Promise<Map<string, Uint8Array>> {
  const bytes = await importBytes(
    ctx,
    { url: '', filename: 'the import file', stored: id },
    'the import file',
    'run /garage import again',
    (why) => new UserError(why),
  )
  const entries = unzip(bytes, 'the import file')
  return new Map(entries.filter((e) => e.name.startsWith('photos/')).map((e) => [e.name, e.bytes]))
}

/**
 * The preview's lines of the export's issues, quotes and photos: how many are new, asked of the issues,
 * quotes and images services for the cars the garage has (a new car's are all new), and what undo takes back.
 */
async function otherServices(
  ctx: HandlerContext,
  parsed: ParsedImport,
  cars: PendingCreate['cars'],
  garageCars: { id: number; nickname: string }[],
): Promise<{ lines: string[]; fresh: number }> {
  const issues = parsed.issues ?? []
  const quotes = parsed.quotes ?? []
  const photos = parsed.photos ?? []
  if (!issues.length && !photos.length) return { lines: [], fresh: 0 }
  const idOf = new Map<string, number>()
  for (const c of cars) {
    const car = c.car === undefined ? undefined : garageCars.find((g) => g.nickname.toLowerCase() === c.car!.toLowerCase())
    if (car) idOf.set(c.name, car.id)
  }
  const mine = issues.flatMap((i) => {
    const id = idOf.get(i.car)
    return id === undefined ? [] : [issueBody(i, id, nicknameOfCar(cars, i.car))]
  })
  const checked = mine.length
    ? await callIssues(
        issuesClient(ctx, { write: true, key: `${ctx.envelope.id}-issues-check` }).imports.check.post({ issues: mine }),
      )
    : { added: 0, known: 0, numbers: [] }
  const known = new Map(checked.numbers.map((n) => [n.from, n.to]))
  const ours = quotes.flatMap((q) => {
    const to = known.get(q.issue)
    return to === undefined ? [] : [{ ...q, issue: to }]
  })
  const quotesKnown = ours.length
    ? (
        await callQuotes(
          quotesClient(ctx, { write: true, key: `${ctx.envelope.id}-quotes-check` }).imports.check.post({ quotes: ours }),
        )
      ).known
    : 0
  // A photo can be in the garage already only on a car it has and an issue it has (a new one's are new).
  const targets = photos.flatMap((p) => {
    const car = p.car === null ? null : idOf.get(p.car)
    const issue = p.issue === null ? null : known.get(p.issue)
    return car === undefined || issue === undefined ? [] : [{ sha256: p.sha256, car_id: car, issue }]
  })
  const photosKnown = targets.length
    ? (await callImages(imagesClient(ctx).imports.check.post({ photos: targets }))).known
    : 0
  const comments = issues.reduce((n, i) => n + i.comments.length, 0)
  const changes = issues.reduce((n, i) => n + i.history.length, 0)
  const issuesNew = issues.length - checked.known
  const quotesNew = quotes.length - quotesKnown
  const photosNew = photos.length - photosKnown
  const bytes = new Map(photos.map((p) => [p.sha256, p.bytes]))
  const lines = [
    ...(issues.length
      ? [
          `${plural(issues.length, 'issue')} found (with ${plural(comments, 'comment')} and ${plural(changes, 'entry', 'entries')} of history): ${issuesNew} new${checked.known ? `, ${checked.known} already in the garage` : ''}`,
        ]
      : []),
    ...(quotes.length
      ? [`${plural(quotes.length, 'quote')} found: ${quotesNew} new${quotesKnown ? `, ${quotesKnown} already in the garage` : ''}`]
      : []),
    ...(photos.length
      ? [
          `${plural(photos.length, 'photo')} found (${humanBytes([...bytes.values()].reduce((n, b) => n + b, 0))}): ${photosNew} new${photosKnown ? `, ${photosKnown} already in the garage` : ''}`,
        ]
      : []),
    `Note: ${[issues.length ? 'issues' : '', quotes.length ? 'quotes' : '', photos.length ? 'photos' : ''].filter(Boolean).join(', ').replace(/, ([^,]*)$/, ' and $1')} are stored by their own services just after the rest; Undo takes back those it added${issues.length ? ' that nobody changed since (a commented, edited or accepted one stays)' : ''}.${quotes.length ? " A quote's link to the service record it became is not kept." : ''}`,
  ]
  return { lines, fresh: issuesNew + quotesNew + photosNew }
}

const nicknameOfCar = (cars: PendingCreate['cars'], name: string) => {
  const c = cars.find((x) => x.name === name)
  return c?.car ?? c?.new_nickname ?? name
}

const issueBody = (i: ImportIssue, carId: number, nickname: string) => {
  const { car: _, quotes: __, ...rest } = i
  return { ...rest, car_id: carId, car: clip(nickname, 100) }
}

/**
 * Imports the carried issues, then their quotes, then the photos into their services after the
 * items service stored import #`ref`; answers what was added. A failure takes back what this
 * import stored in every service (the garage is as it was) and is said to the user.
 */
async function importOthers(
  ctx: HandlerContext,
  ref: number,
  carry: Carry,
  cars: { name: string; nickname: string; id: number }[],
): Promise<{ issues: number; quotes: number; photos: number }> {
  const byName = new Map(cars.map((c) => [c.name, c]))
  const issues = carry.issues.flatMap((i) => {
    const car = byName.get(i.car)
    return car ? [issueBody(i, car.id, car.nickname)] : []
  })
  try {
    const done = issues.length
      ? await callIssues(
          issuesClient(ctx, { write: true, key: `${ctx.envelope.id}-issues` }).imports.post({ import: ref, issues }),
        )
      : { added: 0, known: 0, numbers: [] }
    const numbers = new Map(done.numbers.map((n) => [n.from, n.to]))
    const quotes = carry.quotes.flatMap((q) => {
      const to = numbers.get(q.issue)
      return to === undefined ? [] : [{ ...q, issue: to }]
    })
    const q = quotes.length
      ? await callQuotes(
          quotesClient(ctx, { write: true, key: `${ctx.envelope.id}-quotes` }).imports.post({ import: ref, quotes }),
        )
      : { added: 0, numbers: [] }
    // the quotes linked to each issue, by their numbers here
    const quoteNumbers = new Map(q.numbers.map((n) => [n.from, n.to]))
    const links = carry.issues.flatMap((i) => {
      const issue = numbers.get(i.number)
      return issue === undefined
        ? []
        : i.quotes.flatMap((l) => {
            const quote = quoteNumbers.get(l.quote)
            return quote === undefined ? [] : [{ issue, quote, added_by: l.added_by, added_at: l.added_at }]
          })
    })
    if (links.length)
      await callIssues(
        issuesClient(ctx, { write: true, key: `${ctx.envelope.id}-links` }).imports.links.post({ import: ref, links }),
      )
    const photos = carry.photos ? await importPhotos(ctx, ref, carry.photos, byName, numbers) : 0
    return { issues: done.added, quotes: q.added, photos }
  } catch (error) {
    await takeBack(ctx, ref)
    throw new UserError(
      `The import's issues, quotes and photos could not be stored (${(error as Error).message}); the whole import was taken back and the garage is as it was. Run /garage import again.`,
    )
  }
}

/**
 * Uploads each carried photo from the kept file, filed on its car and issue here, remembered
 * under import #`ref` and with the time it was added in the exporting garage; answers how many
 * links are new (a photo the garage has on the same car and issue is not linked twice).
 */
async function importPhotos(
  ctx: HandlerContext,
  ref: number,
  carried: NonNullable<Carry['photos']>,
  cars: Map<string, { nickname: string; id: number }>,
  issues: Map<number, number>,
): Promise<number> {
  const files = await keptPhotos(ctx, carried.file)
  let added = 0
  for (const [i, p] of carried.list.entries()) {
    const car = p.car === null ? undefined : cars.get(p.car)
    const issue = p.issue === null ? undefined : issues.get(p.issue)
    if (!car && issue === undefined) continue
    const bytes = files.get(p.file)
    if (!bytes || new Bun.CryptoHasher('sha256').update(bytes).digest('hex') !== p.sha256)
      throw new UserError(`${p.file} is not in the kept file as its preview read it`)
    const r = await uploadPhoto(
      ctx,
      bytes,
      {
        ...(car ? { car_id: car.id, car: car.nickname } : {}),
        ...(issue !== undefined ? { issue } : {}),
        uploader: p.uploader,
        uploader_name: p.uploader_name,
        ...(p.filename ? { filename: p.filename } : {}),
        import: ref,
        ...(p.added_at ? { added_at: p.added_at } : {}),
      },
      `${ctx.envelope.id}-photo-${i}`,
    )
    if (!r.linked_before) added++
  }
  return added
}

/** Removes what import #`ref` stored in each service (best effort, the items service's part last). */
async function takeBack(ctx: HandlerContext, ref: number) {
  const key = `${ctx.envelope.id}-takeback`
  await callImages(imagesClient(ctx, { write: true, key }).imports.undo.post({ import: ref })).catch(() => null)
  await callQuotes(quotesClient(ctx, { write: true, key }).imports.undo.post({ import: ref })).catch(() => null)
  await callIssues(issuesClient(ctx, { write: true, key }).imports.undo.post({ import: ref })).catch(() => null)
  await callItems(itemsClient(ctx, { write: true, key }).imports.undo.post({ import: ref })).catch(() => null)
}

function previewProblems(parsed: ParsedImport): string {
  const shown = parsed.problems.slice(0, SHOWN_PROBLEMS).map((p) => `• line ${p.line}: ${clip(p.why, 160)}`)
  const more = parsed.problems.length - shown.length
  return [...shown, ...(more > 0 ? [`… and ${more} more`] : [])].join('\n')
}

const Button = T.Object({ arg: T.String({ maxLength: 80 }) }, { additionalProperties: false })
type Button = typeof Button.static

const pendingId = (arg: string) => {
  if (!/^[0-9a-f]{8,64}$/.test(arg))
    throw new UserError('That button is not valid any more; run /garage import again.')
  return arg
}

/**
 * After the items service took back its part of import `ref`: the issues and quotes the import
 * carried (those changed since stay). The Undo button and `/garage undo` of an import both end here.
 */
export async function undoImportElsewhere(
  ctx: HandlerContext,
  ref: number,
): Promise<{ removed: number; said: string; kept: string[] }> {
  const q = await callQuotes(
    quotesClient(ctx, { write: true, key: `${ctx.envelope.id}-quotes` }).imports.undo.post({ import: ref }),
  )
  const i = await callIssues(
    issuesClient(ctx, { write: true, key: `${ctx.envelope.id}-issues` }).imports.undo.post({ import: ref }),
  )
  // an issue that stays (changed since) keeps its photos
  const p = await callImages(
    imagesClient(ctx, { write: true, key: `${ctx.envelope.id}-photos` }).imports.undo.post({
      import: ref,
      ...(i.kept.length ? { keep_issues: i.kept } : {}),
    }),
  )
  const said = [
    ...(i.removed ? [plural(i.removed, 'issue')] : []),
    ...(q.removed ? [plural(q.removed, 'quote')] : []),
    ...(p.removed ? [plural(p.removed, 'photo')] : []),
  ]
    .join(', ')
    .replace(/, ([^,]*)$/, ' and $1')
  return {
    removed: i.removed + q.removed + p.removed,
    said,
    kept: [...i.kept.map((n) => `issue #${n}`), ...q.kept.map((n) => `quote #${n}`)],
  }
}

const MapForm = T.Object({ arg: T.String({ maxLength: 80 }), map: T.String({ minLength: 1, maxLength: 1000 }) })

/** The preview's Import, Map cars and Cancel buttons, and the Undo of a finished import. */
export const importActions = {
  'garage.import_map': { schema: MapForm, run: remap },
  'garage.import_confirm': {
    schema: Button,
    run: async (p: Button, ctx: HandlerContext): Promise<Reply> => {
      const r = await callItems(
        itemsClient(ctx, { write: true, key: ctx.envelope.id }).imports.commit.post({ id: pendingId(p.arg) }),
      )
      const others = r.carry ? await importOthers(ctx, r.import, JSON.parse(r.carry) as Carry, r.cars) : null
      const { numbers } = await callItems(itemsClient(ctx).settings.get({ query: {} }))
      const added = [
        ...r.kinds.filter((k) => k.new > 0).map((k) => count(k.new, k.kind, numbers)),
        ...(r.items.new ? [`${formatIn(r.items.new, numbers)} maintenance ${r.items.new === 1 ? 'item' : 'items'}`] : []),
        ...(others?.issues ? [plural(others.issues, 'issue')] : []),
        ...(others?.quotes ? [plural(others.quotes, 'quote')] : []),
        ...(others?.photos ? [plural(others.photos, 'photo')] : []),
      ]
      const skipped = r.kinds.reduce((n, k) => n + k.known, 0)
      const ranges = r.numbers.map((n) => {
        const noun = n.kind === 'tax' ? 'expenses' : n.kind === 'service' ? 'records' : NOUNS[n.kind][1]
        return n.first === n.last ? `${noun} #${n.first}` : `${noun} #${n.first}–#${n.last}`
      })
      const lines = [
        ranges.length
          ? `Numbered ${ranges.join(', ')}.`
          : r.items.new || others?.issues || others?.quotes || others?.photos
            ? ''
            : 'Every row was in the garage already.',
        ...(r.cars_created.length
          ? [`New ${r.cars_created.length === 1 ? 'car' : 'cars'}: ${r.cars_created.join(', ')}.`]
          : []),
        ...(skipped
          ? [`${plural(skipped, 'row')} already in the garage ${skipped === 1 ? 'was' : 'were'} skipped.`]
          : []),
        ...(r.settings_applied
          ? ["The export's settings are this garage's now (the reminder channel is not: set it with /garage settings reminder_channel:)."]
          : []),
        `This is import #${r.import}; Undo removes what it added while none of it is changed.`,
      ]
      return {
        tone: 'ok',
        title: clip(added.length ? `Imported ${added.join(', ')}` : 'Nothing new imported', 256),
        text: lines.filter(Boolean).join('\n'),
        actions: [{ id: actionId('garage.import_undo', r.import), label: 'Undo', style: 'secondary' }],
      }
    },
  },
  'garage.import_cancel': {
    schema: Button,
    run: async (p: Button, ctx: HandlerContext): Promise<Reply> => {
      await callItems(
        itemsClient(ctx, { write: true, key: ctx.envelope.id }).imports.cancel.post({ id: pendingId(p.arg) }),
      )
      return { tone: 'ok', title: 'Import cancelled', text: 'Nothing was stored.' }
    },
  },
  'garage.import_undo': {
    schema: Button,
    run: async (p: Button, ctx: HandlerContext): Promise<Reply> => {
      if (!/^\d{1,12}$/.test(p.arg)) throw new UserError('That button is not valid any more.')
      const ref = Number(p.arg)
      const r = await callItems(itemsClient(ctx, { write: true, key: ctx.envelope.id }).imports.undo.post({ import: ref }))
      const elsewhere = r.carried ? await undoImportElsewhere(ctx, ref) : { said: '', kept: [] }
      return {
        tone: 'ok',
        title: `Import #${r.import} undone`,
        text: [
          `Removed the ${plural(r.removed, 'record')} it added from ${r.file}${elsewhere.said ? `, and ${elsewhere.said}` : ''}; the cars it made stay (/car remove takes them).`,
          ...(elsewhere.kept.length ? [`Kept, as changed since: ${elsewhere.kept.join(', ')}.`] : []),
        ].join('\n'),
      }
    },
  },
} satisfies HandlerFamily
