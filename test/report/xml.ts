// A strict little XML well-formedness checker for the report tests (no dependency): tags nest and close, attributes
// are quoted and unique, text holds no raw "<" and every "&" starts an entity.
export function checkXml(xml: string): void {
  const stack: string[] = [];
  const token = /<!--[\s\S]*?-->|<!DOCTYPE[^>]*>|<\/([A-Za-z][\w:-]*)\s*>|<([A-Za-z][\w:-]*)((?:\s+[\w:-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>|([^<]+)|(<)/g;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = token.exec(xml)) !== null) {
    if (m.index !== at) throw new Error(`unparsed text at ${at}: ${JSON.stringify(xml.slice(at, at + 40))}`);
    at = token.lastIndex;
    const [whole, close, open, attrs, selfClose, text, stray] = m;
    if (stray) throw new Error(`a "<" that starts no tag at ${m.index}: ${JSON.stringify(xml.slice(m.index, m.index + 40))}`);
    if (text !== undefined) {
      const bad = /&(?!(amp|lt|gt|quot|#39|#\d+|#x[0-9a-fA-F]+);)/.exec(text);
      if (bad) throw new Error(`a raw "&" in text: ${JSON.stringify(text.slice(bad.index, bad.index + 20))}`);
      continue;
    }
    if (whole.startsWith("<!")) continue;
    if (close) {
      const top = stack.pop();
      if (top !== close) throw new Error(`</${close}> closes <${top}>`);
      continue;
    }
    const names = [...(attrs ?? "").matchAll(/([\w:-]+)\s*=/g)].map((a) => a[1]);
    if (new Set(names).size !== names.length) throw new Error(`<${open}> repeats an attribute: ${names.join(", ")}`);
    for (const v of (attrs ?? "").matchAll(/=\s*("[^"]*"|'[^']*')/g)) {
      if (/&(?!(amp|lt|gt|quot|#39|#\d+);)/.test(v[1])) throw new Error(`a raw "&" in an attribute of <${open}>`);
    }
    if (!selfClose) stack.push(open);
  }
  if (at !== xml.length) throw new Error(`trailing input at ${at}`);
  if (stack.length) throw new Error(`unclosed <${stack.join("> <")}>`);
}
