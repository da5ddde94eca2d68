/**
 * Accounts by due time, earliest first: a binary heap with lazy deletion (a stale entry is skipped
 * when its account's due time has changed), so finding what is due costs O(due · log n), not O(n).
 */
export class DueIndex {
	private readonly heap: Array<[at: number, id: string]> = [];
	private readonly dueAt = new Map<string, number>();

	get size(): number {
		return this.dueAt.size;
	}

	set(id: string, at: number | undefined): void {
		if (at === undefined) {
			this.dueAt.delete(id);
			return;
		}
		if (this.dueAt.get(id) === at) return;
		this.dueAt.set(id, at);
		this.push([at, id]);
		if (this.heap.length > 4 * this.dueAt.size + 1024) this.rebuild();
	}

	get(id: string): number | undefined {
		return this.dueAt.get(id);
	}

	/** Accounts due at or before `now`, earliest first (they stay listed until set again). */
	due(now: number, limit: number): string[] {
		const found: string[] = [];
		const seen = new Set<string>();
		const putBack: Array<[number, string]> = [];
		while (found.length < limit && this.heap.length > 0 && this.heap[0][0] <= now) {
			const entry = this.pop();
			// Stale (the due time changed since) or a second entry for the same time: skip, keep one.
			if (this.dueAt.get(entry[1]) !== entry[0] || seen.has(entry[1])) continue;
			seen.add(entry[1]);
			found.push(entry[1]);
			putBack.push(entry);
		}
		for (const entry of putBack) this.push(entry);
		return found;
	}

	private rebuild(): void {
		this.heap.length = 0;
		for (const [id, at] of this.dueAt) this.push([at, id]);
	}

	private push(entry: [number, string]): void {
		const heap = this.heap;
		heap.push(entry);
		let i = heap.length - 1;
		while (i > 0) {
			const parent = (i - 1) >> 1;
			if (heap[parent][0] <= heap[i][0]) break;
			[heap[parent], heap[i]] = [heap[i], heap[parent]];
			i = parent;
		}
	}

	private pop(): [number, string] {
		const heap = this.heap;
		const top = heap[0];
		const last = heap.pop()!;
		if (heap.length > 0) {
			heap[0] = last;
			let i = 0;
			for (;;) {
				const left = 2 * i + 1;
				const right = left + 1;
				let smallest = i;
				if (left < heap.length && heap[left][0] < heap[smallest][0]) smallest = left;
				if (right < heap.length && heap[right][0] < heap[smallest][0]) smallest = right;
				if (smallest === i) break;
				[heap[smallest], heap[i]] = [heap[i], heap[smallest]];
				i = smallest;
			}
		}
		return top;
	}
}
