/**
 * Generated texts that stress a token estimator where prose does not: numbers, table rows, Chinese, LaTeX and
 * code-like identifiers. Deterministic (a fixed-seed generator), so a failing case can be reproduced.
 */
export function stressTexts(): { name: string; text: string }[] {
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const num = (): string => `${rand(1000)}.${String(rand(10000)).padStart(4, '0')}`;
  const words = ['the', 'model', 'expression', 'of', 'significant', 'cells', 'and', 'protein', 'binding', 'patients', 'with', 'analysis'];
  const hanzi = '深度学习在生物医学中的应用本研究比较了三种方法的准确率数据收集概述结果讨论实验表图模型参数训练测试样本分析';
  const texts: { name: string; text: string }[] = [];
  texts.push({ name: 'digits', text: Array.from({ length: 400 }, num).join(' ') });
  texts.push({ name: 'digit runs', text: Array.from({ length: 200 }, () => String(rand(1e9)).padStart(9, '0')).join('') });
  texts.push({
    name: 'table rows',
    text: Array.from(
      { length: 60 },
      (_, i) => `S${i + 1} ${num()} ± ${num()} ${rand(100)}% (${num()}–${num()}) p < 0.0${rand(9) + 1}`,
    ).join('\n'),
  });
  texts.push({
    name: 'references',
    text: Array.from(
      { length: 40 },
      (_, i) =>
        `${i + 1}. Smith J, Lee K. Title of a paper. J Biol Chem. 20${rand(24)};${rand(300)}(${rand(12)}):${rand(9000)}-${rand(9000)}. doi:10.${rand(9999)}/jbc.${rand(1e6)}`,
    ).join('\n'),
  });
  texts.push({ name: 'chinese', text: Array.from({ length: 600 }, () => hanzi[rand(hanzi.length)]).join('') });
  texts.push({
    name: 'chinese with numbers',
    text: Array.from({ length: 80 }, () => `表${rand(9)}中${hanzi[rand(hanzi.length)]}${hanzi[rand(hanzi.length)]}为${num()}，`).join(''),
  });
  texts.push({
    name: 'latex',
    text: Array.from(
      { length: 80 },
      () => `$\\frac{\\partial L}{\\partial w_{${rand(9)}}} = \\sum_{i=1}^{n} \\alpha_i x_i^{${rand(5)}} + \\beta$ `,
    ).join('\n'),
  });
  texts.push({ name: 'math symbols', text: Array.from({ length: 300 }, () => '∑∫∂≤≥±×÷√∞αβγδλμσπθ'[rand(20)]).join(' ') });
  texts.push({
    name: 'hashes',
    text: Array.from({ length: 100 }, () => rand(2 ** 31).toString(16) + rand(2 ** 31).toString(16)).join(' '),
  });
  texts.push({ name: 'prose', text: Array.from({ length: 600 }, () => words[rand(words.length)]).join(' ') });
  texts.push({ name: 'punctuation', text: Array.from({ length: 400 }, () => '.,;:()[]{}-_/\\|!?\'"*&^%$#@~`<>=+'[rand(33)]).join('') });
  const pick = <T>(list: readonly T[]): T => list[rand(list.length)] as T;
  const authors = [
    'Müller',
    'Gómez',
    'Øvergaard',
    'Dvořák',
    'Nuñez',
    'Łukasiewicz',
    'Ström',
    'François',
    'Çelik',
    'Björk',
    'Ångström',
    'Šimůnek',
  ];
  const given = ['J', 'M-L', 'Å', 'É', 'Z', 'Ł', 'Ö'];
  texts.push({
    name: 'author lists with diacritics',
    text: Array.from({ length: 40 }, () => Array.from({ length: 6 }, () => `${pick(authors)} ${pick(given)}.`).join(', ')).join('\n'),
  });
  texts.push({
    name: 'URLs and DOIs',
    text: Array.from(
      { length: 60 },
      () =>
        `https://doi.org/10.${1000 + rand(9000)}/${pick(['journal.pone', 'nar', 'bioinformatics', 's41586'])}.${rand(1e7)} ` +
        `https://github.com/${pick(['greenelab', 'lab-x', 'deep_review'])}/${pick(['blob', 'tree'])}/main/src/${pick(authors).toLowerCase()}_${rand(99)}.py?raw=true`,
    ).join('\n'),
  });
  texts.push({
    name: 'code',
    text: Array.from(
      { length: 60 },
      (_, i) =>
        `function computeScore${i}(inputTensor, maxIterations = ${rand(500)}) {\n  const normalizedValues = inputTensor.map((x) => x / Math.sqrt(${rand(99)}));\n  if (normalizedValues.length > ${rand(64)}) return { score: normalizedValues[0] ?? null, ok: true };\n}\n`,
    ).join(''),
  });
  const german = [
    'die',
    'Untersuchung',
    'zeigt',
    'dass',
    'Patienten',
    'mit',
    'chronischer',
    'Herzinsuffizienz',
    'häufiger',
    'über',
    'Müdigkeit',
    'klagen',
    'und',
    'Behandlungsergebnisse',
    'größer',
    'sind',
    'als',
    'erwartet',
    'Wahrscheinlichkeit',
    'Stichprobe',
  ];
  const french = [
    'les',
    'résultats',
    'montrent',
    'que',
    'la',
    'méthode',
    'proposée',
    'améliore',
    'considérablement',
    'précision',
    'des',
    'données',
    'expérimentales',
    'à',
    'côté',
    'de',
    'l’état',
    'connaissances',
    'élevée',
    'où',
    'être',
    'était',
  ];
  for (const [name, vocabulary] of [
    ['German prose', german],
    ['French prose', french],
  ] as const)
    texts.push({
      name,
      text: Array.from({ length: 80 }, () => {
        const sentence = Array.from({ length: 6 + rand(10) }, () => pick(vocabulary)).join(' ');
        return sentence.charAt(0).toUpperCase() + sentence.slice(1) + pick(['. ', ', ', '; ']);
      }).join(''),
    });
  return texts;
}
