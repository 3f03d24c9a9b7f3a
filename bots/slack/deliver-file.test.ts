/**
 * A Reply's file (an export zip) reaches Slack: the delivery fetches it from the real images
 * service's files and uploads it (files.getUploadURLExternal → upload → completeUploadExternal)
 * into the asker's direct message with the app, which only they see, once however often the job
 * runs; the private answer at the response_url says where it went.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import type IORedis from 'ioredis'
import { type Config, parseConfig } from '../../lib/config.ts'
import type { Reply, ReplyJob } from '../../lib/contracts/envelope.ts'
import { replyJobId } from '../../lib/contracts/queues.ts'
import { silentLogger } from '../../lib/log.ts'
import { workerConnection } from '../../lib/redis.ts'
import { testRedisUrl } from '../../test/env.ts'
import { type SlackStandin, startStandin } from '../../test/slack-standin/standin.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import { SlackDelivery } from './deliver.ts'

const tenant = 'slack:TF0001'
let standin: SlackStandin
let stack: Stack
let config: Config
let connection: IORedis

beforeAll(async () => {
  standin = startStandin()
  stack = await startStack({ services: ['images'], worker: false, collect: false })
  config = parseConfig({
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: stack.prefix,
    SERVICE_TOKEN: stack.token,
    IMAGES_URL: stack.url('images'),
    SLACK_BOT_TOKEN: standin.botToken,
    SLACK_SIGNING_SECRET: standin.signingSecret,
    SLACK_API_URL: standin.apiUrl,
  })
  connection = workerConnection(testRedisUrl())
})

afterAll(async () => {
  connection?.disconnect()
  await stack?.close()
  await standin?.close()
})

test('the zip is uploaded to the asker privately, once, and the answer says where', async () => {
  const zip = new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)])
  const res = await fetch(`${stack.url('images')}/files?name=car-manager-csv-2026-06-01.zip&type=application/zip`, {
    method: 'POST',
    headers: { ...stack.headers(tenant, { 'idempotency-key': 'slack-file-1' }), 'content-type': 'application/octet-stream' },
    body: zip,
  })
  const file = (await res.json()) as NonNullable<Reply['file']>
  const url = standin.responseUrl()
  const data: ReplyJob = {
    envelopeId: 'slackfile1',
    tenant,
    replyTo: { platform: 'slack', channelId: 'C0GARAGE', responseUrl: url, userId: 'U0ASKER' },
    reply: { tone: 'ok', title: 'Export of the garage (csv)', text: '2 cars.', file, ephemeral: true },
  }
  const delivery = new SlackDelivery({ config, connection, log: silentLogger })
  await delivery.deliver(replyJobId(data.envelopeId), data)
  await delivery.deliver(replyJobId(data.envelopeId), data)

  const uploaded = standin.uploadedFiles()
  expect(uploaded).toHaveLength(1)
  expect(uploaded[0]!.name).toBe('car-manager-csv-2026-06-01.zip')
  expect(uploaded[0]!.bytes).toEqual(zip)
  // shared only in the asker's direct message, never in the garage's channel
  expect(uploaded[0]!.channels).toEqual(['D0ASKER'])
  expect(standin.calls('files.completeUploadExternal')).toHaveLength(1)
  const answers = standin.responses(url)
  expect(answers).toHaveLength(1)
  expect(answers[0].response_type).toBe('ephemeral')
  expect(JSON.stringify(answers[0])).toContain('is in your direct messages with Car Manager')
})
