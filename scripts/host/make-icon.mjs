// Renders media/icon.png (128x128) from the SVG below with the same Chromium the tests use.
// Run once when the icon changes: node scripts/host/make-icon.mjs
import path from 'node:path';
import { ROOT, launchChromium, createRun } from './lib.mjs';

const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">
  <rect x="4" y="4" width="120" height="120" rx="24" fill="#1f4e79"/>
  <path d="M34 24h44l18 18v62a6 6 0 0 1-6 6H34a6 6 0 0 1-6-6V30a6 6 0 0 1 6-6z" fill="#f5f7fa"/>
  <path d="M78 24v14a4 4 0 0 0 4 4h14z" fill="#c9d6e3"/>
  <rect x="38" y="50" width="40" height="6" rx="3" fill="#1f4e79"/>
  <rect x="38" y="62" width="48" height="6" rx="3" fill="#7a93ad"/>
  <rect x="38" y="74" width="30" height="6" rx="3" fill="#7a93ad"/>
  <circle cx="84" cy="86" r="17" fill="none" stroke="#f0a202" stroke-width="7"/>
  <path d="M96 98l14 14" stroke="#f0a202" stroke-width="9" stroke-linecap="round"/>
</svg>`;

const run = createRun('icon');
const browser = await launchChromium(path.join(run.dir, 'chromium'));
try {
  const page = await browser.newPage({ viewport: { width: 128, height: 128 } });
  await page.setContent(`<html><body style="margin:0;background:transparent">${SVG}</body></html>`);
  await page.screenshot({ path: path.join(ROOT, 'media/icon.png'), omitBackground: true });
  console.log('media/icon.png written');
} finally {
  await browser.close();
  run.cleanup();
}
