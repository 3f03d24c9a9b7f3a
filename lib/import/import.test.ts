import { Database } from 'bun:sqlite'
import { describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseImport, splitMap } from './index.ts'

const GARAGE = { numbers: '1,234.5', dates: 'YYYY-MM-DD' } as const
const read = (
  text: string,
  name = 'fuel.csv',
  map?: string,
  ctx: typeof GARAGE | { numbers: '1.234,5'; dates: 'DD/MM/YYYY' } = GARAGE,
) => parseImport(new TextEncoder().encode(text), name, ctx, map)

describe('LubeLogger aliases', () => {
  test('fuelup_date, odo, qty, total cost, partial_fuelup and missed_fuelup; price per unit when no total', () => {
    const p = read(
      'fuelup_date,odo,qty,total cost,partial_fuelup,missed_fuelup,notes,extrafield_Station\n2024-01-05,1000,40.5,60.75,0,0,first,Shell\n2024-01-20,1500,20,,1,1,,\n',
    )
    expect(p.format).toBe('LubeLogger export')
    expect(p.rows.map(({ file: _f, ...r }) => r)).toEqual([
      {
        line: 2,
        kind: 'fuel',
        car: '',
        date: '2024-01-05',
        odometer: 1000,
        volume: 40.5,
        cost: 60.75,
        currency: null,
        full: true,
        missed: false,
        title: null,
        notes: 'first; Station: Shell',
      },
      {
        line: 3,
        kind: 'fuel',
        car: '',
        date: '2024-01-20',
        odometer: 1500,
        volume: 20,
        cost: null,
        currency: null,
        full: false,
        missed: true,
        title: null,
        notes: null,
      },
    ])
    const priced = read('Date,Odometer,Gallons,Price,IsFillToFull\n2024-01-05,1000,10.5,3.10,True\n')
    expect(priced.rows[0]).toMatchObject({ volume: 10.5, cost: 32.55, full: true })
  })

  test('a record export is a service record unless its name says repair or upgrade; the preview says so', () => {
    const csv = 'Date,Description,Cost,Notes,Odometer,Tags\n2024-03-01,New tyres,480.00,,20000,tyres\n'
    expect(read(csv, 'RepairRecords.csv').rows[0]).toMatchObject({
      kind: 'repair',
      title: 'New tyres',
      notes: 'tags: tyres',
    })
    expect(read(csv, 'UpgradeRecords.csv').rows[0]!.kind).toBe('upgrade')
    const plain = read(csv, 'export.csv')
    expect(plain.rows[0]!.kind).toBe('service')
    expect(plain.notes).toEqual(['export.csv: a LubeLogger record export; taken as service records'])
  })
})

describe('numbers and dates of a file', () => {
  test('a decimal comma anywhere decides how 1.234 reads; a file that says nothing takes the garage format', () => {
    const comma = read('Date,Odometer,FuelConsumed,Cost\n2024-01-05,"83.000","40,5","60,75"\n')
    expect(comma.numbers).toEqual({ format: '1.234,5', how: 'file' })
    expect(comma.rows[0]).toMatchObject({ odometer: 83000, volume: 40.5, cost: 60.75 })
    // "83.000" with nothing to tell: 83,000 where "." groups; asked about where it is the decimal point
    expect(() => read('Date,Odometer,FuelConsumed,Cost\n2024-01-05,"83.000",40,60\n')).toThrow(
      'fuel.csv line 2: odometer "83.000" reads two ways (83 or 83,000), and no number in the file tells which.',
    )
    const grouped = read('Date,Odometer,FuelConsumed,Cost\n2024-01-05,"83,000",40,60\n')
    expect(grouped.numbers).toEqual({ format: '1,234.5', how: 'garage' })
    expect(grouped.rows[0]!.odometer).toBe(83000)
    const euro = read('Date,Odometer,FuelConsumed,Cost\n2024-01-05,"83.000",40,60\n', 'f.csv', undefined, {
      numbers: '1.234,5',
      dates: 'DD/MM/YYYY',
    })
    expect(euro.rows[0]!.odometer).toBe(83000)
  })

  test('a column map and a car map in one map:', () => {
    const m = splitMap('date=Datum, odometer=KM,Old Golf=golf,Civic=new')
    expect(m.columns).toEqual({ date: 'Datum', odometer: 'KM' })
    expect([...m.cars]).toEqual([
      ['old golf', 'golf'],
      ['civic', 'new'],
    ])
  })
})

describe('Hammond database', () => {
  test('a database in WAL mode (as a running server leaves it) is read from its main file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hammond-wal-'))
    try {
      const db = new Database(join(dir, 'h.db'), { create: true })
      db.exec('PRAGMA journal_mode = WAL')
      db.exec(
        "CREATE TABLE vehicles (id text, nickname text, fuel_unit integer, distance_unit integer); CREATE TABLE fillups (id text, vehicle_id text, fuel_quantity real, per_unit_price real, total_amount real, odo_reading integer, is_tank_full numeric, has_missed_fillup numeric, date datetime); CREATE TABLE expenses (id text, vehicle_id text, amount real, expense_type text, date datetime); INSERT INTO vehicles VALUES ('v', 'Van', 1, 0); INSERT INTO fillups VALUES ('f', 'v', 10, 5.5, 0, 1200, 1, 0, '2024-02-03 10:00:00+00:00')",
      )
      db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
      const bytes = new Uint8Array(readFileSync(join(dir, 'h.db')))
      db.close()
      expect(bytes[18]).toBe(2)
      const p = parseImport(bytes, 'h.db', GARAGE)
      expect(p.format).toBe('Hammond database')
      // fuel_unit 1 is Hammond's (imperial) gallon, distance_unit 0 miles; no total: 5.5 × 10
      expect(p.cars?.get('Van')).toEqual({ distance: 'mi', volume: 'impgal', units: 'uk' })
      expect(p.rows).toEqual([
        expect.objectContaining({ car: 'Van', date: '2024-02-03', odometer: 1200, volume: 10, cost: 55, full: true }),
      ])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

test("Hammond: an electric vehicle's kWh are never taken as litres", () => {
  const dir = mkdtempSync(join(tmpdir(), 'hammond-ev-'))
  try {
    const db = new Database(join(dir, 'h.db'), { create: true })
    db.exec(
      "CREATE TABLE vehicles (id text, nickname text, fuel_unit integer, distance_unit integer); CREATE TABLE fillups (id text, vehicle_id text, fuel_quantity real, total_amount real, odo_reading integer, date datetime); CREATE TABLE expenses (id text, vehicle_id text, amount real, expense_type text, date datetime); INSERT INTO vehicles VALUES ('v', 'Leaf', 4, 1); INSERT INTO fillups VALUES ('f', 'v', 30, 9, 1200, '2024-02-03'); INSERT INTO expenses VALUES ('e', 'v', 300, 'Insurance', '2024-03-01')",
    )
    db.close()
    const p = parseImport(new Uint8Array(readFileSync(join(dir, 'h.db'))), 'h.db', GARAGE)
    expect(p.problems).toEqual([
      { file: 'fillups', line: 1, why: 'fuel_unit: a fill-up in kilograms, kWh or minutes is no fuel volume' },
    ])
    expect(p.rows.map((r) => [r.kind, r.cost, r.title])).toEqual([['tax', 300, 'insurance']])
    expect(p.notes).toContain('"Leaf": its fuel is not measured in litres or gallons; its fill-ups are left out')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
