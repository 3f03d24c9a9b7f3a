/**
 * A caller's mistake, answered with its status and a message that names the field. Apart from
 * http.ts so code the worker shares with a service (the calculator's money parsing) throws it
 * without loading Elysia and OpenAPI into the worker.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message)
  }
}
