import { isDisposableEmailDomain, isPersonalEmailDomain } from '../data/emailDomains';
import type { Properties } from '../events/model';
import { readPath } from '../rules/conditions';
import { disposableDomainReason, personalDomainReason } from '../antiPql/reasons';
import { hostOf, registrableDomain } from './domain';

/**
 * Where Enrich Account finds the company: the first of these fields holding a domain, a website, an
 * e-mail address, or a list of users with e-mails (PQL Score items). A PQL Score account id that is
 * not a domain (a PostHog group key such as "acme") is passed over.
 */
export const DEFAULT_DOMAIN_FIELDS = ['domain', 'companyDomain', 'company.domain', 'website', 'email', 'users', 'accountId'];

export type DomainLookup = { domain: string; field: string } | { skip: string; domain: string | null };

function candidates(value: unknown): string[] {
	if (typeof value === 'string') return [value];
	if (!Array.isArray(value)) return [];
	return value.flatMap((entry) => {
		if (typeof entry === 'string') return [entry];
		const email = (entry as { email?: unknown } | null)?.email;
		return typeof email === 'string' ? [email] : [];
	});
}

function isFree(domain: string): boolean {
	return isPersonalEmailDomain(domain) || isDisposableEmailDomain(domain);
}

/** Why a free-mail domain gets no paid look-up: the same words as the Anti-PQL Filter's. */
export function freeDomainReason(domain: string): string {
	const reason = isDisposableEmailDomain(domain) ? disposableDomainReason([domain]) : personalDomainReason([domain]);
	return `${reason}: no paid look-up`;
}

/**
 * The company domain of an item. Personal and disposable domains are passed over while a company
 * domain may follow (an account with one gmail.com user); when they are all there is, the item is
 * skipped with the reason.
 */
export function findDomain(item: Properties, fields: string[]): DomainLookup {
	let free: string | undefined;
	for (const field of fields) {
		for (const candidate of candidates(readPath(item, field))) {
			const host = hostOf(candidate);
			if (host === undefined) continue;
			const domain = registrableDomain(host);
			// The free-mail lists hold full hosts (yahoo.co.uk, mail.ru): test the host and its registered domain.
			if (isFree(host) || isFree(domain)) {
				free ??= isFree(host) ? host : domain;
				continue;
			}
			return { domain, field };
		}
	}
	if (free !== undefined) return { skip: freeDomainReason(free), domain: free };
	return { skip: `No company domain found in ${fields.map((field) => `"${field}"`).join(', ')}`, domain: null };
}
