/**
 * onnxruntime-node, as every file of this package imports it. Its native library (1.30, Linux and macOS) carries
 * Microsoft's telemetry: the first `InferenceSession` of a process writes `/tmp/mat-debug-<pid>.log`, `/tmp/.ses` and
 * `~/.cache/Microsoft/DeveloperTools/.onnxruntime/{onnxruntime.db,deviceid}` and queues usage events. Envision writes
 * nowhere but its output folder, so telemetry is off unless the user set `ORT_DISABLE_TELEMETRY` themselves; the
 * library reads the variable once, when the first session is created, which is after this module runs.
 * @packageDocumentation
 */
process.env['ORT_DISABLE_TELEMETRY'] ??= '1';
export * from 'onnxruntime-node';
