import { describe, expect, test } from 'bun:test'
import type { Option } from './command.ts'
import { parseDecimal, parseValue } from './values.ts'

const opt = (type: Option['type'], extra: Partial<Option> = {}): Option => ({
  name: extra.name ?? 'field',
  type,
  description: 'd',
  ...extra,
})
const value = (o: Option, raw: unknown) => {
  const r = parseValue(o, raw)
  if (!r.ok) throw new Error(`expected ok, got ${r.error}`)
  return r.value
}
const error = (o: Option, raw: unknown) => {
  const r = parseValue(o, raw)
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.value)}`)
  return r.error
}

describe('numbers as people type them', () => {
  test.each([
    ['52,000', 52000],
    ['83 000', 83000],
    ['83\u00a0000', 83000],
    ["1'000", 1000],
    ['48000', 48000],
    ['11.2', 11.2],
    ['11,2', 11.2],
    ['1.234.567,5', 1234567.5],
    ['5k', 5000],
    ['-3', -3],
    ['.5', 0.5],
  ])('%p → %p', (text, n) => expect(parseDecimal(text)).toBe(n))
  test.each(['abc', '1e309', '1e3', '12,34,56', 'NaN', 'Infinity', '', '1..2'])(
    '%p is not a number',
    (text) => expect(parseDecimal(text)).toBeUndefined(),
  )
})

describe('distance', () => {
  const odometer = opt('distance', { name: 'odometer' })
  test('units and separators', () => {
    expect(value(odometer, '52,000 mi')).toEqual({
      value: 52000,
      unit: 'mi',
      text: '52,000 mi',
      readings: [52, 52000],
    })
    expect(value(odometer, '83 000 km')).toEqual({ value: 83000, unit: 'km', text: '83 000 km' })
    expect(value(odometer, '48000')).toEqual({ value: 48000, unit: null, text: '48000' })
    expect(value(odometer, '120 Miles')).toMatchObject({ value: 120, unit: 'mi' })
    expect(value(odometer, 61000)).toEqual({ value: 61000, unit: null, text: '61000' })
  })
  test('errors name the field and what is expected', () => {
    expect(error(odometer, 'abc')).toBe('odometer: "abc" is not a distance; use e.g. 52,000 mi or 83 000 km')
    expect(error(odometer, '-5')).toBe('odometer: "-5" is negative; a distance cannot be below 0')
    expect(error(odometer, '12 parsecs')).toContain('unknown unit "parsecs"')
    expect(error(odometer, Number.POSITIVE_INFINITY)).toStartWith('odometer:')
    expect(error(odometer, '')).toStartWith('odometer: no distance given')
    // "52k miles" would be kept and shown as typed, hiding the 52,000 it was taken as.
    expect(error(odometer, '52k miles')).toBe('odometer: "52k miles": write the number in full, e.g. 52000 mi')
    expect(error(odometer, '5k mi')).toBe('odometer: "5k mi": write the number in full, e.g. 5000 mi')
  })
})

test('volume', () => {
  const v = opt('volume', { name: 'volume' })
  expect(value(v, '11.2 gal')).toEqual({ value: 11.2, unit: 'gal', text: '11.2 gal' })
  expect(value(v, '42 L')).toMatchObject({ value: 42, unit: 'L' })
  expect(value(v, '42l')).toMatchObject({ value: 42, unit: 'L' })
  expect(value(v, '10 imp gal')).toMatchObject({ value: 10, unit: 'impgal' })
  expect(error(v, 'a lot')).toStartWith('volume: "a lot" is not a volume')
})

describe('money', () => {
  const cost = opt('money', { name: 'cost', min: 0 })
  test('amounts', () => {
    expect(value(cost, '89.90')).toEqual({ value: 89.9, text: '89.90' })
    expect(value(cost, '$1,200.50')).toEqual({ value: 1200.5, text: '$1,200.50' })
    expect(value(cost, '1 200,50 €')).toMatchObject({ value: 1200.5 })
    expect(value(cost, 'EUR 12')).toMatchObject({ value: 12 })
    expect(value(cost, 45)).toEqual({ value: 45, text: '45' })
    expect(value(opt('money'), '-3')).toMatchObject({ value: -3 })
  })
  test('refusals', () => {
    expect(error(cost, '1e309')).toBe('cost: "1e309" is not an amount of money; use e.g. 89.90 or $1,200.50')
    expect(error(cost, '-3')).toBe('cost: "-3" is negative; an amount here cannot be below 0')
    expect(error(cost, '12.34567')).toContain('too many decimals')
    expect(error(cost, '99999999999999')).toContain('too large')
    expect(error(cost, Number.NaN)).toStartWith('cost:')
  })
})

test('percent, economy, period, threshold', () => {
  expect(value(opt('percent'), '8.25%')).toBe(8.25)
  expect(value(opt('percent'), '8.25')).toBe(8.25)
  expect(error(opt('percent', { name: 'tax' }), '150%')).toStartWith('tax: "150%" is too large')
  expect(value(opt('economy'), '6.5 L/100km')).toEqual({ value: 6.5, unit: 'L/100km', text: '6.5 L/100km' })
  expect(value(opt('economy'), '34 mpg')).toMatchObject({ value: 34, unit: 'mpg' })
  expect(value(opt('economy'), '15 km/L')).toMatchObject({ unit: 'km/L' })
  expect(error(opt('economy', { name: 'eco' }), '34')).toStartWith('eco: "34" has no unit')
  expect(value(opt('period'), '12m')).toEqual({ days: 365, text: '12m' })
  expect(value(opt('period'), '90d')).toEqual({ days: 90, text: '90d' })
  expect(value(opt('period'), '1y')).toEqual({ days: 365, text: '1y' })
  expect(value(opt('period'), '2 weeks')).toMatchObject({ days: 14 })
  expect(error(opt('period', { name: 'every' }), 'often')).toStartWith('every: "often" is not a period')
  expect(value(opt('threshold'), '30 d, 500 mi')).toEqual({
    days: 30,
    distance: { value: 500, unit: 'mi', text: '500 mi' },
    text: '30 d, 500 mi',
  })
  expect(value(opt('threshold'), '14d,1,000 km')).toMatchObject({
    days: 14,
    distance: { value: 1000, unit: 'km' },
  })
  expect(value(opt('threshold'), '7 days')).toEqual({ days: 7, text: '7 days' })
  expect(error(opt('threshold', { name: 'urgent' }), '30 d, soon')).toStartWith(
    'urgent: "soon" in "30 d, soon"',
  )
  expect(error(opt('threshold', { name: 'urgent' }), '500')).toStartWith('urgent:')
})

test('date, boolean, integer, number', () => {
  expect(value(opt('date'), '2024-02-29')).toBe('2024-02-29')
  expect(error(opt('date', { name: 'date' }), '2023-02-29')).toBe('date: "2023-02-29" is not a calendar date')
  // slashed dates wait for the garage's date order, which the worker knows (catalog/two-way.ts)
  expect(value(opt('date'), '15/03/2024')).toBe('15/3/2024')
  expect(value(opt('date'), '03.04.2026')).toBe('3/4/2026')
  expect(error(opt('date', { name: 'date' }), '31/31/2024')).toBe('date: "31/31/2024" is not a calendar date')
  expect(error(opt('date', { name: 'date' }), '1/2/1500')).toStartWith('date: "1/2/1500" is outside the years')
  expect(error(opt('date', { name: 'date' }), '15-03-2024')).toStartWith(
    'date: "15-03-2024" is not a date; use YYYY-MM-DD',
  )
  // relative dates wait for the garage's today, which the worker knows (catalog/two-way.ts)
  expect(value(opt('date'), 'today')).toBe('today-0')
  expect(value(opt('date'), 'Yesterday')).toBe('today-1')
  expect(value(opt('date'), '3 days ago')).toBe('today-3')
  expect(value(opt('date'), '1 day ago')).toBe('today-1')
  expect(error(opt('date', { name: 'date' }), '99999 days ago')).toBe('date: "99999 days ago" is more than 100 years ago')
  expect(error(opt('date', { name: 'date' }), 'last week')).toStartWith('date: "last week" is not a date')
  expect(value(opt('boolean'), 'yes')).toBe(true)
  expect(value(opt('boolean'), 'False')).toBe(false)
  expect(value(opt('boolean'), true)).toBe(true)
  expect(error(opt('boolean', { name: 'confirm' }), 'maybe')).toBe('confirm: "maybe" is not yes or no')
  const year = opt('integer', { name: 'year', min: 1886, max: 2100 })
  expect(value(year, '2018')).toBe(2018)
  expect(value(year, 2018)).toBe(2018)
  expect(error(year, '1700')).toBe('year: "1700" is too small; the smallest accepted is 1886')
  expect(error(year, '3000')).toBe('year: "3000" is too large; the largest accepted is 2100')
  expect(error(year, '2018.5')).toBe('year: "2018.5" is not a whole number')
  expect(error(year, 2018.5)).toBe('year: 2018.5 is not a whole number')
  expect(value(opt('number', { min: 0 }), '3.5')).toBe(3.5)
  expect(error(opt('number', { name: 'n', min: 0 }), '-1')).toStartWith('n: "-1" is too small')
})

test('string, car, issue, channel, attachment', () => {
  const units = opt('string', { name: 'units', choices: ['metric', 'imperial'] })
  expect(value(units, 'Imperial')).toBe('imperial')
  expect(error(units, 'furlongs')).toBe('units: "furlongs" is not one of metric, imperial')
  const nickname = opt('string', { name: 'nickname', maxLength: 32 })
  expect(value(nickname, '  corolla ')).toBe('corolla')
  expect(error(nickname, 'x'.repeat(200))).toBe('nickname: is 200 characters long; at most 32 are allowed')
  expect(error(nickname, '')).toBe('nickname: is empty; give a value')
  expect(value(opt('car'), 'Corolla')).toBe('Corolla')
  expect(error(opt('car', { name: 'car' }), '')).toStartWith('car: give a car nickname')
  expect(value(opt('issue'), '#12')).toBe(12)
  expect(value(opt('issue'), '12')).toBe(12)
  expect(value(opt('issue'), 12)).toBe(12)
  expect(error(opt('issue', { name: 'issue' }), '#0')).toStartWith('issue: "#0" is not an issue number')
  expect(value(opt('channel'), '<#C123ABC|garage>')).toBe('C123ABC')
  expect(value(opt('channel'), '<#123456789>')).toBe('123456789')
  expect(value(opt('channel'), 'C0123')).toBe('C0123')
  expect(error(opt('channel', { name: 'reminder_channel' }), '<@U123>')).toStartWith(
    'reminder_channel: "<@U123>" is not a channel',
  )
  const file = {
    url: 'https://cdn.discordapp.com/a.jpg',
    filename: 'a.jpg',
    size: 10,
    contentType: 'image/jpeg',
  }
  expect(value(opt('attachment'), file)).toEqual(file)
  expect(error(opt('attachment', { name: 'file' }), 'a.jpg')).toBe(
    'file: attach a file (files cannot be typed as text)',
  )
  expect(error(opt('attachment', { name: 'file' }), { url: 'x' })).toStartWith(
    'file: the attached file is missing',
  )
})
