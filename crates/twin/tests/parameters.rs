//! Parameter files: every species loads and validates; overrides and look-ups
//! fail with errors that name what was wrong.

use std::collections::BTreeMap;

use twin::{ParamError, Parameters, Species};

#[test]
fn every_species_loads_with_sources_and_ranges() {
    for sp in Species::ALL {
        let p = Parameters::for_species(sp).unwrap_or_else(|e| panic!("{sp}: {e}"));
        for (name, e) in p.entries() {
            assert!(e.min <= e.value && e.value <= e.max, "{sp} {name}");
            assert!(
                e.source.is_some() || e.assumption.is_some(),
                "{sp} {name} unsourced"
            );
        }
        assert!(p.muscles().count() >= 8, "{sp}: too few muscles");
        for m in p.muscles() {
            assert!(m.fibres >= m.motor_units, "{sp} {}", m.name);
            assert_eq!(m.provenance.len(), 4);
        }
    }
}

#[test]
fn calibration_muscles_exist() {
    let need = [
        (Species::Rat, "extensor_digitorum_longus"),
        (Species::Rat, "gastrocnemius"),
        (Species::Rat, "tibialis_anterior"),
        (Species::Mouse, "peroneus_tertius"),
        (Species::Human, "quadriceps"),
        (Species::Human, "biceps_brachii"),
        (Species::Human, "first_dorsal_interosseous"),
        (Species::Human, "extensor_indicis"),
        (Species::Human, "tibialis_anterior"),
        (Species::Human, "vastus_lateralis"),
    ];
    for (sp, m) in need {
        let p = Parameters::for_species(sp).unwrap();
        assert!(p.muscle(m).is_ok(), "{sp} {m}");
    }
}

#[test]
fn vastus_lateralis_has_lexell_fibre_count() {
    let p = Parameters::for_species(Species::Human).unwrap();
    assert_eq!(p.muscle("vastus_lateralis").unwrap().fibres, 478_000);
}

#[test]
fn unknown_override_names_the_parameter_and_lists_known_ones() {
    let mut p = Parameters::for_species(Species::Rat).unwrap();
    let mut o = BTreeMap::new();
    o.insert("regrowth_sped".to_string(), 1.0);
    let e = p.apply_overrides(&o).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("regrowth_sped") && msg.contains("regrowth_speed_mm_per_day"),
        "{msg}"
    );
}

#[test]
fn out_of_range_override_is_refused_with_range() {
    let mut p = Parameters::for_species(Species::Human).unwrap();
    let mut o = BTreeMap::new();
    o.insert("sprouting_cap".to_string(), 50.0);
    match p.apply_overrides(&o) {
        Err(ParamError::OutOfRange {
            name, value, max, ..
        }) => {
            assert_eq!(name, "sprouting_cap");
            assert_eq!(value, 50.0);
            assert_eq!(max, 8.0);
        }
        other => panic!("{other:?}"),
    }
    o.insert("sprouting_cap".to_string(), 4.0);
    p.apply_overrides(&o).unwrap();
    assert_eq!(p.coef.sprouting_cap, 4.0);
}

#[test]
fn unknown_muscle_lists_known_muscles() {
    let p = Parameters::for_species(Species::Mouse).unwrap();
    let msg = p.muscle("bicep").unwrap_err().to_string();
    assert!(
        msg.contains("bicep") && msg.contains("peroneus_tertius"),
        "{msg}"
    );
}

#[test]
fn broken_files_are_refused() {
    let text = include_str!("../../../data/params/rat.toml");
    let bad_unit = text.replacen("unit = \"mm/d\"", "unit = \"mm\"", 1);
    assert!(matches!(
        Parameters::from_toml_str(Species::Rat, &bad_unit),
        Err(ParamError::Unit { .. })
    ));
    let missing = text.replacen(
        "[parameters.sprouting_cap]",
        "[parameters.sprouting_cap_x]",
        1,
    );
    assert!(Parameters::from_toml_str(Species::Rat, &missing).is_err());
    assert!(
        Parameters::from_toml_str(Species::Human, text).is_err(),
        "species mismatch"
    );
    assert!(Parameters::from_toml_str(Species::Rat, "not toml [").is_err());
}
