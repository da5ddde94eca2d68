import axios from 'axios';
import { existsSync } from 'fs';
import { join } from 'path';
import { Workflow, type ICredentialType, type IDataObject, type IHttpRequestOptions, type INode, type INodeProperties } from 'n8n-workflow';
import { ApolloApi } from '../../credentials/ApolloApi.credentials';
import { HunterApi } from '../../credentials/HunterApi.credentials';
import { PeopleDataLabsApi } from '../../credentials/PeopleDataLabsApi.credentials';
import { EnrichAccount } from '../../nodes/EnrichAccount/EnrichAccount.node';
import { DEFAULT_CACHE_POLICY } from '../../nodes/engine/enrich/cache';
import { DEFAULT_MAX_LOOKUPS, DEFAULT_TIMEOUT_MS } from '../../nodes/engine/enrich/config';
import { DEFAULT_RETRY_POLICY } from '../../nodes/engine/enrich/retry';
import { DAY_MS } from '../../nodes/engine/time';
import { CredentialsHelper } from '../helpers/credentialsHelper';
import { NodeTypes } from '../helpers/nodeTypes';
import { expectSuccess, jsonItems, nodeRun, outputItems, runWorkflow, type WorkflowJson } from '../helpers/runWorkflow';
import { apolloOrganization, startApollo } from '../helpers/vendors/apollo';
import type { EnrichmentStandIn } from '../helpers/vendors/enrichmentStandIn';
import { startHunter } from '../helpers/vendors/hunter';
import { startPeopleDataLabs } from '../helpers/vendors/peopleDataLabs';

const nodeTypes = new NodeTypes([new EnrichAccount()]);
const credentialTypes: ICredentialType[] = [new ApolloApi(), new PeopleDataLabsApi(), new HunterApi()];
const NODE = 'Enrich Account';
/** Fast retries so the failure cases run in a second or two; real defaults are tested separately. */
const FAST = { retryWaitMs: 50, maxRateLimitWaitSeconds: 3, timeoutMs: 400 };

let apollo: EnrichmentStandIn;
let pdl: EnrichmentStandIn;
let hunter: EnrichmentStandIn;

beforeEach(async () => {
	[apollo, pdl, hunter] = await Promise.all([startApollo(), startPeopleDataLabs({ slowMs: 1500 }), startHunter()]);
});

afterEach(async () => {
	await Promise.all([apollo, pdl, hunter].map(async (standIn) => await standIn.close()));
});

function credentials(keys: Partial<Record<'apolloApi' | 'peopleDataLabsApi' | 'hunterApi', string>> = {}): CredentialsHelper {
	return new CredentialsHelper(credentialTypes, {
		apolloApi: { apiKey: keys.apolloApi ?? apollo.apiKey, baseUrl: apollo.baseUrl },
		peopleDataLabsApi: { apiKey: keys.peopleDataLabsApi ?? pdl.apiKey, baseUrl: pdl.baseUrl },
		hunterApi: { apiKey: keys.hunterApi ?? hunter.apiKey, baseUrl: hunter.baseUrl },
	});
}

interface RunOptions {
	keys?: Parameters<typeof credentials>[0];
	staticData?: IDataObject;
	extra?: Partial<INode>;
}

function enrichWorkflow(parameters: INode['parameters'], options: RunOptions): WorkflowJson {
	const node: INode = {
		id: '2',
		name: NODE,
		type: 'n8n-nodes-pql.enrichAccount',
		typeVersion: 1,
		position: [200, 0],
		parameters,
		credentials: { apolloApi: { id: '1', name: 'Apollo' }, peopleDataLabsApi: { id: '2', name: 'PDL' }, hunterApi: { id: '3', name: 'Hunter' } },
		...options.extra,
	};
	return {
		nodes: [{ id: '1', name: 'Leads', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} }, node],
		connections: { Leads: { main: [[{ node: NODE, type: 'main', index: 0 }]] } },
		staticData: options.staticData,
	};
}

async function enrich(parameters: INode['parameters'], items: IDataObject[], options: RunOptions = {}) {
	const run = await runWorkflow(enrichWorkflow(parameters, options), { nodeTypes, credentials: credentials(options.keys), pinData: { Leads: jsonItems(items) } });
	return { run, items: run.status === 'success' ? outputItems(run, NODE) : [] };
}

const waterfall = (...providers: string[]) => ({ provider: 'waterfall', waterfall: { providers: providers.map((provider) => ({ provider })) } });
const enrichment = (item: IDataObject) => item.enrichment as IDataObject;

describe('Enrich Account node in WorkflowExecute', () => {
	test('a match: one normalized company, the enrichment verdict, traits where PQL Score reads them, pairedItem', async () => {
		apollo.script('acme.io', 'match');
		const { run, items } = await enrich({ provider: 'apollo' }, [{ email: 'ada@acme.io', name: 'Ada' }]);
		expectSuccess(run);
		expect(items).toEqual([
			{
				email: 'ada@acme.io',
				name: 'Ada',
				domain: 'acme.io',
				industry: 'computer software',
				employees: 200,
				employeeRange: '51-200',
				country: 'United States',
				annualRevenue: 25_000_000,
				linkedinUrl: 'https://www.linkedin.com/company/acme-inc',
				foundedYear: 2012,
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
				enrichment: { status: 'matched', provider: 'apollo', reason: 'Apollo: matched', cached: false },
			},
		]);
		expect(nodeRun(run, NODE).data!.main[0]![0].pairedItem).toEqual({ item: 0 });
		const [call] = apollo.lookups();
		expect(call.headers['x-api-key']).toBe(apollo.apiKey);
		expect(call.query.get('domain')).toBe('acme.io');
	});

	test('personal, disposable and missing domains pass as skipped, with no paid look-up', async () => {
		const { run, items } = await enrich({ provider: 'apollo' }, [{ email: 'bob@gmail.com' }, { email: 'x@mailinator.com' }, { name: 'no domain' }]);
		expectSuccess(run);
		expect(items.map(enrichment)).toEqual([
			{ status: 'skipped', provider: null, reason: 'Personal e-mail domain gmail.com: no paid look-up', cached: false },
			{ status: 'skipped', provider: null, reason: 'Disposable e-mail domain mailinator.com: no paid look-up', cached: false },
			{ status: 'skipped', provider: null, reason: expect.stringMatching(/^No company domain found in "domain"/), cached: false },
		]);
		expect(items[0].company).toMatchObject({ domain: 'gmail.com', matched: false, source: null });
		expect(apollo.lookups()).toHaveLength(0);
	});

	test('dedupe: one look-up per distinct domain in an execution', async () => {
		apollo.script('acme.io', 'match');
		const leads = [{ email: 'a@acme.io' }, { email: 'b@acme.io' }, { website: 'https://www.acme.io/' }, { email: 'c@globex.com' }];
		const { items } = await enrich({ provider: 'apollo' }, leads);
		expect(apollo.lookups('acme.io')).toHaveLength(1);
		expect(apollo.lookups('globex.com')).toHaveLength(1);
		expect(items.map((item) => [enrichment(item).status, enrichment(item).cached])).toEqual([
			['matched', false],
			['matched', true],
			['matched', true],
			['notFound', false],
		]);
	});

	test('cache across executions (workflow static data): the second execution makes no call', async () => {
		apollo.script('acme.io', 'match');
		const staticData: IDataObject = {};
		const leads = [{ email: 'a@acme.io' }, { email: 'b@nobody.io' }];
		const first = await enrich({ provider: 'apollo' }, leads, { staticData });
		expectSuccess(first.run);
		expect(apollo.lookups()).toHaveLength(2);
		const second = await enrich({ provider: 'apollo' }, leads, { staticData });
		expect(apollo.lookups()).toHaveLength(2);
		expect(second.items.map((item) => [enrichment(item).status, enrichment(item).cached])).toEqual([
			['matched', true],
			['notFound', true],
		]);
		expect(second.items[0].company).toEqual(first.items[0].company);
		const saved = (staticData[`node:${NODE}`] as { enrichCache: { entries: IDataObject } }).enrichCache.entries;
		expect(Object.keys(saved).sort()).toEqual(['acme.io', 'nobody.io']);
		const noCache = await enrich({ provider: 'apollo', options: { cacheDays: 0 } }, leads, { staticData });
		expect(noCache.items.map((item) => enrichment(item).cached)).toEqual([false, false]);
		expect(apollo.lookups()).toHaveLength(4);
	});

	test('budget: after the paid look-ups allowed, items pass as skipped with the reason', async () => {
		const leads = ['a.io', 'b.io', 'c.io', 'd.io'].map((domain) => ({ domain }));
		const { items } = await enrich({ provider: 'peopleDataLabs', options: { maxLookups: 2 } }, leads);
		expect(pdl.lookups()).toHaveLength(2);
		expect(items.map((item) => enrichment(item).status)).toEqual(['notFound', 'notFound', 'skipped', 'skipped']);
		expect(enrichment(items[3]).reason).toBe('People Data Labs: the budget of 2 paid look-ups for this execution is used up');
	});

	test('no match from each provider is notFound, not an error', async () => {
		for (const provider of ['apollo', 'peopleDataLabs', 'hunter']) {
			const { run, items } = await enrich({ provider }, [{ domain: 'nobody.io' }]);
			expectSuccess(run);
			expect(enrichment(items[0])).toMatchObject({ status: 'notFound', provider, reason: expect.stringMatching(/: no match$/) });
		}
		expect([apollo, pdl, hunter].map((standIn) => standIn.lookups().length)).toEqual([1, 1, 1]);
	});

	test('waterfall order, one provider failing: Apollo 500 (retried, bounded), People Data Labs matches, Hunter never asked', async () => {
		apollo.script('acme.io', 'serverError');
		pdl.script('acme.io', 'match');
		hunter.script('acme.io', 'match');
		const { run, items } = await enrich({ ...waterfall('apollo', 'peopleDataLabs', 'hunter'), options: FAST }, [{ email: 'ada@acme.io' }]);
		expectSuccess(run);
		expect(enrichment(items[0])).toEqual({
			status: 'matched',
			provider: 'peopleDataLabs',
			reason: 'Apollo: failed with 500: Internal Server Error (after 2 retries); People Data Labs: matched',
			cached: false,
		});
		expect([apollo.lookups().length, pdl.lookups().length, hunter.lookups().length]).toEqual([3, 1, 0]);
		const firstPdlCall = pdl.lookups()[0].receivedAt;
		expect(apollo.lookups().every((call) => call.receivedAt <= firstPdlCall)).toBe(true);
	});

	test('500 after the last retry: the lead goes on with status failed and the reason', async () => {
		hunter.script('acme.io', 'serverError');
		const { run, items } = await enrich({ provider: 'hunter', options: { ...FAST, retries: 1 } }, [{ email: 'ada@acme.io', score: 90 }]);
		expectSuccess(run);
		expect(items[0]).toMatchObject({ email: 'ada@acme.io', score: 90, company: { matched: false, domain: 'acme.io' } });
		expect(enrichment(items[0])).toEqual({ status: 'failed', provider: 'hunter', reason: 'Hunter: failed with 500: Something went wrong on our side (after 1 retry)', cached: false });
		expect(hunter.lookups()).toHaveLength(2);
	});

	test('a slow answer past the time-out is retried a bounded number of times, then failed', async () => {
		pdl.script('acme.io', 'slow');
		const { run, items } = await enrich({ provider: 'peopleDataLabs', options: { ...FAST, retries: 1, timeoutMs: 300 } }, [{ domain: 'acme.io' }]);
		expectSuccess(run);
		expect(enrichment(items[0])).toMatchObject({ status: 'failed', reason: 'People Data Labs: did not answer in time (after 1 retry)' });
		expect(pdl.lookups()).toHaveLength(2);
	});

	test('malformed JSON is failed at once, without retries; the next provider is asked', async () => {
		hunter.script('acme.io', 'malformedJson');
		apollo.script('acme.io', 'match');
		const { items } = await enrich({ ...waterfall('hunter', 'apollo'), options: FAST }, [{ domain: 'acme.io' }]);
		expect(enrichment(items[0])).toMatchObject({ status: 'matched', provider: 'apollo', reason: 'Hunter: answered 200 with a body that is not JSON; Apollo: matched' });
		expect(hunter.lookups()).toHaveLength(1);
	});

	test('429 with Retry-After: waits what the provider asks, then retries', async () => {
		apollo.script('acme.io', 'rateLimited', 'match');
		const { items } = await enrich({ provider: 'apollo', options: FAST }, [{ domain: 'acme.io' }]);
		expect(enrichment(items[0]).status).toBe('matched');
		const [limited, retried] = apollo.lookups();
		expect(retried.receivedAt - limited.receivedAt).toBeGreaterThanOrEqual(950);
	});

	test('429 without Retry-After: PDL\'s reset header is honoured; Apollo\'s minute window is longer than allowed, so Apollo is not called again', async () => {
		pdl.script('acme.io', 'rateLimitedNoRetryAfter', 'match');
		const pdlRun = await enrich({ provider: 'peopleDataLabs', options: FAST }, [{ domain: 'acme.io' }]);
		expect(enrichment(pdlRun.items[0]).status).toBe('matched');
		const [limited, retried] = pdl.lookups();
		expect(retried.receivedAt - limited.receivedAt).toBeGreaterThanOrEqual(950);

		apollo.script('acme.io', 'rateLimitedNoRetryAfter');
		const { items } = await enrich({ provider: 'apollo', options: FAST }, [{ domain: 'acme.io' }, { domain: 'globex.com' }]);
		expect(items.map((item) => enrichment(item).status)).toEqual(['failed', 'skipped']);
		expect(enrichment(items[0]).reason).toBe('Apollo: too many requests (429); asked to wait 60 s, more than the 3 s allowed, so it is not called again in this execution');
		expect(enrichment(items[1]).reason).toMatch(/^Apollo: not called, too many requests/);
		expect(apollo.lookups()).toHaveLength(1);
	});

	test('Hunter\'s 403 is its rate limit: backed off and retried', async () => {
		hunter.script('acme.io', 'forbidden', 'match');
		const { items } = await enrich({ provider: 'hunter', options: FAST }, [{ domain: 'acme.io' }]);
		expect(enrichment(items[0]).status).toBe('matched');
		expect(hunter.lookups()).toHaveLength(2);
	});

	test('402 (People Data Labs out of credits) stops calls to it for the execution; the waterfall goes on', async () => {
		pdl.script('acme.io', 'outOfCredits');
		hunter.script('acme.io', 'match');
		hunter.script('globex.com', 'match');
		const { items } = await enrich({ ...waterfall('peopleDataLabs', 'hunter'), options: FAST }, [{ domain: 'acme.io' }, { domain: 'globex.com' }]);
		expect(pdl.lookups()).toHaveLength(1);
		expect(items.map((item) => [enrichment(item).status, enrichment(item).provider])).toEqual([
			['matched', 'hunter'],
			['matched', 'hunter'],
		]);
		expect(enrichment(items[0]).reason).toBe('People Data Labs: out of credits (402): You have hit your account maximum for company enrichment matches; Hunter: matched');
		expect(enrichment(items[1]).reason).toMatch(/^People Data Labs: not called, out of credits \(402\).* earlier in this execution; Hunter: matched$/);
	});

	test('401 with one provider is a clear credential error naming the provider and the item', async () => {
		const { run } = await enrich({ provider: 'apollo' }, [{ email: 'bob@gmail.com' }, { domain: 'acme.io' }], { keys: { apolloApi: 'wrong' } });
		expect(run.status).toBe('error');
		const error = run.data.resultData.error as { message: string; context?: { itemIndex?: number } };
		expect(error.message).toBe('Apollo: rejected the API key (401): Invalid access credentials.');
		expect(error.context?.itemIndex).toBe(1);
	});

	test('401 with Continue On Fail: the leads pass as failed, and the provider is called once', async () => {
		const leads = [{ domain: 'acme.io' }, { domain: 'globex.com' }];
		const { run, items } = await enrich({ provider: 'peopleDataLabs' }, leads, { keys: { peopleDataLabsApi: 'wrong' }, extra: { onError: 'continueRegularOutput' } });
		expectSuccess(run);
		expect(items.map((item) => enrichment(item).status)).toEqual(['failed', 'skipped']);
		expect(enrichment(items[0]).reason).toBe('People Data Labs: rejected the API key (401): Invalid API key');
		expect(pdl.lookups()).toHaveLength(1);
	});

	test('401 / 403 in a waterfall: that provider is skipped for the rest of the execution, the others answer', async () => {
		apollo.script('acme.io', 'forbidden');
		pdl.script('acme.io', 'match');
		pdl.script('globex.com', 'match');
		const { run, items } = await enrich({ ...waterfall('apollo', 'peopleDataLabs') }, [{ domain: 'acme.io' }, { domain: 'globex.com' }]);
		expectSuccess(run);
		expect(items.map((item) => enrichment(item).provider)).toEqual(['peopleDataLabs', 'peopleDataLabs']);
		expect(enrichment(items[0]).reason).toMatch(/^Apollo: refused access \(403\).*; People Data Labs: matched$/);
		expect(apollo.lookups()).toHaveLength(1);
	});

	test('ICP fit: points and reasons in PQL Score\'s words', async () => {
		apollo.script('acme.io', 'match');
		apollo.company('small.io', apolloOrganization('small.io', { name: 'Small', estimated_num_employees: 8, industry: 'Retail', country: 'Germany' })).script('small.io', 'match');
		const fit = { employees: '50-1000', employeePoints: 10, industries: 'Computer Software, SaaS', industryPoints: 15, countries: 'United States', countryPoints: 5 };
		const { run, items } = await enrich({ provider: 'apollo', icpFit: true, fit }, [{ domain: 'acme.io' }, { domain: 'small.io' }, { email: 'x@gmail.com' }]);
		expectSuccess(run);
		expect(items.map((item) => item.fit)).toEqual([
			{ points: 30, reasons: ['Company of target size: 200 employees (+10)', 'Target industry: computer software (+15)', 'Target country: United States (+5)'] },
			{ points: 0, reasons: [] },
			{ points: 0, reasons: [] },
		]);
	});

	test('flat product events get the traits in accountTraits, and the domain as account id when they have none', async () => {
		apollo.script('acme.io', 'match');
		const event = { userId: 'u1', email: 'ada@acme.io', event: 'user_logged_in', timestamp: '2026-11-19T10:00:00Z', accountTraits: { plan: 'trial', industry: 'Fintech' } };
		const { items } = await enrich({ provider: 'apollo' }, [event]);
		expect(items[0]).toMatchObject({
			accountId: 'acme.io',
			accountTraits: { plan: 'trial', industry: 'Fintech', employees: 200, country: 'United States', name: 'Acme Inc' },
		});
		expect(items[0].employees).toBeUndefined();
	});

	test('a parameter set wrong is reported by name; with Continue On Fail every item passes with the error', async () => {
		const failed = await enrich({ ...waterfall(), options: {} }, [{ domain: 'acme.io' }]);
		expect(failed.run.data.resultData.error?.message).toBe('"Waterfall Order" is empty: add the providers to try, first to last');
		const fitError = await enrich({ provider: 'apollo', icpFit: true, fit: { employees: 'lots' } }, [{ domain: 'acme.io' }], { extra: { onError: 'continueRegularOutput' } });
		expectSuccess(fitError.run);
		expect(fitError.items).toEqual([{ domain: 'acme.io', error: '"Employees" must be a range like 50..1000, 50-1000 or 1000+, got "lots"' }]);
		const noCredential = await enrich({ provider: 'hunter' }, [{ domain: 'acme.io' }], { extra: { credentials: {} } });
		expect(noCredential.run.data.resultData.error?.message).toBe('Hunter is asked but no Hunter API credential is selected');
	});

	test('the UI\'s defaults are the engine\'s defaults', () => {
		const options = new EnrichAccount().description.properties.find((property) => property.name === 'options')!.options as INodeProperties[];
		const defaults = Object.fromEntries(options.map((option) => [option.name, option.default]));
		expect(defaults).toMatchObject({
			cacheDays: DEFAULT_CACHE_POLICY.ttlMs / DAY_MS,
			cacheSize: DEFAULT_CACHE_POLICY.maxEntries,
			maxLookups: DEFAULT_MAX_LOOKUPS,
			maxRateLimitWaitSeconds: DEFAULT_RETRY_POLICY.maxWaitMs / 1000,
			retries: DEFAULT_RETRY_POLICY.retries,
			retryWaitMs: DEFAULT_RETRY_POLICY.baseDelayMs,
			timeoutMs: DEFAULT_TIMEOUT_MS,
			traitsTarget: 'auto',
		});
	});
});

describe('provider credentials', () => {
	/** The credential's own test request, with n8n resolving its expressions and applying its `authenticate`. */
	async function sendTestRequest(credential: ICredentialType, apiKey: string, baseUrl: string) {
		const node: INode = { id: 'n', name: 'Test', type: 'n8n-nodes-pql.enrichAccount', typeVersion: 1, position: [0, 0], parameters: {} };
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
		const data = { apiKey, baseUrl };
		const request = credential.test!.request as IHttpRequestOptions;
		const resolved = { ...request, baseURL: workflow.expression.getSimpleParameterValue(node, request.baseURL!, 'internal', { $credentials: data }) as string };
		const authenticated = await credentials().authenticate(data, credential.name, resolved, workflow, node);
		return await axios.request({ baseURL: authenticated.baseURL, url: authenticated.url, params: authenticated.qs, headers: authenticated.headers as Record<string, string>, validateStatus: () => true });
	}

	test.each([
		['Apollo API', () => new ApolloApi(), () => apollo],
		['People Data Labs API', () => new PeopleDataLabsApi(), () => pdl],
		['Hunter API', () => new HunterApi(), () => hunter],
	])('%s: named for n8n, a masked key, a Base URL with the vendor\'s default, a test request that tells a good key from a bad one', async (displayName, make, standIn) => {
		const credential = make();
		expect(credential.displayName).toBe(displayName);
		// n8n loads the class named like its file, credentials/<Class>.credentials.ts, by its camel-case name.
		const className = credential.constructor.name;
		expect(existsSync(join(__dirname, '../../credentials', `${className}.credentials.ts`))).toBe(true);
		expect(credential.name).toBe(className[0].toLowerCase() + className.slice(1));
		const icon = credential.icon as { light: string; dark: string };
		for (const file of [icon.light, icon.dark]) expect(existsSync(join(__dirname, '../../credentials', file.replace('file:', '')))).toBe(true);
		expect(credential.properties.find((property) => property.name === 'apiKey')?.typeOptions?.password).toBe(true);
		expect(credential.properties.find((property) => property.name === 'baseUrl')?.default).toMatch(/^https:\/\/api\.(apollo\.io|peopledatalabs\.com|hunter\.io)$/);
		expect(credential.documentationUrl).toMatch(/^https:\/\/github\.com\/n8n-nodes-pql\/n8n-nodes-pql#[a-z-]+-credential$/);
		const good = await sendTestRequest(credential, standIn().apiKey, standIn().baseUrl);
		expect(good.status).toBe(200);
		const rules = credential.test!.rules as Array<{ properties: { key: string; value: unknown } }> | undefined;
		for (const rule of rules ?? []) expect(good.data[rule.properties.key]).not.toBe(rule.properties.value);
		expect((await sendTestRequest(credential, 'wrong', standIn().baseUrl)).status).toBe(401);
		expect(standIn().lookups()).toHaveLength(0);
	});
});
