/**
 * The digest a garage asks for with `/garage settings digest:weekly|monthly`: posted by the
 * reminder tick (queue/reminders.ts) in the reminder channel at the garage's reminder hour, once
 * per period (the items service claims each period in SQLite: services/items/reminders/digests.ts).
 * It says what falls due next, what was spent over the period it tells of against the one before
 * (each car's `/calc cost` of those days), each car's economy over the two (the calculator's
 * segments, as `/car stats`), with one small chart of the spending per car.
 */
import { createHash } from 'node:crypto'
import type { Config } from '../../../lib/config.ts'
import type { Reply, ReplyJob, ReplyTo } from '../../../lib/contracts/envelope.ts'
import { replyJobId } from '../../../lib/contracts/queues.ts'
import { SERVICES } from '../../../lib/contracts/services.ts'
import { dayNumber, formatDate } from '../../../lib/domain/dates.ts'
import { formatMoney, fromMinor } from '../../../lib/domain/money.ts'
import { ECONOMY_LABEL, type EconomyUnit, fromKmPerLitre } from '../../../lib/domain/units.ts'
import type { Logger } from '../../../lib/log.ts'
import type { DigestClaim } from '../../../services/items/reminders/model.ts'
import { calculatorClient, callCalculator } from '../../clients/calculator.ts'
import { callItems, itemsClient, itemsSchedulerClient } from '../../clients/items.ts'
import { drawChart, storeFile } from '../../clients/reports.ts'
import { type HandlerContext, ServiceUnavailable, uncachedStamps } from '../../handler.ts'
import { NO_PICTURE } from './charts.ts'
import { carData, costOf, fmt } from './costs.ts'
import { itemLine } from './format.ts'
import { garageOf } from './lookups.ts'

/** Items a digest lists as falling due next. */
export const DIGEST_ITEMS = 5

/** The envelope id of a garage's digest of a period (letters, digits and - only). */
export const digestEnvelopeId = (tenant: string, period: string) =>
  `digest-${createHash('sha256').update(`${tenant}\n${period}`).digest('hex').slice(0, 32)}`

/** A context for the services of one garage, as the tick calls them (no job: the service token and X-Tenant). */
export function digestContext(config: Config, log: Logger, now: () => Date, claim: DigestClaim): HandlerContext {
  const id = digestEnvelopeId(claim.tenant, claim.period)
  return {
    envelope: {
      id,
      kind: 'garage.digest',
      tenant: claim.tenant,
      actor: { platform: 'local', userId: 'digest', name: 'Car Manager' },
      replyTo: { platform: 'local', session: 'digest' },
      payload: {},
      at: now().getTime(),
    } as HandlerContext['envelope'],
    serviceUrl: (name) => String(config[SERVICES[name].url]),
    serviceHeaders: (opts) => ({
      authorization: `Bearer ${config.SERVICE_TOKEN ?? ''}`,
      'x-tenant': claim.tenant,
      'x-request-id': id,
      ...(opts?.write ? { 'idempotency-key': opts.key ?? id } : {}),
    }),
    now,
    log,
    config,
    finalAttempt: true,
    stamps: uncachedStamps,
  }
}

const days = (s: { from: string; to: string }) => dayNumber(s.to) - dayNumber(s.from) + 1

/** The digest of a claimed period, its chart drawn and stored (or said unavailable). */
export async function digestReply(ctx: HandlerContext, claim: DigestClaim): Promise<Reply> {
  const g = await garageOf(ctx)
  const money = (minor: number) => formatMoney(minor, g.currency, 0, g.numbers)
  const span = (s: { from: string; to: string }) => `${formatDate(s.from, g.dates)} – ${formatDate(s.to, g.dates)}`
  const which = claim.digest === 'weekly' ? 'week' : 'month'
  const [{ cars }, { items }] = await Promise.all([
    callItems(itemsClient(ctx).cars.get()),
    callItems(itemsClient(ctx).reminders.get({ query: {} })),
  ])
  const lines: string[] = []
  const due = items.slice(0, DIGEST_ITEMS)
  lines.push(
    due.length
      ? `Falling due next:\n${due.map((i) => `• ${itemLine(i, g.dates, true)}`).join('\n')}${items.length > due.length ? `\n… and ${items.length - due.length} more (/reminders)` : ''}`
      : 'Falling due next:\nNothing is scheduled (add maintenance items with /item add).',
  )
  const per: { nickname: string; now: number; before: number; economy: string | null }[] = []
  for (const c of cars) {
    const d = await carData(ctx, c.nickname, g.currency)
    const [now, before, eco] = await Promise.all([
      costOf(ctx, d, { ...g, today: claim.covers.to }, days(claim.covers)),
      costOf(ctx, d, { ...g, today: claim.before.to }, days(claim.before)),
      d.fillUps.length ? callCalculator(calculatorClient(ctx).economy.post({ fillUps: d.fillUps })) : null,
    ])
    const within = (s: { from: string; to: string }) =>
      (eco?.entries ?? []).reduce(
        (a, e) => (e.segment && e.date >= s.from && e.date <= s.to ? { km: a.km + e.segment.km, litres: a.litres + e.segment.litres } : a),
        { km: 0, litres: 0 },
      )
    const unit = d.car.economy_unit as EconomyUnit
    const show = (x: { km: number; litres: number }) => `${fmt(fromKmPerLitre(x.km / x.litres, unit), 1, g.numbers)} ${ECONOMY_LABEL[unit]}`
    const a = within(claim.covers)
    const b = within(claim.before)
    const economy =
      d.car.odometer_unit === 'h' || a.litres === 0
        ? null
        : `${show(a)}${b.litres > 0 ? ` (the ${which} before: ${show(b)})` : ''}`
    per.push({ nickname: c.nickname, now: now.totalMinor, before: before.totalMinor, economy })
  }
  const total = per.reduce((a, p) => a + p.now, 0)
  const previous = per.reduce((a, p) => a + p.before, 0)
  const change =
    previous > 0 ? ` (${total >= previous ? '+' : '−'}${Math.round((Math.abs(total - previous) / previous) * 100)}%)` : ''
  lines.push(
    `Spent ${span(claim.covers)}:\n${money(total)} against ${money(previous)} the ${which} before${change}` +
      (per.length > 1 ? `\n${per.map((p) => `• ${p.nickname}: ${money(p.now)} (before: ${money(p.before)})`).join('\n')}` : ''),
  )
  const trend = per.filter((p) => p.economy)
  lines.push(
    trend.length
      ? `Fuel economy:\n${trend.map((p) => `• ${p.nickname}: ${p.economy}`).join('\n')}`
      : `Fuel economy:\nNo full-to-full segment closed this ${which}.`,
  )
  const reply: Reply = {
    tone: 'ok',
    title: `${claim.digest === 'weekly' ? 'Weekly' : 'Monthly'} digest: ${span(claim.covers)}`,
    text: lines.join('\n\n').slice(0, 4000),
  }
  if (per.length === 0 || (total === 0 && previous === 0)) return reply
  let png: Uint8Array
  try {
    png = await drawChart(ctx, {
      title: `Spent per car: this ${which} and the one before`,
      x: { kind: 'category', labels: per.map((p) => p.nickname) },
      y: { label: g.currency },
      series: [
        { name: `${which} before`, type: 'bar', color: '#9ca3af', values: per.map((p) => Number(fromMinor(p.before, g.currency).toFixed(2))) },
        { name: `this ${which}`, type: 'bar', values: per.map((p) => Number(fromMinor(p.now, g.currency).toFixed(2))) },
      ],
      width: 600,
      height: 300,
    })
  } catch (error) {
    if (!(error instanceof ServiceUnavailable)) throw error
    return { ...reply, tone: 'warn', text: `${reply.text}\n${NO_PICTURE}`.slice(0, 4000) }
  }
  return { ...reply, file: await storeFile(ctx, png, `digest-${claim.period.replace(':', '-')}.png`, 'image/png') }
}

export type DigestTickOptions = {
  config: Config
  log: Logger
  now: () => Date
  /** Where a garage's reminders go (the reminder channel), as the reminder tick posts them. */
  target: (tenant: string, channel: string) => ReplyTo
  /** Posts a reply job once under its job id. */
  post: (job: ReplyJob, jobId: string) => Promise<unknown>
}

/**
 * The digests due now: claimed from items, each built and posted in its reminder channel, then
 * acknowledged. One that fails is logged and handed out again after the claim's retry time; the
 * reply job id (from the garage and period) keeps its post single. Answers how many were posted.
 */
export async function digestTick(o: DigestTickOptions): Promise<number> {
  const items = itemsSchedulerClient(o.config)
  const claimed = await items.digests.claim.post({ at: o.now().toISOString() })
  if (claimed.error || !claimed.data || !('digests' in claimed.data)) throw new Error(`digest claim failed (${claimed.status})`)
  let posted = 0
  for (const claim of claimed.data.digests) {
    try {
      const ctx = digestContext(o.config, o.log, o.now, claim)
      const reply = await digestReply(ctx, claim)
      const id = ctx.envelope.id
      await o.post({ envelopeId: id, tenant: claim.tenant, replyTo: o.target(claim.tenant, claim.channel), reply }, replyJobId(id))
      const acked = await items.digests.ack.post({ tenant: claim.tenant, period: claim.period })
      if (acked.error) o.log.warn({ status: acked.status, tenant: claim.tenant }, 'digest ack failed; its reply job id keeps the post single')
      posted++
    } catch (err) {
      o.log.warn({ err: (err as Error).message, tenant: claim.tenant, period: claim.period }, 'could not post a digest; it is handed out again later')
    }
  }
  if (posted) o.log.info({ posted }, 'digests posted')
  return posted
}
