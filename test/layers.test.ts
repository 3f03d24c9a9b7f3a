/**
 * The layers of the tree, read from the imports themselves so they stay true:
 * - `lib/` (config, log, contracts, domain) imports nothing of the project above it, and its
 *   domain does no I/O;
 * - `catalog/` (the commands, their values and grammar) imports only `lib/`;
 * - `services/` imports only `lib/` and `services/lib`, and a service only its own folder;
 * - `queue/` (the worker) and `bots/` never import each other; of a service they may import only
 *   the API's types (the app, for an Eden client, and its schemas), never its code.
 * Tests and the bench may import anything (they drive the processes from outside).
 */
import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { Glob } from 'bun'

const ROOT = join(import.meta.dir, '..')

type Import = { from: string; to: string; typeOnly: boolean; line: number }

const IMPORT =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]|\b(?:import|require)\(\s*['"](\.{1,2}\/[^'"]+)['"]/g

/** Every relative import of the project's source files (tests and declaration files left out). */
export function projectImports(root = ROOT): Import[] {
  const found: Import[] = []
  for (const file of new Glob('{lib,catalog,bots,queue,services}/**/*.ts').scanSync(root)) {
    if (file.endsWith('.test.ts') || file.endsWith('.d.ts')) continue
    const text = readFileSync(join(root, file), 'utf8')
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[3] ?? m[4]!
      const to = relative(root, resolve(dirname(join(root, file)), spec))
      const line = text.slice(0, m.index).split('\n').length + (m[0].startsWith('\n') ? 1 : 0)
      found.push({ from: file, to, typeOnly: Boolean(m[2]), line })
    }
  }
  return found
}

/** What a caller may know of a service: its app (for Eden) and its schemas, as types only. */
const API_TYPES = /^services\/[a-z]+\/(.+\/)?(app|model)\.ts$/

const top = (path: string) => path.split('/')[0]!
const serviceOf = (path: string) => (path.startsWith('services/') ? path.split('/')[1] : undefined)

/** Why an import breaks the layers, or null when it keeps them. */
export function breaks(i: Import): string | null {
  const from = top(i.from)
  const to = top(i.to)
  if (from === 'lib') {
    if (to !== 'lib') return 'lib/ imports only lib/'
    if (i.from.startsWith('lib/domain/') && !i.to.startsWith('lib/domain/')) return 'the domain imports only the domain'
    return null
  }
  if (from === 'catalog') return to === 'lib' || to === 'catalog' ? null : 'catalog/ imports only lib/'
  if (from === 'services') {
    if (to === 'lib') return null
    if (to !== 'services') return 'services/ imports only lib/ and services/'
    const own = serviceOf(i.from)
    const other = serviceOf(i.to)
    // The API process owns its clients of the items and issues services, as the worker does: their types only.
    if (own === 'api' && other !== 'api' && i.typeOnly && API_TYPES.test(i.to)) return null
    return other === 'lib' || other === own ? null : `the ${own} service imports another service (${other})`
  }
  if (from === 'queue' || from === 'bots') {
    const other = from === 'queue' ? 'bots' : 'queue'
    if (to === other) return `${from}/ never imports ${other}/`
    if (to === 'services') return i.typeOnly && API_TYPES.test(i.to) ? null : `${from}/ imports only a service's API types`
    return to === 'test' || to === 'bench' ? `${from}/ imports test or bench code` : null
  }
  return null
}

const NODE_IO = /from\s+['"](node:(fs|net|http|https|child_process|dgram)|bun:sqlite|ioredis|bullmq)['"]|\bBun\.(file|write|spawn|serve)\b|\bfetch\(/

describe('layers', () => {
  test('every import of the source tree keeps the layers', () => {
    const imports = projectImports()
    expect(imports.length).toBeGreaterThan(200)
    const broken = imports.flatMap((i) => {
      const why = breaks(i)
      return why ? [`${i.from}:${i.line} -> ${i.to}: ${why}`] : []
    })
    expect(broken).toEqual([])
  })

  test('the domain does no I/O', () => {
    const offenders: string[] = []
    for (const file of new Glob('lib/domain/**/*.ts').scanSync(ROOT)) {
      if (file.endsWith('.test.ts')) continue
      if (NODE_IO.test(readFileSync(join(ROOT, file), 'utf8'))) offenders.push(file)
    }
    expect(offenders).toEqual([])
  })

  test('the rules catch what they forbid', () => {
    const at = (from: string, to: string, typeOnly = false) => breaks({ from, to, typeOnly, line: 1 })
    expect(at('services/items/app.ts', 'queue/handler.ts')).toContain('services/')
    expect(at('services/items/app.ts', 'services/issues/model.ts')).toContain('another service')
    expect(at('queue/handlers/car.ts', 'bots/shared/dispatch.ts')).toContain('never imports')
    expect(at('bots/discord/bot.ts', 'queue/handler.ts')).toContain('never imports')
    expect(at('queue/clients/items.ts', 'services/items/app.ts')).toContain('API types')
    expect(at('queue/handlers/car.ts', 'services/items/service.ts', true)).toContain('API types')
    expect(at('queue/clients/items.ts', 'services/items/app.ts', true)).toBeNull()
    expect(at('lib/contracts/envelope.ts', 'catalog/command.ts')).toContain('lib/')
    expect(at('lib/domain/money.ts', 'lib/config.ts')).toContain('domain')
    expect(at('catalog/values.ts', 'bots/shared/dispatch.ts')).toContain('catalog/')
  })
})
