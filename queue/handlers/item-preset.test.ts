/**
 * Maintenance presets end to end through the queue with the real items service: built-in sets
 * in a km and a mi car's own round numbers, items the car already has skipped, the garage's own
 * sets saved, applied and removed, /car add's Add starter items button (once), and refusals
 * that store nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Reply } from '../../lib/contracts/envelope.ts'
import type { ItemView } from '../../services/items/maintenance/model.ts'
import { type Stack, startStack } from '../../test/stack.ts'

const GARAGE = 'local:presets'
let stack: Stack

beforeAll(async () => {
  stack = await startStack({ services: ['items'], now: () => new Date('2026-05-10T12:00:00Z') })
})

afterAll(async () => {
  await stack?.close()
})

const say = (line: string): Promise<Reply> => stack.say(line, GARAGE)

/** A car's items as the items service keeps them, by name: "months / distance". */
async function itemsOf(car: string): Promise<Record<string, string>> {
  const res = await fetch(`${stack.url('items')}/items?car=${car}`, { headers: stack.headers(GARAGE) })
  const { items } = (await res.json()) as { items: ItemView[] }
  return Object.fromEntries(items.map((i) => [i.name, `${i.months ?? '-'} / ${i.distance ?? '-'}`]))
}

describe('/item preset', () => {
  test('a built-in set in a km car and a mi car: each in its own round numbers', async () => {
    await say('/car add golf odometer:"20,000 km"')
    const diesel = await say('/item preset car:golf name:diesel')
    expect(diesel).toMatchObject({ tone: 'ok', title: 'Added 8 items of the diesel set to golf' })
    expect(diesel.text).toContain('• Oil and filter: every 12 months or 15,000 km, whichever comes first')
    expect(await itemsOf('golf')).toEqual({
      'Oil and filter': '12 / 15,000 km',
      'Tyre rotation': '- / 10,000 km',
      'Brake fluid': '24 / -',
      Coolant: '48 / -',
      'Engine air filter': '- / 30,000 km',
      'Cabin air filter': '12 / -',
      'Timing belt': '60 / 100,000 km',
      Inspection: '12 / -',
    })

    await say('/car add mustang odometer:"30,000 mi"')
    await say('/item add car:mustang name:inspection months:24')
    const petrol = await say('/item preset car:mustang name:Petrol')
    expect(petrol.title).toBe('Added 8 items of the petrol set to mustang')
    expect(petrol.text).toContain('Skipped (mustang already has them): Inspection')
    const items = await itemsOf('mustang')
    expect(items).toMatchObject({
      'Oil and filter': '12 / 10,000 mi',
      'Tyre rotation': '- / 6,000 mi',
      'Engine air filter': '- / 20,000 mi',
      'Spark plugs': '- / 40,000 mi',
      'Timing belt': '60 / 60,000 mi',
      // the car's own item stays as it was
      inspection: '24 / -',
    })
    expect(Object.keys(items)).toHaveLength(9)
  })

  test('without a name: the sets with their items, in the car’s unit', async () => {
    const list = await say('/item preset car:mustang')
    expect(list.tone).toBe('ok')
    expect(list.text).toContain(
      'petrol (built-in): Oil and filter (12 months or 10,000 mi), Tyre rotation (6,000 mi)',
    )
    expect(list.text).toContain(
      'ev (built-in): Tyre rotation (6,000 mi), Brake fluid (24 months), Cabin air filter (12 months), Battery coolant (60 months), Inspection (12 months)',
    )
    // diesel: no spark plugs
    expect(list.text).toContain(
      'Cabin air filter (12 months), Timing belt (60 months or 60,000 mi), Inspection (12 months)\nev',
    )
  })

  test('the garage’s own set: saved from a car, refused twice without replace, applied, removed', async () => {
    const saved = await say('/item preset_save name:Classic from:mustang')
    expect(saved).toMatchObject({ tone: 'ok', title: 'Saved the set Classic (9 items)' })

    const again = await say('/item preset_save name:classic from:golf')
    expect(again.tone).not.toBe('ok')
    expect(again.text).toContain('already has a set called "classic"; add replace:yes')
    const builtin = await say('/item preset_save name:petrol from:golf')
    expect(builtin.text).toContain('"petrol" is a built-in set')
    // the refusal stored nothing: the set still has mustang's 9 items
    expect((await say('/item preset')).text).toContain('Classic: Brake fluid (24 months)')
    // without a car, as saved (mustang's miles)
    expect((await say('/item preset')).text).toContain(
      'inspection (24 months), Oil and filter (12 months or 10,000 mi)',
    )

    await say('/car add beetle odometer:"1,000 km"')
    const applied = await say('/item preset car:beetle name:classic')
    expect(applied.title).toBe('Added 9 items of the Classic set to beetle')
    // mustang's 10,000 mi, converted to the km car
    expect((await itemsOf('beetle'))['Oil and filter']).toBe('12 / 16,093 km')

    const replaced = await say('/item preset_save name:classic from:golf replace:yes')
    expect(replaced.title).toBe('Replaced the set classic (8 items)')

    const removed = await say('/item preset_remove name:CLASSIC')
    expect(removed).toMatchObject({ tone: 'ok', title: 'Removed the set classic' })
    expect((await say('/item preset')).text).not.toContain('classic')
    const gone = await say('/item preset_remove name:classic')
    expect(gone.text).toContain('the garage has no set called "classic"; its sets: none yet')
    // the items it gave stay
    expect(Object.keys(await itemsOf('beetle'))).toHaveLength(9)
  })

  test('refusals name what is wrong and store nothing', async () => {
    await say('/item preset_save name:track from:golf')
    const unknown = await say('/item preset car:golf name:sports')
    expect(unknown.tone).not.toBe('ok')
    expect(unknown.text).toContain('no set called "sports"; the sets: petrol, diesel, ev, hybrid, track')

    const noCar = await say('/item preset car:ghost name:petrol')
    expect(noCar.tone).not.toBe('ok')
    expect(noCar.text).toContain('golf')

    await say('/car add bare')
    const noOdometer = await say('/item preset car:bare name:petrol')
    expect(noOdometer.text).toContain('bare has no odometer yet')
    expect(await itemsOf('bare')).toEqual({})
    expect(Object.keys(await itemsOf('golf'))).toHaveLength(8)
  })

  test('/car add’s Add starter items: the car’s starter set, once', async () => {
    const added = await say('/car add leaf odometer:"5,000 km"')
    const button = added.actions?.find((a) => a.label === 'Add starter items')
    expect(button?.id).toMatch(/^item\.starter:\d+$/)
    await say('/car edit leaf powertrain:ev')

    const first = await stack.press(button!.id, GARAGE)
    expect(first.title).toBe('Added 5 items of the ev set to leaf')
    expect(await itemsOf('leaf')).toEqual({
      'Tyre rotation': '- / 10,000 km',
      'Brake fluid': '24 / -',
      'Cabin air filter': '12 / -',
      'Battery coolant': '60 / -',
      Inspection: '12 / -',
    })
    const second = await stack.press(button!.id, GARAGE)
    expect(second.text).toContain('The ev set is already added to leaf')
    expect(Object.keys(await itemsOf('leaf'))).toHaveLength(5)

    // fuel type not known: petrol's
    const polo = await say('/car add polo odometer:"9,000 km"')
    expect((await stack.press(polo.actions![0]!.id, GARAGE)).title).toBe(
      'Added 9 items of the petrol set to polo',
    )
  })
})
