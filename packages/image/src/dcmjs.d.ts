// The part of dcmjs (which ships no types) that decode-dicom.ts uses.
declare module 'dcmjs' {
  interface DcmjsLogger {
    setLevel(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent', persist?: boolean): void;
    getLogger(name: string): DcmjsLogger;
  }
  interface DicomDict {
    meta: Record<string, { vr?: string; Value?: unknown[] }>;
    dict: Record<string, { vr?: string; Value?: unknown[] }>;
  }
  const dcmjs: {
    log: DcmjsLogger;
    data: { DicomMessage: { readFile(buffer: ArrayBuffer, options?: { ignoreErrors?: boolean }): DicomDict } };
  };
  export default dcmjs;
}
