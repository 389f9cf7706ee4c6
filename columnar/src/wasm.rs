//! The page's columnar module (`www/pkg/columnar.js`, `columnar_bg.wasm`), loaded by the worker
//! only when a Parquet or Arrow file is dropped or a Parquet export is asked for. Thin: the work
//! is in `read` and `write`.

use wasm_bindgen::prelude::*;

fn js_error(text: &str) -> JsValue {
    js_sys::Error::new(text).into()
}

/// A columnar file being turned into CSV text, one batch at a time.
#[wasm_bindgen]
pub struct Reader {
    text: crate::Text,
}

#[wasm_bindgen]
impl Reader {
    /// Recognises, checks and opens the file's bytes; throws an Error with the reason (the
    /// caller names the file).
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: Vec<u8>) -> Result<Reader, JsValue> {
        let file = crate::File::open(bytes).map_err(|e| js_error(&e))?;
        let text = file.text().map_err(|e| js_error(&e))?;
        Ok(Reader { text })
    }

    /// The format's name (`parquet`, `arrow`, `arrow_stream`).
    pub fn format(&self) -> String {
        self.text
            .notes()
            .format
            .map_or("", |f| f.name())
            .to_string()
    }

    /// The notes as JSON (`bedside_columnar::Notes`); the line shifts are complete once
    /// `next_chunk` has returned undefined.
    pub fn notes(&self) -> Result<String, JsValue> {
        serde_json::to_string(self.text.notes()).map_err(|e| js_error(&e.to_string()))
    }

    /// The CSV bytes of the next batch (the first starts with the header), or undefined at the end.
    pub fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, JsValue> {
        self.text.next_chunk().map_err(|e| js_error(&e))
    }
}

/// A Parquet file from column descriptions as JSON (`[{name, kind, values}]`, see
/// `bedside_columnar::OutColumn`).
#[wasm_bindgen]
pub fn write_parquet(columns: &str) -> Result<Vec<u8>, JsValue> {
    let columns: Vec<crate::OutColumn> =
        serde_json::from_str(columns).map_err(|e| js_error(&format!("columns: {e}")))?;
    crate::write_parquet(&columns).map_err(|e| js_error(&e))
}

/// The format the first bytes announce (`parquet`, `arrow`, `arrow_stream`), or undefined.
#[wasm_bindgen]
pub fn format_of(head: &[u8]) -> Option<String> {
    crate::format_of(head).map(|f| f.name().to_string())
}
