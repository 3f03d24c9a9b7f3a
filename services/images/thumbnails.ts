/**
 * Decoding and thumbnails, meant to run in the decoder process (decoder.ts), never on the
 * service's event loop. jimp is built with createJimp and its JPEG decoder replaced by
 * @jsquash/jpeg (WebAssembly mozjpeg), about five times faster than jimp's bundled jpeg-js.
 * Thumbnails are JPEG at an explicit quality; EXIF orientation is applied to the small image
 * (cheap), not to the full-size bitmap.
 */
import { createJimp } from '@jimp/core'
import gif from '@jimp/js-gif'
import jpeg from '@jimp/js-jpeg'
import png from '@jimp/js-png'
import * as flip from '@jimp/plugin-flip'
import * as resize from '@jimp/plugin-resize'
import * as rotate from '@jimp/plugin-rotate'
import decodeJpeg from '@jsquash/jpeg/decode.js'
import encodeJpeg from '@jsquash/jpeg/encode.js'
import decodeWebp from '@jsquash/webp/decode.js'
import { ImageRejected, MIME, type Sniffed } from './sniff.ts'

export const THUMB_SIZES = [256, 1024] as const
export type ThumbSize = (typeof THUMB_SIZES)[number]
export const THUMB_QUALITY = 82

/**
 * jimp's JPEG format with mozjpeg (WASM) as decoder and encoder. The encoder runs baseline
 * without trellis passes: thumbnails are small and speed matters more than the last few bytes.
 */
function mozjpeg() {
  const base = jpeg()
  return {
    mime: base.mime,
    encode: async (
      bitmap: { data: Buffer; width: number; height: number },
      options: { quality?: number } = {},
    ) => {
      const data = new Uint8ClampedArray(bitmap.data.buffer, bitmap.data.byteOffset, bitmap.data.byteLength)
      const out = await encodeJpeg(
        { data, width: bitmap.width, height: bitmap.height, colorSpace: 'srgb' } as unknown as Parameters<
          typeof encodeJpeg
        >[0],
        {
          quality: options.quality ?? THUMB_QUALITY,
          baseline: true,
          progressive: false,
          optimize_coding: false,
          trellis_multipass: false,
          trellis_opt_zero: false,
          trellis_opt_table: false,
          trellis_loops: 1,
        },
      )
      return Buffer.from(out)
    },
    decode: async (data: Buffer) => {
      const ab = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer
      const image = await decodeJpeg(ab, { preserveOrientation: false })
      return {
        width: image.width,
        height: image.height,
        data: Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength),
      }
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
  formats: [mozjpeg, png, gif, webp],
  plugins: [resize.methods, rotate.methods, flip.methods],
})
type JimpImage = InstanceType<typeof Jimp>

/** Decodes with the registered format of that MIME type (EXIF is handled separately). */
async function decode(bytes: Uint8Array, info: Sniffed): Promise<JimpImage> {
  const format = new Jimp({ width: 1, height: 1 }).formats.find((f) => f.mime === MIME[info.format])
  if (!format?.decode) {
    throw new ImageRejected(
      'unsupported_type',
      `${info.format.toUpperCase()} photos are recognised but cannot be decoded here; send a JPEG, PNG or GIF`,
    )
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const bitmap = await format.decode(buf, {} as never)
  if (bitmap.width !== info.width || bitmap.height !== info.height) {
    // GIF frames may be smaller than the logical screen; anything else is a lying header.
    if (info.format !== 'gif')
      throw new Error(`decoded ${bitmap.width}×${bitmap.height}, header said ${info.width}×${info.height}`)
  }
  return new Jimp(bitmap as never)
}

/**
 * Averages k×k blocks (k an integer): a fast, good-quality first step before jimp's resize,
 * so resize works on an image at most about twice the target instead of 12 megapixels.
 */
function boxShrink(image: JimpImage, k: number): JimpImage {
  if (k < 2) return image
  const { width: w, height: h, data: src } = image.bitmap
  const nw = Math.floor(w / k)
  const nh = Math.floor(h / k)
  const out = Buffer.alloc(nw * nh * 4)
  const area = k * k
  const sums = new Uint32Array(nw * 4)
  for (let y = 0; y < nh; y++) {
    sums.fill(0)
    for (let dy = 0; dy < k; dy++) {
      let p = ((y * k + dy) * w) << 2
      for (let x = 0; x < nw; x++) {
        let r = 0
        let g = 0
        let b = 0
        let a = 0
        for (let dx = 0; dx < k; dx++) {
          r += src[p]!
          g += src[p + 1]!
          b += src[p + 2]!
          a += src[p + 3]!
          p += 4
        }
        const s = x << 2
        sums[s] = sums[s]! + r
        sums[s + 1] = sums[s + 1]! + g
        sums[s + 2] = sums[s + 2]! + b
        sums[s + 3] = sums[s + 3]! + a
      }
    }
    let o = (y * nw) << 2
    for (let s = 0; s < nw * 4; s++) out[o++] = (sums[s]! / area + 0.5) | 0
  }
  return new Jimp({ width: nw, height: nh, data: out })
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

/** Area-average downscale (a box filter with fractional coverage), separable. */
function areaResize(image: JimpImage, nw: number, nh: number): JimpImage {
  const { width: w, height: h, data: src } = image.bitmap
  const hx = areaWeights(w, nw)
  const tmp = new Float32Array(nw * h * 4)
  for (let y = 0; y < h; y++) {
    const row = y * w * 4
    const outRow = y * nw * 4
    for (let x = 0; x < nw; x++) {
      let r = 0
      let g = 0
      let b = 0
      let a = 0
      let p = row + hx.starts[x]! * 4
      let wi = hx.offsets[x]!
      for (let k = hx.counts[x]!; k > 0; k--) {
        const f = hx.weights[wi++]!
        r += src[p]! * f
        g += src[p + 1]! * f
        b += src[p + 2]! * f
        a += src[p + 3]! * f
        p += 4
      }
      const o = outRow + x * 4
      tmp[o] = r
      tmp[o + 1] = g
      tmp[o + 2] = b
      tmp[o + 3] = a
    }
  }
  const vy = areaWeights(h, nh)
  const out = Buffer.alloc(nw * nh * 4)
  const stride = nw * 4
  const acc = new Float32Array(stride)
  for (let y = 0; y < nh; y++) {
    acc.fill(0)
    let wi = vy.offsets[y]!
    for (let k = 0; k < vy.counts[y]!; k++) {
      const f = vy.weights[wi++]!
      const row = (vy.starts[y]! + k) * stride
      for (let i = 0; i < stride; i++) acc[i] = acc[i]! + tmp[row + i]! * f
    }
    const o = y * stride
    for (let i = 0; i < stride; i++) out[o + i] = acc[i]! + 0.5
  }
  return new Jimp({ width: nw, height: nh, data: out })
}

function fit(image: JimpImage, size: number): JimpImage {
  const { width, height } = image.bitmap
  const longest = Math.max(width, height)
  if (longest <= size) return image.clone()
  const scale = size / longest
  return areaResize(image, Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale)))
}

export type Thumbnails = { width: number; height: number; thumbs: Record<ThumbSize, Uint8Array> }

/** Decodes the photo and returns 256 and 1024 px JPEG thumbnails (longest side), oriented. */
export async function makeThumbnails(
  bytes: Uint8Array,
  info: Sniffed,
  quality = THUMB_QUALITY,
): Promise<Thumbnails> {
  let image = await decode(bytes, info)
  const longest = Math.max(image.bitmap.width, image.bitmap.height)
  image = boxShrink(image, Math.floor(longest / 1024 / 2) >= 1 ? Math.floor(longest / 1024) : 1)
  const big = fit(image, 1024)
  orient(big, info.orientation)
  const small = fit(big, 256)
  const encode = async (img: JimpImage) => new Uint8Array(await img.getBuffer('image/jpeg', { quality }))
  const swap = info.orientation >= 5
  return {
    width: swap ? info.height : info.width,
    height: swap ? info.width : info.height,
    thumbs: { 256: await encode(small), 1024: await encode(big) },
  }
}
