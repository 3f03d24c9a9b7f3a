/**
 * The one place that reads the environment. Every setting of every process is declared
 * here with its type, default and meaning; `loadConfig()` parses `process.env` once at
 * start and stops the process with a message naming the variable when a value is
 * missing or malformed. Nothing else reads `process.env`.
 */
import { type Static, Type as T, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

const port = (def: number, description: string) =>
  T.Integer({ minimum: 0, maximum: 65535, default: def, description, expects: 'a port number 0-65535' })
const url = (description: string, def?: string) =>
  T.String({ pattern: '^(https?|wss?)://', description, expects: 'a URL starting with http:// or https://', ...(def ? { default: def } : {}) })
const hosts = (def: string, description: string) =>
  T.String({ pattern: '^[a-z0-9.-]+(:[0-9]+)?(,[a-z0-9.-]+(:[0-9]+)?)*$', default: def, description, expects: 'comma-separated host names (host or host:port)' })
const positive = (def: number, description: string) =>
  T.Integer({ minimum: 1, default: def, description, expects: 'a positive whole number' })
const perMinute = (def: number, description: string) =>
  T.Integer({ minimum: 0, default: def, description, expects: 'a whole number of commands per minute, 0 = off' })
const secret = (description: string, minLength = 1) =>
  T.Optional(T.String({ minLength, description, expects: minLength > 1 ? `a string of at least ${minLength} characters` : 'a non-empty string', secret: true }))

/** The schema of every setting; README's settings table and `.env.example` list the same names. */
export const ConfigSchema = T.Object({
  // core
  REDIS_URL: T.Optional(T.String({ pattern: '^rediss?://', description: 'Redis for the queues (redis://host:port). `bun run demo` starts its own redis-server when unset; every other process needs it.', expects: 'a URL starting with redis:// or rediss://' })),
  DATA_DIR: T.String({ minLength: 1, default: './data', description: 'Folder for the SQLite files, photos, the generated service token and the demo Redis data.', expects: 'a folder path' }),
  SERVICE_TOKEN: secret('Bearer token the worker sends to every service and the services demand. `bun run demo` generates one into DATA_DIR/service-token.', 16),
  QUEUE_PREFIX: T.String({ pattern: '^[A-Za-z0-9_-]+$', default: 'cm', description: 'Prefix of every BullMQ queue name, so several deployments or test runs share one Redis safely.', expects: 'letters, digits, _ or -' }),
  LOG_LEVEL: T.Union([T.Literal('trace'), T.Literal('debug'), T.Literal('info'), T.Literal('warn'), T.Literal('error'), T.Literal('fatal'), T.Literal('silent')], { default: 'info', description: 'Log level of the JSON lines each process writes.', expects: 'one of trace, debug, info, warn, error, fatal, silent' }),
  SERVICE_HOST: T.String({ minLength: 1, default: '127.0.0.1', description: 'Address the HTTP services bind to.', expects: 'an address such as 127.0.0.1 or 0.0.0.0' }),
  // services
  ITEMS_PORT: port(4101, 'Port of the items service.'),
  ITEMS_URL: url('Base URL the worker uses for the items service.', 'http://127.0.0.1:4101'),
  ISSUES_PORT: port(4102, 'Port of the issues service.'),
  ISSUES_URL: url('Base URL of the issues service.', 'http://127.0.0.1:4102'),
  IMAGES_PORT: port(4103, 'Port of the images service.'),
  IMAGES_URL: url('Base URL of the images service.', 'http://127.0.0.1:4103'),
  QUOTES_PORT: port(4104, 'Port of the quotes service.'),
  QUOTES_URL: url('Base URL of the quotes service.', 'http://127.0.0.1:4104'),
  CALCULATOR_PORT: port(4105, 'Port of the calculator service.'),
  CALCULATOR_URL: url('Base URL of the calculator service.', 'http://127.0.0.1:4105'),
  REPORTS_PORT: port(4106, 'Port of the reports service (charts and PDF reports).'),
  REPORTS_URL: url('Base URL of the reports service.', 'http://127.0.0.1:4106'),
  REPORT_RENDER_MAX_MB: positive(512, 'Memory ceiling (RSS, MB) of the reports service\'s renderer process; a chart or PDF that needs more is refused.'),
  REPORT_RENDER_TIMEOUT_MS: positive(20_000, 'Longest one chart or PDF may take to draw in the reports service\'s renderer, in milliseconds.'),
  API_PORT: port(4107, 'Port of the public API process (/api/v1, the calendar feeds, Home Assistant summaries).'),
  API_URL: url('Base URL the worker uses for the API process (its key and calendar routes).', 'http://127.0.0.1:4107'),
  API_PUBLIC_URL: url('Base URL people and their tools reach the API at (https://cars.example.com); the reply that creates an API key prints it, and calendar links use its host.', 'http://127.0.0.1:4107'),
  API_RATE_PER_MINUTE: positive(120, 'Requests one API key may make per minute, on average (a token bucket in the API process, refilled evenly).'),
  API_RATE_BURST: positive(30, 'Requests one API key may make at once before API_RATE_PER_MINUTE applies.'),
  // worker
  WORKER_PORT: port(4100, 'Port of the worker\'s /health, /ready and the Bull Board dashboard (0 = any free port).'),
  WORKER_CONCURRENCY: positive(8, 'Command jobs one worker process runs at once.'),
  COMMAND_ATTEMPTS: positive(4, 'Attempts of a command job before the user is told it failed.'),
  WORKER_LOCK_MS: T.Integer({ minimum: 1000, default: 15_000, description: 'How long a worker holds a job before a crashed worker\'s jobs are handed to another (ms).', expects: 'milliseconds, at least 1000' }),
  REMINDER_EVERY_MS: positive(60_000, 'How often the reminder scheduler ticks, in milliseconds.'),
  GARAGE_GRACE_DAYS: positive(30, 'Days a garage whose bot was removed (Discord server, Slack workspace) is kept before all its data is deleted; adding the bot back within them keeps everything.'),
  DASHBOARD_PASSWORD: secret('Password of the Bull Board queue dashboard at /queues on the worker (user `admin`); the dashboard is off when unset.', 8),
  BACKUP_EVERY_HOURS: T.Integer({ minimum: 0, default: 0, description: 'How often the worker takes a snapshot of every service into DATA_DIR/backups/auto-<time> (as `bun run backup` does), in hours; 0 = never.', expects: 'a whole number of hours, 0 = off' }),
  BACKUP_KEEP: positive(7, 'Scheduled snapshots kept in DATA_DIR/backups; after each one the oldest beyond this many are removed (snapshots taken by hand are never removed).'),
  // outgoing webhooks (queue/webhooks.ts)
  WEBHOOK_ALLOW_PRIVATE: T.Boolean({ default: false, description: 'true lets webhooks be added for, and delivered to, http:// addresses and hosts on private, link-local or loopback networks (tests and a garage\'s own LAN); false refuses them.', expects: 'true or false' }),
  WEBHOOK_TIMEOUT_MS: positive(10_000, 'Time limit of one webhook delivery attempt, in milliseconds; a receiver slower than that is a failed attempt.'),
  WEBHOOK_ATTEMPTS: positive(8, 'Attempts of one webhook delivery before it is given up (exponential backoff between them).'),
  WEBHOOK_BACKOFF_MS: positive(30_000, 'Delay before the second attempt of a webhook delivery, in milliseconds; each later one waits twice as long.'),
  WEBHOOK_CONCURRENCY: positive(8, 'Webhook deliveries one worker process makes at once, so a hanging receiver never holds up the others.'),
  WEBHOOK_PAUSE_AFTER_HOURS: positive(72, 'Hours of consecutive failed deliveries after which a webhook is paused and the garage\'s managers are told.'),
  // rate limits (checked by the bots when they dispatch; a refused command is answered, never queued)
  RATE_USER_PER_MINUTE: perMinute(60, 'Commands one user of a garage may send per minute, on average (a token bucket refilled evenly); 0 = no per-user limit.'),
  RATE_USER_BURST: positive(10, 'Commands one user may send at once before RATE_USER_PER_MINUTE applies (the bucket\'s size).'),
  RATE_GARAGE_PER_MINUTE: perMinute(60, 'Commands one garage (a Discord server, a Slack workspace) may send per minute, on average, all its users together; 0 = no per-garage limit.'),
  RATE_GARAGE_BURST: positive(30, 'Commands one garage may send at once before RATE_GARAGE_PER_MINUTE applies.'),
  // images
  IMAGE_MAX_BYTES: positive(20 * 1024 * 1024, 'Largest photo accepted, in bytes.'),
  IMAGE_MAX_PIXELS: positive(50_000_000, 'Largest photo accepted, in pixels (width x height), checked before decoding.'),
  IMAGE_DECODE_MAX_MB: positive(768, 'Memory ceiling (RSS, MB) of the images service\'s decoder process; a photo that needs more is refused.'),
  IMAGE_QUOTA_MB: positive(1024, 'Photo storage one garage may use, in MB (originals; a photo two garages keep counts for both); an upload past it is refused.'),
  IMAGE_UNFILED_DAYS: positive(7, 'Days a photo never filed on a car or an issue is kept before it is removed (swept at start and hourly).'),
  IMAGE_WAITING_PER_GARAGE: positive(4, 'Photos one garage may have waiting for the decoder; more from that garage are refused as busy while other garages\' photos are still taken.'),
  DOWNLOAD_TIMEOUT_MS: positive(15_000, 'Time limit for downloading a photo from a chat platform.'),
  // terminal chat
  LOCAL_TENANT: T.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', default: 'demo', description: 'Name of the terminal chat\'s garage (tenant `local:<name>`).', expects: 'letters, digits, _ . or -' }),
  // discord
  DISCORD_TOKEN: secret('Discord bot token; the Discord bot starts only when it is set.'),
  DISCORD_APP_ID: T.Optional(T.String({ pattern: '^[0-9]{5,25}$', description: 'Discord application id.', expects: 'a numeric Discord snowflake' })),
  DISCORD_API_URL: url('Discord REST base URL (the gateway URL comes from GET <base>/v10/gateway/bot).', 'https://discord.com/api'),
  DISCORD_GUILD_ID: T.Optional(T.String({ pattern: '^[0-9]{5,25}$', description: 'When set, `bun run deploy:discord` registers the commands in this guild only (instant, for development).', expects: 'a numeric Discord snowflake' })),
  DISCORD_FILE_HOSTS: hosts('cdn.discordapp.com,media.discordapp.net', 'Hosts Discord attachments may be downloaded from.'),
  DISCORD_SHARD_COUNT: T.Optional(T.Integer({ minimum: 1, description: 'Gateway shards of the Discord bot over all its processes (Discord refuses an unsharded session beyond 2,500 servers); unset = the count Discord recommends (GET /gateway/bot) at each start.', expects: 'a positive whole number' })),
  DISCORD_SHARD_IDS: T.Optional(T.String({ pattern: '^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$', description: 'Shard ids this Discord bot process runs, e.g. `0,1` or `0-3`, to spread the shards over processes or machines; unset = every shard. Needs DISCORD_SHARD_COUNT (every process must agree on the total), and each id must be below it.', expects: 'shard ids or ranges such as 0,1 or 0-3' })),
  // slack
  SLACK_BOT_TOKEN: secret('Slack bot token (xoxb-…) of a single workspace. The Slack app starts with it and SLACK_SIGNING_SECRET, or with the OAuth settings (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET, SLACK_TOKEN_KEY) for many workspaces; Socket Mode needs SLACK_APP_TOKEN instead of the signing secret.'),
  SLACK_SIGNING_SECRET: secret('Slack signing secret; requests whose signature does not match are refused.'),
  SLACK_APP_TOKEN: secret('Slack app-level token (xapp-…); when set the app uses Socket Mode instead of the HTTP receiver.'),
  SLACK_PORT: port(3000, 'Port of the Slack HTTP receiver (/slack/events).'),
  SLACK_API_URL: url('Slack Web API base URL.', 'https://slack.com/api/'),
  SLACK_FILE_HOSTS: hosts('files.slack.com', 'Hosts Slack files may be downloaded from (with the bot token).'),
  SLACK_CLIENT_ID: T.Optional(T.String({ pattern: '^[0-9]+\\.[0-9]+$', description: 'Slack app client id; with SLACK_CLIENT_SECRET and SLACK_STATE_SECRET it turns on installing the app in many workspaces (/slack/install, /slack/oauth_redirect), each answered with its own bot token.', expects: 'a Slack client id (digits.digits)' })),
  SLACK_CLIENT_SECRET: secret('Slack app client secret, for OAuth installs (with SLACK_CLIENT_ID).'),
  SLACK_STATE_SECRET: secret('Secret that signs the state of an OAuth install, so a forged or replayed redirect is refused.', 16),
  SLACK_TOKEN_KEY: secret('Key that encrypts the installed workspaces\' bot tokens in DATA_DIR/slack.sqlite (AES-256-GCM): 32 bytes, base64 (openssl rand -base64 32). Required when OAuth installs are on.', 44),
  SLACK_PUBLIC_URL: T.Optional(T.String({ pattern: '^https?://', description: 'Public base URL of the Slack app (https://cars.example.com); the manifest then lists <url>/slack/oauth_redirect as its redirect URL and OAuth installs ask for it.', expects: 'a URL starting with http:// or https://' })),
})

export type Config = Static<typeof ConfigSchema>
export type SettingName = keyof Config

export class ConfigError extends Error {}

/** Parses an environment (strings) into typed settings; throws ConfigError naming each bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const raw: Record<string, unknown> = {}
  for (const name of Object.keys(ConfigSchema.properties)) {
    const value = env[name]
    if (value !== undefined && value !== '') raw[name] = value
  }
  const withDefaults = Value.Default(ConfigSchema, raw)
  const converted = Value.Convert(ConfigSchema, withDefaults)
  const problems: string[] = []
  for (const error of Value.Errors(ConfigSchema, converted)) {
    const name = error.path.replace(/^\//, '')
    const field = (ConfigSchema.properties as Record<string, TSchema>)[name]
    const expects = field?.expects ?? error.message
    const shown = field?.secret ? '(hidden)' : JSON.stringify(env[name])
    problems.push(`${name} is ${env[name] === undefined ? 'missing' : `malformed: ${shown}`}; expected ${expects}`)
  }
  if (problems.length > 0) throw new ConfigError([...new Set(problems)].join('\n'))
  return converted as Config
}

let loaded: Config | undefined

/** The process's settings, parsed once. On a bad value prints what is wrong and exits 2. */
export function loadConfig(): Config {
  if (loaded) return loaded
  try {
    loaded = parseConfig(process.env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(`car-manager: invalid configuration\n${error.message}`)
    process.exit(2)
  }
  return loaded
}

/** Narrows an optional setting to present, or stops the process naming it and why this process needs it. */
export function requireSetting<K extends SettingName>(config: Config, name: K, why: string): NonNullable<Config[K]> {
  const value = config[name]
  if (value === undefined || value === null || value === '') {
    console.error(`car-manager: ${name} is missing; ${why}`)
    process.exit(2)
  }
  return value as NonNullable<Config[K]>
}

/** Every setting with its description, for the README table and .env.example. */
export function describeSettings(): { name: string; default?: unknown; description: string; expects: string }[] {
  return Object.entries(ConfigSchema.properties as Record<string, TSchema>).map(([name, s]) => ({
    name,
    default: s.default,
    description: String(s.description ?? ''),
    expects: String(s.expects ?? ''),
  }))
}
