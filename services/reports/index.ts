/** The reports service process: listens on REPORTS_PORT at SERVICE_HOST (see services/lib/serve.ts). */
import { runService } from '../lib/serve.ts'
import { createApp } from './app.ts'

runService('reports', createApp)
