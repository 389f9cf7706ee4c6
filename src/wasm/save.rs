//! The files a run gives the page (the masked table, the out-of-fold predictions) written into a
//! Blob piece by piece (web-sys), so that a large one is never whole in the wasm heap nor copied
//! as a string from it to the worker and again to the page's thread: the Blob goes by reference.

use super::js_error;
use std::io::Write;
use wasm_bindgen::prelude::*;

/// The bytes gathered in the wasm heap before they go into the Blob.
const PIECE: usize = 4 << 20;

/// A [`Write`] sink that builds a Blob of media type `media_type`: each full piece is copied out
/// and the Blob so far is joined with it (a Blob made of Blobs refers to them, it copies nothing).
pub(super) struct BlobSink {
    blob: Option<web_sys::Blob>,
    piece: Vec<u8>,
    media_type: &'static str,
}

impl BlobSink {
    pub(super) fn new(media_type: &'static str) -> BlobSink {
        BlobSink {
            blob: None,
            piece: Vec::new(),
            media_type,
        }
    }

    /// The piece gathered so far joined to the Blob.
    fn join(&mut self) -> Result<(), JsValue> {
        if self.piece.is_empty() && self.blob.is_some() {
            return Ok(());
        }
        let parts = js_sys::Array::new();
        if let Some(blob) = &self.blob {
            parts.push(blob);
        }
        // A view of the piece in the wasm memory, not a copy: the Blob constructor copies the
        // bytes into the browser's store at once, so no 4 MiB array per piece is left to the
        // garbage collector (at 1,000,000 rows, 300 MB of them lingered in the worker).
        // SAFETY: the view is used only by the constructor below, which calls no Rust code,
        // so the wasm memory cannot grow (and detach it) nor the piece change while it lives.
        let view = unsafe { js_sys::Uint8Array::view(&self.piece) };
        parts.push(&view);
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(self.media_type);
        let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options);
        parts.set_length(0);
        self.blob = Some(blob?);
        self.piece.clear();
        Ok(())
    }

    /// The Blob of every byte written.
    pub(super) fn into_blob(mut self) -> Result<web_sys::Blob, JsValue> {
        self.join()?;
        self.blob
            .ok_or_else(|| js_error("the file's Blob was not made"))
    }
}

impl Write for BlobSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.piece.capacity() == 0 {
            self.piece.reserve_exact(PIECE);
        }
        self.piece.extend_from_slice(buf);
        if self.piece.len() >= PIECE {
            self.join().map_err(|e| {
                std::io::Error::other(format!(
                    "the browser could not hold the file (Blob): {}",
                    super::load::js_text(&e)
                ))
            })?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
