/** The calculator service as job handlers call it (see `serviceClient` and `callService` in queue/handler.ts). */
import { callService, type EdenResult, serviceClient } from '../handler.ts'
import type { CalculatorApp } from '../../services/calculator/app.ts'

export const calculatorClient = serviceClient<CalculatorApp>('calculator')

/** A call of the calculator: data on 2xx, UserError on 4xx, ServiceUnavailable otherwise. */
export const callCalculator = <T>(request: Promise<EdenResult<T>>) => callService('calculator', request)
