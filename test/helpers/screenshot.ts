/**
 * Pictures of a running n8n's editor in headless Chromium (Debian's `chromium`, driven by npm
 * `playwright-core`; no browser download): a workflow's canvas, and one execution's output in the
 * node view. Logs in through n8n's REST login (the cookie goes to the browser), and closes what
 * n8n shows a new user before taking a picture.
 *
 * Needs `apt-get install -y chromium` (or CHROMIUM_PATH).
 */
import * as fs from 'fs';
import * as path from 'path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface ScreenshotOptions {
	width?: number;
	height?: number;
}

export interface N8nBrowser {
	readonly page: Page;
	/** The workflow's canvas, fitted to the view, as a PNG at `file`; returns what looked wrong on it. */
	shootCanvas(workflowId: string, file: string): Promise<string[]>;
	/**
	 * Runs the workflow from the editor ("Execute workflow"), opens `nodeName` with its output
	 * widened and shown as JSON, and shoots that; returns what looked wrong and the output's text.
	 */
	shootExecutionOutput(workflowId: string, nodeName: string, file: string): Promise<{ problems: string[]; outputText: string }>;
	close(): Promise<void>;
}

export function chromiumInstalled(): boolean {
	return fs.existsSync(CHROMIUM_PATH);
}

/** Closes whatever n8n shows over the canvas on a first visit (modals, callouts, toasts). */
async function dismissOverlays(page: Page): Promise<void> {
	await page.keyboard.press('Escape');
	for (const selector of ['.el-dialog__headerbtn', '.el-message-box__headerbtn', '.el-notification__closeBtn', '[data-test-id="close-button"]']) {
		for (const close of await page.locator(selector).all()) {
			if (await close.isVisible()) await close.click({ timeout: 2000 }).catch(() => undefined);
		}
	}
}

async function openWorkflow(page: Page, baseUrl: string, workflowId: string): Promise<void> {
	await page.goto(`${baseUrl}/workflow/${workflowId}`, { waitUntil: 'networkidle' });
	await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 30_000 });
	await dismissOverlays(page);
	await page.locator('[data-test-id="zoom-to-fit"]').click();
	await page.waitForTimeout(600);
}

/** What a picture must not show: nodes with issues or errors, open dialogs, error toasts. */
async function problemsOnScreen(page: Page): Promise<string[]> {
	const problems: string[] = [];
	const visible = async (selector: string) => (await Promise.all((await page.locator(selector).all()).map((element) => element.isVisible()))).filter(Boolean).length;
	for (const [selector, what] of [
		['[data-test-id="canvas-node-status-issues"]', 'node with issues'],
		['[data-test-id="canvas-node-status-error"]', 'node with an error'],
		['.el-notification.error, .el-notification--error', 'error notification'],
		['.el-overlay-dialog .el-dialog', 'open dialog'],
	] as const) {
		const count = await visible(selector);
		if (count > 0) problems.push(`${count} ${what}`);
	}
	return problems;
}

/** Widens the node view's output (drags the parameters panel left) and shows it as JSON. */
async function widenOutput(page: Page): Promise<void> {
	const handle = await page.locator('[data-test-id="panel-drag-button"]').first().boundingBox();
	if (handle) {
		const y = handle.y + handle.height / 2;
		await page.mouse.move(handle.x + handle.width / 2, y);
		await page.mouse.down();
		await page.mouse.move(260, y, { steps: 10 });
		await page.mouse.up();
	}
	await page.locator('[data-test-id="output-panel"] [data-test-id="radio-button-json"]').first().click();
	await page.waitForTimeout(800);
}

export async function openN8nBrowser(baseUrl: string, login: { email: string; password: string }, options: ScreenshotOptions = {}): Promise<N8nBrowser> {
	const browser: Browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS, headless: true });
	const context: BrowserContext = await browser.newContext({ viewport: { width: options.width ?? 1440, height: options.height ?? 810 }, deviceScaleFactor: 1, colorScheme: 'light', locale: 'en-US' });
	const answer = await context.request.post(`${baseUrl}/rest/login`, { data: { emailOrLdapLoginId: login.email, password: login.password } });
	if (!answer.ok()) {
		await browser.close();
		throw new Error(`n8n login for screenshots failed: ${answer.status()} ${await answer.text()}`);
	}
	const page = await context.newPage();
	const save = async (file: string) => {
		fs.mkdirSync(path.dirname(file), { recursive: true });
		await page.screenshot({ path: file, animations: 'disabled' });
	};
	return {
		page,
		async shootCanvas(workflowId, file) {
			await openWorkflow(page, baseUrl, workflowId);
			const problems = await problemsOnScreen(page);
			await save(file);
			return problems;
		},
		async shootExecutionOutput(workflowId, nodeName, file) {
			await openWorkflow(page, baseUrl, workflowId);
			const node = page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`).first();
			await page.locator('[data-test-id="execute-workflow-button"]').first().click();
			await node.locator('[data-test-id="canvas-node-status-success"]').waitFor({ timeout: 60_000 });
			await dismissOverlays(page);
			await node.dblclick();
			await page.locator('[data-test-id="output-panel"]').first().waitFor({ timeout: 30_000 });
			await widenOutput(page);
			const problems = await problemsOnScreen(page);
			const outputText = await page.locator('[data-test-id="output-panel"]').first().innerText();
			await save(file);
			await page.keyboard.press('Escape');
			return { problems, outputText };
		},
		close: () => browser.close(),
	};
}
