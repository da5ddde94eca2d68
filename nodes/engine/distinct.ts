/** A 30-bit FNV-1a hash of the text (a small integer, kept unboxed in arrays). */
export function textHash(text: string): number {
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
	return hash & 0x3fffffff;
}

const SMALL_LIMIT = 32;

/**
 * The event ids of one account's events, reused from one account to the next. Ids are compared by
 * their hash (textHash) first: a batch reads its events grouped by account, out of input order,
 * and reading each id's characters again would cost a cache miss per event.
 */
export class DistinctIds {
	private hashes: number[] = [];
	private ids: string[] = [];
	private large: Map<number, string[]> | undefined;

	/** Adds the id with its textHash; false when it was there already. */
	add(id: string, hash: number): boolean {
		if (this.large === undefined) {
			const hashes = this.hashes;
			for (let i = 0; i < hashes.length; i++) if (hashes[i] === hash && this.ids[i] === id) return false;
			if (hashes.length < SMALL_LIMIT) {
				hashes.push(hash);
				this.ids.push(id);
				return true;
			}
			this.large = new Map();
			for (let i = 0; i < hashes.length; i++) this.addLarge(this.ids[i], hashes[i]);
		}
		return this.addLarge(id, hash);
	}

	private addLarge(id: string, hash: number): boolean {
		const known = this.large!.get(hash);
		if (known === undefined) this.large!.set(hash, [id]);
		else if (known.includes(id)) return false;
		else known.push(id);
		return true;
	}

	/** Empties the set for reuse, keeping its arrays. */
	reset(): void {
		this.hashes.length = 0;
		this.ids.length = 0;
		this.large = undefined;
	}
}
