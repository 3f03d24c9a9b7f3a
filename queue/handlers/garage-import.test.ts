/**
 * /garage import end to end through the queue, with the real items and calculator services and
 * a local file host standing in for the platform's: a preview that stores nothing, Import in one
 * transaction, the same file again adding nothing, an overlapping file adding only its new rows,
 * and every bad file refused with its reason. Economy and costs are checked against sums
 * written out here from the fixture files (test/fixtures/imports).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { unzipSync, zipSync } from 'fflate'
import { parseLine } from '../../catalog/grammar.ts'
import { parseFormSubmission } from '../../catalog/forms.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { makeJpeg } from '../../test/fixtures/images.ts'
import { type FileHost, startFileHost } from '../../test/file-host.ts'
import { type Stack, startStack } from '../../test/stack.ts'

const FIXTURES = join(import.meta.dir, '../../test/fixtures/imports')
const fixture = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)))

let stack: Stack
let files: FileHost
const clock = new Date('2026-06-01T12:00:00Z')
const GARAGE = 'local:imports-e2e'

beforeAll(async () => {
  files = startFileHost()
  // issues, quotes and images for /garage export, whose zip is imported back
  stack = await startStack({
    services: ['items', 'calculator', 'issues', 'quotes', 'images'],
    now: () => clock,
  })
})
afterAll(async () => {
  await stack?.close()
  files?.stop()
})

const say = (line: string, tenant = GARAGE): Promise<Reply> => {
  const parsed = parseLine(line)
  if (!parsed.ok) throw new Error(`grammar refused ${line}: ${parsed.error}`)
  return stack.command(parsed.kind, parsed.payload, { tenant })
}
const press = (id: string, tenant = GARAGE) => stack.press(id, tenant)
const field = (r: Reply, name: string) => r.fields?.find((f) => f.name === name)?.value
/** Money as read, without the no-break space Intl puts after a currency code ("PLN 25.00"). */
const plain = (text: string | undefined) => text?.replace(/\u00a0/g, ' ')

let seq = 0
/** /garage import with `bytes` served as the attachment `name`. */
function importFile(
  name: string,
  bytes: Uint8Array,
  options: { map?: string; car?: string; size?: number; tenant?: string } = {},
): Promise<Reply> {
  const path = `/attachments/${++seq}/${name}`
  files.served.set(path, bytes)
  return stack.command(
    'garage.import',
    {
      file: { url: files.urlOf(path), filename: name, size: options.size ?? bytes.byteLength },
      ...(options.map ? { map: options.map } : {}),
      ...(options.car ? { car: options.car } : {}),
    },
    { tenant: options.tenant ?? GARAGE },
  )
}

/** Rows of the garage the items service keeps, counted by kind. */
async function counts(tenant = GARAGE) {
  const get = async (path: string) => {
    const res = await fetch(`${stack.url('items')}${path}`, { headers: stack.headers(tenant) })
    return res.json() as Promise<Record<string, unknown>>
  }
  const { cars } = (await get('/cars?archived=yes')) as { cars: { nickname: string }[] }
  let fuel = 0
  for (const c of cars) fuel += ((await get(`/fillups?car=${c.nickname}`)) as { total: number }).total
  const records = ((await get('/records')) as { total: number }).total
  const expenses = ((await get('/expenses')) as { total: number }).total
  return { cars: cars.map((c) => c.nickname).sort(), fuel, records, expenses }
}

const importButton = (r: Reply) => r.actions?.find((a) => a.id.startsWith('garage.import_confirm:'))

describe('/garage import: the Map cars step', () => {
  const MAP = 'local:imports-map-cars'
  const submit = async (button: string, map: string) => {
    const [, form, arg] = /^form:([a-z_]+):(.+)$/.exec(button)!
    const parsed = parseFormSubmission(form!, arg!, { map })
    if (!parsed.ok) throw new Error(parsed.error)
    return stack.command(parsed.kind, parsed.payload, { tenant: MAP })
  }

  test("a car of the file that is none of the garage's by name gets a Map cars button; mapped, the new preview goes to the garage's car", async () => {
    expect((await say('/car add civic', MAP)).tone).toBe('ok')
    const first = await importFile('fuelly.csv', fixture('fuelly.csv'), { tenant: MAP })
    expect(first.text).toContain('"Honda Civic" → new car Honda-Civic')
    expect(first.text).toContain(
      'A car of the file is not one of the garage\'s by name (civic): Map cars says which it is ("Honda Civic=civic", or =new).',
    )
    const mapButton = first.actions?.find((a) => a.label === 'Map cars')
    expect(mapButton?.id).toMatch(/^form:import_map:[0-9a-f]+$/)

    // a name the garage does not have is refused, naming it; the first preview still stands
    const wrong = await submit(mapButton!.id, 'Honda Civic=accord')
    expect(wrong.tone).toBe('error')
    expect(wrong.text).toContain('accord')

    const mapped = await submit(mapButton!.id, 'Honda Civic=civic, Golf=new')
    expect(mapped.title).toContain('Import preview: fuelly.csv')
    expect(mapped.text).toContain('"Honda Civic" → civic')
    expect(mapped.text).toContain('"Golf" → new car Golf')
    // every car is said now: no Map cars step again
    expect(mapped.actions?.map((a) => a.label)).toEqual([expect.stringMatching(/^Import \d+ rows$/), 'Cancel'])
    // the first preview was replaced: its Import answers that it no longer waits
    const stale = await press(importButton(first)!.id, MAP)
    expect(stale.tone).toBe('error')
    expect(stale.text).toContain('no longer waiting')
    expect((await counts(MAP)).fuel).toBe(0)

    const done = await press(importButton(mapped)!.id, MAP)
    expect(done.tone).toBe('ok')
    const { cars, fuel } = await counts(MAP)
    expect(cars).toEqual(['Golf', 'civic'])
    expect(fuel).toBeGreaterThan(0)
    expect((await say('/fuel list car:civic', MAP)).title).toMatch(/^civic: \d+ fill-ups$/)
  })

  test('a file whose cars all match, or a garage with no car yet, has no Map cars step', async () => {
    const EMPTY = 'local:imports-map-none'
    const r = await importFile('fuelly.csv', fixture('fuelly.csv'), { tenant: EMPTY })
    expect(r.actions?.map((a) => a.label)).toEqual([expect.stringMatching(/^Import \d+ rows$/), 'Cancel'])
    expect(r.text).not.toContain('Map cars')
  })
})

describe('/garage import: Fuelly', () => {
  test('setup: an imperial USD garage with golf', async () => {
    expect((await say('/garage settings units:imperial currency:USD')).tone).toBe('ok')
    expect((await say('/car add golf units:imperial')).tone).toBe('ok')
  })

  test('the preview says what Import would add and stores nothing', async () => {
    const before = await counts()
    const r = await importFile('fuelly.csv', fixture('fuelly.csv'))
    expect(r.title).toBe('Import preview: fuelly.csv (Fuelly export)')
    expect(r.tone).toBe('warn')
    expect(r.text.split('\n')).toEqual([
      'Nothing is stored until you press Import.',
      '9 fill-ups found: 9 new',
      'Dates: 2022-06-01 to 2024-04-10',
      'Cars: "Honda Civic" → new car Honda-Civic (mi, gal) · "Golf" → golf',
      'Units: miles and US gallons',
      'Numbers: 1,234.5 (as the file writes them) · Dates read as MM/DD/YYYY (as the file writes them)',
      'Rows not used (2):',
      '• line 10: volume: "abc" is not a number',
      '• line 12: date: no date',
      // the garage has a golf, so a car of the file that is not one of its may be one by another name
      'A car of the file is not one of the garage\'s by name (golf): Map cars says which it is ("Honda Civic=golf", or =new).',
    ])
    expect(r.actions?.map((a) => a.label)).toEqual(['Import 9 rows', 'Map cars', 'Cancel'])
    expect(await counts()).toEqual(before)
    // Cancel drops it: its Import button does nothing after
    const cancelled = await press(r.actions![2]!.id)
    expect(cancelled.title).toBe('Import cancelled')
    const late = await press(importButton(r)!.id)
    expect(late.tone).toBe('error')
    expect(late.text).toContain('no longer waiting')
    expect(await counts()).toEqual(before)
  })

  test('Import adds the fill-ups with numbers; economy and cost match the hand sums', async () => {
    const preview = await importFile('fuelly.csv', fixture('fuelly.csv'), { map: 'Honda Civic=new' })
    const done = await press(importButton(preview)!.id)
    expect(done.tone).toBe('ok')
    expect(done.title).toBe('Imported 9 fill-ups')
    expect(done.text).toContain('Numbered fill-ups #1–#9.')
    expect(done.text).toContain('New car: Honda-Civic.')
    expect(await counts()).toEqual({ cars: ['Honda-Civic', 'golf'], fuel: 9, records: 0, expenses: 0 })

    // golf: 300 mi / 10 gal, then (30,700 − 30,300) = 400 mi on the 5 gal partial + 5 gal full,
    // the 03/25/2023 stretch left out (a fill-up before it was missed), then 300 mi / 10 gal:
    // 1,000 mi / 30 gal = 33.3 mpg.
    const golf = await say('/fuel list car:golf')
    expect(golf.text).toContain('33.3 mpg')
    // price × gallons: 34.59 + 32.99 + 18.00 + 17.50 + 40.00 + 31.00 = $174.08
    const golfCost = await say('/calc cost car:golf period:5y')
    expect(field(golfCost, 'Fuel')).toBe('$174.08 (6 fill-ups)')
    // Honda-Civic: 330 mi / 11 gal twice = 30.0 mpg; 43.99 + 46.19 + 38.50 = $128.68
    expect((await say('/fuel list car:Honda-Civic')).text).toContain('30.0 mpg')
    expect(field(await say('/calc cost car:Honda-Civic period:5y'), 'Fuel')).toBe('$128.68 (3 fill-ups)')
  })

  test('the same file again adds nothing; an overlapping one adds only its new rows', async () => {
    const again = await importFile('fuelly.csv', fixture('fuelly.csv'))
    expect(again.title).toBe('Nothing new in fuelly.csv')
    expect(again.text).toContain('9 fill-ups found: 0 new, 9 already in the garage')
    expect(again.actions ?? []).toEqual([])
    expect((await counts()).fuel).toBe(9)

    const later = await importFile('fuelly-later.csv', fixture('fuelly-later.csv'))
    expect(later.text).toContain('11 fill-ups found: 2 new, 9 already in the garage')
    const done = await press(importButton(later)!.id)
    expect(done.title).toBe('Imported 2 fill-ups')
    expect(done.text).toContain('Numbered fill-ups #10–#11.')
    expect(done.text).toContain('9 rows already in the garage were skipped.')
    expect((await counts()).fuel).toBe(11)
    // $174.08 before, and 10 gal × $3.30 + 10 gal × $3.40 = $67.00: $241.08
    expect(field(await say('/calc cost car:golf period:5y'), 'Fuel')).toBe('$241.08 (8 fill-ups)')

    // its Undo takes the two back out
    const undone = await press(done.actions![0]!.id)
    expect(undone.title).toBe('Import #2 undone')
    expect((await counts()).fuel).toBe(9)
  })
})

const LUBE = 'local:imports-lubelogger'
/** LubeLogger's exports of one car, zipped as a user would send them. */
const lubeZip = () =>
  zipSync(
    Object.fromEntries(
      readdirSync(join(FIXTURES, 'lubelogger')).map((f) => [`polo/${f}`, fixture(`lubelogger/${f}`)]),
    ),
  )

describe('/garage import: LubeLogger (a zip of its CSVs)', () => {
  test('setup: a metric EUR garage with polo and skoda', async () => {
    expect((await say('/garage settings units:metric currency:EUR', LUBE)).tone).toBe('ok')
    for (const car of ['polo', 'skoda'])
      expect((await say(`/car add ${car} units:metric`, LUBE)).tone).toBe('ok')
  })

  test('a file that names no car needs car: when the garage has several', async () => {
    const r = await importFile('polo.zip', lubeZip(), { tenant: LUBE })
    expect(r.tone).toBe('error')
    expect(r.text).toBe(
      'car: this file names no car (an export of one car); say which with car:<car>. Nothing was imported.',
    )
  })

  test('every kind previewed, then imported with its numbers; costs and economy match the hand sums', async () => {
    const preview = await importFile('polo.zip', lubeZip(), { tenant: LUBE, car: 'polo' })
    expect(preview.title).toBe('Import preview: polo.zip (LubeLogger export)')
    expect(preview.text.split('\n')).toEqual([
      'Nothing is stored until you press Import.',
      '6 fill-ups found: 6 new',
      '2 service records found: 2 new',
      '1 repair found: 1 new',
      '1 odometer reading found: 1 new',
      '2 expenses found: 2 new',
      'Dates: 2023-01-25 to 2025-01-10',
      'Cars: (the file names none) → polo',
      "Units: not said in the file; taken as each car's own",
      'Numbers: 1,234.5 (as the file writes them) · Dates read as DD/MM/YYYY (as the file writes them)',
    ])
    expect(await counts(LUBE)).toEqual({ cars: ['polo', 'skoda'], fuel: 0, records: 0, expenses: 0 })
    const done = await press(importButton(preview)!.id, LUBE)
    expect(done.title).toBe(
      'Imported 6 fill-ups, 2 service records, 1 repair, 1 odometer reading, 2 expenses',
    )
    expect(await counts(LUBE)).toEqual({ cars: ['polo', 'skoda'], fuel: 6, records: 3, expenses: 2 })

    // 500 km / 40 L, 500 km / (20 + 20) L, the 13/01/2024 stretch out (missed), 500 km / 50 L:
    // 1,500 km / 130 L = 8.7 L/100 km
    expect((await say('/fuel list car:polo', LUBE)).text).toContain('8.7 L/100km')
    const cost = await say('/calc cost car:polo period:5y', LUBE)
    // 60 + 62 + 31 + 30 + 48.50 + 80 = 311.50; 89.90 + 120 = 209.90; 245.50; 180 + 185 = 365
    expect(field(cost, 'Fuel')).toBe('€311.50 (6 fill-ups)')
    expect(field(cost, 'Service')).toBe('€209.90 (2)')
    expect(field(cost, 'Repair')).toBe('€245.50 (1)')
    expect(field(cost, 'Tax')).toBe('€365.00 (2)')
    // the odometer reading and the records' odometers are readings of polo: 23,000 km is the last
    expect(field(await say('/car show polo', LUBE), 'Odometer')).toBe('23,000 km (2025-01-10)')
    // notes keep the tags and custom fields
    expect((await say('/service list car:polo', LUBE)).text).toContain('Oil change')

    const again = await importFile('polo.zip', lubeZip(), { tenant: LUBE, car: 'polo' })
    expect(again.title).toBe('Nothing new in polo.zip')
    expect(await counts(LUBE)).toEqual({ cars: ['polo', 'skoda'], fuel: 6, records: 3, expenses: 2 })
  })

  test('Spritmonitor: ";", DD.MM.YYYY, decimal commas, type 2 a partial fill-up', async () => {
    const preview = await importFile('spritmonitor.csv', fixture('spritmonitor.csv'), {
      tenant: LUBE,
      car: 'skoda',
    })
    expect(preview.title).toBe('Import preview: spritmonitor.csv (Spritmonitor export)')
    expect(preview.text).toContain(
      'Numbers: 1.234,5 (as the file writes them) · Dates read as DD/MM/YYYY (as the file writes them)',
    )
    expect(preview.text).toContain('Units: km and litres')
    await press(importButton(preview)!.id, LUBE)
    // 600 km / 42 L, then 600 km / (20 + 22) L: 7.0 L/100 km; 76.50 + 71.40 + 35.00 + 37.40 = 220.30
    expect((await say('/fuel list car:skoda', LUBE)).text).toContain('7.0 L/100km')
    expect(field(await say('/calc cost car:skoda period:5y', LUBE), 'Fuel')).toBe('€220.30 (4 fill-ups)')
  })

  test('any other CSV through a column map', async () => {
    const csv =
      'Tag,KM,Liter,Betrag,Voll\n2025-03-01,60000,40,64.00,ja\n2025-03-20,60500,20,33.00,nein\n2025-04-02,60800,20,32.00,ja\n'
    const plain = await importFile('tankbuch.csv', new TextEncoder().encode(csv), {
      tenant: LUBE,
      car: 'skoda',
    })
    expect(plain.tone).toBe('error')
    expect(plain.text).toContain('its columns (Tag, KM, Liter, Betrag, Voll) are no export I know')
    const preview = await importFile('tankbuch.csv', new TextEncoder().encode(csv), {
      tenant: LUBE,
      car: 'skoda',
      map: 'date=Tag,odometer=KM,volume=Liter,cost=Betrag,full=Voll',
    })
    expect(preview.text).toContain('3 fill-ups found: 3 new')
    await press(importButton(preview)!.id, LUBE)
    // 800 km / 40 L = 5.0 L/100 km for this stretch
    expect((await say('/fuel list car:skoda', LUBE)).text).toContain('5.0 L/100km')
  })
})

describe('/garage import: aCar (one file of sections)', () => {
  test('its vehicles with their own units; fill-ups and events; economy and costs match the hand sums', async () => {
    const ACAR = 'local:imports-acar'
    expect((await say('/garage settings units:metric currency:USD', ACAR)).tone).toBe('ok')
    const preview = await importFile('aCar-export.csv', fixture('acar.csv'), { tenant: ACAR })
    expect(preview.title).toBe('Import preview: aCar-export.csv (aCar export)')
    expect(preview.text.split('\n')).toEqual([
      'Nothing is stored until you press Import.',
      '8 fill-ups found: 8 new',
      '1 service record found: 1 new',
      '1 expense found: 1 new',
      'Dates: 2022-01-10 to 2023-05-20',
      'Cars: "Altima" → new car Altima (mi, gal) · "Fabia" → new car Fabia (km, L)',
      'Units: "Altima" miles and US gallons; "Fabia" km and litres',
      'Numbers: 1,234.5 (as the file writes them) · Dates read as MM/DD/YYYY (as the file writes them)',
    ])
    await press(importButton(preview)!.id, ACAR)
    // Altima: 300 mi / 10 gal, 400 mi / (5 + 5) gal, the 1/15/2023 stretch out (missed), 360 mi / 12 gal:
    // 1,060 mi / 32 gal = 33.1 mpg; 39.59 + 34 + 17.50 + 18 + 31 + 36 = $176.09
    expect((await say('/fuel list car:Altima', ACAR)).text).toContain('33.1 mpg')
    const altima = await say('/calc cost car:Altima period:5y', ACAR)
    expect(field(altima, 'Fuel')).toBe('$176.09 (6 fill-ups)')
    expect(field(altima, 'Service')).toBe('$22.00 (1)')
    expect(field(altima, 'Registration')).toBe('$85.00 (1)')
    // Fabia: 35.5 L over 500 km = 7.1 L/100 km; 60 + 53.25 = $113.25
    expect((await say('/fuel list car:Fabia', ACAR)).text).toContain('7.1 L/100km')
    expect(field(await say('/calc cost car:Fabia period:5y', ACAR), 'Fuel')).toBe('$113.25 (2 fill-ups)')
  })
})

describe('/garage import: Fuelio (a backup of sections)', () => {
  test('the vehicle, its fill-ups and its costs by category; economy and costs match the hand sums', async () => {
    const FUELIO = 'local:imports-fuelio'
    expect((await say('/garage settings units:metric currency:PLN', FUELIO)).tone).toBe('ok')
    expect((await say('/car add octavia units:metric', FUELIO)).tone).toBe('ok')
    const preview = await importFile('Fuelio-backup.csv', fixture('fuelio.csv'), { tenant: FUELIO })
    expect(preview.title).toBe('Import preview: Fuelio-backup.csv (Fuelio backup)')
    expect(preview.text.split('\n')).toEqual([
      'Nothing is stored until you press Import.',
      '6 fill-ups found: 6 new',
      '1 service record found: 1 new',
      '2 expenses found: 2 new',
      'Dates: 2023-03-01 to 2024-03-01',
      'Cars: "Octavia" → octavia',
      'Units: "Octavia" km and litres',
      'Numbers: 1,234.5 (as the file writes them) · Dates read as YYYY-MM-DD (as the file writes them)',
    ])
    await press(importButton(preview)!.id, FUELIO)
    // 600 km on 42 L, 600 km on 20 + 22 L, the 2024-02-10 stretch out (missed), 500 km on 35 L:
    // 119 L over 1,700 km = 7.0 L/100 km
    expect((await say('/fuel list car:octavia', FUELIO)).text).toContain('Average 7.0 L/100km')
    const cost = await say('/calc cost car:octavia period:5y', FUELIO)
    // 283.50 + 268.80 + 130 + 143 + 260 + 227.50 = 1,312.80; the income row (the roof box sold) is left out
    expect(plain(field(cost, 'Fuel'))).toBe('PLN 1,312.80 (6 fill-ups)')
    expect(plain(field(cost, 'Service'))).toBe('PLN 450.00 (1)')
    expect(plain(field(cost, 'Insurance'))).toBe('PLN 1,200.00 (1)')
    expect(plain(field(cost, 'Parking'))).toBe('PLN 25.00 (1)')
  })
})

const BAD = 'local:imports-bad'

describe('/garage import: files it refuses, storing nothing', () => {
  test('setup', async () => {
    expect((await say('/car add golf units:imperial', BAD)).tone).toBe('ok')
    expect((await say('/car add skoda units:metric', BAD)).tone).toBe('ok')
    expect((await say('/car add passat odometer:"50,000 mi"', BAD)).tone).toBe('ok')
  })

  const refused = async (name: string, bytes: Uint8Array, options: Parameters<typeof importFile>[2] = {}) => {
    const r = await importFile(name, bytes, { tenant: BAD, ...options })
    expect(r.tone).toBe('error')
    expect(await counts(BAD)).toEqual({ cars: ['golf', 'passat', 'skoda'], fuel: 0, records: 0, expenses: 0 })
    return r.text
  }

  test('not a CSV, zip or SQLite file; empty; an SQLite file; JSON', async () => {
    const png = new Uint8Array([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
    ])
    expect(await refused('fuel.csv', png)).toBe(
      'fuel.csv: not a CSV, zip or SQLite file (it holds binary data). Nothing was imported.',
    )
    expect(await refused('empty.csv', new Uint8Array(0))).toContain('the file is empty')
    expect(await refused('blank.csv', new TextEncoder().encode('\n\n  \n'))).toBe(
      'blank.csv: the file is empty. Nothing was imported.',
    )
    const header = 'car_name,model,mpg,odometer,miles,gallons,price,city_percentage,fuelup_date\n'
    expect(await refused('header.csv', new TextEncoder().encode(header))).toBe(
      'header.csv: the file has a header but no rows. Nothing was imported.',
    )
    const sqlite = new TextEncoder().encode('SQLite format 3\0rest of a database')
    expect(await refused('hammond.db', sqlite)).toBe(
      'hammond.db: an SQLite file that cannot be read (file is not a database). Nothing was imported.',
    )
  })

  test('rows it cannot use: the first 20 with their line and why, then a count', async () => {
    const lines = ['car_name,odometer,gallons,price,fuelup_date,partial_fuelup,missed_fuelup']
    lines.push('Golf,1000,10.5,3.1,01/15/2024 8:00,0,0')
    for (let i = 0; i < 25; i++) lines.push(`Golf,${1100 + i},,3.1,01/16/2024 8:00,0,0`)
    const r = await importFile('gaps.csv', new TextEncoder().encode(lines.join('\n')), { tenant: BAD })
    const text = r.text.split('\n')
    expect(text).toContain('Rows not used (25):')
    expect(text).toContain('• line 3: volume: missing, a fill-up needs how much was put in')
    expect(text.filter((l) => l.startsWith('• '))).toHaveLength(20)
    expect(text.at(-1)).toBe('… and 5 more')
    expect(r.actions?.[0]?.label).toBe('Import 1 row')
    expect((await press(r.actions!.find((a) => a.label === 'Cancel')!.id, BAD)).title).toBe('Import cancelled')
  })

  test("an odometer that contradicts the car's readings or an earlier row is a row it cannot use", async () => {
    const csv = [
      'car_name,odometer,gallons,price,fuelup_date,partial_fuelup,missed_fuelup',
      'Passat,40000,10.5,3.1,01/10/2024 8:00,0,0',
      'Passat,39000,10.5,3.1,01/20/2024 8:00,0,0',
      'Passat,60000,10.5,3.1,02/01/2024 8:00,0,0',
      'Passat,40300,10.5,3.1,03/01/2024 8:00,0,0',
    ].join('\n')
    const r = await importFile('passat.csv', new TextEncoder().encode(csv), { tenant: BAD })
    expect(r.text).toContain('4 fill-ups found: 2 new')
    expect(r.text).toContain(
      [
        'Rows not used (2):',
        '• line 3: odometer: 39,000 mi is lower than 40,000 mi on line 2, an earlier date',
        "• line 4: odometer: 60,000 mi is higher than the garage's later reading 50,000 mi of 2026-06-01",
      ].join('\n'),
    )
    expect((await press(r.actions!.find((a) => a.label === 'Cancel')!.id, BAD)).title).toBe('Import cancelled')
  })

  test('a date in the future is a row it cannot use', async () => {
    const csv =
      'car_name,odometer,gallons,price,fuelup_date,partial_fuelup,missed_fuelup\nGolf,1000,10.5,3.1,01/15/2024 8:00,0,0\nGolf,9000,10.5,3.1,12/31/2030 8:00,0,0\n'
    const r = await importFile('future.csv', new TextEncoder().encode(csv), { tenant: BAD })
    expect(r.text).toContain('Rows not used (1):\n• line 3: date: 2030-12-31 is in the future')
    expect((await press(r.actions!.find((a) => a.label === 'Cancel')!.id, BAD)).title).toBe('Import cancelled')
  })

  test('too big: refused by its size before it is downloaded', async () => {
    const before = files.requests.length
    const text = await refused('huge.csv', fixture('fuelly.csv'), { size: 25 * 1024 * 1024 })
    expect(text).toBe(
      'file: huge.csv is 25 MB, over the limit of 20 MB for an import; nothing was read. Split it (one CSV per year or per car) and import each.',
    )
    expect(files.requests.length).toBe(before)
  })

  test('a zip bomb stops at 100 MB inflated', async () => {
    const bomb = zipSync({ 'FuelRecords.csv': new Uint8Array(120 * 1024 * 1024) }, { level: 1 })
    expect(bomb.byteLength).toBeLessThan(1024 * 1024)
    expect(await refused('bomb.zip', bomb, { car: 'golf' })).toBe(
      'bomb.zip: the zip inflates to more than 100 MB, the most an import takes. Nothing was imported.',
    )
    // inflating 100 MB in pure JS takes seconds on a busy machine: a generous limit, not a figure tested
  }, 30_000)

  test('a broken quote on line 3,000 is named by its line', async () => {
    const lines = [
      'car_name,model,mpg,odometer,miles,gallons,price,city_percentage,fuelup_date,date_added,tags,notes',
    ]
    for (let i = 2; i <= 3500; i++) {
      const notes = i === 3000 ? '"forgot the closing quote' : ''
      lines.push(`Golf,Golf,0,${10000 + i * 100},100,3.5,3.1,40,01/15/2020 8:00,,,${notes}`)
    }
    expect(await refused('long.csv', new TextEncoder().encode(lines.join('\n')))).toBe(
      'long.csv: not a well-formed CSV at line 3000: a quote opened there is never closed. Nothing was imported.',
    )
  })

  test('dates that read two ways: refused naming both in a YYYY-MM-DD garage, read the garage way otherwise', async () => {
    const csv = new TextEncoder().encode(
      'car_name,odometer,gallons,price,fuelup_date,partial_fuelup,missed_fuelup\nGolf,1000,10.5,3.1,03/04/2024 8:00,0,0\nGolf,1300,10.5,3.1,05/06/2024 8:00,0,0\n',
    )
    expect(await refused('ambiguous.csv', csv)).toBe(
      'ambiguous.csv line 2: "03/04/2024" reads two ways: 3 April 2024 or 4 March 2024, and no date in the file tells which. Say how this garage writes dates (/garage settings dates:DD/MM/YYYY or dates:MM/DD/YYYY), then import again. Nothing was imported.',
    )
    expect((await say('/garage settings dates:DD/MM/YYYY', BAD)).tone).toBe('ok')
    const r = await importFile('ambiguous.csv', csv, { tenant: BAD })
    expect(r.text).toContain('Dates: 03/04/2024 to 05/06/2024')
    expect(r.text).toContain(
      "Dates read as DD/MM/YYYY (the file's dates read either way; the garage's order)",
    )
    expect((await press(r.actions!.find((a) => a.label === 'Cancel')!.id, BAD)).title).toBe('Import cancelled')
    expect((await say('/garage settings dates:YYYY-MM-DD', BAD)).tone).toBe('ok')
  })

  test('numbers written two ways are refused naming a line of each', async () => {
    const csv = new TextEncoder().encode(
      'Date,Odometer,FuelConsumed,Cost,FuelEconomy,IsFillToFull,MissedFuelUp,Notes,Tags\n2024-01-05,1000,40.5,60.75,0,True,False,,\n2024-01-20,1500,"41,5","62,25",0,True,False,,\n',
    )
    expect(await refused('mixed.csv', csv, { car: 'skoda' })).toBe(
      'numbers are written two ways: "40.5" (mixed.csv line 2) has a decimal point, "41,5" (mixed.csv line 3) a decimal comma. Export the file again with one number format. Nothing was imported.',
    )
  })

  test('a file in other units than the car is converted, and the preview says so', async () => {
    const csv = new TextEncoder().encode(
      'car_name,model,mpg,odometer,miles,gallons,price,city_percentage,fuelup_date,date_added,tags,notes,missed_fuelup,partial_fuelup\nSkoda,Octavia,0,10000,0,10.5,3.1,40,01/15/2024 8:00,,,,0,0\nSkoda,Octavia,30,10300,300,10,3.2,40,01/29/2024 8:00,,,,0,0\n',
    )
    const r = await importFile('us-trip.csv', csv, { tenant: BAD })
    expect(r.text).toContain('Cars: "Skoda" → skoda')
    expect(r.text).toContain("Units: miles and US gallons; converted to skoda's km and L")
    await press(importButton(r)!.id, BAD)
    const list = await fetch(`${stack.url('items')}/fillups?car=skoda`, { headers: stack.headers(BAD) })
    const { fillups } = (await list.json()) as { fillups: { litres: number; odometer_value: number }[] }
    // 10 US gal = 37.854 L; 10,300 mi = 16,576.243 km
    expect(fillups[0]!.litres).toBe(37.854)
    expect(fillups[0]!.odometer_value).toBeCloseTo(16_576.243, 2)
    // 300 mi / 10 gal = 30 mpg = 7.8 L/100 km
    expect((await say('/fuel list car:skoda', BAD)).text).toContain('7.8 L/100km')
  })
})

describe("/garage import: Car Manager's own export", () => {
  const exported = async (format: string) => {
    const reply = await say(`/garage export format:${format}`, LUBE)
    expect(reply.file).toBeDefined()
    const res = await fetch(`${stack.url('images')}/files/${reply.file!.id}`, {
      headers: stack.headers(LUBE),
    })
    return new Uint8Array(await res.arrayBuffer())
  }

  test('the json zip of one garage imported into another: the same cars, records, costs and economy', async () => {
    const COPY = 'local:imports-copy'
    expect((await say('/garage settings units:imperial currency:EUR', COPY)).tone).toBe('ok')
    const zip = await exported('json')
    const preview = await importFile('garage.zip', zip, { tenant: COPY })
    expect(preview.title).toBe('Import preview: garage.zip (Car Manager export)')
    expect(preview.text).toContain('"polo" → new car polo (km, L) · "skoda" → new car skoda (km, L)')
    expect(preview.text).toContain('Units: "polo" km and litres; "skoda" km and litres')
    await press(importButton(preview)!.id, COPY)
    const source = await counts(LUBE)
    expect(await counts(COPY)).toEqual(source)
    for (const car of ['polo', 'skoda']) {
      const [a, b] = [
        await say(`/calc cost car:${car} period:5y`, LUBE),
        await say(`/calc cost car:${car} period:5y`, COPY),
      ]
      expect(b.fields).toEqual(a.fields)
      // the same fill-ups and economy; numbered anew, in date order across the cars
      const unnumbered = async (t: string) =>
        (await say(`/fuel list car:${car}`, t)).text.replace(/#\d+ /g, '')
      expect(await unnumbered(COPY)).toBe(await unnumbered(LUBE))
    }
    // and back into the garage it came from: all of it is there already
    const back = await importFile('garage.zip', zip, { tenant: LUBE })
    expect(back.title).toBe('Nothing new in garage.zip')
  })

  test('costs in another currency than the garage are rows it cannot use; the rest is imported', async () => {
    const USD = 'local:imports-usd'
    expect((await say('/garage settings units:metric currency:USD', USD)).tone).toBe('ok')
    const preview = await importFile('garage.zip', await exported('json'), { tenant: USD })
    expect(preview.text).toContain('1 odometer reading found: 1 new')
    expect(preview.text).toContain(
      'fuel_fillups.json line 2: cost: in EUR, but this garage keeps its money in USD',
    )
    expect(preview.text).toContain('Cars: "polo" → new car polo (km, L) · "skoda" → new car skoda (km, L)\n')
    expect(preview.text).toContain("Settings: kept yours; the export's (metric")
    // 13 fill-ups, 3 records and 2 expenses in EUR: each listed (20 at most)
    expect(preview.text).toContain('Rows not used (18):')
    await press(importButton(preview)!.id, USD)
    // the export's cars come, their rows in EUR do not
    expect(await counts(USD)).toEqual({ cars: ['polo', 'skoda'], fuel: 0, records: 0, expenses: 0 })
  })

  test('an empty garage made from the json export is the same garage: figures, items, reminders, settings, an hour meter', async () => {
    const SRC = 'local:imports-roundtrip-src'
    const DST = 'local:imports-roundtrip-dst'
    const setup = [
      '/garage settings units:metric currency:EUR numbers:"1.234,5" dates:DD/MM/YYYY timezone:Europe/Berlin reminder_hour:7 urgent:"21 d, 1000 km" reminder_channel:C123',
      '/car add leaf odometer:"12.000 km" make:Nissan model:Leaf year:2019 purchase_price:9500 purchase_date:2025-01-10',
      '/car edit leaf loan:"8000 at 4,9% over 48m from 2025-01-10" value:"8200 on 2026-04-01"',
      '/car add golf units:metric',
      '/fuel log car:golf volume:"40 L" cost:70 odometer:"90.000 km" date:2025-06-01',
      '/car archive golf date:2025-12-01 price:3000 odometer:"95.000 km"',
      '/car add mower meter:hours',
      '/car odometer mower reading:"120 h" date:2026-05-20',
      '/charge log car:leaf energy:"40 kWh" cost:12 odometer:"12.400 km" date:2026-05-01',
      '/expense log car:leaf kind:insurance cost:600 every:12m date:2026-01-15',
      '/car drivers leaf add:Ann',
      '/fuel log car:mower volume:"10 L" cost:18 odometer:"130 h" date:2026-05-25',
      '/service log car:mower title:"Blade sharpening" cost:40 odometer:"125 h" date:2026-05-22',
      '/item add car:leaf name:"Cabin filter" months:12 distance:"15.000 km" last_date:2025-09-01 last_odometer:"11.000 km"',
      '/item add car:leaf name:Tyres months:6 last_date:2025-12-10 notes:"winter set"',
      '/item add car:mower name:"Oil change" distance:"50 h" last_odometer:"100 h" last_date:2026-04-01 urgent:"7 d"',
      '/service log car:leaf title:"Cabin filter swap" cost:35 odometer:"11.900 km" date:2026-05-10 items:"Cabin filter"',
      '/issue log car:leaf title:"Squeak from the front left" severity:high details:"over bumps"',
      '/issue comment number:1 text:"Worse when cold"',
      '/issue status number:1 status:waiting_parts note:"Bushing ordered"',
      '/quote add issue:1 shop:"Corner Garage" amount:240 notes:"OEM bushing"',
      '/quote add issue:1 shop:"Dealer" parts:200 labor:150',
      '/issue log car:mower title:"Belt slips" severity:low',
      '/issue close number:2 resolution:"Tightened"',
    ]
    for (const line of setup) {
      const r = await say(line, SRC)
      expect({ line, tone: r.tone, text: r.tone === 'ok' ? '' : r.text }).toEqual({ line, tone: 'ok', text: '' })
    }
    const reply = await say('/garage export format:json', SRC)
    const zip = async () =>
      new Uint8Array(
        await (await fetch(`${stack.url('images')}/files/${reply.file!.id}`, { headers: stack.headers(SRC) })).arrayBuffer(),
      )
    const preview = await importFile('garage.zip', await zip(), { tenant: DST })
    const text = preview.text.split('\n')
    expect(text).toContain('1 charge found: 1 new')
    expect(text).toContain('3 maintenance items found (schedules and when last done): 3 new')
    expect(text).toContain('Drivers: "leaf" Ann')
    expect(text).toContain(
      'Cars: "golf" → new car golf (km, L) · "mower" → new car mower (h, L) · "leaf" → new car leaf (km, L)',
    )
    expect(text).toContain('Units: "golf" km and litres; "mower" engine hours and litres; "leaf" km and litres')
    expect(text).toContain(
      "Settings: the export's (metric, numbers 1.234,5, dates DD/MM/YYYY, EUR, Europe/Berlin, reminders at 7:00) become this garage's, which has none of its own yet; the reminder channel is of one chat platform and is not imported (set it with /garage settings reminder_channel:)",
    )
    expect(text).toContain('Note: 1 recurring expense renews as in the export (reminded before the next is due)')
    expect(text).toContain('2 issues found (with 2 comments and 9 entries of history): 2 new')
    expect(text).toContain('2 quotes found: 2 new')
    // every row of the mower is hours, none refused and none read as km
    expect(preview.text).not.toContain('Rows not used')
    // the preview wrote nothing: the empty garage has no car and no settings of its own
    expect((await counts(DST)).cars).toEqual([])
    expect((await say('/garage settings', DST)).text).toBe((await say('/garage settings', 'local:imports-never-used')).text)

    const done = await press(importButton(preview)!.id, DST)
    expect(done.tone).toBe('ok')
    expect(done.title).toContain('3 maintenance items')
    expect(done.text).toContain("The export's settings are this garage's now")
    expect(await counts(DST)).toEqual(await counts(SRC))
    /** The same answer in both garages, record numbers aside (they are numbered anew). */
    const same = async (line: string) => {
      const [a, b] = [await say(line, SRC), await say(line, DST)]
      const shown = (r: Reply) =>
        JSON.stringify({ title: r.title, text: r.text, fields: r.fields }).replace(/#\d+/g, '#')
      expect({ line, error: a.tone === 'error' }).toEqual({ line, error: false })
      expect(shown(b)).toBe(shown(a))
      expect(b.tone).toBe(a.tone)
      return a
    }
    await same('/car list archived:yes')
    // the archived golf stays archived, with its day and price
    const golf = JSON.stringify(await same('/car show golf'))
    expect(golf).toContain('01/12/2025')
    expect(golf).toContain('3.000,00')
    for (const car of ['leaf', 'mower', 'golf']) {
      await same(`/calc cost car:${car} period:1y`)
      await same(`/car stats ${car}`)
    }
    expect(JSON.stringify((await same('/calc cost car:leaf period:1y')).fields)).toContain('12,00')
    const items = await same('/item list')
    expect(items.text).toContain('Cabin filter')
    expect(items.text).toContain('Oil change')
    expect(items.text).toContain('150 h')
    await same('/reminders list')
    await same('/expense list car:leaf')
    await same('/charge list car:leaf')
    // the record names the item it did, whose last done moved with it
    expect((await same('/service list car:leaf')).text).toContain('Cabin filter')
    expect((await same('/item list car:leaf')).text).toContain('due 10/05/2027')
    await same('/car drivers leaf')
    // the issues with their comments and history, and their quotes
    await same('/issue list all:yes')
    const issue = await same('/issue show number:1')
    expect(JSON.stringify(issue)).toContain('Worse when cold')
    expect(JSON.stringify(issue)).toContain('Bushing ordered')
    expect((await same('/issue show number:2')).tone).toBe('ok')
    const quotes = await same('/quote list issue:1')
    expect(JSON.stringify(quotes)).toContain('Corner Garage')
    expect(JSON.stringify(quotes)).toContain('Dealer')
    // the hour meter comes back as one: its odometer in hours, its records in hours
    const mower = await same('/car show mower')
    expect(field(mower, 'Odometer')).toMatch(/^130 h/)
    expect((await same('/service list car:mower')).text).toContain('125 h')
    // the settings, the reminder channel aside (a channel of the source's platform)
    const [a, b] = [await say('/garage settings', SRC), await say('/garage settings', DST)]
    const noChannel = (r: Reply) => JSON.stringify(r.fields?.filter((f) => f.name !== 'Reminders'))
    expect(noChannel(b)).toBe(noChannel(a))
    expect(field(a, 'Reminders')).toBe('in <#C123> after 07:00')
    expect(field(b, 'Reminders')).toBe('not posted (set reminder_channel); after 07:00')
    expect(JSON.stringify(b)).not.toContain('C123')
    expect(JSON.stringify(b)).toContain('Europe/Berlin')

    // again: nothing new, the settings now the garage's own are kept
    const again = await importFile('garage.zip', await zip(), { tenant: DST })
    expect(again.title).toBe('Nothing new in garage.zip')
    expect(again.text).toContain('3 maintenance items found (schedules and when last done): 0 new, 3 already on their cars')
    expect(again.text).toContain('Settings: kept yours')
    expect(again.text).toContain('2 issues found (with 2 comments and 9 entries of history): 0 new, 2 already in the garage')
    expect(again.text).toContain('2 quotes found: 0 new, 2 already in the garage')

    // its Undo takes out what it added, items, the charge and the driver too; the cars it made stay
    expect((await press(done.actions![0]!.id, DST)).tone).toBe('ok')
    expect(await counts(DST)).toEqual({ cars: ['golf', 'leaf', 'mower'], fuel: 0, records: 0, expenses: 0 })
    expect((await say('/car drivers leaf', DST)).text).not.toContain('Ann')
    expect((await say('/item list', DST)).text).not.toContain('Cabin filter')
    expect((await say('/issue list all:yes', DST)).text).not.toContain('Squeak')
    expect((await say('/quote list issue:1', DST)).tone).toBe('error')
  })

  test('a garage with settings of its own keeps them; an hour-meter car of the file goes into no car that counts distance', async () => {
    const SRC = 'local:imports-roundtrip-src'
    const OWN = 'local:imports-own-settings'
    expect((await say('/garage settings units:imperial currency:EUR timezone:America/Chicago', OWN)).tone).toBe('ok')
    expect((await say('/car add mower', OWN)).tone).toBe('ok')
    const reply = await say('/garage export format:json', SRC)
    const bytes = new Uint8Array(
      await (await fetch(`${stack.url('images')}/files/${reply.file!.id}`, { headers: stack.headers(SRC) })).arrayBuffer(),
    )
    const refused = await importFile('garage.zip', bytes, { tenant: OWN })
    expect(refused.tone).toBe('error')
    expect(refused.text).toContain(
      'map: "mower" of the file runs on an hour meter and mower counts distance; import it into an hour-meter car or a new one (map:"mower=new"); nothing was imported',
    )
    const KEEP = 'local:imports-keeps-settings'
    expect((await say('/garage settings units:imperial currency:EUR timezone:America/Chicago', KEEP)).tone).toBe('ok')
    const preview = await importFile('garage.zip', bytes, { tenant: KEEP })
    expect(preview.text).toContain("Settings: kept yours; the export's (metric")
    await press(importButton(preview)!.id, KEEP)
    const settings = JSON.stringify(await say('/garage settings', KEEP))
    expect(settings).toContain('America/Chicago')
    expect(settings).not.toContain('Europe/Berlin')
    // the mower is an hour meter here too, its oil change due at 150 h
    expect((await say('/item list car:mower', KEEP)).text).toContain('150 h')
  })

  test('a failed import leaves the garage as it was: the quotes service down at Import takes back what was stored', async () => {
    const SRC = 'local:imports-roundtrip-src'
    const FAIL = 'local:imports-quotes-down'
    const reply = await say('/garage export format:json', SRC)
    const bytes = new Uint8Array(
      await (await fetch(`${stack.url('images')}/files/${reply.file!.id}`, { headers: stack.headers(SRC) })).arrayBuffer(),
    )
    const preview = await importFile('garage.zip', bytes, { tenant: FAIL })
    expect(preview.text).toContain('2 quotes found: 2 new')
    const before = await counts(FAIL)
    const issuesBefore = (await say('/issue list all:yes', FAIL)).text
    await stack.stopService('quotes')
    let failed: Reply
    try {
      failed = await press(importButton(preview)!.id, FAIL)
    } finally {
      await stack.startService('quotes')
    }
    expect(failed.tone).toBe('error')
    expect(failed.text).toContain('the whole import was taken back and the garage is as it was')
    // no record, item, issue or quote stayed (the cars it made stay empty, as after an undo)
    expect({ ...(await counts(FAIL)), cars: [] }).toEqual({ ...before, cars: [] })
    expect((await say('/item list', FAIL)).text).not.toContain('Cabin filter')
    expect((await say('/issue list all:yes', FAIL)).text).toBe(issuesBefore)
    // with the quotes service back, the same file imports whole
    const again = await importFile('garage.zip', bytes, { tenant: FAIL })
    const done = await press(importButton(again)!.id, FAIL)
    expect(done.tone).toBe('ok')
    // issue numbers are never given twice: the import taken back had #1 and #2
    expect((await say('/issue list all:yes', FAIL)).text).toContain('Squeak')
    expect(JSON.stringify(await say('/quote list issue:3', FAIL))).toContain('Corner Garage')
  })

  test('/garage undo of the import takes back its issues and quotes too, as its Undo button does', async () => {
    const SRC = 'local:imports-roundtrip-src'
    const UNDO = 'local:imports-undo-by-history'
    const reply = await say('/garage export format:json', SRC)
    const bytes = new Uint8Array(
      await (await fetch(`${stack.url('images')}/files/${reply.file!.id}`, { headers: stack.headers(SRC) })).arrayBuffer(),
    )
    const preview = await importFile('garage.zip', bytes, { tenant: UNDO })
    expect((await press(importButton(preview)!.id, UNDO)).tone).toBe('ok')
    expect((await say('/issue list all:yes', UNDO)).text).toContain('Squeak')
    const history = await say('/garage history', UNDO)
    const change = /#(\d+)[^\n]* imported /.exec(history.text)?.[1]
    expect(change).toBeDefined()
    const undone = await say(`/garage undo change:${change}`, UNDO)
    expect(undone.tone).toBe('ok')
    expect(undone.text).toContain('and 2 issues and 2 quotes (the cars it made stay)')
    expect((await say('/issue list all:yes', UNDO)).text).not.toContain('Squeak')
    expect((await say('/quote list issue:1', UNDO)).tone).toBe('error')
    expect((await say('/item list', UNDO)).text).not.toContain('Cabin filter')
  })

  test('the json export with photos:yes brings the photos back on their cars and issues; again adds nothing; Undo takes them out', async () => {
    const SRC = 'local:imports-photos-src'
    const DST = 'local:imports-photos-dst'
    const photo = async (seed: number) => {
      const path = `/attachments/${++seq}/IMG_${seed}.jpg`
      files.served.set(path, await makeJpeg(320, 240, { seed }))
      return { url: files.urlOf(path), filename: `IMG_${seed}.jpg`, size: files.served.get(path)!.byteLength }
    }
    for (const line of ['/car add golf', '/car add polo', '/issue log car:golf title:"Dent in the door"']) {
      const r = await say(line, SRC)
      expect({ line, tone: r.tone }).toEqual({ line, tone: 'ok' })
    }
    const onCar = await stack.command('photo.add', { file: await photo(31), car: 'golf' }, { tenant: SRC })
    const onIssue = await stack.command('photo.add', { file: await photo(32), issue: 1 }, { tenant: SRC })
    expect([onCar.tone, onIssue.tone]).toEqual(['ok', 'ok'])
    const bytesOf = async (reply: Reply) =>
      new Uint8Array(
        await (await fetch(`${stack.url('images')}/files/${reply.file!.id}`, { headers: stack.headers(SRC) })).arrayBuffer(),
      )
    const zip = await bytesOf(await say('/garage export format:json photos:yes', SRC))

    // without photos:yes the preview says the photos stay behind
    const bare = await importFile('bare.zip', await bytesOf(await say('/garage export format:json', SRC)), {
      tenant: 'local:imports-photos-bare',
    })
    expect(bare.text).toContain(
      'Note: 2 photos are listed without their originals and left out (export with photos:yes to bring them)',
    )
    // an original whose bytes are not the photo its name says is a row not used, named
    const files0 = unzipSync(zip)
    const tampered = Object.keys(files0).find((f) => f.startsWith('photos/'))!
    files0[tampered] = new Uint8Array(await makeJpeg(320, 240, { seed: 99 }))
    const forged = await importFile('forged.zip', zipSync(files0), { tenant: 'local:imports-photos-forged' })
    expect(forged.text).toContain(`photos.json line 2: ${tampered} is not the photo its name says (its sha256 differs); left out`)
    expect(forged.text).toContain('1 photo found')

    const preview = await importFile('garage.zip', zip, { tenant: DST })
    expect(preview.text).toMatch(/^2 photos found \([\d.]+ (kB|MB)\): 2 new$/m)
    expect((await say('/car photos golf', DST)).tone).toBe('error')
    const done = await press(importButton(preview)!.id, DST)
    expect(done.tone).toBe('ok')
    expect(done.title).toContain('2 photos')
    // the same photo on the same car, the other on the issue, with when and by whom they were added
    const gallery = async (tenant: string, query: string) => {
      const res = await fetch(`${stack.url('images')}/images?${query}`, { headers: stack.headers(tenant) })
      return ((await res.json()) as { photos: Record<string, unknown>[] }).photos.map(
        ({ sha256, uploader, uploader_name, filename, created_at, format, width, height }) => ({
          sha256, uploader, uploader_name, filename, created_at, format, width, height,
        }),
      )
    }
    const carId = async (tenant: string) =>
      ((await (await fetch(`${stack.url('items')}/cars/golf`, { headers: stack.headers(tenant) })).json()) as { id: number }).id
    const srcCar = await gallery(SRC, `car=${await carId(SRC)}`)
    // the car's gallery holds the photo of its issue too
    expect(srcCar).toHaveLength(2)
    expect(await gallery(DST, `car=${await carId(DST)}`)).toEqual(srcCar)
    expect(await gallery(DST, 'issue=1')).toEqual(await gallery(SRC, 'issue=1'))
    expect(field(await say('/issue show number:1', DST), 'Photos')).toBe('1')
    const sha = String(srcCar[0]!.sha256)
    expect((await fetch(`${stack.url('images')}/images/${sha}/256`, { headers: stack.headers(DST) })).status).toBe(200)

    const again = await importFile('garage.zip', zip, { tenant: DST })
    expect(again.title).toBe('Nothing new in garage.zip')
    expect(again.text).toMatch(/^2 photos found \([\d.]+ (kB|MB)\): 0 new, 2 already in the garage$/m)

    const undone = await press(done.actions![0]!.id, DST)
    expect(undone.text).toContain('and 1 issue and 2 photos')
    expect(await gallery(DST, `car=${await carId(DST)}`)).toEqual([])
    expect(await gallery(DST, 'issue=1')).toEqual([])
    expect((await fetch(`${stack.url('images')}/images/${sha}/256`, { headers: stack.headers(DST) })).status).toBe(404)
    // the exporting garage keeps its own
    expect(await gallery(SRC, `car=${await carId(SRC)}`)).toEqual(srcCar)

    // an issue commented on since the import stays on Undo, and keeps its photo; the car's goes
    const KEEP = 'local:imports-photos-keep'
    const kept = await press(importButton(await importFile('garage.zip', zip, { tenant: KEEP }))!.id, KEEP)
    // a minute later (the stack's clock stands still: the same instant would read as unchanged)
    const at = clock.getTime()
    clock.setTime(at + 60_000)
    try {
      expect((await say('/issue comment number:1 text:"Quote asked"', KEEP)).tone).toBe('ok')
    } finally {
      clock.setTime(at)
    }
    const partly = await press(kept.actions![0]!.id, KEEP)
    expect(partly.text).toContain('Kept, as changed since: issue #1.')
    expect(partly.text).toContain('and 1 photo')
    expect(await gallery(KEEP, 'issue=1')).toEqual(await gallery(SRC, 'issue=1'))
    expect(field(await say('/issue show number:1', KEEP), 'Photos')).toBe('1')
    expect(await gallery(KEEP, `car=${await carId(KEEP)}`)).toEqual(await gallery(SRC, 'issue=1'))
  })

  test('its LubeLogger zip (a folder per car) imported into another garage', async () => {
    const LL = 'local:imports-ll-copy'
    expect((await say('/garage settings units:metric currency:EUR', LL)).tone).toBe('ok')
    const preview = await importFile('lubelogger.zip', await exported('lubelogger'), { tenant: LL })
    expect(preview.title).toBe('Import preview: lubelogger.zip (LubeLogger export)')
    expect(preview.text).toContain('"polo" → new car polo (km, L)')
    await press(importButton(preview)!.id, LL)
    const fuel = await say('/calc cost car:polo period:5y', LL)
    expect(field(fuel, 'Fuel')).toBe('€311.50 (6 fill-ups)')
    expect(field(fuel, 'Tax')).toBe('€365.00 (2)')
    expect((await say('/fuel list car:polo', LL)).text).toContain('8.7 L/100km')
  })
})
