/**
 * The same app through Socket Mode: SLACK_APP_TOKEN set, `apps.connections.open` on the
 * stand-in's Web API, the WebSocket's hello, envelopes acked at once, replies posted in the
 * channel (chat.postMessage), private ones at the response_url.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseConfig } from '../../lib/config.ts'
import { silentLogger } from '../../lib/log.ts'
import { type SlackStandin, startStandin } from '../../test/slack-standin/standin.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import { type RunningSlack, startSlack } from './index.ts'

let standin: SlackStandin
let stack: Stack
let slack: RunningSlack

beforeAll(async () => {
  standin = startStandin()
  stack = await startStack({ services: ['items'] })
  const config = parseConfig({
    // Commands come faster than a person sends them; the limits have their own tests.
    RATE_USER_PER_MINUTE: '0',
    RATE_GARAGE_PER_MINUTE: '0',
    REDIS_URL: stack.config.REDIS_URL,
    QUEUE_PREFIX: stack.prefix,
    SERVICE_TOKEN: stack.token,
    SLACK_BOT_TOKEN: standin.botToken,
    SLACK_APP_TOKEN: standin.appToken,
    SLACK_API_URL: standin.apiUrl,
    SLACK_PORT: '0',
  })
  slack = await startSlack(config, silentLogger, { port: 0 })
})

afterAll(async () => {
  await slack?.close()
  await stack?.close()
  await standin?.close()
})

describe('Slack app in Socket Mode', () => {
  test('connects with the app-level token and answers /car add in its channel', async () => {
    expect(slack.mode).toBe('socket')
    await standin.waitForSocket()
    const open = standin.calls('apps.connections.open')
    expect(open.length).toBe(1)
    expect(open[0]!.headers.authorization).toBe(`Bearer ${standin.appToken}`)

    const payload = standin.commandPayload({
      command: '/car',
      text: 'add corolla make:Toyota model:Corolla year:2018',
      teamId: 'TS0001',
      channelId: 'C0SOCKADD',
    })
    const { ack, ms } = await standin.socketSend('slash_commands', payload)
    expect(ack).toEqual({})
    expect(ms).toBeLessThan(3000)
    const reply = await standin.waitFor(
      () => standin.channelMessages('C0SOCKADD')[0],
      10_000,
      'the /car add reply',
    )
    expect(reply.method).toBe('chat.postMessage')
    expect(reply.text).toContain('corolla')
    expect(reply.text).toContain('Toyota Corolla')
    expect(standin.responses(payload.response_url)).toEqual([])
  })

  test('a parse error is answered in the ack itself, privately', async () => {
    const payload = standin.commandPayload({ command: '/car', text: '', teamId: 'TS0001' })
    const { ack } = await standin.socketSend('slash_commands', payload)
    expect(ack.response_type).toBe('ephemeral')
    expect(ack.text).toContain('/car needs a subcommand')
  })

  test('the connection stays up past the client ping interval', async () => {
    await Bun.sleep(7_500)
    expect(standin.socketConnections).toBe(1)
    expect(standin.calls('apps.connections.open').length).toBe(1)
    const payload = standin.commandPayload({
      command: '/car',
      text: 'list',
      teamId: 'TS0001',
      channelId: 'C0SOCKLIST',
    })
    await standin.socketSend('slash_commands', payload)
    const reply = await standin.waitFor(
      () => standin.channelMessages('C0SOCKLIST')[0],
      10_000,
      'the /car list reply',
    )
    expect(reply.text).toContain('corolla')
  }, 20_000)

  test('a button press over the socket is acked and runs its job', async () => {
    const payload = standin.blockActionsPayload({
      teamId: 'TS0001',
      actionId: 'item.done:999999',
      channelId: 'C0SOCKBTN',
    })
    const { ack } = await standin.socketSend('interactive', payload)
    expect(ack).toEqual({})
    // No such item: a private answer, at the press's response_url and not in the channel.
    const reply = await standin.waitFor(
      () => standin.responses(payload.response_url)[0],
      10_000,
      'the button reply',
    )
    expect(reply.response_type).toBe('ephemeral')
    expect(standin.channelMessages('C0SOCKBTN')).toEqual([])
    const job = await stack.dispatcher.queue.getJob(`cmd-TS0001-${payload.actions[0].action_ts}-U0ALICE`)
    expect(job?.data).toMatchObject({ kind: 'item.done', tenant: 'slack:TS0001', payload: { arg: '999999' } })
  })

  test('/health answers on SLACK_PORT beside the socket', async () => {
    const health = await fetch(`http://127.0.0.1:${slack.port}/health`)
    expect(health.status).toBe(200)
  })
})
