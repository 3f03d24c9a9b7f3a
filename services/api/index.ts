/** The API process: listens on API_PORT at SERVICE_HOST (see services/lib/serve.ts); the public routes are under /api/v1. */
import { runService } from '../lib/serve.ts'
import { createApp } from './app.ts'

runService('api', createApp)
