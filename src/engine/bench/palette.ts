/**
 * The closed vocabulary of the Shapes benchmark: colours, shapes, sizes, image geometry.
 * Indices into COLORS / SHAPES are what the per-patch training labels store (+1, 0 = background),
 * so the order is part of the training-data format: append, never reorder.
 */

/** Colour names, in label order. */
export const COLORS = ['red', 'green', 'blue', 'yellow', 'purple', 'orange', 'cyan'] as const;
/** A colour name. */
export type ColorName = (typeof COLORS)[number];

/** Nominal RGB of each colour, saturated so they stay distinct from the muted backgrounds. */
export const COLOR_RGB: Record<ColorName, readonly [number, number, number]> = {
  red: [220, 38, 38],
  green: [34, 177, 56],
  blue: [40, 76, 230],
  yellow: [245, 215, 30],
  purple: [150, 50, 205],
  orange: [250, 135, 20],
  cyan: [30, 205, 215],
};

/** Shape names, in label order. */
export const SHAPES = ['circle', 'square', 'triangle', 'star', 'diamond', 'cross'] as const;
/** A shape name. */
export type ShapeName = (typeof SHAPES)[number];

/** Plural of each shape name, as used in counting questions. */
export const SHAPE_PLURAL: Record<ShapeName, string> = {
  circle: 'circles',
  square: 'squares',
  triangle: 'triangles',
  star: 'stars',
  diamond: 'diamonds',
  cross: 'crosses',
};

/** Bounding-box side lengths in pixels: every object covers at least 2x2 patches of 16 px. */
export const SIZES = [40, 48, 56] as const;

/** Side of generated images and video frames, in pixels. */
export const IMAGE_SIZE = 160;
/** Patch side of the reference model; per-patch labels use this grid. */
export const PATCH = 16;

/** Words used as counting answers, index = count. */
export const COUNT_WORDS = ['0', '1', '2', '3', '4', '5', '6', '7', '8'] as const;
