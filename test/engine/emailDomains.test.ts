import {
	DISPOSABLE_EMAIL_DOMAINS,
	DISPOSABLE_EMAIL_WILDCARD_DOMAINS,
} from '../../nodes/engine/data/disposableEmailDomains';
import { emailDomain, isDisposableEmailDomain, isPersonalEmailDomain } from '../../nodes/engine/data/emailDomains';
import { FREE_EMAIL_DOMAINS } from '../../nodes/engine/data/freeEmailDomains';

const COMMON_PERSONAL_DOMAINS = [
	'gmail.com',
	'googlemail.com',
	'yahoo.com',
	'hotmail.com',
	'outlook.com',
	'icloud.com',
	'proton.me',
	'protonmail.com',
	'gmx.de',
	'yandex.ru',
	'qq.com',
	'163.com',
];

function expectNormalizedList(list: readonly string[]): void {
	const normalized = list.map((domain) => domain.trim().toLowerCase());
	expect(list).toEqual(normalized);
	expect(new Set(list).size).toBe(list.length);
	expect([...list].sort()).toEqual(list);
	expect(list).not.toContain('');
}

describe('domain snapshots', () => {
	test('the lists are lower-cased, trimmed, unique, sorted and without blanks', () => {
		expectNormalizedList(FREE_EMAIL_DOMAINS);
		expectNormalizedList(DISPOSABLE_EMAIL_DOMAINS);
		expectNormalizedList(DISPOSABLE_EMAIL_WILDCARD_DOMAINS);
	});

	test('the lists have the generated sizes', () => {
		expect(FREE_EMAIL_DOMAINS).toHaveLength(14125);
		expect(DISPOSABLE_EMAIL_DOMAINS).toHaveLength(121570);
		expect(DISPOSABLE_EMAIL_WILDCARD_DOMAINS).toHaveLength(399);
	});

	test('the lists are frozen', () => {
		expect(Object.isFrozen(FREE_EMAIL_DOMAINS)).toBe(true);
		expect(Object.isFrozen(DISPOSABLE_EMAIL_DOMAINS)).toBe(true);
	});
});

describe('isPersonalEmailDomain', () => {
	test.each(COMMON_PERSONAL_DOMAINS)('%s is personal', (domain) => {
		expect(isPersonalEmailDomain(domain)).toBe(true);
	});

	test('company domains are not personal', () => {
		expect(isPersonalEmailDomain('acme.io')).toBe(false);
		expect(isPersonalEmailDomain('n8n.io')).toBe(false);
		expect(isPersonalEmailDomain('initech.com')).toBe(false);
	});

	test('case and surrounding spaces do not matter', () => {
		expect(isPersonalEmailDomain(' GMail.COM ')).toBe(true);
	});

	test('matches exactly, not subdomains or look-alikes', () => {
		expect(isPersonalEmailDomain('mail.gmail.com')).toBe(false);
		expect(isPersonalEmailDomain('gmail.co')).toBe(false);
		expect(isPersonalEmailDomain('')).toBe(false);
	});
});

describe('isDisposableEmailDomain', () => {
	test('throw-away providers are disposable', () => {
		expect(isDisposableEmailDomain('mailinator.com')).toBe(true);
		expect(isDisposableEmailDomain('yopmail.com')).toBe(true);
		expect(isDisposableEmailDomain('guerrillamail.com')).toBe(true);
		expect(isDisposableEmailDomain(' Sharklasers.COM')).toBe(true);
	});

	test('mainstream and company domains are not disposable', () => {
		expect(isDisposableEmailDomain('gmail.com')).toBe(false);
		expect(isDisposableEmailDomain('outlook.com')).toBe(false);
		expect(isDisposableEmailDomain('acme.io')).toBe(false);
		expect(isDisposableEmailDomain('')).toBe(false);
	});

	test('any subdomain of a wildcard entry is disposable, the wildcard domain itself only if listed', () => {
		expect(isDisposableEmailDomain('anyone.33mail.com')).toBe(true);
		expect(isDisposableEmailDomain('a.b.33mail.com')).toBe(true);
		expect(isDisposableEmailDomain('alias.anonaddy.me')).toBe(true);
		expect(isDisposableEmailDomain('anonaddy.me')).toBe(false);
	});

	test('subdomains of exact-only entries are not disposable', () => {
		expect(DISPOSABLE_EMAIL_WILDCARD_DOMAINS).not.toContain('guerrillamail.com');
		expect(isDisposableEmailDomain('mail.guerrillamail.com')).toBe(false);
	});
});

describe('emailDomain', () => {
	test('the lower-cased, trimmed part after the last @', () => {
		expect(emailDomain('jane.doe@acme.io')).toBe('acme.io');
		expect(emailDomain('  Jane.Doe@Acme.IO ')).toBe('acme.io');
		expect(emailDomain('"odd@local"@Example.org')).toBe('example.org');
		expect(emailDomain('jane@ acme.io')).toBe('acme.io');
	});

	test('a display-name address', () => {
		expect(emailDomain('Jane Doe <Jane@Acme.io>')).toBe('acme.io');
	});

	test('undefined when the value is not an address', () => {
		expect(emailDomain('')).toBeUndefined();
		expect(emailDomain('   ')).toBeUndefined();
		expect(emailDomain('acme.io')).toBeUndefined();
		expect(emailDomain('jane@')).toBeUndefined();
		expect(emailDomain('@acme.io')).toBeUndefined();
		expect(emailDomain('jane@acme io')).toBeUndefined();
		expect(emailDomain(42 as unknown as string)).toBeUndefined();
		expect(emailDomain(undefined as unknown as string)).toBeUndefined();
	});
});
