import { describe, expect, it } from 'vitest';
import { didYouMean, unknownIdMessage } from './suggest.js';

describe('didYouMean', () => {
  it('suggests the closest id within max(2, length/3) edits', () => {
    expect(didYouMean('oclusion', ['saliency', 'occlusion'])).toBe('occlusion');
    expect(didYouMean('ig', ['gb', 'saliency'])).toBe('gb');
    expect(didYouMean('integrated-grad', ['integrated-gradients'])).toBe('integrated-gradients');
    expect(didYouMean('xyz', ['occlusion', 'saliency'])).toBeUndefined();
    expect(didYouMean('x', [])).toBeUndefined();
  });
});

describe('unknownIdMessage', () => {
  it('names the id, a suggestion and the valid ids', () => {
    expect(unknownIdMessage('method', 'oclusion', ['saliency', 'occlusion'])).toBe(
      "unknown method 'oclusion'; did you mean 'occlusion'? (valid: occlusion, saliency)",
    );
    expect(unknownIdMessage('adapter', 'zzz', ['medclip'])).toBe("unknown adapter 'zzz' (valid: medclip)");
    expect(unknownIdMessage('fusion', 'dot', [])).toBe("unknown fusion 'dot' (no fusion is registered)");
  });
});
