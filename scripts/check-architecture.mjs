// The structural rules of the code base, counted: long source files, import cycles, hosts reaching past the core's
// entry, comments citing design documents or issue numbers, `instanceof AssistantError`, over-long lines, and state at
// module scope in src/core (a `let`/`var`, or an empty Map/Set/WeakMap/WeakSet: a cache every assistant would share).
// Prints every finding as file:line and exits 1 when there is any; `--json` prints the counts (and findings) instead.
//
// Imports are read with the TypeScript compiler's own parser (the `typescript` dev dependency), which sees every
// import form (static, `export … from`, dynamic, `require`) with its line and whether it is type-only; a cycle is a
// strongly connected component of the import graph. Cycles of runtime imports (which can make a module run before
// another has finished initialising) are counted apart from cycles that exist only through type-only imports (erased by
// the build, but still files that cannot be understood, or moved, one without the other).
//
// usage: node scripts/check-architecture.mjs [--json]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MAX_FILE_LINES = 450;
const MAX_LINE_CHARS = 160;
/** Folders of the hosts, which may use the core only through its entry. */
const HOSTS = ['src/vscode/', 'src/cli/', 'src/node/'];
/** The core's public entry: a host importing any other file under src/core couples itself to the core's layout. */
// src/core/activation.ts is the second, narrow entry: the leaf modules (settings, redaction, the logger port) that the
// activation bundle may load, because the full index would pull the feature libraries into dist/extension.js.
const CORE_ENTRIES = new Set(['src/core/index.ts', 'src/core/activation.ts']);
/** Where comments and `instanceof AssistantError` are looked for: every folder holding our code. */
const CODE_DIRS = ['src', 'test', 'scripts', 'bench'];
const CITATION = /\b(?:PRODUCT|SERVERS|ARCHITECTURE|ANCHORS)\.md\b|\bissues?\s+#\d+|\(#\d+\)/i;
const CODE_FILE = /\.(?:ts|mts|cts|mjs|cjs|js)$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', 'out', '.vscode-test', 'test-results']);

function walk(dir) {
  const out = [];
  let names;
  try {
    names = readdirSync(join(ROOT, dir));
  } catch {
    return out;
  }
  for (const name of names) {
    const rel = `${dir}/${name}`;
    if (statSync(join(ROOT, rel)).isDirectory()) {
      if (!SKIP_DIRS.has(name)) out.push(...walk(rel));
    } else if (CODE_FILE.test(name) && !name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

const lineOf = (sf, pos) => sf.getLineAndCharacterOfPosition(pos).line + 1;

/** Every import of a file: specifier, line and whether it is erased by the build (type-only). */
function importsOf(sf) {
  const found = [];
  const visit = (node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      let typeOnly = false;
      if (ts.isImportDeclaration(node)) {
        const clause = node.importClause;
        const named = clause?.namedBindings;
        typeOnly =
          clause !== undefined &&
          (clause.isTypeOnly ||
            (!clause.name &&
              named !== undefined &&
              ts.isNamedImports(named) &&
              named.elements.length > 0 &&
              named.elements.every((e) => e.isTypeOnly)));
      } else {
        typeOnly = node.isTypeOnly;
      }
      found.push({ specifier: node.moduleSpecifier.text, line: lineOf(sf, node.getStart(sf)), typeOnly });
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) {
        found.push({ specifier: node.arguments[0].text, line: lineOf(sf, node.getStart(sf)), typeOnly: false });
      }
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, line: lineOf(sf, node.getStart(sf)), typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** The repository file a relative specifier names, if it is one of ours. */
function resolveImport(from, specifier, known) {
  if (!specifier.startsWith('.')) return undefined;
  const base = relative(ROOT, resolve(ROOT, dirname(from), specifier));
  const candidates = [base, `${base}.ts`, `${base}.mts`, `${base}/index.ts`, base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts')];
  return candidates.find((c) => known.has(c));
}

/** Comments of a file with their first line (each comment range once, wherever the parser attaches it). */
function commentsOf(sf) {
  const text = sf.getFullText();
  const seen = new Map();
  const collect = (pos) => {
    for (const r of [...(ts.getLeadingCommentRanges(text, pos) ?? []), ...(ts.getTrailingCommentRanges(text, pos) ?? [])]) {
      if (!seen.has(r.pos)) seen.set(r.pos, { line: lineOf(sf, r.pos), text: text.slice(r.pos, r.end) });
    }
  };
  const visit = (node) => {
    collect(node.getFullStart());
    collect(node.getEnd());
    ts.forEachChild(node, visit);
  };
  visit(sf);
  collect(sf.endOfFileToken.getFullStart());
  return [...seen.values()];
}

/** Lines of `x instanceof AssistantError` expressions (code only, not comments or strings). */
function instanceofAssistantError(sf) {
  const found = [];
  const visit = (node) => {
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.InstanceOfKeyword &&
      /(?:^|\.)AssistantError$/.test(node.right.getText(sf))
    ) {
      found.push(lineOf(sf, node.getStart(sf)));
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

const COLLECTIONS = /^(?:Map|Set|WeakMap|WeakSet)$/;
/**
 * Module-scope state that outlives an assistant: caches and indexes belong to an instance (created with it, bounded,
 * gone with it). Tables filled once from literals (`new Set([...])`) are immutable in effect and allowed; an empty
 * collection at module scope can only be filled at run time, so it is a cache. `file:name` entries here are exceptions
 * that say why.
 */
const MODULE_STATE_ALLOWED = new Set([]);
function moduleState(sf, file) {
  const found = [];
  for (const statement of sf.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const flags = statement.declarationList.flags;
    const mutable = !(flags & ts.NodeFlags.Const);
    for (const decl of statement.declarationList.declarations) {
      const name = decl.name.getText(sf);
      if (MODULE_STATE_ALLOWED.has(`${file}:${name}`)) continue;
      const init = decl.initializer;
      const emptyCollection =
        init && ts.isNewExpression(init) && COLLECTIONS.test(init.expression.getText(sf)) && (init.arguments ?? []).length === 0;
      if (mutable || emptyCollection)
        found.push({
          line: lineOf(sf, decl.getStart(sf)),
          detail: mutable ? `module-scope \`let\`/\`var\` ${name}` : `module-scope cache ${name}`,
        });
    }
  }
  return found;
}

/** Strongly connected components with more than one file (or a file importing itself): Tarjan's algorithm. */
function cycles(graph) {
  let index = 0;
  const stack = [];
  const info = new Map();
  const components = [];
  const strongConnect = (v) => {
    info.set(v, { index, low: index, onStack: true });
    index++;
    stack.push(v);
    for (const { to: w } of graph.get(v) ?? []) {
      if (!info.has(w)) {
        strongConnect(w);
        info.get(v).low = Math.min(info.get(v).low, info.get(w).low);
      } else if (info.get(w).onStack) info.get(v).low = Math.min(info.get(v).low, info.get(w).index);
    }
    if (info.get(v).low === info.get(v).index) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        info.get(w).onStack = false;
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).some((e) => e.to === v)) components.push(component);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!info.has(v)) strongConnect(v);
  return components;
}

/** One concrete loop through a component, as the import edges (file:line → target) that form it. */
function loopIn(component, graph) {
  const members = new Set(component);
  const start = [...component].sort()[0];
  const path = [];
  const visited = new Set();
  const dfs = (v) => {
    visited.add(v);
    for (const edge of graph.get(v) ?? []) {
      if (!members.has(edge.to)) continue;
      path.push({ from: v, ...edge });
      if (edge.to === start) return true;
      if (!visited.has(edge.to) && dfs(edge.to)) return true;
      path.pop();
    }
    return false;
  };
  dfs(start);
  return path;
}

const findings = {
  longFiles: [],
  importCycles: [],
  typeOnlyImportCycles: [],
  hostImportsPastCoreEntry: [],
  docCitations: [],
  instanceofAssistantError: [],
  longLines: [],
  moduleState: [],
};

const srcFiles = walk('src');
const known = new Set(srcFiles);
const codeFiles = [...new Set([...CODE_DIRS.flatMap(walk), ...readdirSync(ROOT).filter((f) => CODE_FILE.test(f))])].sort();
const graph = new Map();
const typeGraph = new Map();

for (const file of codeFiles) {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();

  for (const comment of commentsOf(sf)) {
    const m = CITATION.exec(comment.text);
    if (m) {
      const line = comment.line + comment.text.slice(0, m.index).split('\n').length - 1;
      findings.docCitations.push({ file, line, detail: `comment cites "${m[0]}"` });
    }
  }
  for (const line of instanceofAssistantError(sf)) {
    findings.instanceofAssistantError.push({ file, line, detail: lines[line - 1].trim() });
  }

  if (!file.startsWith('src/')) continue;
  if (file.startsWith('src/core/')) for (const f of moduleState(sf, file)) findings.moduleState.push({ file, ...f });
  if (lines.length > MAX_FILE_LINES)
    findings.longFiles.push({ file, line: lines.length, detail: `${lines.length} lines (max ${MAX_FILE_LINES})` });
  lines.forEach((l, i) => {
    if (l.length > MAX_LINE_CHARS) findings.longLines.push({ file, line: i + 1, detail: `${l.length} characters (max ${MAX_LINE_CHARS})` });
  });
  const edges = [];
  const allEdges = [];
  for (const imp of importsOf(sf)) {
    const target = resolveImport(file, imp.specifier, known);
    if (!target) continue;
    if (!imp.typeOnly) edges.push({ to: target, line: imp.line });
    allEdges.push({ to: target, line: imp.line });
    const fromHost = HOSTS.some((h) => file.startsWith(h));
    if (fromHost && target.startsWith('src/core/') && !CORE_ENTRIES.has(target)) {
      findings.hostImportsPastCoreEntry.push({
        file,
        line: imp.line,
        detail: `${imp.typeOnly ? 'type import' : 'import'} of ${target} (use ${[...CORE_ENTRIES].join(' or ')})`,
      });
    }
  }
  graph.set(file, edges);
  typeGraph.set(file, allEdges);
}

function reportCycle(list, component, g) {
  const loop = loopIn(component, g);
  const first = loop[0];
  list.push({
    file: first.from,
    line: first.line,
    detail: `${component.length} files in a cycle: ${loop.map((e) => `${e.from}:${e.line}`).join(' → ')} → ${first.from}`,
  });
}
const runtimeCycles = cycles(graph);
const inRuntimeCycle = new Set(runtimeCycles.flat());
for (const component of runtimeCycles) reportCycle(findings.importCycles, component, graph);
for (const component of cycles(typeGraph)) {
  if (!component.some((f) => inRuntimeCycle.has(f))) reportCycle(findings.typeOnlyImportCycles, component, typeGraph);
}

const LABELS = {
  longFiles: `source files over ${MAX_FILE_LINES} lines (src)`,
  importCycles: 'import cycles (src, runtime imports)',
  typeOnlyImportCycles: 'import cycles through type-only imports (src)',
  hostImportsPastCoreEntry: `host imports into src/core other than ${[...CORE_ENTRIES].join(', ')}`,
  docCitations: 'comments citing design documents or issue numbers',
  instanceofAssistantError: '`instanceof AssistantError` (use isAssistantError / hasErrorCode)',
  longLines: `lines over ${MAX_LINE_CHARS} characters (src)`,
  moduleState: 'module-scope state in src/core (let/var, empty Map/Set: belongs to an assistant instance)',
};
const counts = Object.fromEntries(Object.entries(findings).map(([k, v]) => [k, v.length]));
const total = Object.values(counts).reduce((a, b) => a + b, 0);

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ total, counts, findings }, null, 2));
} else {
  for (const [key, list] of Object.entries(findings)) {
    if (list.length === 0) continue;
    console.log(`\n${LABELS[key]}: ${list.length}`);
    for (const f of list) console.log(`  ${f.file}:${f.line}  ${f.detail}`);
  }
  console.log('\ncheck:architecture');
  for (const [key, n] of Object.entries(counts)) console.log(`  ${String(n).padStart(4)}  ${LABELS[key]}`);
  console.log(total === 0 ? 'check:architecture ok' : `check:architecture: ${total} finding(s)`);
}
process.exitCode = total === 0 ? 0 : 1;
