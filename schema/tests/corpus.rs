//! Runs the loader on real compose files: the awesome-compose samples must
//! check without errors, and their normalized YAML must load back to the same
//! model.

use std::path::Path;

use perry_stack_schema::compose::emit::to_yaml;

mod support;
use support::{compose_files, corpus};

#[test]
fn awesome_compose_checks_without_errors() {
    let files = compose_files(&corpus().join("awesome-compose"));
    assert!(files.len() >= 20, "expected at least 20 compose files, found {}", files.len());
    let mut failures = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file).expect("corpus file is readable");
        if let Err(diagnostics) = perry_stack_schema::check(&source, file) {
            failures.push(diagnostics.render(&source, false));
        }
    }
    assert!(failures.is_empty(), "{} files failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn awesome_compose_round_trips_through_emit() {
    for file in compose_files(&corpus().join("awesome-compose")) {
        assert_round_trip(&file);
    }
}

/// The real-world files that check (the others are override files that only
/// make sense merged onto a base file) must round-trip too.
#[test]
fn realworld_round_trips_through_emit() {
    let mut checked = 0;
    for file in compose_files(&corpus().join("realworld")) {
        let source = std::fs::read_to_string(&file).expect("corpus file is readable");
        if perry_stack_schema::check(&source, &file).is_ok() {
            assert_round_trip(&file);
            checked += 1;
        }
    }
    assert!(checked >= 8, "expected at least 8 real-world files to check, found {checked}");
}

fn assert_round_trip(file: &Path) {
    let source = std::fs::read_to_string(file).expect("corpus file is readable");
    let checked = perry_stack_schema::check(&source, file).expect("corpus file checks");
    let emitted = to_yaml(&checked.project);
    let reloaded = match perry_stack_schema::check(&emitted, file) {
        Ok(reloaded) => reloaded,
        Err(diagnostics) => panic!("emitted YAML of {} does not load:\n{}\n{emitted}", file.display(), diagnostics.render(&emitted, false)),
    };
    assert_eq!(
        serde_json::to_value(&checked.project).unwrap(),
        serde_json::to_value(&reloaded.project).unwrap(),
        "round trip changed the model of {}:\n{emitted}",
        file.display()
    );
    assert_eq!(to_yaml(&reloaded.project), emitted, "emitting twice differs for {}", file.display());
}
