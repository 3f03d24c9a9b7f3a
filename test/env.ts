/** The private Redis the preload started for this run. */
export function testRedisUrl(): string {
  const url = process.env.TEST_REDIS_URL
  if (!url) throw new Error('TEST_REDIS_URL is not set: run tests with `bun test` so test/preload.ts starts Redis')
  return url
}
