/**
 * Hybrid ranking by reciprocal rank fusion: each passage scores Σ 1 / (k + rank) over the rankings it appears
 * in (lexical BM25, vector cosine). Ranks, not raw scores, are fused because BM25 and cosine live on scales
 * that cannot be compared; k = 60 is the constant of the method's original evaluation, and keeps one
 * ranking's top hit from drowning a passage that both rankings place well.
 */
export const RRF_K = 60;

export interface Fused {
  readonly doc: number;
  readonly score: number;
}

/** Fuses rankings (doc ids, best first) into one, best first; ties go to the earlier doc id. */
export function reciprocalRankFusion(rankings: readonly (readonly number[])[], limit: number, k = RRF_K): Fused[] {
  const scores = new Map<number, number>();
  for (const ranking of rankings) ranking.forEach((doc, rank) => scores.set(doc, (scores.get(doc) ?? 0) + 1 / (k + rank + 1)));
  return [...scores]
    .map(([doc, score]) => ({ doc, score }))
    .sort((a, b) => b.score - a.score || a.doc - b.doc)
    .slice(0, limit);
}
