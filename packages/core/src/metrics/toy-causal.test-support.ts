// Test support (not built, not shipped): the hand-computable case of the deletion / insertion tests.

/** Toy scorer: the sum of all pixel values. */
export const sum = (images: Float32Array[]): Promise<number[]> => Promise.resolve(images.map((im) => im.reduce((a, b) => a + b, 0)));
/** 1 channel, 2×2 image [1, 2, 3, 4]. */
export const IMAGE = { data: Float32Array.from([1, 2, 3, 4]), channels: 1, height: 2, width: 2 };
/** Orders the pixels 1 (0.4), 2 (0.3), 3 (0.2), 0 (0.1). */
export const MAP = { data: Float32Array.from([0.1, 0.4, 0.3, 0.2]), width: 2, height: 2 };
