/**
 * Memory of every process of the stack: RSS and PSS while idle before the runs, right after them
 * and once the stack has been quiet a few seconds, the peak RSS, and the memory Redis itself
 * accounts for.
 */
import IORedis from 'ioredis'
import { anonMb, type Child, peakRssMb, pssMb, round, type Row, rssMb } from './lib.ts'

/** How long the stack is left quiet after the runs before its memory is read again. */
const SETTLE_MS = 5_000

/** One section of Redis's INFO, from a short-lived connection. */
async function redisInfo(url: string, section: 'server' | 'memory'): Promise<string> {
  const client = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 1 })
  try {
    await client.connect()
    return await client.info(section)
  } finally {
    client.disconnect()
  }
}

async function redisPid(url: string): Promise<number | undefined> {
  return Number(/process_id:(\d+)/.exec(await redisInfo(url, 'server'))?.[1]) || undefined
}

/** Memory Redis itself accounts for (INFO used_memory), in MB: its data, apart from allocator slack. */
async function redisUsedMb(url: string): Promise<number | null> {
  const info = await redisInfo(url, 'memory').catch(() => '')
  return Number(/used_memory:(\d+)/.exec(info)?.[1]) / 1024 / 1024 || null
}

type Readings = Map<string, number | null>

const read = (pids: Map<string, number>, of: (pid: number) => number | null): Readings =>
  new Map([...pids].map(([name, pid]) => [name, of(pid)]))

export type IdleMemory = {
  /** Every process of the stack by name, redis-server included. */
  pids: Map<string, number>
  idle: Readings
  idlePss: Readings
  idleAnon: Readings
}

/** The stack's processes and their memory once it has been up and idle for 1.5 s. */
export async function idleMemory(children: Child[], redisUrl: string): Promise<IdleMemory> {
  const pids = new Map<string, number>()
  for (const c of children) pids.set(c.name, c.proc.pid)
  const rPid = await redisPid(redisUrl)
  if (rPid) pids.set('redis-server', rPid)
  await Bun.sleep(1_500)
  return { pids, idle: read(pids, rssMb), idlePss: read(pids, pssMb), idleAnon: read(pids, anonMb) }
}

/** Reads the memory after the runs, waits for the stack to settle, reads again: the rows and raw figures. */
export async function memoryAfterRuns(
  { pids, idle, idlePss, idleAnon }: IdleMemory,
  redisUrl: string,
): Promise<{ rows: Row[]; details: Record<string, unknown> }> {
  const after = read(pids, rssMb)
  const afterPss = read(pids, pssMb)
  const afterAnon = read(pids, anonMb)
  const redisUsed = await redisUsedMb(redisUrl)
  // And once the stack has been quiet a few seconds: what it holds, not the last second's garbage.
  await Bun.sleep(SETTLE_MS)
  const settled = read(pids, rssMb)
  const total = (m: Readings) => [...m.values()].reduce<number>((n, v) => n + (v ?? 0), 0)
  const rows: Row[] = []
  for (const [name, pid] of pids) {
    rows.push({
      section: 'memory',
      name: `${name} RSS after runs`,
      value: round(after.get(name) ?? null, 1),
      unit: 'MB',
      note: `idle ${round(idle.get(name) ?? null, 1) ?? '—'} MB, ${SETTLE_MS / 1000} s later ${round(settled.get(name) ?? null, 1) ?? '—'} MB, peak ${round(peakRssMb(pid), 1) ?? '—'} MB; PSS idle ${round(idlePss.get(name) ?? null, 1) ?? '—'} MB, after ${round(afterPss.get(name) ?? null, 1) ?? '—'} MB; anonymous idle ${round(idleAnon.get(name) ?? null, 1) ?? '—'} MB, after ${round(afterAnon.get(name) ?? null, 1) ?? '—'} MB${name === 'redis-server' ? `; used_memory ${round(redisUsed, 1) ?? '—'} MB` : ''}`,
    })
  }
  // The aim of < 400 MB was set for the stack of seven processes (five services, the worker and
  // Redis); RSS counts the Bun executable's pages in each Bun process, so every added process adds
  // about 40 MB that it does not occupy. That aim keeps its scope, and the whole stack (the api
  // and reports processes too) is held to what it occupies: the sum of PSS.
  const sevenNames = new Set(['items', 'issues', 'images', 'quotes', 'calculator', 'worker', 'redis-server'])
  const of = (m: Readings, names: Set<string>) => new Map([...m].filter(([name]) => names.has(name)))
  const sevenAfter = total(of(after, sevenNames))
  const afterTotal = total(after)
  const afterPssTotal = total(afterPss)
  rows.push(
    {
      section: 'memory',
      name: 'stack total RSS after runs: the seven processes the aim was set for',
      value: round(sevenAfter, 1),
      unit: 'MB',
      aim: '< 400 MB',
      met: sevenAfter < 400,
      note: `idle ${round(total(of(idle, sevenNames)), 1)} MB; ${[...sevenNames].join(', ')}; RSS counts the Bun executable's code in every Bun process`,
    },
    {
      section: 'memory',
      name: 'stack total RSS after runs: every process',
      value: round(afterTotal, 1),
      unit: 'MB',
      note: `idle ${round(total(idle), 1)} MB; ${pids.size} processes incl. redis-server`,
    },
    {
      section: 'memory',
      name: `stack total RSS ${SETTLE_MS / 1000} s after the runs`,
      value: round(total(settled), 1),
      unit: 'MB',
    },
    {
      section: 'memory',
      name: 'stack total PSS (shared pages counted once) after runs: every process',
      value: round(afterPssTotal, 1),
      unit: 'MB',
      aim: '< 250 MB',
      met: afterPssTotal < 250,
      note: `idle ${round(total(idlePss), 1)} MB; the memory the stack occupies`,
    },
  )
  const details = {
    idle: Object.fromEntries(idle),
    after: Object.fromEntries(after),
    settled: Object.fromEntries(settled),
    idlePss: Object.fromEntries(idlePss),
    afterPss: Object.fromEntries(afterPss),
  }
  return { rows, details }
}
