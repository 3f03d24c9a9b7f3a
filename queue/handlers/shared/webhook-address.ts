/**
 * Whether a webhook may post to an address: https only, no user name or password in it, and a host
 * none of whose addresses is on a private, shared (CGNAT), link-local, loopback, multicast or
 * reserved network, IPv6 unique-local and link-local included, and an IPv6 address that carries
 * an IPv4 one (mapped, compatible, NAT64, 6to4) judged by that IPv4 address. A host name is
 * resolved and every address it has is checked, when the webhook is added and again before each
 * delivery (a name that later points inside is refused then). WEBHOOK_ALLOW_PRIVATE=true allows
 * private addresses and http:// (tests, a garage's own LAN).
 */
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'

export type AddressCheck = { ok: true; url: URL } | { ok: false; error: string }

type Resolve = (host: string) => Promise<string[]>

const resolveAll: Resolve = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address)

function ipv4(text: string): number[] | null {
  const parts = text.split('.')
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null
  return parts.map(Number)
}

/** Why an IPv4 address is not public, or null when it is. */
function ipv4Inside([a, b, c]: number[]): string | null {
  if (a === 127) return 'loopback'
  if (a === 10 || (a === 172 && b! >= 16 && b! <= 31) || (a === 192 && b === 168)) return 'private'
  if (a === 169 && b === 254) return 'link-local'
  if (a === 100 && b! >= 64 && b! <= 127) return 'shared (carrier-grade NAT)'
  if (a === 0 || a! >= 240 || (a === 192 && b === 0 && c === 0) || (a === 198 && (b === 18 || b === 19))) return 'reserved'
  if (a! >= 224) return 'multicast'
  return null
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part allowed), or null. */
function ipv6(text: string): number[] | null {
  let s = text.toLowerCase().replace(/%.*$/, '')
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s)
  if (v4) {
    const q = ipv4(v4[1]!)
    if (!q) return null
    s = `${s.slice(0, v4.index)}${((q[0]! << 8) | q[1]!).toString(16)}:${((q[2]! << 8) | q[3]!).toString(16)}`
  }
  const halves = s.split('::')
  if (halves.length > 2) return null
  const groups = (h: string) => (h === '' ? [] : h.split(':'))
  const head = groups(halves[0]!)
  const tail = halves.length === 2 ? groups(halves[1]!) : []
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0
  if (fill < 0 || (halves.length === 1 && head.length !== 8)) return null
  const all = [...head, ...Array(fill).fill('0'), ...tail]
  if (all.length !== 8 || all.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null
  return all.map((g) => Number.parseInt(g, 16))
}

function ipv6Inside(g: number[]): string | null {
  const embedded = (hi: number, lo: number) => ipv4Inside([hi >> 8, hi & 255, lo >> 8, lo & 255])
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0)
  if (zeros(7) && g[7]! <= 1) return g[7] === 1 ? 'loopback' : 'reserved'
  if (zeros(5) && g[5] === 0xffff) return embedded(g[6]!, g[7]!) // IPv4-mapped
  if (zeros(6)) return embedded(g[6]!, g[7]!) ?? 'reserved' // IPv4-compatible (deprecated)
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return embedded(g[6]!, g[7]!) // NAT64
  if (g[0] === 0x2002) return embedded(g[1]!, g[2]!) // 6to4
  if ((g[0]! & 0xfe00) === 0xfc00) return 'private (unique local)'
  if ((g[0]! & 0xffc0) === 0xfe80 || (g[0]! & 0xffc0) === 0xfec0) return 'link-local'
  if ((g[0]! & 0xff00) === 0xff00) return 'multicast'
  if ((g[0] === 0x2001 && g[1] === 0xdb8) || (g[0] === 0x100 && g.slice(1, 4).every((x) => x === 0)))
    return 'reserved'
  return null
}

/** Why an address (IPv4 or IPv6) is not public, or null when it is; an unreadable one is refused. */
export function insideNetwork(address: string): string | null {
  const v = isIP(address)
  if (v === 4) return ipv4Inside(ipv4(address) ?? [0])
  if (v === 6) {
    const g = ipv6(address)
    return g ? ipv6Inside(g) : 'unreadable'
  }
  return 'unreadable'
}

/** Checks a webhook's address (see the file's comment); `resolve` is for tests of names. */
export async function checkWebhookAddress(
  text: string,
  allowPrivate: boolean,
  resolve: Resolve = resolveAll,
): Promise<AddressCheck> {
  let url: URL
  try {
    url = new URL(text.trim())
  } catch {
    return { ok: false, error: `"${text.slice(0, 80)}" is not an address (https://…)` }
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:'))
    return { ok: false, error: 'the address must start with https://' }
  if (url.username || url.password) return { ok: false, error: 'the address must not carry a user name or password' }
  if (url.href.length > 2000) return { ok: false, error: 'the address is longer than 2,000 characters' }
  if (allowPrivate) return { ok: true, url }
  const host = url.hostname.replace(/^\[|\]$/g, '')
  let addresses: string[]
  if (isIP(host)) addresses = [host]
  else {
    try {
      addresses = await resolve(host)
    } catch {
      return { ok: false, error: `${host} could not be resolved` }
    }
    if (addresses.length === 0) return { ok: false, error: `${host} could not be resolved` }
  }
  for (const address of addresses) {
    const inside = insideNetwork(address)
    if (inside)
      return { ok: false, error: `${host} is on a ${inside} network (${address}); webhooks go only to public addresses` }
  }
  return { ok: true, url }
}
