/** Series colours of the charts, readable on the light and the dark theme. */
export const SERIES_COLORS = ['#7f8c8d', '#2f6fdb', '#e67e22', '#27ae60', '#8e44ad', '#c0392b', '#16a085', '#d35400'];

/** The colour of the i-th series (the unpruned baseline, first, is grey). */
export function seriesColor(i: number): string {
  return SERIES_COLORS[i % SERIES_COLORS.length]!;
}

/** Axis and grid colours follow the theme through CSS variables. */
export const AXIS = { stroke: 'var(--muted)', fontSize: 11 } as const;
