import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { commands } from '../../catalog/catalog.ts'
import { MANIFEST_PATH, manifestObject, renderManifest, usageHint } from './manifest.ts'

describe('manifest.yml', () => {
  test('the committed manifest is the one the catalog generates (run `bun run manifest:slack` when this fails)', () => {
    expect(readFileSync(MANIFEST_PATH, 'utf8')).toBe(renderManifest())
  })

  test('one slash command per catalog command, with its description and a usage hint', () => {
    const manifest = parse(readFileSync(MANIFEST_PATH, 'utf8'))
    const slash = manifest.features.slash_commands as {
      command: string
      description: string
      usage_hint: string
      url: string
    }[]
    expect(slash.map((s) => s.command)).toEqual(commands.map((c) => `/${c.name}`))
    for (const c of commands) {
      const entry = slash.find((s) => s.command === `/${c.name}`)!
      expect(entry.description).toBe(c.description)
      expect(entry.usage_hint).toBe(usageHint(c))
      for (const sub of c.subcommands) expect(entry.usage_hint).toContain(sub.name)
      expect(entry.url).toEndWith('/slack/events')
    }
  })

  test('the scopes, events and interactivity the app uses; HTTP by default', () => {
    const manifest = parse(readFileSync(MANIFEST_PATH, 'utf8'))
    expect(manifest.oauth_config.scopes.bot).toEqual(
      expect.arrayContaining([
        'commands',
        'chat:write',
        'files:read',
        'files:write',
        'channels:history',
        'groups:history',
      ]),
    )
    expect(manifest.settings.event_subscriptions.bot_events).toEqual([
      'message.channels',
      'message.groups',
      'app_uninstalled',
      'tokens_revoked',
    ])
    expect(manifest.settings.interactivity.is_enabled).toBe(true)
    expect(manifest.settings.socket_mode_enabled).toBe(false)
    expect(renderManifest()).toContain('connections:write')
  })

  test('with a public URL: the OAuth redirect URL and the request URLs on it; the scopes unchanged', () => {
    const plain = manifestObject()
    expect(plain.oauth_config).not.toHaveProperty('redirect_urls')
    const pub = manifestObject(commands, 'https://cars.example.org/')
    expect(pub.oauth_config.redirect_urls).toEqual(['https://cars.example.org/slack/oauth_redirect'])
    expect(pub.oauth_config.scopes).toEqual(plain.oauth_config.scopes)
    expect(pub.settings.event_subscriptions.request_url).toBe('https://cars.example.org/slack/events')
    expect(pub.features.slash_commands.every((c) => c.url === 'https://cars.example.org/slack/events')).toBe(
      true,
    )
    expect(parse(renderManifest(commands, 'https://cars.example.org')).oauth_config.redirect_urls).toEqual([
      'https://cars.example.org/slack/oauth_redirect',
    ])
  })

  test('a new catalog command changes the manifest', () => {
    const extra = {
      name: 'tyre',
      description: 'Tyres and their rotation',
      subcommands: [
        {
          name: 'rotate',
          description: 'Rotate',
          options: [{ name: 'car', type: 'car', required: true, description: 'The car' }],
        },
      ],
    } as const
    const withExtra = [...commands, extra]
    expect(renderManifest(withExtra)).not.toBe(renderManifest())
    const slash = manifestObject(withExtra).features.slash_commands
    expect(slash.at(-1)).toMatchObject({ command: '/tyre', usage_hint: 'rotate <car>' })
  })
})
