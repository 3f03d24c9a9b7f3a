/**
 * A fixed-rate loan: its monthly payment, total interest and amortisation, in integer minor
 * units of the loan's currency.
 */
import { invalid } from '../../lib/domain/invalid.ts'
import type { AmortisationLine } from './model.ts'
import { figure, positive } from './checks.ts'

export const MAX_LOAN_RATE_PERCENT = 100
export const MAX_LOAN_MONTHS = 600

/**
 * A fixed-rate loan repaid monthly (the annuity formula P·r / (1 − (1 + r)^−n), r = annual/12).
 * The payment is rounded to the minor unit, as a lender bills it; each month's interest is the
 * balance × r rounded to the minor unit; the last payment takes whatever balance remains, so
 * the principal parts sum exactly to the amount borrowed.
 */
export function loan(principalMinor: number, annualRatePercent: number, months: number) {
  if (!Number.isInteger(principalMinor)) throw invalid('amount', 'must be a whole number of minor units')
  positive('amount', principalMinor)
  if (typeof annualRatePercent !== 'number' || !Number.isFinite(annualRatePercent)) {
    throw invalid('rate', 'is not a number')
  }
  if (annualRatePercent < 0) throw invalid('rate', `cannot be negative (got ${annualRatePercent}%)`)
  if (annualRatePercent > MAX_LOAN_RATE_PERCENT) {
    throw invalid(
      'rate',
      `${annualRatePercent}% a year is not a loan rate this calculator accepts (0% to ${MAX_LOAN_RATE_PERCENT}%)`,
    )
  }
  if (!Number.isInteger(months) || months < 1)
    throw invalid('months', `must be a whole number of months, at least 1 (got ${months})`)
  if (months > MAX_LOAN_MONTHS)
    throw invalid('months', `at most ${MAX_LOAN_MONTHS} (50 years); got ${months}`)

  const r = annualRatePercent / 100 / 12
  // A rate too small to change 1 + r in floating point is a 0% loan to the formula.
  const discount = (1 + r) ** -months
  const exactPayment = figure(
    'amount',
    discount === 1 ? principalMinor / months : (principalMinor * r) / (1 - discount),
  )
  const payment = Math.round(exactPayment)
  const lines: AmortisationLine[] = []
  let balance = principalMinor
  let totalInterest = 0
  for (let n = 1; n <= months; n++) {
    const interest = Math.round(balance * r)
    const principal = n === months ? balance : Math.min(balance, payment - interest)
    balance -= principal
    totalInterest += interest
    lines.push({
      n,
      paymentMinor: principal + interest,
      interestMinor: interest,
      principalMinor: principal,
      balanceMinor: balance,
    })
  }
  return {
    principalMinor,
    annualRatePercent,
    months,
    /** The annuity formula's payment before rounding, for checking. */
    exactPaymentMinor: exactPayment,
    monthlyPaymentMinor: payment,
    totalInterestMinor: totalInterest,
    totalPaidMinor: figure('amount', principalMinor + totalInterest),
    lines,
  }
}
