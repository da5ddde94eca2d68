import { DAY_MS } from '../time';
import type { DocView } from './docs';

/** How long an event id is remembered for dedupe: Segment retries failed deliveries for hours, PostHog for less. */
export const DEDUPE_TTL_MS = 7 * DAY_MS;

/** A crossing decided and committed, waiting to start an execution (at least once). */
export interface OutboxEntry {
	/** Stable across retries and restarts: account + crossing sequence. Downstream steps dedupe on it. */
	fireId: string;
	accountId: string;
	/** Epoch ms it was decided. */
	at: number;
	/** The n8n item's JSON. */
	item: Record<string, unknown>;
}

/** What one transaction sees and does; nothing of it is visible to others until it commits, all at once. */
export interface StoreTransaction extends DocView {
	/** True the first time an event id is seen within the dedupe TTL; the id counts as seen once committed. */
	isNewEvent(eventId: string): boolean;
	/** When the account should next be re-scored with no new event (undefined: never). */
	setDue(accountId: string, at: number | undefined): void;
	fire(entry: OutboxEntry): void;
}

/** Documents and event ids a transaction will read, fetched up front by stores that load over the network. */
export interface Prefetch {
	accounts?: string[];
	users?: string[];
	events?: string[];
}

/**
 * Thrown inside a transaction's work by a store that has not loaded what the work asks for. The
 * store loads it and runs the work again: work must be a pure function of what it reads.
 */
export class NotLoadedError extends Error {
	constructor(readonly missing: Required<Prefetch>) {
		super('state not loaded yet');
		this.name = 'NotLoadedError';
	}
}

/** Where the threshold trigger keeps documents, event ids, the due index and the outbox. */
export interface StateStore {
	/**
	 * Runs `work` on a consistent view and commits everything it wrote (documents, seen ids, due
	 * times, outbox entries) atomically, or nothing when it throws. May run `work` more than once
	 * (conflict with another process, data to load): keep side effects out of it.
	 */
	transact<T>(work: (tx: StoreTransaction) => T, prefetch?: Prefetch): Promise<T>;
	/** Accounts whose due time has come, earliest first. */
	dueAccounts(now: number, limit: number): Promise<string[]>;
	/** Committed crossings not yet delivered to an execution, oldest first. */
	pendingFires(limit: number): Promise<OutboxEntry[]>;
	/** The executions of these crossings have run: drop them from the outbox. */
	delivered(fireIds: string[]): Promise<void>;
	close(): Promise<void>;
}
