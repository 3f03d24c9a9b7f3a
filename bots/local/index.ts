/**
 * The terminal chat (`bun run chat`): the same slash commands as Discord and Slack, through
 * the same queue. Each line is parsed with the catalog's grammar (a mistake is answered here and
 * never becomes a job), dispatched to `commands` as tenant `local:<LOCAL_TENANT>`, and the
 * replies are read from this chat session's own queue `replies.local.<session>` (and the
 * garage's channel posts, reminders, from `replies.local.garage.<LOCAL_TENANT>`) and printed
 * as plain text, each reply job once.
 *
 * - stdin is a terminal: a `> ` prompt with history; replies are printed as they arrive.
 * - stdin is a pipe or file: one command per line, each waited for (at most `timeoutMs`), its
 *   replies printed in order; exit 0 once input ended and every reply arrived, 1 on a timeout.
 * - `!press <action id> [name:value …]` presses a button of an earlier reply.
 * - an attachment option takes a path (`/photo add car:golf file:./golf.jpg`): the chat reads
 *   the file (at most IMAGE_MAX_BYTES) as the user running it, and serves it to the worker the
 *   way Discord and Slack serve theirs, at a one-time URL of its own (loopback only, a random
 *   token, gone once the command is answered); the worker downloads it under the rules of
 *   queue/clients/download.ts and never reads a path itself.
 *
 * `LocalChat` is the programmatic side, for end-to-end tests.
 */
import { randomUUID } from 'node:crypto'
import { appendFileSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import { homedir, userInfo } from 'node:os'
import { basename, dirname, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import type IORedis from 'ioredis'
import { parseActionId } from '../../catalog/actions.ts'
import { commands as catalogCommands, findCommand } from '../../catalog/catalog.ts'
import type { Command } from '../../catalog/command.ts'
import { forms, parseFormSubmission } from '../../catalog/forms.ts'
import { parseLine, tokenize } from '../../catalog/grammar.ts'
import type { Config } from '../../lib/config.ts'
import type { Reply, ReplyJob } from '../../lib/contracts/envelope.ts'
import { renderText } from '../../lib/contracts/reply-text.ts'
import { megabytes } from '../../lib/bytes.ts'
import { clip } from '../../lib/domain/text.ts'
import { producerConnection, workerConnection } from '../../lib/redis.ts'
import { Dispatcher, dispatchFailureText } from '../shared/dispatch.ts'
import { localEnvelope } from '../shared/envelope.ts'
import { ReplyInbox } from './inbox.ts'

export type LocalChatOptions = {
  redisUrl: string
  queuePrefix: string
  /** LOCAL_TENANT: the garage is `local:<tenant>`. */
  tenant: string
  /** COMMAND_ATTEMPTS for dispatched jobs. */
  attempts?: number
  /** Longest wait for a command's final reply (default 30 s). */
  timeoutMs?: number
  user?: { id: string; name: string }
  /** IMAGE_MAX_BYTES: the largest file an attachment option takes (default 20 MiB). */
  maxFileBytes?: number
  /** Where relative file paths start (default the current directory). */
  cwd?: string
  /**
   * Where the files replies carry (an export zip) come from and go: the images service with the
   * service token, and the folder they are written to (DATA_DIR/exports). Without it a reply's
   * file is named but not saved.
   */
  files?: { imagesUrl: string; token: string; dir: string }
  /** Every reply job of this session or its garage's channel, as it first arrives (a reminder too). */
  onReply?: (job: ReplyJob) => void
}

/** No final reply came in time. `replies` holds what did come (notices). */
export class ReplyTimeout extends Error {
  constructor(
    readonly line: string,
    readonly timeoutMs: number,
    readonly replies: Reply[],
  ) {
    super(`no reply to "${line}" within ${timeoutMs / 1000} s (is the worker running?)`)
  }
}

/** A line made ready to dispatch (with the tokens of the files it serves), or the answer given here. */
type LocalJob = { kind: string; payload: unknown; files?: string[] } | { reply: Reply }

/** Answers made here (grammar mistakes) rather than by the worker. */
const LOCAL_REPLIES = new WeakSet<Reply>()
const isLocal = (reply: Reply) => LOCAL_REPLIES.has(reply)

function localError(text: string): Reply {
  const reply: Reply = { tone: 'error', text: clip(text, 4000), ephemeral: true }
  LOCAL_REPLIES.add(reply)
  return reply
}

export class LocalChat {
  readonly session = randomUUID()
  readonly tenant: string
  private producer?: IORedis
  private consumer?: IORedis
  private dispatcher?: Dispatcher
  private readonly inbox = new ReplyInbox()
  private readonly files = new FileHost()

  constructor(private readonly options: LocalChatOptions) {
    this.tenant = `local:${options.tenant}`
  }

  /** Connects to Redis and starts taking replies. */
  async connect(): Promise<void> {
    this.producer = producerConnection(this.options.redisUrl)
    this.producer.on('error', () => {})
    await waitReady(this.producer, 10_000)
    this.dispatcher = new Dispatcher(this.producer, this.options.queuePrefix, this.options.attempts ?? 4)
    this.consumer = workerConnection(this.options.redisUrl)
    this.consumer.on('error', () => {})
    await this.inbox.start({
      connection: this.consumer,
      queuePrefix: this.options.queuePrefix,
      session: this.session,
      tenant: this.tenant,
      prepare: (job) => saveReplyFile(job, this.options.files),
      onReply: this.options.onReply,
    })
  }

  /**
   * Sends one line and resolves with its replies (notices first, the final reply last).
   * Grammar mistakes are answered locally; blank lines and `#` comments give no reply.
   * Rejects with ReplyTimeout when the final reply does not come in time.
   */
  async send(line: string): Promise<Reply[]> {
    const text = line.trim()
    if (text === '' || text.startsWith('#')) return []
    const job = text.startsWith('!') ? this.pressJob(text) : this.commandJob(text)
    if ('reply' in job) return [job.reply]
    try {
      const user = this.options.user ?? localUser()
      const command = localEnvelope({
        id: randomUUID(),
        kind: job.kind,
        tenant: this.tenant,
        user,
        session: this.session,
        payload: job.payload,
      })
      const sent = await this.dispatcher!.dispatch(command)
      if (!sent.ok) return [localError(dispatchFailureText(sent))]
      return await this.waitFinal(command.id, text)
    } finally {
      // The worker has its answer (or never will): the command's files are no longer served.
      for (const token of job.files ?? []) this.files.remove(token)
    }
  }

  /**
   * A typed command. A path given in an attachment option (`file:./golf.jpg`) is read here and
   * becomes the attachment a platform would deliver: its name, size and a URL of this chat.
   */
  private commandJob(text: string): LocalJob {
    const withFiles = attachmentGrammar(text)
    const parsed = parseLine(text, withFiles?.commands)
    if (!parsed.ok) return { reply: localError(`${parsed.error}\n\n${parsed.help}`) }
    if (!withFiles) return { kind: parsed.kind, payload: parsed.payload }
    const payload: Record<string, unknown> = { ...parsed.payload }
    const files: string[] = []
    for (const name of withFiles.options) {
      const path = payload[name]
      if (typeof path !== 'string') continue
      const file = readLocalFile(
        path,
        this.options.cwd ?? process.cwd(),
        this.options.maxFileBytes ?? DEFAULT_MAX_FILE,
      )
      if ('error' in file) {
        for (const token of files) this.files.remove(token)
        return { reply: localError(`${name}: ${file.error}`) }
      }
      const served = this.files.serve(file.bytes, file.filename, file.contentType)
      files.push(served.token)
      payload[name] = {
        url: served.url,
        filename: file.filename,
        size: file.bytes.length,
        ...(file.contentType ? { contentType: file.contentType } : {}),
      }
    }
    return { kind: parsed.kind, payload, files }
  }

  /** `!press <action id> [name:value …]`: a button of an earlier reply. */
  private pressJob(text: string): LocalJob {
    const [word, id] = text.split(/\s+/)
    if (word !== '!press' || !id)
      return {
        reply: localError('terminal commands: !press <action id> [name:value …], e.g. !press item.done:42'),
      }
    const action = parseActionId(id)
    if (!action)
      return { reply: localError(`"${id}" is not a button id; copy one from the (…) after a button`) }
    if (action.type === 'kind') return { kind: action.kind, payload: { arg: action.arg } }
    const form = forms[action.form]
    if (!form) return { reply: localError(`there is no form "${action.form}"`) }
    let values: Record<string, string>
    try {
      values = Object.fromEntries(
        tokenize(text.slice(text.indexOf(id) + id.length)).map(
          (t) => [t.name ?? '', t.value] as [string, string],
        ),
      )
    } catch (error) {
      return { reply: localError((error as Error).message) }
    }
    if ('' in values) {
      const fields = form.fields.map((f) => `${f.name}:…${f.required ? ' (required)' : ''}`).join(' ')
      return {
        reply: localError(`${form.title}: give the values as name:value, e.g. !press ${id} ${fields}`),
      }
    }
    const parsed = parseFormSubmission(action.form, action.arg, values)
    if (!parsed.ok) return { reply: localError(parsed.error) }
    return { kind: parsed.kind, payload: parsed.payload }
  }

  private async waitFinal(id: string, line: string): Promise<Reply[]> {
    const timeoutMs = this.options.timeoutMs ?? 30_000
    const finalJob = await this.inbox.final(id, timeoutMs)
    const jobs = this.inbox.take(id)
    if (!finalJob)
      throw new ReplyTimeout(
        line,
        timeoutMs,
        jobs.map((r) => r.reply),
      )
    // Notices first, then the final answer (a late notice after the final one is dropped).
    return [
      ...jobs.filter((r) => r.notice && jobs.indexOf(r) < jobs.indexOf(finalJob)).map((r) => r.reply),
      finalJob.reply,
    ]
  }

  async close(): Promise<void> {
    this.files.close()
    await this.inbox.close(this.producer?.status === 'ready' ? this.producer : undefined)
    await this.dispatcher?.close().catch(() => {})
    this.producer?.disconnect()
    this.consumer?.disconnect()
  }
}

const DEFAULT_MAX_FILE = 20 * 1024 * 1024

/**
 * The terminal chat's delivery of a reply's file: fetched from the images service and written
 * to `dir` (DATA_DIR/exports) as `<name>-<id>.<ext>`, the reply then saying where. The id is the
 * reply's own, so a reply job seen again writes the same path; a file that cannot be fetched is
 * said instead (the reply still shows).
 */
export async function saveReplyFile(job: ReplyJob, files: LocalChatOptions['files']): Promise<ReplyJob> {
  const file = job.reply.file
  if (!file) return job
  const say = (line: string): ReplyJob => ({
    ...job,
    reply: { ...job.reply, text: clip(`${job.reply.text}\n${line}`, 4000) },
  })
  if (!files) return say(`File: ${file.name} (${megabytes(file.bytes)}), not saved: this chat has no images service`)
  const dot = file.name.lastIndexOf('.')
  const stem = dot > 0 ? file.name.slice(0, dot) : file.name
  const path = resolve(files.dir, `${stem}-${file.id.slice(0, 8)}${dot > 0 ? file.name.slice(dot) : ''}`)
  try {
    const res = await fetch(`${files.imagesUrl.replace(/\/$/, '')}/files/${file.id}`, {
      headers: { authorization: `Bearer ${files.token}`, 'x-tenant': job.tenant },
      signal: AbortSignal.timeout(60_000),
    })
    if (!res.ok) throw new Error(`the images service answered ${res.status}`)
    mkdirSync(files.dir, { recursive: true })
    await Bun.write(path, res)
  } catch (error) {
    return say(`File: ${file.name} could not be saved: ${(error as Error).message}`)
  }
  return say(`Saved to ${path}`)
}

/**
 * The catalog with the attachment options of the line's subcommand taking text (the path), so
 * the grammar places them as it places any option; undefined when the subcommand has none.
 */
function attachmentGrammar(text: string): { commands: Command[]; options: string[] } | undefined {
  const m = /^\/?(\S+)\s+(\S+)/.exec(text)
  const command = m ? findCommand(m[1]!) : undefined
  const sub = command?.subcommands.find((s) => s.name === m![2]!.toLowerCase())
  const options = sub?.options.filter((o) => o.type === 'attachment').map((o) => o.name) ?? []
  if (!command || !sub || options.length === 0) return undefined
  const asPath = (o: Command['subcommands'][number]['options'][number]) =>
    o.type === 'attachment' ? { ...o, type: 'string' as const, maxLength: 1024 } : o
  const local: Command = {
    ...command,
    subcommands: command.subcommands.map((s) => (s === sub ? { ...s, options: s.options.map(asPath) } : s)),
  }
  return { commands: catalogCommands.map((c) => (c === command ? local : c)), options }
}

type LocalFile = { bytes: Uint8Array; filename: string; contentType?: string }

/** A file the user named, read as the user running the chat; refused when missing, a folder, empty or too large. */
export function readLocalFile(path: string, cwd: string, maxBytes: number): LocalFile | { error: string } {
  const full = resolve(cwd, path.startsWith('~/') ? `${homedir()}${path.slice(1)}` : path)
  const filename = basename(full)
  const tooLarge = (size: number) =>
    `${filename} is ${megabytes(size)}, over the limit of ${megabytes(maxBytes)}`
  let size: number
  try {
    const stat = statSync(full)
    if (!stat.isFile()) return { error: `${path} is not a file` }
    size = stat.size
  } catch {
    return { error: `there is no file ${path}` }
  }
  if (size > maxBytes) return { error: tooLarge(size) }
  let bytes: Uint8Array
  try {
    bytes = readFileSync(full)
  } catch (error) {
    return {
      error: `${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    }
  }
  if (bytes.length === 0) return { error: `${filename} is empty` }
  if (bytes.length > maxBytes) return { error: tooLarge(bytes.length) }
  const type = Bun.file(full).type.split(';')[0]!
  return { bytes, filename, ...(type.startsWith('image/') ? { contentType: type } : {}) }
}

/**
 * The chat's own file host, as Discord's CDN or Slack's file host is theirs: each file is served
 * on loopback at a random URL while its command waits for its answer (a retried job downloads it
 * again), then forgotten. Started on the first file.
 */
class FileHost {
  private server?: ReturnType<typeof Bun.serve>
  private readonly files = new Map<string, { bytes: Uint8Array; type: string }>()

  serve(
    bytes: Uint8Array,
    filename: string,
    type = 'application/octet-stream',
  ): { token: string; url: string } {
    this.server ??= Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: (request) => {
        const token = new URL(request.url).pathname.split('/')[2] ?? ''
        const file = request.method === 'GET' ? this.files.get(token) : undefined
        if (!file) return new Response('not found', { status: 404 })
        return new Response(file.bytes, { headers: { 'content-type': file.type } })
      },
    })
    const token = randomUUID()
    this.files.set(token, { bytes, type })
    return {
      token,
      url: `http://127.0.0.1:${this.server.port}/files/${token}/${encodeURIComponent(filename)}`,
    }
  }

  remove(token: string): void {
    this.files.delete(token)
  }

  close(): void {
    this.files.clear()
    this.server?.stop(true)
    this.server = undefined
  }
}

/**
 * The terminal chat's user: the login name of the account running it. Bun's `os.userInfo()`
 * answers "unknown" when `USER` is not set (a container, a service manager), so the password
 * database is asked for the process's uid before giving up.
 */
export function loginName(): string {
  try {
    const name = userInfo().username
    if (name && name !== 'unknown') return name
  } catch {}
  try {
    const uid = process.getuid?.()
    if (uid !== undefined) {
      for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
        const [name, , id] = line.split(':')
        if (name && id === String(uid)) return name
      }
    }
  } catch {}
  return 'local user'
}

/** Who the terminal chat's commands are by (the history and comments of an issue name them). */
export function localUser(): { id: string; name: string } {
  const name = loginName()
  return { id: `local-${name}`.slice(0, 64), name }
}

function waitReady(connection: IORedis, timeoutMs: number): Promise<void> {
  if (connection.status === 'ready') return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      connection.off('ready', onReady)
      reject(new Error(`Redis did not answer within ${timeoutMs / 1000} s`))
    }, timeoutMs)
    const onReady = () => {
      clearTimeout(timer)
      resolve()
    }
    connection.once('ready', onReady)
  })
}

export type RunChatOptions = {
  config: Config
  redisUrl: string
  input?: NodeJS.ReadableStream
  output?: (text: string) => void
  /** Default: whether stdin is a terminal. */
  interactive?: boolean
  /** Where the interactive history is kept (default DATA_DIR/chat-history). */
  historyFile?: string
  timeoutMs?: number
}

/** Runs the chat on a stream until it ends; resolves with the exit code. */
export async function runChat(options: RunChatOptions): Promise<number> {
  const input = options.input ?? process.stdin
  const out = options.output ?? ((text: string) => process.stdout.write(`${text}\n`))
  const interactive = options.interactive ?? Boolean(process.stdin.isTTY)
  let printReply = (job: ReplyJob) => out(renderText(job.reply))
  const chat = new LocalChat({
    redisUrl: options.redisUrl,
    queuePrefix: options.config.QUEUE_PREFIX,
    tenant: options.config.LOCAL_TENANT,
    attempts: options.config.COMMAND_ATTEMPTS,
    maxFileBytes: options.config.IMAGE_MAX_BYTES,
    timeoutMs: options.timeoutMs ?? 30_000,
    ...(options.config.SERVICE_TOKEN
      ? {
          files: {
            imagesUrl: options.config.IMAGES_URL,
            token: options.config.SERVICE_TOKEN,
            dir: resolve(options.config.DATA_DIR, 'exports'),
          },
        }
      : {}),
    onReply: (job) => printReply(job),
  })
  try {
    await chat.connect()
  } catch (error) {
    out(`car-manager chat: cannot reach Redis at ${options.redisUrl}: ${(error as Error).message}`)
    await chat.close()
    return 1
  }
  try {
    return interactive
      ? await interactiveLoop(chat, input, out, options, (p) => (printReply = p))
      : await scriptedLoop(chat, input, out)
  } finally {
    await chat.close()
  }
}

async function scriptedLoop(
  chat: LocalChat,
  input: NodeJS.ReadableStream,
  out: (text: string) => void,
): Promise<number> {
  const rl = createInterface({ input, terminal: false, crlfDelay: Number.POSITIVE_INFINITY })
  for await (const raw of rl) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    out(`> ${line}`)
    try {
      const replies = await chat.send(line)
      // Queue replies were printed as they arrived; local answers (grammar errors) are printed here.
      for (const r of replies) if (isLocal(r)) out(renderText(r))
    } catch (error) {
      if (error instanceof ReplyTimeout) {
        out(`[timeout] ${error.message}`)
        rl.close()
        return 1
      }
      throw error
    }
    out('')
  }
  return 0
}

async function interactiveLoop(
  chat: LocalChat,
  input: NodeJS.ReadableStream,
  out: (text: string) => void,
  options: RunChatOptions,
  setPrinter: (p: (job: ReplyJob) => void) => void,
): Promise<number> {
  const historyFile = options.historyFile ?? `${options.config.DATA_DIR}/chat-history`
  let history: string[] = []
  try {
    history = readFileSync(historyFile, 'utf8').split('\n').filter(Boolean).slice(-500).reverse()
  } catch {}
  const rl = createInterface({
    input,
    output: process.stdout,
    terminal: true,
    history,
    historySize: 500,
    prompt: '> ',
  })
  const print = (text: string) => {
    process.stdout.write('\r\x1b[K')
    out(text)
    rl.prompt(true)
  }
  setPrinter((job) => print(renderText(job.reply)))
  out(
    `Car Manager terminal chat — garage ${chat.tenant}. Try /car list or /garage help; !press <id> presses a button; Ctrl-D ends.`,
  )
  rl.prompt()
  return new Promise<number>((resolve) => {
    rl.on('SIGINT', () => rl.close())
    rl.on('close', () => resolve(0))
    rl.on('line', (raw) => {
      const line = raw.trim()
      if (line === 'exit' || line === 'quit') return rl.close()
      if (line && !line.startsWith('#')) {
        try {
          mkdirSync(dirname(historyFile), { recursive: true })
          appendFileSync(historyFile, `${line}\n`)
        } catch {}
      }
      chat
        .send(line)
        .then((replies) => {
          for (const r of replies) if (isLocal(r)) print(renderText(r))
        })
        .catch((error) => print(`[timeout] ${(error as Error).message}`))
      rl.prompt()
    })
  })
}

if (import.meta.main) {
  const { loadConfig, requireSetting } = await import('../../lib/config.ts')
  const config = loadConfig()
  const redisUrl = requireSetting(
    config,
    'REDIS_URL',
    'the chat sends commands through Redis (or use `bun run demo`, which starts one).',
  )
  process.exit(await runChat({ config, redisUrl }))
}
