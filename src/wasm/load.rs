//! Reading a dropped File or Blob in pieces with the worker's `FileReaderSync` (web-sys), with the
//! Load step's options; and hashing it the same way.

use super::{err, js_error, Session};
use js_sys::Function;
use wasm_bindgen::prelude::*;

/// The SHA-256 (lowercase hex) of a File or Blob (a promise): a second worker hashes the file
/// while the first reads it. Read as a stream into one buffer used again for every piece (a
/// BYOB reader) where the browser has one; otherwise in pieces as `Session.from_blob` reads
/// them, each a fresh buffer left to the collector, which a worker held by the hundred MiB
/// (docs/benchmarks.md, round 8). A failed read is the core's error naming the file, either way.
#[wasm_bindgen]
pub async fn sha256_blob(blob: web_sys::Blob, file: String) -> Result<String, JsValue> {
    let cannot = |e: JsValue| {
        err(crate::Error::Input {
            file: file.clone(),
            message: format!("cannot read the file: {}", js_text(&e)),
        })
    };
    if let Some(reader) = byob_reader(&blob) {
        let mut digest = crate::FileDigest::default();
        let mut buffer = js_sys::ArrayBuffer::new(STREAM_PIECE);
        let mut piece = Vec::new();
        loop {
            let view = js_sys::Uint8Array::new(&buffer);
            let read = reader.read_with_array_buffer_view(&view);
            let result: web_sys::ReadableStreamReadResult =
                wasm_bindgen_futures::JsFuture::from(read)
                    .await
                    .map_err(cannot)?
                    .unchecked_into();
            if result.get_done().unwrap_or(false) {
                break;
            }
            // The bytes read, in the buffer handed back (the one given, moved).
            let bytes: js_sys::Uint8Array = result.get_value().unchecked_into();
            piece.resize(bytes.length() as usize, 0);
            bytes.copy_to(&mut piece);
            digest.update(&piece);
            buffer = bytes.buffer();
        }
        return Ok(digest.hex());
    }
    let mut source = BlobFile::new(blob, None)?;
    crate::hash_source(&mut source, &file).map_err(err)
}

/// Bytes asked of a stream at a time.
const STREAM_PIECE: u32 = 4 << 20;

/// A BYOB reader of the Blob's stream; `None` when the browser (or a stand-in Blob) has no
/// `stream()` or its stream takes no buffer of ours.
fn byob_reader(blob: &web_sys::Blob) -> Option<web_sys::ReadableStreamByobReader> {
    let stream = js_sys::Reflect::get(blob, &JsValue::from_str("stream")).ok()?;
    if !stream.is_function() {
        return None;
    }
    web_sys::ReadableStreamByobReader::new(&blob.stream()).ok()
}

/// The bytes of a Blob the page hands back (a run's masked CSV to export in another format),
/// read in pieces; an error names `file`.
pub(super) fn read_whole(blob: web_sys::Blob, file: &str) -> Result<Vec<u8>, JsValue> {
    use crate::table::csv::Source as _;
    let mut source = BlobFile::new(blob, None)?;
    let mut bytes = Vec::with_capacity(source.size as usize);
    let copied = source
        .open(0)
        .and_then(|mut r| std::io::copy(&mut r, &mut bytes));
    copied.map_err(|e| js_error(&format!("{file}: cannot read it: {e}")))?;
    Ok(bytes)
}

/// A File or Blob read in pieces with the worker's `FileReaderSync` (web-sys): 64 KiB first (the
/// reader often wants only the head), then 4 MiB, never the file whole. `on_read(bytes_done)`,
/// if given, is called after each piece (the page's progress of the read).
struct BlobFile {
    blob: web_sys::Blob,
    reader: web_sys::FileReaderSync,
    size: u64,
    on_read: Option<Function>,
}

impl BlobFile {
    fn new(blob: web_sys::Blob, on_read: Option<Function>) -> Result<BlobFile, JsValue> {
        let reader = web_sys::FileReaderSync::new().map_err(|e| {
            js_error(&format!(
                "this browser cannot read files in a worker (FileReaderSync): {}",
                js_text(&e)
            ))
        })?;
        let size = blob.size().max(0.0) as u64;
        Ok(BlobFile {
            blob,
            reader,
            size,
            on_read,
        })
    }

    /// The bytes `[from, from + len)` of the file, into `into` (its old bytes dropped). The
    /// browser's buffer of the piece is left to the collector: detaching it
    /// (`ArrayBuffer.transfer(0)`) kept every piece in Chromium (docs/benchmarks.md, round 8).
    fn piece(&self, from: u64, len: u64, into: &mut Vec<u8>) -> std::io::Result<()> {
        let read = |into: &mut Vec<u8>| -> Result<(), JsValue> {
            let slice = self
                .blob
                .slice_with_f64_and_f64(from as f64, (from + len) as f64)?;
            let buffer = self.reader.read_as_array_buffer(&slice)?;
            let view = js_sys::Uint8Array::new(&buffer);
            into.resize(view.length() as usize, 0);
            view.copy_to(into);
            Ok(())
        };
        read(into).map_err(|e| std::io::Error::other(js_text(&e)))?;
        if let Some(f) = &self.on_read {
            let _ = f.call1(&JsValue::NULL, &((from + into.len() as u64) as f64).into());
        }
        Ok(())
    }
}

/// The text of a thrown JS value (an Error's message, a string), for an error about the file.
pub(super) fn js_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| "the browser could not read the file".into())
}

impl crate::table::csv::Source for BlobFile {
    fn len(&self) -> u64 {
        self.size
    }
    fn open(&mut self, from: u64) -> std::io::Result<Box<dyn std::io::Read + '_>> {
        Ok(Box::new(BlobReader {
            file: self,
            pos: from,
            chunk: Vec::new(),
            at: 0,
            first: true,
        }))
    }
}

/// Reads a `BlobFile` from a position, a piece at a time.
struct BlobReader<'a> {
    file: &'a BlobFile,
    pos: u64,
    chunk: Vec<u8>,
    at: usize,
    first: bool,
}

impl std::io::Read for BlobReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at >= self.chunk.len() {
            if self.pos >= self.file.size {
                return Ok(0);
            }
            let want: u64 = if self.first { 64 << 10 } else { 4 << 20 };
            self.first = false;
            let len = want.min(self.file.size - self.pos);
            self.file.piece(self.pos, len, &mut self.chunk)?;
            if self.chunk.is_empty() {
                return Ok(0);
            }
            self.pos += self.chunk.len() as u64;
            self.at = 0;
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// The reading options of the Load step: `encoding` (a WHATWG label; absent: detected) and
/// `sheet` (a workbook's sheet, its name or position from 1; absent: the first with data).
fn read_options(encoding: Option<String>, sheet: Option<String>) -> crate::table::csv::CsvOptions {
    crate::table::csv::CsvOptions {
        encoding: encoding.filter(|e| !e.is_empty()),
        sheet: sheet.filter(|s| !s.is_empty()),
        ..Default::default()
    }
}

#[wasm_bindgen]
impl Session {
    /// Reads a File or Blob in pieces (`FileReaderSync`, so in a worker), never holding it
    /// whole, straight into the core's columns, with the Load step's `encoding` and `sheet` (see
    /// `read_options`; every pool worker reads with the same ones). `sha256`: the file's
    /// fingerprint when the caller has it; `later`: another worker is hashing it (`sha256_blob`)
    /// and it comes with `set_sha256`, until when `profile`, `run`, `stage`, `finish` and
    /// `export_model` refuse; neither: the file is hashed here. `on_read(bytes_done)` is called
    /// after each piece read. Throws an Error naming the file and position on failure.
    #[allow(clippy::too_many_arguments)]
    pub fn from_blob(
        blob: web_sys::Blob,
        file: &str,
        sha256: Option<String>,
        later: bool,
        encoding: Option<String>,
        sheet: Option<String>,
        on_read: Option<Function>,
    ) -> Result<Session, JsValue> {
        let digest = crate::Digest::of(later, sha256.as_deref());
        let mut source = BlobFile::new(blob, on_read)?;
        let options = read_options(encoding, sheet);
        Session::of(crate::load_source_with(&mut source, file, digest, &options))
    }

    /// As `new` (bytes in memory), read with the Load step's `encoding` and `sheet`.
    pub fn new_with(
        bytes: &[u8],
        file: &str,
        sha256: Option<String>,
        encoding: Option<String>,
        sheet: Option<String>,
    ) -> Result<Session, JsValue> {
        let mut source = bytes;
        let digest = crate::Digest::of(false, sha256.as_deref());
        let options = read_options(encoding, sheet);
        Session::of(crate::load_source_with(&mut source, file, digest, &options))
    }
}

/// The columnar format a file's first bytes announce (`parquet`, `arrow`, `arrow_stream`), or

#[wasm_bindgen]
impl Session {
    /// Reads the CSV text the columnar module made of a Parquet or Arrow file (a Blob, read in
    /// pieces as `from_blob` reads a file), with that module's notes (JSON, complete: read after
    /// its last chunk). `file` is the original file's name and `sha256` its fingerprint (or, with
    /// `later`, given with `set_sha256`): the text is never hashed. `on_read` as for `from_blob`.
    pub fn from_columnar_text(
        text: web_sys::Blob,
        file: &str,
        sha256: Option<String>,
        later: bool,
        notes: &str,
        on_read: Option<Function>,
    ) -> Result<Session, JsValue> {
        let notes: crate::table::columnar::Notes =
            serde_json::from_str(notes).map_err(|e| js_error(&format!("columnar notes: {e}")))?;
        let digest = crate::Digest::of(later, sha256.as_deref());
        let mut source = BlobFile::new(text, on_read)?;
        Session::of(crate::load_columnar_text(
            &mut source,
            &notes,
            file,
            digest,
            &Default::default(),
        ))
    }
}
