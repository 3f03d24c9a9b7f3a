/**
 * Money as typed and as shown. The rules (minor units of the garage currency, a currency named
 * in the text must be the garage's) are lib/domain/money.ts; this keeps the typed text beside
 * the amount.
 */
import { toMinor } from '../../../lib/domain/money.ts'
import type { MoneyInput } from './model.ts'

/** A typed amount in minor units of the garage currency (0 allowed: a free service), and its text. */
export function typedMoney(
  field: string,
  money: MoneyInput,
  currency: string,
): { minor: number; text: string } {
  const text = money.text?.trim() || String(money.value)
  return { minor: toMinor(field, { value: money.value, text }, currency, { allowZero: true }), text }
}
