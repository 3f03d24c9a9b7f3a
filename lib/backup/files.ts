/** The files of a snapshot folder: listing them, their sha256, syncing what was written. */
import { closeSync, fsyncSync, openSync, readdirSync } from 'node:fs'
import { join, relative, sep } from 'node:path'

/** Every file below `dir` as a `/`-separated path relative to it, sorted. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort()
}

/** A file's size and sha256 (hex), read as a stream. */
export async function hashFile(path: string): Promise<{ bytes: number; sha256: string }> {
  const hasher = new Bun.CryptoHasher('sha256')
  let bytes = 0
  for await (const chunk of Bun.file(path).stream()) {
    hasher.update(chunk)
    bytes += chunk.byteLength
  }
  return { bytes, sha256: hasher.digest('hex') }
}

/** Flushes a file or a folder to the disk. */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
