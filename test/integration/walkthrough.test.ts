/**
 * The Getting Started walkthrough (contributes.walkthroughs) as the host loaded it: its steps, their media
 * files in the extension folder, the commands its buttons and completion events name, and its %nls% strings
 * in both languages. Finally it opens in the workbench.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID } from '../../src/vscode/constants';
import { sleep, waitFor } from './helpers';

interface Step {
  id: string;
  title: string;
  description: string;
  media: { image?: string | Record<string, string>; altText?: string; markdown?: string; svg?: string };
  completionEvents?: string[];
}
interface Walkthrough {
  id: string;
  title: string;
  description: string;
  steps: Step[];
}
interface Manifest {
  contributes: { commands: { command: string }[]; walkthroughs?: Walkthrough[] };
}

const WALKTHROUGH_ID = 'researchAssistant.gettingStarted';
// the kinds of completion event VS Code 1.100 knows (gettingStartedExtensionPoint.ts)
const EVENT_KINDS = ['onCommand', 'onLink', 'onView', 'onSettingChanged', 'onContext', 'extensionInstalled', 'onStepSelected'];

function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} not found`);
  return ext;
}

/** Every `command:id?args` link in a text, with its arguments decoded. */
function commandLinks(text: string): { id: string; args?: unknown }[] {
  return [...text.matchAll(/\]\(command:([\w.-]+)(?:\?([^)\s]+))?\)/g)].map((m) => {
    const id = m[1] as string;
    return m[2] === undefined ? { id } : { id, args: JSON.parse(decodeURIComponent(m[2])) as unknown };
  });
}

/** All media paths a step names (an image may be one path or one per theme). */
function mediaPaths(step: Step): string[] {
  const { image, markdown, svg } = step.media;
  const images = typeof image === 'string' ? [image] : image ? Object.values(image) : [];
  return [...images, ...(markdown ? [markdown] : []), ...(svg ? [svg] : [])];
}

suite('walkthrough (contributes.walkthroughs)', () => {
  // the host's packageJSON: %placeholders% already replaced in the UI language (English here)
  const walkthrough = (): Walkthrough => {
    const all = (extension().packageJSON as Manifest).contributes.walkthroughs ?? [];
    const found = all.find((w) => w.id === WALKTHROUGH_ID);
    assert.ok(found, `no walkthrough ${WALKTHROUGH_ID} in ${JSON.stringify(all.map((w) => w.id))}`);
    return found;
  };

  test('the walkthrough has 5–6 steps with unique ids, titles, descriptions and media; no %nls% key is left', () => {
    const w = walkthrough();
    assert.equal(w.title, 'Local Research Assistant');
    assert.ok(w.steps.length >= 5 && w.steps.length <= 6, `${w.steps.length} steps`);
    assert.equal(new Set(w.steps.map((s) => s.id)).size, w.steps.length, 'step ids repeat');
    for (const s of w.steps) {
      assert.ok(s.title.trim() && s.description.trim(), `${s.id}: empty title or description`);
      assert.ok(mediaPaths(s).length === 1, `${s.id}: needs exactly one image or markdown file`);
      if (s.media.image) assert.ok(s.media.altText?.trim(), `${s.id}: an image needs altText`);
    }
    const leftover = JSON.stringify(w).match(/"%[\w.-]+%"/g);
    assert.equal(leftover, null, `unresolved nls keys: ${leftover?.join(', ')}`);
  });

  test("every step's media file exists in the extension folder (in both languages) and is small", () => {
    const root = extension().extensionPath;
    const raw = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
    const rawSteps = raw.contributes.walkthroughs?.find((w) => w.id === WALKTHROUGH_ID)?.steps ?? [];
    assert.equal(rawSteps.length, walkthrough().steps.length);
    for (const locale of ['', '.zh-cn']) {
      const nls = JSON.parse(fs.readFileSync(path.join(root, `package.nls${locale}.json`), 'utf8')) as Record<string, string>;
      const resolve = (v: string): string => {
        const key = /^%(.+)%$/.exec(v)?.[1];
        if (key === undefined) return v;
        const value = nls[key];
        assert.ok(value, `${key} missing in package.nls${locale}.json`);
        return value;
      };
      for (const step of rawSteps) {
        for (const rel of mediaPaths(step).map(resolve)) {
          assert.match(rel, /^media\/walkthrough\//, `${step.id}: media outside media/walkthrough/ (not shipped as such)`);
          const file = path.join(root, rel);
          assert.ok(fs.existsSync(file), `${step.id} (package.nls${locale}.json): ${rel} does not exist`);
          const bytes = fs.statSync(file).size;
          assert.ok(bytes > 200 && bytes < 400 * 1024, `${rel}: ${bytes} bytes`);
        }
        // every string of the step resolves in this language
        for (const v of [step.title, step.description, step.media.altText].filter((x): x is string => x !== undefined)) resolve(v);
      }
    }
  });

  test('every command link and completion event names a contributed or built-in command', async () => {
    const contributed = new Set((extension().packageJSON as Manifest).contributes.commands.map((c) => c.command));
    const known = new Set(await vscode.commands.getCommands(false));
    const exists = (id: string): boolean => contributed.has(id) || known.has(id);
    const root = extension().extensionPath;
    let links = 0;
    let events = 0;
    for (const step of walkthrough().steps) {
      const markdown = step.media.markdown ? fs.readFileSync(path.join(root, step.media.markdown), 'utf8') : '';
      for (const link of [...commandLinks(step.description), ...commandLinks(markdown)]) {
        links += 1;
        assert.ok(exists(link.id), `${step.id}: link to unknown command ${link.id}`);
        if (link.args !== undefined) assert.ok(Array.isArray(link.args), `${step.id}: ${link.id} arguments must be a JSON array`);
      }
      for (const event of step.completionEvents ?? []) {
        events += 1;
        const [kind, arg] = [event.slice(0, event.indexOf(':')), event.slice(event.indexOf(':') + 1)];
        assert.ok(EVENT_KINDS.includes(kind), `${step.id}: unknown completion event ${event}`);
        if (kind === 'onCommand') assert.ok(exists(arg), `${step.id}: completion event names unknown command ${arg}`);
      }
      // a step with buttons should be checked off by doing what it teaches, not by merely clicking through
      assert.ok((step.completionEvents ?? []).length > 0, `${step.id}: no completionEvents`);
    }
    assert.ok(links >= 4, `only ${links} command links`);
    assert.ok(events >= walkthrough().steps.length, `${events} completion events`);
    // the raw descriptions (both languages) link to the same commands
    const en = JSON.parse(fs.readFileSync(path.join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
    const zh = JSON.parse(fs.readFileSync(path.join(root, 'package.nls.zh-cn.json'), 'utf8')) as Record<string, string>;
    for (const key of Object.keys(en).filter((k) => k.startsWith('walkthrough.') && k.endsWith('.description'))) {
      assert.deepEqual(commandLinks(zh[key] ?? ''), commandLinks(en[key] ?? ''), `${key}: the zh-cn buttons differ`);
    }
  });

  test('the walkthrough opens in the workbench', async function () {
    this.timeout(30_000);
    const tabs = (): vscode.Tab[] => vscode.window.tabGroups.all.flatMap((g) => g.tabs);
    const before = new Set(tabs());
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${EXTENSION_ID}#${WALKTHROUGH_ID}`, false);
    // the Welcome editor is not a text editor: a new tab with no text input
    const tab = await waitFor(
      () => tabs().find((t) => !before.has(t) && !(t.input instanceof vscode.TabInputText)),
      'the walkthrough tab',
      15_000,
    );
    assert.ok(tab.label.length > 0);
    await sleep(200);
    await vscode.window.tabGroups.close(tab);
  });
});
