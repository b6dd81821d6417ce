/**
 * Placeholder: GradientShap (Lundberg & Lee 2017), id 'gradshap' for Envision. This package exports no method yet; it needs the ONNX gradient engine (issue 3)
 * and is implemented by issue 4.
 * @packageDocumentation
 */
export {};
