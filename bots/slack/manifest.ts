/**
 * Slack's app manifest, generated from the command catalog: one slash command per catalog
 * command (description and usage hint from the catalog), the bot scopes and events the app
 * uses, and interactivity. `bun run manifest:slack` writes `manifest.yml` at the project root;
 * `bun run manifest:slack --check` exits 1 when the committed file and the catalog differ.
 * With SLACK_PUBLIC_URL set, the request URLs are on that address and the manifest lists
 * `<url>/slack/oauth_redirect` as its OAuth redirect URL (installs in many workspaces).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Document, isMap, isPair, isScalar, type Pair } from 'yaml'
import { commands as catalogCommands } from '../../catalog/catalog.ts'
import type { Command } from '../../catalog/command.ts'
import { loadConfig } from '../../lib/config.ts'
import { clip } from '../../lib/domain/text.ts'

export const MANIFEST_PATH = join(import.meta.dir, '..', '..', 'manifest.yml')

/** Placeholder request URL; replace the host with the app's public address (HTTP receiver). */
export const REQUEST_URL = 'https://car-manager.example.com/slack/events'
export const REDIRECT_PATH = '/slack/oauth_redirect'

/** Bot scopes, each with the reason the app needs it. */
export const BOT_SCOPES: readonly (readonly [string, string])[] = [
  ['commands', 'slash commands'],
  ['chat:write', 'replies, reminders and photo answers'],
  ['chat:write.public', 'reminders in a public channel the bot was not invited to'],
  ['files:read', 'download photos dropped in a channel (url_private)'],
  ['files:write', 'upload thumbnails shown in replies'],
  ['im:write', 'send an export zip to the member who asked, in a direct message'],
  ['channels:history', 'see photos dropped in public channels the app is in'],
  ['groups:history', 'see photos dropped in private channels the app is in'],
  ['users:read', 'tell workspace owners and admins (users.info), who manage every garage'],
  ['usergroups:read', 'the user groups a garage maps to roles (/garage roles)'],
]

export const BOT_EVENTS = ['message.channels', 'message.groups', 'app_uninstalled', 'tokens_revoked'] as const

/** Slack's usage hint for a command: each subcommand with its required values. */
export function usageHint(command: Command): string {
  const parts = command.subcommands.map((s) =>
    [s.name, ...s.options.filter((o) => o.required).map((o) => `<${o.name}>`)].join(' '),
  )
  return clip(parts.join(' | '), 1000)
}

/** The request URL on the app's public address, when there is one. */
const requestUrl = (publicUrl?: string) =>
  publicUrl ? `${publicUrl.replace(/\/$/, '')}${new URL(REQUEST_URL).pathname}` : REQUEST_URL

export function manifestObject(list: readonly Command[] = catalogCommands, publicUrl?: string) {
  const url = requestUrl(publicUrl)
  return {
    _metadata: { major_version: 1, minor_version: 1 },
    display_information: {
      name: 'Car Manager',
      description: 'Your garage in Slack: cars, maintenance, fuel, problems, photos, quotes and costs.',
      background_color: '#1d3557',
    },
    features: {
      bot_user: { display_name: 'car-manager', always_online: true },
      slash_commands: list.map((c) => ({
        command: `/${c.name}`,
        url,
        description: clip(c.description, 100),
        usage_hint: usageHint(c),
        should_escape: true,
      })),
    },
    oauth_config: {
      ...(publicUrl ? { redirect_urls: [`${publicUrl.replace(/\/$/, '')}${REDIRECT_PATH}`] } : {}),
      scopes: { bot: BOT_SCOPES.map(([scope]) => scope) },
    },
    settings: {
      event_subscriptions: { request_url: url, bot_events: [...BOT_EVENTS] },
      interactivity: { is_enabled: true, request_url: url },
      org_deploy_enabled: false,
      socket_mode_enabled: false,
      token_rotation_enabled: false,
    },
  }
}

function pairOf(node: unknown, key: string): Pair | undefined {
  if (!isMap(node)) return undefined
  return node.items.find((p): p is Pair => isPair(p) && isScalar(p.key) && p.key.value === key)
}

/** The manifest as YAML, with comments on what to change when creating the app. */
export function renderManifest(list: readonly Command[] = catalogCommands, publicUrl?: string): string {
  const doc = new Document(manifestObject(list, publicUrl))
  doc.commentBefore = [
    ' Slack app manifest of Car Manager. GENERATED from catalog/commands by `bun run manifest:slack`;',
    ' do not edit by hand (a test fails when this file and the catalog differ).',
    ' Create the app at https://api.slack.com/apps → Create New App → From an app manifest, then',
    publicUrl
      ? ` Request and redirect URLs are on SLACK_PUBLIC_URL (${publicUrl}).`
      : ` replace ${new URL(REQUEST_URL).host} with the public address of the Slack process (HTTP receiver),`,
    ...(publicUrl
      ? []
      : [' or set SLACK_PUBLIC_URL and run it again (which also lists the OAuth redirect URL).']),
  ].join('\n')
  const settings = doc.get('settings', true)
  const socket = pairOf(settings, 'socket_mode_enabled')
  if (socket && isScalar(socket.key))
    socket.key.commentBefore = [
      ' Socket Mode: set to true when the app cannot be reached from the internet; then create an',
      ' app-level token with connections:write and set SLACK_APP_TOKEN (request URLs are ignored).',
    ].join('\n')
  const scopes = doc.getIn(['oauth_config', 'scopes', 'bot'], true)
  if (scopes && typeof scopes === 'object' && 'items' in scopes) {
    for (const item of (scopes as { items: unknown[] }).items) {
      if (!isScalar(item)) continue
      const why = BOT_SCOPES.find(([s]) => s === item.value)?.[1]
      if (why) item.comment = ` ${why}`
    }
  }
  return doc.toString({ lineWidth: 0 })
}

if (import.meta.main) {
  const expected = renderManifest(catalogCommands, loadConfig().SLACK_PUBLIC_URL)
  if (process.argv.includes('--check')) {
    let current = ''
    try {
      current = readFileSync(MANIFEST_PATH, 'utf8')
    } catch {}
    if (current !== expected) {
      console.error('manifest.yml differs from the catalog; run `bun run manifest:slack`')
      process.exit(1)
    }
    console.log('manifest.yml matches the catalog')
  } else {
    writeFileSync(MANIFEST_PATH, expected)
    console.log(`wrote ${MANIFEST_PATH} (${catalogCommands.length} slash commands)`)
  }
}
