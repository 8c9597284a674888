/**
 * Body of a frame region whose feature has not landed yet. It says so plainly rather than
 * showing controls that do nothing; the region keeps its place so the layout is final.
 */
export function PlannedPanel({ text }: { text: string }) {
  return <p className="planned muted">{text}</p>;
}
