// A search match's snippet: the core marks the words found as `[word]`. Split into plain
// and marked parts, so the page shows them as text (never as HTML).

export interface SnippetPart {
  text: string;
  marked: boolean;
}

export function snippetParts(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  const push = (text: string, marked: boolean) => {
    if (text !== '') parts.push({ text, marked });
  };
  let rest = snippet;
  for (;;) {
    const open = rest.indexOf('[');
    const close = open === -1 ? -1 : rest.indexOf(']', open + 1);
    if (open === -1 || close === -1) {
      push(rest, false);
      return parts;
    }
    push(rest.slice(0, open), false);
    push(rest.slice(open + 1, close), true);
    rest = rest.slice(close + 1);
  }
}
