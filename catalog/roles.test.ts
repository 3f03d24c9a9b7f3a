/** What `/item preset` and its button need (a `{ read, change, by }` role), and the catalog's check of `by`. */
import { expect, test } from 'bun:test'
import { commandProblems } from './catalog.ts'
import { roleNeeded } from './roles.ts'

test('roles: listing is a viewer’s, giving, saving and removing a manager’s', () => {
  expect(roleNeeded('item.preset', {})).toBe('viewer')
  expect(roleNeeded('item.preset', { car: 'golf' })).toBe('viewer')
  expect(roleNeeded('item.preset', { car: 'golf', name: 'petrol' })).toBe('manager')
  expect(roleNeeded('item.preset_save', { name: 'x', from: 'golf' })).toBe('manager')
  expect(roleNeeded('item.preset_remove', { name: 'x' })).toBe('manager')
  expect(roleNeeded('item.starter', { arg: '1' })).toBe('manager')
})

test('a role whose `by` names no option of its subcommand is refused at load', () => {
  const command = {
    name: 'x',
    description: 'X',
    subcommands: [
      {
        name: 'y',
        description: 'Y',
        role: { read: 'viewer', change: 'manager', by: ['nmae'] },
        options: [{ name: 'name', type: 'string', description: 'N' }],
      },
    ],
  }
  expect(commandProblems(command)).toEqual(['/x y: role.by must list options of the subcommand'])
})
