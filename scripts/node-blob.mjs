// Node has Blob but not FileReaderSync, the worker-only browser API with which the wasm face
// reads a dropped File in pieces (`Session.from_blob`, `sha256_blob`, through web-sys). These
// stand-ins let Node's layers (tests/wasm, benches/compare.mjs) call the same wasm functions on
// bytes in memory or on a file on disk, read piece by piece as the page reads a File.
const PIECE = Symbol('piece');

/** A Blob-like file whose bytes `[offset, offset + length)` come from `readAt(offset, length)`. */
export class PieceBlob {
  constructor(readAt, size) {
    this.readAt = readAt;
    this.size = size;
  }
  slice(start = 0, end = this.size) {
    const from = Math.max(0, Math.min(start, this.size));
    const to = Math.max(from, Math.min(end, this.size));
    return { [PIECE]: () => this.readAt(from, to - from), size: to - from };
  }
}

/** Bytes in memory as a PieceBlob; `onRead(offset, length)` hears of every piece read. */
export function bytesBlob(bytes, onRead = null) {
  return new PieceBlob((offset, length) => {
    if (onRead) onRead(offset, length);
    return bytes.subarray(offset, offset + length);
  }, bytes.length);
}

/** Defines `globalThis.FileReaderSync` for PieceBlob slices (once; a real one is left alone). */
export function installFileReaderSync() {
  if (globalThis.FileReaderSync) return;
  globalThis.FileReaderSync = class FileReaderSync {
    readAsArrayBuffer(slice) {
      const piece = slice[PIECE];
      if (typeof piece !== 'function') throw new TypeError('FileReaderSync stand-in: not a PieceBlob slice');
      const bytes = piece();
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
    }
  };
}
