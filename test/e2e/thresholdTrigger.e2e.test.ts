/**
 * The PQL Threshold Trigger inside a real n8n 2.40 (tools/n8n/install.sh), started by this test:
 * the package is built and packed, installed as a community package, and the template workflow
 * workflows/pql-threshold-trigger-to-http.json (trigger → HTTP Request) is deployed several times
 * with different trigger settings. Events are POSTed over loopback to the trigger's production
 * URL; what each fired execution sends is recorded by a local HTTP sink.
 *
 * Every scenario uses its own accounts (and its own workflow when it needs other settings), so the
 * tests can share one n8n. The restart test is last: it restarts n8n.
 */
import { createHmac, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureN8nInstalled, httpRequest, startN8n, type N8nInstance } from '../helpers/n8nServer';
import { startHttpSink, type HttpSink } from '../helpers/httpSink';
import { buildAndPackPql, PQL_TRIGGER_TYPE } from '../helpers/pqlPackage';
import {
	createCredential,
	deployTriggerWorkflow,
	readSavedState,
	settledExecutions,
	TRIGGER_WEBHOOK_PATH,
	type CredentialRef,
	type DeployedTrigger,
} from '../helpers/pqlWorkflows';

jest.setTimeout(120_000);

const SEGMENT_SECRET = 'segment-shared-secret-e2e';
const WRITE_KEY = 'segment-write-key-e2e';
const SECRET_HEADER = 'X-PQL-Secret';
const HEADER_SECRET = 'posthog-destination-secret-e2e';
/** Separates this run's event ids (and Redis keys) from any other run's. */
const RUN = randomUUID().slice(0, 8);
interface Answer {
	status: number;
	json: Record<string, unknown>;
}

interface FiredItem {
	fireId: string;
	accountId: string;
	trigger: string;
	score: number;
	previousScore: number | null;
	tier: string;
	previousTier: string | null;
	reasons: string[];
	summary: string;
	users: Array<{ id: string }>;
	triggeringEvent: { id: string | null; name: string; source: string } | null;
}

/** Points: +1 per `login`, −1 per `downgrade`, so a score can go up and down without waiting for windows. */
function loginRules(threshold: number, tiers = [{ name: 'hot', minScore: threshold }, { name: 'cold', minScore: null }]): string {
	return JSON.stringify({
		mode: 'points',
		threshold,
		tiers,
		rules: [
			{ name: 'Logins', category: 'usage', type: 'eventCount', event: 'login', pointsPer: 'unit', points: 1 },
			{ name: 'Downgrades', category: 'negative', type: 'eventCount', event: 'downgrade', pointsPer: 'unit', points: 1 },
		],
	});
}

let sequence = 0;
function nextId(prefix: string): string {
	sequence++;
	return `${prefix}-${RUN}-${sequence}`;
}

/** A Segment track call as the Webhooks destination sends it; the account is `context.groupId`. */
function segmentTrack(accountId: string, event: string, options: { messageId?: string; userId?: string } = {}): Record<string, unknown> {
	return {
		type: 'track',
		messageId: options.messageId ?? nextId('msg'),
		userId: options.userId ?? `${accountId}-user`,
		event,
		properties: { plan: 'trial' },
		context: { groupId: accountId, library: { name: 'analytics.js', version: '5.2.0' } },
		timestamp: new Date(Date.now() - 60_000).toISOString(),
	};
}

/** PostHog's HTTP webhook destination body (default template plus `"groups": "{groups}"`). */
function postHogEvent(accountId: string, event: string): Record<string, unknown> {
	const uuid = nextId('ph');
	const distinctId = `${accountId}-person`;
	return {
		event: {
			uuid,
			event,
			distinct_id: distinctId,
			properties: { $current_url: 'https://app.example.com/home', $groups: { company: accountId } },
			elements_chain: '',
			timestamp: new Date(Date.now() - 60_000).toISOString(),
			url: `https://us.posthog.com/project/1/events/${uuid}`,
		},
		person: { id: `person-${distinctId}`, name: 'Ada', properties: { email: 'ada@example.com' }, url: '' },
		groups: { company: { id: accountId, type: 'company', index: 0, url: '', properties: { name: `Company ${accountId}` } } },
	};
}

function hmacSha1Hex(secret: string, body: string): string {
	return createHmac('sha1', secret).update(body).digest('hex');
}

function basicAuth(writeKey: string): string {
	return `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
}

async function post(url: string, body: string | object, headers: Record<string, string> = {}): Promise<Answer> {
	const raw = typeof body === 'string' ? body : JSON.stringify(body);
	const response = await httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw });
	let json: Record<string, unknown>;
	try {
		json = JSON.parse(response.body) as Record<string, unknown>;
	} catch {
		json = { unparsed: response.body };
	}
	return { status: response.status, json };
}

/** Signs the exact bytes sent, as Segment's Webhooks destination does. */
function postSigned(url: string, body: string | object, secret = SEGMENT_SECRET): Promise<Answer> {
	const raw = typeof body === 'string' ? body : JSON.stringify(body);
	return post(url, raw, { 'x-signature': hmacSha1Hex(secret, raw) });
}

let n8n: N8nInstance;
let sink: HttpSink;
let packDir: string;
const credentials: Record<string, CredentialRef> = {};
const deployed: Record<string, DeployedTrigger> = {};

/** Items the sink received from one scenario's workflow for one account, oldest first. */
/** The account's items at the sink in crossing order: each crossing is its own execution, and they may finish in any order. */
function firedFor(scenario: string, accountId: string): FiredItem[] {
	const crossing = (item: FiredItem) => Number(item.fireId.split(':').pop());
	return sink
		.callsTo(`/sink/${scenario}`)
		.map((call) => call.body as FiredItem)
		.filter((item) => item.accountId === accountId)
		.sort((a, b) => crossing(a) - crossing(b));
}

/**
 * Waits for `count` fired items of the account at the sink, then for every execution of the
 * scenario's workflow to finish, and returns the items: a second execution for the account would
 * have been started (and counted) by then.
 */
async function expectFired(scenario: string, accountId: string, count: number, executionsSoFar: number): Promise<FiredItem[]> {
	await sink.waitFor(() => firedFor(scenario, accountId).length >= count, 30_000);
	const executions = await settledExecutions(n8n, deployed[scenario].workflowId, executionsSoFar);
	expect(executions).toHaveLength(executionsSoFar);
	const items = firedFor(scenario, accountId);
	expect(items).toHaveLength(count);
	return items;
}

/** Sends the events one after another; returns how many accounts each request fired. */
async function sendSequentially(scenario: string, bodies: object[]): Promise<number[]> {
	const fired: number[] = [];
	for (const body of bodies) {
		const answer = await post(deployed[scenario].url, body);
		expect(answer.status).toBe(200);
		fired.push(answer.json.fired as number);
	}
	return fired;
}

const times = (n: number, make: () => object): object[] => Array.from({ length: n }, make);

beforeAll(async () => {
	ensureN8nInstalled(); // idempotent: 0 s when .n8n-e2e is ready, ~6 min the first time
	packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pql-e2e-pack-'));
	const tarball = buildAndPackPql(packDir);
	n8n = await startN8n({ packageTarball: tarball, env: { N8N_EXPRESSION_ENGINE: 'legacy' } });
	sink = await startHttpSink();

	credentials.segmentWebhookApi = await createCredential(n8n, 'segmentWebhookApi', 'Segment (e2e)', {
		sharedSecret: SEGMENT_SECRET,
		writeKey: WRITE_KEY,
	});
	credentials.pqlWebhookSecretApi = await createCredential(n8n, 'pqlWebhookSecretApi', 'PostHog secret (e2e)', {
		headerName: SECRET_HEADER,
		secret: HEADER_SECRET,
	});

	const scenarios: Record<string, { parameters: Record<string, unknown>; credential?: string }> = {
		signature: {
			parameters: { authentication: 'segmentSignature', rulesSource: 'json', rulesJson: loginRules(3), settings: { maxBodyKb: 2 } },
			credential: 'segmentWebhookApi',
		},
		writeKey: { parameters: { authentication: 'segmentWriteKey', rulesSource: 'json', rulesJson: loginRules(3) }, credential: 'segmentWebhookApi' },
		sharedSecret: {
			parameters: { authentication: 'sharedSecretHeader', source: 'posthog', rulesSource: 'json', rulesJson: loginRules(3) },
			credential: 'pqlWebhookSecretApi',
		},
		hysteresis: { parameters: { authentication: 'none', rulesSource: 'json', rulesJson: loginRules(5), cooldownDays: 0, hysteresis: 2 } },
		// 0.00005 days = 4.3 s: a cooldown that runs out while the test waits.
		cooldown: { parameters: { authentication: 'none', rulesSource: 'json', rulesJson: loginRules(5), cooldownDays: 0.00005, hysteresis: 0 } },
		tiers: {
			parameters: {
				authentication: 'none',
				fireOn: 'tierUp',
				rulesSource: 'json',
				rulesJson: loginRules(10, [
					{ name: 'hot', minScore: 10 },
					{ name: 'warm', minScore: 5 },
					{ name: 'cold', minScore: null },
				]),
				cooldownDays: 0,
				hysteresis: 2,
			},
		},
		// Only time passes: events are dated a minute ago, so with 0.0008 days (69 s) the PQL goes quiet ~9 s after it is sent.
		quiet: {
			parameters: { authentication: 'none', fireOn: 'wentQuiet', quietDays: 0.0008, rulesSource: 'json', rulesJson: loginRules(3), cooldownDays: 0 },
		},
		held: { parameters: { authentication: 'none', rulesSource: 'json', rulesJson: loginRules(3), cooldownDays: 0.0001, hysteresis: 0 } },
		restart: {
			parameters: {
				authentication: 'none',
				rulesSource: 'json',
				rulesJson: loginRules(5),
				cooldownDays: 0,
				hysteresis: 2,
				settings: { saveEverySeconds: 0 },
			},
		},
	};
	for (const [scenario, { parameters, credential }] of Object.entries(scenarios)) {
		deployed[scenario] = await deployTriggerWorkflow(n8n, {
			name: `PQL e2e: ${scenario}`,
			// Crossings start their executions from the trigger's timer: tick every second here.
			parameters: { ...parameters, settings: { checkEverySeconds: 1, ...(parameters.settings as object | undefined) } },
			credentials: credential ? { [credential]: credentials[credential] } : undefined,
			sinkUrl: sink.url(`/sink/${scenario}`),
		});
	}
}, 15 * 60_000);

afterAll(async () => {
	await sink?.close();
	await n8n?.stop();
	if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
});

describe('the installed trigger', () => {
	test('n8n loaded the node; its production URL is /webhook/<webhookId>/pql-events', async () => {
		expect(n8n.loadedNodeTypes()).toContain(PQL_TRIGGER_TYPE);
		const { url, webhookId } = deployed.signature;
		expect(url).toBe(`${n8n.baseUrl}/webhook/${webhookId}/${TRIGGER_WEBHOOK_PATH}`);
		const answer = await post(url, 'null');
		expect(answer.status).not.toBe(404);
	});
});

describe('authentication', () => {
	test('Segment X-Signature: valid → 200; invalid or missing → 401 and nothing is counted', async () => {
		const { url } = deployed.signature;
		const body = JSON.stringify(segmentTrack('sig-co', 'login'));

		const forged = await post(url, body, { 'x-signature': hmacSha1Hex('not-the-secret', body) });
		expect(forged.status).toBe(401);
		expect(forged.json.error).toMatch(/X-Signature/);
		const unsigned = await post(url, body);
		expect(unsigned.status).toBe(401);
		expect(unsigned.json.error).toMatch(/missing X-Signature/);

		// The same bytes, signed: the refused attempts did not mark the messageId as seen.
		const valid = await postSigned(url, body);
		expect(valid).toEqual({ status: 200, json: expect.objectContaining({ accepted: 1, duplicates: 0, rejected: 0, fired: 0 }) });
	});

	test('Segment X-Segment-Signature over a JSON array batch', async () => {
		const raw = JSON.stringify([segmentTrack('sig-co', 'login'), segmentTrack('sig-co', 'page_viewed')]);
		const answer = await post(deployed.signature.url, raw, { 'x-segment-signature': hmacSha1Hex(SEGMENT_SECRET, raw) });
		expect(answer.status).toBe(200);
		expect(answer.json).toMatchObject({ accepted: 2, rejected: 0 });
	});

	test('shared-secret header (PostHog destination): right secret → 200, wrong or missing → 401', async () => {
		const { url } = deployed.sharedSecret;
		const body = postHogEvent('secret-co', 'login');
		expect((await post(url, body, { [SECRET_HEADER]: 'wrong' })).status).toBe(401);
		expect((await post(url, body)).status).toBe(401);
		const answer = await post(url, body, { 'x-pql-secret': HEADER_SECRET });
		expect(answer.status).toBe(200);
		expect(answer.json).toMatchObject({ accepted: 1, duplicates: 0 });
	});

	test('Segment write key (analytics-node {batch}): Basic base64(writeKey:) → 200, another key → 401', async () => {
		const { url } = deployed.writeKey;
		const batch = { batch: [segmentTrack('wk-co', 'login'), segmentTrack('wk-co', 'login')], sentAt: new Date().toISOString() };
		const refused = await post(url, batch, { authorization: basicAuth('another-key') });
		expect(refused.status).toBe(401);
		const answer = await post(url, batch, { authorization: basicAuth(WRITE_KEY) });
		expect(answer.status).toBe(200);
		expect(answer.json).toMatchObject({ accepted: 2, duplicates: 0, rejected: 0 });
	});
});

describe('bad input', () => {
	test('malformed JSON → 400 naming the problem', async () => {
		const answer = await postSigned(deployed.signature.url, '{"type": "track",');
		expect(answer.status).toBe(400);
		expect(String(answer.json.error)).toMatch(/not valid JSON/);
	});

	test('JSON without a recognisable event → 422; an empty batch → 422', async () => {
		const unknown = await postSigned(deployed.signature.url, { hello: 'world' });
		expect(unknown.status).toBe(422);
		expect(unknown.json).toMatchObject({ accepted: 0, rejected: 1 });
		expect(String(unknown.json.error)).toMatch(/no event in the request was recognised/);
		const empty = await postSigned(deployed.signature.url, []);
		expect(empty.status).toBe(422);
		expect(String(empty.json.error)).toMatch(/no events/);
	});

	test('a body over maxBodyKb → 413; a non-JSON content type → 415', async () => {
		const big = segmentTrack('sig-co', 'login');
		(big.properties as Record<string, unknown>).padding = 'x'.repeat(3000);
		const tooLarge = await postSigned(deployed.signature.url, big);
		expect(tooLarge.status).toBe(413);
		const raw = '<event>login</event>';
		const html = await post(deployed.signature.url, raw, { 'content-type': 'text/html', 'x-signature': hmacSha1Hex(SEGMENT_SECRET, raw) });
		expect(html.status).toBe(415);
	});

	test('a batch with some bad events: 200, the good ones count, the answer lists the rejections', async () => {
		const batch = {
			batch: [
				segmentTrack('batch-co', 'login'),
				{ type: 'track', event: 'login', timestamp: new Date().toISOString() }, // no userId / anonymousId
				segmentTrack('batch-co', 'login'),
				'not an event',
				{ type: 'track', messageId: nextId('msg'), userId: 'lonely-user', event: 'login', timestamp: new Date().toISOString() }, // no account
			],
		};
		const answer = await post(deployed.writeKey.url, batch, { authorization: basicAuth(WRITE_KEY) });
		expect(answer.status).toBe(200);
		expect(answer.json).toMatchObject({ accepted: 3, duplicates: 0, rejected: 2, unassigned: 1, fired: 0 });
		const rejections = answer.json.rejections as Array<{ index: number; reason: string }>;
		expect(rejections.map((rejection) => rejection.index)).toEqual([1, 3]);
		expect(rejections[0].reason).toMatch(/userId/);
		expect(rejections[1].reason).toMatch(/not an object/);
	});
});

describe('counting and firing', () => {
	test('duplicates (same messageId) are answered 200 but counted once', async () => {
		const url = deployed.signature.url;
		const first = segmentTrack('dup-co', 'login');
		expect((await postSigned(url, first)).json).toMatchObject({ accepted: 1, duplicates: 0, fired: 0 });
		for (let retry = 0; retry < 3; retry++) {
			const again = await postSigned(url, first);
			expect(again.status).toBe(200);
			expect(again.json).toMatchObject({ accepted: 0, duplicates: 1, fired: 0 });
		}
		// Threshold 3: had the retries counted, the account would have fired already.
		expect((await postSigned(url, segmentTrack('dup-co', 'login'))).json.fired).toBe(0);
		expect((await postSigned(url, segmentTrack('dup-co', 'login'))).json.fired).toBe(1);
		const [item] = await expectFired('signature', 'dup-co', 1, 1);
		expect(item).toMatchObject({ score: 3, previousScore: 2 });
	});

	test('an account crossing the threshold starts exactly one execution, with score, previous score and reasons', async () => {
		const logins = times(6, () => segmentTrack('once-co', 'login'));
		const fired: number[] = [];
		for (const body of logins) fired.push((await postSigned(deployed.signature.url, body)).json.fired as number);
		expect(fired).toEqual([0, 0, 1, 0, 0, 0]);
		const [item] = await expectFired('signature', 'once-co', 1, 2);
		expect(item).toMatchObject({
			accountId: 'once-co',
			trigger: 'crossedThreshold',
			score: 3,
			previousScore: 2,
			tier: 'hot',
			previousTier: 'cold',
			reasons: ['Logins: login 3 times (+3)'],
			users: [expect.objectContaining({ id: 'once-co-user' })],
			triggeringEvent: expect.objectContaining({ id: (logins[2] as { messageId: string }).messageId, name: 'login', source: 'segment' }),
		});
		expect(item.summary).toMatch(/once-co/);
	});

	test('PostHog destination bodies cross too (account from groups)', async () => {
		const fired: number[] = [];
		for (let n = 0; n < 4; n++) {
			fired.push((await post(deployed.sharedSecret.url, postHogEvent('ph-co', 'login'), { [SECRET_HEADER]: HEADER_SECRET })).json.fired as number);
		}
		expect(fired).toEqual([0, 0, 1, 0]);
		const [item] = await expectFired('sharedSecret', 'ph-co', 1, 1);
		expect(item).toMatchObject({ score: 3, previousScore: 2, triggeringEvent: expect.objectContaining({ source: 'posthog', name: 'login' }) });
	});

	test('hysteresis: no second fire until the score fell below threshold − margin, then one more', async () => {
		// threshold 5, margin 2, no cooldown
		const login = () => segmentTrack('hyst-co', 'login');
		const downgrade = () => segmentTrack('hyst-co', 'downgrade');
		expect(await sendSequentially('hysteresis', times(5, login))).toEqual([0, 0, 0, 0, 1]);
		// 5 → 4 → 5: never below 3, so not re-armed
		expect(await sendSequentially('hysteresis', [downgrade(), login()])).toEqual([0, 0]);
		// 5 → 2 (below 3: re-armed) → 5: fires again
		expect(await sendSequentially('hysteresis', [...times(3, downgrade), ...times(3, login)])).toEqual([0, 0, 0, 0, 0, 1]);
		const items = await expectFired('hysteresis', 'hyst-co', 2, 2);
		expect(items.map(({ score, previousScore }) => [score, previousScore])).toEqual([
			[5, 4],
			[5, 4],
		]);
		expect(items[1].reasons).toEqual(expect.arrayContaining([expect.stringMatching(/Downgrades/)]));
	});

	test('cooldown: a re-crossing within the cooldown does not fire; the first event after it does', async () => {
		// threshold 5, margin 0, cooldown 0.00005 days (4.32 s)
		const login = () => segmentTrack('cool-co', 'login');
		expect(await sendSequentially('cooldown', times(5, login))).toEqual([0, 0, 0, 0, 1]);
		const firedAt = Date.now();
		// 5 → 4 (re-armed, margin 0) → 5: due, but within the cooldown
		expect(await sendSequentially('cooldown', [segmentTrack('cool-co', 'downgrade'), login()])).toEqual([0, 0]);
		// The held crossing fires by itself when the cooldown ends (the trigger's timer), not on the next event.
		const items = await expectFired('cooldown', 'cool-co', 2, 2);
		expect(Date.now() - firedAt).toBeGreaterThanOrEqual(4000);
		expect(items.map(({ score, triggeringEvent }) => [score, triggeringEvent === null])).toEqual([
			[5, false],
			[5, true],
		]);
		expect(await sendSequentially('cooldown', [login()])).toEqual([0]);
	});

	test('tier changes: fires on each move up, not on a dip within the margin nor on moves down', async () => {
		// tiers hot ≥ 10, warm ≥ 5, cold; fire on tier up; margin 2
		const login = () => segmentTrack('tier-co', 'login');
		const downgrade = () => segmentTrack('tier-co', 'downgrade');
		const upToHot = await sendSequentially('tiers', times(10, login));
		expect(upToHot).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
		// 10 → 9 → 10: held in hot (9 is not below 10 − 2)
		expect(await sendSequentially('tiers', [downgrade(), login()])).toEqual([0, 0]);
		// 10 → 7 (below 8: now warm; a move down does not fire) → 10: hot again
		expect(await sendSequentially('tiers', [...times(3, downgrade), ...times(3, login)])).toEqual([0, 0, 0, 0, 0, 1]);
		const items = await expectFired('tiers', 'tier-co', 3, 3);
		expect(items.map(({ trigger, tier, previousTier, score }) => [trigger, previousTier, tier, score])).toEqual([
			['tierChanged', 'cold', 'warm', 5],
			['tierChanged', 'warm', 'hot', 10],
			['tierChanged', 'warm', 'hot', 10],
		]);
	});
});

describe('when only time passes', () => {
	test('an account that was a PQL and goes quiet fires "went quiet" once, with no new event', async () => {
		expect(await sendSequentially('quiet', times(3, () => segmentTrack('quiet-co', 'login')))).toEqual([0, 0, 0]);
		const [item] = await expectFired('quiet', 'quiet-co', 1, 1);
		expect(item).toMatchObject({ trigger: 'wentQuiet', accountId: 'quiet-co', triggeringEvent: null });
		expect(item.fireId).toBe('quiet-co:1');
		await new Promise((resolve) => setTimeout(resolve, 3000));
		expect(firedFor('quiet', 'quiet-co')).toHaveLength(1);
	});

	test('a crossing held by the cooldown fires when the cooldown ends, without a new event', async () => {
		// threshold 3, margin 0, cooldown 0.0001 days (8.6 s)
		const login = () => segmentTrack('held-co', 'login');
		expect(await sendSequentially('held', times(3, login))).toEqual([0, 0, 1]);
		await expectFired('held', 'held-co', 1, 1);
		// 3 → 2 (re-armed) → 3: due again, but within the cooldown: held
		expect(await sendSequentially('held', [segmentTrack('held-co', 'downgrade'), login()])).toEqual([0, 0]);
		const items = await expectFired('held', 'held-co', 2, 2);
		expect(items.map((entry) => [entry.fireId, entry.triggeringEvent === null])).toEqual([
			['held-co:1', false],
			['held-co:2', true],
		]);
	});
});

describe('restart', () => {
	test('state survives an n8n restart: counts add up, dedupe remembers, a past crossing does not fire again', async () => {
		// threshold 5, margin 2, no cooldown, state saved after every request
		const { url, workflowId } = deployed.restart;
		const firstLogin = segmentTrack('restart-b', 'login');
		expect(await sendSequentially('restart', times(5, () => segmentTrack('restart-a', 'login')))).toEqual([0, 0, 0, 0, 1]);
		expect(await sendSequentially('restart', [firstLogin, segmentTrack('restart-b', 'login'), segmentTrack('restart-b', 'login')])).toEqual([0, 0, 0]);
		await expectFired('restart', 'restart-a', 1, 1);

		const before = await readSavedState(n8n, workflowId);
		const loginsBefore = new Map(before?.accounts.map((account) => [account.id, account.named.eventCounts.login]));
		expect(loginsBefore).toEqual(new Map([['restart-a', 5], ['restart-b', 3]]));

		await n8n.restart();

		expect((await post(url, firstLogin)).json).toMatchObject({ accepted: 0, duplicates: 1 });
		// restart-a already fired (and is not re-armed): one more login must not fire it again
		expect(await sendSequentially('restart', [segmentTrack('restart-a', 'login')])).toEqual([0]);
		// restart-b had 3: the 5th login in total crosses
		expect(await sendSequentially('restart', [segmentTrack('restart-b', 'login'), segmentTrack('restart-b', 'login')])).toEqual([0, 1]);
		// Two executions, or three when restart-a's crossing is delivered again (at least once, same fireId).
		await sink.waitFor(() => firedFor('restart', 'restart-b').length >= 1, 30_000);
		await settledExecutions(n8n, workflowId, 2);
		const [crossing, ...again] = firedFor('restart', 'restart-b');
		expect(again).toEqual([]);
		expect(crossing).toMatchObject({ score: 5, previousScore: 4 });
		// At least once: a crossing whose execution finished after the last save may be delivered again, with the same fireId.
		expect(new Set(firedFor('restart', 'restart-a').map((item) => item.fireId))).toEqual(new Set(['restart-a:1']));

		const after = await readSavedState(n8n, workflowId);
		expect(new Map(after?.accounts.map((account) => [account.id, account.named.eventCounts.login]))).toEqual(
			new Map([['restart-a', 6], ['restart-b', 5]]),
		);
	});
});
