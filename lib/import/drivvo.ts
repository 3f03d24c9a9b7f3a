/**
 * Drivvo's CSV export: one vehicle per file, in sections (`##Refuelling`, `##Service`,
 * `##Expense`, `##Vehicle` …), each with a header row written in the user's language. The
 * headers cannot be matched by name, so the columns are read by position, as Drivvo writes them:
 * refuelling `odometer, date, fuel, price per unit, total, volume, full tank?, …`; service and
 * expense `odometer, date, total, type, place, notes`. The full-tank word is in the user's language
 * too (Yes/No, Sim/Não, Sí/No, Ja/Nein, Oui/Non …); a word that is neither is a row it cannot use.
 * The file names no car: the import asks which with car: when the garage has several.
 */
import { fold, readCsv } from './csv.ts'
import { expenseKindOf } from './fuelio.ts'
import type { TableRead } from './formats.ts'
import type { Problem, RawRow } from './model.ts'

type Section = 'refuelling' | 'service' | 'expense' | 'other'

/** Section titles as Drivvo writes them, and in the languages its app is in. */
const TITLES: [RegExp, Section][] = [
  [
    /^(refuel+ing|refuel+ings|fuel|abastecimentos?|repostajes?|abastecimientos?|tanken|betankungen?|pleins?|rifornimenti?)$/,
    'refuelling',
  ],
  [/^(services?|servi[cç]os?|servicios?|wartungen?|entretiens?|servizi|manuten[cç][aã]o)$/, 'service'],
  [/^(expenses?|despesas?|gastos?|ausgaben|d[ée]penses?|spese)$/, 'expense'],
  [
    /^(vehicles?|ve[ií]culos?|fahrzeuge?|v[ée]hicules?|veicoli|veicolo|incomes?|receitas?|ingresos?|routes?|rotas?|checklists?|reminders?|lembretes?)$/,
    'other',
  ],
]

/** The section a line opens (`##Refuelling`, `"## Service",,`), or undefined when it opens none. */
function titleOf(line: string): Section | undefined {
  const m = /^"?#{1,2}\s*([^",;#]+?)\s*"?\s*[,;]*\s*$/.exec(line.trim())
  if (!m) return undefined
  const word = m[1]!.toLowerCase()
  return TITLES.find(([re]) => re.test(word))?.[1]
}

/**
 * Whether a text is a Drivvo export: its first line opens a section and some line opens a
 * refuelling, service or expense section (Fuelio's backup opens with "## Vehicle" too, but its
 * sections are others).
 */
export function isDrivvo(text: string): boolean {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  const first = lines.find((l) => l.trim() !== '')
  if (!first || !titleOf(first)) return false
  return lines.some((l) => {
    const s = titleOf(l)
    return s !== undefined && s !== 'other'
  })
}

const YES = new Set(['yes', 'y', 'sim', 's', 'sí', 'si', 'ja', 'oui', 'true', '1', 'x'])
const NO = new Set(['no', 'n', 'não', 'nao', 'nein', 'non', 'false', '0', ''])

/** Header names of a notes column, in Drivvo's languages. */
const NOTES = new Set(
  [
    'notes',
    'note',
    'observação',
    'observações',
    'observacao',
    'observacoes',
    'observación',
    'observaciones',
    'notas',
    'nota',
    'notizen',
    'bemerkung',
    'bemerkungen',
    'remarques',
    'remarque',
    'commentaire',
    'commentaires',
  ].map(fold),
)

export function readDrivvo(text: string, file: string): TableRead {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  const starts: { section: Section; at: number }[] = []
  lines.forEach((line, i) => {
    const s = titleOf(line)
    if (s) starts.push({ section: s, at: i })
  })
  const rows: RawRow[] = []
  const problems: Problem[] = []
  const notes: string[] = []
  for (const [k, { section, at }] of starts.entries()) {
    if (section === 'other') continue
    const body = lines.slice(at + 1, starts[k + 1]?.at ?? lines.length).join('\n')
    if (body.trim() === '') continue
    const t = readCsv(body, file, at + 1)
    const notesAt = t.keys.findIndex((key) => NOTES.has(key))
    const cell = (cells: string[], i: number) => {
      const v = cells[i]?.trim()
      return v ? v : undefined
    }
    for (const { line, cells } of t.records) {
      const row: RawRow = { file, line, kind: 'fuel', car: '', date: cells[1] ?? '' }
      const odometer = cell(cells, 0)
      if (odometer && !/^0+([.,]0*)?$/.test(odometer)) row.odometer = odometer
      const note = notesAt >= 0 ? cell(cells, notesAt) : undefined
      if (section === 'refuelling') {
        const word = (cells[6] ?? '').trim().toLowerCase()
        if (!YES.has(word) && !NO.has(word)) {
          problems.push({
            file,
            line,
            why: `full tank: "${cells[6]!.trim()}" is neither yes nor no (the 7th column of a refuelling)`,
          })
          continue
        }
        row.full = YES.has(word)
        // Drivvo does not export a missed fill-up.
        row.missed = false
        const price = cell(cells, 3)
        const total = cell(cells, 4)
        const volume = cell(cells, 5)
        if (price) row.price = price
        if (total) row.cost = total
        if (volume) row.volume = volume
        const fuel = cell(cells, 2)
        const n = [fuel, note].filter(Boolean).join('; ')
        if (n) row.notes = n
      } else {
        const type = cell(cells, 3)
        const total = cell(cells, 2)
        if (total) row.cost = total
        const place = cell(cells, 4)
        if (section === 'service') {
          row.kind = 'service'
          row.title = type ?? 'Service'
          const n = [place, note].filter(Boolean).join('; ')
          if (n) row.notes = n
        } else {
          // An expense's title is its kind (what the items service files it under); its type goes in the notes.
          row.kind = 'tax'
          row.title = (type && expenseKindOf(type)) || 'other'
          const n = [type, place, note].filter(Boolean).join('; ')
          if (n) row.notes = n
        }
      }
      rows.push(row)
    }
  }
  if (rows.length === 0 && problems.length === 0)
    notes.push(`${file}: a Drivvo export with no refuelling, service or expense rows`)
  return {
    format: 'Drivvo export',
    rows,
    problems,
    units: { distance: null, volume: null },
    notes,
  }
}
