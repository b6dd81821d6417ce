/**
 * Placeholder: Saliency, Guided Backprop (Springenberg et al. 2014) and Deconvnet, ids 'saliency', 'guided-backprop', 'deconvnet' for Envision. This package exports no method yet; it needs the ONNX gradient engine (issue 3)
 * and is implemented by issue 4.
 * @packageDocumentation
 */
export {};
