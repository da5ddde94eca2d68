/**
 * Domain suffixes under which each registrant owns one more label: `acme.co.uk` is a company,
 * `co.uk` is not; `acme.github.io` is a site, `github.io` the host. Chosen by hand from the
 * Public Suffix List (https://publicsuffix.org/list/): the common second-level country suffixes of
 * its ICANN section and the site-hosting platforms of its PRIVATE section. Not the whole list (about
 * 10,000 entries): a domain under a suffix missing here is cut to its last two labels.
 */
const COUNTRY_SECOND_LEVELS: Record<string, string[]> = {
	ae: ['ac', 'co', 'gov', 'net', 'org'],
	ar: ['com', 'edu', 'gob', 'net', 'org'],
	au: ['asn', 'com', 'edu', 'gov', 'id', 'net', 'org'],
	bd: ['com'],
	br: ['com', 'edu', 'gov', 'net', 'org'],
	cn: ['ac', 'com', 'edu', 'gov', 'net', 'org'],
	co: ['com', 'edu', 'gov', 'net', 'org'],
	cy: ['com'],
	ec: ['com'],
	eg: ['com', 'edu', 'gov', 'org'],
	es: ['com', 'edu', 'gob', 'nom', 'org'],
	gr: ['com', 'edu', 'gov', 'org'],
	hk: ['com', 'edu', 'gov', 'net', 'org'],
	id: ['ac', 'co', 'go', 'net', 'or', 'web'],
	il: ['ac', 'co', 'gov', 'net', 'org'],
	in: ['ac', 'co', 'edu', 'firm', 'gen', 'gov', 'ind', 'net', 'org', 'res'],
	jp: ['ac', 'co', 'go', 'gr', 'ne', 'or'],
	ke: ['ac', 'co', 'go', 'or'],
	kr: ['ac', 'co', 'go', 'ne', 'or'],
	lk: ['com'],
	mt: ['com'],
	mx: ['com', 'edu', 'gob', 'net', 'org'],
	my: ['com', 'edu', 'gov', 'net', 'org'],
	ng: ['com', 'edu', 'gov', 'net', 'org'],
	np: ['com'],
	nz: ['ac', 'co', 'govt', 'net', 'org', 'school'],
	pe: ['com', 'edu', 'gob', 'net', 'org'],
	ph: ['com', 'edu', 'gov', 'net', 'org'],
	pk: ['com', 'edu', 'gov', 'net', 'org'],
	pl: ['com', 'net', 'org'],
	pt: ['com', 'org'],
	qa: ['com'],
	sa: ['com', 'edu', 'gov', 'net', 'org'],
	sg: ['com', 'edu', 'gov', 'net', 'org'],
	th: ['ac', 'co', 'go', 'in', 'or'],
	tr: ['biz', 'com', 'edu', 'gen', 'gov', 'net', 'org'],
	tw: ['com', 'edu', 'gov', 'idv', 'net', 'org'],
	ua: ['com', 'edu', 'gov', 'in', 'net', 'org'],
	uk: ['ac', 'co', 'gov', 'ltd', 'me', 'net', 'org', 'plc', 'sch'],
	uy: ['com'],
	ve: ['com'],
	vn: ['com', 'edu', 'gov', 'net', 'org'],
	za: ['ac', 'co', 'gov', 'net', 'org', 'web'],
};

/** Platforms that give every customer a sub-domain: the customer is the label below the suffix. */
export const HOSTING_SUFFIXES: readonly string[] = [
	'appspot.com',
	'atlassian.net',
	'azurewebsites.net',
	'blogspot.com',
	'bubbleapps.io',
	'carrd.co',
	'cloudfront.net',
	'firebaseapp.com',
	'fly.dev',
	'framer.website',
	'github.io',
	'gitlab.io',
	'glitch.me',
	'herokuapp.com',
	'myshopify.com',
	'netlify.app',
	'ngrok-free.app',
	'ngrok.io',
	'notion.site',
	'onrender.com',
	'pages.dev',
	'railway.app',
	'replit.app',
	'squarespace.com',
	'substack.com',
	'surge.sh',
	'vercel.app',
	'web.app',
	'webflow.io',
	'wixsite.com',
	'wordpress.com',
	'workers.dev',
];

let suffixes: ReadonlySet<string> | undefined;

/** Every multi-label suffix above, built on first use. */
export function multiLabelSuffixes(): ReadonlySet<string> {
	if (suffixes === undefined) {
		const all = new Set<string>(HOSTING_SUFFIXES);
		for (const [tld, secondLevels] of Object.entries(COUNTRY_SECOND_LEVELS)) {
			for (const label of secondLevels) all.add(`${label}.${tld}`);
		}
		suffixes = all;
	}
	return suffixes;
}
