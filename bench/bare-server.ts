/**
 * The HTTP baseline: a bare `Bun.serve` answering, per path, the JSON body the items service
 * gave for it (no auth, no routing library, no database), in its own process like the service.
 * `bun bench/bare-server.ts <port> <bodies.json>` where bodies.json is `{ "/path": body }`.
 */
export {}

const [port, file] = process.argv.slice(2)
if (!port || !file) {
  console.error('usage: bun bench/bare-server.ts <port> <bodies.json>')
  process.exit(2)
}
const bodies = (await Bun.file(file).json()) as Record<string, unknown>
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(port),
  fetch(request) {
    const { pathname } = new URL(request.url)
    if (pathname === '/health') return Response.json({ ok: true })
    const body = bodies[pathname]
    return body === undefined
      ? Response.json({ error: 'no such route' }, { status: 404 })
      : Response.json(body)
  },
})
console.log(JSON.stringify({ level: 30, process: 'bare-server', msg: 'listening', port: server.port }))
process.on('SIGTERM', () => {
  server.stop(true)
  process.exit(0)
})
