import type { ImageConfig } from '../config/schema';

/** `repository:tag`, `repository@digest`, or both; configuration guarantees one is pinned. */
export function imageRef(image: ImageConfig): string {
  let ref = image.repository;
  if (image.tag) ref += `:${image.tag}`;
  if (image.digest) ref += `@${image.digest}`;
  return ref;
}
