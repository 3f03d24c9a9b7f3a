/**
 * Reading a body that may be too large (a photo upload, a file downloaded from a chat
 * platform): the bytes are taken up to a limit and the reading stops at once when the body goes
 * over it, so a huge or endless body never fills memory.
 */
import { formatNumber } from './domain/text.ts'

/** A size as a person reads it: "1.5 MB", "20 MB". */
export const megabytes = (bytes: number) =>
  `${formatNumber(bytes / 1024 / 1024, bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`

/** A size as an operator reads it: "812 bytes", "45.3 kB", "1.2 MB", "3.4 GB". */
export function humanBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`
  const [value, unit] =
    bytes < 1e6 ? [bytes / 1e3, 'kB'] : bytes < 1e9 ? [bytes / 1e6, 'MB'] : [bytes / 1e9, 'GB']
  return `${value.toFixed(value < 100 ? 1 : 0)} ${unit}`
}

export type CappedRead = { ok: true; bytes: Uint8Array } | { ok: false; why: 'too_large' | 'empty' }

/**
 * The bytes of `body` when there are between 1 and `maxBytes` of them. Going over cancels the
 * stream. An error of the stream itself (a broken connection, an abort) is thrown as it is.
 */
export async function readCapped(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<CappedRead> {
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const step = await reader.read()
    if (step.done) break
    total += step.value.byteLength
    if (total > maxBytes) {
      await reader.cancel().catch(() => {})
      return { ok: false, why: 'too_large' }
    }
    chunks.push(step.value)
  }
  if (total === 0) return { ok: false, why: 'empty' }
  const bytes = new Uint8Array(total)
  let at = 0
  for (const c of chunks) {
    bytes.set(c, at)
    at += c.byteLength
  }
  return { ok: true, bytes }
}
