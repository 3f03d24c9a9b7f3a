/**
 * A zip written to a file as it is made (fflate `Zip`): one entry open at a time, its text
 * gathered into chunks of CHUNK bytes and deflated as they fill, every compressed chunk written
 * to the file at once. Memory stays a few chunks whatever the size of the zip.
 */
import { closeSync, openSync, writeSync } from 'node:fs'
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate'

const CHUNK = 64 * 1024
const encoder = new TextEncoder()

export type ZipEntry = {
  /** Adds text (UTF-8) or bytes to the entry. */
  write: (data: string | Uint8Array) => void
  /** Ends the entry; the next may then be opened. */
  end: () => void
}

export class ZipFileWriter {
  private readonly fd: number
  private readonly zip: Zip
  private failed?: Error
  private open = false
  private readonly finished: Promise<void>
  bytes = 0

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w')
    let resolve!: () => void
    this.finished = new Promise((r) => {
      resolve = r
    })
    this.zip = new Zip((error, chunk, final) => {
      if (error) this.failed = error
      else {
        for (let done = 0; done < chunk.byteLength; )
          done += writeSync(this.fd, chunk, done, chunk.byteLength - done)
        this.bytes += chunk.byteLength
      }
      if (final || error) resolve()
    })
  }

  /** Opens the entry `name`; `stored`: kept as it is (photos, already compressed). */
  entry(name: string, stored = false): ZipEntry {
    if (this.open) throw new Error(`zip entry ${name} opened before the previous one ended`)
    this.open = true
    const file = stored ? new ZipPassThrough(name) : new ZipDeflate(name, { level: 6 })
    this.zip.add(file)
    let pending: Uint8Array[] = []
    let size = 0
    const flush = (final: boolean) => {
      const chunk = pending.length === 1 ? pending[0]! : concat(pending, size)
      pending = []
      size = 0
      file.push(chunk, final)
      if (this.failed) throw this.failed
    }
    return {
      write: (data) => {
        const bytes = typeof data === 'string' ? encoder.encode(data) : data
        if (bytes.byteLength === 0) return
        pending.push(bytes)
        size += bytes.byteLength
        if (size >= CHUNK) flush(false)
      },
      end: () => {
        flush(true)
        this.open = false
      },
    }
  }

  /** Writes a whole entry. */
  add(name: string, data: string | Uint8Array): void {
    const e = this.entry(name)
    e.write(data)
    e.end()
  }

  /** Ends the zip and closes the file. */
  async close(): Promise<void> {
    this.zip.end()
    await this.finished
    closeSync(this.fd)
    if (this.failed) throw this.failed
  }

  /** Closes the file without ending the zip (after a failure). */
  abandon(): void {
    try {
      closeSync(this.fd)
    } catch {
      // already closed
    }
  }
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}
