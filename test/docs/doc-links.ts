import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

/**
 * The relative links of a markdown page, checked as GitHub renders them: the target file exists,
 * and an `#anchor` names a heading of that page (GitHub's slugs: lower case, punctuation dropped,
 * spaces to `-`, `-1`, `-2`… for repeats). Links inside code blocks and to other sites are not links
 * to check.
 */

/** The anchors GitHub gives a page's headings. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of outsideCode(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

function outsideCode(markdown: string): string[] {
  const lines: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    else if (!fenced) lines.push(line);
  }
  return lines;
}

export interface BrokenLink {
  page: string;
  line: number;
  target: string;
  problem: string;
}

/**
 * Every broken relative link of `pages` (paths relative to `root`). `pending` names pages that are
 * being written elsewhere (relative to `root`): a link to one of them is not reported while it is missing.
 */
export function brokenLinks(root: string, pages: string[], pending: readonly string[] = []): BrokenLink[] {
  const broken: BrokenLink[] = [];
  const anchorsOf = new Map<string, Set<string>>();
  const anchors = (file: string): Set<string> => {
    if (!anchorsOf.has(file)) anchorsOf.set(file, headingAnchors(readFileSync(file, 'utf8')));
    return anchorsOf.get(file)!;
  };
  for (const page of pages) {
    const file = resolve(root, page);
    let fenced = false;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((text, index) => {
        if (/^\s*```/.test(text)) fenced = !fenced;
        if (fenced) return;
        for (const [, target] of text.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) {
          if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
          const [path, anchor] = target.split('#') as [string, string | undefined];
          const linked = path === '' ? file : resolve(dirname(file), path);
          const report = (problem: string): void => {
            broken.push({ page, line: index + 1, target, problem });
          };
          if (!existsSync(linked)) {
            if (!pending.includes(relative(root, linked))) report('no such file');
            continue;
          }
          if (anchor !== undefined && linked.endsWith('.md') && !anchors(linked).has(anchor)) {
            report(`no heading with the anchor #${anchor} in ${relative(root, linked)}`);
          }
        }
      });
  }
  return broken;
}
