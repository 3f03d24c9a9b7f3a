/**
 * /garage export end to end through the queue with every service: a realistic garage (two cars
 * in different units, readings, fill-ups, records, expenses, an issue with comments, quotes, one
 * car archived) exported as json, csv and lubelogger; the zip is fetched back from the images
 * service by the file the Reply names and read here. Another garage's data is never in it, and
 * a text that a spreadsheet would run is escaped.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parse } from 'csv-parse/sync'
import { unzipSync } from 'fflate'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { makeJpeg } from '../../test/fixtures/images.ts'
import { type Stack, startStack } from '../../test/stack.ts'

let stack: Stack
const GARAGE = 'local:export-e2e'
const OTHER = 'local:export-other'
let clock = new Date('2026-01-01T12:00:00Z')

const say = async (line: string, tenant = GARAGE): Promise<Reply> => {
  const r = await stack.say(line, tenant)
  if (r.tone === 'error') throw new Error(`${line}: ${r.text}`)
  return r
}

async function zipOf(reply: Reply, tenant = GARAGE): Promise<Record<string, string>> {
  expect(reply.file).toBeDefined()
  const res = await fetch(`${stack.url('images')}/files/${reply.file!.id}`, { headers: stack.headers(tenant) })
  expect(res.status).toBe(200)
  const bytes = new Uint8Array(await res.arrayBuffer())
  expect(bytes.byteLength).toBe(reply.file!.bytes)
  const files = unzipSync(bytes)
  return Object.fromEntries(Object.entries(files).map(([name, data]) => [name, new TextDecoder().decode(data)]))
}

const rows = (csv: string) => parse(csv, { columns: true }) as Record<string, string>[]

beforeAll(async () => {
  stack = await startStack({ now: () => clock })
  await say('/garage settings units:metric currency:EUR timezone:Europe/Berlin')
  await say('/car add golf make:VW model:Golf year:2019 odometer:"40000 km" plate:"=HYPERLINK(1)"')
  await say('/car add mustang make:Ford year:1968 odometer:"52,000 mi"')
  clock = new Date('2026-06-01T12:00:00Z')
  await say('/car odometer golf reading:"40500 km" date:2026-03-01')
  await say('/car odometer mustang reading:"52,300 mi" date:2026-03-02')
  await say('/fuel log car:golf volume:"40 L" odometer:"41000 km" cost:62.40 date:2026-04-01')
  await say('/fuel log car:golf volume:"35 L" odometer:"41600 km" cost:55.10 date:2026-05-01')
  await say('/fuel log car:mustang volume:"10 gal" cost:40 date:2026-05-02')
  await say('/item add golf "Oil change" months:12 distance:"15000 km"')
  await say('/service log car:golf title:"Oil change" items:"Oil change" cost:89.90 odometer:"41600 km" date:2026-05-01 notes:"-5W30 @dealer"')
  await say('/service log car:mustang title:Brakes kind:repair cost:420 date:2026-05-10')
  await say('/expense log car:golf kind:insurance cost:600 date:2026-01-15 every:12m')
  await say('/expense log car:mustang kind:tax cost:120 date:2026-02-01')
  await say('/car edit golf powertrain:phev')
  await say('/charge log car:golf energy:"8.5 kWh" cost:2.55 odometer:"41700 km" date:2026-05-05 where:home')
  await say('/car drivers golf add:ann')
  const issue = await say('/issue log car:mustang title:"Grinding when braking" severity:high')
  const number = Number(/#(\d+)/.exec(`${issue.title} ${issue.text}`)![1])
  await say(`/issue comment number:${number} text:"Pads are down to 2 mm"`)
  await say(`/issue comment number:${number} text:"+1 from the mechanic"`)
  await say(`/quote add issue:${number} shop:"Joe's Garage" amount:640`)
  await say(`/quote add issue:${number} shop:Dealer amount:"1,120.50"`)
  await say('/car archive mustang date:2026-05-20 price:30000')
  // another garage, whose data must never be in this garage's zip
  await say('/car add secretcar odometer:"1000 km"', OTHER)
  await say('/fuel log car:secretcar volume:"20 L" cost:30', OTHER)
}, 60_000)

afterAll(async () => {
  await stack?.close()
})

describe('/garage export', () => {
  test('json: every kind of the garage with its counts, readable back, and nothing of another garage', async () => {
    const reply = await say('/garage export')
    expect(reply.ephemeral).toBe(true)
    expect(reply.file!.type).toBe('application/zip')
    expect(reply.file!.name).toBe('car-manager-json-2026-06-01.zip')
    const zip = await zipOf(reply)
    const manifest = JSON.parse(zip['manifest.json']!)
    expect(manifest.format).toBe('car-manager-garage')
    expect(manifest.version).toBe(1)
    expect(manifest.car).toBeNull()
    const data = (kind: string) => JSON.parse(zip[`${kind}.json`]!) as Record<string, unknown>[]
    // readings: the two cars' own, the two typed, the fill-ups and the record that had odometers
    expect(manifest.counts).toMatchObject({
      cars: 2,
      fuel_fillups: 3,
      service_records: 2,
      maintenance_items: 1,
      expenses: 2,
      expense_renewals: 1,
      charges: 1,
      car_drivers: 1,
      issues: 1,
      issue_comments: 2,
      quotes: 2,
      photos: 0,
    })
    for (const [kind, n] of Object.entries(manifest.counts)) expect(data(kind)).toHaveLength(n as number)
    expect(manifest.counts.odometer_readings).toBe(data('odometer_readings').length)
    expect(manifest.counts.odometer_readings).toBeGreaterThanOrEqual(6)
    expect(manifest.counts.issue_history).toBeGreaterThanOrEqual(1)

    const settings = JSON.parse(zip['settings.json']!)
    expect(settings).toMatchObject({ units: 'metric', currency: 'EUR', timezone: 'Europe/Berlin' })
    const cars = data('cars')
    const golf = cars.find((c) => c.nickname === 'golf')!
    const mustang = cars.find((c) => c.nickname === 'mustang')!
    expect(golf).toMatchObject({ make: 'VW', odometer_unit: 'km', archived_on: null })
    expect(mustang).toMatchObject({ odometer_unit: 'mi', archived_on: '2026-05-20', archived_price_minor: 3_000_000 })
    expect(golf).not.toHaveProperty('tenant')
    const fills = data('fuel_fillups')
    expect(fills.filter((f) => f.car_id === golf.id).map((f) => f.cost_minor)).toEqual([6240, 5510])
    expect(fills.find((f) => f.car_id === mustang.id)!.litres).toBeCloseTo(37.854, 3)
    const oil = data('service_records').find((r) => r.title === 'Oil change')!
    expect(oil).toMatchObject({ cost_minor: 8990, kind: 'service', done_on: '2026-05-01', item_ids: [data('maintenance_items')[0]!.id] })
    const issue = data('issues')[0]!
    expect(issue).toMatchObject({ title: 'Grinding when braking', severity: 'high', car_id: mustang.id })
    expect(data('issue_comments').map((c) => c.text)).toEqual(['Pads are down to 2 mm', '+1 from the mechanic'])
    expect(data('quotes').map((q) => q.amount_minor)).toEqual([64000, 112050])

    const everything = Object.values(zip).join('\n')
    expect(everything).not.toContain('secretcar')
    expect(everything).not.toContain('export-other')
    // the other garage cannot fetch this garage's file
    const stolen = await fetch(`${stack.url('images')}/files/${reply.file!.id}`, { headers: stack.headers(OTHER) })
    expect(stolen.status).toBe(404)
  })

  test('json of one car: its records and its issues quotes only', async () => {
    const zip = await zipOf(await say('/garage export car:golf'))
    const manifest = JSON.parse(zip['manifest.json']!)
    expect(manifest.car.nickname).toBe('golf')
    expect(manifest.counts).toMatchObject({ cars: 1, fuel_fillups: 2, service_records: 1, expenses: 1, issues: 0, quotes: 0 })
    expect(zip['garage_roles.json']).toBeUndefined()
    const mustang = JSON.parse((await zipOf(await say('/garage export car:mustang')))['manifest.json']!)
    expect(mustang.counts).toMatchObject({ cars: 1, fuel_fillups: 1, issues: 1, issue_comments: 2, quotes: 2 })
  })

  test('csv: one file per kind with its header, a README, and formulas escaped', async () => {
    const zip = await zipOf(await say('/garage export format:csv'))
    expect(zip['README.txt']).toContain('fuel_fillups.csv: id, car_id, litres')
    const cars = rows(zip['cars.csv']!)
    expect(cars.map((c) => c.nickname)).toEqual(['golf', 'mustang'])
    // a plate a spreadsheet would run is escaped; a negative number would not be
    expect(cars[0]!.plate).toBe("'=HYPERLINK(1)")
    const records = rows(zip['service_records.csv']!)
    expect(records.map((r) => r.title)).toEqual(['Oil change', 'Brakes'])
    expect(records[0]!.notes).toBe("'-5W30 @dealer")
    expect(records[0]!.cost_minor).toBe('8990')
    expect(rows(zip['issue_comments.csv']!).map((c) => c.text)).toEqual(['Pads are down to 2 mm', "'+1 from the mechanic"])
    expect(rows(zip['fuel_fillups.csv']!)).toHaveLength(3)
    expect(zip['photos.csv']!.split('\r\n')[0]).toContain('sha256')
    expect(Object.values(zip).join('\n')).not.toContain('secretcar')
  })

  test('lubelogger: per car the files and headers its importer reads, in the car units', async () => {
    const zip = await zipOf(await say('/garage export format:lubelogger'))
    const golf = Object.keys(zip).find((n) => n.startsWith('golf-'))!.split('/')[0]!
    const mustang = Object.keys(zip).find((n) => n.startsWith('mustang-'))!.split('/')[0]!
    expect(zip[`${golf}/service.csv`]!.split('\r\n')[0]).toBe('Date,Description,Cost,Notes,Odometer,Tags')
    expect(zip[`${golf}/gas.csv`]!.split('\r\n')[0]).toBe(
      'Date,Odometer,FuelConsumed,Cost,FuelEconomy,IsFillToFull,MissedFuelUp,Notes,Tags',
    )
    expect(zip[`${golf}/odometer.csv`]!.split('\r\n')[0]).toBe('Date,InitialOdometer,Odometer,Notes,Tags')
    expect(zip[`${golf}/tax.csv`]!.split('\r\n')[0]).toBe('Date,Description,Cost,Notes,Tags')
    expect(rows(zip[`${golf}/service.csv`]!)).toEqual([
      { Date: '2026-05-01', Description: 'Oil change', Cost: '89.90', Notes: "'-5W30 @dealer", Odometer: '41600', Tags: '' },
    ])
    expect(rows(zip[`${golf}/gas.csv`]!)[0]).toMatchObject({ Date: '2026-04-01', Odometer: '41000', FuelConsumed: '40', Cost: '62.40', IsFillToFull: 'True', MissedFuelUp: 'False' })
    // the mustang's fuel in gallons, its repair in repair.csv, its tax as a tax record
    expect(rows(zip[`${mustang}/gas.csv`]!)[0]).toMatchObject({ FuelConsumed: '10', Cost: '40.00', Odometer: '0' })
    expect(rows(zip[`${mustang}/repair.csv`]!).map((r) => r.Description)).toEqual(['Brakes'])
    expect(rows(zip[`${mustang}/service.csv`]!)).toEqual([])
    expect(rows(zip[`${mustang}/tax.csv`]!)).toEqual([{ Date: '2026-02-01', Description: 'Tax', Cost: '120.00', Notes: '', Tags: '' }])
    expect(Object.keys(zip).some((n) => n.startsWith('secretcar'))).toBe(false)
  })

  test('photos:yes: the originals under photos/, each once, named in photos.json', async () => {
    const jpeg = await makeJpeg(64, 48)
    const golf = (await (await fetch(`${stack.url('items')}/cars/golf`, { headers: stack.headers(GARAGE) })).json()) as { id: number }
    const up = await fetch(`${stack.url('images')}/images?car_id=${golf.id}&car=golf&uploader=tester`, {
      method: 'POST',
      headers: { ...stack.headers(GARAGE), 'content-type': 'application/octet-stream' },
      body: jpeg,
    })
    expect(up.status).toBe(201)
    const reply = await say('/garage export photos:yes')
    const res = await fetch(`${stack.url('images')}/files/${reply.file!.id}`, { headers: stack.headers(GARAGE) })
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()))
    const photos = JSON.parse(new TextDecoder().decode(files['photos.json'])) as { sha256: string; format: string }[]
    expect(photos).toHaveLength(1)
    const original = files[`photos/${photos[0]!.sha256}.${photos[0]!.format}`]
    expect(original).toEqual(new Uint8Array(jpeg))
    expect(JSON.parse(new TextDecoder().decode(files['manifest.json'])).photos).toBe(1)
    // without photos:yes, no originals
    const plain = await zipOf(await say('/garage export'))
    expect(Object.keys(plain).some((n) => n.startsWith('photos/'))).toBe(false)
  })

  test('a driver may not export', async () => {
    const reply = await stack.command('garage.export', {}, { tenant: GARAGE, actor: { platform: 'discord', userId: '42', name: 'D', discord: { roles: [], permissions: '0' } } })
    expect(reply.tone).toBe('error')
    expect(reply.text).toContain('manager')
    expect(reply.file).toBeUndefined()
  })
})
