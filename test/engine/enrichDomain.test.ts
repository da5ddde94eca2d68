import { companyDomainOf, hostOf, registrableDomain } from '../../nodes/engine/enrich/domain';
import { DEFAULT_DOMAIN_FIELDS, findDomain } from '../../nodes/engine/enrich/input';

describe('domain normalization', () => {
	test.each([
		['Acme.COM', 'acme.com'],
		['  www.acme.com ', 'acme.com'],
		['https://www.acme.com/pricing?plan=pro#top', 'acme.com'],
		['http://acme.com:8080', 'acme.com'],
		['acme.com.', 'acme.com'],
		['www2.acme.com', 'acme.com'],
		['jane@Acme.io', 'acme.io'],
		['Jane Doe <jane@acme.io>', 'acme.io'],
		['mailto:jane@acme.io', 'acme.io'],
		['bücher.de', 'xn--bcher-kva.de'],
		['https://münchen.example.de/x', 'example.de'],
	])('%s → host %s (registrable)', (input, expected) => {
		expect(companyDomainOf(input)).toBe(expected);
	});

	test.each([['acme'], [''], ['   '], ['192.168.0.1'], ['not a domain'], ['jane@'], ['-acme.com'], ['acme..com']])('%j holds no domain', (input) => {
		expect(hostOf(input)).toBeUndefined();
	});

	test('sub-domains are cut to the registered domain, keeping multi-label country suffixes and hosting platforms', () => {
		expect(registrableDomain('app.eu.acme.com')).toBe('acme.com');
		expect(registrableDomain('shop.acme.co.uk')).toBe('acme.co.uk');
		expect(registrableDomain('acme.com.au')).toBe('acme.com.au');
		expect(registrableDomain('docs.acme.github.io')).toBe('acme.github.io');
		expect(registrableDomain('acme.herokuapp.com')).toBe('acme.herokuapp.com');
		expect(registrableDomain('github.io')).toBe('github.io');
		expect(registrableDomain('co.uk')).toBe('co.uk');
	});
});

describe('finding the company domain of an item', () => {
	test('a PQL Score account: the group id is not a domain, the users\' company e-mail is', () => {
		const scored = { id: 'acme', accountId: 'acme', users: [{ id: 'u2', email: 'bob@gmail.com' }, { id: 'u1', email: 'ada@eng.acme.io' }] };
		expect(findDomain(scored, DEFAULT_DOMAIN_FIELDS)).toEqual({ domain: 'acme.io', field: 'users' });
	});

	test('a PQL Score account formed from an e-mail domain, and a CRM contact with a website', () => {
		expect(findDomain({ id: 'initech.com', accountId: 'initech.com', users: [] }, DEFAULT_DOMAIN_FIELDS)).toEqual({ domain: 'initech.com', field: 'accountId' });
		expect(findDomain({ email: 'ann@gmail.com', website: 'https://www.Globex.com/' }, DEFAULT_DOMAIN_FIELDS)).toEqual({ domain: 'globex.com', field: 'website' });
	});

	test('personal and disposable domains are skipped with the Anti-PQL Filter\'s words', () => {
		expect(findDomain({ email: 'bob@gmail.com' }, DEFAULT_DOMAIN_FIELDS)).toEqual({ skip: 'Personal e-mail domain gmail.com: no paid look-up', domain: 'gmail.com' });
		expect(findDomain({ email: 'x@mailinator.com' }, DEFAULT_DOMAIN_FIELDS)).toEqual({ skip: 'Disposable e-mail domain mailinator.com: no paid look-up', domain: 'mailinator.com' });
		expect(findDomain({ email: 'x@mail.yahoo.co.uk' }, DEFAULT_DOMAIN_FIELDS)).toMatchObject({ skip: expect.stringMatching(/^Personal e-mail domain/) });
	});

	test('no domain anywhere names the fields looked at', () => {
		expect(findDomain({ name: 'Acme' }, ['domain', 'email'])).toEqual({ skip: 'No company domain found in "domain", "email"', domain: null });
		expect(findDomain({ domain: 'n/a' }, ['domain'])).toEqual({ skip: 'No company domain found in "domain"', domain: null });
	});
});
