import type { PqlEvent } from '../../nodes/engine/events/model';
import { compileModel } from '../../nodes/engine/rules/compile';
import { MemoryStateStore, readSnapshot } from '../../nodes/engine/state/memoryStore';
import { ingestEvents, type StreamSettings } from '../../nodes/engine/stream';
import { emptyRuntime, type TriggerRuntime } from '../../nodes/engine/state/triggerRuntime';
import { buildSnapshotInSteps, JOURNAL_KEY, SAVE_TIME_SHARE, saveDue, saveJournal, saveSnapshot, STATE_KEY, type StoreContext } from '../../nodes/PqlThresholdTrigger/stores';
import { capacityWarning, LARGE_SNAPSHOT_CHARS } from '../../nodes/PqlThresholdTrigger/timer';

describe('when the built-in store is saved', () => {
	function runtimeWithChanges(): TriggerRuntime {
		const memory = new MemoryStateStore({ now: () => 0 });
		memory.transactNow((tx) => tx.isNewEvent('e-1'));
		return { ...emptyRuntime('builtIn'), memory, store: memory, lastSavedAt: 1_000_000, lastJournalAt: 1_000_000 };
	}

	it('saves a crossing at once (a journal), otherwise every Save State Every, and never without changes', () => {
		const runtime = runtimeWithChanges();
		expect(runtime.memory!.changes).toBeGreaterThan(0);
		expect(saveDue(runtime, true, 1_000_001, 5000)).toEqual({ journal: true, snapshot: false });
		expect(saveDue(runtime, false, 1_004_999, 5000)).toEqual({ journal: false, snapshot: false });
		expect(saveDue(runtime, false, 1_005_000, 5000)).toEqual({ journal: true, snapshot: true });
		expect(saveDue(runtime, false, 1_000_001, 0)).toEqual({ journal: true, snapshot: true });
		const staticData: Record<string, unknown> = {};
		saveSnapshot({ getWorkflowStaticData: () => staticData } as unknown as StoreContext, runtime, 2_000_000);
		expect(typeof staticData[STATE_KEY]).toBe('string');
		expect(staticData[JOURNAL_KEY]).toBe('');
		expect(runtime.memory!.changes).toBe(0);
		expect(saveDue(runtime, true, 9_000_000, 5000)).toEqual({ journal: false, snapshot: false });
	});

	it('spaces full snapshots by the time one takes (a large state) and saves journals in between; crossings save a journal', () => {
		const runtime = runtimeWithChanges();
		runtime.lastSaveMs = 2000; // a slow save, of tens of thousands of accounts
		const spacing = 2000 / SAVE_TIME_SHARE;
		expect(spacing).toBe(40_000);
		expect(saveDue(runtime, false, 1_000_000 + 4999, 5000)).toEqual({ journal: false, snapshot: false });
		expect(saveDue(runtime, false, 1_000_000 + 5000, 5000)).toEqual({ journal: true, snapshot: false });
		expect(saveDue(runtime, false, 1_000_000 + spacing - 1, 5000)).toEqual({ journal: true, snapshot: false });
		expect(saveDue(runtime, false, 1_000_000 + spacing, 5000)).toEqual({ journal: true, snapshot: true });
		expect(saveDue(runtime, true, 1_000_001, 5000)).toEqual({ journal: true, snapshot: false });
		expect(saveDue(runtime, false, 1_000_001, 0)).toEqual({ journal: true, snapshot: false });
		runtime.snapshotting = true; // one is being built: never two at once
		expect(saveDue(runtime, false, 1_000_000 + spacing, 5000)).toEqual({ journal: true, snapshot: false });
	});

	describe('in steps, while other requests are answered', () => {
		const NOW = Date.parse('2026-06-01T00:00:00.000Z');
		const model = compileModel({ rules: [{ name: 'Logins', category: 'usage', type: 'eventCount', event: 'login', windowDays: 7, atLeast: 1, points: 1 }] });
		const settings: StreamSettings = { model, accountFrom: 'group', crossing: { fireOn: 'threshold', cooldownDays: 7, hysteresis: 10, tiers: model.tiers }, emit: 'crossing' };
		const login = (account: number, at = NOW - 60_000): PqlEvent => ({
			id: `e-${account}-${at}`,
			source: 'generic',
			kind: 'track',
			name: 'login',
			userId: `u-${account}`,
			accountId: `acct-${account}`,
			email: undefined,
			timestamp: at,
			properties: {},
			userTraits: undefined,
			accountTraits: undefined,
		});
		function runtimeOf(accounts: number): TriggerRuntime {
			const memory = new MemoryStateStore({ now: () => NOW, maxAccounts: 100_000 });
			for (let account = 0; account < accounts; account++) memory.transactNow((tx) => ingestEvents(tx, settings, [login(account)], NOW));
			return { ...emptyRuntime('builtIn'), memory, store: memory };
		}
		const contextOf = (staticData: Record<string, unknown>) => ({ getWorkflowStaticData: () => staticData }) as unknown as StoreContext;
		const savedAccounts = (staticData: Record<string, unknown>) => readSnapshot(staticData[STATE_KEY] as string)!.accounts.map((doc) => doc.id);

		it('lets commits run between its steps, holds the state at its start, and reaches static data with the next journal, which keeps the later commits', async () => {
			const runtime = runtimeOf(5000);
			const staticData: Record<string, unknown> = {};
			let committedDuringSave = false;
			const saving = buildSnapshotInSteps(runtime, NOW);
			setTimeout(() => {
				runtime.memory!.transactNow((tx) => ingestEvents(tx, settings, [login(5000)], NOW));
				committedDuringSave = true;
			}, 0);
			await saving;
			expect(committedDuringSave).toBe(true);
			expect(staticData[STATE_KEY]).toBeUndefined(); // built in the background: the request that began it has been answered
			expect(runtime.memory!.changes).toBe(1);
			expect(saveDue(runtime, false, NOW + 1, 5000)).toEqual({ journal: true, snapshot: false }); // begun at NOW: the next full one waits
			saveJournal(contextOf(staticData), runtime, NOW + 1);
			expect(savedAccounts(staticData)).toHaveLength(5000);
			// The commit made meanwhile is in the journal written with it.
			expect(readSnapshot(staticData[JOURNAL_KEY] as string)!.accounts.map((doc) => doc.id)).toEqual(['acct-5000']);
			expect(runtime.memory!.changes).toBe(0);
			runtime.memory!.transactNow((tx) => ingestEvents(tx, settings, [login(5001)], NOW));

			saveSnapshot(contextOf(staticData), runtime, NOW + 5000);
			expect(savedAccounts(staticData)).toHaveLength(5002);
			expect(staticData[JOURNAL_KEY]).toBe('');
			expect(runtime.memory!.changes).toBe(0);
		});

		it('never writes over a snapshot begun after it (a crossing saved meanwhile)', async () => {
			const runtime = runtimeOf(5000);
			const staticData: Record<string, unknown> = {};
			const saving = buildSnapshotInSteps(runtime, NOW);
			setTimeout(() => {
				runtime.memory!.transactNow((tx) => ingestEvents(tx, settings, [login(5000)], NOW));
				saveSnapshot(contextOf(staticData), runtime, NOW);
			}, 0);
			await saving;
			saveJournal(contextOf(staticData), runtime, NOW);
			expect(savedAccounts(staticData)).toHaveLength(5001);
			expect(runtime.savesWritten).toBe(2);
		});

		it('builds the same snapshot as a save in one go', async () => {
			const runtime = runtimeOf(4500);
			const stepped: Record<string, unknown> = {};
			await buildSnapshotInSteps(runtime, NOW);
			saveJournal(contextOf(stepped), runtime, NOW);
			const whole: Record<string, unknown> = {};
			saveSnapshot(contextOf(whole), runtime, NOW);
			expect(stepped[STATE_KEY]).toBe(whole[STATE_KEY]);
		});
	});

	it('warns in every answer once the saved state is large, whatever the account count, and near Max Accounts', () => {
		const runtime = runtimeWithChanges();
		const staticData: Record<string, unknown> = {};
		saveSnapshot({ getWorkflowStaticData: () => staticData } as unknown as StoreContext, runtime, 2_000_000);
		expect(runtime.snapshotLength).toBe((staticData[STATE_KEY] as string).length);
		expect(capacityWarning(runtime)).toBeUndefined();
		runtime.snapshotLength = LARGE_SNAPSHOT_CHARS + 400_000;
		expect(capacityWarning(runtime)).toMatch(/^The built-in store's saved state is 1\.4 MB \(0 accounts\): .* Switch the trigger's State Store to Redis Over REST\.$/);
		const full = new MemoryStateStore({ now: () => 0, maxAccounts: 1 });
		full.transactNow((tx) => tx.putAccount({ id: 'acme', modelVersion: 'v', named: { eventCounts: {}, measures: {} }, members: [], floatingUsers: [], touchedAt: 0 }));
		expect(capacityWarning({ ...runtime, memory: full, store: full })).toMatch(/^The built-in store holds 1 of at most 1 accounts/);
	});
});
