// Generates the small PDFs a workspace fixture links to, at run time, from a JSON spec (text we wrote
// ourselves: corpus PDFs must never be copied into the repository, and generated binaries stay out of git).
// Spec: [{ "path": "papers/x.pdf", "title": "…", "authors": "…", "year": 2021, "sections": [["Heading", "text…"], …] }]
import fs from 'node:fs';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';

const PAGE = { width: 595, height: 842, margin: 56 }; // A4 in points

function wrap(text, font, size, width) {
  const lines = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(candidate, size) > width && line) {
      lines.push(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (line) lines.push(line);
  return lines;
}

export async function buildPdf(paper) {
  const doc = await PDFDocument.create();
  doc.setTitle(paper.title);
  if (paper.authors) doc.setAuthor(paper.authors);
  // fixed dates keep the bytes identical from run to run
  doc.setCreationDate(new Date(Date.UTC(paper.year ?? 2020, 0, 1)));
  doc.setModificationDate(new Date(Date.UTC(paper.year ?? 2020, 0, 1)));
  const regular = await doc.embedFont(StandardFonts.TimesRoman);
  const bold = await doc.embedFont(StandardFonts.TimesRomanBold);
  const width = PAGE.width - 2 * PAGE.margin;
  let page = doc.addPage([PAGE.width, PAGE.height]);
  let y = PAGE.height - PAGE.margin;
  const put = (text, font, size, gap) => {
    for (const l of wrap(text, font, size, width)) {
      if (y < PAGE.margin + size) {
        page = doc.addPage([PAGE.width, PAGE.height]);
        y = PAGE.height - PAGE.margin;
      }
      page.drawText(l, { x: PAGE.margin, y, size, font });
      y -= size * 1.35;
    }
    y -= gap;
  };
  put(paper.title, bold, 16, 6);
  if (paper.authors) put(`${paper.authors} (${paper.year ?? ''})`, regular, 11, 14);
  paper.sections.forEach(([heading, body], i) => {
    put(heading, bold, 12, 2);
    for (const para of String(body).split('\n\n')) put(para, regular, 11, 8);
    // one section per page gives readers that cite page numbers something to cite
    if (paper.pageBreakAfterSections && i < paper.sections.length - 1) {
      page = doc.addPage([PAGE.width, PAGE.height]);
      y = PAGE.height - PAGE.margin;
    }
  });
  return doc.save({ useObjectStreams: false });
}

/** Writes every PDF of the spec under destDir. */
export async function generatePdfs(specFile, destDir) {
  const spec = JSON.parse(fs.readFileSync(specFile, 'utf8'));
  for (const paper of spec) {
    const out = path.join(destDir, paper.path);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, await buildPdf(paper));
  }
  return spec.map((p) => p.path);
}
