import { expect, test } from 'bun:test'
import { Value } from '@sinclair/typebox/value'
import { Envelope } from '../../lib/contracts/envelope.ts'
import { envelope, envelopeId } from './envelope.ts'

const base = {
  kind: 'car.show',
  tenant: 'slack:T0001',
  actor: { platform: 'slack' as const, userId: 'U0BOB', name: 'bob' },
  replyTo: { platform: 'slack' as const, channelId: 'C0GARAGE' },
  payload: { car: 'corolla' },
  at: 1_715_000_000_000,
}

test('platform ids become ids the envelope schema and BullMQ accept', () => {
  expect(envelopeId('1234567890123456789')).toBe('1234567890123456789')
  expect(envelopeId('3f0c0a43-5d1e-4d7a-9a43-0e5f6a1b2c3d')).toBe('3f0c0a43-5d1e-4d7a-9a43-0e5f6a1b2c3d')
  expect(envelopeId('T0001', '1715000000.000100', 'U0BOB')).toBe('T0001-1715000000.000100-U0BOB')
  expect(envelopeId('Ev:01/AB c')).toBe('Ev_01_AB_c')
  expect(envelopeId(undefined, '', 'V123')).toBe('V123')
  expect(envelopeId('x'.repeat(300))).toHaveLength(200)
})

test('the envelope keeps what it is given, in the contract shape', () => {
  const job = envelope({ ...base, id: ['T0001', '1715000000.000100', 'U0BOB'] })
  expect(job).toEqual({ ...base, id: 'T0001-1715000000.000100-U0BOB' })
  expect(Value.Check(Envelope, job)).toBe(true)
  expect(Object.keys(job)).toEqual(['id', 'kind', 'tenant', 'actor', 'replyTo', 'payload', 'at'])
})

test('an id with characters BullMQ refuses and a long display name still make a valid envelope', () => {
  const job = envelope({ ...base, id: 'Ev:0123', actor: { ...base.actor, name: 'n'.repeat(500) } })
  expect(job.id).toBe('Ev_0123')
  expect(job.actor.name).toHaveLength(200)
  expect(job.actor.name.endsWith('…')).toBe(true)
  expect(Value.Check(Envelope, job)).toBe(true)
})
