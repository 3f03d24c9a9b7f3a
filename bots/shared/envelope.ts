/**
 * The one way a bot (and a test or the bench acting as one) builds the job envelope it
 * dispatches (lib/contracts/envelope.ts). The id becomes a BullMQ job id as it is, so the
 * builder keeps it to the characters the envelope schema allows; the actor's name is cut to
 * the schema's length. Everything else is taken as given: the worker validates the job again.
 */
import { Actor, type Envelope } from '../../lib/contracts/envelope.ts'
import { clip } from '../../lib/domain/text.ts'

/** Longest envelope id (the Envelope schema's `id` pattern). */
const ID_MAX = 200
const NAME_MAX = Actor.properties.name.maxLength ?? 200

/**
 * An envelope id from a platform's ids: the non-empty parts joined with `-`, every character
 * the envelope and BullMQ refuse (`:` above all) made `_`, at most 200 characters. Discord
 * snowflakes and UUIDs pass unchanged.
 */
export function envelopeId(...parts: (string | undefined)[]): string {
  return parts
    .filter((p): p is string => typeof p === 'string' && p !== '')
    .join('-')
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .slice(0, ID_MAX)
}

export type EnvelopeFields<P> = Omit<Envelope<P>, 'id'> & {
  /** The platform's interaction or event id, or the ids that together make one (joined with `-`). */
  id: string | readonly (string | undefined)[]
}

/** A job envelope for the `commands` queue. */
export function envelope<P>(fields: EnvelopeFields<P>): Envelope<P> {
  const { id, kind, tenant, actor, replyTo, payload, at } = fields
  return {
    id: typeof id === 'string' ? envelopeId(id) : envelopeId(...id),
    kind,
    tenant,
    actor: {
      platform: actor.platform,
      userId: actor.userId,
      name: clip(actor.name, NAME_MAX),
      ...(actor.discord ? { discord: actor.discord } : {}),
      ...(actor.slack ? { slack: actor.slack } : {}),
    },
    replyTo,
    payload,
    at,
  }
}

/**
 * A command of the terminal chat, or of a test or the bench acting as one: the actor is a local
 * user and the reply goes to `replies.local` for `session`. `at` defaults to now.
 */
export function localEnvelope<P>(fields: {
  id: string
  kind: string
  tenant: string
  user: { id: string; name: string }
  session: string
  payload: P
  at?: number
}): Envelope<P> {
  const { user, session, at = Date.now(), ...rest } = fields
  return envelope({
    ...rest,
    actor: { platform: 'local', userId: user.id, name: user.name },
    replyTo: { platform: 'local', session },
    at,
  })
}
