/**
 * Bounded waits that end as soon as there is news: a poller naps between looks, and whatever
 * brings news (a reply, a request to a stand-in) wakes every napper at once.
 */
export class Wakeup {
  private readonly nappers = new Set<() => void>()

  /** Wakes every napper now. */
  wake(): void {
    for (const wake of [...this.nappers]) wake()
  }

  /** Resolves after `ms`, or sooner when `wake()` is called. */
  nap(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        this.nappers.delete(wake)
        resolve()
      }
      this.nappers.add(wake)
      setTimeout(wake, ms)
    })
  }
}
