import { expect, test } from 'bun:test'
import { join } from 'node:path'

test('the whole project type-checks under the strict tsconfig', async () => {
  const root = join(import.meta.dir, '..')
  const proc = Bun.spawn([join(root, 'node_modules/.bin/tsc'), '--noEmit', '-p', root], { stdout: 'pipe', stderr: 'pipe' })
  const [out, err] = [await new Response(proc.stdout).text(), await new Response(proc.stderr).text()]
  const code = await proc.exited
  if (code !== 0) console.error(out + err)
  expect(code).toBe(0)
}, 120_000)
