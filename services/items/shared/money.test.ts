import { describe, expect, test } from 'bun:test'
import { typedMoney } from './money.ts'

describe('money', () => {
  test('a typed amount keeps its text; zero is an amount (a free service); the rules are the domain', () => {
    expect(typedMoney('cost', { value: 41.3, text: ' 41.30 ' }, 'USD')).toEqual({
      minor: 4130,
      text: '41.30',
    })
    expect(typedMoney('cost', { value: 0 }, 'USD')).toEqual({ minor: 0, text: '0' })
    expect(() => typedMoney('cost', { value: 640, text: '€640' }, 'USD')).toThrow(
      /this garage keeps its money in USD/,
    )
    expect(() => typedMoney('cost', { value: 1.5 }, 'JPY')).toThrow(/more than 0 decimals/)
  })
})
