import { MemoryStateStore } from '../../nodes/engine/state/memoryStore';
import type { TriggerRuntime } from '../../nodes/engine/state/triggerRuntime';
import { SAVE_TIME_SHARE, saveSnapshot, snapshotDue, STATE_KEY, type StoreContext } from '../../nodes/PqlThresholdTrigger/stores';

describe('when the built-in store is saved', () => {
	function runtimeWithChanges(): TriggerRuntime {
		const memory = new MemoryStateStore({ now: () => 0 });
		memory.transactNow((tx) => tx.isNewEvent('e-1'));
		return { memory, store: memory, storeKey: 'builtIn', lastSavedAt: 1_000_000, inFlight: new Set(), delivered: new Set() } as TriggerRuntime;
	}

	it('saves a crossing at once, otherwise every Save State Every, and never without changes', () => {
		const runtime = runtimeWithChanges();
		expect(runtime.memory!.changes).toBeGreaterThan(0);
		expect(snapshotDue(runtime, true, 1_000_001, 5000)).toBe(true);
		expect(snapshotDue(runtime, false, 1_004_999, 5000)).toBe(false);
		expect(snapshotDue(runtime, false, 1_005_000, 5000)).toBe(true);
		expect(snapshotDue(runtime, false, 1_000_001, 0)).toBe(true);
		const staticData: Record<string, unknown> = {};
		saveSnapshot({ getWorkflowStaticData: () => staticData } as unknown as StoreContext, runtime, 2_000_000);
		expect(typeof staticData[STATE_KEY]).toBe('string');
		expect(runtime.memory!.changes).toBe(0);
		expect(snapshotDue(runtime, true, 9_000_000, 5000)).toBe(false);
	});

	it('spaces periodic saves by the time a save takes (a large state), but not crossings or Save State Every 0', () => {
		const runtime = runtimeWithChanges();
		runtime.lastSaveMs = 2000; // a slow save, of tens of thousands of accounts
		const spacing = 2000 / SAVE_TIME_SHARE;
		expect(spacing).toBe(40_000);
		expect(snapshotDue(runtime, false, 1_000_000 + 5000, 5000)).toBe(false);
		expect(snapshotDue(runtime, false, 1_000_000 + spacing - 1, 5000)).toBe(false);
		expect(snapshotDue(runtime, false, 1_000_000 + spacing, 5000)).toBe(true);
		expect(snapshotDue(runtime, true, 1_000_001, 5000)).toBe(true);
		expect(snapshotDue(runtime, false, 1_000_001, 0)).toBe(true);
	});
});
