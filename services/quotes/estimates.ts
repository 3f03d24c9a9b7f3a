/**
 * Estimates: labour hours × the shop's rate + parts, then tax, from hours given or from a
 * catalog of common jobs whose book hours a garage can override with its own.
 */
import type { Database } from 'bun:sqlite'
import { invalid } from '../../lib/domain/invalid.ts'
import { toMinor } from '../../lib/domain/money.ts'
import type { EstimateBody, Job } from './model.ts'

/** Typical book labour hours of common jobs (a garage overrides them with its own). */
export const JOBS: readonly { name: string; hours: number }[] = [
  { name: 'Oil and filter change', hours: 0.5 },
  { name: 'Brake pads, front', hours: 1.5 },
  { name: 'Brake pads, rear', hours: 1.5 },
  { name: 'Brake pads and rotors, front', hours: 2.5 },
  { name: 'Brake fluid flush', hours: 1.0 },
  { name: 'Battery replacement', hours: 0.5 },
  { name: 'Spark plugs, 4-cylinder', hours: 1.0 },
  { name: 'Spark plugs, V6', hours: 2.5 },
  { name: 'Timing belt and water pump', hours: 4.5 },
  { name: 'Water pump', hours: 3.0 },
  { name: 'Alternator', hours: 2.0 },
  { name: 'Starter motor', hours: 1.5 },
  { name: 'Clutch replacement', hours: 6.0 },
  { name: 'Serpentine belt', hours: 0.8 },
  { name: 'Coolant flush', hours: 1.0 },
  { name: 'Thermostat', hours: 1.2 },
  { name: 'Radiator', hours: 2.5 },
  { name: 'Transmission fluid change', hours: 1.0 },
  { name: 'Wheel alignment', hours: 1.0 },
  { name: 'Tyre rotation', hours: 0.5 },
  { name: 'Shock absorbers, front pair', hours: 2.0 },
  { name: 'Struts, front pair', hours: 3.0 },
  { name: 'Engine air filter', hours: 0.2 },
  { name: 'Cabin air filter', hours: 0.3 },
  { name: 'A/C recharge', hours: 1.0 },
  { name: 'Oxygen sensor', hours: 0.8 },
  { name: 'Wheel bearing, front', hours: 2.0 },
  { name: 'CV axle, front', hours: 1.8 },
]

const jobKey = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()

export function listJobs(db: Database, tenant: string): Job[] {
  const overrides = new Map(
    (
      db.query('SELECT job_key, hours FROM job_overrides WHERE tenant = ?').all(tenant) as {
        job_key: string
        hours: number
      }[]
    ).map((o) => [o.job_key, o.hours]),
  )
  return JOBS.map((j) => {
    const own = overrides.get(jobKey(j.name))
    return { name: j.name, typicalHours: j.hours, hours: own ?? j.hours, overridden: own !== undefined }
  })
}

/** A catalog job by name: exact (ignoring case and punctuation), else the one job whose name contains every word typed. */
export function findJob(db: Database, tenant: string, name: string) {
  const jobs = listJobs(db, tenant)
  const key = jobKey(name)
  const exact = jobs.find((j) => jobKey(j.name) === key)
  if (exact) return exact
  const words = key.split(' ').filter(Boolean)
  const matches = jobs.filter((j) =>
    words.every((w) =>
      jobKey(j.name)
        .split(' ')
        .some((jw) => jw.startsWith(w.replace(/s$/, ''))),
    ),
  )
  if (matches.length === 1) return matches[0]!
  const list = (matches.length > 1 ? matches : jobs).map((j) => j.name)
  throw invalid(
    'job',
    `${matches.length > 1 ? `"${name}" could be several jobs` : `no job "${name}" in the catalog`}: ${list.slice(0, 12).join('; ')}${list.length > 12 ? '; …' : ''}`,
  )
}

/** Labour hours a person gave: more than 0 and at most 200. */
function checkHours(hours: number): number {
  if (!Number.isFinite(hours) || hours <= 0 || hours > 200)
    throw invalid('hours', `must be more than 0 and at most 200 (got ${hours})`)
  return hours
}

export function overrideJob(db: Database, tenant: string, name: string, hours: number, now: Date): Job {
  checkHours(hours)
  const job = findJob(db, tenant, name)
  db.query(
    'INSERT INTO job_overrides (tenant, job_key, hours, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (tenant, job_key) DO UPDATE SET hours = excluded.hours, updated_at = excluded.updated_at',
  ).run(tenant, jobKey(job.name), hours, now.toISOString())
  return { ...job, hours, overridden: true }
}

/** hours × rate + parts, then tax on the whole; itemised in integer minor units. */
export function estimate(db: Database, tenant: string, input: EstimateBody) {
  const job = input.job ? findJob(db, tenant, input.job) : null
  const given = input.hours ?? job?.hours
  if (given === undefined)
    throw invalid('hours', 'give the labour hours (hours:1.5) or a catalog job (job:"Brake pads, front")')
  const hours = checkHours(given)
  if (!input.rate) throw invalid('rate', "give the shop's hourly labour rate, e.g. rate:120")
  const rate = toMinor('rate', input.rate, input.currency)
  const parts = input.parts ? toMinor('parts', input.parts, input.currency, { allowZero: true }) : 0
  const tax = input.taxPercent ?? 0
  if (!Number.isFinite(tax) || tax < 0 || tax > 50)
    throw invalid('tax', `${tax}% is not a sales tax rate this accepts (0% to 50%)`)
  const labour = Math.round(hours * rate)
  const subtotal = labour + parts
  const taxMinor = Math.round((subtotal * tax) / 100)
  return {
    currency: input.currency,
    job: job ? { name: job.name, hours: job.hours, overridden: job.overridden } : null,
    hours,
    rateMinor: rate,
    labourMinor: labour,
    partsMinor: parts,
    subtotalMinor: subtotal,
    taxPercent: tax,
    taxMinor,
    totalMinor: subtotal + taxMinor,
  }
}
