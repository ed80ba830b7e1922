//! Virtual cohorts: the same rows whatever the chunking and thread count, resumption from
//! finished chunks, and errors that name the field.

use std::path::PathBuf;

use engine::{Control, Engine, EngineError};

const EXAMPLE: &str = include_str!("../../../examples/cohort-ulnar-laceration.toml");

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("reinnervate-cohort-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn chunking_and_threads_do_not_change_the_table() {
    let engine = Engine::load().unwrap();
    let cohort = engine.parse_cohort(EXAMPLE).unwrap();
    let draws = 5;
    let one = scratch("one");
    // Daily time courses too: 5 draws give more rows than one Parquet slice, so slices cross
    // chunk boundaries differently in the two runs.
    let meta = engine
        .cohort(&cohort, &one, Some(draws), 1, 1, &Control::new())
        .unwrap();
    let several = scratch("several");
    let single_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    single_thread
        .install(|| engine.cohort(&cohort, &several, Some(draws), 3, 1, &Control::new()))
        .unwrap();
    for file in ["summary.parquet", "courses.parquet"] {
        let a = std::fs::read(one.join(file)).unwrap();
        let b = std::fs::read(several.join(file)).unwrap();
        assert!(a == b, "{file} differs between chunk 1 and chunk 3");
    }
    let ma = std::fs::read(one.join("metadata.json")).unwrap();
    let mb = std::fs::read(several.join("metadata.json")).unwrap();
    assert_eq!(ma, mb);

    // Rows: draws x plans (baseline + 3 listed) x affected muscles of each draw.
    let rows = engine
        .cohort_rows(&cohort, 0..draws, &Control::new())
        .unwrap();
    assert_eq!(meta.rows, rows.len());
    assert_eq!(meta.plans.len(), 4);
    for d in 0..draws as u64 {
        let n = rows.iter().filter(|r| r.draw == d).count();
        assert!(n > 0 && n % 4 == 0, "draw {d}: {n} rows");
    }
    // The drawn columns are the file's distributions: patient first, then injury, each by path.
    let names: Vec<String> = cohort.drawn_columns().into_iter().map(|c| c.0).collect();
    assert_eq!(
        names,
        [
            "patient.age_years",
            "patient.height_cm",
            "patient.smoking",
            "injury[0].gap_mm",
            "injury[0].grade",
            "injury[0].site",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
    );
    // Every drawn age lies in its bounds, and draws differ from each other.
    let ages: Vec<f64> = rows
        .iter()
        .map(|r| match r.drawn[0] {
            engine::cohort::Drawn::Number(x) => x,
            _ => f64::NAN,
        })
        .collect();
    assert!(ages.iter().all(|a| (45.0..=55.0).contains(a)));
    assert!(ages.iter().any(|a| (a - ages[0]).abs() > 1e-9));
    // Waiting on a divided nerve with regrowth prevented never operates; the listed plans do.
    assert!(
        rows.iter()
            .filter(|r| r.plan == "baseline")
            .all(|r| !r.operated)
    );
    assert!(
        rows.iter()
            .filter(|r| r.plan == "graft day 14")
            .all(|r| r.operated)
    );
    check_courses(&one, &meta, &rows);
    let _ = std::fs::remove_dir_all(&one);
    let _ = std::fs::remove_dir_all(&several);
}

/// `courses.parquet` has one row per summary row and day, and its MRC at days 365 and 730 is the
/// summary's.
fn check_courses(dir: &std::path::Path, meta: &engine::CohortMetadata, rows: &[engine::CohortRow]) {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Int8Type, Int32Type, Int64Type};
    let courses = meta
        .courses
        .as_ref()
        .expect("the metadata names the courses");
    assert_eq!((courses.file, courses.step_days), ("courses.parquet", 1));
    let batches = engine::table::read_parquet(&dir.join("courses.parquet")).unwrap();
    let n: usize = batches.iter().map(|b| b.num_rows()).sum();
    assert_eq!(n, courses.rows);
    assert_eq!(n, rows.len() * 731, "horizon 730 days, day 0 included");
    let mut mrc = std::collections::HashMap::new();
    for b in &batches {
        let col = |name: &str| b.column_by_name(name).unwrap().clone();
        let (draw, plan, muscle) = (col("draw"), col("plan"), col("muscle"));
        let (day, grade) = (col("day"), col("mrc_grade"));
        for i in 0..b.num_rows() {
            let d = day.as_primitive::<Int32Type>().value(i);
            if d == 365 || d == 730 {
                mrc.insert(
                    (
                        draw.as_primitive::<Int64Type>().value(i) as u64,
                        plan.as_string::<i32>().value(i).to_string(),
                        muscle.as_string::<i32>().value(i).to_string(),
                        d,
                    ),
                    grade.as_primitive::<Int8Type>().value(i) as u8,
                );
            }
        }
    }
    for r in rows {
        let key = |d| (r.draw, r.plan.clone(), r.muscle.clone(), d);
        assert_eq!(mrc[&key(365)], r.mrc_365, "{r:?}");
        assert_eq!(mrc[&key(730)], r.mrc_730, "{r:?}");
    }
}

#[test]
fn an_interrupted_run_resumes_from_its_finished_chunks() {
    let engine = Engine::load().unwrap();
    let cohort = engine.parse_cohort(EXAMPLE).unwrap();
    let dir = scratch("resume");
    let meta = engine
        .cohort(&cohort, &dir, Some(4), 2, 0, &Control::new())
        .unwrap();
    assert!(meta.courses.is_none());
    let first = std::fs::read(dir.join("summary.parquet")).unwrap();
    // Lose the second chunk and the summary: only two draws run again.
    std::fs::remove_file(dir.join("chunks/draws-000000002-000000004.parquet")).unwrap();
    std::fs::remove_file(dir.join("summary.parquet")).unwrap();
    let control = Control::new();
    engine
        .cohort(&cohort, &dir, Some(4), 2, 0, &control)
        .unwrap();
    assert_eq!(control.total(), 2);
    assert_eq!(control.done(), 2);
    assert!(first == std::fs::read(dir.join("summary.parquet")).unwrap());
    // Asking for weekly courses now runs every chunk again (none has its course file); the
    // summary stays the same. A run without courses then removes the course table.
    let control = Control::new();
    let meta = engine
        .cohort(&cohort, &dir, Some(4), 2, 7, &control)
        .unwrap();
    assert_eq!(control.total(), 4);
    assert_eq!(meta.courses.map(|c| c.step_days), Some(7));
    assert!(dir.join("courses.parquet").is_file());
    assert!(first == std::fs::read(dir.join("summary.parquet")).unwrap());
    let meta = engine
        .cohort(&cohort, &dir, Some(4), 2, 0, &Control::new())
        .unwrap();
    assert!(meta.courses.is_none());
    assert!(!dir.join("courses.parquet").exists());
    // Another cohort file is refused in the same directory.
    let other = engine
        .parse_cohort(&EXAMPLE.replace("seed = 2026", "seed = 2027"))
        .unwrap();
    let err = engine
        .cohort(&other, &dir, Some(4), 2, 0, &Control::new())
        .unwrap_err();
    assert!(err.to_string().contains("--out"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_cancelled_run_leaves_no_summary() {
    let engine = Engine::load().unwrap();
    let cohort = engine.parse_cohort(EXAMPLE).unwrap();
    let dir = scratch("cancel");
    let control = Control::new();
    control.cancel();
    let err = engine
        .cohort(&cohort, &dir, Some(2), 1, 0, &control)
        .unwrap_err();
    assert!(matches!(err, EngineError::Cancelled(_)), "{err}");
    assert!(!dir.join("summary.parquet").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_cohort_files_name_the_field() {
    let engine = Engine::load().unwrap();
    let cases = [
        // A site the ulnar nerve does not pass, as one of the choices.
        (
            EXAMPLE.replace(
                "[\"distal_humerus\", \"elbow\"]",
                "[\"elbow\", \"fibular_neck\"]",
            ),
            "injury[0].site",
        ),
        // An age distribution reaching past what the case format accepts.
        (
            EXAMPLE.replace("min = 45, max = 55", "min = 45, max = 155"),
            "patient.age_years",
        ),
        // A negative spread.
        (
            EXAMPLE.replace("sd = 4,", "sd = -4,"),
            "patient.age_years.sd",
        ),
        // Weights that do not match the choices.
        (
            EXAMPLE.replace("weights = [1, 3]", "weights = [1]"),
            "patient.smoking.weights",
        ),
        // No [cohort] table.
        (EXAMPLE.replace("[cohort]", "[notcohort]"), "cohort"),
        (EXAMPLE.replace("size = 1000", "size = 0"), "cohort.size"),
        (
            EXAMPLE.replace("horizon_days = 730", "horizon_days = 730\nseed = 3"),
            "settings.seed",
        ),
    ];
    for (text, field) in cases {
        match engine.parse_cohort(&text) {
            Err(EngineError::Cohort(engine::CohortError::Field { field: f, .. })) => {
                assert_eq!(f, field)
            }
            other => panic!("{field}: expected a field error, got {other:?}"),
        }
    }
}
