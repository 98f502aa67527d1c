import { PromptyError } from '../errors.js';
import type { PromptyHost } from '../host.js';
import type { ChatContentPart } from '../model.js';
import { resolveContainedPath } from '../references.js';

/** Where v1 local images are read from. */
export interface ImageSource {
  /** Folder of the .prompty file; relative image paths resolve against it. */
  baseDir?: string | undefined;
  /** Images may not leave this folder. @default baseDir */
  root?: string | undefined;
  host?: PromptyHost | undefined;
}

const MIME_BY_EXTENSION: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg' };

interface ImageMatch {
  start: number;
  end: number;
  target: string;
}

/** Finds `![alt](target "title")` spans in one forward pass. */
function findImages(content: string): ImageMatch[] {
  const found: ImageMatch[] = [];
  let from = 0;
  let nextClose = -1;
  while (from < content.length) {
    const open = content.indexOf('![', from);
    if (open === -1) break;
    // Remember the next `]` so runs of `![` without one stay linear.
    if (nextClose < open + 2) nextClose = content.indexOf(']', open + 2);
    if (nextClose === -1) break;
    const nextOpen = content.indexOf('![', open + 2);
    if (nextOpen !== -1 && nextOpen < nextClose) {
      from = nextOpen;
      continue;
    }
    if (content[nextClose + 1] !== '(') {
      from = nextClose + 1;
      continue;
    }
    const closeParen = content.indexOf(')', nextClose + 2);
    if (closeParen === -1) break;
    const inner = content.slice(nextClose + 2, closeParen).trim();
    found.push({ start: open, end: closeParen + 1, target: inner.split(/\s+/, 1)[0] ?? '' });
    from = closeParen + 1;
  }
  return found;
}

/** An image URL for the wire: remote and data URLs pass, local files become base64 data URIs. */
export function inlineImage(target: string, source: ImageSource): string {
  if (/^(https?:|data:)/i.test(target)) return target;
  const extension = target.slice(target.lastIndexOf('.') + 1).toLowerCase();
  const mime = MIME_BY_EXTENSION[extension];
  if (!mime) {
    throw new PromptyError('prompty.invalid_message', `Unsupported image type "${target}" (png, jpg, jpeg)`, {
      details: { target },
    });
  }
  if (!source.host || source.baseDir === undefined) {
    throw new PromptyError(
      'prompty.invalid_message',
      `Local image "${target}" needs a host and a base folder`,
      {
        details: { target },
      },
    );
  }
  const path = resolveContainedPath(
    target,
    { host: source.host, baseDir: source.baseDir, root: source.root ?? source.baseDir },
    () => ({ target }),
  );
  return `data:${mime};base64,${Buffer.from(source.host.readBytes(path)).toString('base64')}`;
}

/**
 * v1 message content: markdown images become `image_url` parts between trimmed text parts (empty
 * ones dropped). Content without images stays a string.
 */
export function splitMarkdownImages(content: string, source: ImageSource): string | ChatContentPart[] {
  const images = findImages(content);
  if (images.length === 0) return content;
  const parts: ChatContentPart[] = [];
  let cursor = 0;
  const pushText = (text: string): void => {
    const trimmed = text.trim();
    if (trimmed) parts.push({ type: 'text', text: trimmed });
  };
  for (const image of images) {
    pushText(content.slice(cursor, image.start));
    parts.push({ type: 'image_url', image_url: { url: inlineImage(image.target, source) } });
    cursor = image.end;
  }
  pushText(content.slice(cursor));
  return parts;
}
