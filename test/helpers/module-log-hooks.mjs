/**
 * Test-only module hooks (`node --import <this file> dist/cli.js ...`): every ES module a thread
 * loads is appended to the file named by GAPCTL_TEST_MODULE_LOG as one line `<thread> <url>`, where
 * <thread> is `main` (the command's own thread) or `worker` (the engine worker, which runs this file
 * too: worker threads inherit --import). CommonJS files required inside a package are not listed,
 * only each package's entry. Used by test/cli/startup-imports.test.ts.
 */
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const HOOKS = `
import { appendFileSync } from 'node:fs';
let thread = '?';
export async function initialize(data) {
  thread = data.thread;
}
export async function load(url, context, next) {
  appendFileSync(process.env.GAPCTL_TEST_MODULE_LOG, thread + ' ' + url + '\\n');
  return next(url, context);
}
`;

register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, {
  data: { thread: isMainThread ? 'main' : 'worker' },
});
