import { employeeRangeOf, linkedinUrlOf, titleCase } from '../../nodes/engine/enrich/company';
import { PROVIDERS, type HttpAnswer } from '../../nodes/engine/enrich/providers';
import { retryAfterMs } from '../../nodes/engine/enrich/providers/answer';
import { rateLimitResetMs } from '../../nodes/engine/enrich/providers/peopleDataLabs';
import { retryDecision } from '../../nodes/engine/enrich/retry';
import { apolloOrganization } from '../helpers/vendors/apollo';
import { hunterCompany } from '../helpers/vendors/hunter';
import { pdlCompany } from '../helpers/vendors/peopleDataLabs';

const NOW = Date.parse('2026-11-20T12:00:00.000Z');
const { apollo, peopleDataLabs, hunter } = PROVIDERS;

function answer(status: number, body: unknown, headers: Record<string, string> = {}): HttpAnswer {
	return { status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

describe('each provider\'s documented answer, normalized to one company', () => {
	test('Apollo organization', () => {
		const outcome = apollo.interpret(answer(200, { organization: apolloOrganization('acme.io') }), 'acme.io', NOW);
		expect(outcome).toEqual({
			kind: 'matched',
			raw: { organization: apolloOrganization('acme.io') },
			company: {
				name: 'Acme Inc',
				domain: 'acme.io',
				industry: 'computer software',
				employees: 200,
				employeeRange: '51-200',
				country: 'United States',
				annualRevenue: 25_000_000,
				linkedinUrl: 'https://www.linkedin.com/company/acme-inc',
				foundedYear: 2012,
				source: 'apollo',
				matched: true,
			},
		});
	});

	test('People Data Labs company profile (lower-case values title-cased)', () => {
		const outcome = peopleDataLabs.interpret(answer(200, pdlCompany('globex.com')), 'globex.com', NOW);
		expect(outcome).toMatchObject({
			kind: 'matched',
			company: {
				name: 'Globex',
				domain: 'globex.com',
				industry: 'Computer Software',
				employees: 180,
				employeeRange: '51-200',
				country: 'United States',
				annualRevenue: '$10M-$25M',
				linkedinUrl: 'https://www.linkedin.com/company/globex',
				foundedYear: 2012,
				source: 'peopleDataLabs',
				matched: true,
			},
		});
	});

	test('Hunter company: a band of employees is not turned into a count', () => {
		const outcome = hunter.interpret(answer(200, { data: hunterCompany('initech.fr'), meta: { domain: 'initech.fr' } }), 'initech.fr', NOW);
		expect(outcome).toMatchObject({
			kind: 'matched',
			company: {
				name: 'Initech',
				domain: 'initech.fr',
				industry: 'Software',
				employees: null,
				employeeRange: '11-50',
				country: 'France',
				annualRevenue: '$1M-$10M',
				linkedinUrl: 'https://www.linkedin.com/company/initech',
				foundedYear: 2012,
				source: 'hunter',
			},
		});
	});

	test('no match is notFound, not an error: Apollo 200 without (or with an empty) organization or 404, PDL 404, Hunter 404', () => {
		expect(apollo.interpret(answer(200, {}), 'x.io', NOW)).toEqual({ kind: 'notFound' });
		expect(apollo.interpret(answer(200, { organization: {} }), 'x.io', NOW)).toEqual({ kind: 'notFound' });
		expect(apollo.interpret(answer(404, { error: 'Not found' }), 'x.io', NOW)).toEqual({ kind: 'notFound' });
		expect(peopleDataLabs.interpret(answer(404, { status: 404, error: { type: 'not_found', message: 'No records were found matching your request' } }), 'x.io', NOW)).toEqual({ kind: 'notFound' });
		expect(hunter.interpret(answer(404, { errors: [{ id: 'not_found', code: 404, details: 'x' }] }), 'x.io', NOW)).toEqual({ kind: 'notFound' });
		expect(hunter.interpret(answer(200, { data: null, meta: {} }), 'x.io', NOW)).toEqual({ kind: 'notFound' });
	});
});

describe('failures, from each provider\'s documented behaviour', () => {
	test('401 / 403 are credential errors, with the provider\'s message', () => {
		expect(apollo.interpret(answer(401, { error: 'Invalid access credentials.' }), 'a.io', NOW)).toEqual({ kind: 'rejectedCredentials', reason: 'rejected the API key (401): Invalid access credentials.' });
		expect(apollo.interpret(answer(403, {}), 'a.io', NOW)).toMatchObject({ kind: 'rejectedCredentials', reason: expect.stringContaining('master key') });
		expect(peopleDataLabs.interpret(answer(401, { status: 401, error: { type: 'authentication_error', message: 'Invalid API key' } }), 'a.io', NOW)).toEqual({
			kind: 'rejectedCredentials',
			reason: 'rejected the API key (401): Invalid API key',
		});
		expect(hunter.interpret(answer(401, { errors: [{ id: 'authentication_failed', code: 401, details: 'No user found for the API key supplied' }] }), 'a.io', NOW)).toEqual({
			kind: 'rejectedCredentials',
			reason: 'rejected the API key (401): No user found for the API key supplied',
		});
	});

	test('credits and quotas: PDL 402, Hunter 429, Apollo 429 with no hourly or daily requests left', () => {
		expect(peopleDataLabs.interpret(answer(402, { status: 402, error: { type: 'payment_required', message: 'out' } }), 'a.io', NOW)).toEqual({ kind: 'exhausted', reason: 'out of credits (402): out' });
		expect(hunter.interpret(answer(429, { errors: [{ details: 'You have reached your usage limit.' }] }), 'a.io', NOW)).toEqual({ kind: 'exhausted', reason: 'monthly quota used up (429): You have reached your usage limit.' });
		expect(apollo.interpret(answer(429, {}, { 'x-daily-requests-left': '0' }), 'a.io', NOW)).toEqual({ kind: 'exhausted', reason: 'daily request limit reached (429)' });
		expect(apollo.interpret(answer(429, {}, { 'x-minute-requests-left': '0', 'x-hourly-requests-left': '0' }), 'a.io', NOW)).toEqual({ kind: 'exhausted', reason: 'hourly request limit reached (429)' });
	});

	test('rate limits say how long to wait: Retry-After, PDL\'s reset header, Apollo\'s minute window; Hunter\'s 403', () => {
		expect(apollo.interpret(answer(429, {}, { 'retry-after': '7' }), 'a.io', NOW)).toEqual({ kind: 'rateLimited', waitMs: 7000, reason: 'too many requests (429)' });
		expect(apollo.interpret(answer(429, {}, { 'x-minute-requests-left': '0' }), 'a.io', NOW)).toMatchObject({ waitMs: 60_000 });
		expect(peopleDataLabs.interpret(answer(429, {}, { 'x-ratelimit-reset': '2026-11-20T12:00:05Z' }), 'a.io', NOW)).toMatchObject({ kind: 'rateLimited', waitMs: 5000 });
		expect(peopleDataLabs.interpret(answer(429, {}), 'a.io', NOW)).toMatchObject({ kind: 'rateLimited', waitMs: undefined });
		expect(hunter.interpret(answer(403, { errors: [{ details: 'rate limit' }] }), 'a.io', NOW)).toMatchObject({ kind: 'rateLimited', waitMs: undefined });
	});

	test('the reset header in its documented forms: UTC timestamp, epoch seconds, seconds to wait, JSON-like', () => {
		expect(rateLimitResetMs('2026-11-20T12:00:30Z', NOW)).toBe(30_000);
		expect(rateLimitResetMs(String(NOW / 1000 + 12), NOW)).toBe(12_000);
		expect(rateLimitResetMs('59', NOW)).toBe(59_000);
		expect(rateLimitResetMs("{'minute': '2026-11-20T12:00:02Z'}", NOW)).toBe(2000);
		expect(rateLimitResetMs('2026-11-20T11:00:00Z', NOW)).toBe(0);
		expect(rateLimitResetMs(undefined, NOW)).toBeUndefined();
		expect(retryAfterMs('Fri, 20 Nov 2026 12:00:03 GMT', NOW)).toBe(3000);
		expect(retryAfterMs('soon', NOW)).toBeUndefined();
	});

	test('5xx and time-outs are retryable; a bad request or malformed JSON is not', () => {
		expect(apollo.interpret(answer(503, { error: 'busy' }), 'a.io', NOW)).toEqual({ kind: 'retryable', reason: 'failed with 503: busy' });
		expect(peopleDataLabs.interpret({ networkError: 'timeout of 500ms exceeded', timedOut: true }, 'a.io', NOW)).toEqual({ kind: 'retryable', reason: 'did not answer in time' });
		expect(hunter.interpret({ networkError: 'connect ECONNREFUSED 127.0.0.1:1', timedOut: false }, 'a.io', NOW)).toEqual({
			kind: 'retryable',
			reason: 'could not be reached (connect ECONNREFUSED 127.0.0.1:1)',
		});
		expect(hunter.interpret(answer(200, '{"data": {"name": "Ac'), 'a.io', NOW)).toEqual({ kind: 'failed', reason: 'answered 200 with a body that is not JSON' });
		expect(peopleDataLabs.interpret(answer(400, { status: 400, error: { type: 'invalid_request_error', message: 'website is invalid' } }), 'a.io', NOW)).toEqual({
			kind: 'failed',
			reason: 'answered 400: website is invalid',
		});
	});
});

describe('retry decisions are bounded', () => {
	const policy = { retries: 2, baseDelayMs: 1000, maxWaitMs: 30_000 };
	const serverError = { kind: 'retryable' as const, reason: 'failed with 500' };

	test('exponential backoff, then give up after the last retry', () => {
		expect(retryDecision(serverError, 0, policy)).toEqual({ action: 'retry', waitMs: 1000 });
		expect(retryDecision(serverError, 1, policy)).toEqual({ action: 'retry', waitMs: 2000 });
		expect(retryDecision(serverError, 2, policy)).toEqual({ action: 'giveUp', outcome: { kind: 'failed', reason: 'failed with 500 (after 2 retries)' } });
	});

	test('the provider\'s wait is honoured up to the maximum; beyond it the provider is not called again', () => {
		expect(retryDecision({ kind: 'rateLimited', waitMs: 4000, reason: 'too many requests (429)' }, 0, policy)).toEqual({ action: 'retry', waitMs: 4000 });
		expect(retryDecision({ kind: 'rateLimited', waitMs: 120_000, reason: 'too many requests (429)' }, 0, policy)).toEqual({
			action: 'giveUp',
			outcome: { kind: 'exhausted', reason: 'too many requests (429); asked to wait 120 s, more than the 30 s allowed, so it is not called again in this execution' },
		});
		expect(retryDecision({ kind: 'rateLimited', waitMs: undefined, reason: 'x' }, 1, policy)).toEqual({ action: 'retry', waitMs: 2000 });
	});
});

describe('company helpers', () => {
	test('employee bands, LinkedIn URLs, title case', () => {
		expect([1, 10, 11, 200, 201, 1000, 1001, 10_000, 10_001].map(employeeRangeOf)).toEqual(['1-10', '1-10', '11-50', '51-200', '201-500', '501-1000', '1001-5000', '5001-10000', '10001+']);
		expect(employeeRangeOf(null)).toBeNull();
		expect(linkedinUrlOf('linkedin.com/company/acme')).toBe('https://www.linkedin.com/company/acme');
		expect(linkedinUrlOf('http://www.linkedin.com/company/acme')).toBe('https://www.linkedin.com/company/acme');
		expect(linkedinUrlOf('company/acme')).toBe('https://www.linkedin.com/company/acme');
		expect(titleCase('information technology & services')).toBe('Information Technology & Services');
	});
});
