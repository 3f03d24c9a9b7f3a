/**
 * How a feature adds its routes. app.ts mounts each feature's plugin on serviceApp's base, after
 * the base's resolve: a local resolve runs for the routes of the plugins mounted after it, so
 * every one of them gets `tenant` (X-Tenant, checked) and `idempotencyKey` at run time. A
 * plugin of its own cannot see that resolve in its types; `featureRoutes` declares it (the
 * base's local scope), so a handler names `tenant` without resolving it a second time.
 */
import type { Database } from 'bun:sqlite'
import { Elysia } from 'elysia'
import type { serviceApp } from '../../lib/app.ts'

type Service = ReturnType<typeof serviceApp>
type Plain = Elysia

/** What a feature's routes run with: the database, the clock and the once-per-key write. */
export type Feature = { db: Database; now: () => Date; once: Service['once'] }

/** A plugin for a feature's routes, typed with the scope of serviceApp's base it is mounted on. */
export const featureRoutes = () =>
  new Elysia<
    '',
    Plain['~Singleton'],
    Plain['~Definitions'],
    Plain['~Metadata'],
    Plain['~Routes'],
    Plain['~Ephemeral'],
    Service['app']['~Volatile']
  >()
