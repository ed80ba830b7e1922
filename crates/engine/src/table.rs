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
//! * with time courses asked for (`--courses STEP`): `chunks/courses-every-STEP-S-E.parquet` per
//!   chunk and `courses.parquet` — one row per draw, plan, affected muscle and day (every STEP
//!   days), written from the chunks the same way, streamed chunk by chunk;
//! * `metadata.json` — engine version, parameter-file hash, cohort-file hash, seed, draws, the
//!   columns and their meaning, and the disclaimer.
//!
//! This is the one module of the engine that touches files: the CLI and the Python package
//! share it, so that both write the same dataset.
//!
//! It is also the one Parquet writer of the workspace: [`rows_batch`] turns any serialisable rows
//! into an Arrow table (one column per scalar field, nested fields flattened to `a.b` and
//! `a[0]`, in the order the rows serialise them), which [`simulation_table`],
//! [`prognosis_table`] and [`calibration_table`] use for the `--parquet` files of `simulate`,
//! `prognosis` and `calibrate`, and [`to_parquet`] writes.

use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::ArrayRef;
/// An Arrow table (what the table functions return; [`to_parquet`] writes it).
pub use arrow_array::RecordBatch;
use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int8Builder, Int32Builder, Int64Builder, StringBuilder,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use serde::Serialize;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use sha2::{Digest, Sha256};
use thiserror::Error;

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

/// A Parquet table could not be built, written or read.
#[derive(Debug, Error, Clone, PartialEq)]
#[error("Parquet table: {0}")]
pub struct TableError(pub String);

fn table_err(e: impl std::fmt::Display) -> TableError {
    TableError(e.to_string())
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
                    return Err(CohortError::Table(TableError(format!(
                        "column `{name}` is {kind:?} but draw {} gave {v:?}",
                        r.draw
                    ))));
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
    Ok(RecordBatch::try_new(summary_schema(cohort), columns).map_err(table_err)?)
}

fn properties() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(SLICE_ROWS))
        .set_created_by(format!("reinnervate {}", env!("CARGO_PKG_VERSION")))
        .build()
}

/// The one Parquet writer: every batch pushed is written in fixed slices of [`SLICE_ROWS`] rows
/// counted from the table's first row, whatever the sizes of the batches pushed, so the bytes
/// depend only on the rows (not on how they were chunked) and memory holds at most one pushed
/// batch and one slice.
struct SliceWriter<W: std::io::Write + Send> {
    writer: ArrowWriter<W>,
    schema: SchemaRef,
    pending: Option<RecordBatch>,
}

impl<W: std::io::Write + Send> SliceWriter<W> {
    fn new(out: W, schema: SchemaRef) -> Result<Self, TableError> {
        let writer =
            ArrowWriter::try_new(out, schema.clone(), Some(properties())).map_err(table_err)?;
        Ok(SliceWriter {
            writer,
            schema,
            pending: None,
        })
    }

    fn push(&mut self, batch: &RecordBatch) -> Result<(), TableError> {
        let all = match self.pending.take() {
            None => batch.clone(),
            Some(p) => arrow_select::concat::concat_batches(&self.schema, [&p, batch])
                .map_err(table_err)?,
        };
        let mut at = 0;
        while all.num_rows() - at >= SLICE_ROWS {
            self.writer
                .write(&all.slice(at, SLICE_ROWS))
                .map_err(table_err)?;
            at += SLICE_ROWS;
        }
        if at < all.num_rows() {
            self.pending = Some(all.slice(at, all.num_rows() - at));
        }
        Ok(())
    }

    fn finish(mut self) -> Result<(), TableError> {
        if let Some(p) = self.pending.take() {
            self.writer.write(&p).map_err(table_err)?;
        }
        self.writer.close().map_err(table_err)?;
        Ok(())
    }
}

/// Writes a batch as Parquet bytes, in fixed slices of [`SLICE_ROWS`] rows.
pub fn to_parquet(batch: &RecordBatch) -> Result<Vec<u8>, TableError> {
    let mut out = Vec::new();
    let mut w = SliceWriter::new(&mut out, batch.schema())?;
    w.push(batch)?;
    w.finish()?;
    Ok(out)
}

/// Reads a Parquet file's batches (with the file's schema, its metadata included).
pub fn read_parquet(path: &Path) -> Result<Vec<RecordBatch>, TableError> {
    let named = |e: &dyn std::fmt::Display| table_err(format!("{}: {e}", path.display()));
    let f = fs::File::open(path).map_err(|e| named(&e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(f).map_err(|e| named(&e))?;
    let schema = builder.schema().clone();
    let reader = builder
        .with_batch_size(SLICE_ROWS)
        .build()
        .map_err(table_err)?;
    reader
        .map(|b| {
            b.map_err(|e| named(&e))?
                .with_schema(schema.clone())
                .map_err(|e| named(&e))
        })
        .collect()
}

fn io(path: &Path, e: impl std::fmt::Display) -> CohortError {
    CohortError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// The columns of the time-course table, with their meaning.
pub const COURSE_COLUMNS: &[(&str, &str)] = &[
    ("draw", "the draw's index (0-based)"),
    ("plan", "`baseline` or a listed plan's name"),
    ("muscle", "the affected muscle (atlas name)"),
    (
        "day",
        "day after the start of the case (0, step, 2 step, ... up to the horizon)",
    ),
    ("mrc_grade", "MRC strength grade, 0-5"),
    (
        "fibrillation_grade",
        "fibrillations and positive sharp waves, 0-4",
    ),
    (
        "voluntary_force_fraction",
        "maximal force through the nerve / healthy",
    ),
    (
        "cmap_fraction",
        "CMAP amplitude, stimulation distal to the lesion / healthy",
    ),
    (
        "proximal_cmap_fraction",
        "CMAP amplitude, stimulation proximal to the lesion / healthy",
    ),
    (
        "innervated_fiber_fraction",
        "share of surviving fibres with a motor axon",
    ),
    (
        "motor_unit_count_fraction",
        "functional motor units / healthy",
    ),
    (
        "voluntary_unit_count_fraction",
        "units a voluntary command can fire / healthy units",
    ),
    (
        "motor_unit_size_fraction",
        "mean fibres per functional unit / healthy",
    ),
    (
        "muscle_csa_fraction",
        "whole-muscle cross-section / healthy",
    ),
    (
        "fat_fibrous_fraction",
        "share of muscle volume that is fat or connective tissue",
    ),
    (
        "conduction_block_fraction",
        "share of connected axons blocked at the lesion",
    ),
];

/// The number columns of the time-course table after `mrc_grade` and `fibrillation_grade`.
const COURSE_NUMBERS: &[fn(&twin::Quantities) -> f64] = &[
    |q| q.voluntary_force_fraction,
    |q| q.cmap_fraction,
    |q| q.proximal_cmap_fraction,
    |q| q.innervated_fiber_fraction,
    |q| q.motor_unit_count_fraction,
    |q| q.voluntary_unit_count_fraction,
    |q| q.motor_unit_size_fraction,
    |q| q.muscle_csa_fraction,
    |q| q.fat_fibrous_fraction,
    |q| q.conduction_block_fraction,
];

/// The time-course table's schema.
pub fn course_schema() -> SchemaRef {
    let mut fields = vec![
        Field::new("draw", DataType::Int64, false),
        Field::new("plan", DataType::Utf8, false),
        Field::new("muscle", DataType::Utf8, false),
        Field::new("day", DataType::Int32, false),
        Field::new("mrc_grade", DataType::Int8, false),
        Field::new("fibrillation_grade", DataType::Int8, false),
    ];
    for (name, _) in &COURSE_COLUMNS[6..] {
        fields.push(Field::new(*name, DataType::Float64, false));
    }
    Arc::new(Schema::new(fields))
}

/// The time courses of a cohort's draws as one Arrow table: one row per draw, plan, affected
/// muscle and day (every `step` days).
pub fn course_batch(
    runs: &[crate::cohort::CourseRun],
    step: u32,
) -> Result<RecordBatch, TableError> {
    let n: usize = runs.iter().map(|r| r.days.len()).sum();
    let mut draw = Int64Builder::with_capacity(n);
    let mut plan = StringBuilder::new();
    let mut muscle = StringBuilder::new();
    let mut day = Int32Builder::with_capacity(n);
    let mut mrc = Int8Builder::with_capacity(n);
    let mut fib = Int8Builder::with_capacity(n);
    let mut numbers: Vec<Float64Builder> = COURSE_NUMBERS
        .iter()
        .map(|_| Float64Builder::with_capacity(n))
        .collect();
    for r in runs {
        for (i, q) in r.days.iter().enumerate() {
            if q.day as usize != i * step as usize {
                return Err(table_err(format!(
                    "draw {} {} {}: day {} where day {} was expected",
                    r.draw,
                    r.plan,
                    r.muscle,
                    q.day,
                    i * step as usize
                )));
            }
            draw.append_value(r.draw as i64);
            plan.append_value(&r.plan);
            muscle.append_value(&r.muscle);
            day.append_value(q.day as i32);
            mrc.append_value(q.mrc_grade as i8);
            fib.append_value(q.fibrillation_grade as i8);
            for (b, f) in numbers.iter_mut().zip(COURSE_NUMBERS) {
                b.append_value(f(q));
            }
        }
    }
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(draw.finish()),
        Arc::new(plan.finish()),
        Arc::new(muscle.finish()),
        Arc::new(day.finish()),
        Arc::new(mrc.finish()),
        Arc::new(fib.finish()),
    ];
    for mut b in numbers {
        columns.push(Arc::new(b.finish()));
    }
    RecordBatch::try_new(course_schema(), columns).map_err(table_err)
}

/// The file of a chunk of draws.
pub fn chunk_path(dir: &Path, range: &Range<usize>) -> PathBuf {
    dir.join("chunks")
        .join(format!("draws-{:09}-{:09}.parquet", range.start, range.end))
}

/// The time-course file of a chunk of draws, every `step` days.
pub fn course_chunk_path(dir: &Path, range: &Range<usize>, step: u32) -> PathBuf {
    dir.join("chunks").join(format!(
        "courses-every-{step}-{:09}-{:09}.parquet",
        range.start, range.end
    ))
}

/// Prepares `dir` for a run of `cohort` and returns the chunks still to run (a chunk is done
/// when its file, and with `course_step` > 0 its time-course file, are there). Refuses a
/// directory that holds chunks of another cohort file.
pub fn prepare(
    cohort: &Cohort,
    dir: &Path,
    draws: usize,
    chunk: usize,
    course_step: u32,
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
        .filter(|r| {
            !chunk_path(dir, r).is_file()
                || (course_step > 0 && !course_chunk_path(dir, r, course_step).is_file())
        })
        .collect())
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), CohortError> {
    let tmp = path.with_extension("parquet.tmp");
    fs::write(&tmp, bytes).map_err(|e| io(&tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| io(path, e))
}

/// Stores the Parquet bytes of a finished chunk (temporary name, then rename).
pub fn store_chunk(dir: &Path, range: &Range<usize>, bytes: &[u8]) -> Result<(), CohortError> {
    write_atomic(&chunk_path(dir, range), bytes)
}

/// Stores the time-course Parquet bytes of a finished chunk (before [`store_chunk`]).
pub fn store_courses(
    dir: &Path,
    range: &Range<usize>,
    step: u32,
    bytes: &[u8],
) -> Result<(), CohortError> {
    write_atomic(&course_chunk_path(dir, range, step), bytes)
}

/// What a finished cohort run wrote of the time courses.
#[derive(Debug, Clone, Serialize)]
pub struct CoursesMetadata {
    /// The file, in the output directory.
    pub file: &'static str,
    /// Days between two rows of one draw, plan and muscle (1: daily).
    pub step_days: u32,
    /// Rows of the table.
    pub rows: usize,
    /// The columns and their meaning.
    pub columns: Vec<(String, String)>,
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
    /// The time-course table (`courses.parquet`), or null when the run wrote none.
    pub courses: Option<CoursesMetadata>,
    /// The statement every output carries.
    pub disclaimer: &'static str,
}

/// Streams the chunk files `path(range)` of every chunk, in draw order, into one Parquet file
/// at `out` (temporary name, then rename); the rows written.
fn join_chunks(
    schema: &SchemaRef,
    ranges: &[Range<usize>],
    path: impl Fn(&Range<usize>) -> PathBuf,
    out: &Path,
) -> Result<usize, CohortError> {
    let tmp = out.with_extension("parquet.tmp");
    let file = fs::File::create(&tmp).map_err(|e| io(&tmp, e))?;
    let mut w = SliceWriter::new(std::io::BufWriter::new(file), schema.clone())?;
    let mut rows = 0;
    for r in ranges {
        let p = path(r);
        if !p.is_file() {
            return Err(io(&p, "chunk missing: run the cohort first"));
        }
        for b in read_parquet(&p)? {
            if b.schema().fields() != schema.fields() {
                return Err(CohortError::Table(table_err(format!(
                    "{}: columns differ from this cohort's",
                    p.display()
                ))));
            }
            rows += b.num_rows();
            w.push(&b)?;
        }
    }
    w.finish()?;
    fs::rename(&tmp, out).map_err(|e| io(out, e))?;
    Ok(rows)
}

/// Writes `summary.parquet`, with `course_step` > 0 `courses.parquet`, and `metadata.json` from
/// the chunk files of `draws` draws in chunks of `chunk`. A run without time courses removes a
/// `courses.parquet` left by an earlier run, so the directory holds what the metadata says.
pub fn finish(
    cohort: &Cohort,
    dir: &Path,
    draws: usize,
    chunk: usize,
    course_step: u32,
) -> Result<CohortMetadata, CohortError> {
    let ranges = chunks(draws, chunk);
    let rows = join_chunks(
        &summary_schema(cohort),
        &ranges,
        |r| chunk_path(dir, r),
        &dir.join("summary.parquet"),
    )?;
    let course_file = dir.join("courses.parquet");
    let courses = if course_step > 0 {
        let rows = join_chunks(
            &course_schema(),
            &ranges,
            |r| course_chunk_path(dir, r, course_step),
            &course_file,
        )?;
        Some(CoursesMetadata {
            file: "courses.parquet",
            step_days: course_step,
            rows,
            columns: COURSE_COLUMNS
                .iter()
                .map(|(n, d)| (n.to_string(), d.to_string()))
                .collect(),
        })
    } else {
        if course_file.is_file() {
            fs::remove_file(&course_file).map_err(|e| io(&course_file, e))?;
        }
        None
    };
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
        rows,
        plans,
        columns,
        courses,
        disclaimer: crate::DISCLAIMER,
    };
    let path = dir.join("metadata.json");
    let text = serde_json::to_string_pretty(&meta).map_err(table_err)?;
    fs::write(&path, text + "\n").map_err(|e| io(&path, e))?;
    Ok(meta)
}

/// A value as serialised by a row, keeping the order of fields (a `serde_json::Value` would sort
/// them).
#[derive(Debug, Clone, PartialEq)]
enum Ordered {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    List(Vec<Ordered>),
    Map(Vec<(String, Ordered)>),
}

struct OrderedVisitor;

impl<'de> Visitor<'de> for OrderedVisitor {
    type Value = Ordered;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Ordered, E> {
        Ok(Ordered::Null)
    }
    fn visit_none<E>(self) -> Result<Ordered, E> {
        Ok(Ordered::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Ordered, E> {
        Ok(Ordered::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Ordered, E> {
        Ok(Ordered::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Ordered, E> {
        Ok(i64::try_from(v).map_or(Ordered::Float(v as f64), Ordered::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Ordered, E> {
        Ok(Ordered::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Ordered, E> {
        Ok(Ordered::Text(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Ordered, E> {
        Ok(Ordered::Text(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
        let mut v = Vec::new();
        while let Some(x) = seq.next_element()? {
            v.push(x);
        }
        Ok(Ordered::List(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
        let mut v = Vec::new();
        while let Some((k, x)) = map.next_entry::<String, Ordered>()? {
            v.push((k, x));
        }
        Ok(Ordered::Map(v))
    }
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Ordered, D::Error> {
        d.deserialize_any(OrderedVisitor)
    }
}

/// The scalar cells of a value: nested fields named `a.b`, list items `a[0]`.
fn flatten(name: String, value: Ordered, out: &mut Vec<(String, Ordered)>) {
    match value {
        Ordered::Map(m) => {
            for (k, v) in m {
                let n = if name.is_empty() {
                    k
                } else {
                    format!("{name}.{k}")
                };
                flatten(n, v, out);
            }
        }
        Ordered::List(l) => {
            for (i, v) in l.into_iter().enumerate() {
                flatten(format!("{name}[{i}]"), v, out);
            }
        }
        scalar => out.push((name, scalar)),
    }
}

/// Rows as one Arrow table: one column per scalar field, in the order the first row that has it
/// serialises it (nested fields flattened to `a.b`, list items to `a[0]`; a field missing from a
/// row, or serialised as null — as JSON does with a non-finite number — is null). A column's
/// type: Boolean, Int64 (every value an integer), Float64 (numbers), else Utf8 (text, or the
/// JSON of mixed values); a column with no value at all is a null Utf8 column. The values are
/// those of the rows' JSON (`--json`), so the two outputs agree.
pub fn rows_batch<T: Serialize>(
    rows: &[T],
    metadata: &[(&str, &str)],
) -> Result<RecordBatch, TableError> {
    let mut names: Vec<String> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut cells: Vec<Vec<Ordered>> = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        let text = serde_json::to_string(row).map_err(table_err)?;
        let value: Ordered = serde_json::from_str(&text).map_err(table_err)?;
        let mut flat = Vec::new();
        flatten(String::new(), value, &mut flat);
        for (name, cell) in flat {
            let c = *index.entry(name.clone()).or_insert_with(|| {
                names.push(name);
                cells.push(Vec::new());
                cells.len() - 1
            });
            let col = &mut cells[c];
            col.resize(r, Ordered::Null);
            col.push(cell);
        }
    }
    let mut fields = Vec::with_capacity(names.len());
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(names.len());
    for (name, mut col) in names.into_iter().zip(cells) {
        col.resize(rows.len(), Ordered::Null);
        let values = || col.iter().filter(|c| **c != Ordered::Null);
        let all = |f: fn(&Ordered) -> bool| values().all(f);
        let any = values().next().is_some();
        let (t, array): (DataType, ArrayRef) = if any && all(|c| matches!(c, Ordered::Bool(_))) {
            let mut b = BooleanBuilder::with_capacity(col.len());
            for c in &col {
                b.append_option(match c {
                    Ordered::Bool(x) => Some(*x),
                    _ => None,
                });
            }
            (DataType::Boolean, Arc::new(b.finish()))
        } else if any && all(|c| matches!(c, Ordered::Int(_))) {
            let mut b = Int64Builder::with_capacity(col.len());
            for c in &col {
                b.append_option(match c {
                    Ordered::Int(x) => Some(*x),
                    _ => None,
                });
            }
            (DataType::Int64, Arc::new(b.finish()))
        } else if any && all(|c| matches!(c, Ordered::Int(_) | Ordered::Float(_))) {
            let mut b = Float64Builder::with_capacity(col.len());
            for c in &col {
                b.append_option(match c {
                    Ordered::Int(x) => Some(*x as f64),
                    Ordered::Float(x) => Some(*x),
                    _ => None,
                });
            }
            (DataType::Float64, Arc::new(b.finish()))
        } else {
            let mut b = StringBuilder::new();
            for c in &col {
                match c {
                    Ordered::Null => b.append_null(),
                    Ordered::Text(s) => b.append_value(s),
                    Ordered::Bool(x) => b.append_value(x.to_string()),
                    Ordered::Int(x) => b.append_value(x.to_string()),
                    Ordered::Float(x) => b.append_value(x.to_string()),
                    Ordered::List(_) | Ordered::Map(_) => b.append_value(format!("{c:?}")),
                }
            }
            (DataType::Utf8, Arc::new(b.finish()))
        };
        let nullable = array.null_count() > 0;
        fields.push(Field::new(name, t, nullable));
        columns.push(array);
    }
    let meta = metadata
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let schema = Arc::new(Schema::new_with_metadata(fields, meta));
    if columns.is_empty() {
        return Ok(RecordBatch::new_empty(schema));
    }
    RecordBatch::try_new(schema, columns).map_err(table_err)
}

/// The metadata every table of a verb carries: the disclaimer and the engine's version.
fn verb_metadata(software: &str) -> [(&str, &str); 3] {
    [
        ("software", software),
        ("engine_version", env!("CARGO_PKG_VERSION")),
        ("disclaimer", crate::DISCLAIMER),
    ]
}

/// One day of one muscle's simulation: the muscle, then the twin's quantities.
#[derive(Serialize)]
struct DayRow<'a> {
    muscle: &'a str,
    #[serde(flatten)]
    quantities: &'a twin::Quantities,
}

/// The time course of a simulation: one row per muscle and day — `muscle`, `day`, then the
/// twin's quantities (the `days` of `simulate --json`).
pub fn simulation_table(s: &crate::Simulation) -> Result<RecordBatch, TableError> {
    courses_table(
        s.runs
            .iter()
            .map(|r| (r.muscle.as_str(), r.days.as_slice())),
    )
}

/// Time courses as one table: one row per muscle and day — `muscle`, then the twin's
/// quantities (the columns of [`simulation_table`], which is this on a simulation's runs).
pub fn courses_table<'a>(
    runs: impl IntoIterator<Item = (&'a str, &'a [twin::Quantities])>,
) -> Result<RecordBatch, TableError> {
    let rows: Vec<DayRow> = runs
        .into_iter()
        .flat_map(|(muscle, days)| {
            days.iter().map(move |q| DayRow {
                muscle,
                quantities: q,
            })
        })
        .collect();
    rows_batch(&rows, &verb_metadata("reinnervate simulate"))
}

/// Time courses as CSV: a header `muscle,day,` then [`twin::Quantities::NAMES`], one line per muscle
/// and day (the same values as [`courses_table`]; an absent value is an empty cell). Muscle names
/// are atlas identifiers (no comma or quote).
pub fn courses_csv<'a>(
    runs: impl IntoIterator<Item = (&'a str, &'a [twin::Quantities])>,
) -> String {
    keyed_courses_csv("muscle", runs)
}

/// The one CSV format of time courses: a header `KEY,day,` then [`twin::Quantities::NAMES`], one
/// line per run and day, the run's key first (a muscle for [`courses_csv`]; a band seed's index for
/// the report's `time_course.csv`). Keys must hold no comma or quote.
pub fn keyed_courses_csv<'a, K: std::fmt::Display>(
    key: &str,
    runs: impl IntoIterator<Item = (K, &'a [twin::Quantities])>,
) -> String {
    use std::fmt::Write as _;
    let mut csv = format!("{key},day,");
    csv.push_str(&twin::Quantities::NAMES.join(","));
    csv.push('\n');
    for (k, days) in runs {
        for q in days {
            let _ = write!(csv, "{k},{}", q.day);
            for n in twin::Quantities::NAMES {
                match q.get(n) {
                    Some(v) if v.is_finite() => {
                        let _ = write!(csv, ",{v}");
                    }
                    _ => csv.push(','),
                }
            }
            csv.push('\n');
        }
    }
    csv
}

/// The prognosis per muscle: one row per muscle (the `muscles` of `prognosis --json`, quantiles
/// as `mrc_3_day.median`, `.p10`, `.p90`, the MRC distribution as `mrc_distribution[0]`…`[5]`).
pub fn prognosis_table(p: &crate::Prognosis) -> Result<RecordBatch, TableError> {
    rows_batch(&p.report.muscles, &verb_metadata("reinnervate prognosis"))
}

/// The calibration report: one row per expectation (the `results` of `calibrate --json`).
pub fn calibration_table(c: &crate::Calibration) -> Result<RecordBatch, TableError> {
    rows_batch(&c.report.results, &verb_metadata("reinnervate calibrate"))
}
