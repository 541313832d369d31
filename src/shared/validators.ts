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

/**
 * A required text: surrounding whitespace is trimmed off in place (so the stored value is the trimmed
 * one), and a value empty after trimming is refused. Runs on the input instance TypeGraphQL hands to
 * the resolver, which is why it may rewrite the property. `null`/`undefined` pass (use with
 * `@IsOptional()` where the field is optional; GraphQL's non-null already refuses a missing one).
 */
export function TrimmedNotBlank(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: "trimmedNotBlank",
      target: target.constructor,
      propertyName,
      options: { message: "must not be blank", ...options },
      validator: {
        validate(value: unknown, args) {
          if (typeof value !== "string") return true;
          const trimmed = value.trim();
          (args!.object as Record<string, unknown>)[propertyName] = trimmed;
          return trimmed.length > 0;
        },
      },
    });
}

/** Trims a required text argument that is not part of an input class; null when blank. */
export function trimmedOrNull(value: string): string | null {
  const trimmed = value.trim();
  return trimmed.length > 0 ? trimmed : null;
}
