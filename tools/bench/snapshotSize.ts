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
 * (README, "Capacity of the built-in store"). Then the journal between full snapshots: single-event
 * requests for existing accounts at 100 a second (a simulated clock), a journal saved every 500 (Save
 * State Every 5 s) and, for a stretch, after every request (each a crossing's save).
 * Prints figures; a benchmark reports, it does not fail.
 */
import { randomUUID } from 'crypto';
import { tryNormalizeEvent, type PqlEvent } from '../../nodes/engine/events';
import { MemoryStateStore } from '../../nodes/engine/state/memoryStore';
import { ingestEvents } from '../../nodes/engine/stream';
import { emptyRuntime } from '../../nodes/engine/state/triggerRuntime';
import { readTriggerSettings } from '../../nodes/PqlThresholdTrigger/settings';
import { JOURNAL_KEY, saveJournal, saveSnapshot, type StoreContext } from '../../nodes/PqlThresholdTrigger/stores';
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

function filledStore(eventsOf: (index: number, now: number) => PqlEvent[], now: number, clock: () => number = () => now): MemoryStateStore {
	const store = new MemoryStateStore({ maxAccounts: ACCOUNTS + 1, now: clock });
	for (let index = 0; index < ACCOUNTS; index++) {
		const events = eventsOf(index, now);
		store.transactNow((tx) => ingestEvents(tx, SETTINGS, events, now));
	}
	return store;
}

function measure(label: string, eventsOf: (index: number, now: number) => PqlEvent[]): void {
	const now = Date.now();
	const store = filledStore(eventsOf, now);
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

const JOURNAL_REQUESTS = 8_000;
const REQUESTS_PER_SAVE = 500;
const CROSSING_SAVES = 200;

/** Journal saves as the trigger makes them (stores.ts), over a full snapshot of the scale series' state. */
function measureJournal(): void {
	const start = Date.now();
	let clock = start;
	const store = filledStore(scaleSeriesEvents, start, () => clock);
	const runtime = { ...emptyRuntime('builtIn'), memory: store, store };
	const staticData: Record<string, unknown> = {};
	const context = { getWorkflowStaticData: () => staticData } as unknown as StoreContext;
	saveSnapshot(context, runtime, clock);
	const request = (n: number) => {
		clock = start + 10 * (n + 1);
		const event = scaleSeriesEvents((n * 104729 + 17) % ACCOUNTS, clock - 60_000)[n % 2];
		store.transactNow((tx) => ingestEvents(tx, SETTINGS, [{ ...event, id: `journal-${n}` }], clock));
	};
	const timedSave = () => {
		const started = performance.now();
		saveJournal(context, runtime, clock);
		return performance.now() - started;
	};
	const periodic: number[] = [];
	for (let n = 0; n < JOURNAL_REQUESTS; n++) {
		request(n);
		if ((n + 1) % REQUESTS_PER_SAVE === 0) periodic.push(timedSave());
	}
	const journalChars = String(staticData[JOURNAL_KEY]).length;
	const segments = runtime.journal?.length ?? 0;
	const crossing: number[] = [];
	for (let n = JOURNAL_REQUESTS; n < JOURNAL_REQUESTS + CROSSING_SAVES; n++) {
		request(n);
		crossing.push(timedSave());
	}
	const ms = (values: number[]) => `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)} ms (first ${values[0].toFixed(0)}, last ${values[values.length - 1].toFixed(0)})`;
	console.log(`\nJournal over a full snapshot of ${ACCOUNTS.toLocaleString('en')} accounts (scale series), single-event requests at 100/s (simulated clock):`);
	console.log(`  a save every ${REQUESTS_PER_SAVE} requests, ${JOURNAL_REQUESTS.toLocaleString('en')} requests: ${ms(periodic)}; then ${(journalChars / 1e3).toFixed(0)} KB in ${segments} segment(s)`);
	const sorted = [...crossing].sort((a, b) => a - b);
	console.log(`  then a save after each of ${CROSSING_SAVES} requests (a crossing's): median ${sorted[sorted.length >> 1].toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms`);
}

measureJournal();
