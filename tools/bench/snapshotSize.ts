/**
 * npm run bench:snapshot — the built-in store's snapshot, offline: bytes per account, save and restore
 * time, for two shapes of the same preset rules (BENCH_SNAPSHOT_ACCOUNTS accounts, default 20,000):
 *
 * - the scale series' accounts (bench:trigger:scale): ids like `acct-0042`, 2 users, 2 PostHog events,
 *   users' events an hour apart;
 * - ids as many products have them: account, users and event ids random UUIDs, 3 users with 2 Segment
 *   events each at random times of the last 30 days, company e-mails.
 *
 * n8n reads the whole snapshot on every webhook request, so its bytes are the built-in store's cost
 * (README, "Capacity of the built-in store"). Prints figures; a benchmark reports, it does not fail.
 */
import { randomUUID } from 'crypto';
import { tryNormalizeEvent, type PqlEvent } from '../../nodes/engine/events';
import { MemoryStateStore } from '../../nodes/engine/state/memoryStore';
import { ingestEvents } from '../../nodes/engine/stream';
import { readTriggerSettings } from '../../nodes/PqlThresholdTrigger/settings';
import { postHogDestinationBody, seededRandom } from '../../test/helpers/postHogLoad';

const ACCOUNTS = Number(process.env.BENCH_SNAPSHOT_ACCOUNTS ?? 20_000);
const DAY = 24 * 3600_000;
const EVENT_NAMES = ['user_logged_in', 'core_feature_used', '$pageview', 'api_call', 'dashboard_created'];
const PARAMETERS: Record<string, unknown> = { fireOn: 'threshold', cooldownDays: 7, hysteresis: 10, rulesSource: 'preset' };
const SETTINGS = readTriggerSettings((name, fallback) => (name in PARAMETERS ? PARAMETERS[name] : fallback), JSON.stringify(PARAMETERS));

function normalized(body: object): PqlEvent {
	const event = tryNormalizeEvent(body, 'auto', {});
	if (typeof event === 'string') throw new Error(`bench event not recognised: ${event}`);
	return event;
}

function scaleSeriesEvents(index: number, now: number): PqlEvent[] {
	return [0, 1].map((user) =>
		normalized(postHogDestinationBody({ uuid: `run-${index}-${user}-${randomUUID().slice(0, 8)}`, name: EVENT_NAMES[index % EVENT_NAMES.length], accountIndex: index, user, timestamp: now - ((index * 7919 + user * 3600_000) % (3 * DAY)) })),
	);
}

function uuidEvents(random: () => number, now: number): PqlEvent[] {
	const accountId = randomUUID();
	const domain = `${randomUUID().slice(0, 8)}.com`;
	const events: PqlEvent[] = [];
	for (let user = 0; user < 3; user++) {
		const userId = randomUUID();
		const email = `${randomUUID().slice(0, 6)}@${domain}`;
		for (let n = 0; n < 2; n++) {
			const timestamp = new Date(now - Math.floor(random() * 30 * DAY)).toISOString();
			const name = EVENT_NAMES[Math.floor(random() * EVENT_NAMES.length)];
			events.push(normalized({ type: 'track', event: name, messageId: randomUUID(), userId, timestamp, context: { groupId: accountId, traits: { email } }, properties: {} }));
		}
	}
	return events;
}

function measure(label: string, eventsOf: (index: number, now: number) => PqlEvent[]): void {
	const now = Date.now();
	const store = new MemoryStateStore({ maxAccounts: ACCOUNTS + 1, now: () => now });
	for (let index = 0; index < ACCOUNTS; index++) {
		const events = eventsOf(index, now);
		store.transactNow((tx) => ingestEvents(tx, SETTINGS, events, now));
	}
	let text = '';
	let saveMs = Infinity;
	let restoreMs = Infinity;
	for (let run = 0; run < 3; run++) {
		let started = performance.now();
		text = store.snapshot();
		saveMs = Math.min(saveMs, performance.now() - started);
		started = performance.now();
		if (!new MemoryStateStore({ maxAccounts: ACCOUNTS + 1 }).restore(text)) throw new Error('snapshot not read back');
		restoreMs = Math.min(restoreMs, performance.now() - started);
	}
	const perAccount = text.length / ACCOUNTS;
	console.log(`| ${label} | ${ACCOUNTS.toLocaleString('en')} | ${(text.length / 1e6).toFixed(2)} MB | ${perAccount.toFixed(1)} | ${saveMs.toFixed(0)} ms | ${restoreMs.toFixed(0)} ms |`);
}

console.log('Built-in store snapshot, offline (best of 3 saves and restores)');
console.log('| accounts | count | snapshot | B/account | save (work, in one go) | restore |');
console.log('|---|---:|---:|---:|---:|---:|');
measure('scale series (`acct-0042`, 2 users, 2 events)', scaleSeriesEvents);
const random = seededRandom(42);
measure('UUID ids, 3 users, 6 events over 30 days', (_, now) => uuidEvents(random, now));
