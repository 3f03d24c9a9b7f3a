/**
 * A value a person gave that the domain cannot take, with the field it came from and a message
 * that says why and what to give instead. Services answer it as a 422 naming the field; the
 * worker answers it as the user's mistake. The domain throws nothing else for bad input.
 */
export class InvalidValue extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message)
  }
}

/** `<field>: <why>`, the shape of every refusal's message. */
export const invalid = (field: string, why: string) => new InvalidValue(field, `${field}: ${why}`)
