import { suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyChatTemplate, countPromptTokens, countTokens, tokenPieces } from '../../fakeServer/index';
import { tokenIds } from '../../fakeServer/tokenizer';

void suite('fake server tokenizer', () => {
  void test('English word runs cost ceil(chars / 4), whitespace is free', () => {
    assert.equal(countTokens(''), 0);
    assert.equal(countTokens('   \n '), 0);
    assert.equal(countTokens('word'), 1);
    assert.equal(countTokens('words'), 2);
    assert.equal(countTokens('a bb ccc dddd'), 4);
    assert.equal(countTokens('internationalization'), 5); // 20 chars
    assert.equal(countTokens('p=0.05,'), 2); // punctuation belongs to the run
  });

  void test('every CJK character is one token, mixed text splits runs', () => {
    assert.equal(countTokens('研究笔记'), 4);
    assert.equal(countTokens('模型abcde模型'), 2 + 2 + 2);
    assert.equal(countTokens('こんにちは'), 5);
    assert.equal(countTokens('。，'), 2);
  });

  void test('special tokens count once and pieces join back to the text', () => {
    assert.equal(countTokens('<|im_start|>user\nhi<|im_end|>'), 4);
    for (const text of ['  leading and trailing  ', 'a<|im_end|>\n<|im_start|>b', '数据 data 😀 emoji', 'x'.repeat(37)]) {
      assert.equal(tokenPieces(text).join(''), text);
      assert.equal(tokenIds(text).length, countTokens(text));
    }
  });

  void test('chat template is Qwen-like and prompt tokens are counted over it', () => {
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hello there' },
    ];
    const rendered = applyChatTemplate(messages);
    assert.equal(rendered, '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHello there<|im_end|>\n<|im_start|>assistant\n');
    // system: 1 + 2("system") + 1("Be") + 2("brief.") + 1 = 7; user: 1 + 1 + 2 + 2 + 1 = 7; assistant: 1 + 3 = 4
    assert.equal(countPromptTokens(messages), 18);
    assert.equal(countTokens(rendered), 18);
  });
});
