import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  commandProblems,
  commands,
  discoverCommands,
  findSubcommand,
  kindOf,
  lookupKind,
  refused,
} from './catalog.ts'

const dir = mkdtempSync(join(tmpdir(), 'cm-catalog-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const command = (name: string, subs: unknown) =>
  `export default ${JSON.stringify({ name, description: `The ${name} command`, subcommands: subs })}\n`
const sub = (name: string, options: unknown[] = []) => ({ name, description: `Do ${name}`, options })
const option = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  type: 'string',
  description: name,
  ...extra,
})

test('the project catalog loads car and garage, refusing nothing', () => {
  expect(refused).toEqual([])
  const names = commands.map((c) => c.name)
  expect(names).toContain('car')
  expect(names).toContain('garage')
  expect(names).toEqual([...names].sort())
  expect(findSubcommand('car', 'add')?.options[0]?.name).toBe('nickname')
  expect(findSubcommand('car', 'nope')).toBeUndefined()
  expect(kindOf('car', 'add')).toBe('car.add')
  expect(lookupKind('garage.help')?.sub.name).toBe('help')
  expect(lookupKind('car.add.extra')).toBeUndefined()
})

test('discovery picks up any file in the folder and refuses the ones that do not fit, with why', async () => {
  writeFileSync(
    join(dir, 'good.ts'),
    command('good', [sub('run', [option('what', { required: true }), option('how')])]),
  )
  writeFileSync(
    join(dir, 'order.ts'),
    command('order', [sub('run', [option('how'), option('what', { required: true })])]),
  )
  writeFileSync(join(dir, 'upper.ts'), command('Upper', [sub('run')]))
  writeFileSync(
    join(dir, 'long.ts'),
    command('long', [{ name: 'run', description: 'x'.repeat(101), options: [] }]),
  )
  writeFileSync(
    join(dir, 'many.ts'),
    command('many', [
      sub(
        'run',
        Array.from({ length: 26 }, (_, i) => option(`o${i}`)),
      ),
    ]),
  )
  writeFileSync(join(dir, 'dupe.ts'), command('dupe', [sub('run', [option('a'), option('a')]), sub('run')]))
  writeFileSync(join(dir, 'twin.ts'), command('good', [sub('other')]))
  writeFileSync(
    join(dir, 'types.ts'),
    command('types', [
      sub('run', [option('x', { type: 'colour' }), option('y', { type: 'integer', choices: ['1'] })]),
    ]),
  )
  writeFileSync(join(dir, 'broken.ts'), 'export default {\n')
  writeFileSync(join(dir, 'empty.ts'), 'export const x = 1\n')
  writeFileSync(join(dir, 'good.test.ts'), 'throw new Error("tests are not commands")\n')
  const logged: string[] = []
  const catalog = await discoverCommands(dir, (m) => logged.push(m))
  expect(catalog.commands.map((c) => c.name)).toEqual(['good'])
  const why = Object.fromEntries(catalog.refused.map((r) => [r.file, r.problems.join('; ')]))
  expect(Object.keys(why).sort()).toEqual([
    'broken.ts',
    'dupe.ts',
    'empty.ts',
    'long.ts',
    'many.ts',
    'order.ts',
    'twin.ts',
    'types.ts',
    'upper.ts',
  ])
  expect(why['order.ts']).toContain('required option what comes after an optional one')
  expect(why['upper.ts']).toContain('command name "Upper" must be lower-case')
  expect(why['long.ts']).toContain('/long run: description must be 1-100 characters')
  expect(why['many.ts']).toContain('more than 25 options')
  expect(why['dupe.ts']).toContain('option a appears twice')
  expect(why['dupe.ts']).toContain('subcommand run appears twice')
  expect(why['twin.ts']).toContain('/good is already defined')
  expect(why['types.ts']).toContain('unknown type "colour"')
  expect(why['types.ts']).toContain('choices are only for string options')
  expect(why['broken.ts']).toContain('cannot be loaded')
  expect(why['empty.ts']).toContain('not a command object')
  expect(logged.length).toBe(9)
  expect(logged.some((l) => l.startsWith('refused order.ts:'))).toBe(true)
})

test('a subcommand name must make a valid job kind', () => {
  expect(commandProblems({ name: 'car', description: 'd', subcommands: [sub('add-car')] })).toEqual([
    '/car: subcommand name "add-car" must be lower-case letters and _ (at most 32)',
  ])
  expect(commandProblems({ name: 'car', description: 'd', subcommands: [] })).toEqual([
    '/car: subcommands must be 1-25',
  ])
  expect(
    commandProblems({
      name: 'car',
      description: 'd',
      subcommands: [{ ...sub('add'), example: '/other add' }],
    }),
  ).toEqual(['/car add: example must start with "/car add"'])
})

test('a command larger than Discord allows in total is refused', () => {
  const options = Array.from({ length: 25 }, (_, i) => ({
    name: `o${i}`,
    type: 'string',
    description: 'x'.repeat(100),
  }))
  const subs = Array.from({ length: 4 }, (_, i) => ({ name: `s${'x'.repeat(i)}`, description: 'd', options }))
  expect(commandProblems({ name: 'big', description: 'd', subcommands: subs })[0]).toContain(
    'Discord allows 8000',
  )
})
