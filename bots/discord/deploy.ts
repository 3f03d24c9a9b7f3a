/**
 * `bun run deploy:discord`: registers the whole catalog with one bulk overwrite (commands no
 * longer in the catalog disappear). To DISCORD_GUILD_ID when set (instant, for development),
 * else globally (Discord may take a while to show changes). Prints what it registered.
 */
import { REST, Routes } from 'discord.js'
import { loadConfig, requireSetting } from '../../lib/config.ts'
import { commands } from '../../catalog/catalog.ts'
import type { Command } from '../../catalog/command.ts'
import { catalogJSON } from './commands.ts'

export type DeployResult = {
  scope: string
  registered: { name: string; id: string; subcommands: string[] }[]
}

export async function deployCommands(opts: {
  rest: REST
  applicationId: string
  guildId?: string
  catalog?: readonly Command[]
}): Promise<DeployResult> {
  const body = catalogJSON(opts.catalog ?? commands)
  const route = opts.guildId
    ? Routes.applicationGuildCommands(opts.applicationId, opts.guildId)
    : Routes.applicationCommands(opts.applicationId)
  const saved = (await opts.rest.put(route, { body })) as {
    name: string
    id: string
    options?: { name: string; type: number }[]
  }[]
  return {
    scope: opts.guildId ? `guild ${opts.guildId}` : 'global',
    registered: saved.map((c) => ({
      name: c.name,
      id: c.id,
      subcommands: (c.options ?? []).filter((o) => o.type === 1).map((o) => o.name),
    })),
  }
}

export function describeDeploy(result: DeployResult): string {
  const lines = result.registered.map((c) => `  /${c.name} ${c.subcommands.join(' | ')}`)
  return [`Registered ${result.registered.length} commands (${result.scope}):`, ...lines].join('\n')
}

if (import.meta.main) {
  const config = loadConfig()
  const token = requireSetting(config, 'DISCORD_TOKEN', 'deploying commands needs the bot token.')
  const applicationId = requireSetting(
    config,
    'DISCORD_APP_ID',
    'commands are registered for this application.',
  )
  const rest = new REST({ api: config.DISCORD_API_URL }).setToken(token)
  try {
    const result = await deployCommands({
      rest,
      applicationId,
      ...(config.DISCORD_GUILD_ID ? { guildId: config.DISCORD_GUILD_ID } : {}),
    })
    console.log(describeDeploy(result))
  } catch (error) {
    console.error(`deploy:discord failed: ${(error as Error).message}`)
    process.exit(1)
  }
}
