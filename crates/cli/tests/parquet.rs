//! `--parquet FILE` of `simulate`, `prognosis` and `calibrate`: the file, read back with the
//! arrow reader, has the columns and rows of the same run's `--json` output, value for value.

use std::path::PathBuf;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use serde_json::Value;

mod common;
use common::{root, run};

fn tmp(name: &str) -> PathBuf {
    common::scratch("parquet", name)
}

/// The `--json` output of `args` (run with `--parquet FILE` too) and the Parquet table.
fn both(args: &[&str], file: &str, success: bool) -> (Value, RecordBatch) {
    let path = tmp(file);
    let mut a = args.to_vec();
    a.extend(["--json", "--parquet", path.to_str().unwrap()]);
    let out = run(&a);
    assert_eq!(
        out.status.success(),
        success,
        "{a:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let batches = engine::table::read_parquet(&path).unwrap();
    let table = arrow_select::concat::concat_batches(&batches[0].schema(), &batches).unwrap();
    assert_eq!(
        table
            .schema()
            .metadata()
            .get("disclaimer")
            .map(String::as_str),
        Some(engine::DISCLAIMER)
    );
    (json, table)
}

/// The value at a flattened column name (`a.b`, `a[0]`) of a JSON row; null when absent.
fn lookup<'a>(row: &'a Value, name: &str) -> &'a Value {
    let mut v = row;
    for part in name.split('.') {
        let (key, indices) = part.split_once('[').unwrap_or((part, ""));
        v = &v[key];
        for i in indices.split('[').filter(|s| !s.is_empty()) {
            v = &v[i.trim_end_matches(']').parse::<usize>().unwrap()];
        }
    }
    v
}

/// One cell as JSON.
fn cell(col: &dyn Array, i: usize) -> Value {
    if col.is_null(i) {
        return Value::Null;
    }
    match col.data_type() {
        DataType::Int64 => Value::from(col.as_primitive::<Int64Type>().value(i)),
        DataType::Float64 => Value::from(col.as_primitive::<Float64Type>().value(i)),
        DataType::Boolean => Value::from(col.as_boolean().value(i)),
        DataType::Utf8 => Value::from(col.as_string::<i32>().value(i)),
        t => panic!("unexpected column type {t}"),
    }
}

/// Every row of `table` equals the JSON row, column by column; the first columns are `first`.
fn same(table: &RecordBatch, rows: &[Value], first: &[&str]) {
    assert_eq!(table.num_rows(), rows.len());
    let schema = table.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(&names[..first.len()], first);
    for (c, name) in names.iter().enumerate() {
        let col = table.column(c);
        for (i, row) in rows.iter().enumerate() {
            let want = lookup(row, name);
            let got = cell(col.as_ref(), i);
            let equal = match (&got, want) {
                (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
                _ => &got == want,
            };
            assert!(equal, "row {i} column {name}: parquet {got}, json {want}");
        }
    }
}

#[test]
fn simulate_parquet_is_the_json_time_course() {
    let case = root("examples/radial-mid-humerus.toml");
    let (json, table) = both(
        &["simulate", case.to_str().unwrap(), "--resolution", "pooled"],
        "simulate.parquet",
        true,
    );
    let mut rows = Vec::new();
    for run in json["runs"].as_array().unwrap() {
        for day in run["days"].as_array().unwrap() {
            let mut r = day.clone();
            r["muscle"] = run["muscle"].clone();
            rows.push(r);
        }
    }
    assert!(
        json["runs"].as_array().unwrap().len() > 1,
        "several muscles"
    );
    same(&table, &rows, &["muscle", "day", "muscle_mass_fraction"]);
    // Every quantity of the JSON is a column.
    let keys = rows[0].as_object().unwrap().len();
    assert_eq!(table.num_columns(), keys);
}

#[test]
fn prognosis_parquet_is_the_json_per_muscle() {
    let case = root("examples/radial-mid-humerus.toml");
    let (json, table) = both(
        &["prognosis", case.to_str().unwrap(), "--draws", "20"],
        "prognosis.parquet",
        true,
    );
    let rows = json["muscles"].as_array().unwrap();
    same(&table, rows, &["muscle", "nerve", "distance_mm"]);
    let schema = table.schema();
    for name in ["mrc_3_day.median", "mrc_3_day.p90", "mrc_distribution[5]"] {
        assert!(schema.field_with_name(name).is_ok(), "column {name}");
    }
}

#[test]
fn calibrate_parquet_is_the_json_report() {
    let file = tmp("experiments.toml");
    std::fs::write(
        &file,
        r#"
[[experiment]]
id = "x"
source = "test"
species = "rat"
muscle = "extensor_digitorum_longus"
[experiment.injury]
grade = "neurotmesis"
distance_mm = 20
regrowth = "prevented"
[[experiment.expect]]
quantity = "muscle_mass_fraction"
day = 10
min = 2.0
[[experiment.expect]]
quantity = "muscle_mass_fraction"
day = 30
min = 0.0
max = 1.5
"#,
    )
    .unwrap();
    // One expectation is missed on purpose: exit 1, and the table says which.
    let (json, table) = both(
        &[
            "calibrate",
            file.to_str().unwrap(),
            "--resolution",
            "pooled",
        ],
        "calibrate.parquet",
        false,
    );
    let rows = json["results"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    same(&table, rows, &["experiment", "quantity", "day"]);
    let pass = table.column_by_name("pass").unwrap().as_boolean();
    assert_eq!((pass.value(0), pass.value(1)), (false, true));
}
