import { describe, expect, test } from 'bun:test'
import { checkWebhookAddress, insideNetwork } from './webhook-address.ts'

const names = (map: Record<string, string[]>) => async (host: string) => {
  if (!(host in map)) throw new Error('ENOTFOUND')
  return map[host]!
}

describe('webhook addresses', () => {
  test('private, loopback, link-local, unique-local, mapped and reserved addresses are inside; public ones are not', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255',
      '::1', '::', 'fd00::1', 'fc12:3456::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '64:ff9b::a00:1', '2002:c0a8:101::1', '2001:db8::1'])
      expect([a, insideNetwork(a)]).not.toEqual([a, null])
    for (const a of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2a00:1450:4001:81b::200e'])
      expect([a, insideNetwork(a)]).toEqual([a, null])
  })

  test('https with a public host passes; http, credentials, private literals and names resolving inside are refused', async () => {
    const resolve = names({ 'hooks.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'], 'sneaky.example.com': ['93.184.216.34', '10.0.0.5'], 'six.example.com': ['fd12::1'] })
    expect((await checkWebhookAddress('https://hooks.example.com/in', false, resolve)).ok).toBe(true)
    const refused = async (url: string) => {
      const r = await checkWebhookAddress(url, false, resolve)
      expect(r.ok).toBe(false)
      return r.ok ? '' : r.error
    }
    expect(await refused('http://hooks.example.com/in')).toContain('https://')
    expect(await refused('https://u:p@hooks.example.com/in')).toContain('password')
    expect(await refused('https://sneaky.example.com/')).toContain('private')
    expect(await refused('https://six.example.com/')).toContain('unique local')
    expect(await refused('https://127.0.0.1:8443/')).toContain('loopback')
    expect(await refused('https://[::1]/')).toContain('loopback')
    expect(await refused('https://[::ffff:169.254.169.254]/')).toContain('link-local')
    expect(await refused('https://2130706433/')).toContain('loopback')
    expect(await refused('https://nowhere.example.com/')).toContain('could not be resolved')
    expect(await refused('not a url')).toContain('not an address')
  })

  test('WEBHOOK_ALLOW_PRIVATE allows loopback and http, never another scheme', async () => {
    expect((await checkWebhookAddress('http://127.0.0.1:8080/x', true)).ok).toBe(true)
    expect((await checkWebhookAddress('ftp://127.0.0.1/x', true)).ok).toBe(false)
  })
})
