import { emailDomain, isDisposableEmailDomain, isPersonalEmailDomain } from './data/emailDomains';
import type { PqlEvent, Properties } from './events/model';

/**
 * Where a user's account comes from:
 * - groupOrEmailDomain: the account the events name (PostHog group, Segment groupId), else the user's company e-mail domain;
 * - group: only the account the events name;
 * - emailDomain: only the company e-mail domain.
 * Personal and disposable e-mail domains never form an account.
 */
export type AccountSource = 'groupOrEmailDomain' | 'group' | 'emailDomain';

export interface IdentityOptions {
	accountFrom: AccountSource;
}

export const DEFAULT_IDENTITY: IdentityOptions = { accountFrom: 'groupOrEmailDomain' };

/** The company domain of an address, or undefined for personal / disposable providers. */
export function companyDomain(email: string | undefined): string | undefined {
	if (email === undefined) return undefined;
	const domain = emailDomain(email);
	if (domain === undefined || isPersonalEmailDomain(domain) || isDisposableEmailDomain(domain)) return undefined;
	return domain;
}

export interface UserRecord {
	id: string;
	email: string | undefined;
	traits: Properties | undefined;
	traitsAt: number;
	/** The account the user was last seen in (by event time). */
	accountId: string | undefined;
	linkedAt: number;
}

/** Merges traits so that the newest event wins whatever order events arrive in. */
export function mergeTraits(target: Properties | undefined, incoming: Properties, incomingIsNewer: boolean): Properties {
	if (target === undefined) return { ...incoming };
	if (incomingIsNewer) return Object.assign(target, incoming);
	for (const key of Object.keys(incoming)) if (!(key in target)) target[key] = incoming[key];
	return target;
}

/** What events tell about who belongs where: users, their accounts, their traits and the accounts' traits. */
export class IdentityDirectory {
	readonly users = new Map<string, UserRecord>();
	readonly accountTraits = new Map<string, { traits: Properties; at: number }>();

	constructor(readonly options: IdentityOptions = DEFAULT_IDENTITY) {}

	/** The account an event names itself, when groups count for this identity setting. */
	explicitAccount(event: PqlEvent): string | undefined {
		return this.options.accountFrom === 'emailDomain' ? undefined : event.accountId;
	}

	learn(event: PqlEvent): void {
		if (event.accountId !== undefined && event.accountTraits !== undefined) {
			const known = this.accountTraits.get(event.accountId);
			if (known === undefined) this.accountTraits.set(event.accountId, { traits: { ...event.accountTraits }, at: event.timestamp });
			else {
				known.traits = mergeTraits(known.traits, event.accountTraits, event.timestamp >= known.at);
				known.at = Math.max(known.at, event.timestamp);
			}
		}
		const userId = event.userId;
		if (userId === undefined) return;
		const hasNews = event.accountId !== undefined || event.userTraits !== undefined || event.email !== undefined;
		if (!hasNews) return;
		let user = this.users.get(userId);
		if (user === undefined) {
			user = { id: userId, email: undefined, traits: undefined, traitsAt: -Infinity, accountId: undefined, linkedAt: -Infinity };
			this.users.set(userId, user);
		}
		const newer = event.timestamp >= user.traitsAt;
		if (event.email !== undefined && (newer || user.email === undefined)) user.email = event.email;
		if (event.userTraits !== undefined) {
			user.traits = mergeTraits(user.traits, event.userTraits, newer);
			if (newer) user.traitsAt = event.timestamp;
		}
		if (event.accountId !== undefined && event.timestamp >= user.linkedAt) {
			user.accountId = event.accountId;
			user.linkedAt = event.timestamp;
		}
	}

	/** Records that a user was active in an account at a time; the latest link wins. */
	link(userId: string, accountId: string, at: number): void {
		const user = this.users.get(userId);
		if (user === undefined) {
			this.users.set(userId, { id: userId, email: undefined, traits: undefined, traitsAt: -Infinity, accountId, linkedAt: at });
		} else if (at >= user.linkedAt) {
			user.accountId = accountId;
			user.linkedAt = at;
		}
	}

	/** The account of a user by the identity setting, or undefined when the user has none. */
	accountOfUser(userId: string | undefined): string | undefined {
		if (userId === undefined) return undefined;
		const user = this.users.get(userId);
		if (user === undefined) return undefined;
		const { accountFrom } = this.options;
		if (accountFrom !== 'emailDomain' && user.accountId !== undefined) return user.accountId;
		if (accountFrom === 'group') return undefined;
		return companyDomain(user.email ?? (typeof user.traits?.email === 'string' ? user.traits.email : undefined));
	}

	traitsOfAccount(accountId: string | undefined): Properties | undefined {
		return accountId === undefined ? undefined : this.accountTraits.get(accountId)?.traits;
	}
}
