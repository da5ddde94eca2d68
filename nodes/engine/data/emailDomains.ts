import { DISPOSABLE_EMAIL_DOMAINS, DISPOSABLE_EMAIL_WILDCARD_DOMAINS } from './disposableEmailDomains';
import { FREE_EMAIL_DOMAINS } from './freeEmailDomains';

function lazySet(values: () => readonly string[]): () => ReadonlySet<string> {
	let set: ReadonlySet<string> | undefined;
	return () => (set ??= new Set(values()));
}

const personalDomains = lazySet(() => FREE_EMAIL_DOMAINS);
const disposableDomains = lazySet(() => DISPOSABLE_EMAIL_DOMAINS);
const disposableWildcardDomains = lazySet(() => DISPOSABLE_EMAIL_WILDCARD_DOMAINS);

function normalizeDomain(domain: string): string {
	return domain.trim().toLowerCase();
}

/** A free mailbox provider such as gmail.com or gmx.de: the address says nothing about the employer. */
export function isPersonalEmailDomain(domain: string): boolean {
	return personalDomains().has(normalizeDomain(domain));
}

/** A throw-away mailbox domain, listed exactly or as a subdomain of a wildcard entry (any.33mail.com). */
export function isDisposableEmailDomain(domain: string): boolean {
	const normalized = normalizeDomain(domain);
	if (disposableDomains().has(normalized)) return true;
	const wildcards = disposableWildcardDomains();
	for (let dot = normalized.indexOf('.'); dot >= 0; dot = normalized.indexOf('.', dot + 1)) {
		if (wildcards.has(normalized.slice(dot + 1))) return true;
	}
	return false;
}

/** The lower-cased part after the last @ ("Jane <jane@Acme.io>" works too); undefined when not an address. */
export function emailDomain(email: string): string | undefined {
	if (typeof email !== 'string') return undefined;
	const address = unwrapAngleBrackets(email.trim());
	const at = address.lastIndexOf('@');
	if (at <= 0) return undefined;
	const domain = address.slice(at + 1).trim().toLowerCase();
	if (domain === '' || /\s/.test(domain)) return undefined;
	return domain;
}

function unwrapAngleBrackets(value: string): string {
	const open = value.lastIndexOf('<');
	return open >= 0 && value.endsWith('>') ? value.slice(open + 1, -1).trim() : value;
}
