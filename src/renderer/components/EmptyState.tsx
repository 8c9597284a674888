/** What a new user sees before importing anything: what to do, and what works today. */
import { MEDIA_LIMITS } from '../../shared/schemas/app';

/** Shown in the viewer while no media is imported. */
export function EmptyState() {
  return (
    <div className="empty-state" data-testid="empty-state">
      <h3>Start with an image</h3>
      <p>
        Drop an image on the <strong>Media</strong> panel, or press <strong>choose files</strong> there. TokenLab reads PNG, JPEG, WebP, TIFF and GIF
        (first frame) up to {MEDIA_LIMITS.maxImagePixels / 1e6} megapixels.
      </p>
      <p>
        Nothing at hand? Under <strong>Shapes samples</strong> in the Media panel, open an item of the Shapes test split: its image is imported and its
        question and answer are filled in, ready to run.
      </p>
      <p className="muted">Video import is not available yet.</p>
    </div>
  );
}
