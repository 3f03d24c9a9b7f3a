/**
 * One plug-in hybrid over calendar year 2025 with every kind of cost there is, typed as a user
 * types it through the real stack (test/stack.ts: the worker, the items and calculator services),
 * day by day with the clock on the day of each entry, and `/calc cost` and `/car stats` checked
 * against a hand calculation written out below as plain arithmetic. Nothing here calls the
 * product's figure code: the loan's schedule and the depreciation are worked out with their
 * textbook formulas in this file.
 *
 * The garage: metric, EUR, Europe/Berlin. The car: a Skoda Octavia iV (powertrain phev, fuels
 * petrol), bought 2024-09-15 for €34,000 with a €15,000 loan at 4.9% over 60 months from that
 * day. "Today" is 2025-12-31, so `/calc cost period:12m` (365 days) is 2025-01-01 – 2025-12-31,
 * exactly 12 calendar months.
 *
 * The rules of the hand calculation:
 * - every fill-up, charge, record and expense counts on its date; those of 2024 do not;
 * - a loan payment logged as an expense (kind loan) is money paid back, not a cost: its principal
 *   is the car (counted as depreciation), its interest is counted from the loan's schedule;
 * - loan interest: payment n falls n months after the loan's start (2025-01-15 is payment 4,
 *   2025-12-15 payment 15); each payment's interest is the balance before it × 4.9% ÷ 12, to the
 *   cent; the payment is the annuity P·r ÷ (1 − (1 + r)^−60) to the cent;
 * - depreciation: declining balance through the car's valuation, €28,900 on 2025-12-31, 472 days
 *   after the purchase (28,900 ÷ 34,000 = 0.85): value(t) = 34,000 × 0.85^(days since purchase ÷
 *   472), 11.8% a year; the year's is value(2025-01-01) − value(2026-01-01);
 * - distance: the odometer read 18,000 km at the end of 2024-12-31 and 33,000 km at the end of
 *   2025-12-31, so 15,000 km were driven in the year;
 * - economy (the car's whole history): full to full, partial fill-ups summed in, a missed one
 *   breaks the chain; electricity use from the first charge with an odometer to the last.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseFormSubmission } from '../../catalog/forms.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { type Stack, startStack } from '../stack.ts'

let stack: Stack
let clock = new Date('2024-12-28T12:00:00Z')
const GARAGE = 'local:year-of-every-cost'

beforeAll(async () => {
  stack = await startStack({ services: ['items', 'calculator'], now: () => clock })
})
afterAll(async () => {
  await stack?.close()
})

const on = (date: string) => {
  clock = new Date(`${date}T12:00:00Z`)
}
const say = (line: string) => stack.say(line, GARAGE)
async function ok(line: string): Promise<Reply> {
  const r = await say(line)
  if (r.tone !== 'ok') throw new Error(`${line}\n→ ${r.tone}: ${r.title ?? ''} ${r.text}`)
  return r
}
const field = (r: Reply, name: string) => r.fields?.find((f) => f.name === name)?.value

// ——— the year's inputs ———

// Fill-ups: [date, odometer km, litres, what is typed about the price, fuel, full, missed]
const FILLUPS: [string, number, string, string, string, boolean, boolean][] = [
  ['2024-12-28', 17_900, '38.0', 'cost:64.60', 'petrol_95', true, false], // 2024: economy only
  ['2025-02-08', 19_650, '36.4', 'cost:63.34 price_per:"1.74/L"', 'petrol_95', true, false], // 36.4 × 1.74 = 63.336 ≈ 63.34
  ['2025-03-22', 21_400, '20.0', 'cost:35.80', 'petrol_95', false, false], // partial
  ['2025-04-12', 22_300, '30.5', 'cost:57.92 price_per:"1.899/L"', 'petrol_98', true, false], // 30.5 × 1.899 = 57.9195
  ['2025-05-30', 24_300, '41.0', 'price_per:"1.75/L"', 'petrol_95', true, false], // 41.0 × 1.75 = 71.75
  ['2025-07-19', 26_400, '39.2', 'cost:70.52', 'petrol_95', true, true], // a fill-up before it was not logged
  ['2025-08-30', 28_150, '37.8', 'cost:71.44', 'petrol_98', true, false],
  ['2025-10-11', 29_900, '40.6', 'cost:70.25', 'petrol_95', true, false],
  ['2025-12-06', 32_150, '38.9', 'cost:68.85', 'petrol_95', true, false],
]

// Charges: every Saturday of 2025 (2025-01-04 … 2025-12-27, 52 of them), 10 kWh at home at
// €0.30/kWh, except four at a public charger, 12 kWh at €0.55/kWh (the 13th, 26th, 39th and 52nd);
// the first and the last with their odometer (18,100 km and 32,900 km).
const SATURDAYS = Array.from({ length: 52 }, (_, i) => new Date(Date.UTC(2025, 0, 4 + 7 * i)).toISOString().slice(0, 10))
const PUBLIC = new Set([12, 25, 38, 51])
const chargeLine = (date: string, i: number) =>
  `/charge log car:octavia ${PUBLIC.has(i) ? 'energy:"12 kWh" price_per:"0.55/kWh" where:public' : 'energy:"10 kWh" price_per:"0.30/kWh" where:home'} date:${date}` +
  (i === 0 ? ' odometer:"18,100 km"' : i === 51 ? ' odometer:"32,900 km"' : '')

// The loan: €15,000 at 4.9% a year over 60 months from 2024-09-15.
const LOAN_CENTS = 1_500_000
const RATE = 0.049 / 12
// payment = 1,500,000 × r ÷ (1 − (1 + r)^−60) = 28,238.18 cents → €282.38 a month
const PAYMENT_CENTS = 28_238
// interest of payments 4 … 15 (2025-01-15 … 2025-12-15), balance × r to the cent:
// 1,433,390 × r = 5,853; 1,411,005 × r = 5,762; … (the loop in the test recomputes them)
const INTEREST_2025 = [5_853, 5_762, 5_670, 5_578, 5_485, 5_392, 5_299, 5_205, 5_111, 5_017, 4_922, 4_827]

const EXPENSES = [
  '/expense log car:octavia kind:insurance cost:420 date:2025-01-10 every:6m notes:"HUK policy 4711"',
  '/expense log car:octavia kind:registration cost:35 date:2025-02-14',
  '/expense log car:octavia kind:parking cost:12.50 date:2025-03-05',
  '/expense log car:octavia kind:wash cost:14.90 date:2025-04-05',
  '/expense log car:octavia kind:lease cost:119 date:2025-05-01 notes:"wallbox, a year"',
  '/expense log car:octavia kind:parking cost:8 date:2025-06-21',
  '/expense log car:octavia kind:fine cost:30 date:2025-06-30',
  '/expense log car:octavia kind:toll cost:12.80 date:2025-08-02',
  '/expense log car:octavia kind:toll cost:12.80 date:2025-08-16',
  '/expense log car:octavia kind:tax cost:48 date:2025-09-15',
  '/expense log car:octavia kind:inspection cost:139 date:2025-10-02',
  '/expense log car:octavia kind:wash cost:14.90 date:2025-10-25',
  '/expense log car:octavia kind:other cost:45 date:2025-11-08 notes:"winter tyre storage"',
  '/expense log car:octavia kind:parking cost:24 date:2025-11-28',
  // the loan's payments, paid on the 15th: money paid back, not a cost
  ...Array.from(
    { length: 12 },
    (_, m) => `/expense log car:octavia kind:loan cost:282.38 date:2025-${String(m + 1).padStart(2, '0')}-15`,
  ),
]

const RECORDS = [
  '/service log car:octavia title:"Annual service: oil and filter" kind:service cost:289 odometer:"20,800 km" date:2025-03-08',
  '/service log car:octavia title:"Tow bar" kind:upgrade cost:650 date:2025-04-26',
  '/service log car:octavia title:"12V battery" kind:repair cost:189.90 date:2025-06-05',
  '/service log car:octavia title:"Brake fluid and cabin filter" kind:service cost:145.50 date:2025-09-20',
]

// ——— the hand calculation (cents) ———

// fuel: 63.34 + 35.80 + 57.92 + 71.75 + 70.52 + 71.44 + 70.25 + 68.85 = 509.87 (8 fill-ups; 2024's 64.60 is not in the year)
const FUEL = 6_334 + 3_580 + 5_792 + 7_175 + 7_052 + 7_144 + 7_025 + 6_885
// electricity: 48 × 10 kWh × 0.30 = 48 × 3.00 = 144.00, 4 × 12 kWh × 0.55 = 4 × 6.60 = 26.40; 170.40 for 528 kWh
const ELECTRICITY = 48 * 300 + 4 * 660
const KWH = 48 * 10 + 4 * 12
// service: 289.00 + 145.50 = 434.50; repair 189.90; upgrade 650.00
const SERVICE = 28_900 + 14_550
const REPAIR = 18_990
const UPGRADE = 65_000
// insurance: 420.00 + the renewal's Log payment 436.80 = 856.80
const INSURANCE = 42_000 + 43_680
const PARKING = 1_250 + 800 + 2_400 // 44.50
const TOLL = 1_280 + 1_280 // 25.60
const WASH = 1_490 + 1_490 // 29.80
// registration 35, tax 48, inspection 139, lease 119, fine 30, other 45
const EXPENSES_TOTAL = INSURANCE + 3_500 + 4_800 + 13_900 + PARKING + TOLL + 11_900 + WASH + 3_000 + 4_500 // 1,372.70
// loan interest: 58.53 + 57.62 + 56.70 + 55.78 + 54.85 + 53.92 + 52.99 + 52.05 + 51.11 + 50.17 + 49.22 + 48.27 = 641.21
const LOAN_INTEREST = INTEREST_2025.reduce((a, b) => a + b, 0)
// depreciation: 2024-09-15 → 2025-01-01 is 108 days, → 2025-12-31 (the valuation) 472, → 2026-01-01 473;
// 34,000 × (0.85^(108 / 472) − 0.85^(473 / 472)) = 34,000 × (0.963496… − 0.849707…) = 3,868.83;
// a year keeps 0.85^(365.2425 / 472) = 0.881826…: 11.8% a year
const DEPRECIATION = Math.round(3_400_000 * (0.85 ** (108 / 472) - 0.85 ** (473 / 472)))
// running: 509.87 + 170.40 + 434.50 + 189.90 + 650.00 + 1,372.70 + 641.21 = 3,968.58
const RUNNING = FUEL + ELECTRICITY + SERVICE + REPAIR + UPGRADE + EXPENSES_TOTAL + LOAN_INTEREST
// total: 3,968.58 + 3,868.83 = 7,837.41; a month: 7,837.41 ÷ 12 = 653.12; a km: 7,837.41 ÷ 15,000 = 0.522
const TOTAL = RUNNING + DEPRECIATION
const KM = 33_000 - 18_000
// petrol economy: segments 1,750 km / 36.4 L (from 2024-12-28), 2,650 km / (20.0 + 30.5) L, 2,000 km / 41.0 L,
// (missed: the chain restarts at 26,400 km) 1,750 km / 37.8 L, 1,750 km / 40.6 L, 2,250 km / 38.9 L:
// 245.2 L over 12,150 km = 2.018 L/100 km
const PETROL_L_PER_100 = ((36.4 + 50.5 + 41.0 + 37.8 + 40.6 + 38.9) / (1_750 + 2_650 + 2_000 + 1_750 + 1_750 + 2_250)) * 100
// electricity use: 528 − 10 (the first charge only starts the count) = 518 kWh over 32,900 − 18,100 = 14,800 km: 3.5 kWh/100 km
const KWH_PER_100 = ((KWH - 10) / (32_900 - 18_100)) * 100

const euro = (cents: number) =>
  `€${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`

describe('a year of every cost, against the hand calculation', () => {
  test('the hand calculation is what its comments say', () => {
    // the loan's schedule by its definition, as a plain loop
    const payment = Math.round((LOAN_CENTS * RATE) / (1 - (1 + RATE) ** -60))
    expect(payment).toBe(PAYMENT_CENTS)
    let balance = LOAN_CENTS
    const interest: number[] = []
    for (let n = 1; n <= 15; n++) {
      const i = Math.round(balance * RATE)
      balance -= payment - i
      if (n >= 4) interest.push(i)
    }
    expect(interest).toEqual(INTEREST_2025)
    expect([FUEL, ELECTRICITY, KWH, SERVICE, EXPENSES_TOTAL, LOAN_INTEREST, DEPRECIATION]).toEqual([
      50_987, 17_040, 528, 43_450, 137_270, 64_121, 386_883,
    ])
    expect([RUNNING, TOTAL, KM]).toEqual([396_858, 783_741, 15_000])
    expect(((1 - 0.85 ** (365.2425 / 472)) * 100).toFixed(1)).toBe('11.8')
    expect(PETROL_L_PER_100.toFixed(1)).toBe('2.0')
    expect(KWH_PER_100.toFixed(2)).toBe('3.50')
  })

  test('the year, typed day by day', async () => {
    await ok('/garage settings units:metric currency:EUR timezone:Europe/Berlin')
    await ok(
      '/car add octavia make:Skoda model:"Octavia iV" year:2022 purchase_date:2024-09-15 purchase_price:34000 powertrain:phev fuels:petrol',
    )
    const loan = await ok('/car edit octavia loan:"15,000 at 4.9% over 60m from 2024-09-15"')
    expect(field(loan, 'Loan')).toBe('€15,000.00 at 4.9% over 60 months from 2024-09-15')

    const events: [string, () => Promise<unknown>][] = []
    const line = (date: string, text: string) => events.push([date, () => ok(text)])
    for (const [date, odo, litres, price, fuel, full, missed] of FILLUPS)
      line(
        date,
        `/fuel log car:octavia volume:"${litres} L" ${price} fuel:${fuel} odometer:"${odo.toLocaleString('en-US')} km" full:${full ? 'yes' : 'no'}${missed ? ' missed:yes' : ''} station:"Aral Hauptstr." date:${date}`,
      )
    line('2024-12-31', '/car odometer octavia reading:"18,000 km" date:2024-12-31')
    SATURDAYS.forEach((date, i) => line(date, chargeLine(date, i)))
    for (const text of [...EXPENSES, ...RECORDS]) line(/date:(\S+)/.exec(text)![1]!, text)
    // the insurance renews on 2025-07-10; its reminder's Log payment form asks this time's amount
    events.push([
      '2025-07-10',
      async () => {
        const insurance = await say('/expense list car:octavia kind:insurance')
        const number = /#(\d+)/.exec(insurance.text)![1]!
        const form = parseFormSubmission('log_payment', number, { cost: '436.80' })
        if (!form.ok) throw new Error(form.error)
        const paid = await stack.command(form.kind, form.payload, { tenant: GARAGE })
        expect(paid.title).toBe('Logged insurance for octavia: €436.80 (2025-07-10)')
      },
    ])
    line('2025-12-31', '/car odometer octavia reading:"33,000 km" date:2025-12-31')
    line('2025-12-31', '/car edit octavia value:"28,900 on 2025-12-31"')
    events.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    for (const [date, run] of events) {
      on(date)
      await run()
    }
    on('2025-12-31')
  }, 60_000)

  test('/calc cost: the total, each kind, per month, per km', async () => {
    const r = await ok('/calc cost car:octavia period:12m')
    expect(r.title).toBe(`octavia: ${euro(TOTAL)} over 12m (2025-01-01 – 2025-12-31)`)
    expect(r.text).toBe(`Running costs ${euro(RUNNING)} + depreciation ${euro(DEPRECIATION)} = ${euro(TOTAL)}.`)
    const expected: [string, string][] = [
      ['Fuel', `${euro(FUEL)} (8 fill-ups)`],
      ['Electricity', `${euro(ELECTRICITY)} (52 charges, ${KWH} kWh)`],
      ['Service', `${euro(SERVICE)} (2)`],
      ['Repair', `${euro(REPAIR)} (1)`],
      ['Upgrade', `${euro(UPGRADE)} (1)`],
      ['Insurance', `${euro(INSURANCE)} (2)`],
      ['Registration', '€35.00 (1)'],
      ['Tax', '€48.00 (1)'],
      ['Inspection', '€139.00 (1)'],
      ['Parking', `${euro(PARKING)} (3)`],
      ['Toll', `${euro(TOLL)} (2)`],
      ['Lease', '€119.00 (1)'],
      ['Wash', `${euro(WASH)} (2)`],
      ['Fine', '€30.00 (1)'],
      ['Other', '€45.00 (1)'],
      ['Loan interest', `${euro(LOAN_INTEREST)} (12 payments)`],
      ['Depreciation', `${euro(DEPRECIATION)} (11.8% a year, declining balance through €28,900.00 on 2025-12-31)`],
      ['Per month', euro(Math.round(TOTAL / 12))],
      ['Per distance', `€${(TOTAL / KM / 100).toFixed(3)}/km over 15,000 km (running costs alone €${(RUNNING / KM / 100).toFixed(3)}/km)`],
      [
        'Fuel and charging per distance',
        `€${((FUEL + ELECTRICITY) / KM / 100).toFixed(3)}/km (fuel ${euro(FUEL)} + electricity ${euro(ELECTRICITY)} over 15,000 km)`,
      ],
      ['Electricity use', `${KWH_PER_100.toFixed(1)} kWh/100 km over 14,800 km`],
    ]
    for (const [name, value] of expected) expect([name, field(r, name)]).toEqual([name, value])
    // the figures written out: €7,837.41 in all, €653.12 a month, €0.522/km, €0.265/km running, €0.045/km on fuel and electricity
    expect(r.title).toBe('octavia: €7,837.41 over 12m (2025-01-01 – 2025-12-31)')
    expect(field(r, 'Per month')).toBe('€653.12')
    expect(field(r, 'Per distance')).toBe('€0.522/km over 15,000 km (running costs alone €0.265/km)')
    expect(field(r, 'Fuel and charging per distance')).toStartWith('€0.045/km')
    // the loan's payments are shown, and are not in the total (12 × 282.38 = 3,388.56)
    expect(field(r, 'Loan payments')).toStartWith(`${euro(12 * PAYMENT_CENTS)} (12), not a cost`)
    expect(euro(12 * PAYMENT_CENTS)).toBe('€3,388.56')
  })

  test('/car stats agrees with /calc cost, with the petrol economy and the electricity use', async () => {
    const [stats, cost] = [await ok('/car stats car:octavia'), await ok('/calc cost car:octavia')]
    expect(field(stats, 'Last 12 months')).toBe(euro(TOTAL))
    const names = cost.fields!.map((f) => f.name)
    expect(names.length).toBeGreaterThan(20)
    for (const name of names) expect([name, field(stats, name)]).toEqual([name, field(cost, name)])
    expect(stats.text).toStartWith(`Average ${PETROL_L_PER_100.toFixed(1)} L/100 km`)
    expect(stats.text).toContain('over 6 full-to-full segments')
    expect(stats.text).toContain('a fill-up before this one was not logged')
  })
})

describe('a reply has room for every kind', () => {
  test('a car with three tanks, charges, every expense and a loan gets its expenses in one field, and every figure', async () => {
    on('2025-12-31')
    await ok('/car add tri powertrain:phev fuels:"lpg,petrol,cng" purchase_date:2025-01-01 purchase_price:20000')
    await ok('/car edit tri loan:"10000 at 6% over 12m from 2025-01-01"')
    let odo = 1_000
    for (const fuel of ['lpg', 'petrol_95', 'cng', 'lpg', 'petrol_95', 'cng'])
      await ok(`/fuel log car:tri volume:"20 L" cost:20 fuel:${fuel} odometer:"${(odo += 100)} km" date:2025-06-01`)
    await ok('/charge log car:tri energy:"10 kWh" cost:3 odometer:"1,050 km" date:2025-06-01')
    await ok('/charge log car:tri energy:"10 kWh" cost:3 odometer:"1,650 km" date:2025-06-01')
    const kinds = ['insurance', 'registration', 'tax', 'inspection', 'parking', 'toll', 'lease', 'wash', 'fine', 'other']
    for (const kind of kinds) await ok(`/expense log car:tri kind:${kind} cost:10 date:2025-06-02`)
    await ok('/expense log car:tri kind:loan cost:860.66 date:2025-06-02')
    const stats = await ok('/car stats car:tri')
    expect(stats.fields!.length).toBeLessThanOrEqual(25)
    expect(field(stats, 'Expenses')).toBe(kinds.map((k) => `${k[0]!.toUpperCase()}${k.slice(1)} €10.00 (1)`).join(' · '))
    for (const name of ['Fuel', 'Electricity', 'Electricity use', 'Loan interest', 'Loan payments', 'Depreciation', 'Per month', 'Per distance'])
      expect([name, field(stats, name) === undefined]).toEqual([name, false])
    expect(field(stats, 'Fuel')).toBe('€120.00 (6 fill-ups)')
  })
})

describe('what a car runs on, its loan and its energy unit', () => {
  test('a car added as petrol-only is asked whether it is a plug-in hybrid; nothing is stored until it is one', async () => {
    await ok('/car add polo powertrain:combustion fuels:petrol')
    const refused = await say('/charge log car:polo energy:"20 kWh"')
    expect(refused.tone).toBe('error')
    expect(refused.text).toContain('polo is a combustion car as far as this garage knows. Is it a plug-in hybrid?')
    expect(refused.text).toContain('/car edit car:polo powertrain:phev')
    expect((await say('/charge list car:polo')).text).toBe('No charges for polo yet — log one with /charge log')
    const show = await ok('/car edit polo powertrain:phev')
    expect(field(show, 'Runs on')).toBe('phev · petrol')
    await ok('/charge log car:polo energy:"20 kWh"')
    // declared by its fuels alone, with no fill-up yet
    await ok('/car add fabia fuels:diesel')
    const diesel = await say('/charge log car:fabia energy:"20 kWh"')
    expect(diesel.text).toContain('fabia is a car that runs on diesel (its fuels) as far as this garage knows. Is it a plug-in hybrid?')
    expect((await say('/charge list car:fabia')).text).toBe('No charges for fabia yet — log one with /charge log')
  })

  test('a loan is typed whole, each part refused naming what is wrong; none removes it', async () => {
    const refusals: [string, string][] = [
      ['10000 at 3.9%', 'loan: "10000 at 3.9%" is not a loan; give amount, rate, months and start'],
      ['10000 at 120% over 48m from 2025-06-01', 'loan: 120% is not a loan rate; use 0% to 100% a year'],
      ['10000 at 3.9% over 601m from 2025-06-01', 'loan: 601 months is not a loan term; use 1 to 600 monthly payments'],
      ['10000 at 3.9% over 48m from 2026-06-01', 'loan: 2026-06-01 is in the future'],
      ['$10000 at 3.9% over 48m from 2025-06-01', 'loan: "$10000" looks like USD ($), but this garage keeps its money in EUR'],
    ]
    for (const [typed, message] of refusals) {
      const r = await say(`/car edit polo loan:"${typed}"`)
      expect([typed, r.tone]).toEqual([typed, 'error'])
      expect(r.text).toContain(message)
    }
    expect(field(await ok('/car show polo'), 'Loan')).toBeUndefined()
    // a month alone is its first day
    const set = await ok('/car edit polo loan:"10.000,00 at 3.9% over 48 months from 2025-06"')
    expect(set.tone).toBe('ok')
    expect(field(await ok('/car edit polo loan:"10000 at 4.2% over 48m from 2025-06-01"'), 'Loan')).toBe(
      '€10,000.00 at 4.2% over 48 months from 2025-06-01',
    )
    expect(field(await ok('/car edit polo loan:none'), 'Loan')).toBeUndefined()
  })

  test('a mi car shows its electricity use in mi/kWh, or in Wh/mi when it chooses; a km unit is refused naming both', async () => {
    await ok('/car add bolt units:imperial powertrain:ev')
    on('2025-12-20')
    await ok('/charge log car:bolt energy:"30 kWh" odometer:"10,000 mi" date:2025-12-20')
    on('2025-12-31')
    // 100 mi on 28 kWh: 3.57 mi/kWh, 280 Wh/mi
    const second = await ok('/charge log car:bolt energy:"28 kWh" odometer:"10,100 mi"')
    expect(field(second, 'Consumption')).toBe('3.57 mi/kWh')
    await ok('/car edit bolt energy_unit:Wh/mi')
    expect((await ok('/charge list car:bolt')).text).toStartWith('Average 280 Wh/mi')
    expect(field(await ok('/car stats car:bolt'), 'Electricity use')).toBe('280 Wh/mi over 100 mi')
    const km = await say('/car edit bolt energy_unit:kWh/100km')
    expect(km.tone).toBe('error')
    expect(km.text).toContain('energy_unit: kWh/100km is for a car that counts km; bolt counts mi: use mi/kWh or Wh/mi')
  })
})
