import { registerDecorator, type ValidationOptions } from "class-validator";

/** An absolute http:// or https:// URL. */
export function IsHttpUrl(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: "isHttpUrl",
      target: target.constructor,
      propertyName,
      options: { message: "must be an http(s) URL", ...options },
      validator: {
        validate(value: unknown) {
          if (typeof value !== "string" || value.length > 2048) return false;
          try {
            const url = new URL(value);
            return (url.protocol === "http:" || url.protocol === "https:") && url.hostname.length > 0;
          } catch {
            return false;
          }
        },
      },
    });
}

export const METADATA_LIMITS = { keys: 100, keyLength: 100, valueLength: 2000 } as const;

/** A flat JSON object whose values are all strings, within METADATA_LIMITS. */
export function IsStringMap(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: "isStringMap",
      target: target.constructor,
      propertyName,
      options: {
        message: `must be an object of at most ${METADATA_LIMITS.keys} string values (keys <= ${METADATA_LIMITS.keyLength}, values <= ${METADATA_LIMITS.valueLength} characters)`,
        ...options,
      },
      validator: {
        validate(value: unknown) {
          if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return (
            entries.length <= METADATA_LIMITS.keys &&
            entries.every(
              ([k, v]) =>
                k.length > 0 &&
                k.length <= METADATA_LIMITS.keyLength &&
                typeof v === "string" &&
                v.length <= METADATA_LIMITS.valueLength &&
                !k.includes("\u0000") &&
                !v.includes("\u0000"),
            )
          );
        },
      },
    });
}

/** No NUL character: PostgreSQL text cannot store one. */
export function HasNoNul(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: "hasNoNul",
      target: target.constructor,
      propertyName,
      options: { message: "must not contain NUL characters", ...options },
      validator: {
        validate: (value: unknown) => typeof value !== "string" || !value.includes("\u0000"),
      },
    });
}
