/**
 * yieldToOthers puts the calling thread at SCHED_IDLE on Linux (read from /proc: a thread's
 * scheduling policy is field 41 of its stat), run in a process of its own so the test runner
 * keeps its priority.
 */
import { expect, test } from 'bun:test'
import { join } from 'node:path'

const policyOf = (stat: string) => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[41 - 3])

test.if(process.platform === 'linux')('the calling thread goes to SCHED_IDLE from SCHED_OTHER; the process running the test is untouched', async () => {
  const script = `
    import { readFileSync } from 'node:fs'
    import { yieldToOthers } from ${JSON.stringify(join(import.meta.dir, 'idle.ts'))}
    const policy = (tid) => { const s = readFileSync('/proc/self/task/' + tid + '/stat', 'utf8'); return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[38]) }
    const before = policy(process.pid)
    const set = yieldToOthers()
    console.log(JSON.stringify({ set, before, after: policy(process.pid) }))
  `
  const proc = Bun.spawn([process.execPath, '-e', script], { stdout: 'pipe', stderr: 'pipe' })
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()])
  expect(err).toBe('')
  expect(JSON.parse(out)).toEqual({ set: 'idle', before: 0, after: 5 })
  // this process (the runner) was not touched
  expect(policyOf(await Bun.file('/proc/self/stat').text())).toBe(0)
})
