import { describe, expect, test } from 'bun:test'
import {
  type GrammarResult,
  parseCommandText,
  parseLine,
  parseTyped,
  tokenize,
  unescapeSlackText,
} from './grammar.ts'

const ok = (r: GrammarResult) => {
  if (!r.ok) throw new Error(`expected ok, got ${r.error}`)
  return r
}
const bad = (r: GrammarResult) => {
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r)}`)
  return r
}

describe('tokenize', () => {
  test('quotes, curly quotes and name:value', () => {
    expect(
      tokenize(
        `add corolla make:"Land Rover" model:'Range Rover' plate:\u201cAB 123\u201d year:\u20182018\u2019`,
      ),
    ).toEqual([
      { value: 'add', quoted: false },
      { value: 'corolla', quoted: false },
      { name: 'make', value: 'Land Rover', quoted: true },
      { name: 'model', value: 'Range Rover', quoted: true },
      { name: 'plate', value: 'AB 123', quoted: true },
      { name: 'year', value: '2018', quoted: true },
    ])
    expect(tokenize(`"my car" model:O'Brien`)).toEqual([
      { value: 'my car', quoted: true },
      { name: 'model', value: "O'Brien", quoted: false },
    ])
  })
  test('an unclosed quote is an error', () => {
    expect(() => tokenize('make:"Toyota')).toThrow('never closed')
  })
})

describe('parseLine', () => {
  test('the spine session parses into kinds and payloads', () => {
    const add = ok(
      parseLine('/car add corolla make:Toyota model:Corolla year:2018 odometer:"52,000 mi" plate:AB-123'),
    )
    expect(add.kind).toBe('car.add')
    expect(add.payload).toEqual({
      nickname: 'corolla',
      make: 'Toyota',
      model: 'Corolla',
      year: 2018,
      odometer: { value: 52000, unit: 'mi', text: '52,000 mi', readings: [52, 52000] },
      plate: 'AB-123',
    })
    expect(ok(parseLine('/car list'))).toMatchObject({ kind: 'car.list', payload: {} })
    expect(ok(parseLine('/car show corolla')).payload).toEqual({ car: 'corolla' })
    expect(ok(parseLine('/car edit corolla odometer:"53,100 mi"')).payload).toEqual({
      car: 'corolla',
      odometer: { value: 53100, unit: 'mi', text: '53,100 mi', readings: [53.1, 53100] },
    })
    expect(ok(parseLine('/car odometer corolla reading:"53,400 mi"')).payload).toMatchObject({
      car: 'corolla',
      reading: { value: 53400, unit: 'mi' },
    })
    expect(ok(parseLine('/car remove corolla confirm:yes')).payload).toEqual({
      car: 'corolla',
      confirm: true,
    })
    expect(ok(parseLine('/garage help'))).toMatchObject({ kind: 'garage.help', payload: {} })
    expect(ok(parseLine('/garage help car')).payload).toEqual({ command: 'car' })
  })
  test('positional values fill required options in order; unquoted measurements continue', () => {
    expect(ok(parseLine('/car odometer corolla 53,400 mi')).payload).toEqual({
      car: 'corolla',
      reading: { value: 53400, unit: 'mi', text: '53,400 mi', readings: [53.4, 53400] },
    })
    expect(ok(parseLine('/car odometer corolla 83 000 km date:2024-05-01')).payload).toEqual({
      car: 'corolla',
      reading: { value: 83000, unit: 'km', text: '83 000 km' },
      date: '2024-05-01',
    })
    expect(ok(parseLine('/car odometer reading:"1 mi" corolla')).payload).toMatchObject({ car: 'corolla' })
    expect(ok(parseLine('/car add civic make:Land Rover odometer:52,000 mi')).payload).toMatchObject({
      make: 'Land Rover',
      odometer: { value: 52000, unit: 'mi' },
    })
    expect(ok(parseLine('car  ADD  civic  Make:Honda')).payload).toEqual({ nickname: 'civic', make: 'Honda' })
    expect(ok(parseCommandText('/car', 'show corolla')).kind).toBe('car.show')
    expect(
      ok(parseLine('/garage settings units:Imperial reminder_channel:<#C42|cars> urgent:"30 d, 500 mi"'))
        .payload,
    ).toEqual({
      units: 'imperial',
      reminder_channel: 'C42',
      urgent: { days: 30, distance: { value: 500, unit: 'mi', text: '500 mi' }, text: '30 d, 500 mi' },
    })
  })
  test('unknown command and subcommand name themselves and offer help', () => {
    const cmd = bad(parseLine('/bike add x'))
    expect(cmd.error).toStartWith('unknown command /bike; commands: ')
    expect(cmd.error).toContain('/car')
    expect(cmd.help).toContain('/garage help <command>')
    const sub = bad(parseLine('/car fly corolla'))
    expect(sub.error).toBe(
      'unknown subcommand "fly" of /car; it has: add, list, show, edit, odometer, readings, reading_remove, archive, unarchive, remove, photos, stats, chart, report, drivers',
    )
    expect(sub.help).toContain('/car add <nickname>')
    expect(bad(parseLine('/car')).error).toStartWith('/car needs a subcommand: add, list')
    expect(bad(parseLine('   ')).error).toBe('type a command, e.g. /car list')
  })
  test('missing, unknown and duplicate options', () => {
    const missing = bad(parseLine('/car add'))
    expect(missing.error).toBe('missing nickname: /car add needs nickname')
    expect(missing.field).toBe('nickname')
    expect(missing.help).toContain('/car add <nickname> [make:…]')
    expect(missing.help).toContain('/garage help car')
    expect(bad(parseLine('/car odometer corolla')).error).toBe('missing reading: /car odometer needs reading')
    const unknown = bad(parseLine('/car add corolla colour:red'))
    expect(unknown.error).toStartWith('/car add has no option "colour"; its options: nickname, make, model')
    expect(unknown.field).toBe('colour')
    expect(bad(parseLine('/car add corolla make:Toyota make:Honda')).error).toBe(
      'make is given twice; give it once',
    )
    expect(bad(parseLine('/car add corolla year:')).error).toStartWith('year: no value after "year:"')
    expect(bad(parseLine('/car show corolla civic')).error).toStartWith(
      'unexpected "civic": /car show takes car first',
    )
    expect(bad(parseLine('/car add corolla Toyota')).error).toContain('e.g. make:…')
    expect(bad(parseLine('/car add corolla make:"Toyota')).error).toContain('never closed')
  })
  test('bad values name the field', () => {
    expect(bad(parseLine('/car add corolla year:1700')).error).toBe(
      'year: "1700" is too small; the smallest accepted is 1886',
    )
    const abc = bad(parseLine('/car add corolla odometer:abc'))
    expect(abc.error).toBe('odometer: "abc" is not a distance; use e.g. 52,000 mi or 83 000 km')
    expect(abc.field).toBe('odometer')
    expect(bad(parseLine('/car add corolla odometer:-5')).error).toBe(
      'odometer: "-5" is negative; a distance cannot be below 0',
    )
    const long = bad(parseLine(`/car add ${'a'.repeat(200)}`))
    expect(long.error).toBe('nickname: is 200 characters long; at most 32 are allowed')
    const two = bad(parseLine('/car add corolla year:1700 odometer:abc'))
    expect(two.error.split('\n')).toHaveLength(2)
    expect(bad(parseLine('/car add corolla purchase_price:-3')).error).toStartWith(
      'purchase_price: "-3" is negative',
    )
    expect(bad(parseLine('/car remove corolla confirm:perhaps')).error).toBe(
      'confirm: "perhaps" is not yes or no',
    )
  })
})

describe('parseTyped (Discord options)', () => {
  test('typed values go through the same parsers', () => {
    expect(
      ok(parseTyped('car', 'add', { nickname: 'corolla', year: 2018, odometer: '52,000 mi' })).payload,
    ).toEqual({
      nickname: 'corolla',
      year: 2018,
      odometer: { value: 52000, unit: 'mi', text: '52,000 mi', readings: [52, 52000] },
    })
    expect(ok(parseTyped('car', 'remove', { car: 'corolla', confirm: true })).payload).toEqual({
      car: 'corolla',
      confirm: true,
    })
    expect(bad(parseTyped('car', 'add', { nickname: 'corolla', year: 1700 })).error).toBe(
      'year: 1700 is too small; the smallest accepted is 1886',
    )
    expect(bad(parseTyped('car', 'add', { year: 2018 })).error).toBe(
      'missing nickname: /car add needs nickname',
    )
    expect(bad(parseTyped('car', 'add', { nickname: 'x', colour: 'red' })).field).toBe('colour')
    expect(bad(parseTyped('car', 'fly', {})).error).toStartWith('unknown subcommand "fly"')
    expect(bad(parseTyped('bike', 'add', {})).error).toStartWith('unknown command /bike')
  })
})

test('Slack entities are undone before parsing', () => {
  const text = unescapeSlackText('add civic make:&quot;x&quot; model:"A &amp; B &lt;3&gt;"')
  expect(text).toBe('add civic make:&quot;x&quot; model:"A & B <3>"')
  expect(ok(parseCommandText('car', text)).payload).toMatchObject({ model: 'A & B <3>' })
})
