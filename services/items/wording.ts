/** Phrases the items service and the car handlers share. */

/** "3 odometer readings, 2 maintenance items and 1 service record" */
export function recordedFor(counts: {
  readings: number
  items: number
  records: number
  fillups: number
}): string {
  const part = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`
  const parts = [part(counts.readings, 'odometer reading', 'odometer readings')]
  if (counts.items) parts.push(part(counts.items, 'maintenance item', 'maintenance items'))
  if (counts.records) parts.push(part(counts.records, 'service record', 'service records'))
  if (counts.fillups) parts.push(part(counts.fillups, 'fill-up', 'fill-ups'))
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`
}
