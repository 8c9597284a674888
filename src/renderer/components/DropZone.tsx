/**
 * Where files come in: drop them on the zone, or activate it (click, Enter, Space) or the
 * "Choose files" control to open the file picker. The picker is a real <input type="file">
 * (visually hidden, still focusable through its label) so automation can set files on it.
 */
import { useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { MEDIA_LIMITS } from '../../shared/schemas/app';

const ACCEPT = 'image/*,video/*';

/** Calls `onFiles` with the files dropped or picked (never with an empty list). */
export function DropZone({ onFiles, busy }: { onFiles(files: File[]): void; busy: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  const deliver = (list: FileList | null) => {
    const files = list ? Array.from(list) : [];
    if (files.length > 0) onFiles(files);
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    deliver(event.dataTransfer.files);
  };
  const onDragOver = (event: DragEvent) => {
    // Without preventDefault the browser would open the dropped file instead of handing it to us.
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    setOver(true);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      input.current?.click();
    }
  };

  return (
    <>
    <div
      className={`dropzone${over ? ' dropzone-over' : ''}`}
      data-testid="dropzone"
      role="button"
      tabIndex={0}
      aria-label="Add images: drop files here, or press Enter to choose files"
      aria-busy={busy}
      onClick={() => input.current?.click()}
      onKeyDown={onKeyDown}
      onDragOver={onDragOver}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <span className="dropzone-title">Drop images here</span>
      <span className="dropzone-detail">
        or <span className="link-like">choose files</span> — PNG, JPEG, WebP, TIFF, GIF, up to {MEDIA_LIMITS.maxImagePixels / 1e6} MP
      </span>
    </div>
    <input
        ref={input}
        className="visually-hidden"
        type="file"
        data-testid="file-input"
        multiple
        accept={ACCEPT}
        tabIndex={-1}
        aria-hidden="true"
        onChange={(e) => {
          deliver(e.currentTarget.files);
          e.currentTarget.value = ''; // picking the same file again must fire change again
        }}
      />
    </>
  );
}
