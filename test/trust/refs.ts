/**
 * How a request or a command names another object: which path params, query and body fields
 * are references (to a car, an item, an issue, a quote, a photo …), and for a tenant's holdings,
 * the values that name its objects. The isolation tests put tenant A's values where tenant B's
 * request names something and compare the answer with the one for an object that does not exist.
 */
import type { ServiceName } from '../../lib/contracts/services.ts'
import type { Holdings } from './seed.ts'

export type RefKind =
  | 'car'
  | 'carId'
  | 'carPrefix'
  | 'item'
  | 'itemName'
  | 'issue'
  | 'issueQuery'
  | 'quote'
  | 'record'
  | 'sha256'
  | 'photoLink'
  | 'token'
  | 'webhook'

/**
 * Reference fields by `service:name` (then `*:name`). A path param missing from here fails the
 * isolation test by name, so a new route with a new kind of id is not silently skipped.
 */
const REFS: Record<string, RefKind> = {
  // The gallery's ?car= is the car's id in the items service.
  'images:GET /images:car': 'carId',
  'issues:car': 'carId',
  '*:car': 'car',
  '*:car_id': 'carId',
  'items:q': 'carPrefix',
  'items:id': 'item',
  'items:item': 'itemName',
  '*:issue': 'issue',
  'issues:number': 'issue',
  'issues:q': 'issueQuery',
  'quotes:number': 'quote',
  '*:quote_id': 'quote',
  '*:record_id': 'record',
  '*:recordId': 'record',
  '*:sha256': 'sha256',
  'images:id': 'photoLink',
  // A car's id, where an export is narrowed to one car.
  'items:GET /export:car': 'carId',
  'issues:GET /export:car': 'carId',
  'images:GET /export:car': 'carId',
  'quotes:GET /export:car': 'carId',
  // Random ids of short-lived objects a garage made (a pending import, an export's file): the
  // seeded garages hold none, so only the refusal without X-Tenant is checked here; their
  // tenant scope is in services/items/imports/app.test.ts and services/images/files.test.ts.
  'items:POST /imports/commit:id': 'token',
  'items:POST /imports/cancel:id': 'token',
  'images:GET /files/:id:id': 'token',
  // A garage's webhook by its number (#1), numbered per garage.
  'items:POST /webhooks/remove:number': 'webhook',
  'items:POST /webhooks/resume:number': 'webhook',
  'items:GET /webhooks/log:number': 'webhook',
  'items:GET /webhooks/target:number': 'webhook',
  'items:POST /webhooks/outcome:number': 'webhook',
}

/** Path params that name no object; the value to use. */
export const NON_REF_PARAMS: Record<string, string> = {
  'images:size': '256',
  // the id of a change of a comment or a quote, for its Undo (tenant-scoped in the service;
  // services/issues/comments.test.ts and services/quotes/changes.test.ts check another garage's)
  'issues:change': '1',
  'quotes:change': '1',
  // the id of an issue change (#I12) for /garage undo; another garage's is refused like a
  // missing one in services/issues/changes.test.ts
  'issues:id': '1',
  // a calendar feed's file (`<token>.ics`): the token is the garage's secret, not a reference
  // to an object; another garage's feed is checked in services/api/app.test.ts
  'api:file': 'cal_none.ics',
  // a pending import's random id (hex); another garage's answers like a missing one
  // (services/items/imports/app.test.ts)
  'items:pending': '00000000000000000000aaaa',
}

export function refKind(
  service: ServiceName,
  name: string,
  route?: { method: string; path: string },
): RefKind | undefined {
  return (
    (route ? REFS[`${service}:${route.method} ${route.path}:${name}`] : undefined) ??
    REFS[`${service}:${name}`] ??
    REFS[`*:${name}`]
  )
}

const MISSING_NUMBER = '987654'

/** Values naming A's objects of a kind (all the ways: nickname, id, #number, prefix …). */
export function valuesOf(kind: RefKind, h: Holdings): string[] {
  const top = (list: number[]) => (list.length ? [String(Math.max(...list))] : [])
  switch (kind) {
    case 'car':
      return h.car ? [h.car.nickname, h.car.nickname.toUpperCase(), String(h.car.id)] : []
    case 'carId':
      return h.car ? [String(h.car.id)] : []
    case 'carPrefix':
      return h.car
        ? [h.car.nickname.slice(0, 1), h.car.nickname.slice(0, 3).toUpperCase(), h.car.nickname]
        : []
    case 'item':
      return h.itemId ? [String(h.itemId)] : []
    case 'itemName':
      return h.itemName ? [h.itemName] : []
    case 'issue':
      return top(h.issues)
    case 'issueQuery':
      return h.issues.length
        ? [`#${Math.max(...h.issues)}`, String(Math.max(...h.issues)), h.markers[0]!]
        : []
    case 'quote':
      return top(h.quotes)
    case 'record':
      return h.recordId ? [String(h.recordId)] : []
    case 'sha256':
      return h.photo ? [h.photo.sha256] : []
    case 'photoLink':
      return h.photo ? [String(h.photo.linkId)] : []
    case 'token':
      return []
    case 'webhook':
      return h.webhook ? [String(h.webhook)] : []
  }
}

/** A value of the same shape naming nothing. */
export function missingOf(kind: RefKind): string {
  switch (kind) {
    case 'car':
      return 'ghostcar'
    case 'carPrefix':
      return 'qqq'
    case 'itemName':
      return 'Ghost service'
    case 'issueQuery':
      return 'nomatchword'
    case 'sha256':
      return 'e'.repeat(64)
    case 'token':
      return 'f'.repeat(32)
    default:
      return MISSING_NUMBER
  }
}

/** B's own value of a kind, to fill reference slots other than the one under test. */
export function ownOf(kind: RefKind, h: Holdings): string | undefined {
  switch (kind) {
    case 'car':
    case 'carPrefix':
      return h.car?.nickname
    case 'carId':
      return h.car ? String(h.car.id) : undefined
    case 'item':
      return h.itemId ? String(h.itemId) : undefined
    case 'itemName':
      return h.itemName
    case 'issue':
      return h.issues[0] ? String(h.issues[0]) : undefined
    case 'issueQuery':
      return h.issues[0] ? `#${h.issues[0]}` : undefined
    case 'quote':
      return h.quotes[0] ? String(h.quotes[0]) : undefined
    case 'record':
      return h.recordId ? String(h.recordId) : undefined
    case 'sha256':
      return h.photo?.sha256
    case 'photoLink':
      return h.photo ? String(h.photo.linkId) : undefined
    case 'token':
      return missingOf('token')
    case 'webhook':
      return h.webhook ? String(h.webhook) : undefined
  }
}

/** Replaces a referenced value (as typed, JSON-escaped, URL-encoded, any case) by `<REF>`. */
export function normalize(text: string, value: string): string {
  const forms = new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)])
  let out = text
  for (const form of forms) {
    const escaped = form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    const re = /^\d+$/.test(form)
      ? new RegExp(`(?<![0-9])${escaped}(?![0-9])`, 'g')
      : new RegExp(escaped, 'gi')
    out = out.replace(re, '<REF>')
  }
  return out
}

/** Puts `to` wherever `from` appears (as typed, JSON-escaped or URL-encoded, any case). */
export function substitute(text: string, from: string, to: string): string {
  const pairs: [string, string][] = [
    [from, to],
    [JSON.stringify(from).slice(1, -1), JSON.stringify(to).slice(1, -1)],
    [encodeURIComponent(from), encodeURIComponent(to)],
  ]
  let out = text
  for (const [f, t] of pairs)
    out = out.replace(new RegExp(f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), () => t)
  return out
}
