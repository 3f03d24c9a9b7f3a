/**
 * The one list of Car Manager's HTTP services: each one's name, the settings holding its port
 * and the URL its callers use, its entry file and how a user hears of it when it is down. The
 * orchestrator, `runService`, the demo, the test stack, the trust tests and the bench all read
 * this list; a sixth service is one more entry here.
 */
import type { SettingName } from '../config.ts'

export const SERVICE_NAMES = ['items', 'issues', 'images', 'quotes', 'calculator', 'api', 'reports'] as const
export type ServiceName = (typeof SERVICE_NAMES)[number]

export type ServiceInfo = {
  readonly name: ServiceName
  /** Setting with the port the service listens on. */
  readonly port: SettingName
  /** Setting with the base URL its callers use. */
  readonly url: SettingName
  /** Entry of the process (`index.ts`, listens) and of the app (`app.ts`, exports createApp). */
  readonly entry: string
  readonly app: string
  /** How a reply names it ("The photo service is unavailable"). */
  readonly label: string
}

const service = (name: ServiceName, label: string): ServiceInfo => ({
  name,
  port: `${name.toUpperCase()}_PORT` as SettingName,
  url: `${name.toUpperCase()}_URL` as SettingName,
  entry: `services/${name}/index.ts`,
  app: `services/${name}/app.ts`,
  label,
})

export const SERVICES: Readonly<Record<ServiceName, ServiceInfo>> = {
  items: service('items', 'The garage (items) service'),
  issues: service('issues', 'The issues service'),
  images: service('images', 'The photo service'),
  quotes: service('quotes', 'The quotes service'),
  calculator: service('calculator', 'The calculator service'),
  reports: service('reports', 'The reports (charts) service'),
  api: service('api', 'The API service'),
}
