import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { AssistantError, hasErrorCode, isAssistantError, isCancellationError } from '../../../src/core/errors';

/** What an AssistantError from another bundle looks like here: same shape, another class. */
function foreign(code: string, name = 'AssistantError'): Error {
  const error = new Error(`${code} from elsewhere`) as Error & { code: string; data: object };
  error.name = name;
  error.code = code;
  error.data = { reason: 'imageOnly' };
  return error;
}

suite('AssistantError recognition', () => {
  test('recognises errors of this class and of another copy by name and code', () => {
    assert.ok(isAssistantError(new AssistantError('NoInput', 'nothing')));
    assert.ok(isAssistantError(foreign('SourceUnreadable')));
    assert.ok(hasErrorCode(foreign('SourceUnreadable'), 'Busy', 'SourceUnreadable'));
    assert.ok(!hasErrorCode(foreign('SourceUnreadable'), 'Busy'));
    assert.ok(isCancellationError(foreign('Cancelled')));
  });

  test('rejects other errors, unknown codes and non-errors', () => {
    assert.ok(!isAssistantError(new Error('plain')));
    assert.ok(!isAssistantError(foreign('SourceUnreadable', 'TypeError')));
    assert.ok(!isAssistantError(foreign('NotACode')));
    assert.ok(!isAssistantError({ name: 'AssistantError', code: 'NoInput' }), 'no message or data');
    assert.ok(!isAssistantError(undefined));
    assert.ok(!isAssistantError('AssistantError'));
  });
});
