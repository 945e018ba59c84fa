/**
 * The browser test's setup (`nx run demo-web:ensure-chromium`, run before its tests): Debian's
 * Chromium at /usr/bin/chromium, installed with apt-get when it is missing. playwright-core drives it
 * and never downloads a browser of its own. Installing needs root (CI runs as root); anyone else is
 * told the command to run. Prints how long the install took.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';

function run(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

function main(): number {
  if (existsSync(CHROMIUM)) {
    const version = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).stdout.trim();
    console.log(`Chromium is installed: ${version || CHROMIUM}`);
    return 0;
  }
  if (process.getuid?.() !== 0) {
    console.error(
      `The browser test needs Debian's Chromium at ${CHROMIUM}, and installing it needs root.\n` +
        'Install it once with: sudo apt-get update && sudo apt-get install -y chromium',
    );
    return 1;
  }
  console.log(`Chromium is missing: installing Debian's chromium with apt-get (this takes a few minutes)...`);
  const started = Date.now();
  if (!run('apt-get', ['update', '-qq']) || !run('apt-get', ['install', '-y', '-qq', 'chromium'])) {
    console.error('apt-get could not install chromium; the browser test cannot run without it.');
    return 1;
  }
  if (!existsSync(CHROMIUM)) {
    console.error(`apt-get installed chromium, but ${CHROMIUM} is not there.`);
    return 1;
  }
  console.log(`Chromium installed in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
  return 0;
}

process.exitCode = main();
