/**
 * The thumbnails every photo gets, and their JPEG quality. Apart from thumbnails.ts so the
 * images service itself, which never decodes, does not load the codecs to know them.
 */
export const THUMB_SIZES = [256, 1024] as const
export type ThumbSize = (typeof THUMB_SIZES)[number]
export const THUMB_QUALITY = 82
