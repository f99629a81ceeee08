import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/**
 * The allowed imports of src/, as docs/architecture.md draws them. Layers from the bottom: a file
 * may import its own layer and the layers below, never one above. Inside a layer, the areas
 * (a folder, a module `src/modules/<area>`, a root file) may import each other only without a
 * circle, and no two files import each other round a circle either.
 */
export const layers: { name: string; holds: string[] }[] = [
  { name: 'pure rules and platform', holds: ['src/domain/', 'src/auth/', 'src/crypto/', 'src/pki/', 'src/platform/', 'src/web/i18n/'] },
  { name: 'configuration, database, errors', holds: ['src/config.ts', 'src/db/', 'src/errors.ts'] },
  { name: 'dependencies of a process', holds: ['src/interbank.ts', 'src/deps.ts', 'src/runtime.ts'] },
  { name: 'audit trail, outbox, mail, command line', holds: ['src/audit/', 'src/outbox/', 'src/mail/', 'src/cli/'] },
  { name: 'access (sessions, secrets, request origin)', holds: ['src/access/'] },
  { name: 'command pipeline', holds: ['src/command/'] },
  { name: 'web (page shell, forms, HTML)', holds: ['src/web/'] },
  { name: 'modules (business areas)', holds: ['src/modules/'] },
  { name: 'operator (console, staff, command line, demo)', holds: ['src/operator/'] },
  { name: 'application', holds: ['src/app.ts', 'src/main.ts'] },
];

export interface ImportEdge {
  from: string;
  to: string;
}

/**
 * An area's texts — its error codes (`error-codes.ts`: code → HTTP status) and its messages
 * (`messages.ts`, in both languages) — live beside its code but are data of the lowest layer: the
 * error registry (src/errors.ts) and the message catalogue (src/web/i18n/) read every area's, so
 * that a code or a message key is checked when compiled. They import nothing but the lowest layer.
 */
export const areaTexts = /^src\/.+\/(?:[a-z-]+-)?(?:error-codes|messages)\.ts$/;

/** The layer of a file: an area's texts are of the lowest; otherwise the longest prefix that holds it wins (src/web/i18n/ before src/web/). */
export function layerOf(file: string): number {
  if (areaTexts.test(file)) return 0;
  let best = -1;
  let bestLength = -1;
  layers.forEach((layer, index) => {
    for (const prefix of layer.holds) {
      if (file.startsWith(prefix) && prefix.length > bestLength) {
        best = index;
        bestLength = prefix.length;
      }
    }
  });
  return best;
}

/** The area a file belongs to, for circles between areas: src/modules/<area>, src/operator/<part>, a top folder, a root file. */
export function areaOf(file: string): string {
  // An area's texts are read from below, so they count as nodes of their own (they import nothing of their area).
  if (areaTexts.test(file)) return file;
  const parts = file.split('/');
  if ((parts[1] === 'modules' || parts[1] === 'operator') && parts.length > 3) return parts.slice(0, 3).join('/');
  // The catalogue is files the areas' messages stand between (define.ts below them, index.ts above): each its own node.
  if (parts[1] === 'web' && parts[2] === 'i18n') return file;
  return parts.length > 2 ? parts.slice(0, 2).join('/') : file;
}

function sourceFiles(folder: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const importPattern = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** Every relative import between source files under `root`/src (tests left out: they may reach anywhere). */
export function importEdges(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const path of sourceFiles(join(root, 'src'))) {
    const from = relative(root, path);
    for (const match of readFileSync(path, 'utf8').matchAll(importPattern)) {
      edges.push({ from, to: normalize(join(dirname(from), match[1]!)) });
    }
  }
  return edges;
}

/** Imports that run up a layer, or out of every layer. */
export function upwardImports(edges: ImportEdge[]): string[] {
  const problems: string[] = [];
  for (const { from, to } of edges) {
    const fromLayer = layerOf(from);
    const toLayer = layerOf(to);
    if (fromLayer < 0) problems.push(`${from} is in no layer`);
    else if (toLayer < 0) problems.push(`${from} imports ${to}, which is in no layer`);
    else if (toLayer > fromLayer) problems.push(`${from} (${layers[fromLayer]!.name}) imports ${to} (${layers[toLayer]!.name}), a layer above`);
  }
  return [...new Set(problems)];
}

/** The circles of a directed graph (its strongly connected components of more than one node), each sorted. */
export function circles(edges: [string, string][]): string[][] {
  const next = new Map<string, string[]>();
  for (const [a, b] of edges) {
    if (a === b) continue;
    next.set(a, [...(next.get(a) ?? []), b]);
    if (!next.has(b)) next.set(b, []);
  }
  // Tarjan's algorithm.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const target of next.get(node)!) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of next.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** Every broken rule, in words; none when the house keeps to its plan. */
export function importRuleProblems(root: string): string[] {
  const edges = importEdges(root);
  return [
    ...upwardImports(edges),
    ...circles(edges.map((edge) => [edge.from, edge.to])).map((circle) => `circle of files: ${circle.join(' ↔ ')}`),
    ...circles(edges.map((edge) => [areaOf(edge.from), areaOf(edge.to)])).map((circle) => `circle of areas: ${circle.join(' ↔ ')}`),
  ];
}

if (import.meta.main) {
  const problems = importRuleProblems(process.cwd());
  for (const problem of problems) console.log(problem);
  console.log(problems.length === 0 ? 'imports keep to the layers of docs/architecture.md' : `${problems.length} problem(s)`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}
