/** A summary block over SOURCE_EN with one supported figure (72.4%) and one not (91%), and a grounding as a new process has it. */
import { InMemoryKeyValueStore } from '../../../src/core/cache/extractionCache';
import { GroundingMemo } from '../../../src/core/grounding/groundingMemo';
import { NoteGrounding } from '../../../src/core/grounding/noteGrounding';
import type { BlockSpec } from '../../../src/core/insertion/block';
import { systemClock } from '../../../src/core/ports/clock';
import { nullLogger } from '../../../src/core/ports/logger';
import type { SourceReader } from '../../../src/core/sources/reader';
import { SOURCE_EN } from './fixtures';

export const SUMMARY_SPEC: BlockSpec = {
  kind: 'summary',
  attributes: { target: 'note', sources: [SOURCE_EN.id], model: 'qwen3:4b', date: '2026-12-07' },
  style: 'callout',
  title: 'Summary',
};

export const SUMMARY_BODY = '- Response was 72.4% (p. 2).\n- Adherence was 91% overall.\n';

/** A grounding as a new process (a re-run, the command line) has it: nothing of the sources indexed, the persisted store shared. */
export function freshGrounding(store = new InMemoryKeyValueStore()): NoteGrounding {
  return new NoteGrounding({} as SourceReader, nullLogger, systemClock, new GroundingMemo(store));
}
