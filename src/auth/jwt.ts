import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload } from "jose";
import type { Config } from "../config";
import { UnauthenticatedError } from "../shared/errors";
import { isUuid } from "../shared/ids";
import type { IdentityClaims } from "../users";

const SECRET_FILE = "jwt-secret";

/**
 * The HS256 secret: JWT_SECRET, or one generated once and kept under the data folder (mode 0600).
 * `generated` tells start-up to print a ready admin token.
 */
export function resolveJwtSecret(config: Config): { secret: string; generated: boolean } {
  if (config.jwtSecret) return { secret: config.jwtSecret, generated: false };
  const file = path.join(config.dataDir, SECRET_FILE);
  if (fs.existsSync(file)) return { secret: fs.readFileSync(file, "utf8").trim(), generated: true };
  fs.mkdirSync(config.dataDir, { recursive: true });
  const secret = crypto.randomBytes(48).toString("base64url");
  fs.writeFileSync(file, secret + "\n", { mode: 0o600 });
  return { secret, generated: true };
}

export type TokenVerifier = (token: string) => Promise<IdentityClaims>;

const VERIFIED_MAX = 10_000;
const VERIFIED_TTL_MS = 60_000;

/**
 * Verifies bearer tokens: HS256 with the secret, or RS256/ES256 against JWKS_URL when set. A token
 * that verified is remembered for a minute (never past its exp): clients send the same token with
 * every request, and verifying it again cost more CPU than a small query (benchmark profile). A
 * key removed from the JWKS stops its tokens within that minute.
 */
export function createVerifier(config: Config, secret: string | undefined): TokenVerifier {
  const verify = uncachedVerifier(config, secret);
  const verified = new Map<string, { claims: IdentityClaims; until: number }>();
  return async (token) => {
    const now = Date.now();
    const hit = verified.get(token);
    if (hit && hit.until > now) return hit.claims;
    if (hit) verified.delete(token);
    const claims = await verify(token);
    if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
    verified.set(token, { claims, until: Math.min(now + VERIFIED_TTL_MS, claims.expiresAt ?? Infinity) });
    return claims;
  };
}

function uncachedVerifier(config: Config, secret: string | undefined): TokenVerifier {
  const jwks = config.jwksUrl ? createRemoteJWKSet(new URL(config.jwksUrl)) : undefined;
  const key = secret ? new TextEncoder().encode(secret) : undefined;
  return async (token) => {
    let payload: JWTPayload;
    try {
      payload = jwks
        ? (await jwtVerify(token, jwks, { algorithms: ["RS256", "ES256"] })).payload
        : (await jwtVerify(token, key!, { algorithms: ["HS256"] })).payload;
    } catch (error) {
      const reason =
        (error as { code?: string }).code === "ERR_JWT_EXPIRED" ? "the token has expired" : "the token is invalid";
      throw new UnauthenticatedError(`Invalid bearer token: ${reason}`);
    }
    if (!isUuid(payload.sub)) throw new UnauthenticatedError("Invalid bearer token: sub must be a user id (UUID)");
    const roles = Array.isArray(payload.roles) ? payload.roles : [];
    return {
      sub: payload.sub.toLowerCase(),
      isGlobalAdmin: roles.includes("admin"),
      name: typeof payload.name === "string" ? payload.name : undefined,
      email: typeof payload.email === "string" ? payload.email : undefined,
      // Some identity providers send the flag as a string.
      emailVerified: payload.email_verified === false || payload.email_verified === "false" ? false : undefined,
      expiresAt: typeof payload.exp === "number" ? payload.exp * 1000 : undefined,
    };
  };
}

export interface MintOptions {
  sub: string;
  admin?: boolean;
  name?: string;
  email?: string;
  /** The `email_verified` claim; absent unless given. */
  emailVerified?: boolean;
  /** jose duration, e.g. "12h", "30d". @default "30d" */
  expiresIn?: string;
}

/** Mints an HS256 token the service accepts (for `npm run token`, start-up and tests). */
export async function mintToken(secret: string, options: MintOptions): Promise<string> {
  const claims: JWTPayload = { roles: options.admin ? ["admin"] : [] };
  if (options.name) claims.name = options.name;
  if (options.email) claims.email = options.email;
  if (options.emailVerified !== undefined) claims.email_verified = options.emailVerified;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(options.sub)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? "30d")
    .sign(new TextEncoder().encode(secret));
}

/** Reads "Bearer <token>" (scheme case-insensitive); undefined when absent. */
export function bearerToken(header: string | undefined | null): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new UnauthenticatedError("The Authorization header must be 'Bearer <token>'");
  return match[1];
}
