import { describe, expect, test } from 'bun:test'
import { makeJpeg, photoPixels } from '../../test/fixtures/images.ts'
import { decodeJpeg, encodeJpeg, JpegDataError, JpegUnsupported, scaleFor } from './turbojpeg.ts'

/** Mean absolute difference per channel value of two RGBA bitmaps of one size. */
function meanDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0
  for (let i = 0; i < a.length; i++) if (i % 4 !== 3) sum += Math.abs(a[i]! - b[i]!)
  return sum / ((a.length / 4) * 3)
}

/** Plain box average of a bitmap by a whole factor, the reference for a scaled decode. */
function boxDown(src: { width: number; height: number; data: Uint8Array }, f: number) {
  const width = Math.floor(src.width / f)
  const height = Math.floor(src.height / f)
  const data = new Uint8Array(width * height * 4)
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 4; c++) {
        let s = 0
        for (let dy = 0; dy < f; dy++)
          for (let dx = 0; dx < f; dx++) s += src.data[((y * f + dy) * src.width + x * f + dx) * 4 + c]!
        data[(y * width + x) * 4 + c] = Math.round(s / (f * f))
      }
  return { width, height, data }
}

describe('libjpeg-turbo (WebAssembly) decoding', () => {
  test('the scale is the smallest M/8 that still covers the thumbnail in both directions', () => {
    expect(scaleFor({ width: 4000, height: 3000 }, { width: 1024, height: 768 })).toBe(3)
    expect(scaleFor({ width: 3000, height: 4000 }, { width: 768, height: 1024 })).toBe(3)
    expect(scaleFor({ width: 8192, height: 6144 }, { width: 1024, height: 768 })).toBe(1)
    expect(scaleFor({ width: 8000, height: 6000 }, { width: 1024, height: 768 })).toBe(2)
    expect(scaleFor({ width: 1600, height: 1200 }, { width: 1024, height: 768 })).toBe(6)
    expect(scaleFor({ width: 1024, height: 768 }, { width: 1024, height: 768 })).toBe(8)
    expect(scaleFor({ width: 900, height: 20 }, { width: 900, height: 20 })).toBe(8)
  })

  test('a photo decodes whole, or straight to a reduced size that looks the same', async () => {
    const jpeg = await makeJpeg(1600, 1200, { seed: 9, quality: 92 })
    const whole = decodeJpeg(jpeg)
    expect([whole.width, whole.height, whole.scale]).toEqual([1600, 1200, 8])
    expect([whole.pixels.width, whole.pixels.height]).toEqual([1600, 1200])
    // The decode is the picture that was encoded (lossy, so close rather than equal).
    expect(meanDiff(whole.pixels.data, new Uint8Array(photoPixels(1600, 1200, 9).buffer))).toBeLessThan(4)

    const half = decodeJpeg(jpeg, { width: 800, height: 600 })
    expect([half.width, half.height, half.scale]).toEqual([1600, 1200, 4])
    expect([half.pixels.width, half.pixels.height]).toEqual([800, 600])
    expect(half.pixels.data.length).toBe(800 * 600 * 4)
    // The DCT-domain reduction matches averaging the whole decode 2 × 2.
    expect(meanDiff(half.pixels.data, boxDown(whole.pixels, 2).data)).toBeLessThan(3)
    // The red 8 × 8 corner is still red, 4 × 4 now; the rest of the top row is not.
    const at = (x: number, y: number) =>
      Array.from(half.pixels.data.subarray((y * 800 + x) * 4, (y * 800 + x) * 4 + 4))
    expect(at(1, 1)[0]).toBeGreaterThan(200)
    expect(at(1, 1)[1]).toBeLessThan(60)
    expect(at(1, 1)[3]).toBe(255)
    expect(at(40, 1)[0]).toBeLessThan(200)
  })

  test('damaged data is a JpegDataError, and the next photo decodes as if nothing happened', async () => {
    const jpeg = await makeJpeg(320, 240, { seed: 3 })
    // Break the first Huffman table (DHT, FF C4): its code counts now claim 255 codes of length 1.
    const bad = jpeg.slice()
    const dht = bad.findIndex((b, i) => b === 0xff && bad[i + 1] === 0xc4)
    expect(dht).toBeGreaterThan(0)
    bad.fill(255, dht + 5, dht + 21)
    for (let i = 0; i < 20; i++) expect(() => decodeJpeg(bad)).toThrow(JpegDataError)
    expect(() => decodeJpeg(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]))).toThrow(JpegDataError)
    const good = decodeJpeg(jpeg)
    expect([good.pixels.width, good.pixels.height]).toEqual([320, 240])
    expect(meanDiff(good.pixels.data, new Uint8Array(photoPixels(320, 240, 3).buffer))).toBeLessThan(5)
  })

  test('a CMYK JPEG is refused by name', async () => {
    const sharp = (await import('sharp')).default
    const cmyk = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#c03020' } })
      .toColourspace('cmyk')
      .jpeg()
      .toBuffer()
    expect(() => decodeJpeg(new Uint8Array(cmyk))).toThrow(JpegUnsupported)
    expect(() => decodeJpeg(new Uint8Array(cmyk))).toThrow('CMYK (print) JPEGs are not supported')
  })
})

describe('libjpeg-turbo (WebAssembly) encoding', () => {
  test('baseline JPEG at the quality asked, 4:2:0, transparent pixels black', async () => {
    const data = new Uint8Array(photoPixels(256, 192, 7).buffer)
    data.fill(0, 0, 256 * 4 * 16) // the top 16 rows fully transparent
    const low = await encodeJpeg({ width: 256, height: 192, data }, 40)
    const high = await encodeJpeg({ width: 256, height: 192, data }, 95)
    expect(high.length).toBeGreaterThan(low.length * 1.5)
    // SOF0 (baseline), three components, the first sampled 2 × 2 (4:2:0).
    const sof = high.findIndex((b, i) => b === 0xff && high[i + 1] === 0xc0)
    expect(sof).toBeGreaterThan(0)
    expect([high[sof + 9], high[sof + 11]]).toEqual([3, 0x22])
    const back = decodeJpeg(high).pixels
    expect([back.width, back.height]).toEqual([256, 192])
    expect(Math.max(...back.data.subarray(0, 256 * 4 * 8).filter((_, i) => i % 4 !== 3))).toBeLessThan(12)
    const rest = (d: Uint8Array) => d.subarray(256 * 4 * 24)
    expect(meanDiff(rest(back.data), rest(data))).toBeLessThan(4)
  })
})

describe('encoding what libjpeg-turbo cannot fit', () => {
  const noise = (width: number, height: number) => {
    const data = new Uint8Array(width * height * 4)
    let s = 7
    for (let i = 0; i < data.length; i++) {
      s = (s * 1103515245 + 12345) >>> 0
      data[i] = i % 4 === 3 ? 255 : s >>> 24
    }
    return { width, height, data }
  }

  test('tiny images, and a noisy strip whose JPEG outgrows the RGB input, are still written (by jpeg-js)', async () => {
    for (const [w, h] of [
      [1, 1],
      [2, 2],
      [9, 9],
      [17, 17],
      [100, 2],
    ] as const) {
      const grey = { width: w, height: h, data: new Uint8Array(w * h * 4).fill(128) }
      const back = decodeJpeg(await encodeJpeg(grey, 82)).pixels
      expect({ w, h, size: [back.width, back.height] }).toEqual({ w, h, size: [w, h] })
      expect(Math.abs(back.data[0]! - 128)).toBeLessThan(6)
    }
    // 5000 × 1 is padded to 16 rows of noise: far more JPEG than its 15,000 bytes of RGB.
    const strip = noise(5000, 1)
    const out = await encodeJpeg(strip, 100)
    expect(out.length).toBeGreaterThan(5000 * 3)
    const back = decodeJpeg(out).pixels
    expect([back.width, back.height]).toEqual([5000, 1])
    expect(meanDiff(back.data, strip.data)).toBeLessThan(20)
    // And libjpeg-turbo is whole again for the next photo: baseline 4:2:0 (jpeg-js writes 4:4:4).
    const photo = await encodeJpeg(
      { width: 320, height: 240, data: new Uint8Array(photoPixels(320, 240, 2).buffer) },
      82,
    )
    const sof = photo.findIndex((b, i) => b === 0xff && photo[i + 1] === 0xc0)
    expect(photo[sof + 11]).toBe(0x22)
  })
})
