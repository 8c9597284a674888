/**
 * Tensor names. The canonical names are those of HF LLaVA-1.5 checkpoints as saved before
 * transformers 4.52 ("legacy"): `vision_tower.vision_model.*`, `multi_modal_projector.*`,
 * `language_model.model.*`, `language_model.lm_head.weight`. transformers ≥ 4.52 saves
 * `model.vision_tower.*`, `model.multi_modal_projector.*`, `model.language_model.*` and
 * `lm_head.weight` ("current"). Both load to the canonical names, so nothing downstream cares.
 */

/** The two HF naming schemes of LLaVA checkpoints. */
export type NamingScheme = 'legacy' | 'current';

/** Canonical prefix ↔ prefix in the current (transformers ≥ 4.52) scheme. */
const PREFIXES: ReadonlyArray<readonly [canonical: string, current: string]> = [
  ['vision_tower.', 'model.vision_tower.'],
  ['multi_modal_projector.', 'model.multi_modal_projector.'],
  ['language_model.model.', 'model.language_model.'],
  ['language_model.lm_head.', 'lm_head.'],
];

/** The canonical name of the token embedding matrix. */
export const EMBED_TOKENS = 'language_model.model.embed_tokens.weight';
/** The canonical name of the LM head, which tied-embedding checkpoints omit. */
export const LM_HEAD = 'language_model.lm_head.weight';

/** Maps a tensor name in either scheme to its canonical name; other names pass through unchanged. */
export function canonicalTensorName(name: string): string {
  for (const [canonical, current] of PREFIXES) {
    if (name.startsWith(current)) return canonical + name.slice(current.length);
  }
  return name;
}

/** The name a canonical tensor has in `scheme` (used to write checkpoints in either layout). */
export function tensorNameIn(scheme: NamingScheme, canonicalName: string): string {
  if (scheme === 'legacy') return canonicalName;
  for (const [canonical, current] of PREFIXES) {
    if (canonicalName.startsWith(canonical)) return current + canonicalName.slice(canonical.length);
  }
  return canonicalName;
}

/** Canonical names of the vision tower's tensors start with this. */
export const VISION_PREFIX = 'vision_tower.vision_model.';
/** Canonical names of one ViT layer's tensors start with this. */
export function visionLayerPrefix(layer: number): string {
  return `${VISION_PREFIX}encoder.layers.${layer}.`;
}
/** Canonical names of one decoder layer's tensors start with this. */
export function decoderLayerPrefix(layer: number): string {
  return `language_model.model.layers.${layer}.`;
}
