import { DAY_MS } from '../time';
import type { AccountState } from './accountState';

/** How long an event id is remembered for dedupe: Segment retries failed deliveries for hours, PostHog for less. */
export const DEDUPE_TTL_MS = 7 * DAY_MS;

export interface AccountUpdate<T> {
	state: AccountState;
	result: T;
}

/**
 * Reads the account's state (undefined for an account never seen) and returns the new state with
 * whatever the caller wants back (the score, the crossing decision). Synchronous, so no other
 * update of the account can interleave. It may run more than once (a store that retries on
 * conflict runs it again on the fresh state): keep side effects out of it, act on the result.
 */
export type AccountMutation<T> = (state: AccountState | undefined) => AccountUpdate<T>;

/** Where the threshold trigger keeps per-account state and the event ids it has seen. */
export interface StateStore {
	/**
	 * True the first time an event id is seen within the dedupe TTL, false for a repeat. It marks
	 * the id as seen: when processing the event then fails, call forgetEvent so that the source's
	 * retry counts.
	 */
	isNewEvent(eventId: string): Promise<boolean>;
	forgetEvent(eventId: string): Promise<void>;
	/**
	 * Remembers the account a user was last seen acting in (the latest call wins), so that events
	 * that name no account (Segment identify, PostHog events without groups) reach it.
	 */
	linkUser(userId: string, accountId: string): Promise<void>;
	accountOfUser(userId: string): Promise<string | undefined>;
	/** Applies the mutation atomically for the account: concurrent updates never lose one another. */
	updateAccount<T>(accountId: string, mutate: AccountMutation<T>): Promise<T>;
	close(): Promise<void>;
}
