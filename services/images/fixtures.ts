/**
 * Test and bench images made on the spot: photo-like JPEGs (gradients, shapes, sensor-like
 * noise), with an optional EXIF orientation; PNG and GIF; and a PNG decompression bomb whose
 * header claims a huge size while the file is a few kilobytes.
 */
import { deflateSync } from 'node:zlib'
import encodeWebp from '@jsquash/webp/encode.js'
import { Jimp } from './thumbnails.ts'
import { encodeJpeg } from './turbojpeg.ts'

/** RGBA pixels of a photo-like scene; the top-left 8×8 block is pure red (to check orientation). */
export function photoPixels(width: number, height: number, seed = 1): Uint8ClampedArray {
  const data = new Uint8ClampedArray(width * height * 4)
  let s = seed >>> 0 || 1
  const rnd = () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 4294967296
  }
  const cx = width * 0.6
  const cy = height * 0.55
  const r2 = (Math.min(width, height) * 0.25) ** 2
  for (let y = 0; y < height; y++) {
    const sky = y < height * 0.45
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4
      const n = (rnd() - 0.5) * 12
      let r: number
      let g: number
      let b: number
      if ((x - cx) ** 2 + (y - cy) ** 2 < r2) {
        r = 170 + 40 * Math.sin(x / 37)
        g = 30 + 20 * Math.cos(y / 23)
        b = 40
      } else if (sky) {
        r = 110 + (y / height) * 80
        g = 150 + (y / height) * 60
        b = 230 - (x / width) * 30
      } else {
        r = 80 + 30 * Math.sin(x / 53 + y / 71)
        g = 90 + 25 * Math.cos(x / 41)
        b = 70 + (y / height) * 40
      }
      data[i] = r + n
      data[i + 1] = g + n
      data[i + 2] = b + n
      data[i + 3] = 255
    }
  }
  for (let y = 0; y < Math.min(8, height); y++) {
    for (let x = 0; x < Math.min(8, width); x++) {
      const i = (y * width + x) * 4
      data[i] = 255
      data[i + 1] = 0
      data[i + 2] = 0
    }
  }
  return data
}

/** EXIF APP1 segment (big-endian TIFF) holding only the Orientation tag. */
function exifSegment(orientation: number): Uint8Array {
  const tiff = [
    0x4d,
    0x4d,
    0x00,
    0x2a,
    0,
    0,
    0,
    8,
    0,
    1,
    0x01,
    0x12,
    0,
    3,
    0,
    0,
    0,
    1,
    0,
    orientation,
    0,
    0,
    0,
    0,
    0,
    0,
  ]
  const payload = [...Buffer.from('Exif\0\0', 'binary'), ...tiff]
  const len = payload.length + 2
  return Uint8Array.from([0xff, 0xe1, len >> 8, len & 255, ...payload])
}

export async function makeJpeg(
  width: number,
  height: number,
  opts: { orientation?: number; quality?: number; seed?: number } = {},
): Promise<Uint8Array> {
  const data = photoPixels(width, height, opts.seed)
  const jpeg = await encodeJpeg({ data: new Uint8Array(data.buffer), width, height }, opts.quality ?? 85)
  if (!opts.orientation || opts.orientation === 1) return jpeg
  const app1 = exifSegment(opts.orientation)
  const out = new Uint8Array(jpeg.length + app1.length)
  out.set(jpeg.subarray(0, 2))
  out.set(app1, 2)
  out.set(jpeg.subarray(2), 2 + app1.length)
  return out
}

export async function makeWebp(width: number, height: number): Promise<Uint8Array> {
  const data = photoPixels(width, height)
  const image = { data, width, height, colorSpace: 'srgb' } as unknown as Parameters<typeof encodeWebp>[0]
  return new Uint8Array(await encodeWebp(image, { quality: 80 }))
}

export async function makePng(width: number, height: number): Promise<Uint8Array> {
  const data = Buffer.from(photoPixels(width, height).buffer)
  return new Uint8Array(await new Jimp({ width, height, data }).getBuffer('image/png'))
}

export async function makeGif(width: number, height: number): Promise<Uint8Array> {
  const data = Buffer.from(photoPixels(width, height).buffer)
  return new Uint8Array(await new Jimp({ width, height, data }).getBuffer('image/gif'))
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff
  for (const b of bytes) c = crcTable[(c ^ b) & 255]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length)
  const view = new DataView(out.buffer)
  view.setUint32(0, data.length)
  out.set(Buffer.from(type, 'ascii'), 4)
  out.set(data, 8)
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)))
  return out
}

/**
 * A valid PNG whose IHDR says width × height (8-bit grey) and whose IDAT is a tiny zlib stream
 * of zeros: decoding it would need width × height × 4 bytes. With `rows` = `height` it is a
 * whole black image, a cheap way to make a photo that is slow and big to decode.
 */
export function makePngBomb(width = 20_000, height = 20_000, rows = 64): Uint8Array {
  const ihdr = new Uint8Array(13)
  const v = new DataView(ihdr.buffer)
  v.setUint32(0, width)
  v.setUint32(4, height)
  ihdr.set([8, 0, 0, 0, 0], 8)
  const idat = deflateSync(Buffer.alloc((width + 1) * rows), { level: 9 })
  const parts = [
    Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', new Uint8Array(0)),
  ]
  return Buffer.concat(parts)
}
