/**
 * The command catalog contract. One file per top-level command in `catalog/commands/`,
 * whose default export ends in `satisfies Command`. Discord's application commands, Slack's
 * manifest, the help text, the text grammar's validation and the job payload schemas all
 * derive from it. A job kind is `<command>.<subcommand>` (e.g. `car.add`).
 */
import { type Static, type TSchema, Type as T } from '@sinclair/typebox'
import type { Role } from '../lib/contracts/envelope.ts'

/**
 * Option types. Each has one parser (catalog/values.ts) shared by every platform and one
 * value shape (below) that lands in the job payload.
 * - string, integer, number, boolean (yes/no), date (YYYY-MM-DD, a date in the garage's timezone;
 *   or today, yesterday, "3 days ago", settled by the worker with the garage's today)
 * - distance ("52,000 mi", "83 000 km", "48000"), volume ("11.2 gal", "42 L"),
 *   money ("89.90", "$1,200"), percent ("8.25%"), economy ("6.5 L/100km", "34 mpg")
 * - threshold ("30 d, 500 mi"), period ("12m", "90d", "1y")
 * - car (a car nickname; autocompleted), issue (an issue number "12" or "#12"; autocompleted)
 * - channel (a channel id; "<#C123|name>" and "<#123>" mentions are understood), attachment (a file)
 * - role (a Discord server role, picked from Discord's list; a Slack user group, "<!subteam^S123|@name>")
 */
export type OptionType =
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'date'
  | 'distance'
  | 'volume'
  | 'money'
  | 'percent'
  | 'economy'
  | 'threshold'
  | 'period'
  | 'car'
  | 'issue'
  | 'channel'
  | 'attachment'
  | 'role'

export type Option = {
  /** lower_snake_case, at most 32 characters (Discord's limit). */
  readonly name: string
  readonly type: OptionType
  /** At most 100 characters (Discord's limit). */
  readonly description: string
  readonly required?: boolean
  /** Allowed values of a string option (at most 25). */
  readonly choices?: readonly string[]
  /** Bounds of a numeric value (integer, number, money, percent, distance/volume in the typed unit). */
  readonly min?: number
  readonly max?: number
  /** Longest accepted string. */
  readonly maxLength?: number
}

/**
 * The role a subcommand needs (queue/roles.ts checks it before the handler runs): one role, or
 * one to look (no option given) and one to change (any option given, or any of `by` when it
 * says which options change: `/item preset car:` looks, `/item preset car: name:` changes), as `/garage settings`.
 */
export type RoleNeed = Role | { readonly read: Role; readonly change: Role; readonly by?: readonly string[] }

/** What a subcommand needs when neither it nor its command says: the most, so a forgotten one refuses rather than allows. */
export const DEFAULT_ROLE: Role = 'manager'

export type Subcommand = {
  readonly name: string
  readonly description: string
  readonly options: readonly Option[]
  /** Answer only to the person who asked (help, settings). */
  readonly ephemeral?: boolean
  /** One-line usage example shown in help and Slack's usage hint. */
  readonly example?: string
  /** The role it needs, when not its command's `role`. */
  readonly role?: RoleNeed
}

export type Command = {
  /** The slash command without the slash. */
  readonly name: string
  readonly description: string
  readonly subcommands: readonly Subcommand[]
  /** The role its subcommands need unless one says otherwise (DEFAULT_ROLE when not given). */
  readonly role?: RoleNeed
}

/** km, mi, or h: engine hours, the meter of a tractor, a boat or a generator (lib/domain/units.ts `MeterUnit`). */
export const DistanceUnit = T.Union([T.Literal('km'), T.Literal('mi'), T.Literal('h')])
export const VolumeUnit = T.Union([T.Literal('L'), T.Literal('gal'), T.Literal('impgal')])

/**
 * A date in a payload: `YYYY-MM-DD`; `today-N` for "today", "yesterday", "N days ago"; or `D/M/YYYY`
 * as typed with slashes, read in the garage's date order by the worker (catalog/two-way.ts).
 */
export const DATE_PATTERN = '^(\\d{4}-\\d{2}-\\d{2}|today-\\d{1,5}|\\d{1,2}/\\d{1,2}/\\d{4})$'

/**
 * Both readings of a number typed with one `.` or `,` and three digits after it (`83.000`,
 * `52,000`): `[decimal, thousands]`. `value` is then the default format's reading; the worker
 * settles it with the garage's number format before any handler runs (queue/orchestrator.ts).
 */
export const Readings = T.Tuple([T.Number(), T.Number()])

/** Value shapes of the option types, as they travel in job payloads. `text` is what the user typed. */
export const Values = {
  string: T.String(),
  integer: T.Integer(),
  number: T.Number(),
  boolean: T.Boolean(),
  /** YYYY-MM-DD, or `today-N` (N days before the garage's today; the worker settles it, queue/orchestrator.ts). */
  date: T.String({ pattern: DATE_PATTERN }),
  distance: T.Object({
    value: T.Number({ minimum: 0 }),
    unit: T.Union([DistanceUnit, T.Null()]),
    text: T.String(),
    readings: T.Optional(Readings),
  }),
  volume: T.Object({
    value: T.Number({ minimum: 0 }),
    unit: T.Union([VolumeUnit, T.Null()]),
    text: T.String(),
    readings: T.Optional(Readings),
  }),
  /** A decimal amount in the garage's currency; services turn it into integer minor units. */
  money: T.Object({ value: T.Number(), text: T.String(), readings: T.Optional(Readings) }),
  percent: T.Number(),
  economy: T.Object({
    value: T.Number({ exclusiveMinimum: 0 }),
    unit: T.Union([T.Literal('L/100km'), T.Literal('km/L'), T.Literal('mpg'), T.Literal('impmpg')]),
    text: T.String(),
  }),
  threshold: T.Object({
    days: T.Optional(T.Integer({ minimum: 0 })),
    distance: T.Optional(
      T.Object({
        value: T.Number({ minimum: 0 }),
        unit: T.Union([DistanceUnit, T.Null()]),
        text: T.String(),
        readings: T.Optional(Readings),
      }),
    ),
    text: T.String(),
  }),
  period: T.Object({ days: T.Integer({ minimum: 1 }), text: T.String() }),
  car: T.String({ minLength: 1 }),
  issue: T.Integer({ minimum: 1 }),
  channel: T.String({ minLength: 1 }),
  attachment: T.Object({
    url: T.String(),
    filename: T.String(),
    size: T.Integer({ minimum: 0 }),
    contentType: T.Optional(T.String()),
    /**
     * Set by the Slack app only (never parsed from text): the id it kept the file under in the
     * images service's files (this garage's only), or why it could not download it.
     */
    stored: T.Optional(T.String({ pattern: '^[0-9a-f]{32}$' })),
    refused: T.Optional(T.String({ maxLength: 500 })),
  }),
  /** A Discord role id or a Slack user group id. */
  role: T.String({ pattern: '^[A-Za-z0-9]{1,30}$' }),
} satisfies Record<OptionType, TSchema>

export type Distance = Static<(typeof Values)['distance']>
export type Volume = Static<(typeof Values)['volume']>
export type Money = Static<(typeof Values)['money']>
export type Threshold = Static<(typeof Values)['threshold']>
export type Attachment = Static<(typeof Values)['attachment']>
export type ValueOf<K extends OptionType> = Static<(typeof Values)[K]>

type Simplify<T> = { [K in keyof T]: T[K] } & {}
type RequiredOptions<O extends readonly Option[]> = Extract<O[number], { required: true }>
type OptionalOptions<O extends readonly Option[]> = Exclude<O[number], { required: true }>

/** The payload type of `<command>.<sub>`, derived from the catalog entry (declare it `as const`). */
export type PayloadOf<C extends Command, S extends C['subcommands'][number]['name']> = Simplify<
  {
    [O in RequiredOptions<Extract<C['subcommands'][number], { name: S }>['options']> as O['name']]: ValueOf<O['type']>
  } & {
    [O in OptionalOptions<Extract<C['subcommands'][number], { name: S }>['options']> as O['name']]?: ValueOf<O['type']>
  }
>

/** The TypeBox schema of a subcommand's payload; the worker validates queue input against it. */
export function payloadSchema(sub: Subcommand): TSchema {
  const props: Record<string, TSchema> = {}
  for (const o of sub.options) {
    const base = Values[o.type]
    props[o.name] = o.required ? base : T.Optional(base)
  }
  return T.Object(props, { additionalProperties: false })
}
