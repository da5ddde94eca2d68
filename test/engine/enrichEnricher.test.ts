/**
 * The enrichment policy (dedupe, cache, budget, waterfall) against the provider stand-ins over real
 * HTTP. The node tests repeat the failure cases through n8n's own HTTP helper.
 */
import axios from 'axios';
import type { CacheStore } from '../../nodes/engine/enrich/cache';
import type { ProviderName } from '../../nodes/engine/enrich/company';
import { Enricher, type EnrichSettings } from '../../nodes/engine/enrich/enricher';
import type { HttpAnswer, ProviderSpec } from '../../nodes/engine/enrich/providers';
import { DAY_MS } from '../../nodes/engine/time';
import { startApollo } from '../helpers/vendors/apollo';
import type { EnrichmentStandIn } from '../helpers/vendors/enrichmentStandIn';
import { startHunter } from '../helpers/vendors/hunter';
import { startPeopleDataLabs } from '../helpers/vendors/peopleDataLabs';

let standIns: Record<ProviderName, EnrichmentStandIn>;

beforeEach(async () => {
	standIns = { apollo: await startApollo(), peopleDataLabs: await startPeopleDataLabs(), hunter: await startHunter() };
});

afterEach(async () => {
	await Promise.all(Object.values(standIns).map(async (standIn) => await standIn.close()));
});

const KEY_HEADER: Record<ProviderName, string> = { apollo: 'x-api-key', peopleDataLabs: 'X-Api-Key', hunter: 'X-API-KEY' };

async function call(provider: ProviderSpec, domain: string): Promise<HttpAnswer> {
	const standIn = standIns[provider.name];
	const request = provider.request(domain);
	const response = await axios.get<string>(standIn.baseUrl + request.path, {
		params: request.qs,
		headers: { [KEY_HEADER[provider.name]]: standIn.apiKey },
		responseType: 'text',
		transformResponse: (body: string) => body,
		validateStatus: () => true,
	});
	return { status: response.status, headers: response.headers as Record<string, string>, body: response.data };
}

function settings(overrides: Partial<EnrichSettings> = {}): EnrichSettings {
	return {
		providers: ['apollo'],
		maxLookups: 100,
		retry: { retries: 2, baseDelayMs: 10, maxWaitMs: 5000 },
		cache: { ttlMs: 30 * DAY_MS, maxEntries: 500 },
		includeProviderResponse: false,
		...overrides,
	};
}

function enricher(overrides: Partial<EnrichSettings> = {}, store: CacheStore = {}, now = () => Date.now()) {
	return new Enricher(settings(overrides), { call, sleep: async () => {}, now }, store);
}

describe('Enricher', () => {
	test('one look-up per distinct domain per execution; repeats are marked cached', async () => {
		standIns.apollo.script('acme.io', 'match');
		const run = enricher();
		const results = [await run.enrich('acme.io'), await run.enrich('acme.io'), await run.enrich('globex.com'), await run.enrich('acme.io')];
		expect(standIns.apollo.lookups('acme.io')).toHaveLength(1);
		expect(standIns.apollo.lookups('globex.com')).toHaveLength(1);
		expect(results.map((result) => [result.company.domain, result.enrichment.status, result.enrichment.cached])).toEqual([
			['acme.io', 'matched', false],
			['acme.io', 'matched', true],
			['globex.com', 'notFound', false],
			['acme.io', 'matched', true],
		]);
	});

	test('a second execution reuses the cache: no call; the answers expire after the TTL', async () => {
		standIns.apollo.script('acme.io', 'match');
		const store: CacheStore = {};
		const first = enricher({}, store);
		await first.enrich('acme.io');
		await first.enrich('nobody.io');
		first.save();
		expect(standIns.apollo.lookups()).toHaveLength(2);

		const second = enricher({}, store);
		const [match, noMatch] = [await second.enrich('acme.io'), await second.enrich('nobody.io')];
		expect(standIns.apollo.lookups()).toHaveLength(2);
		expect(match.enrichment).toEqual({ status: 'matched', provider: 'apollo', reason: 'Apollo: matched in an earlier execution (cached)', cached: true });
		expect(match.company).toMatchObject({ name: 'Acme Inc', employees: 200, matched: true });
		expect(noMatch.enrichment).toEqual({ status: 'notFound', provider: null, reason: 'no provider had a match in an earlier execution (cached)', cached: true });

		const monthLater = enricher({}, store, () => Date.now() + 31 * DAY_MS);
		await monthLater.enrich('acme.io');
		expect(standIns.apollo.lookups('acme.io')).toHaveLength(2);
	});

	test('a cached "no match" counts only for the providers that gave it', async () => {
		const store: CacheStore = {};
		const apolloOnly = enricher({ providers: ['apollo'] }, store);
		await apolloOnly.enrich('nobody.io');
		apolloOnly.save();
		standIns.peopleDataLabs.script('nobody.io', 'match');
		const waterfall = enricher({ providers: ['apollo', 'peopleDataLabs'] }, store);
		const result = await waterfall.enrich('nobody.io');
		expect(result.enrichment).toMatchObject({ status: 'matched', provider: 'peopleDataLabs', cached: false });
		expect(standIns.peopleDataLabs.lookups('nobody.io')).toHaveLength(1);
	});

	test('the cache keeps the newest entries up to its size', async () => {
		const store: CacheStore = {};
		let clock = Date.now();
		const run = enricher({ cache: { ttlMs: DAY_MS, maxEntries: 2 } }, store, () => (clock += 1000));
		for (const domain of ['a.io', 'b.io', 'c.io']) await run.enrich(domain);
		run.save();
		expect(Object.keys(store.enrichCache!.entries).sort()).toEqual(['b.io', 'c.io']);
	});

	test('the budget caps paid look-ups per execution; later items are skipped with the reason', async () => {
		const run = enricher({ maxLookups: 2 });
		const results = [];
		for (const domain of ['a.io', 'b.io', 'c.io', 'a.io']) results.push(await run.enrich(domain));
		expect(standIns.apollo.lookups()).toHaveLength(2);
		expect(results[2].enrichment).toEqual({
			status: 'skipped',
			provider: null,
			reason: 'Apollo: the budget of 2 paid look-ups for this execution is used up',
			cached: false,
		});
		expect(results[3].enrichment).toMatchObject({ status: 'notFound', cached: true });
	});

	test('waterfall: providers in the order given, stopping at the first match', async () => {
		standIns.peopleDataLabs.script('acme.io', 'match');
		standIns.hunter.script('acme.io', 'match');
		const result = await enricher({ providers: ['apollo', 'peopleDataLabs', 'hunter'] }).enrich('acme.io');
		expect(result.enrichment).toEqual({ status: 'matched', provider: 'peopleDataLabs', reason: 'Apollo: no match; People Data Labs: matched', cached: false });
		expect(result.company.source).toBe('peopleDataLabs');
		const order = [...standIns.apollo.lookups(), ...standIns.peopleDataLabs.lookups()].sort((a, b) => a.receivedAt - b.receivedAt);
		expect(order.map((request) => request.path)).toEqual(['/api/v1/organizations/enrich', '/v5/company/enrich']);
		expect(standIns.hunter.lookups()).toHaveLength(0);
	});

	test('the provider\'s raw answer is included when asked, and null when the answer is reused', async () => {
		standIns.hunter.script('initech.fr', 'match');
		const run = enricher({ providers: ['hunter'], includeProviderResponse: true });
		const fresh = await run.enrich('initech.fr');
		expect(fresh.enrichment.providerResponse).toEqual({ data: expect.objectContaining({ domain: 'initech.fr' }), meta: { domain: 'initech.fr' } });
		expect((await run.enrich('initech.fr')).enrichment.providerResponse).toBeNull();
	});
});
