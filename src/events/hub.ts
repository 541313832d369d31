import crypto from "node:crypto";
import type { DataSource } from "typeorm";
import type { Config } from "../config";
import { checkAccess } from "../permissions";
import type { AppContext, Viewer } from "../shared/context";
import { logger } from "../shared/logger";
import { EventType, type GroupEvent } from "./event.entity";
import { deliveryGroupFacts, replayPage } from "./event.store";
import type { EventFeed } from "./feed";

/** What one subscription asks for (validated by its resolver). */
export interface StreamSpec {
  /** Only this group's events (with includeDescendants, its descendants' too); null = every readable group. */
  groupId: string | null;
  includeDescendants: boolean;
  types: ReadonlySet<EventType> | null;
  /** Only MEMBER_* and ACCESS_* events about this user (membershipChanges). */
  userId: string | null;
  /** Replay every stored event with a larger id first; null = live only. */
  after: bigint | null;
}

/** WebSocket close code for a subscriber whose buffer overflowed: 1013 Try Again Later. */
export const SLOW_SUBSCRIBER_CLOSE_CODE = 1013;
/** WebSocket close code for a subscriber whose token is refused from now on (graphql-ws's Unauthorized). */
export const UNAUTHORIZED_CLOSE_CODE = 4401;
/** WebSocket close code when events could not be checked for delivery (database away): 1011. */
export const DELIVERY_FAILED_CLOSE_CODE = 1011;

const MEMBER_EVENTS: ReadonlySet<string> = new Set([
  EventType.MEMBER_ADDED,
  EventType.MEMBER_REMOVED,
  EventType.MEMBER_ROLE_CHANGED,
  EventType.MEMBER_STATUS_CHANGED,
  // A user's access requests: the requester hears of their own request's fate (userId = the requester).
  EventType.ACCESS_REQUESTED,
  EventType.ACCESS_APPROVED,
  EventType.ACCESS_DENIED,
  EventType.ACCESS_WITHDRAWN,
]);

/** Events replayed per statement. */
const REPLAY_PAGE = 200;
/** Groups remembered per subscriber for deciding about groups deleted since (oldest forgotten first). */
const MEMO_LIMIT = 10_000;

interface Subscriber {
  viewer: Viewer;
  spec: StreamSpec;
  /** Live events with ids at or below this were (or will be) replayed instead. */
  floor: bigint;
  /**
   * Per group: whether this subscriber could read its events at the last check. Decides for a
   * group deleted since (its GROUP_DELETED reaches whoever could read the group just before).
   */
  readable: Map<string, boolean>;
  deliver(events: GroupEvent[]): void;
  /** Ends the subscription and closes its connection with `code`. */
  fail(code: number, reason: string): void;
}

export interface HubStats {
  subscribers: number;
  /** Events waiting in the fullest subscriber buffer right now. */
  largestBuffer: number;
  /** The fullest any buffer has been since start. */
  peakBuffer: number;
  /** Subscribers closed because their buffer overflowed. */
  overflowClosed: number;
}

/**
 * Fans the feed out to subscriptions. For each batch the feed hands over, it decides who may
 * receive what in one round (two statements, however many subscribers: the readers' standings in
 * the events' groups, and the groups' existence and ancestors), then appends each subscriber's
 * share to its bounded buffer. A subscription opened with `after` first replays the stored events
 * up to the feed position it registered at, then continues with the live ones above it: no gap,
 * no duplicate at the seam.
 */
export class EventHub {
  private readonly subscribers = new Set<Subscriber>();
  private rounds: Promise<void> = Promise.resolve();
  private registration: { close(): void } | undefined;
  private peakBuffer = 0;
  private overflowClosed = 0;
  private readonly buffers = new Map<Subscriber, () => number>();

  constructor(
    private readonly feed: EventFeed,
    private readonly deps: { db: DataSource; config: Config },
  ) {}

  start(): void {
    this.registration = this.feed.listen((events) => {
      this.rounds = this.rounds.then(() => this.dispatch(events));
    });
  }

  async stop(): Promise<void> {
    this.registration?.close();
    await this.rounds;
  }

  /**
   * Ends every subscription of these users (erased ones: their token is refused from now on, so
   * what they have open ends too). A stream's connection closes with 4401, as at the token's expiry.
   */
  closeViewers(ids: Iterable<string>, reason: string): void {
    const closing = new Set(ids);
    for (const subscriber of [...this.subscribers]) {
      if (closing.has(subscriber.viewer.id)) subscriber.fail(UNAUTHORIZED_CLOSE_CODE, reason);
    }
  }

  stats(): HubStats {
    let largest = 0;
    for (const size of this.buffers.values()) largest = Math.max(largest, size());
    return {
      subscribers: this.subscribers.size,
      largestBuffer: largest,
      peakBuffer: this.peakBuffer,
      overflowClosed: this.overflowClosed,
    };
  }

  /**
   * A subscription's event stream for the caller of `ctx` (checked at delivery, per event). Each
   * event clears the context's request cache before it is handed on, so the fields resolved for it
   * read fresh data.
   */
  open(ctx: AppContext, viewer: Viewer, spec: StreamSpec): AsyncIterableIterator<GroupEvent> {
    // Streams (graphql-ws, SSE) are closed with a reason; a router's callback subscription completes.
    const transport = ctx.transport;
    const limit = this.deps.config.subscriptionBufferLimit;
    const replayQueue: GroupEvent[] = [];
    let liveQueue: GroupEvent[] = [];
    let ended = false;
    let wakeUp: (() => void) | undefined;
    // Read together with the registration below (no await between): the live stream starts here.
    const position = this.feed.position;
    let replayCursor = spec.after !== null && spec.after < position ? spec.after : null;

    const end = () => {
      if (ended) return;
      ended = true;
      clearTimeout(expiry);
      this.subscribers.delete(subscriber);
      this.buffers.delete(subscriber);
      liveQueue = [];
      wakeUp?.();
    };
    const subscriber: Subscriber = {
      viewer,
      spec,
      floor: spec.after !== null && spec.after > position ? spec.after : position,
      readable: new Map(spec.groupId ? [[spec.groupId, true]] : []),
      deliver: (events) => {
        if (ended) return;
        liveQueue.push(...events);
        this.peakBuffer = Math.max(this.peakBuffer, liveQueue.length);
        if (liveQueue.length > limit) {
          this.overflowClosed++;
          logger.warn("slow subscriber closed", { viewer: viewer.id, buffered: liveQueue.length });
          subscriber.fail(
            SLOW_SUBSCRIBER_CLOSE_CODE,
            `Subscriber too slow: over ${limit} events waiting. Resubscribe with after: the last id received.`,
          );
          return;
        }
        wakeUp?.();
      },
      fail: (code, reason) => {
        if (ended) return;
        end();
        transport?.close(code, reason);
      },
    };
    this.subscribers.add(subscriber);
    this.buffers.set(subscriber, () => liveQueue.length);
    // A stream's connection ends when its token expires (server.ts, sse.ts); a callback subscription
    // has no connection here, so it completes then: the router resubscribes with a fresh token.
    const expiry =
      transport || ctx.tokenExpiresAt === undefined
        ? undefined
        : setTimeout(end, Math.max(0, Math.min(ctx.tokenExpiresAt - Date.now(), 2 ** 31 - 1)));
    expiry?.unref();

    const replayNext = async () => {
      // Events the subscriber cannot read are skipped in SQL (event.store.ts); a superset stays,
      // and authorize() below decides each event exactly.
      const rows = await replayPage(this.deps.db, viewer, spec, {
        after: replayCursor!,
        upTo: position,
        limit: REPLAY_PAGE,
      });
      replayCursor = rows.length < REPLAY_PAGE ? null : BigInt(rows[rows.length - 1]!.id);
      const allowed = await this.authorize([subscriber], rows, false);
      replayQueue.push(...(allowed.get(subscriber) ?? []));
    };

    const iterator: AsyncIterableIterator<GroupEvent> = {
      next: async () => {
        for (;;) {
          const event = replayQueue.shift() ?? (replayCursor === null ? liveQueue.shift() : undefined);
          if (event) {
            ctx.cache.clear();
            if (event.type === EventType.GROUP_DELETED && event.groupId === spec.groupId) end();
            return { value: event, done: false };
          }
          if (ended) return { value: undefined, done: true };
          if (replayCursor !== null) {
            await replayNext();
            continue;
          }
          await new Promise<void>((resolve) => (wakeUp = resolve));
          wakeUp = undefined;
        }
      },
      return: async () => {
        end();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  private async dispatch(events: GroupEvent[]): Promise<void> {
    const subscribers = [...this.subscribers];
    if (subscribers.length === 0) return;
    for (const delay of [100, 500, 2000, undefined]) {
      try {
        const allowed = await this.authorize(subscribers, events, true);
        for (const [subscriber, share] of allowed) if (share.length) subscriber.deliver(share);
        return;
      } catch (error) {
        if (delay === undefined) {
          // Nothing is lost: the log keeps the events, and every subscriber is told to resume.
          logger.error("event delivery failed; closing subscribers", { error });
          for (const subscriber of subscribers)
            subscriber.fail(
              DELIVERY_FAILED_CLOSE_CODE,
              "Event delivery interrupted. Resubscribe with after: the last id received.",
            );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Which of `events` each subscriber may receive: filters first, then one round of checks. */
  private async authorize(
    subscribers: Subscriber[],
    events: GroupEvent[],
    live: boolean,
  ): Promise<Map<Subscriber, GroupEvent[]>> {
    const candidates = new Map<Subscriber, GroupEvent[]>();
    const groupIds = new Set<string>();
    for (const subscriber of subscribers) {
      const share = events.filter((e) => (!live || BigInt(e.id) > subscriber.floor) && matches(subscriber.spec, e));
      candidates.set(subscriber, share);
      for (const e of share) groupIds.add(e.groupId);
    }
    if (groupIds.size === 0) return candidates;

    const ctx: AppContext = {
      requestId: `delivery-${crypto.randomUUID()}`,
      viewer: null,
      db: this.deps.db,
      config: this.deps.config,
      cache: new Map(),
    };
    const needsAncestors = subscribers.some((s) => s.spec.groupId && s.spec.includeDescendants);
    const [groups, decisions] = await Promise.all([
      deliveryGroupFacts(this.deps.db, [...groupIds], needsAncestors),
      Promise.all(
        subscribers.flatMap((s) =>
          candidates
            .get(s)!
            .filter((e) => needsCheck(s, e))
            .map(
              async (e) =>
                [`${s.viewer.id}/${e.groupId}`, await checkAccess(ctx, s.viewer.id, e.groupId, "events.view")] as const,
            ),
        ),
      ),
    ]);
    const holds = new Map(decisions.map(([key, decision]) => [key, decision.allowed]));
    const result = new Map<Subscriber, GroupEvent[]>();
    for (const [subscriber, share] of candidates) {
      const { spec, viewer, readable } = subscriber;
      result.set(
        subscriber,
        share.filter((e) => {
          const ancestors = groups.existing.get(e.groupId);
          if (!ancestors) {
            // Deleted since: by who could read it at deletion, else as this subscriber last could.
            const reach = groups.deleted.get(e.groupId);
            if (!reach) return readable.get(e.groupId) === true;
            const inScope =
              !spec.groupId ||
              e.groupId === spec.groupId ||
              !spec.includeDescendants ||
              reach.ancestors.includes(spec.groupId);
            return inScope && (!needsCheck(subscriber, e) || reach.readers.includes(viewer.id));
          }
          const inScope = !spec.groupId || !spec.includeDescendants || ancestors.includes(spec.groupId);
          const allowed = inScope && (!needsCheck(subscriber, e) || holds.get(`${viewer.id}/${e.groupId}`) === true);
          remember(readable, e.groupId, allowed);
          return allowed;
        }),
      );
    }
    return result;
  }
}

/** The filters that need no database: type, group (without descendants) and user. */
function matches(spec: StreamSpec, e: GroupEvent): boolean {
  if (spec.types && !spec.types.has(e.type)) return false;
  if (spec.userId && (e.userId !== spec.userId || !MEMBER_EVENTS.has(e.type))) return false;
  if (spec.groupId && !spec.includeDescendants && e.groupId !== spec.groupId) return false;
  return true;
}

/** Global admins read everything; a user always learns about their own memberships. */
function needsCheck(s: Subscriber, e: GroupEvent): boolean {
  return !s.viewer.isGlobalAdmin && !(s.spec.userId === s.viewer.id && e.userId === s.viewer.id);
}

function remember(readable: Map<string, boolean>, groupId: string, allowed: boolean): void {
  readable.delete(groupId);
  readable.set(groupId, allowed);
  if (readable.size > MEMO_LIMIT) readable.delete(readable.keys().next().value!);
}
