/** Cycles the theme: system → light → dark. The label says the current choice. */
import type { ThemeChoice } from '../state/useTheme';

const LABEL: Record<ThemeChoice, string> = { system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' };

/** A button; each press moves to the next theme. */
export function ThemeToggle({ theme, onCycle }: { theme: ThemeChoice; onCycle(): void }) {
  return (
    <button type="button" className="theme-toggle" data-testid="theme-toggle" onClick={onCycle} title="Switch between the system, light and dark themes">
      {LABEL[theme]}
    </button>
  );
}
