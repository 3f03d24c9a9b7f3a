/**
 * Photos: `photo.attach` (an image dropped in a channel or thread), `photo.add` (the slash
 * command with its attachment) and `photo.file` (the "which car?" buttons). A car's gallery,
 * `car.photos`, is answered with the rest of /car (car.ts).
 *
 * The worker downloads at once (platform URLs expire) under the rules of
 * queue/clients/download.ts, stores each photo in the images service, and files it on the
 * first target found: the job's explicit target, the thread's ref (`issue:12`), the message text
 * ("corolla", "#12"), the channel's default car; otherwise it keeps the photo unfiled and asks
 * with a button per car.
 */
import { Type as T } from '@sinclair/typebox'
import { actionId } from '../../catalog/actions.ts'
import photo from '../../catalog/commands/photo.ts'
import { callImages, imagesClient, removePhotos, uploadPhoto } from '../clients/images.ts'
import { attachmentBytes, DownloadRefused } from '../clients/download.ts'
import type { UploadResult } from '../../services/images/model.ts'
import { callIssues, issuesClient } from '../clients/issues.ts'
import { callItems, itemsClient } from '../clients/items.ts'
import type { Action, Reply } from '../../lib/contracts/envelope.ts'
import { clip, plural } from '../../lib/domain/text.ts'
import { type HandlerContext, type HandlerFamily, handlers, UserError } from '../handler.ts'
import { carRef, issueRef } from './shared/format.ts'
import { type CarNames, carName, carNames, withCarName } from './shared/car-names.ts'
import { actorOf, photoRef, resolveCar } from './shared/lookups.ts'

const FileSchema = T.Object({
  url: T.String({ minLength: 1, maxLength: 2000 }),
  filename: T.String({ maxLength: 255 }),
  size: T.Integer({ minimum: 0 }),
  contentType: T.Optional(T.String({ maxLength: 200 })),
  /** Slack: the id the app kept the file under in the images service's files (queue/clients/download.ts). */
  stored: T.Optional(T.String({ pattern: '^[0-9a-f]{32}$' })),
  /** Slack: why the app could not download it (said in the answer when the drop is taken). */
  refused: T.Optional(T.String({ maxLength: 500 })),
})

/** The `photo.attach` payload the bots dispatch (bots/discord/photos.ts, bots/slack/events/index.ts). */
export const AttachPayload = T.Object({
  files: T.Array(FileSchema, { minItems: 1, maxItems: 10 }),
  text: T.String({ maxLength: 4000 }),
  channelId: T.String({ maxLength: 100 }),
  threadId: T.Optional(T.String({ maxLength: 100 })),
  threadRef: T.Optional(T.String({ maxLength: 100 })),
  target: T.Optional(
    T.Object({
      car: T.Optional(T.String({ minLength: 1, maxLength: 100 })),
      issue: T.Optional(T.Integer({ minimum: 1 })),
    }),
  ),
})
export type AttachPayload = typeof AttachPayload.static

type Car = { id: number; nickname: string }
type Target = { car: Car; issue?: { number: number; title: string } }

async function issueTarget(ctx: HandlerContext, number: number): Promise<Target> {
  const i = await withCarName(ctx, await callIssues(issuesClient(ctx).issues({ number }).get()))
  return { car: { id: i.car_id, nickname: i.car }, issue: { number: i.number, title: i.title } }
}

/** The first target that applies, or undefined when the photo's place is unclear. */
export async function resolveTarget(ctx: HandlerContext, p: AttachPayload): Promise<Target | undefined> {
  if (p.target?.issue !== undefined) return issueTarget(ctx, p.target.issue)
  if (p.target?.car) return { car: await resolveCar(ctx, p.target.car) }
  const ref = p.threadRef ? /^(issue|car):(.+)$/.exec(p.threadRef) : null
  if (ref?.[1] === 'issue' && /^\d+$/.test(ref[2]!)) return issueTarget(ctx, Number(ref[2]))
  if (ref?.[1] === 'car') {
    try {
      return { car: await resolveCar(ctx, ref[2]!) }
    } catch (error) {
      // The thread's car was renamed or removed since: look further.
      if (!(error instanceof UserError)) throw error
    }
  }
  const hash = /(?:^|\s)#(\d{1,9})\b/.exec(p.text)
  if (hash) return issueTarget(ctx, Number(hash[1]))
  const words = new Set(p.text.toLowerCase().match(/[\p{L}\p{N}_-]+/gu) ?? [])
  if (words.size > 0) {
    const { cars } = await callItems(itemsClient(ctx).cars.get())
    const named = cars.find((c) => words.has(c.nickname.toLowerCase()))
    if (named) return { car: { id: named.id, nickname: named.nickname } }
  }
  if (p.channelId) {
    const settings = await callItems(itemsClient(ctx).settings.get({ query: { channel: p.channelId } }))
    if (settings.photo_channel_car) return { car: settings.photo_channel_car }
  }
  return undefined
}

/** Where a stored photo is filed, as the garage reads it. */
const placeOf = (ph: { car_id: number | null; car: string | null; issue: number | null }, names: CarNames) =>
  ph.issue ? `issue #${ph.issue}` : (carName(names, ph.car_id, ph.car) ?? 'this garage (unfiled)')

/** "12" or "12, 13": the numbers /photo remove takes. */
const numbers = (stored: UploadResult[]) => clip(stored.map((r) => r.photo.id).join(', '), 1024)

const what = (t: Target) =>
  t.issue ? `issue #${t.issue.number} ${t.issue.title} (${t.car.nickname})` : t.car.nickname
const refOf = (t: Target): string => (t.issue ? issueRef(t.issue.number) : carRef(t.car.nickname))

/** Downloads every file at once; refusals are collected, not thrown, so good files still land. */
async function downloadAll(ctx: HandlerContext, p: AttachPayload) {
  const got: { bytes: Uint8Array; filename: string; index: number }[] = []
  const refused: string[] = []
  for (const [index, f] of p.files.entries()) {
    if (f.size > ctx.config.IMAGE_MAX_BYTES) {
      refused.push(
        `${f.filename}: ${(f.size / 1024 / 1024).toFixed(0)} MB is over the limit of ${(ctx.config.IMAGE_MAX_BYTES / 1024 / 1024).toFixed(0)} MB`,
      )
      continue
    }
    try {
      const bytes = await attachmentBytes(f, {
        platform: ctx.envelope.actor.platform,
        config: ctx.config,
        filename: f.filename,
        tenant: ctx.envelope.tenant,
      })
      got.push({ bytes, filename: f.filename, index })
    } catch (error) {
      if (!(error instanceof DownloadRefused)) throw error
      refused.push(error.message)
    }
  }
  return { got, refused }
}

/** Stores the photos (filed on the target, or unfiled) and links issue photos in the issues service. */
async function store(
  ctx: HandlerContext,
  files: { bytes: Uint8Array; filename: string; index: number }[],
  target?: Target,
) {
  const stored: UploadResult[] = []
  const refused: string[] = []
  for (const f of files) {
    try {
      const r = await uploadPhoto(
        ctx,
        f.bytes,
        {
          uploader: ctx.envelope.actor.userId,
          uploader_name: ctx.envelope.actor.name,
          filename: clip(f.filename, 255),
          ...(target ? { car_id: target.car.id, car: target.car.nickname } : {}),
          ...(target?.issue ? { issue: target.issue.number } : {}),
        },
        `${ctx.envelope.id}-${f.index}`,
      )
      if (target?.issue) {
        await callIssues(
          issuesClient(ctx, { write: true, key: `${ctx.envelope.id}-${f.index}` })
            .issues({ number: target.issue.number })
            .photos.post({ sha256: r.photo.sha256, actor: actorOf(ctx) }),
        )
      }
      stored.push(r)
    } catch (error) {
      if (!(error instanceof UserError)) throw error
      refused.push(`${f.filename}: ${error.message}`)
    }
  }
  return { stored, refused }
}

function failures(refused: string[]): string {
  return refused.length === 0 ? '' : `\nNot added:\n${refused.map((r) => `• ${clip(r, 300)}`).join('\n')}`
}

/** "Which car?" buttons: `photo.file:<ids>|<car>` within Discord's 100 characters. */
function fileButtons(ids: number[], cars: Car[]): Action[] {
  return cars.slice(0, 5).flatMap((c) => {
    const suffix = `|${c.nickname}`
    let list = ''
    for (const id of ids) {
      const next = list ? `${list},${id}` : String(id)
      if (actionId('photo.file', `${next}${suffix}`).length > 100) break
      list = next
    }
    const id = actionId('photo.file', `${list}${suffix}`)
    return list && id.length <= 100 ? [{ id, label: clip(c.nickname, 80), style: 'primary' as const }] : []
  })
}

/**
 * A photo dropped in a channel (`photo.attach`) is taken only where a rule files it: the bot's
 * own thread (its ref), a car or #issue named beside it, or a channel with a default car. The
 * target is resolved before anything is downloaded, so an unrelated photo costs no download, and
 * no answer: a holiday picture in a chat channel is not the garage's business.
 */
async function drop(ctx: HandlerContext, p: AttachPayload): Promise<Reply | null> {
  const target = await resolveTarget(ctx, p)
  if (!target && !p.threadRef) return null
  return attach(ctx, p, target)
}

/** Downloads, stores and files the photos of `p` on its target (none: the reply asks which car). */
export async function attach(ctx: HandlerContext, p: AttachPayload, target: Target | undefined): Promise<Reply> {
  // Download at once at once (platform URLs expire); a refused file needs nothing stored.
  const { got, refused } = await downloadAll(ctx, p)
  if (got.length === 0) throw new UserError(`No photo was added.${failures(refused)}`)
  const result = await store(ctx, got, target)
  const problems = [...refused, ...result.refused]
  if (result.stored.length === 0) throw new UserError(`No photo was added.${failures(problems)}`)
  const newest = result.stored.at(-1)!
  const image = { sha256: newest.photo.sha256, size: 256 as const, alt: newest.photo.filename ?? 'photo' }
  const n = result.stored.length
  if (!target) {
    // An unfiled photo is removed after IMAGE_UNFILED_DAYS (the images service's expiry).
    const days = plural(ctx.config.IMAGE_UNFILED_DAYS, 'day')
    const { cars } = await callItems(itemsClient(ctx).cars.get())
    if (cars.length === 0) {
      return {
        tone: 'warn',
        text: `Kept ${n === 1 ? 'the photo' : `${n} photos`} for ${days}, but this garage has no cars yet: add one with /car add, then /photo add.${failures(problems)}`,
        image,
      }
    }
    const actions = fileButtons(
      result.stored.map((r) => r.photo.id),
      cars.map((c) => ({ id: c.id, nickname: c.nickname })),
    )
    const more = cars.length > actions.length ? ` (or say it with /photo add car:<car>)` : ''
    return {
      tone: 'warn',
      title: 'Which car is this?',
      text: `Kept ${n === 1 ? 'the photo' : `${n} photos`} for ${days}; pick the car${more}. Next time, name the car or #issue in the message.${failures(problems)}`,
      image,
      actions,
      fields: [{ name: n === 1 ? 'Photo' : 'Photos', value: numbers(result.stored), inline: true }],
    }
  }
  const already = result.stored.every((r) => r.linked_before)
  return {
    tone: problems.length > 0 ? 'warn' : 'ok',
    title: clip(
      already
        ? `Already on ${what(target)}`
        : `Added ${n === 1 ? 'a photo' : `${n} photos`} to ${what(target)}`,
      256,
    ),
    text: `${already ? 'That photo was already there; nothing new stored.' : `Now part of ${what(target)}.`}${failures(problems)}`,
    // The numbers /photo remove takes.
    fields: [{ name: result.stored.length === 1 ? 'Photo' : 'Photos', value: numbers(result.stored), inline: true }],
    image,
    ref: refOf(target),
  }
}

export default {
  ...handlers(photo, {
    add: async (p, ctx) => {
      const replyTo = ctx.envelope.replyTo
      const channelId = replyTo.platform === 'local' ? '' : replyTo.channelId
      const payload: AttachPayload = {
        files: [p.file],
        text: '',
        channelId,
        ...(p.car || p.issue
          ? { target: { ...(p.car ? { car: p.car } : {}), ...(p.issue ? { issue: p.issue } : {}) } }
          : {}),
      }
      return attach(ctx, payload, await resolveTarget(ctx, payload))
    },
    remove: async (p, ctx) => {
      const request = photoRef(p.photo)
      const r = await removePhotos(ctx, request)
      const first = r.removed[0]!
      const names = await carNames(ctx)
      const where = [...new Set(r.removed.map((ph) => placeOf(ph, names)))].join(', ')
      return {
        tone: 'ok',
        title: `Removed photo ${first.id}`,
        text: `${clip(first.filename ?? first.sha256.slice(0, 8), 80)} is no longer part of ${where}.${r.files_removed > 0 ? ' Its file is deleted.' : ''}`,
      }
    },
  }),

  'photo.attach': { schema: AttachPayload, run: (p: AttachPayload, ctx) => drop(ctx, p) },

  'photo.file': {
    schema: T.Object({ arg: T.String({ maxLength: 100 }) }),
    run: async (p: { arg: string }, ctx) => {
      const m = /^(\d{1,12}(?:,\d{1,12})*)\|(.{1,64})$/.exec(p.arg)
      if (!m) throw new UserError('That button is not valid any more; use /photo add car:<car>')
      const car = await resolveCar(ctx, m[2]!)
      const photos = []
      for (const id of m[1]!.split(',').map(Number)) {
        photos.push(
          await callImages(
            imagesClient(ctx, { write: true })
              .images.links({ id })
              .post({ car_id: car.id, car: car.nickname }),
          ),
        )
      }
      const newest = photos.at(-1)!
      return {
        tone: 'ok',
        title: `Filed on ${car.nickname}`,
        text: `${photos.length === 1 ? 'The photo is' : `${photos.length} photos are`} now part of ${car.nickname}.`,
        image: { sha256: newest.sha256, size: 256, alt: newest.filename ?? 'photo' },
        ref: carRef(car.nickname),
      }
    },
  },
} satisfies HandlerFamily
