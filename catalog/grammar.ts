/**
 * The text grammar of Slack and the terminal:
 *
 *   /car add corolla make:Toyota year:2018 odometer:"52,000 mi"
 *
 * - the first positional values fill the subcommand's required options in order (a
 *   subcommand without required options takes one positional value for its first option);
 * - `name:value` pairs give the rest; double or single quotes (Slack's curly quotes too)
 *   keep spaces inside a value;
 * - a bare word after an unquoted measurement (`odometer:52,000 mi`, `corolla 83 000 km`) or
 *   after an unquoted `name:text` value (`make:Land Rover`) continues that value.
 *
 * The result is `{ kind, payload }` checked against the catalog's `payloadSchema`, or an error
 * that names the field and carries the command's help. Discord's already-typed options go
 * through `parseTyped` with the same value parsers and checks.
 */
import { Value } from '@sinclair/typebox/value'
import { commands as catalogCommands, findCommand, kindOf } from './catalog.ts'
import { type Command, type Option, type OptionType, payloadSchema, type Subcommand } from './command.ts'
import { commandList, subcommandHelp, usage } from './help.ts'
import { parseValue } from './values.ts'

export type ParsedCommand = {
  ok: true
  kind: string
  payload: Record<string, unknown>
  command: Command
  sub: Subcommand
}

export type GrammarError = {
  ok: false
  /** What is wrong, naming the command, option or field. */
  error: string
  /** The option at fault, when there is one. */
  field?: string
  /** Help for the command (or the list of commands), to show with the error. */
  help: string
}

export type GrammarResult = ParsedCommand | GrammarError

type Token = { name?: string; value: string; quoted: boolean }

const OPEN_QUOTES: Record<string, string> = {
  '"': '"\u201d\u201c',
  '\u201c': '\u201d\u201c"',
  '\u201d': '\u201d\u201c"',
  '\u201e': '\u201c\u201d"',
  "'": "'\u2019\u2018",
  '\u2018': "\u2019\u2018'",
  '\u2019': "\u2019\u2018'",
}

const OPTION_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/

/** Splits text into tokens; `name:value` tokens carry their name. Throws on an unclosed quote. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  const s = text
  let i = 0
  const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c)
  const readQuoted = (): string => {
    const open = s[i]!
    const closers = OPEN_QUOTES[open]!
    const start = i
    i++
    let out = ''
    while (i < s.length && !closers.includes(s[i]!)) out += s[i++]
    if (i >= s.length)
      throw new Error(`a quote opened at ${JSON.stringify(s.slice(start, start + 20))} is never closed`)
    i++
    return out
  }
  while (i < s.length) {
    while (isSpace(s[i])) i++
    if (i >= s.length) break
    const token: Token = { value: '', quoted: false }
    if (OPEN_QUOTES[s[i]!]) {
      token.value = readQuoted()
      token.quoted = true
    } else {
      let word = ''
      while (i < s.length && !isSpace(s[i])) {
        const c = s[i]!
        if (c === ':' && token.name === undefined && OPTION_NAME.test(word)) {
          token.name = word
          word = ''
          i++
          if (OPEN_QUOTES[s[i] ?? '']) {
            word += readQuoted()
            token.quoted = true
          }
          continue
        }
        word += c
        i++
      }
      token.value = word
    }
    // Text glued after a closing quote ("52,000"mi) belongs to the same value.
    while (i < s.length && !isSpace(s[i])) token.value += s[i++]
    tokens.push(token)
  }
  return tokens
}

/** Types whose unquoted value may continue over following bare words. */
const JOIN_POSITIONAL: ReadonlySet<OptionType> = new Set([
  'distance',
  'volume',
  'money',
  'economy',
  'threshold',
  'period',
  'percent',
])
const JOIN_NAMED: ReadonlySet<OptionType> = new Set([...JOIN_POSITIONAL, 'string'])

function errorOf(error: string, help: string, field?: string): GrammarError {
  return field ? { ok: false, error, field, help } : { ok: false, error, help }
}

/** Parses a whole line such as `/car add corolla make:Toyota`. */
export function parseLine(line: string, list: readonly Command[] = catalogCommands): GrammarResult {
  const text = line.trim()
  const m = /^\/?([^\s]*)\s*([\s\S]*)$/.exec(text)
  const name = m?.[1] ?? ''
  if (!name) return errorOf('type a command, e.g. /car list', commandList(list))
  return parseCommandText(name, m?.[2] ?? '', list)
}

/**
 * Slack sends slash-command text with `&`, `<` and `>` as HTML entities (its own mentions such
 * as `<#C123|name>` arrive as real angle brackets); this gives back what the user typed.
 */
export function unescapeSlackText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
}

/** Parses the text after a slash command (Slack gives the command and its text apart). */
export function parseCommandText(
  commandName: string,
  text: string,
  list: readonly Command[] = catalogCommands,
): GrammarResult {
  const command = findCommand(commandName, list)
  if (!command)
    return errorOf(
      `unknown command /${commandName.replace(/^\//, '')}; commands: ${list.map((c) => `/${c.name}`).join(', ')}`,
      commandList(list),
    )
  let tokens: Token[]
  try {
    tokens = tokenize(text)
  } catch (error) {
    return errorOf(`/${command.name}: ${(error as Error).message}`, subcommandHelp(command))
  }
  const first = tokens.shift()
  const subs = command.subcommands.map((s) => s.name).join(', ')
  if (!first) return errorOf(`/${command.name} needs a subcommand: ${subs}`, subcommandHelp(command))
  const subName = first.name !== undefined ? `${first.name}:${first.value}` : first.value
  const sub =
    first.name === undefined && !first.quoted
      ? command.subcommands.find((s) => s.name === first.value.toLowerCase())
      : undefined
  if (!sub)
    return errorOf(
      `unknown subcommand "${subName}" of /${command.name}; it has: ${subs}`,
      subcommandHelp(command),
    )
  return parseTokens(command, sub, tokens)
}

function parseTokens(command: Command, sub: Subcommand, tokens: Token[]): GrammarResult {
  const help = `${usage(command, sub)}\nMore: /garage help ${command.name}`
  const given = new Map<string, { raw: string }>()
  const required = sub.options.filter((o) => o.required)
  let last: { option: Option; joinable: boolean } | undefined
  for (const token of tokens) {
    if (token.name !== undefined) {
      const name = token.name.toLowerCase()
      const option = sub.options.find((o) => o.name === name)
      if (!option) {
        const known = sub.options.map((o) => o.name).join(', ') || 'none'
        return errorOf(
          `/${command.name} ${sub.name} has no option "${token.name}"; its options: ${known}`,
          help,
          token.name,
        )
      }
      if (given.has(name)) return errorOf(`${name} is given twice; give it once`, help, name)
      if (token.value === '' && !token.quoted)
        return errorOf(
          `${name}: no value after "${name}:"; e.g. ${name}:value (quote values with spaces)`,
          help,
          name,
        )
      given.set(name, { raw: token.value })
      last = { option, joinable: !token.quoted && JOIN_NAMED.has(option.type) }
      continue
    }
    const next = required.find((o) => !given.has(o.name))
    if (next) {
      given.set(next.name, { raw: token.value })
      last = { option: next, joinable: !token.quoted && JOIN_POSITIONAL.has(next.type) }
      continue
    }
    if (last?.joinable && !token.quoted) {
      const entry = given.get(last.option.name)!
      entry.raw = `${entry.raw} ${token.value}`
      continue
    }
    const firstOption = sub.options[0]
    if (required.length === 0 && firstOption && !given.has(firstOption.name) && given.size === 0) {
      given.set(firstOption.name, { raw: token.value })
      last = { option: firstOption, joinable: false }
      continue
    }
    const example = sub.options.find((o) => !o.required)
    return errorOf(
      `unexpected ${JSON.stringify(token.value)}: /${command.name} ${sub.name} takes ${
        required.length > 0 ? `${required.map((o) => o.name).join(', ')} first, then ` : ''
      }${example ? `name:value options, e.g. ${example.name}:…` : 'nothing more'}`,
      help,
    )
  }
  const missing = required.filter((o) => !given.has(o.name))
  if (missing.length > 0) {
    const names = missing.map((o) => o.name).join(', ')
    return errorOf(`missing ${names}: /${command.name} ${sub.name} needs ${names}`, help, missing[0]!.name)
  }
  return build(command, sub, given, help)
}

function build(
  command: Command,
  sub: Subcommand,
  given: Map<string, { raw: unknown }>,
  help: string,
): GrammarResult {
  const payload: Record<string, unknown> = {}
  const problems: string[] = []
  let field: string | undefined
  for (const option of sub.options) {
    const entry = given.get(option.name)
    if (!entry) continue
    const result = parseValue(option, entry.raw)
    if (result.ok) payload[option.name] = result.value
    else {
      problems.push(result.error)
      field ??= option.name
    }
  }
  if (problems.length > 0) return errorOf(problems.join('\n'), help, field)
  const schema = payloadSchema(sub)
  if (!Value.Check(schema, payload)) {
    const first = Value.Errors(schema, payload).First()
    const name = first?.path.replace(/^\//, '').split('/')[0] || 'input'
    return errorOf(`${name}: ${first?.message ?? 'invalid'}`, help, name)
  }
  return { ok: true, kind: kindOf(command, sub), payload, command, sub }
}

/**
 * Options a platform delivers already typed (Discord): `{ odometer: "52,000 mi", year: 2018 }`.
 * Names are checked against the catalog, values parsed with the same parsers.
 */
export function parseTyped(
  commandName: string,
  subName: string,
  options: Record<string, unknown>,
  list: readonly Command[] = catalogCommands,
): GrammarResult {
  const command = findCommand(commandName, list)
  if (!command)
    return errorOf(
      `unknown command /${commandName}; commands: ${list.map((c) => `/${c.name}`).join(', ')}`,
      commandList(list),
    )
  const sub = command.subcommands.find((s) => s.name === subName)
  if (!sub)
    return errorOf(
      `unknown subcommand "${subName}" of /${command.name}; it has: ${command.subcommands.map((s) => s.name).join(', ')}`,
      subcommandHelp(command),
    )
  const help = `${usage(command, sub)}\nMore: /garage help ${command.name}`
  const given = new Map<string, { raw: unknown }>()
  for (const [name, raw] of Object.entries(options)) {
    if (raw === undefined || raw === null) continue
    if (!sub.options.some((o) => o.name === name))
      return errorOf(`/${command.name} ${sub.name} has no option "${name}"`, help, name)
    given.set(name, { raw })
  }
  const missing = sub.options.filter((o) => o.required && !given.has(o.name))
  if (missing.length > 0) {
    const names = missing.map((o) => o.name).join(', ')
    return errorOf(`missing ${names}: /${command.name} ${sub.name} needs ${names}`, help, missing[0]!.name)
  }
  return build(command, sub, given, help)
}
