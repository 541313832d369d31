import crypto from "node:crypto";
import type { DataSource } from "typeorm";
import type { TokenVerifier } from "./auth";
import { bearerToken } from "./auth";
import type { Config } from "./config";
import type { EventHub } from "./events";
import { claimInvitations } from "./memberships";
import type { AppContext } from "./shared/context";
import { requestScope } from "./shared/logger";
import { provisionViewer } from "./users";

export interface ContextDeps {
  db: DataSource;
  config: Config;
  verify: TokenVerifier;
  eventHub?: EventHub;
}

/**
 * Builds the per-request context from an Authorization value: verifies the token, provisions the
 * caller's User row on first use (and claims the invitations held for its verified address: users
 * provision, memberships claim; they meet here), and starts empty loader caches. A refused token
 * does not throw here (`_service` needs none); the auth plugin refuses the operation instead. `requestId` is the
 * HTTP request's (its x-request-id); without one (graphql-ws), a new one.
 */
export function contextFactory(deps: ContextDeps) {
  return async (authorization: string | undefined | null, requestId?: string): Promise<AppContext> => {
    const ctx: AppContext = {
      requestId: requestId ?? requestScope.getStore()?.requestId ?? crypto.randomUUID(),
      viewer: null,
      db: deps.db,
      config: deps.config,
      cache: new Map(),
      eventHub: deps.eventHub,
    };
    try {
      const token = bearerToken(authorization);
      if (token) {
        const claims = await deps.verify(token);
        await provisionViewer(ctx, claims, claimInvitations);
        ctx.viewer = { id: claims.sub, isGlobalAdmin: claims.isGlobalAdmin };
        ctx.tokenExpiresAt = claims.expiresAt;
      }
    } catch (error) {
      ctx.authError = error as Error;
    }
    return ctx;
  };
}
