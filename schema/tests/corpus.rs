//! Runs the loader on real compose files: the awesome-compose samples must
//! check without errors, and their normalized YAML must load back to the same
//! model.

use std::path::Path;

use perry_stack_schema::compose::emit::to_yaml;
use perry_stack_schema::compose::model::json_schema;

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

/// Environment values and labels that a YAML 1.1 reader, or one without a
/// 64-bit limit, would take for numbers when written plain.
const NUMBER_LIKE_VALUES: &str = "services:
  web:
    image: nginx
    environment:
      BIG: '12345678901234567890123'
      GROUPED: '1_000'
      BASE60: '1:20'
      BINARY: '0b1010'
      HEX: '0x_FF'
      VERSION: '1.2.3'
    labels:
      big: '12345678901234567890123'
      grouped: '1_000'
";

/// Tells whether a YAML 1.1 reader resolves the plain scalar `text` to an
/// integer or a float, following the `int` and `float` types of the YAML 1.1
/// type repository (yaml.org/type/int.html, yaml.org/type/float.html).
fn yaml_1_1_number(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let digits = |text: &str, allowed: &dyn Fn(char) -> bool| !text.is_empty() && text.chars().all(|char| allowed(char) || char == '_');
    let binary = unsigned.strip_prefix("0b").is_some_and(|rest| digits(rest, &|char| matches!(char, '0' | '1')));
    let hex = unsigned.strip_prefix("0x").is_some_and(|rest| digits(rest, &|char| char.is_ascii_hexdigit()));
    let decimal = unsigned.starts_with(|char: char| char.is_ascii_digit()) && digits(unsigned, &|char| char.is_ascii_digit());
    let sixty = |part: &str| part.len() <= 2 && digits(part, &|char| char.is_ascii_digit()) && part.parse::<u32>().is_ok_and(|value| value < 60);
    let mut parts = unsigned.split(':');
    let first = parts.next().unwrap_or_default();
    let rest: Vec<&str> = parts.collect();
    let base_60 = first.starts_with(|char: char| char.is_ascii_digit())
        && digits(first, &|char| char.is_ascii_digit())
        && !rest.is_empty()
        && rest.iter().enumerate().all(|(index, part)| match part.split_once('.') {
            Some((whole, fraction)) if index == rest.len() - 1 => sixty(whole) && fraction.chars().all(|char| char.is_ascii_digit() || char == '_'),
            _ => sixty(part),
        });
    let float = unsigned.contains('.')
        && unsigned.split(['e', 'E']).next().is_some_and(|mantissa| digits(&mantissa.replace('.', ""), &|char| char.is_ascii_digit()))
        && unsigned.matches('.').count() == 1;
    binary || hex || decimal || base_60 || float
}

/// Returns the plain scalars of `emitted` that are values of a mapping or
/// items of a sequence, with their line, skipping quoted ones.
fn plain_values(emitted: &str) -> Vec<(usize, &str)> {
    let mut values = Vec::new();
    for (number, line) in emitted.lines().enumerate() {
        let trimmed = line.trim_start().trim_start_matches("- ");
        let value = match trimmed.split_once(": ") {
            Some((_, value)) => value,
            None if line.trim_start().starts_with("- ") => trimmed,
            None => continue,
        };
        if !value.starts_with(['"', '\'', '{', '[']) && !value.is_empty() {
            values.push((number + 1, value));
        }
    }
    values
}

/// Checks the `config` output of `source`: a YAML 1.1 reader finds no number
/// among the environment values and labels, and reloaded by this loader, the
/// output fits the schema of the normalized model.
fn check_emitted_types(source: &str, file: &Path, validator: &jsonschema::Validator) -> Vec<String> {
    let Ok(checked) = perry_stack_schema::check(source, file) else { return Vec::new() };
    let emitted = to_yaml(&checked.project);
    let mut problems = Vec::new();
    let mut section = "";
    for (number, line) in emitted.lines().enumerate() {
        let trimmed = line.trim_start();
        if line.len() - trimmed.len() == 4 {
            section = trimmed.trim_end_matches(':');
        }
        if !matches!(section, "environment" | "labels") || line.len() - trimmed.len() <= 4 {
            continue;
        }
        for (_, value) in plain_values(line) {
            if yaml_1_1_number(value) {
                problems.push(format!("{}:{}: `{value}` is written plain but reads as a number in YAML 1.1", file.display(), number + 1));
            }
        }
    }
    let reloaded = perry_stack_schema::yaml::parse(&emitted, file).expect("the emitted YAML parses");
    let value = serde_json::to_value(&reloaded).expect("the YAML tree converts to JSON");
    for error in validator.iter_errors(&value) {
        problems.push(format!("{}: {error} at {}", file.display(), error.instance_path()));
    }
    problems
}

#[test]
fn emitted_config_fits_normalized_schema() {
    let validator = jsonschema::draft7::new(&json_schema()).expect("the model's schema compiles");
    let mut problems = check_emitted_types(NUMBER_LIKE_VALUES, Path::new("/project/compose.yaml"), &validator);
    let mut checked = 0;
    for file in compose_files(&corpus()) {
        let source = std::fs::read_to_string(&file).expect("corpus file is readable");
        problems.extend(check_emitted_types(&source, &file, &validator));
        checked += 1;
    }
    assert!(checked >= 20, "checked {checked} files");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
