//! Writing: a Parquet file from plain column descriptions ([`OutColumn`]).

use crate::{OutColumn, OutValues};
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, Date32Array, DictionaryArray, Float64Array, RecordBatch, StringArray};
use arrow_schema::{Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::sync::Arc;

/// The columns as a Parquet file (snappy-compressed, one row group per million rows): numbers
/// as doubles, categories as dictionary-encoded strings (read back as categories), dates as
/// dates, text as UTF-8 strings; missing cells are nulls. Parquet cells are typed, so text is
/// written as it is. Every column must have the same length.
pub fn write_parquet(columns: &[OutColumn]) -> Result<Vec<u8>, String> {
    let fail = |e: &dyn std::fmt::Display| format!("cannot write the Parquet file: {e}");
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for col in columns {
        let array: ArrayRef = match &col.values {
            OutValues::Numbers(v) => Arc::new(Float64Array::from(
                v.iter()
                    .map(|x| x.filter(|x| !x.is_nan()))
                    .collect::<Vec<_>>(),
            )),
            OutValues::Category(v) => {
                let d: DictionaryArray<Int32Type> = v.iter().map(|s| s.as_deref()).collect();
                Arc::new(d)
            }
            OutValues::Dates(v) => Arc::new(Date32Array::from(v.clone())),
            OutValues::Text(v) => Arc::new(StringArray::from(
                v.iter().map(|s| s.as_deref()).collect::<Vec<_>>(),
            )),
        };
        fields.push(Field::new(&col.name, array.data_type().clone(), true));
        arrays.push(array);
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = if arrays.is_empty() {
        RecordBatch::new_empty(schema.clone())
    } else {
        RecordBatch::try_new(schema.clone(), arrays).map_err(|e| fail(&e))?
    };
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by("bedside".into())
        .build();
    let mut w = ArrowWriter::try_new(Vec::new(), schema, Some(props)).map_err(|e| fail(&e))?;
    w.write(&batch).map_err(|e| fail(&e))?;
    w.into_inner().map_err(|e| fail(&e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::File;

    #[test]
    fn written_columns_read_back_as_text_and_notes() {
        let columns = vec![
            OutColumn {
                name: "age".into(),
                values: OutValues::Numbers(vec![Some(34.0), None, Some(51.5)]),
            },
            OutColumn {
                name: "sex".into(),
                values: OutValues::Category(vec![Some("F".into()), Some("M".into()), None]),
            },
            OutColumn {
                name: "seen".into(),
                values: OutValues::Dates(vec![Some(0), None, Some(19_782)]),
            },
            OutColumn {
                name: "note".into(),
                values: OutValues::Text(vec![Some("a, b".into()), Some("two\nlines".into()), None]),
            },
        ];
        let bytes = write_parquet(&columns).unwrap();
        assert!(bytes.starts_with(b"PAR1"));
        let file = File::open(bytes).unwrap();
        assert_eq!(file.notes().header, ["age", "sex", "seen", "note"]);
        assert_eq!(file.notes().dictionary, ["sex"]);
        let mut text = file.text().unwrap();
        let mut all = Vec::new();
        while let Some(chunk) = text.next_chunk().unwrap() {
            all.extend(chunk);
        }
        assert_eq!(
            String::from_utf8(all).unwrap(),
            "age,sex,seen,note\n34,F,1970-01-01,\"a, b\"\n,M,,\"two\nlines\"\n51.5,,2024-02-29,\n"
        );
        assert_eq!(text.notes().shifts, [(5, 1)]);
        assert_eq!(text.notes().record_line(5), 4);
    }
}
