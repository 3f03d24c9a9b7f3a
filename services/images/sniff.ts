/**
 * What an upload is, from its bytes alone: the format from the magic bytes (never the name or
 * the declared type), the dimensions from the header (so a decompression bomb is refused before
 * a single pixel is decoded), the EXIF orientation of a JPEG, and whether the file is complete.
 */
import { formatNumber } from '../../lib/domain/text.ts'

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp'

export const MIME: Record<ImageFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
}

export type Sniffed = {
  format: ImageFormat
  width: number
  height: number
  /** EXIF orientation 1-8 (1 when absent or not a JPEG). */
  orientation: number
}

/** Why an upload is refused; `code` is stable for callers, `message` names what is wrong. */
export class ImageRejected extends Error {
  constructor(
    readonly code:
      | 'not_an_image'
      | 'unsupported_type'
      | 'truncated'
      | 'corrupt'
      | 'too_many_pixels'
      | 'too_large'
      | 'empty'
      | 'too_much_memory'
      | 'timeout',
    message: string,
  ) {
    super(message)
  }
}

const startsWith = (b: Uint8Array, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v)
const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n))

export function detectFormat(b: Uint8Array): ImageFormat | null {
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg'
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png'
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a') return 'gif'
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'webp'
  return null
}

/** A few other well-known types, so the refusal can say what the file is instead. */
function describeOther(b: Uint8Array): string {
  if (b.length === 0) return 'an empty file'
  if (ascii(b, 0, 4) === '%PDF') return 'a PDF document'
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04])) return 'a ZIP archive'
  if (ascii(b, 4, 4) === 'ftyp') {
    const brand = ascii(b, 8, 4)
    return /hei|mif|msf/.test(brand)
      ? 'a HEIC/HEIF photo (not supported; send JPEG, PNG, WebP or GIF)'
      : 'a video or HEIF file'
  }
  if (startsWith(b, [0x42, 0x4d])) return 'a BMP image (not supported; send JPEG, PNG, WebP or GIF)'
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a]))
    return 'a TIFF image (not supported)'
  const head = b.subarray(0, 512)
  let printable = 0
  for (const c of head) if (c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 128) printable++
  if (printable === head.length) return 'a text file'
  return 'of an unknown type'
}

function jpegInfo(b: Uint8Array): Sniffed {
  let i = 2
  let width = 0
  let height = 0
  let orientation = 1
  let sos = -1
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) throw new ImageRejected('corrupt', `the JPEG is damaged (no marker at byte ${i})`)
    const marker = b[i + 1]!
    if (marker === 0xff) {
      i++
      continue
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2
      continue
    }
    const len = (b[i + 2]! << 8) | b[i + 3]!
    if (len < 2) throw new ImageRejected('corrupt', 'the JPEG is damaged (bad segment length)')
    if (i + 2 + len > b.length) break
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
    if (isSof && len >= 7) {
      height = (b[i + 5]! << 8) | b[i + 6]!
      width = (b[i + 7]! << 8) | b[i + 8]!
    } else if (marker === 0xe1 && orientation === 1) {
      orientation = exifOrientation(b.subarray(i + 4, i + 2 + len))
    } else if (marker === 0xda) {
      sos = i + 2 + len
      break
    }
    i += 2 + len
  }
  if (width === 0 || height === 0) {
    if (sos < 0) throw new ImageRejected('truncated', 'the JPEG is truncated (it ends before the image data)')
    throw new ImageRejected('corrupt', 'the JPEG has no frame header (width and height)')
  }
  if (sos < 0) throw new ImageRejected('truncated', 'the JPEG is truncated (it ends before the image data)')
  // The entropy-coded data ends with an EOI marker (FF D9); a cut-off upload has none.
  let eoi = false
  for (let j = b.length - 2; j >= sos; j--) {
    if (b[j] === 0xff && b[j + 1] === 0xd9) {
      eoi = true
      break
    }
  }
  if (!eoi) throw new ImageRejected('truncated', 'the JPEG is truncated (its end-of-image marker is missing)')
  return { format: 'jpeg', width, height, orientation }
}

/** EXIF orientation (tag 0x0112) from an APP1 payload; 1 when absent or unreadable. */
export function exifOrientation(app1: Uint8Array): number {
  if (ascii(app1, 0, 6) !== 'Exif\0\0') return 1
  const t = app1.subarray(6)
  if (t.length < 8) return 1
  const little = t[0] === 0x49
  const u16 = (o: number) =>
    o + 2 > t.length ? -1 : little ? t[o]! | (t[o + 1]! << 8) : (t[o]! << 8) | t[o + 1]!
  const u32 = (o: number) =>
    o + 4 > t.length
      ? -1
      : little
        ? (t[o]! | (t[o + 1]! << 8) | (t[o + 2]! << 16)) + t[o + 3]! * 0x1000000
        : t[o]! * 0x1000000 + ((t[o + 1]! << 16) | (t[o + 2]! << 8) | t[o + 3]!)
  const ifd = u32(4)
  const count = u16(ifd)
  if (ifd < 0 || count < 0) return 1
  for (let k = 0; k < count && k < 500; k++) {
    const entry = ifd + 2 + k * 12
    if (u16(entry) === 0x0112) {
      const v = u16(entry + 8)
      return v >= 1 && v <= 8 ? v : 1
    }
  }
  return 1
}

function pngInfo(b: Uint8Array): Sniffed {
  if (b.length < 33 || ascii(b, 12, 4) !== 'IHDR')
    throw new ImageRejected('truncated', 'the PNG is truncated (no IHDR header)')
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength)
  const width = view.getUint32(16)
  const height = view.getUint32(20)
  if (width === 0 || height === 0)
    throw new ImageRejected('corrupt', 'the PNG says it is 0 pixels wide or high')
  // Walk the chunks: a complete PNG ends with IEND.
  let i = 8
  let ended = false
  while (i + 8 <= b.length) {
    const len = view.getUint32(i)
    const type = ascii(b, i + 4, 4)
    if (i + 12 + len > b.length) break
    if (type === 'IEND') {
      ended = true
      break
    }
    i += 12 + len
  }
  if (!ended) throw new ImageRejected('truncated', 'the PNG is truncated (its IEND chunk is missing)')
  return { format: 'png', width, height, orientation: 1 }
}

function gifInfo(b: Uint8Array): Sniffed {
  if (b.length < 13) throw new ImageRejected('truncated', 'the GIF is truncated (no screen descriptor)')
  const width = b[6]! | (b[7]! << 8)
  const height = b[8]! | (b[9]! << 8)
  if (width === 0 || height === 0)
    throw new ImageRejected('corrupt', 'the GIF says it is 0 pixels wide or high')
  if (b[b.length - 1] !== 0x3b)
    throw new ImageRejected('truncated', 'the GIF is truncated (its trailer is missing)')
  return { format: 'gif', width, height, orientation: 1 }
}

function webpInfo(b: Uint8Array): Sniffed {
  const declared = (b[4]! | (b[5]! << 8) | (b[6]! << 16)) + b[7]! * 0x1000000 + 8
  if (b.length < 30) throw new ImageRejected('truncated', 'the WebP is truncated (no image header)')
  if (b.length < declared)
    throw new ImageRejected('truncated', `the WebP is truncated (${b.length} of ${declared} bytes)`)
  const chunk = ascii(b, 12, 4)
  let width = 0
  let height = 0
  if (chunk === 'VP8 ') {
    width = (b[26]! | (b[27]! << 8)) & 0x3fff
    height = (b[28]! | (b[29]! << 8)) & 0x3fff
  } else if (chunk === 'VP8L') {
    const bits = b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24)
    width = (bits & 0x3fff) + 1
    height = ((bits >>> 14) & 0x3fff) + 1
  } else if (chunk === 'VP8X') {
    width = (b[24]! | (b[25]! << 8) | (b[26]! << 16)) + 1
    height = (b[27]! | (b[28]! << 8) | (b[29]! << 16)) + 1
  } else {
    throw new ImageRejected('corrupt', `the WebP has an unknown first chunk "${chunk}"`)
  }
  if (width === 0 || height === 0)
    throw new ImageRejected('corrupt', 'the WebP says it is 0 pixels wide or high')
  return { format: 'webp', width, height, orientation: 1 }
}

/**
 * Reads type, dimensions and orientation from the bytes, checking the pixel limit on the
 * header. Throws ImageRejected naming what is wrong.
 */
export function sniff(bytes: Uint8Array, maxPixels: number, filename?: string): Sniffed {
  if (bytes.length === 0) throw new ImageRejected('empty', 'the file is empty')
  const format = detectFormat(bytes)
  if (!format) {
    const what = describeOther(bytes)
    const named = filename ? `"${filename}" is ${what}` : `the file is ${what}`
    throw new ImageRejected('not_an_image', `${named}, not a photo (JPEG, PNG, WebP or GIF)`)
  }
  const info =
    format === 'jpeg'
      ? jpegInfo(bytes)
      : format === 'png'
        ? pngInfo(bytes)
        : format === 'gif'
          ? gifInfo(bytes)
          : webpInfo(bytes)
  if (info.width * info.height > maxPixels) {
    const mp = (n: number) => `${formatNumber(n / 1e6, n < 1e7 ? 1 : 0)} megapixels`
    throw new ImageRejected(
      'too_many_pixels',
      `the ${format.toUpperCase()} is ${info.width} × ${info.height} (${mp(info.width * info.height)}), over the limit of ${mp(maxPixels)}`,
    )
  }
  return info
}
