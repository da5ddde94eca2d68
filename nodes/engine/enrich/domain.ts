import { emailDomain } from '../data/emailDomains';
import { multiLabelSuffixes } from './suffixes';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * The host of whatever people put in a domain field: `Acme.com`, `www.acme.com`,
 * `https://www.acme.com/pricing?x=1`, `acme.com:443`, `jane@acme.com`, `mailto:jane@acme.com`,
 * `bücher.de` (returned as punycode, `xn--bcher-kva.de`). Lower-cased, without `www.` or a
 * trailing dot; undefined when the text holds no domain (an IP address, one label, spaces).
 */
export function hostOf(input: string): string | undefined {
	let text = input.trim().toLowerCase();
	if (text === '') return undefined;
	if (text.startsWith('mailto:')) text = text.slice('mailto:'.length);
	if (!text.includes('://') && text.includes('@')) {
		const domain = emailDomain(text);
		if (domain === undefined) return undefined;
		text = domain;
	}
	let host: string;
	try {
		host = new URL(text.includes('://') ? text : `http://${text}`).hostname;
	} catch {
		return undefined;
	}
	host = host.replace(/\.$/, '').replace(/^www\d*\./, '');
	const labels = host.split('.');
	if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return undefined;
	if (/^\d+$/.test(labels[labels.length - 1])) return undefined; // an IPv4 address
	return host;
}

/**
 * The domain a company registered: `app.eu.acme.com` → `acme.com`, `shop.acme.co.uk` →
 * `acme.co.uk`, `docs.acme.github.io` → `acme.github.io` (see suffixes.ts). A known suffix on its
 * own (`github.io`) is returned as it is.
 */
export function registrableDomain(host: string): string {
	const labels = host.split('.');
	const known = multiLabelSuffixes();
	for (let start = 0; start < labels.length - 1; start++) {
		const suffix = labels.slice(start + 1).join('.');
		if (known.has(suffix)) return labels.slice(start).join('.');
	}
	return labels.slice(-2).join('.');
}

/** The company domain of a domain, URL or e-mail address: hostOf, then registrableDomain. */
export function companyDomainOf(input: string): string | undefined {
	const host = hostOf(input);
	return host === undefined ? undefined : registrableDomain(host);
}
