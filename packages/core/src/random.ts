/** The seeded generator every package shares lives in `@envision/onnx-grad` (the lowest layer); core re-exports it. */
export { SeededRandom } from '@envision/onnx-grad';
