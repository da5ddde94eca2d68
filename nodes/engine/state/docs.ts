import type { CrossingMemory } from '../crossing';
import type { UserIdentity } from '../identity';
import type { TraitMap } from '../traits';
import type { Activity } from './activity';

/**
 * What the engine keeps, batch and stream alike: one document per account and one per user.
 * Plain JSON, bounded (see statePlan.ts), so any store can hold it.
 */
export interface AccountDoc {
	id: string;
	/** The model the activity was measured for; measures a newer model no longer uses are dropped. */
	modelVersion: string;
	/** Product events that named this account. */
	named: Activity;
	/** Users who did product events naming this account: [userId, first, latest event time]. */
	members: Array<[userId: string, firstAt: number, lastAt: number]>;
	/** Users whose product events named no account and who belong here (UserDoc.floating). */
	floatingUsers: string[];
	traits?: TraitMap;
	/** Latest event time that reached the account (events, traits): how long it is worth keeping. */
	touchedAt: number;
	crossing?: CrossingMemory;
	/** Epoch ms when the account's score may next change with no new event (windows, decay, cooldown, quiet). */
	dueAt?: number;
}

export interface UserDoc extends UserIdentity {
	id: string;
	modelVersion?: string;
	traits?: TraitMap;
	/** Product events of the user that named no account: they count for accountOfUser(user). */
	floating?: Activity;
	/** The account `floating` counts for now (listed in its floatingUsers). */
	floatingAccount?: string;
	/** Accounts the user did product events in (their scores read the user's traits). */
	accounts?: string[];
	touchedAt: number;
}

/** Read and write access to documents: a map for a batch, a transaction for a store. */
export interface DocView {
	account(id: string): AccountDoc | undefined;
	user(id: string): UserDoc | undefined;
	putAccount(doc: AccountDoc): void;
	putUser(doc: UserDoc): void;
	/** False when a new account would exceed the store's capacity. */
	canAddAccount(): boolean;
	/** Documents read are the stored ones, changed in place: only new ones need a put. */
	readonly inPlace?: boolean;
}

/** Documents in two maps, changed in place: the batch's view. */
export class MapDocView implements DocView {
	readonly inPlace = true;
	readonly accounts = new Map<string, AccountDoc>();
	readonly users = new Map<string, UserDoc>();
	account(id: string) {
		return this.accounts.get(id);
	}
	user(id: string) {
		return this.users.get(id);
	}
	putAccount(doc: AccountDoc) {
		this.accounts.set(doc.id, doc);
	}
	putUser(doc: UserDoc) {
		this.users.set(doc.id, doc);
	}
	canAddAccount() {
		return true;
	}
}
