/**
 * Property-based tests of the text grammar over the whole catalog (new command files are
 * picked up by the registry, so they are covered here too): any text, and text close to a
 * valid command (real option names and values, quotes of every kind, typos, duplicates), gives
 * either a command whose payload passes the kind's schema or an error that names what is wrong
 * and carries help. It never throws.
 */
import { describe, expect, test } from 'bun:test'
import { Value } from '@sinclair/typebox/value'
import fc from 'fast-check'
import { commands, kindOf } from '../../catalog/catalog.ts'
import { type OptionType, payloadSchema } from '../../catalog/command.ts'
import { type GrammarResult, parseCommandText, parseLine, parseTyped } from '../../catalog/grammar.ts'

const RUNS = Number(process.env.TRUST_GRAMMAR_RUNS ?? 1500)

/** Values a person would type for each option type, good and bad. */
const TYPED: Record<OptionType, string[]> = {
  role: ['<@&123456789>', '<!subteam^S0123|@drivers>', 'S0123', '@everyone', ''],
  string: ['Toyota', 'Land Rover', "O'Brien", '', 'x'.repeat(300)],
  integer: ['2018', '-3', '1e3', '2.5', '99999999999999999999', 'twelve'],
  number: ['1.5', '1,5', '-0', 'NaN', 'Infinity', '1e400'],
  boolean: ['yes', 'no', 'true', 'False', 'maybe'],
  date: ['2025-01-02', '2025-02-30', '02/01/2025', '0000-00-00', '9999-12-31'],
  distance: ['52,000 mi', '83 000 km', '48000', '-5 km', 'abc', '1e9 mi', '5k'],
  volume: ['11.2 gal', '42 L', '0', '-1 L', '40 impgal', 'lots'],
  money: ['41.30', '$1,200', '€9,99', '-5', '1e20', 'free'],
  percent: ['8.25%', '0%', '101%', '-3%', 'x%'],
  economy: ['6.5 L/100km', '34 mpg', '0 mpg', '12 km/L', 'fast'],
  threshold: ['30 d, 500 mi', '2 weeks', '0 d', 'soon'],
  period: ['12m', '90d', '1y', '0d', '-1m', 'forever'],
  car: ['corolla', 'Corolla', 'my car', '🚗', '#1'],
  issue: ['12', '#12', '0', '-1', 'abc', '99999999999'],
  channel: ['<#C123|general>', '<#123>', 'C123', ''],
  attachment: ['photo.jpg', 'https://cdn.discordapp.com/x.png'],
}

const QUOTES: [string, string][] = [
  ['"', '"'],
  ["'", "'"],
  ['\u201c', '\u201d'],
  ['\u2018', '\u2019'],
  ['\u201e', '\u201c'],
  ['"', ''],
  ['', '"'],
]

const quoted = (value: string) => fc.constantFrom(...QUOTES).map(([open, close]) => `${open}${value}${close}`)

const allSubs = commands.flatMap((c) => c.subcommands.map((s) => ({ command: c, sub: s })))

/** A line close to a valid command of the catalog. */
const nearValidLine: fc.Arbitrary<string> = fc.constantFrom(...allSubs).chain(({ command, sub }) => {
  const valueFor = (type: OptionType) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...TYPED[type]) },
      { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    )
  const option = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom(
        ...(sub.options.length ? sub.options : [{ name: 'x', type: 'string' as const }]),
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom(...allSubs.flatMap((s) => s.sub.options)) },
  )
  const part = fc.oneof(
    // name:value, sometimes quoted, sometimes in another case
    fc
      .tuple(option, fc.boolean(), fc.boolean())
      .chain(([o, quote, upper]) =>
        valueFor(o.type).chain((v) =>
          (quote ? quoted(v) : fc.constant(v)).map(
            (text) => `${upper ? o.name.toUpperCase() : o.name}:${text}`,
          ),
        ),
      ),
    // a positional value
    option.chain((o) => valueFor(o.type)).chain((v) => fc.oneof(fc.constant(v), quoted(v))),
    // stray punctuation
    fc.constantFrom(':', '::', 'name:', ':value', '"', '\u201c', '--', '\\', '&lt;', '<@U123>'),
  )
  return fc
    .tuple(
      fc.constantFrom(
        `/${command.name}`,
        command.name,
        `/${command.name.toUpperCase()}`,
        `/${command.name}x`,
      ),
      fc.constantFrom(sub.name, sub.name.toUpperCase(), `"${sub.name}"`, `${sub.name}:`, ''),
      fc.array(part, { maxLength: 6 }),
      fc.constantFrom(' ', '  ', '\t', '\u00a0', '\n'),
    )
    .map(([cmd, subName, parts, space]) => [cmd, subName, ...parts].join(space))
})

/** A catalog example with a few characters changed, inserted or removed. */
const mutatedExample: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...allSubs.map((s) => s.sub.example).filter((e): e is string => !!e)),
    fc.array(
      fc.tuple(
        fc.nat(200),
        fc.constantFrom('insert', 'delete', 'replace'),
        fc.string({ unit: 'binary', maxLength: 2 }),
      ),
      {
        maxLength: 4,
      },
    ),
  )
  .map(([example, edits]) => {
    let s = example
    for (const [at, how, text] of edits) {
      const i = at % (s.length + 1)
      s =
        how === 'insert'
          ? s.slice(0, i) + text + s.slice(i)
          : how === 'delete'
            ? s.slice(0, i) + s.slice(i + 1)
            : s.slice(0, i) + text + s.slice(i + 1)
    }
    return s
  })

const kinds = new Set(allSubs.map(({ command, sub }) => kindOf(command, sub)))

/** What every result must be: a command valid for its kind, or an error that names something. */
function checkResult(line: string, r: GrammarResult) {
  if (r.ok) {
    expect(kinds.has(r.kind)).toBe(true)
    expect(r.kind).toBe(kindOf(r.command, r.sub))
    if (!Value.Check(payloadSchema(r.sub), r.payload))
      throw new Error(
        `${JSON.stringify(line)} parsed into a payload its schema refuses: ${JSON.stringify(r.payload)}`,
      )
    return
  }
  if (typeof r.error !== 'string' || r.error.trim() === '')
    throw new Error(`${JSON.stringify(line)}: empty error`)
  if (typeof r.help !== 'string' || r.help.trim() === '')
    throw new Error(`${JSON.stringify(line)}: no help with the error`)
  if (r.field !== undefined) {
    if (!r.field) throw new Error(`${JSON.stringify(line)}: an empty field name`)
    if (!r.error.toLowerCase().includes(r.field.toLowerCase()))
      throw new Error(`${JSON.stringify(line)}: the error does not name its field ${r.field}: ${r.error}`)
  } else if (!/\/[a-z]|type a command|:/i.test(r.error)) {
    throw new Error(`${JSON.stringify(line)}: the error names neither a command nor a field: ${r.error}`)
  }
}

describe('the command grammar under arbitrary and near-valid input', () => {
  test('any string: never throws, always a valid command or an error naming something', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 120 }), fc.string({ unit: 'binary', maxLength: 120 })),
        (line) => {
          checkResult(line, parseLine(line))
        },
      ),
      { numRuns: RUNS },
    )
  })

  test('a real command name followed by anything', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...commands.map((c) => c.name)),
        fc.string({ unit: 'binary', maxLength: 100 }),
        (name, text) => {
          checkResult(`/${name} ${text}`, parseLine(`/${name} ${text}`))
          checkResult(text, parseCommandText(name, text))
        },
      ),
      { numRuns: RUNS },
    )
  })

  test('near-valid commands: real option names and typed values, quotes, case, strays', () => {
    let parsed = 0
    fc.assert(
      fc.property(nearValidLine, (line) => {
        const r = parseLine(line)
        if (r.ok) parsed++
        checkResult(line, r)
      }),
      { numRuns: RUNS },
    )
    // The generator does reach valid commands, so the success side is checked too.
    // About 3% of the lines parse (30 to 51 of 1,500 in six runs with the catalog of this round):
    // the floor is far below that, so a random run never misses it, and still fails a generator
    // that stopped reaching valid commands.
    expect(parsed).toBeGreaterThan(RUNS / 150)
  })

  test('catalog examples with typos', () => {
    fc.assert(
      fc.property(mutatedExample, (line) => checkResult(line, parseLine(line))),
      { numRuns: RUNS },
    )
  })

  test("Discord's typed options: any values under real and unknown option names", () => {
    const values = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.jsonValue({ maxDepth: 2 }),
      fc.record({ url: fc.string(), filename: fc.string(), size: fc.integer() }),
    )
    fc.assert(
      fc.property(
        fc.constantFrom(...allSubs),
        fc.dictionary(fc.string({ maxLength: 12 }), values, { maxKeys: 3 }),
        fc.dictionary(fc.string({ maxLength: 12 }), values, { maxKeys: 4 }),
        ({ command, sub }, junk, extra) => {
          const named = Object.fromEntries(
            Object.keys(extra).map((k, i) => [
              sub.options[i % Math.max(1, sub.options.length)]?.name ?? k,
              extra[k],
            ]),
          )
          const r = parseTyped(command.name, sub.name, {
            ...named,
            ...(Object.keys(junk).length % 2 ? junk : {}),
          })
          checkResult(`${command.name} ${sub.name} ${JSON.stringify(named)}`, r)
        },
      ),
      { numRuns: RUNS },
    )
  })

  test('every catalog example parses (the generators start from real commands)', () => {
    const bad = allSubs
      .filter((s) => s.sub.example && !s.sub.example.includes('<attachment>'))
      .map((s) => [s.sub.example!, parseLine(s.sub.example!)] as const)
      .filter(([, r]) => !r.ok)
      .map(([line, r]) => `${line}: ${(r as { error: string }).error}`)
    expect(bad).toEqual([])
  })
})
