/**
 * The property test of oneScoringPath.test.ts, through the shared store: the trigger's requests
 * committed by RestStateStore (real Redis behind the Upstash REST bridge), then the stored documents
 * scored, must give what the batch gives.
 */
import axios from 'axios';
import { randomUUID } from 'crypto';
import * as http from 'http';
import { EventAggregator } from '../../nodes/engine/aggregate';
import type { PqlEvent } from '../../nodes/engine/events';
import { compileModel } from '../../nodes/engine/rules/compile';
import { PRESETS } from '../../nodes/engine/rules/presets';
import type { ScoreResult } from '../../nodes/engine/score';
import type { AccountDoc, DocView, UserDoc } from '../../nodes/engine/state/docs';
import { accountSubject, scoreOf } from '../../nodes/engine/state/features';
import { RestStateStore } from '../../nodes/engine/state/restStore';
import { ingestEvents, type StreamSettings } from '../../nodes/engine/stream';
import { DAY_MS } from '../../nodes/engine/time';
import { randomStream, seededRandom, shuffled } from '../helpers/eventStreams';
import type { RedisClient } from '../helpers/resp/redisClient';
import { testRedis, testRedisClient } from '../helpers/testRedis';
import { startUpstashBridge, type UpstashBridge } from '../helpers/upstashBridge';

const NOW = Date.parse('2026-11-20T12:00:00.000Z');
const TOKEN = `one-path-${randomUUID()}`;
const PREFIX = 'pqlpath:';
const SETTINGS: StreamSettings = {
	model: compileModel(PRESETS.workedExampleWithNegatives),
	accountFrom: 'groupOrEmailDomain',
	crossing: { fireOn: 'threshold', cooldownDays: 7, hysteresis: 10 },
	emit: 'crossing',
};

let bridge: UpstashBridge;
let redis: RedisClient;
const agent = new http.Agent({ keepAlive: true });

beforeAll(async () => {
	bridge = await startUpstashBridge({ redis: testRedis(), token: TOKEN });
	redis = testRedisClient();
});

afterAll(async () => {
	const keys = (await redis.command(['KEYS', `${PREFIX}*`])) as string[];
	if (keys.length > 0) await redis.command(['DEL', ...keys]);
	await redis.close();
	await bridge.close();
	agent.destroy();
});

async function send(path: string, body: unknown): Promise<unknown> {
	const answer = await axios.post(`${bridge.url}${path}`, body, { headers: { authorization: `Bearer ${TOKEN}` }, httpAgent: agent, validateStatus: () => true });
	if (answer.status !== 200 && answer.status !== 400) throw new Error(`bridge answered ${answer.status}`);
	return answer.data;
}

async function storedDocs(namespace: string, kind: 'acct' | 'user'): Promise<Map<string, AccountDoc | UserDoc>> {
	const keys = (await redis.command(['KEYS', `${PREFIX}{${namespace}}:${kind}:*`])) as string[];
	const docs = new Map<string, AccountDoc | UserDoc>();
	for (const key of keys) {
		const doc = JSON.parse((await redis.command(['HGET', key, 'd'])) as string) as AccountDoc | UserDoc;
		docs.set(doc.id, doc);
	}
	return docs;
}

function comparable(results: ScoreResult[]) {
	return [...results].sort((a, b) => (a.id < b.id ? -1 : 1)).map((r) => ({ id: r.id, score: r.score, tier: r.tier, isPql: r.isPql, reasons: r.reasons, users: r.users }));
}

test.each([1, 2, 3, 4])('seeded stream %i: shared store state scores as the batch, at three instants', async (seed) => {
	const events: PqlEvent[] = randomStream(seed, NOW, 250);
	const random = seededRandom(seed * 31);
	const namespace = `path-${randomUUID().slice(0, 8)}`;
	const store = new RestStateStore({ send, sleep: async () => undefined, keyPrefix: PREFIX, namespace });
	const arrival = shuffled(events, random);
	for (let at = 0; at < arrival.length; ) {
		const request = arrival.slice(at, at + 1 + Math.floor(random() * 5));
		await store.transact((tx) => ingestEvents(tx, SETTINGS, request, NOW));
		at += request.length;
	}
	const accounts = (await storedDocs(namespace, 'acct')) as Map<string, AccountDoc>;
	const users = (await storedDocs(namespace, 'user')) as Map<string, UserDoc>;
	const view: DocView = { account: (id) => accounts.get(id), user: (id) => users.get(id), putAccount: () => undefined, putUser: () => undefined, canAddAccount: () => false };
	for (const asOf of [NOW, NOW + 6.5 * DAY_MS, NOW + 45 * DAY_MS]) {
		const aggregator = new EventAggregator(SETTINGS.model, { asOf, level: 'account', now: NOW });
		for (const event of events) aggregator.add(event);
		const stored = [...accounts.values()]
			.map((doc) => accountSubject(SETTINGS.model, view, doc))
			.filter((subject) => subject.activity.lastSeen !== undefined)
			.map((subject) => scoreOf(SETTINGS.model, subject, asOf));
		expect(comparable(stored)).toEqual(comparable(aggregator.finish()));
	}
	await store.close();
}, 60_000);
