/** The calculator service process: listens on CALCULATOR_PORT at SERVICE_HOST (see services/lib/serve.ts). */
import { runService } from '../lib/serve.ts'
import { createApp } from './app.ts'

runService('calculator', createApp)
