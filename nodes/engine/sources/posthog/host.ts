/** Where a project's API lives: PostHog's US or EU cloud, or a self-hosted instance. */
export const POSTHOG_US_CLOUD = 'https://us.posthog.com';
export const POSTHOG_EU_CLOUD = 'https://eu.posthog.com';
export const SELF_HOSTED = 'selfHosted';

export class PostHogHostError extends Error {}

/** `{base}/api/projects/{projectId}/`; errors name the credential field to fix. */
export function projectApiUrl(region: string, selfHostedUrl: string | undefined, projectId: string): string {
	const id = projectId.trim();
	if (!/^\d+$/.test(id)) {
		throw new PostHogHostError(`Project ID must be the number shown in PostHog's project settings, not ${JSON.stringify(projectId)}`);
	}
	return `${baseUrl(region, selfHostedUrl)}/api/projects/${id}/`;
}

export function baseUrl(region: string, selfHostedUrl: string | undefined): string {
	if (region === POSTHOG_US_CLOUD || region === POSTHOG_EU_CLOUD) return region;
	if (region !== SELF_HOSTED) throw new PostHogHostError(`Region ${JSON.stringify(region)} is not US Cloud, EU Cloud or Self-Hosted`);
	const url = (selfHostedUrl ?? '').trim().replace(/\/+$/, '');
	if (!/^https?:\/\/[^\s/]+/.test(url)) {
		throw new PostHogHostError(`Host must be the URL of your PostHog instance, e.g. https://posthog.example.com, not ${JSON.stringify(selfHostedUrl ?? '')}`);
	}
	return url;
}
