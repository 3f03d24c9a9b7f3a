/**
 * The real stack in one test process: each service's Elysia app on a Bun.serve at port 0 with
 * SQLite in a temporary folder, the orchestrator on the private test Redis under a unique queue
 * prefix, and a collector of the replies to its session (`replies.local.test`). End-to-end tests dispatch envelopes exactly as a
 * bot does and wait for the Reply a user would see.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Queue, type Worker } from 'bullmq'
import type IORedis from 'ioredis'
import { parseLine } from '../catalog/grammar.ts'
import { type Config, parseConfig } from '../lib/config.ts'
import { type Logger, silentLogger } from '../lib/log.ts'
import { producerConnection, workerConnection } from '../lib/redis.ts'
import { Dispatcher } from '../bots/shared/dispatch.ts'
import { envelope } from '../bots/shared/envelope.ts'
import type { Actor, Reply, ReplyJob, ReplyTo } from '../lib/contracts/envelope.ts'
import type { KindHandler } from '../queue/handler.ts'
import { SERVICE_NAMES, SERVICES, type ServiceName } from '../lib/contracts/services.ts'
import { localRepliesQueue, queueOptions, replyJobId, repliesQueue } from '../lib/contracts/queues.ts'
import { type Orchestrator, startOrchestrator } from '../queue/orchestrator.ts'
import { testRedisUrl } from './env.ts'
import { uniquePrefix } from './redis.ts'
import { localReplies } from './replies.ts'
import { Wakeup } from './wait.ts'

const ROOT = join(import.meta.dir, '..')

/** The chat session the stack's commands answer to (its replies go to `replies.local.test`). */
export const STACK_SESSION = 'test'

type CreateApp = (deps: { dataDir: string; token: string; now?: () => Date; config?: Config }) => {
  fetch: (request: Request) => Response | Promise<Response>
  stop?: () => unknown
}

type Running = { server: ReturnType<typeof Bun.serve>; port: number }

export type StackOptions = {
  /** Services to start (default: every service). */
  services?: ServiceName[]
  now?: () => Date
  /** Extra settings (strings, as in the environment). */
  env?: Record<string, string>
  /** Start the orchestrator (default true). */
  worker?: boolean
  log?: Logger
  /** Collect the replies to session `test` (default true). */
  collect?: boolean
  /** Handler families to use instead of queue/handlers/ (orchestrator tests). */
  handlers?: Map<string, KindHandler>
}

export class Stack {
  readonly dataDir: string
  readonly prefix: string
  readonly token = 'test-service-token-0123456789abcdef'
  config!: Config
  orchestrator?: Orchestrator
  private readonly running = new Map<ServiceName, Running>()
  private readonly ports = new Map<ServiceName, number>()
  private readonly apps = new Map<ServiceName, ReturnType<CreateApp>>()
  private producer!: IORedis
  private consumerConnection!: IORedis
  private workerConn?: IORedis
  dispatcher!: Dispatcher
  private collector?: Worker
  private readonly replies = new Map<string, ReplyJob[]>()
  private readonly wakeup = new Wakeup()
  private seq = 0
  private readonly platformQueues: Queue[] = []
  private readonly platformQueueOf: Partial<Record<'discord' | 'slack', Queue>> = {}

  constructor(private readonly options: StackOptions = {}) {
    this.dataDir = mkdtempSync(join(tmpdir(), 'cm-stack-'))
    this.prefix = uniquePrefix('stack')
  }

  get now(): () => Date {
    return this.options.now ?? (() => new Date())
  }

  async start(): Promise<this> {
    const services = this.options.services ?? SERVICE_NAMES
    // Ports first, so every URL is known before the config is parsed.
    for (const name of services) await this.startService(name, true)
    const env: Record<string, string> = {
      REDIS_URL: testRedisUrl(),
      DATA_DIR: this.dataDir,
      SERVICE_TOKEN: this.token,
      QUEUE_PREFIX: this.prefix,
      LOG_LEVEL: 'silent',
      COMMAND_ATTEMPTS: '2',
      // Tests send commands faster than a person; the limits have their own tests (bots/shared).
      RATE_USER_PER_MINUTE: '0',
      RATE_GARAGE_PER_MINUTE: '0',
      ...this.options.env,
    }
    for (const [name, port] of this.ports) {
      env[SERVICES[name].url] = `http://127.0.0.1:${port}`
      env[SERVICES[name].port] = String(port)
    }
    this.config = parseConfig(env)
    for (const name of services) this.bootApp(name)
    this.producer = producerConnection(this.config.REDIS_URL!)
    this.dispatcher = new Dispatcher(this.producer, this.prefix, this.config.COMMAND_ATTEMPTS)
    this.consumerConnection = workerConnection(this.config.REDIS_URL!)
    if (this.options.collect !== false) await this.startCollector()
    if (this.options.worker !== false) await this.startWorker()
    return this
  }

  private async startCollector(): Promise<void> {
    this.collector = localReplies(
      this.consumerConnection,
      this.prefix,
      (data) => {
        const list = this.replies.get(data.envelopeId) ?? []
        list.push(data)
        this.replies.set(data.envelopeId, list)
        this.wakeup.wake()
      },
      { sessions: [STACK_SESSION] },
    )
    await this.collector.waitUntilReady()
  }

  /** Starts (or restarts) the orchestrator. */
  async startWorker(): Promise<Orchestrator> {
    this.workerConn = workerConnection(this.config.REDIS_URL!)
    this.orchestrator = await startOrchestrator({
      config: this.config,
      connection: this.workerConn,
      log: this.options.log ?? silentLogger,
      now: this.now,
      ...(this.options.handlers ? { handlers: this.options.handlers } : {}),
    })
    return this.orchestrator
  }

  async stopWorker(): Promise<void> {
    await this.orchestrator?.close()
    this.workerConn?.disconnect()
    this.orchestrator = undefined
  }

  private bootApp(name: ServiceName) {
    // Loaded by its path in the one list of services (a sixth service needs no edit here), and
    // only for the services a test starts.
    const mod = require(join(ROOT, SERVICES[name].app)) as { createApp: CreateApp }
    this.apps.set(
      name,
      mod.createApp({ dataDir: this.dataDir, token: this.token, now: this.now, config: this.config }),
    )
  }

  /** Starts a service's HTTP listener (again) on its port. */
  async startService(name: ServiceName, reserveOnly = false): Promise<void> {
    const port = this.ports.get(name) ?? 0
    const server = Bun.serve({
      hostname: '127.0.0.1',
      port,
      fetch: (request) => {
        const app = this.apps.get(name)
        if (!app) return new Response('starting', { status: 503 })
        return app.fetch(request)
      },
    })
    this.ports.set(name, server.port!)
    this.running.set(name, { server, port: server.port! })
    if (!reserveOnly && !this.apps.has(name)) this.bootApp(name)
  }

  /** Stops a service's listener: its callers see connection refused, as when the process is down. */
  async stopService(name: ServiceName): Promise<void> {
    const r = this.running.get(name)
    if (!r) return
    r.server.stop(true)
    this.running.delete(name)
  }

  url(name: ServiceName): string {
    return `http://127.0.0.1:${this.ports.get(name)}`
  }

  /** Headers a service call needs. */
  headers(tenant: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      authorization: `Bearer ${this.token}`,
      'x-tenant': tenant,
      'content-type': 'application/json',
      ...extra,
    }
  }

  /** Dispatches a command as a bot would (replyTo local) and returns its envelope id. */
  async dispatch(
    kind: string,
    payload: unknown,
    opts: { tenant?: string; actor?: Partial<Actor>; replyTo?: ReplyTo; id?: string } = {},
  ): Promise<string> {
    const id =
      opts.id ?? `e${Date.now().toString(36)}-${++this.seq}-${Math.random().toString(36).slice(2, 8)}`
    const job = envelope({
      id,
      kind,
      tenant: opts.tenant ?? 'local:test',
      actor: { platform: 'local', userId: 'tester', name: 'Tester', ...opts.actor },
      replyTo: opts.replyTo ?? { platform: 'local', session: STACK_SESSION },
      payload,
      at: this.now().getTime(),
    })
    const result = await this.dispatcher.dispatch(job)
    if (!result.ok) throw new Error('dispatch failed: Redis unavailable')
    return job.id
  }

  /** Waits for the final (non-notice) reply to an envelope. */
  async reply(envelopeId: string, timeoutMs = 10_000): Promise<Reply> {
    const done = () => this.replies.get(envelopeId)?.find((r) => !r.notice)
    const deadline = Date.now() + timeoutMs
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`no reply to ${envelopeId} within ${timeoutMs} ms`)
      await this.wakeup.nap(50)
    }
    return done()!.reply
  }

  /** Every reply job seen for an envelope (notices included), in arrival order. */
  repliesTo(envelopeId: string): ReplyJob[] {
    return this.replies.get(envelopeId) ?? []
  }

  /** Dispatch and wait for the final reply. */
  async command(kind: string, payload: unknown, opts: Parameters<Stack['dispatch']>[2] = {}): Promise<Reply> {
    return this.reply(await this.dispatch(kind, payload, opts))
  }

  /** A line as typed in the chat (`/car add golf`), read by the grammar, in garage `tenant`. */
  async say(line: string, tenant: string): Promise<Reply> {
    const parsed = parseLine(line)
    if (!parsed.ok) throw new Error(`grammar refused ${line}: ${parsed.error}`)
    return this.command(parsed.kind, parsed.payload, { tenant })
  }

  /** A button pressed by its id (`garage.undo_change:14`), in garage `tenant`. */
  press(id: string, tenant: string): Promise<Reply> {
    const colon = id.indexOf(':')
    return this.command(id.slice(0, colon), { arg: id.slice(colon + 1) }, { tenant })
  }

  /** A bot's reply queue (Discord/Slack tests read their platform's queue themselves); `local` is the stack's session's. */
  replyQueue(platform: 'discord' | 'slack' | 'local'): Queue {
    const name = platform === 'local' ? localRepliesQueue(STACK_SESSION) : repliesQueue(platform)
    const queue = new Queue(name, queueOptions(this.producer, this.prefix))
    this.platformQueues.push(queue)
    return queue
  }

  /**
   * The final reply to an envelope that went to a bot's queue (`replies.discord|slack`), read
   * from the queue itself since no bot consumes it in these tests.
   */
  async platformReply(platform: 'discord' | 'slack', envelopeId: string, timeoutMs = 10_000): Promise<Reply> {
    const queue = (this.platformQueueOf[platform] ??= this.replyQueue(platform))
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const job = await queue.getJob(replyJobId(envelopeId, 'final'))
      if (job) return (job.data as ReplyJob).reply
      await Bun.sleep(20)
    }
    throw new Error(`no ${platform} reply to ${envelopeId} within ${timeoutMs} ms`)
  }

  async close(): Promise<void> {
    await this.stopWorker()
    await this.collector?.close()
    await this.dispatcher?.close()
    this.producer?.disconnect()
    this.consumerConnection?.disconnect()
    for (const name of [...this.running.keys()]) await this.stopService(name)
    await Promise.all(this.platformQueues.map((q) => q.close()))
    // Apps served through this stack's own Bun.serve never listened; their stop() still releases
    // what they hold (services/lib/http.ts releaseOnStop).
    for (const app of this.apps.values()) await app.stop?.()
    rmSync(this.dataDir, { recursive: true, force: true })
  }
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  return new Stack(options).start()
}
