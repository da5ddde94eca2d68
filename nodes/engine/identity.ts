import { emailDomain, isDisposableEmailDomain, isPersonalEmailDomain } from './data/emailDomains';
import type { PqlEvent } from './events/model';

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

/** The account an event names itself, when groups count for this identity setting. */
export function namedAccount(event: PqlEvent, accountFrom: AccountSource): string | undefined {
	return accountFrom === 'emailDomain' ? undefined : event.accountId;
}

/** What identity needs to know about a user: its newest account link and e-mail, each with its event time. */
export interface UserIdentity {
	link?: [accountId: string, at: number];
	email?: [address: string, at: number];
}

/**
 * THE resolver of a user's account, for every node: the account the user was most recently seen
 * in (by event time, not arrival), else the company domain of the user's newest e-mail.
 */
export function accountOfUser(user: UserIdentity | undefined, accountFrom: AccountSource): string | undefined {
	if (user === undefined) return undefined;
	if (accountFrom !== 'emailDomain' && user.link !== undefined) return user.link[0];
	if (accountFrom === 'group') return undefined;
	return companyDomain(user.email?.[0]);
}
