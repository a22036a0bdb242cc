/**
 * A Better BibTeX-style Zotero export for the bibliography rows: the size and shape of a real library's
 * (about 850 entries, 1.4 MB) with what makes it slow or tricky to parse: many authors, LaTeX in titles,
 * long abstracts, `file` fields with Zotero storage paths, `????` keys for items without a year.
 */
const WORDS = (
  'model data analysis protein network learning cell gene sequence clinical trial patient method result ' +
  'evidence review sample structure dynamics signal response temperature climate species growth effect ' +
  'risk factor cohort survey measurement estimate bias variance inference neural graph reader summary'
).split(' ');
const SURNAMES = 'Smith Müller García Nguyen Øvergaard Kowalski Dubois O’Brien Zhang Rossi Schäfer Ivanova Silva Andersson'.split(' ');
const GIVEN = 'Jane John Anna Luis Mei Pierre Olga Ravi Sofia Tomás Ingrid Kenji Zoë François'.split(' ');

/** Deterministic pseudo-random numbers, so every run parses the same text. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

export function zoteroBib(entries = 850, seed = 7): string {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const words = (n: number): string => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const out: string[] = [];
  for (let i = 0; i < entries; i++) {
    const first = pick(SURNAMES);
    const noYear = i % 40 === 7;
    const year = 1990 + Math.floor(r() * 35);
    const key = `${first.toLowerCase().replace(/[^a-z]/g, '')}${words(1)}${noYear ? '????' : year}${i}`;
    const authors = Array.from({ length: 1 + Math.floor(r() * 12) }, () => `${pick(SURNAMES)}, ${pick(GIVEN)}`).join(' and ');
    const title = `{{${words(1)}}}-based ${words(6)}: the {$\\alpha$}-${words(2)} of {{CRISPR}}--{Cas9} in \\textit{${words(1)}} ${words(3)}`;
    const abstract = `${words(90 + Math.floor(r() * 90))}. We found $p < 0.05$ and {\\% change} of 12\\,\\%.`;
    const storage = `${(0x1000000 + i * 7919).toString(16).toUpperCase().slice(-8)}`;
    const fields = [
      `  title = {${title}}`,
      `  author = {${authors}}`,
      noYear ? '' : `  date = {${year}-0${1 + (i % 9)}-1${i % 10}}`,
      `  journaltitle = {Journal of ${words(2)}}`,
      `  volume = {${1 + (i % 60)}}`,
      `  pages = {${i}--${i + 12}}`,
      `  doi = {10.1000/j.${i}.${year}}`,
      `  abstract = {${abstract}}`,
      `  keywords = {${words(1)},${words(1)},${words(1)}}`,
      `  langid = {english}`,
      `  file = {Full Text PDF:/home/me/Zotero/storage/${storage}/${first} - ${year} - ${words(4)}.pdf:application/pdf;Snapshot:/home/me/Zotero/storage/${storage}/index.html:text/html}`,
    ].filter(Boolean);
    out.push(`@article{${key},\n${fields.join(',\n')}\n}\n`);
  }
  return out.join('\n');
}
