/**
 * Decoding and thumbnails, meant to run in the decoder process (decoder.ts), never on the
 * service's event loop. JPEG is decoded by libjpeg-turbo (WebAssembly, turbojpeg.ts) at the
 * smallest DCT scale that still covers the largest thumbnail, the way libvips's shrink-on-load
 * does, and is also jimp's JPEG decoder; PNG and GIF go through jimp's own formats, WebP through
 * @jsquash/webp. Thumbnails are baseline JPEG from libjpeg-turbo at an explicit quality. EXIF
 * orientation is applied to the 1024 px image (cheap), not to the photo.
 */
import { createJimp } from '@jimp/core'
import gif from '@jimp/js-gif'
import jpeg from '@jimp/js-jpeg'
import png from '@jimp/js-png'
import * as flip from '@jimp/plugin-flip'
import * as resize from '@jimp/plugin-resize'
import * as rotate from '@jimp/plugin-rotate'
import decodeWebp from '@jsquash/webp/decode.js'
import { THUMB_QUALITY, type ThumbSize } from './sizes.ts'
import { ImageRejected, MIME, type Sniffed } from './sniff.ts'
import { decodeJpeg, encodeJpeg, JpegDataError, JpegUnsupported } from './turbojpeg.ts'

/** jimp's JPEG format with libjpeg-turbo (WASM, turbojpeg.ts) as decoder and encoder. */
function wasmJpeg() {
  const base = jpeg()
  return {
    mime: base.mime,
    encode: async (
      bitmap: { data: Buffer; width: number; height: number },
      options: { quality?: number } = {},
    ) => Buffer.from(await encodeJpeg(bitmap, options.quality ?? THUMB_QUALITY)),
    decode: async (data: Buffer) => {
      const { width, height, data: rgba } = decodeJpeg(data).pixels
      return { width, height, data: Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength) }
    },
  }
}

/** WebP (WASM libwebp) for decoding only: thumbnails are always JPEG. */
function webp() {
  return {
    mime: 'image/webp' as const,
    encode: (): Buffer => {
      throw new Error('WebP encoding is not used')
    },
    decode: async (data: Buffer) => {
      const ab = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer
      const image = await decodeWebp(ab)
      return {
        width: image.width,
        height: image.height,
        data: Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength),
      }
    },
  }
}

export const Jimp = createJimp({
  formats: [wasmJpeg, png, gif, webp],
  plugins: [resize.methods, rotate.methods, flip.methods],
})
type JimpImage = InstanceType<typeof Jimp>

/** RGBA pixels, 4 bytes a pixel, rows top to bottom. */
type Pixels = { data: Uint8Array; width: number; height: number }
type Size = { width: number; height: number }

/**
 * Decodes to RGBA: a JPEG straight through libjpeg-turbo at the smallest scale that still
 * covers `atLeast` (alpha always 255, so `opaque`), the other formats whole through the jimp
 * format of their MIME type; `full` is the size of what was decoded before any scaling (a GIF's
 * first frame may be smaller than its screen). EXIF is handled separately.
 */
async function decode(
  bytes: Uint8Array,
  info: Sniffed,
  atLeast: Size,
): Promise<Pixels & { opaque: boolean; full: Size }> {
  if (info.format === 'jpeg') {
    let decoded: ReturnType<typeof decodeJpeg>
    try {
      decoded = decodeJpeg(bytes, atLeast)
    } catch (error) {
      if (error instanceof JpegDataError)
        throw new ImageRejected('corrupt', `the photo could not be decoded (${error.message})`)
      if (error instanceof JpegUnsupported) throw new ImageRejected('unsupported_type', error.message)
      throw error
    }
    if (decoded.width !== info.width || decoded.height !== info.height) {
      throw new Error(`decoded ${decoded.width}×${decoded.height}, header said ${info.width}×${info.height}`)
    }
    return { ...decoded.pixels, opaque: true, full: { width: decoded.width, height: decoded.height } }
  }
  const format = new Jimp({ width: 1, height: 1 }).formats.find((f) => f.mime === MIME[info.format])
  if (!format?.decode) {
    throw new ImageRejected(
      'unsupported_type',
      `${info.format.toUpperCase()} photos are recognised but cannot be decoded here; send a JPEG, PNG or GIF`,
    )
  }
  const bitmap: Pixels = await format.decode(
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    {} as never,
  )
  // GIF frames may be smaller than the logical screen; anything else is a lying header.
  if ((bitmap.width !== info.width || bitmap.height !== info.height) && info.format !== 'gif') {
    throw new Error(`decoded ${bitmap.width}×${bitmap.height}, header said ${info.width}×${info.height}`)
  }
  return { ...bitmap, opaque: false, full: { width: bitmap.width, height: bitmap.height } }
}

/** Applies EXIF orientation 2-8 in place (jimp's rotate turns counter-clockwise). */
export function orient(image: JimpImage, orientation: number): void {
  const h = { horizontal: true, vertical: false }
  const v = { horizontal: false, vertical: true }
  if (orientation === 2) image.flip(h)
  else if (orientation === 3) image.rotate(180)
  else if (orientation === 4) image.flip(v)
  else if (orientation === 5) image.rotate(90).flip(v)
  else if (orientation === 6) image.rotate(-90)
  else if (orientation === 7) image.rotate(90).flip(h)
  else if (orientation === 8) image.rotate(90)
}

/** Precomputed area weights of one axis: output i covers source [i*scale, (i+1)*scale). */
function areaWeights(from: number, to: number) {
  const scale = from / to
  const starts = new Int32Array(to)
  const counts = new Int32Array(to)
  const weights: number[] = []
  const offsets = new Int32Array(to)
  for (let i = 0; i < to; i++) {
    const a = i * scale
    const b = Math.min(from, (i + 1) * scale)
    const first = Math.floor(a)
    const last = Math.min(from - 1, Math.ceil(b) - 1)
    starts[i] = first
    counts[i] = last - first + 1
    offsets[i] = weights.length
    for (let s = first; s <= last; s++) weights.push((Math.min(b, s + 1) - Math.max(a, s)) / scale)
  }
  return { starts, counts, offsets, weights: Float32Array.from(weights) }
}
type Weights = ReturnType<typeof areaWeights>

/** One source row reduced horizontally into `row` (4 floats a pixel), all four channels. */
function rowRgba(src: Uint8Array, base: number, row: Float32Array, hx: Weights) {
  const { starts, counts, offsets, weights } = hx
  for (let x = 0; x < starts.length; x++) {
    let r = 0
    let g = 0
    let b = 0
    let a = 0
    let p = base + (starts[x]! << 2)
    let wi = offsets[x]!
    for (let k = counts[x]!; k > 0; k--) {
      const f = weights[wi++]!
      r += src[p]! * f
      g += src[p + 1]! * f
      b += src[p + 2]! * f
      a += src[p + 3]! * f
      p += 4
    }
    const o = x << 2
    row[o] = r
    row[o + 1] = g
    row[o + 2] = b
    row[o + 3] = a
  }
}

/**
 * The same for an opaque image, reading a pixel as one 32-bit word: the inner source pixels
 * (weight exactly 1/scale) are summed as integers, red and blue together in two 16-bit lanes
 * (safe while a row span has at most 257 pixels), and only the two edge pixels are weighted.
 */
function rowOpaque(src32: Uint32Array, base: number, row: Float32Array, hx: Weights, inner: number) {
  const { starts, counts, offsets, weights } = hx
  for (let x = 0; x < starts.length; x++) {
    const n = counts[x]!
    let p = base + starts[x]!
    const f0 = weights[offsets[x]!]!
    let v = src32[p++]!
    let r = (v & 255) * f0
    let g = ((v >>> 8) & 255) * f0
    let b = ((v >>> 16) & 255) * f0
    let rb = 0
    let gi = 0
    for (let k = n - 2; k > 0; k--) {
      v = src32[p++]!
      rb += v & 0xff00ff
      gi += (v >>> 8) & 255
    }
    if (n > 1) {
      const f1 = weights[offsets[x]! + n - 1]!
      v = src32[p]!
      r += (v & 255) * f1
      g += ((v >>> 8) & 255) * f1
      b += ((v >>> 16) & 255) * f1
    }
    const o = x << 2
    row[o] = r + (rb & 0xffff) * inner
    row[o + 1] = g + gi * inner
    row[o + 2] = b + (rb >>> 16) * inner
    row[o + 3] = 255
  }
}

/**
 * Area-average downscale (a box filter with fractional coverage) in one pass over the source:
 * each source row is reduced horizontally once and added, weighted, to the output row(s) it
 * covers, so no full-size intermediate is made.
 */
function areaResize(src: Pixels, nw: number, nh: number, opaque: boolean): Pixels {
  const { width: w, height: h, data } = src
  const hx = areaWeights(w, nw)
  const vy = areaWeights(h, nh)
  const stride = nw * 4
  const row = new Float32Array(stride)
  const acc = new Float32Array(stride)
  const out = new Uint8Array(stride * nh)
  const lanes = opaque && Math.ceil(w / nw) + 1 <= 257 && data.byteOffset % 4 === 0
  const src32 = lanes ? new Uint32Array(data.buffer, data.byteOffset, w * h) : undefined
  const inner = nw / w
  let reduced = -1
  for (let y = 0; y < nh; y++) {
    acc.fill(0)
    let wi = vy.offsets[y]!
    for (let k = 0; k < vy.counts[y]!; k++) {
      const sy = vy.starts[y]! + k
      const f = vy.weights[wi++]!
      if (sy !== reduced) {
        if (src32) rowOpaque(src32, sy * w, row, hx, inner)
        else rowRgba(data, sy * w * 4, row, hx)
        reduced = sy
      }
      for (let i = 0; i < stride; i++) acc[i] = acc[i]! + row[i]! * f
    }
    const o = y * stride
    for (let i = 0; i < stride; i++) out[o + i] = acc[i]! + 0.5
  }
  return { width: nw, height: nh, data: out }
}

/** `photo`'s size fitted within `size` px on its longest side; never enlarged. */
function fitted(photo: Size, size: number): Size {
  const scale = Math.min(1, size / Math.max(photo.width, photo.height))
  return {
    width: Math.max(1, Math.round(photo.width * scale)),
    height: Math.max(1, Math.round(photo.height * scale)),
  }
}

/** `image` area-averaged to `target` (a copy when it already has that size). */
function resizeTo(image: Pixels, target: Size, opaque: boolean): Pixels {
  if (image.width === target.width && image.height === target.height)
    return { ...target, data: image.data.slice() }
  return areaResize(image, target.width, target.height, opaque)
}

export type Thumbnails = { width: number; height: number; thumbs: Record<ThumbSize, Uint8Array> }

/**
 * Decodes the photo and returns 256 and 1024 px JPEG thumbnails (longest side), oriented.
 * The 1024 comes in one area-average pass from the photo (a JPEG decoded at the smallest DCT
 * scale that still covers it), is oriented (cheap at that size), and the 256 comes from it.
 */
export async function makeThumbnails(
  bytes: Uint8Array,
  info: Sniffed,
  quality = THUMB_QUALITY,
): Promise<Thumbnails> {
  const photo = await decode(bytes, info, fitted(info, 1024))
  const big = resizeTo(photo, fitted(photo.full, 1024), photo.opaque)
  const oriented = new Jimp({
    width: big.width,
    height: big.height,
    data: Buffer.from(big.data.buffer, big.data.byteOffset, big.data.byteLength),
  })
  orient(oriented, info.orientation)
  const { width, height, data } = oriented.bitmap
  const big2: Pixels = { width, height, data }
  const small = resizeTo(big2, fitted(big2, 256), photo.opaque)
  const swap = info.orientation >= 5
  return {
    width: swap ? info.height : info.width,
    height: swap ? info.width : info.height,
    thumbs: {
      256: await encodeJpeg(small, quality),
      1024: await encodeJpeg(big2, quality),
    },
  }
}
