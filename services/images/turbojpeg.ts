/**
 * JPEG in and out with libjpeg-turbo compiled to WebAssembly.
 *
 * Decoding uses the TurboJPEG API of @cwasm/jpeg-turbo (libjpeg-turbo 2.0; its .wasm file, not
 * its JavaScript wrapper). TurboJPEG decodes at a reduced scale in the DCT domain, M/8 of the
 * size for M = 1…8, which @jsquash/jpeg does not expose: a 12-megapixel photo meant for a
 * 1024 px thumbnail is decoded straight to 1500 × 1125 (3/8), so the inverse DCT, upsampling and
 * colour conversion run on a seventh of the pixels and the bitmap is a seventh of the memory.
 * It is what libvips's shrink-on-load does for sharp. The decoder runs in the images service's
 * decoder process, under its memory and time limits, and WebAssembly keeps a fault in the C
 * code inside the instance.
 *
 * Every decode gets a fresh instance of the compiled module. libjpeg reports a fatal error by
 * longjmp, which this build turns into a JavaScript exception that unwinds the instance's stack
 * without restoring it, so an instance that threw is never used again; and the instance's
 * memory, grown for the photo, is released with it.
 *
 * Encoding uses the JPEGEncoder of @cornerstonejs/codec-libjpeg-turbo-8bit (libjpeg-turbo 3):
 * baseline, 4:2:0 chroma and libjpeg's standard tables, as sharp writes them; about a fifth of
 * the time mozjpeg (@jsquash/jpeg) takes for a 1024 px thumbnail, whose trellis quantisation
 * cannot be switched off there. That encoder writes into a buffer the size of the RGB input and
 * aborts when the JPEG would not fit, which happens to tiny images (the JPEG's ~600 bytes of
 * tables outweigh their pixels), so those, and anything it fails on, go to jpeg-js (jimp's own
 * JPEG encoder) instead.
 */
import { readFileSync } from 'node:fs'
import libjpegTurbo, { type LibjpegTurbo } from '@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs'
import jimpJpeg from '@jimp/js-jpeg'

const WASM = require.resolve('@cwasm/jpeg-turbo/jpeg-turbo.wasm')

/** TurboJPEG constants (turbojpeg.h). */
const TJPF_RGBA = 7
const TJCS_CMYK = 3
const TJCS_YCCK = 4

/** libjpeg stopped on a fatal error in the data (it called error_exit, hence longjmp). */
export class JpegDataError extends Error {}

/** A well-formed JPEG this decoder does not turn into RGB (CMYK and YCCK). */
export class JpegUnsupported extends Error {}

type Exports = {
  memory: WebAssembly.Memory
  malloc(size: number): number
  tjInitDecompress(): number
  tjDecompressHeader3(
    handle: number,
    src: number,
    size: number,
    width: number,
    height: number,
    subsamp: number,
    colorspace: number,
  ): number
  tjDecompress2(
    handle: number,
    src: number,
    size: number,
    dst: number,
    width: number,
    pitch: number,
    height: number,
    pixelFormat: number,
    flags: number,
  ): number
}

let compiled: WebAssembly.Module | undefined

function instantiate(): Exports {
  compiled ??= new WebAssembly.Module(readFileSync(WASM))
  let memory: WebAssembly.Memory | undefined
  const imports = {
    env: {
      setjmp: () => 0,
      longjmp: () => {
        throw new JpegDataError('the JPEG data is damaged')
      },
    },
    // The few WASI calls libc links in. TurboJPEG keeps its messages to itself, so nothing is
    // written; a write is still answered as complete so libc never retries it.
    wasi_snapshot_preview1: {
      environ_sizes_get: (count: number, size: number) => {
        const view = new DataView(memory!.buffer)
        view.setUint32(count, 0, true)
        view.setUint32(size, 0, true)
        return 0
      },
      environ_get: () => 0,
      fd_write: (_fd: number, iovs: number, iovsLen: number, written: number) => {
        const view = new DataView(memory!.buffer)
        let total = 0
        for (let i = 0; i < iovsLen; i++) total += view.getUint32(iovs + i * 8 + 4, true)
        view.setUint32(written, total, true)
        return 0
      },
      fd_close: () => 0,
      fd_seek: () => 70, // ESPIPE
      proc_exit: (code: number) => {
        throw new Error(`libjpeg-turbo exited (${code})`)
      },
    },
  }
  const exports = new WebAssembly.Instance(compiled, imports).exports as unknown as Exports
  memory = exports.memory
  return exports
}

export type JpegPixels = {
  /** Size of the photo as stored. */
  width: number
  height: number
  /** The decoded bitmap, RGBA, 4 bytes a pixel: scale/8 of the photo's size. */
  pixels: { width: number; height: number; data: Uint8Array }
  /** M of the M/8 scale the photo was decoded at. */
  scale: number
}

type Size = { width: number; height: number }

/** The smallest M (of M/8) at which `photo` still covers `atLeast` in both directions. */
export function scaleFor(photo: Size, atLeast: Size): number {
  for (let m = 1; m < 8; m++) {
    if (
      Math.ceil((photo.width * m) / 8) >= atLeast.width &&
      Math.ceil((photo.height * m) / 8) >= atLeast.height
    )
      return m
  }
  return 8
}

/**
 * Decodes a JPEG to RGBA at the smallest DCT scale that still covers `atLeast` (the whole
 * photo without it). Throws JpegDataError when libjpeg gives up on the data; recoverable
 * damage (libjpeg's warnings) decodes as far as it can, as viewers do.
 */
export function decodeJpeg(bytes: Uint8Array, atLeast?: Size): JpegPixels {
  const x = instantiate()
  const src = x.malloc(bytes.byteLength)
  const meta = x.malloc(16)
  const handle = x.tjInitDecompress()
  if (src === 0 || meta === 0 || handle === 0) throw new Error('libjpeg-turbo could not allocate memory')
  new Uint8Array(x.memory.buffer, src, bytes.byteLength).set(bytes)
  if (x.tjDecompressHeader3(handle, src, bytes.byteLength, meta, meta + 4, meta + 8, meta + 12) !== 0) {
    throw new JpegDataError('the JPEG header cannot be read')
  }
  const [width, height, , colorspace] = new Int32Array(x.memory.buffer, meta, 4)
  if (colorspace === TJCS_CMYK || colorspace === TJCS_YCCK) {
    throw new JpegUnsupported('CMYK (print) JPEGs are not supported; export the photo as an RGB JPEG')
  }
  const scale = atLeast ? scaleFor({ width: width!, height: height! }, atLeast) : 8
  const w = Math.ceil((width! * scale) / 8)
  const h = Math.ceil((height! * scale) / 8)
  const dst = x.malloc(w * h * 4)
  if (dst === 0) throw new Error('libjpeg-turbo could not allocate memory')
  // A non-zero result without an exception is a warning (recoverable damage): the bitmap is whole.
  x.tjDecompress2(handle, src, bytes.byteLength, dst, w, w * 4, h, TJPF_RGBA, 0)
  const data = new Uint8Array(x.memory.buffer, dst, w * h * 4).slice()
  return { width: width!, height: height!, pixels: { width: w, height: h, data }, scale }
}

const TJSAMP_420 = 2

let encoder: Promise<LibjpegTurbo> | undefined

type Rgba = { width: number; height: number; data: Uint8Array }

/** Below this many pixels the JPEG can outgrow libjpeg-turbo's output buffer (see the top). */
const TINY_PIXELS = 64 * 64

/**
 * Baseline JPEG of an RGBA bitmap at `quality` (1-100). The alpha channel is dropped; fully
 * transparent pixels become black.
 */
export async function encodeJpeg(image: Rgba, quality: number): Promise<Uint8Array> {
  if (image.width * image.height >= TINY_PIXELS) {
    try {
      return await encodeTurbo(image, quality)
    } catch {
      // The module is replaced (encodeTurbo); this image is written by jpeg-js below.
    }
  }
  const { width, height, data } = image
  const rgba = Buffer.from(data)
  for (let p = 0; p < rgba.length; p += 4) if (rgba[p + 3] === 0) rgba[p] = rgba[p + 1] = rgba[p + 2] = 0
  return new Uint8Array(jimpJpeg().encode({ width, height, data: rgba }, { quality }))
}

async function encodeTurbo(image: Rgba, quality: number): Promise<Uint8Array> {
  encoder ??= libjpegTurbo()
  let jpeg: InstanceType<LibjpegTurbo['JPEGEncoder']> | undefined
  try {
    const codec = await encoder
    jpeg = new codec.JPEGEncoder()
    jpeg.setQuality(quality)
    jpeg.setProgressive(0)
    jpeg.setSubSampling(TJSAMP_420)
    const { width, height, data } = image
    const rgb = jpeg.getDecodedBuffer({ width, height, bitsPerSample: 8, componentCount: 3, isSigned: false })
    for (let p = 0, q = 0; p < data.length; p += 4, q += 3) {
      const visible = data[p + 3] !== 0
      rgb[q] = visible ? data[p]! : 0
      rgb[q + 1] = visible ? data[p + 1]! : 0
      rgb[q + 2] = visible ? data[p + 2]! : 0
    }
    jpeg.encode()
    return jpeg.getEncodedBuffer().slice()
  } catch (error) {
    // A module that failed to load, or aborted, is not kept: the next image gets a new one.
    encoder = undefined
    jpeg = undefined
    throw error
  } finally {
    jpeg?.delete()
  }
}
