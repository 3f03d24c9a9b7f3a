import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { loan } from './loan.ts'
import {
  costOfOwnership,
  depreciation,
  depreciationOver,
  economyOverTime,
  fuelEconomy,
  loanInterestIn,
  LP100KM_TIMES_MPG,
  trip,
} from './service.ts'
import { fromKm, fromKmPerLitre, fromLitres, toKm, toKmPerLitre, toLitres } from '../../lib/domain/units.ts'

describe('golden values against published definitions', () => {
  test('unit constants', () => {
    expect(toKm(1, 'mi')).toBe(1.609344)
    expect(toLitres(1, 'gal')).toBe(3.785411784)
    expect(toLitres(1, 'impgal')).toBe(4.54609)
    expect(LP100KM_TIMES_MPG).toBeCloseTo(235.214583, 6)
  })

  test('412 mi on 11.2 US gal', () => {
    const e = fuelEconomy(toKm(412, 'mi'), toLitres(11.2, 'gal'))
    expect(e.mpgUs).toBeCloseTo(412 / 11.2, 10) // 36.7857 mpg
    expect(e.lPer100km).toBeCloseTo(235.214583 / (412 / 11.2), 6) // 6.394 L/100 km
    expect(e.mpgUk).toBeCloseTo(44.1778, 4) // × 4.54609 / 3.785411784
    expect(e.kmPerLitre).toBeCloseTo(15.6392, 4)
  })

  test('well-known pairs: 30 mpg = 7.84 L/100 km, 5 L/100 km = 20 km/L = 47.04 mpg', () => {
    expect(fromKmPerLitre(toKmPerLitre(30, 'mpg'), 'L/100km')).toBeCloseTo(7.8405, 4)
    expect(toKmPerLitre(5, 'L/100km')).toBe(20)
    expect(fromKmPerLitre(20, 'mpg')).toBeCloseTo(47.0429, 4)
    expect(fromKmPerLitre(toKmPerLitre(40, 'impmpg'), 'mpg')).toBeCloseTo(33.307, 3)
  })

  test('18,000 at 6.9% over 60 months: the annuity formula gives 355.57 a month', () => {
    const l = loan(1_800_000, 6.9, 60)
    const r = 0.069 / 12
    expect(l.exactPaymentMinor).toBeCloseTo((1_800_000 * r) / (1 - (1 + r) ** -60), 6)
    expect(l.monthlyPaymentMinor).toBe(35557)
    expect(l.lines[0]).toEqual({
      n: 1,
      paymentMinor: 35557,
      interestMinor: 10350,
      principalMinor: 25207,
      balanceMinor: 1_774_793,
    })
    const last = l.lines.at(-1)!
    expect(last.balanceMinor).toBe(0)
    expect(Math.abs(last.paymentMinor - 35557)).toBeLessThan(60) // rounding drift only
    expect(l.totalInterestMinor).toBeGreaterThan(333_400)
    expect(l.totalInterestMinor).toBeLessThan(333_460)
  })

  test('a 0% loan splits the principal, the remainder on the last line', () => {
    const l = loan(1_000_000, 0, 3)
    expect(l.lines.map((x) => x.paymentMinor)).toEqual([333_333, 333_333, 333_334])
    expect(l.totalInterestMinor).toBe(0)
  })

  test('a trip: 300 km at 6.5 L/100 km and 1.89 a litre', () => {
    const t = trip(300, toKmPerLitre(6.5, 'L/100km'), 189, 'L')
    expect(t.litres).toBeCloseTo(19.5, 10)
    expect(t.costMinor).toBeCloseTo(3685.5, 8)
    const us = trip(toKm(300, 'mi'), toKmPerLitre(30, 'mpg'), 350, 'gal')
    expect(us.gallonsUs).toBeCloseTo(10, 10)
    expect(us.costMinor).toBeCloseTo(3500, 8)
  })

  test('depreciation at 15% a year: one full year of a 20,000 car is 3,000', () => {
    expect(depreciation(2_000_000, '2025-01-01', '2025-01-01', '2025-12-31')).toBeCloseTo(300_000, -3)
    expect(depreciation(2_000_000, '2027-01-01', '2025-01-01', '2025-12-31')).toBe(0)
  })
})

describe('bad input names the field', () => {
  test.each([
    [() => fuelEconomy(0, 10), 'distance: must be more than 0'],
    [() => fuelEconomy(100, -1), 'volume: cannot be negative'],
    [() => fuelEconomy(Number.NaN, 1), 'distance: is not a number'],
    [() => loan(1_800_000, 250, 60), 'rate: 250% a year'],
    [() => loan(1_800_000, 6.9, 0), 'months: must be a whole number of months, at least 1'],
    [() => loan(0, 6.9, 12), 'amount: must be more than 0'],
    [() => loan(100, -1, 12), 'rate: cannot be negative'],
  ])('%#', (run, message) => {
    expect(run).toThrow(message)
  })
})

describe('fuel economy over time', () => {
  test('full to full, partials summed into the next full one, a missed fill-up breaks the chain', () => {
    const r = economyOverTime([
      { id: 1, date: '2026-01-01', odometerKm: 10_000, litres: 40, full: true },
      { id: 2, date: '2026-01-08', odometerKm: 10_300, litres: 10, full: false },
      { id: 3, date: '2026-01-15', odometerKm: 10_600, litres: 30, full: true },
      { id: 4, date: '2026-01-22', odometerKm: 11_200, litres: 35, full: true, missed: true },
      { id: 5, date: '2026-01-29', odometerKm: 11_700, litres: 25, full: true },
      { id: 6, date: '2026-02-05', odometerKm: 11_800, litres: 5, full: false },
    ])
    expect(r.entries.map((e) => e.status)).toEqual([
      'baseline',
      'partial',
      'segment',
      'missed',
      'segment',
      'partial',
    ])
    expect(r.entries[2]!.segment).toMatchObject({ km: 600, litres: 40, fillUps: 2, kmPerLitre: 15 })
    expect(r.entries[4]!.segment).toMatchObject({ km: 500, litres: 25, kmPerLitre: 20 })
    // The 600 km of the missed segment and its 35 L are left out of the average.
    expect(r.average).toMatchObject({ km: 1100, litres: 65 })
    expect(r.segments).toBe(2)
  })

  test('out of order input is taken in odometer order; a partial before any full has no baseline', () => {
    const r = economyOverTime([
      { date: '2026-01-15', odometerKm: 500, litres: 25, full: true },
      { date: '2026-01-01', odometerKm: 0, litres: 10, full: false },
      { date: '2026-01-08', odometerKm: 100, litres: 40, full: true },
    ])
    expect(r.entries.map((e) => e.status)).toEqual(['no_baseline', 'baseline', 'segment'])
    expect(r.average!.kmPerLitre).toBe(16)
  })
})

const money = fc.integer({ min: 0, max: 10_000_000 })
const day = fc
  .integer({ min: 0, max: 3650 })
  .map((d) => new Date(Date.UTC(2020, 0, 1) + d * 86_400_000).toISOString().slice(0, 10))

describe('properties', () => {
  test('distance and volume conversions round-trip', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e9, noNaN: true }), (v) => {
        expect(fromKm(toKm(v, 'mi'), 'mi')).toBeCloseTo(v, 6)
        for (const u of ['L', 'gal', 'impgal'] as const)
          expect(fromLitres(toLitres(v, u), u) / v).toBeCloseTo(1, 12)
      }),
    )
  })

  test('economy conversions round-trip through every unit, and L/100km × mpg = 235.214583', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 1000, noNaN: true }),
        fc.constantFrom('L/100km', 'km/L', 'mpg', 'impmpg' as const),
        (v, unit) => {
          const kpl = toKmPerLitre(v, unit)
          expect(fromKmPerLitre(kpl, unit) / v).toBeCloseTo(1, 12)
          expect(fromKmPerLitre(kpl, 'L/100km') * fromKmPerLitre(kpl, 'mpg')).toBeCloseTo(235.214583, 5)
        },
      ),
    )
  })

  test('amortisation: principal parts sum to the principal, balance ends at 0, payments = principal + interest', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000_000 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.integer({ min: 1, max: 600 }),
        (principal, rate, months) => {
          const l = loan(principal, rate, months)
          expect(l.lines).toHaveLength(months)
          expect(l.lines.reduce((s, x) => s + x.principalMinor, 0)).toBe(principal)
          expect(l.lines.at(-1)!.balanceMinor).toBe(0)
          expect(l.lines.reduce((s, x) => s + x.paymentMinor, 0)).toBe(l.totalPaidMinor)
          for (const x of l.lines) expect(x.principalMinor).toBeGreaterThanOrEqual(0)
        },
      ),
      { numRuns: 200 },
    )
  })

  test('cost per distance × distance = total, and the parts add up', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            date: day,
            costMinor: money,
            kind: fc.constantFrom('service', 'repair', 'upgrade' as const),
            odometerKm: fc.integer({ min: 0, max: 400_000 }),
          }),
          { maxLength: 20 },
        ),
        fc.array(
          fc.record({ date: day, costMinor: money, odometerKm: fc.integer({ min: 0, max: 400_000 }) }),
          { maxLength: 20 },
        ),
        fc.tuple(day, day),
        fc.option(fc.record({ priceMinor: money, date: day }), { nil: null }),
        (records, fillUps, [d1, d2], purchase) => {
          const [from, to] = d1 <= d2 ? [d1, d2] : [d2, d1]
          const c = costOfOwnership({ from, to, records, fillUps, purchase })
          const k = c.byKindMinor
          expect(c.runningMinor).toBe(k.fuel + k.service + k.repair + k.upgrade)
          expect(c.totalMinor).toBe(c.runningMinor + (c.depreciationMinor ?? 0))
          expect(c.perMonthMinor * c.months).toBeCloseTo(c.totalMinor, 6)
          if (c.km !== null) {
            expect(c.km).toBeGreaterThan(0)
            expect(c.perKmMinor! * c.km).toBeCloseTo(c.totalMinor, 6)
          } else expect(c.perKmMinor).toBeNull()
        },
      ),
      { numRuns: 300 },
    )
  })

  test('economy over time: the average covers exactly the segments', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            step: fc.integer({ min: 1, max: 900 }),
            litres: fc.double({ min: 0.5, max: 80, noNaN: true }),
            full: fc.boolean(),
            missed: fc.boolean(),
          }),
          { maxLength: 30 },
        ),
        (steps) => {
          let odo = 1000
          const fillUps = steps.map((s, i) => ({
            id: i,
            date: '2026-01-01',
            odometerKm: (odo += s.step),
            litres: s.litres,
            full: s.full,
            missed: s.missed,
          }))
          const r = economyOverTime(fillUps)
          const segs = r.entries.filter((e) => e.segment)
          const km = segs.reduce((s, e) => s + e.segment!.km, 0)
          const litres = segs.reduce((s, e) => s + e.segment!.litres, 0)
          if (segs.length === 0) expect(r.average).toBeNull()
          else {
            expect(r.average!.km).toBe(km)
            expect(r.average!.litres).toBeCloseTo(litres, 9)
          }
          for (const e of r.entries) if (e.status === 'segment') expect(e.full).toBe(true)
        },
      ),
    )
  })
})

describe('every cost a car has', () => {
  const base = { from: '2026-01-01', to: '2026-12-31', records: [], fillUps: [] }

  test("a loan's interest counts payment by payment, on the day each falls due", () => {
    // 12,000.00 at 6% over 12 months from 2025-11-20: payments 2025-12-20, 2026-01-20 … 2026-11-20;
    // r = 0.5% a month; the first payment's interest is 1,200,000 × 0.005 = 6,000 and is in 2025
    const l = { principalMinor: 1_200_000, ratePercent: 6, months: 12, start: '2025-11-20' }
    const lines = loan(1_200_000, 6, 12).lines
    const in2026 = loanInterestIn(l, '2026-01-01', '2026-12-31')
    expect(in2026.payments).toBe(11)
    expect(in2026.minor).toBe(lines.slice(1).reduce((a, x) => a + x.interestMinor, 0))
    expect(loanInterestIn(l, '2025-12-20', '2025-12-20')).toEqual({ minor: 6_000, payments: 1 })
    expect(loanInterestIn(l, '2025-12-21', '2026-01-19')).toEqual({ minor: 0, payments: 0 })
    // every payment's interest, over the whole loan, is the loan's total interest
    expect(loanInterestIn(l, '2025-01-01', '2027-12-31').minor).toBe(loan(1_200_000, 6, 12).totalInterestMinor)
  })

  test('a payment on the 31st falls on a shorter month’s last day', () => {
    const l = { principalMinor: 100_000, ratePercent: 12, months: 3, start: '2026-01-31' }
    expect(loanInterestIn(l, '2026-02-28', '2026-02-28').payments).toBe(1)
    expect(loanInterestIn(l, '2026-03-31', '2026-03-31').payments).toBe(1)
  })

  test('loan payments logged as expenses are not costs; lease, insurance and the loan interest are', () => {
    const c = costOfOwnership({
      ...base,
      expenses: [
        { date: '2026-02-15', kind: 'loan', costMinor: 30_000 },
        { date: '2026-03-15', kind: 'loan', costMinor: 30_000 },
        { date: '2026-03-01', kind: 'lease', costMinor: 25_000 },
        { date: '2026-04-01', kind: 'insurance', costMinor: 80_000 },
        { date: '2027-01-01', kind: 'insurance', costMinor: 99_999 }, // after the period
      ],
      loan: { principalMinor: 1_200_000, ratePercent: 6, months: 12, start: '2025-12-15' },
    })
    const interest = loan(1_200_000, 6, 12).totalInterestMinor // payments 2026-01-15 … 2026-12-15: all in the period
    expect(c.loanPayments).toEqual({ minor: 60_000, count: 2 })
    expect(c.loanInterest).toEqual({ minor: interest, payments: 12 })
    expect(c.kinds.map((k) => k.kind)).toEqual(['fuel', 'service', 'repair', 'upgrade', 'insurance', 'lease', 'loan_interest'])
    expect(c.totalMinor).toBe(25_000 + 80_000 + interest)
    expect(c.runningMinor).toBe(c.totalMinor)
  })

  test('without a loan there is no loan interest (null), and its payments are still not costs', () => {
    const c = costOfOwnership({ ...base, expenses: [{ date: '2026-02-15', kind: 'loan', costMinor: 30_000 }] })
    expect(c.loanInterest).toBeNull()
    expect(c.totalMinor).toBe(0)
    expect(c.kinds.some((k) => k.kind === 'loan_interest')).toBe(false)
  })

  test('electricity counts beside fuel, a charge odometer is a reading, and the kinds sum to the total', () => {
    const c = costOfOwnership({
      ...base,
      fillUps: [{ date: '2026-03-01', costMinor: 7_000, odometerKm: null }],
      charges: [
        { date: '2026-01-01', kwh: 40, costMinor: 1_200, odometerKm: 10_000 },
        { date: '2026-12-31', kwh: 30, costMinor: 900, odometerKm: 20_000 },
      ],
      purchase: { priceMinor: 3_000_000, date: '2025-06-01' },
    })
    expect(c.electricity).toEqual({ minor: 2_100, count: 2, kwh: 70 })
    // from the first charge's day to the last's: 10,000 km
    expect(c.km).toBe(10_000)
    expect(c.kinds.map((k) => k.kind)).toEqual(['fuel', 'electricity', 'service', 'repair', 'upgrade', 'depreciation'])
    expect(c.kinds.reduce((a, k) => a + k.minor, 0)).toBe(c.totalMinor)
    expect(c.energyPerKmMinor).toBe((7_000 + 2_100) / 10_000)
    expect(c.totalMinor).toBe(7_000 + 2_100 + c.depreciationMinor!)
  })
})

describe('depreciation through a known value', () => {
  test('the curve runs through the valuation: from the purchase to it, the loss is price − value', () => {
    const d = depreciationOver(3_000_000, '2024-01-01', '2024-01-01', '2025-12-31', {
      valuation: { minor: 2_400_000, date: '2026-01-01' },
    })
    expect(d.minor).toBe(600_000)
    // 24,000 ÷ 30,000 = 0.8 over 731 days: 0.8^(365.2425 / 731) kept a year
    expect(d.ratePercent).toBeCloseTo((1 - 0.8 ** (365.2425 / 731)) * 100, 10)
  })

  test('a car loses nothing after it was sold; the sale price is the value it ran to', () => {
    const sold = { valuation: { minor: 1_800_000, date: '2025-07-01' }, soldOn: '2025-07-01' }
    const year = depreciationOver(2_000_000, '2024-07-01', '2025-01-01', '2025-12-31', sold)
    const toSale = depreciationOver(2_000_000, '2024-07-01', '2025-01-01', '2025-06-30', sold)
    expect(year.minor).toBe(toSale.minor)
    expect(depreciationOver(2_000_000, '2024-07-01', '2025-07-01', '2025-12-31', sold).minor).toBe(0)
    expect(depreciationOver(2_000_000, '2024-07-01', '2024-07-01', '2025-12-31', sold).minor).toBe(200_000)
  })

  test('without a value the yearly rate is 15%, as before', () => {
    const d = depreciationOver(1_000_000, '2025-01-01', '2025-01-01', '2025-12-31')
    expect(d.ratePercent).toBeCloseTo(15, 10)
    expect(d.minor).toBe(depreciation(1_000_000, '2025-01-01', '2025-01-01', '2025-12-31'))
  })
})
