/**
 * Light/dark theme: follows the system (prefers-color-scheme) until the user picks one, and
 * remembers the pick. Applied as `data-theme` on <html>, which the CSS variables key on.
 */
import { useCallback, useEffect, useState } from 'react';

export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'tokenlab.theme';
const ORDER: ThemeChoice[] = ['system', 'light', 'dark'];

function stored(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system'; // storage can be unavailable (privacy settings); the system theme still works
  }
}

/** The current choice and a function that cycles system → light → dark. */
export function useTheme(): { theme: ThemeChoice; cycle(): void } {
  const [theme, setTheme] = useState<ThemeChoice>(stored);
  useEffect(() => {
    const root = document.documentElement;
    if (theme === 'system') root.removeAttribute('data-theme');
    else root.setAttribute('data-theme', theme);
    try {
      if (theme === 'system') localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, theme);
    } catch {
      // not persisted; the choice still holds for this session
    }
  }, [theme]);
  const cycle = useCallback(() => setTheme((t) => ORDER[(ORDER.indexOf(t) + 1) % ORDER.length]!), []);
  return { theme, cycle };
}
