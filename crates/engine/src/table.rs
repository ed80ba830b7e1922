//! Cohort results as Arrow tables and Parquet files, and the cohort output directory.
//!
//! A cohort run writes into one directory:
//!
//! * `chunks/draws-SSSSSSSSS-EEEEEEEEE.parquet` — the rows of draws `S..E`, one file per finished
//!   chunk, written under a temporary name and renamed, so that an interrupted run resumes from
//!   its finished chunks (`chunks/cohort.sha256` says which cohort file they belong to);
//! * `summary.parquet` — every row in draw order, written from the chunks in fixed slices of
//!   [`SLICE_ROWS`] rows with fixed writer settings: the bytes depend only on the rows, so the
//!   same cohort file gives a byte-identical table whatever the chunking, the thread count or the
//!   machines (a Dask run stores its chunks through the same functions);
//! * `metadata.json` — engine version, parameter-file hash, cohort-file hash, seed, draws, the
//!   columns and their meaning, and the disclaimer.
//!
//! This is the one module of the engine that touches files: the CLI and the Python package
//! share it, so that both write the same dataset.

use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int8Builder, Int32Builder, Int64Builder, StringBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::cohort::{Cohort, CohortError, CohortRow, Drawn, DrawnKind, SUMMARY_COLUMNS, chunks};

/// The embedded human parameter file (hashed into the metadata).
const HUMAN_PARAMETERS: &str = include_str!("../../../data/params/human.toml");

/// Rows per slice handed to the Parquet writer (and per row group at most).
pub const SLICE_ROWS: usize = 65_536;

/// The summary table's schema for a cohort: the fixed columns, then one per distribution.
pub fn summary_schema(cohort: &Cohort) -> SchemaRef {
    let mut fields = vec![
        Field::new("draw", DataType::Int64, false),
        Field::new("plan", DataType::Utf8, false),
        Field::new("muscle", DataType::Utf8, false),
        Field::new("nerve", DataType::Utf8, false),
        Field::new("grade", DataType::Utf8, false),
        Field::new("distance_mm", DataType::Float64, false),
        Field::new("first_reinnervation_day", DataType::Int32, true),
        Field::new("mrc_3_day", DataType::Int32, true),
        Field::new("mrc_365", DataType::Int8, false),
        Field::new("mrc_730", DataType::Int8, false),
        Field::new("mrc_end", DataType::Int8, false),
        Field::new("axons_before_window", DataType::Boolean, false),
        Field::new("operated", DataType::Boolean, false),
    ];
    for (name, kind) in cohort.drawn_columns() {
        let t = match kind {
            DrawnKind::Number => DataType::Float64,
            DrawnKind::Flag => DataType::Boolean,
            DrawnKind::Text => DataType::Utf8,
        };
        fields.push(Field::new(name, t, false));
    }
    Arc::new(Schema::new(fields))
}

fn table_err(e: impl std::fmt::Display) -> CohortError {
    CohortError::Table(e.to_string())
}

/// The rows as one Arrow record batch.
pub fn summary_batch(cohort: &Cohort, rows: &[CohortRow]) -> Result<RecordBatch, CohortError> {
    let n = rows.len();
    let mut draw = Int64Builder::with_capacity(n);
    let mut plan = StringBuilder::new();
    let mut muscle = StringBuilder::new();
    let mut nerve = StringBuilder::new();
    let mut grade = StringBuilder::new();
    let mut distance = Float64Builder::with_capacity(n);
    let mut first = Int32Builder::with_capacity(n);
    let mut mrc3 = Int32Builder::with_capacity(n);
    let mut m365 = Int8Builder::with_capacity(n);
    let mut m730 = Int8Builder::with_capacity(n);
    let mut mend = Int8Builder::with_capacity(n);
    let mut window = BooleanBuilder::with_capacity(n);
    let mut operated = BooleanBuilder::with_capacity(n);
    let kinds = cohort.drawn_columns();
    let mut numbers: Vec<Float64Builder> = Vec::new();
    let mut flags: Vec<BooleanBuilder> = Vec::new();
    let mut texts: Vec<StringBuilder> = Vec::new();
    for (_, k) in &kinds {
        match k {
            DrawnKind::Number => numbers.push(Float64Builder::with_capacity(n)),
            DrawnKind::Flag => flags.push(BooleanBuilder::with_capacity(n)),
            DrawnKind::Text => texts.push(StringBuilder::new()),
        }
    }
    for r in rows {
        draw.append_value(r.draw as i64);
        plan.append_value(&r.plan);
        muscle.append_value(&r.muscle);
        nerve.append_value(&r.nerve);
        grade.append_value(&r.grade);
        distance.append_value(r.distance_mm);
        first.append_option(r.first_reinnervation_day.map(|d| d as i32));
        mrc3.append_option(r.mrc_3_day.map(|d| d as i32));
        m365.append_value(r.mrc_365 as i8);
        m730.append_value(r.mrc_730 as i8);
        mend.append_value(r.mrc_end as i8);
        window.append_value(r.axons_before_window);
        operated.append_value(r.operated);
        let (mut a, mut b, mut c) = (0, 0, 0);
        for ((name, kind), v) in kinds.iter().zip(&r.drawn) {
            match (kind, v) {
                (DrawnKind::Number, Drawn::Number(x)) => {
                    numbers[a].append_value(*x);
                    a += 1;
                }
                (DrawnKind::Flag, Drawn::Flag(x)) => {
                    flags[b].append_value(*x);
                    b += 1;
                }
                (DrawnKind::Text, v) => {
                    let s = match v {
                        Drawn::Text(s) => s.clone(),
                        Drawn::Number(x) => x.to_string(),
                        Drawn::Flag(x) => x.to_string(),
                    };
                    texts[c].append_value(s);
                    c += 1;
                }
                (kind, v) => {
                    return Err(CohortError::Table(format!(
                        "column `{name}` is {kind:?} but draw {} gave {v:?}",
                        r.draw
                    )));
                }
            }
        }
    }
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(draw.finish()),
        Arc::new(plan.finish()),
        Arc::new(muscle.finish()),
        Arc::new(nerve.finish()),
        Arc::new(grade.finish()),
        Arc::new(distance.finish()),
        Arc::new(first.finish()),
        Arc::new(mrc3.finish()),
        Arc::new(m365.finish()),
        Arc::new(m730.finish()),
        Arc::new(mend.finish()),
        Arc::new(window.finish()),
        Arc::new(operated.finish()),
    ];
    let (mut a, mut b, mut c) = (numbers.into_iter(), flags.into_iter(), texts.into_iter());
    for (_, k) in &kinds {
        let col: Option<ArrayRef> = match k {
            DrawnKind::Number => a.next().map(|mut x| Arc::new(x.finish()) as ArrayRef),
            DrawnKind::Flag => b.next().map(|mut x| Arc::new(x.finish()) as ArrayRef),
            DrawnKind::Text => c.next().map(|mut x| Arc::new(x.finish()) as ArrayRef),
        };
        columns.push(col.ok_or_else(|| table_err("a drawn column is missing"))?);
    }
    RecordBatch::try_new(summary_schema(cohort), columns).map_err(table_err)
}

fn properties() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(SLICE_ROWS))
        .set_created_by(format!("reinnervate {}", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Writes a batch as Parquet bytes, in fixed slices of [`SLICE_ROWS`] rows.
pub fn to_parquet(batch: &RecordBatch) -> Result<Vec<u8>, CohortError> {
    let mut out = Vec::new();
    let mut w =
        ArrowWriter::try_new(&mut out, batch.schema(), Some(properties())).map_err(table_err)?;
    let mut at = 0;
    while at < batch.num_rows() {
        let len = SLICE_ROWS.min(batch.num_rows() - at);
        w.write(&batch.slice(at, len)).map_err(table_err)?;
        at += len;
    }
    w.close().map_err(table_err)?;
    Ok(out)
}

/// Reads a Parquet file's batches.
pub fn read_parquet(path: &Path) -> Result<Vec<RecordBatch>, CohortError> {
    let f = fs::File::open(path).map_err(|e| io(path, e))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(f)
        .map_err(|e| table_err(format!("{}: {e}", path.display())))?
        .with_batch_size(SLICE_ROWS)
        .build()
        .map_err(table_err)?;
    reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| table_err(format!("{}: {e}", path.display())))
}

fn io(path: &Path, e: impl std::fmt::Display) -> CohortError {
    CohortError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// The file of a chunk of draws.
pub fn chunk_path(dir: &Path, range: &Range<usize>) -> PathBuf {
    dir.join("chunks")
        .join(format!("draws-{:09}-{:09}.parquet", range.start, range.end))
}

/// Prepares `dir` for a run of `cohort` and returns the chunks still to run. Refuses a
/// directory that holds chunks of another cohort file.
pub fn prepare(
    cohort: &Cohort,
    dir: &Path,
    draws: usize,
    chunk: usize,
) -> Result<Vec<Range<usize>>, CohortError> {
    let cdir = dir.join("chunks");
    fs::create_dir_all(&cdir).map_err(|e| io(&cdir, e))?;
    let mark = cdir.join("cohort.sha256");
    match fs::read_to_string(&mark) {
        Ok(h) if h.trim() == cohort.sha256 => {}
        Ok(h) => {
            return Err(CohortError::Field {
                field: "--out".into(),
                value: dir.display().to_string(),
                expected: format!(
                    "a new directory, or one holding a run of this cohort file (it holds chunks \
                     of a file with SHA-256 {}; this one is {})",
                    h.trim(),
                    cohort.sha256
                ),
            });
        }
        Err(_) => fs::write(&mark, format!("{}\n", cohort.sha256)).map_err(|e| io(&mark, e))?,
    }
    Ok(chunks(draws, chunk)
        .into_iter()
        .filter(|r| !chunk_path(dir, r).is_file())
        .collect())
}

/// Stores the Parquet bytes of a finished chunk (temporary name, then rename).
pub fn store_chunk(dir: &Path, range: &Range<usize>, bytes: &[u8]) -> Result<(), CohortError> {
    let path = chunk_path(dir, range);
    let tmp = path.with_extension("parquet.tmp");
    fs::write(&tmp, bytes).map_err(|e| io(&tmp, e))?;
    fs::rename(&tmp, &path).map_err(|e| io(&path, e))
}

/// What a finished cohort run wrote.
#[derive(Debug, Clone, Serialize)]
pub struct CohortMetadata {
    /// Always `reinnervate cohort`.
    pub software: &'static str,
    /// The engine's version.
    pub engine_version: &'static str,
    /// SHA-256 of the embedded human parameter file.
    pub parameters_sha256: String,
    /// The cohort's title.
    pub title: String,
    /// SHA-256 of the cohort file.
    pub cohort_sha256: String,
    /// The cohort seed.
    pub seed: u64,
    /// Draws run.
    pub draws: usize,
    /// Rows of the summary table.
    pub rows: usize,
    /// The plans, `baseline` first.
    pub plans: Vec<String>,
    /// The summary table's columns and their meaning.
    pub columns: Vec<(String, String)>,
    /// The statement every output carries.
    pub disclaimer: &'static str,
}

/// Writes `summary.parquet` and `metadata.json` from the chunk files of `draws` draws in chunks
/// of `chunk`.
pub fn finish(
    cohort: &Cohort,
    dir: &Path,
    draws: usize,
    chunk: usize,
) -> Result<CohortMetadata, CohortError> {
    let schema = summary_schema(cohort);
    let mut batches = Vec::new();
    for r in chunks(draws, chunk) {
        let path = chunk_path(dir, &r);
        if !path.is_file() {
            return Err(io(&path, "chunk missing: run the cohort first"));
        }
        for b in read_parquet(&path)? {
            if b.schema().fields() != schema.fields() {
                return Err(table_err(format!(
                    "{}: columns differ from this cohort's",
                    path.display()
                )));
            }
            batches.push(b);
        }
    }
    let all = arrow_select::concat::concat_batches(&schema, &batches).map_err(table_err)?;
    let bytes = to_parquet(&all)?;
    let summary = dir.join("summary.parquet");
    let tmp = dir.join("summary.parquet.tmp");
    fs::write(&tmp, &bytes).map_err(|e| io(&tmp, e))?;
    fs::rename(&tmp, &summary).map_err(|e| io(&summary, e))?;
    let mut columns: Vec<(String, String)> = SUMMARY_COLUMNS
        .iter()
        .map(|(n, d)| (n.to_string(), d.to_string()))
        .collect();
    for (name, _) in cohort.drawn_columns() {
        columns.push((name, "drawn from the cohort file's distribution".into()));
    }
    let mut plans = vec!["baseline".to_string()];
    plans.extend(cohort.plan_names());
    let meta = CohortMetadata {
        software: "reinnervate cohort",
        engine_version: env!("CARGO_PKG_VERSION"),
        parameters_sha256: format!("{:x}", Sha256::digest(HUMAN_PARAMETERS.as_bytes())),
        title: cohort.title.clone(),
        cohort_sha256: cohort.sha256.clone(),
        seed: cohort.seed,
        draws,
        rows: all.num_rows(),
        plans,
        columns,
        disclaimer: crate::DISCLAIMER,
    };
    let path = dir.join("metadata.json");
    let text = serde_json::to_string_pretty(&meta).map_err(table_err)?;
    fs::write(&path, text + "\n").map_err(|e| io(&path, e))?;
    Ok(meta)
}
