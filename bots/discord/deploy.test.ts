import { afterAll, beforeAll, expect, test } from 'bun:test'
import { REST } from 'discord.js'
import { type DiscordStandin, startStandin } from '../../test/discord-standin/standin.ts'
import { commands } from '../../catalog/catalog.ts'
import { deployCommands, describeDeploy } from './deploy.ts'

let standin: DiscordStandin
let rest: REST
const GUILD = '1200000000000000002'

beforeAll(() => {
  standin = startStandin()
  rest = new REST({ api: standin.apiUrl }).setToken(standin.token)
})
afterAll(() => standin.close())

test('with a guild id: one bulk overwrite in that guild, printed command by command', async () => {
  const result = await deployCommands({ rest, applicationId: standin.applicationId, guildId: GUILD })
  expect(
    standin.requestsTo('PUT', `/applications/${standin.applicationId}/guilds/${GUILD}/commands`),
  ).toHaveLength(1)
  expect(standin.commands.get('global')).toBeUndefined()
  expect(standin.commands.get(GUILD)!.map((c) => c.name)).toEqual(commands.map((c) => c.name))
  const printed = describeDeploy(result)
  expect(printed.split('\n')[0]).toBe(`Registered ${commands.length} commands (guild ${GUILD}):`)
  for (const c of commands)
    expect(printed).toContain(`/${c.name} ${c.subcommands.map((s) => s.name).join(' | ')}`)
})

test('the overwrite replaces: a command gone from the catalog is gone from Discord', async () => {
  await deployCommands({
    rest,
    applicationId: standin.applicationId,
    guildId: GUILD,
    catalog: commands.slice(1),
  })
  expect(standin.commands.get(GUILD)!.map((c) => c.name)).toEqual(commands.slice(1).map((c) => c.name))
})

test('a wrong token is refused with a clear error', async () => {
  const bad = new REST({ api: standin.apiUrl }).setToken('not-the-token')
  await expect(deployCommands({ rest: bad, applicationId: standin.applicationId })).rejects.toThrow(
    /Unauthorized/,
  )
})
