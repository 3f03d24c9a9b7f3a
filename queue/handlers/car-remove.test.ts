/**
 * /car remove across every service, and issues, photos and quotes pointing at a car by its id:
 * lines typed as in the terminal chat go through the real queue and orchestrator to the items,
 * issues, images and quotes services (SQLite in temporary folders).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseLine } from '../../catalog/grammar.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { renderText } from '../../lib/contracts/reply-text.ts'
import { makeJpeg } from '../../test/fixtures/images.ts'
import { type Stack, startStack } from '../../test/stack.ts'

let stack: Stack
beforeAll(async () => {
  stack = await startStack({ services: ['items', 'issues', 'images', 'quotes'] })
})
afterAll(async () => {
  await stack.close()
})

const km = (value: number) => ({ value, unit: 'km' as const, text: `${value} km` })

async function say(line: string, tenant: string): Promise<Reply & { shown: string }> {
  const parsed = parseLine(line)
  if (!parsed.ok) throw new Error(`grammar refused ${line}: ${parsed.error}`)
  const reply = await stack.command(parsed.kind, parsed.payload, { tenant, actor: { name: 'Ann' } })
  return { ...reply, shown: renderText(reply) }
}

async function get(
  service: 'items' | 'issues' | 'images' | 'quotes',
  path: string,
  tenant: string,
): Promise<any> {
  const res = await fetch(`${stack.url(service)}${path}`, { headers: stack.headers(tenant) })
  return { status: res.status, body: await res.json() }
}

let seed = 500
/** A photo filed on a car (and an issue), straight into the images service as the worker sends it. */
async function photo(tenant: string, car: { id: number; nickname: string }, issue?: number): Promise<string> {
  const qs = new URLSearchParams({
    car_id: String(car.id),
    car: car.nickname,
    uploader: 'u1',
    uploader_name: 'Ann',
  })
  if (issue) qs.set('issue', String(issue))
  const res = await fetch(`${stack.url('images')}/images?${qs}`, {
    method: 'POST',
    headers: { ...stack.headers(tenant), 'content-type': 'application/octet-stream' },
    body: await makeJpeg(64, 48, { seed: ++seed }),
  })
  expect(res.status).toBe(201)
  return ((await res.json()) as { photo: { sha256: string } }).photo.sha256
}

const carOf = async (tenant: string, nickname: string) =>
  (await get('items', `/cars/${nickname}`, tenant)).body

/** A car with an issue (a comment, a photo and two quotes) and a photo of its own; answers the issue number. */
async function carWithEverything(tenant: string, nickname: string): Promise<number> {
  expect((await say(`/car add ${nickname} odometer:"80000 km"`, tenant)).tone).toBe('ok')
  const opened = await say(`/issue log car:${nickname} title:"Rattle" severity:high`, tenant)
  expect(opened.tone).toBe('ok')
  const issue = Number(opened.ref?.replace('issue:', ''))
  expect((await say(`/issue comment number:${issue} text:"front left"`, tenant)).tone).toBe('ok')
  expect((await say(`/quote add issue:${issue} shop:Joe amount:640`, tenant)).tone).toBe('ok')
  expect((await say(`/quote add issue:${issue} shop:Bob amount:700`, tenant)).tone).toBe('ok')
  const car = await carOf(tenant, nickname)
  await photo(tenant, car)
  await photo(tenant, car, issue)
  return issue
}

describe('/car remove', () => {
  test('the preview counts what goes in every service and removes nothing; confirm removes all of it', async () => {
    const tenant = 'local:removal'
    const run = (kind: string, payload: unknown) => stack.command(kind, payload, { tenant })
    const issue = await carWithEverything(tenant, 'civic')
    expect((await run('item.add', { car: 'civic', name: 'Oil change', months: 6 })).tone).toBe('ok')
    expect((await run('item.add', { car: 'civic', name: 'Tyres', distance: km(40_000) })).tone).toBe('ok')
    expect(
      (await run('service.log', { car: 'civic', title: 'Oil', items: 'Oil change', odometer: km(80_100) }))
        .tone,
    ).toBe('ok')
    expect(
      (
        await run('fuel.log', {
          car: 'civic',
          volume: { value: 40, unit: 'L', text: '40 L' },
          odometer: km(80_400),
          full: true,
        })
      ).tone,
    ).toBe('ok')
    const id = (await carOf(tenant, 'civic')).id

    const preview = await run('car.remove', { car: 'civic' })
    expect(preview.tone).toBe('warn')
    expect(preview.title).toBe('Remove civic?')
    expect(preview.text).toBe(
      [
        'Removing civic deletes, in every service:',
        '• records: 3 odometer readings, 2 maintenance items, 1 service record and 1 fill-up',
        `• issues: 1 issue (#${issue}) with 1 comment`,
        '• photos: 2 photos',
        '• quotes: 2 quotes (1, 2)',
        'Nothing is removed yet: add confirm:yes to remove all of it (/car remove civic confirm:yes).',
      ].join('\n'),
    )
    expect((await run('item.list', { car: 'civic' })).tone).toBe('ok')
    expect((await get('issues', `/issues/${issue}`, tenant)).status).toBe(200)
    expect((await get('images', `/images?car=${id}`, tenant)).body.total).toBe(2)
    expect((await get('quotes', `/quotes?issue=${issue}`, tenant)).body.quotes).toHaveLength(2)

    const removed = await run('car.remove', { car: 'civic', confirm: true })
    expect(removed.tone).toBe('ok')
    expect(removed.title).toBe('Removed civic')
    expect(removed.text).toBe(
      [
        'civic is gone, with everything recorded for it:',
        '• records: 3 odometer readings, 2 maintenance items, 1 service record and 1 fill-up',
        `• issues: 1 issue (#${issue}) with 1 comment`,
        '• photos: 2 photos',
        '• quotes: 2 quotes (1, 2)',
      ].join('\n'),
    )
    expect((await get('items', '/items?car=civic', tenant)).status).toBe(404)
    expect((await get('issues', `/issues/${issue}`, tenant)).status).toBe(404)
    expect((await get('images', '/images', tenant)).body.total).toBe(0)
    expect((await get('quotes', `/quotes?issue=${issue}`, tenant)).body.quotes).toHaveLength(0)
  }, 30_000)

  test('a nickname (and id) used again after a removal inherits no issues, photos or quotes', async () => {
    const tenant = 'local:removal-reuse'
    const issue = await carWithEverything(tenant, 'golf')
    const before = await carOf(tenant, 'golf')
    expect((await say('/car remove golf confirm:yes', tenant)).tone).toBe('ok')
    expect((await say('/car add golf', tenant)).tone).toBe('ok')
    const again = await carOf(tenant, 'golf')
    // SQLite may give the newest car's id again: nothing may hang on it any more.
    expect(again.id).toBeGreaterThanOrEqual(before.id)
    const issues = await say('/issue list all:yes car:golf', tenant)
    expect(issues.text).toBe('No issues on golf. Log one with /issue log.')
    expect((await get('issues', '/issues?all=yes', tenant)).body.total).toBe(0)
    expect((await get('images', `/images?car=${again.id}`, tenant)).body.total).toBe(0)
    expect((await say('/car photos golf', tenant)).text).toContain('No photos of golf yet')
    expect((await say(`/quote list issue:${issue}`, tenant)).text).toContain(`no issue #${issue}`)
  }, 30_000)

  test('a service down: nothing is removed and the answer says so; the same command again removes it all', async () => {
    const tenant = 'local:removal-down'
    const issue = await carWithEverything(tenant, 'polo')
    await stack.stopService('quotes')
    let down: Reply
    try {
      down = await stack.reply(
        await stack.dispatch('car.remove', { car: 'polo', confirm: true }, { tenant }),
        20_000,
      )
    } finally {
      await stack.startService('quotes')
    }
    expect(down.tone).toBe('error')
    expect(down.text).toContain('The quotes service is still unavailable')
    expect(down.text).toContain('this was not done')
    const car = await carOf(tenant, 'polo')
    expect(car.nickname).toBe('polo')
    expect((await get('issues', `/issues/${issue}`, tenant)).status).toBe(200)
    expect((await get('images', `/images?car=${car.id}`, tenant)).body.total).toBe(2)
    expect((await get('quotes', `/quotes?issue=${issue}`, tenant)).body.quotes).toHaveLength(2)

    const retried = await say('/car remove polo confirm:yes', tenant)
    expect(retried.tone).toBe('ok')
    expect(retried.text).toContain('• photos: 2 photos')
    expect(retried.text).toContain('• quotes: 2 quotes')
    expect((await get('items', '/cars/polo', tenant)).status).toBe(404)
    expect((await get('issues', `/issues/${issue}`, tenant)).status).toBe(404)
    expect((await get('images', '/images', tenant)).body.total).toBe(0)
    expect((await get('quotes', `/quotes?issue=${issue}`, tenant)).body.quotes).toHaveLength(0)
  }, 60_000)
})

describe('issues, photos and quotes name a car as it is now', () => {
  test('after a rename, /issue list and show, /car photos, /quote list and /photo remove show the new name', async () => {
    const tenant = 'local:rename'
    const issue = await carWithEverything(tenant, 'golf')
    const edited = await say('/car edit golf nickname:rabbit', tenant)
    expect(edited.tone).toBe('ok')

    const list = await say('/issue list', tenant)
    expect(list.text).toContain(`#${issue} rabbit — Rattle`)
    expect(list.shown).not.toContain('golf')
    const shown = await say(`/issue show number:${issue}`, tenant)
    expect(shown.fields?.find((f) => f.name === 'Car')?.value).toBe('rabbit')
    const quotes = await say(`/quote list issue:${issue}`, tenant)
    expect(quotes.title).toBe(`2 quotes for issue #${issue} (Rattle) on rabbit`)
    const accepted = await say('/quote accept id:1', tenant)
    expect(accepted.text).toContain('/service log car:rabbit')
    const photos = await say('/car photos rabbit', tenant)
    expect(photos.title).toBe('rabbit: 2 photos')
    const car = await carOf(tenant, 'rabbit')
    const own = (await get('images', `/images?car=${car.id}`, tenant)).body.photos.find(
      (p: { issue: number | null }) => p.issue === null,
    )
    const removed = await say(`/photo remove photo:${own.id}`, tenant)
    expect(removed.text).toContain('is no longer part of rabbit.')
  }, 30_000)
})
