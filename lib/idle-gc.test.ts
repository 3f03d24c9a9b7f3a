import { expect, test } from 'bun:test'
import { collectWhenQuiet } from './idle-gc.ts'

test('collects once after work stops, not while it goes on, and not again until there is more work', () => {
  let collections = 0
  // The timer is left out of it (an hour): the checks are made by hand.
  const idle = collectWhenQuiet(3_600_000, () => collections++)
  try {
    idle.check()
    expect(collections).toBe(0) // nothing done yet, nothing to give back
    for (let i = 0; i < 5; i++) {
      idle.busy()
      idle.busy()
      idle.check()
    }
    expect(collections).toBe(0) // work in every interval
    idle.check()
    expect(collections).toBe(1) // the first quiet interval
    idle.check()
    idle.check()
    expect(collections).toBe(1) // quiet stays quiet
    idle.busy()
    idle.check()
    idle.check()
    expect(collections).toBe(2)
  } finally {
    idle.stop()
  }
})

test('the timer makes the checks by itself', async () => {
  let collections = 0
  const idle = collectWhenQuiet(5, () => collections++)
  try {
    idle.busy()
    const until = Date.now() + 5_000
    while (collections === 0 && Date.now() < until) await Bun.sleep(5)
    expect(collections).toBe(1)
  } finally {
    idle.stop()
  }
})
