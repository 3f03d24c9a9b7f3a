/**
 * The command registry. Every `catalog/commands/*.ts` (tests excluded) is discovered at load
 * and its default export checked against the `Command` contract and Discord's limits; a file
 * that does not fit is refused and logged, never half-registered. Adding a command is adding a
 * file: there is no list to edit.
 */
import { join } from 'node:path'
import type { Command, Option, OptionType, Subcommand } from './command.ts'

export const COMMANDS_DIR = join(import.meta.dir, 'commands')

const OPTION_TYPES: ReadonlySet<OptionType> = new Set<OptionType>([
  'string',
  'integer',
  'number',
  'boolean',
  'date',
  'distance',
  'volume',
  'money',
  'percent',
  'economy',
  'threshold',
  'period',
  'car',
  'issue',
  'channel',
  'attachment',
  'role',
])
const ROLES: readonly string[] = ['viewer', 'driver', 'manager']

function checkRole(where: string, need: unknown, problems: string[]) {
  if (need === undefined) return
  const ok = (r: unknown) => typeof r === 'string' && ROLES.includes(r)
  const pair = need as { read?: unknown; change?: unknown } | null
  if (ok(need) || (pair && typeof pair === 'object' && ok(pair.read) && ok(pair.change))) return
  problems.push(`${where}: role must be one of ${ROLES.join(', ')}, or { read, change } of them`)
}

/** Discord's name rule for commands, subcommands and options. */
const NAME = /^[a-z0-9_-]{1,32}$/
/** A job kind is `<command>.<subcommand>` and must match the envelope's kind pattern. */
const COMMAND_NAME = /^[a-z]+$/
const SUB_NAME = /^[a-z_]+$/
const MAX_ITEMS = 25

const isString = (v: unknown): v is string => typeof v === 'string'

function checkDescription(where: string, d: unknown, problems: string[]) {
  if (!isString(d) || d.length < 1 || d.length > 100)
    problems.push(`${where}: description must be 1-100 characters`)
}

function checkOption(where: string, o: Option, problems: string[]) {
  if (!o || typeof o !== 'object') {
    problems.push(`${where}: not an option object`)
    return
  }
  if (!isString(o.name) || !NAME.test(o.name))
    problems.push(`${where}: option name ${JSON.stringify(o.name)} must match ${NAME}`)
  const at = `${where} option ${o.name}`
  if (!OPTION_TYPES.has(o.type)) problems.push(`${at}: unknown type ${JSON.stringify(o.type)}`)
  checkDescription(at, o.description, problems)
  if (o.required !== undefined && typeof o.required !== 'boolean')
    problems.push(`${at}: required must be a boolean`)
  if (o.choices !== undefined) {
    if (o.type !== 'string') problems.push(`${at}: choices are only for string options`)
    if (!Array.isArray(o.choices) || o.choices.length < 1 || o.choices.length > MAX_ITEMS)
      problems.push(`${at}: choices must be 1-${MAX_ITEMS} strings`)
    else {
      if (o.choices.some((c) => !isString(c) || c.length < 1 || c.length > 100))
        problems.push(`${at}: each choice must be 1-100 characters`)
      if (new Set(o.choices.map((c) => String(c).toLowerCase())).size !== o.choices.length)
        problems.push(`${at}: choices repeat`)
    }
  }
  for (const key of ['min', 'max'] as const) {
    const v = o[key]
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v)))
      problems.push(`${at}: ${key} must be a number`)
  }
  if (o.min !== undefined && o.max !== undefined && o.min > o.max) problems.push(`${at}: min is above max`)
  if (o.maxLength !== undefined && (!Number.isInteger(o.maxLength) || o.maxLength < 1 || o.maxLength > 6000))
    problems.push(`${at}: maxLength must be a whole number 1-6000`)
}

function checkSubcommand(command: string, s: Subcommand, problems: string[]) {
  if (!s || typeof s !== 'object') {
    problems.push(`/${command}: a subcommand is not an object`)
    return
  }
  if (!isString(s.name) || !NAME.test(s.name) || !SUB_NAME.test(s.name))
    problems.push(
      `/${command}: subcommand name ${JSON.stringify(s.name)} must be lower-case letters and _ (at most 32)`,
    )
  const where = `/${command} ${s.name}`
  checkDescription(where, s.description, problems)
  if (!Array.isArray(s.options)) {
    problems.push(`${where}: options must be an array`)
    return
  }
  if (s.options.length > MAX_ITEMS) problems.push(`${where}: more than ${MAX_ITEMS} options`)
  const names = new Set<string>()
  let optionalSeen = false
  for (const o of s.options) {
    checkOption(where, o, problems)
    if (names.has(o?.name)) problems.push(`${where}: option ${o.name} appears twice`)
    names.add(o?.name)
    if (o?.required) {
      if (optionalSeen) problems.push(`${where}: required option ${o.name} comes after an optional one`)
    } else optionalSeen = true
  }
  if (s.example !== undefined && (!isString(s.example) || !s.example.startsWith(`/${command} ${s.name}`)))
    problems.push(`${where}: example must start with "/${command} ${s.name}"`)
  if (s.ephemeral !== undefined && typeof s.ephemeral !== 'boolean')
    problems.push(`${where}: ephemeral must be a boolean`)
  checkRole(where, s.role, problems)
  // a misspelt name in `by` would let the lesser role change
  const by = (s.role as { by?: unknown } | undefined)?.by
  if (by !== undefined && (!Array.isArray(by) || by.some((n) => !names.has(n))))
    problems.push(`${where}: role.by must list options of the subcommand`)
}

/** The characters Discord counts toward a command's 8000 limit. */
function textSize(c: Command): number {
  let n = c.name.length + c.description.length
  for (const s of c.subcommands) {
    n += s.name.length + s.description.length
    for (const o of s.options)
      n += o.name.length + o.description.length + (o.choices ?? []).join('').length * 2
  }
  return n
}

/** Everything wrong with a would-be command (empty when it fits the contract and Discord's limits). */
export function commandProblems(value: unknown): string[] {
  const problems: string[] = []
  if (!value || typeof value !== 'object') return ['the default export is not a command object']
  const c = value as Command
  if (!isString(c.name) || !NAME.test(c.name) || !COMMAND_NAME.test(c.name))
    problems.push(`command name ${JSON.stringify(c.name)} must be lower-case letters (at most 32)`)
  checkDescription(`/${c.name}`, c.description, problems)
  checkRole(`/${c.name}`, c.role, problems)
  if (!Array.isArray(c.subcommands) || c.subcommands.length < 1 || c.subcommands.length > MAX_ITEMS) {
    problems.push(`/${c.name}: subcommands must be 1-${MAX_ITEMS}`)
    return problems
  }
  const names = new Set<string>()
  for (const s of c.subcommands) {
    checkSubcommand(c.name, s, problems)
    if (names.has(s?.name)) problems.push(`/${c.name}: subcommand ${s.name} appears twice`)
    names.add(s?.name)
  }
  if (problems.length === 0 && textSize(c) > 8000)
    problems.push(
      `/${c.name}: names, descriptions and choices add up to ${textSize(c)} characters; Discord allows 8000`,
    )
  return problems
}

export type CatalogLog = (message: string) => void

export type Catalog = {
  /** Commands sorted by name. */
  commands: readonly Command[]
  /** Files refused at load, with why. */
  refused: readonly { file: string; problems: string[] }[]
}

const defaultLog: CatalogLog = (message) => console.error(`catalog: ${message}`)

/** Discovers and checks every command file of a folder. */
export async function discoverCommands(dir = COMMANDS_DIR, log: CatalogLog = defaultLog): Promise<Catalog> {
  const files = [...new Bun.Glob('*.ts').scanSync({ cwd: dir })].filter((f) => !f.endsWith('.test.ts')).sort()
  const commands: Command[] = []
  const refused: { file: string; problems: string[] }[] = []
  const refuse = (file: string, problems: string[]) => {
    refused.push({ file, problems })
    log(`refused ${file}: ${problems.join('; ')}`)
  }
  for (const file of files) {
    let value: unknown
    try {
      value = (await import(join(dir, file))).default
    } catch (error) {
      refuse(file, [`cannot be loaded: ${(error as Error).message}`])
      continue
    }
    const problems = commandProblems(value)
    const command = value as Command
    if (problems.length === 0 && commands.some((c) => c.name === command.name))
      problems.push(`command /${command.name} is already defined by another file`)
    if (problems.length > 0) refuse(file, problems)
    else commands.push(command)
  }
  commands.sort((a, b) => a.name.localeCompare(b.name))
  return { commands, refused }
}

const loaded = await discoverCommands()

/** Every command of the catalog, sorted by name. */
export const commands: readonly Command[] = loaded.commands
/** Command files refused at load. */
export const refused = loaded.refused

/** A command by name (case-insensitive, a leading "/" allowed). */
export function findCommand(name: string, list: readonly Command[] = commands): Command | undefined {
  const n = name.replace(/^\//, '').toLowerCase()
  return list.find((c) => c.name === n)
}

/** A subcommand of a command (by object or name). */
export function findSubcommand(
  command: Command | string,
  sub: string,
  list: readonly Command[] = commands,
): Subcommand | undefined {
  const c = typeof command === 'string' ? findCommand(command, list) : command
  return c?.subcommands.find((s) => s.name === sub.toLowerCase())
}

/** The job kind of a subcommand: `<command>.<subcommand>`. */
export function kindOf(command: Command | string, sub: Subcommand | string): string {
  return `${typeof command === 'string' ? command : command.name}.${typeof sub === 'string' ? sub : sub.name}`
}

/** The command and subcommand of a job kind, when the catalog has it. */
export function lookupKind(
  kind: string,
  list: readonly Command[] = commands,
): { command: Command; sub: Subcommand } | undefined {
  const [c, s, extra] = kind.split('.')
  if (!c || !s || extra !== undefined) return undefined
  const command = findCommand(c, list)
  const sub = command && findSubcommand(command, s, list)
  return command && sub ? { command, sub } : undefined
}
