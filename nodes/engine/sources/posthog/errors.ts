/** What can go wrong in a pull, for the node to turn into n8n errors. */

/** A setting the user can fix; `parameter` is its name in the node's UI. */
export class PullSettingError extends Error {
	constructor(
		readonly parameter: string,
		message: string,
	) {
		super(message);
	}
}

/** PostHog refused or failed; `status` is its HTTP status (0 when it answered with no usable result). */
export class PostHogQueryError extends Error {
	constructor(
		message: string,
		readonly status: number,
		readonly description: string,
	) {
		super(message);
	}
}
