/**
 * "by Ann" on records in lists and shows. A garage where only the asker logs sees no names
 * (every record would say "by you"); as soon as someone else logged one of the records shown,
 * each record whose author is known says who. A record older than the change log says nothing.
 */
import type { Actor } from '../../../lib/contracts/envelope.ts'

type Authored = { by?: { id: string; name: string } | null }

/** True when one of the records was logged by someone other than the asker. */
export function othersLogged(records: readonly Authored[], asker: Actor): boolean {
  const me = `${asker.platform}:${asker.userId}`
  return records.some((r) => r.by && r.by.id !== me)
}

/** " · by Ann" when names are shown and the author is known, else "". */
export const byText = (r: Authored, show: boolean): string => (show && r.by ? ` · by ${r.by.name}` : '')

/** Each record's line with its author, when others logged any of them. */
export function linesWithAuthors<R extends Authored>(
  records: readonly R[],
  asker: Actor,
  line: (r: R) => string,
): string[] {
  const show = othersLogged(records, asker)
  return records.map((r) => `${line(r)}${byText(r, show)}`)
}
