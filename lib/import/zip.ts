/** A zip's files, inflated with a cap on their total size counted as they inflate (a zip bomb stops there). */
import { Unzip, UnzipInflate, UnzipPassThrough } from 'fflate'
import { megabytes } from '../bytes.ts'
import { IMPORT_MAX_INFLATED_BYTES, ImportRefused } from './model.ts'

class TooBig extends Error {}

export function unzip(
  bytes: Uint8Array,
  file: string,
  cap = IMPORT_MAX_INFLATED_BYTES,
): { name: string; bytes: Uint8Array }[] {
  const out: { name: string; chunks: Uint8Array[] }[] = []
  let total = 0
  const uz = new Unzip((f) => {
    if (f.name.endsWith('/')) return
    const entry = { name: f.name, chunks: [] as Uint8Array[] }
    out.push(entry)
    f.ondata = (err, chunk) => {
      if (err) throw err
      total += chunk.byteLength
      if (total > cap) throw new TooBig()
      entry.chunks.push(chunk)
    }
    f.start()
  })
  uz.register(UnzipInflate)
  uz.register(UnzipPassThrough)
  try {
    // In slices, so the cap is checked while it inflates rather than after.
    for (let i = 0; i < bytes.byteLength; i += 64 * 1024) {
      uz.push(bytes.subarray(i, i + 64 * 1024), i + 64 * 1024 >= bytes.byteLength)
    }
  } catch (error) {
    if (error instanceof TooBig)
      throw new ImportRefused(
        `${file}: the zip inflates to more than ${megabytes(cap)}, the most an import takes. Nothing was imported.`,
      )
    throw new ImportRefused(
      `${file}: not a readable zip (${(error as Error).message}). Nothing was imported.`,
    )
  }
  return out.map((e) => {
    const all = new Uint8Array(e.chunks.reduce((n, c) => n + c.byteLength, 0))
    let at = 0
    for (const c of e.chunks) {
      all.set(c, at)
      at += c.byteLength
    }
    return { name: e.name, bytes: all }
  })
}
