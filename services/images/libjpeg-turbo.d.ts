/** The part of @cornerstonejs/codec-libjpeg-turbo-8bit's Emscripten module that turbojpeg.ts uses. */
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs' {
  type FrameInfo = {
    width: number
    height: number
    bitsPerSample: number
    componentCount: number
    isSigned: boolean
  }
  export type LibjpegTurbo = {
    JPEGEncoder: new () => {
      setQuality(quality: number): void
      setProgressive(progressive: number): void
      setSubSampling(subSampling: number): void
      /** The encoder's input buffer, resized for `frame`; fill it before encode(). */
      getDecodedBuffer(frame: FrameInfo): Uint8Array
      encode(): void
      /** A view of the encoder's output, valid until the next call. */
      getEncodedBuffer(): Uint8Array
      delete(): void
    }
  }
  const factory: () => Promise<LibjpegTurbo>
  export default factory
}
