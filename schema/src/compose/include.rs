//! `include` and `extends`: compose files that bring in other files.
//!
//! Both work on the interpolated YAML tree of one file, before files merge:
//! - `include` loads each listed file as a project of its own, with its own
//!   folder for relative paths and its own `.env`. Its services, networks,
//!   volumes, configs and secrets are then added, and a name that both
//!   files define differently is an error.
//! - `extends` replaces a service with the service it names (in the same
//!   file or in `file`), merged under it with the rules that merge files.
//!   Chains resolve from the end; a cycle is reported with its path, and a
//!   chain longer than [`MAX_EXTENDS_DEPTH`] is an error.
//!
//! Relative paths of a file read from another folder (bind mounts, build
//! contexts, env files) become absolute here, since after merging nothing
//! tells which folder they were written for.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::compose::load::{read_env_files, Layered, Reader};
use crate::compose::{merge, spec_walk};
use crate::diag::messages::{self, code};
use crate::diag::{Diagnostic, Span};
use crate::yaml::{Node, Value};

// This step removes `include` and `extends` before the loader parses the
// file, so it checks their key names against these places of the schema.
/// The JSON pointer of an `include` item in the Compose Specification's schema.
const INCLUDE_ITEM: &str = "/definitions/include";
/// The JSON pointer of a service's `extends` in the Compose Specification's schema.
const EXTENDS: &str = "/definitions/service/properties/extends";

/// The maximum number of `extends` that one service's chain may follow.
/// Real files use a few; the limit keeps the recursive resolver within the
/// stack on generated or hostile input.
pub const MAX_EXTENDS_DEPTH: usize = 256;

/// The maximum depth of nested `include`: files that include files. Real
/// projects nest a few levels; the limit keeps the recursive reader within
/// the stack on generated or hostile input.
pub const MAX_INCLUDE_DEPTH: usize = 64;

/// The top-level sections that an included file contributes.
const SECTIONS: [&str; 5] = ["services", "networks", "volumes", "configs", "secrets"];

/// Resolves the top-level `include` of `root`, a file in `folder`, and
/// removes it. Included files may include others in turn.
pub(crate) fn resolve_includes(reader: &mut Reader<'_>, root: &mut Node, folder: &Path) {
    let Some(include) = take_key(root, "include") else { return };
    let items = match include.value {
        Value::Sequence(items) => items,
        Value::Null => return,
        _ => vec![include],
    };
    for (position, item) in items.into_iter().enumerate() {
        let path = format!("include[{position}]");
        let Some(entry) = include_entry(reader, &item, folder, &path) else { continue };
        if !readable(reader, &entry.paths, &item, &path) {
            continue;
        }
        let Some(included) = load_included(reader, &entry, &item, &path) else { continue };
        add_sections(reader, root, included, &item, &entry.paths[0]);
    }
}

struct IncludeEntry {
    paths: Vec<PathBuf>,
    project_directory: PathBuf,
    env_files: Vec<PathBuf>,
}

/// Reads one item of `include`: a path, or `{path, project_directory, env_file}`
/// where `path` and `env_file` may be lists.
fn include_entry(reader: &mut Reader<'_>, item: &Node, folder: &Path, path: &str) -> Option<IncludeEntry> {
    let strings = |node: Option<&Node>| -> Option<Vec<String>> {
        match node.map(|node| &node.value) {
            None | Some(Value::Null) => Some(Vec::new()),
            Some(Value::Sequence(items)) => items.iter().map(Node::scalar_text).collect(),
            Some(_) => node.and_then(Node::scalar_text).map(|text| vec![text]),
        }
    };
    if let Value::Mapping(_) = item.value {
        for unknown in spec_walk::unknown_keys(INCLUDE_ITEM, item, path) {
            reader.diagnostics.push(unknown.diagnostic(&file_of(reader, unknown.span)));
        }
    }
    let (paths, project_directory, env_files) = match &item.value {
        Value::Mapping(_) => (strings(item.get("path")), item.get("project_directory").and_then(Node::scalar_text), strings(item.get("env_file"))),
        _ => (item.scalar_text().map(|text| vec![text]), None, Some(Vec::new())),
    };
    let (Some(paths), Some(env_files)) = (paths, env_files) else {
        let message = messages::invalid_type(path, "a path or a mapping with `path`", item.kind());
        reader.diagnostics.push(Diagnostic::error(code::INVALID_TYPE, message, &file_of(reader, item.span), item.span).with_path(path));
        return None;
    };
    if paths.is_empty() {
        let message = messages::missing_key(path, "path");
        reader.diagnostics.push(Diagnostic::error(code::MISSING_KEY, message, &file_of(reader, item.span), item.span).with_path(path));
        return None;
    }
    let paths: Vec<PathBuf> = paths.iter().map(|written| absolute(folder, written)).collect();
    let project_directory = match project_directory {
        Some(written) => absolute(folder, &written),
        None => paths[0].parent().map(Path::to_path_buf).unwrap_or_default(),
    };
    let env_files = env_files.iter().map(|written| absolute(folder, written)).collect();
    Some(IncludeEntry { paths, project_directory, env_files })
}

/// Loads the files of one `include` item as their own project: interpolated
/// with their project folder's env files, with their own includes and
/// extends resolved and relative paths made absolute.
/// Returns the path by which a file is compared with the files on the
/// include chain: canonical when the file exists, as given otherwise.
pub(crate) fn identity(file: &Path) -> PathBuf {
    std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf())
}

/// Reports `file` when it is already on the include chain, naming the chain.
fn check_include_cycle(reader: &mut Reader<'_>, file: &Path, item: &Node, path: &str) -> bool {
    let identity = identity(file);
    let Some(start) = reader.including.iter().position(|known| *known == identity) else {
        return false;
    };
    let mut chain: Vec<String> = reader.including[start..].iter().map(|known| known.display().to_string()).collect();
    chain.push(identity.display().to_string());
    let message = messages::include_cycle(&chain.join(" -> "));
    let diagnostic = Diagnostic::error(code::INCLUDE_CYCLE, message, &file_of(reader, item.span), item.span)
        .with_path(path)
        .with_help(messages::INCLUDE_CYCLE_HELP);
    reader.diagnostics.push(diagnostic);
    true
}

fn load_included(reader: &mut Reader<'_>, entry: &IncludeEntry, item: &Node, path: &str) -> Option<Node> {
    let mut sources = std::mem::take(&mut reader.sources);
    let env_files = read_env_files(&entry.env_files, reader.process, &entry.project_directory, &mut sources, &mut reader.diagnostics);
    reader.sources = sources;
    let environment = Layered { process: reader.process, env_files };

    let mut roots = Vec::new();
    for file in &entry.paths {
        if check_include_cycle(reader, file, item, path) {
            return None;
        }
        // `including` contains the root file too, so its length is the depth.
        if reader.including.len() > MAX_INCLUDE_DEPTH {
            let message = messages::include_depth_limit(&file.display().to_string(), MAX_INCLUDE_DEPTH);
            let diagnostic = Diagnostic::error(code::INCLUDE_DEPTH_LIMIT, message, &file_of(reader, item.span), item.span)
                .with_path(path)
                .with_help(messages::INCLUDE_DEPTH_LIMIT_HELP);
            reader.diagnostics.push(diagnostic);
            return None;
        }
        reader.including.push(identity(file));
        let documents = reader.read_documents(file, &environment);
        for mut root in documents.into_iter().flatten() {
            resolve_includes(reader, &mut root, &entry.project_directory);
            resolve_extends(reader, &mut root, file, &entry.project_directory, &environment);
            absolutize(&mut root, &entry.project_directory);
            roots.push(root);
        }
        reader.including.pop();
    }
    let (merged, found) = merge::merge_files(roots, &reader.files);
    reader.diagnostics.extend(found);
    Some(merged)
}

/// Adds the sections of an included file to `root`. A name defined on both
/// sides is an error unless both define it the same way.
fn add_sections(reader: &mut Reader<'_>, root: &mut Node, included: Node, item: &Node, included_file: &Path) {
    let Value::Mapping(included_entries) = included.value else { return };
    for (key, section) in included_entries {
        let Some(name) = key.as_str().filter(|name| SECTIONS.contains(name)).map(str::to_owned) else { continue };
        let Value::Mapping(resources) = section.value else { continue };
        let target = section_of(root, &name, section.span);
        let Value::Mapping(existing) = &mut target.value else { continue };
        for (resource_key, resource) in resources {
            match existing.iter().find(|(known, _)| known.value == resource_key.value) {
                Some((known_key, known)) => {
                    if same_definition(known, &resource) {
                        continue;
                    }
                    let resource_name = resource_key.scalar_text().unwrap_or_default();
                    let kind = name.trim_end_matches('s');
                    let message = messages::include_conflict(kind, &resource_name, &included_file.display().to_string());
                    let span = known_key.span;
                    let file = file_of(reader, span);
                    let diagnostic = Diagnostic::error(code::INCLUDE_CONFLICT, message, &file, span)
                        .with_path(format!("{name}.{resource_name}"))
                        .with_label(item.span, "included here")
                        .with_help(messages::INCLUDE_CONFLICT_HELP);
                    reader.diagnostics.push(diagnostic);
                }
                None => existing.push((resource_key, resource)),
            }
        }
    }
}

/// Two definitions are the same when their values are equal, wherever they
/// were written.
fn same_definition(left: &Node, right: &Node) -> bool {
    match (&left.value, &right.value) {
        (Value::Mapping(left), Value::Mapping(right)) => {
            left.len() == right.len()
                && left.iter().all(|(key, value)| right.iter().any(|(other_key, other)| other_key.value == key.value && same_definition(value, other)))
        }
        (Value::Sequence(left), Value::Sequence(right)) => {
            left.len() == right.len() && left.iter().zip(right).all(|(left, right)| same_definition(left, right))
        }
        (left, right) => left == right,
    }
}

/// Returns the mapping of a top-level section of `root`, creating it when missing.
fn section_of<'n>(root: &'n mut Node, name: &str, span: Span) -> &'n mut Node {
    if !matches!(root.value, Value::Mapping(_)) {
        root.value = Value::Mapping(Vec::new());
    }
    let Value::Mapping(entries) = &mut root.value else { unreachable!("just made a mapping") };
    let position = match entries.iter().position(|(key, _)| key.as_str() == Some(name)) {
        Some(position) => position,
        None => {
            entries.push((Node::new(Value::String(name.to_owned()), span), Node::new(Value::Mapping(Vec::new()), span)));
            entries.len() - 1
        }
    };
    let section = &mut entries[position].1;
    if section.value == Value::Null {
        section.value = Value::Mapping(Vec::new());
    }
    section
}

/// Replaces every service of `root` that has `extends` by the service it
/// extends merged with its own keys. `file` is the path of `root`, and
/// `folder` the folder its `extends.file` paths are relative to.
pub(crate) fn resolve_extends(reader: &mut Reader<'_>, root: &mut Node, file: &Path, folder: &Path, environment: &Layered<'_>) {
    let Some(Value::Mapping(services)) = root.get("services").map(|services| &services.value) else { return };
    if !services.iter().any(|(_, service)| service.get("extends").is_some()) {
        return;
    }
    let local = root.get("services").cloned().expect("checked above");
    let mut resolver = Extends { reader, environment, root: (file.to_path_buf(), folder.to_path_buf()), resolved: BTreeMap::new(), failed: BTreeSet::new(), cycles: BTreeSet::new() };
    let names: Vec<String> = services.iter().filter_map(|(key, _)| key.as_str().map(str::to_owned)).collect();
    let mut results = Vec::new();
    for name in names {
        let mut stack = Vec::new();
        if let Some(service) = resolver.service(file, &local, &name, &mut stack) {
            results.push((name, service));
        }
    }
    let Some(Node { value: Value::Mapping(services), .. }) = root_services_mut(root) else { return };
    for (name, service) in results {
        if let Some((_, slot)) = services.iter_mut().find(|(key, _)| key.as_str() == Some(name.as_str())) {
            *slot = service;
        }
    }
}

fn root_services_mut(root: &mut Node) -> Option<&mut Node> {
    let Value::Mapping(entries) = &mut root.value else { return None };
    entries.iter_mut().find(|(key, _)| key.as_str() == Some("services")).map(|(_, value)| value)
}

struct Extends<'r, 'env, 'e> {
    reader: &'r mut Reader<'env>,
    environment: &'e Layered<'e>,
    /// The file whose services are resolved, and the folder its relative
    /// `extends.file` paths start from. A file that `extends.file` names
    /// starts from its own folder.
    root: (PathBuf, PathBuf),
    /// Services already resolved, by file and name, with the number of
    /// `extends` their chain followed.
    resolved: BTreeMap<(PathBuf, String), (Node, usize)>,
    /// Services whose chain failed and is already reported, so that other
    /// services on the same chain add no further errors.
    failed: BTreeSet<(PathBuf, String)>,
    /// The members of each cycle reported, so that a cycle found again from
    /// another of its services is reported once.
    cycles: BTreeSet<BTreeSet<(PathBuf, String)>>,
}

impl Extends<'_, '_, '_> {
    /// Returns the service `name` of `services` (the services of `file`) with
    /// its `extends` chain applied. `stack` lists the services being
    /// resolved, so that a cycle is reported with its path.
    fn service(&mut self, file: &Path, services: &Node, name: &str, stack: &mut Vec<(PathBuf, String, Span)>) -> Option<Node> {
        self.service_with_depth(file, services, name, stack).map(|(node, _)| node)
    }

    /// Works as [`Self::service`] and also returns the number of `extends`
    /// that the service's chain followed.
    fn service_with_depth(&mut self, file: &Path, services: &Node, name: &str, stack: &mut Vec<(PathBuf, String, Span)>) -> Option<(Node, usize)> {
        let id = (file.to_path_buf(), name.to_owned());
        if let Some(done) = self.resolved.get(&id) {
            return Some(done.clone());
        }
        if self.failed.contains(&id) {
            return None;
        }
        let node = services.get(name)?;
        let Some(extends) = node.get("extends") else { return Some((node.clone(), 0)) };

        if let Some(start) = stack.iter().position(|(known_file, known, _)| *known_file == id.0 && *known == id.1) {
            self.report_cycle(&stack[start..], name);
            return None;
        }
        let (target_name, target_file, target_services) = self.target(file, services, name, extends)?;

        // Checked before descending, because the chain below may be longer
        // than the stack allows. The check after it counts the depth of a
        // base resolved earlier, so the limit does not depend on the order
        // of the services in the file.
        if stack.len() >= MAX_EXTENDS_DEPTH {
            self.report_too_deep(stack, name, extends.span);
            self.fail_rest_of_chain(file, services, name);
            return None;
        }
        stack.push((id.0.clone(), id.1.clone(), extends.span));
        let base = self.service_with_depth(&target_file, &target_services, &target_name, stack);
        stack.pop();
        let Some((base, base_depth)) = base else {
            self.failed.insert(id);
            return None;
        };
        let depth = base_depth + 1;
        if stack.len() + depth > MAX_EXTENDS_DEPTH {
            self.report_too_deep(stack, name, extends.span);
            self.failed.insert(id);
            return None;
        }

        let merged = self.merge_base(file, name, node, extends, base, &target_file);
        self.resolved.insert(id, (merged.clone(), depth));
        Some((merged, depth))
    }

    // The helpers below keep their locals out of the frame of the recursive
    // `service_with_depth`. A debug build then resolves a chain of
    // `MAX_EXTENDS_DEPTH` services in less than 1 MiB of stack (measured with
    // RUST_MIN_STACK), half of what a test thread has.

    /// Reports the `extends` cycle that `cycle` (the services from the first
    /// on the cycle) closes when it reaches `name` again.
    #[inline(never)]
    fn report_cycle(&mut self, cycle: &[(PathBuf, String, Span)], name: &str) {
        let members = cycle.iter().map(|(file, name, _)| (file.clone(), name.clone())).collect();
        if !self.cycles.insert(members) {
            return;
        }
        let mut names: Vec<&str> = cycle.iter().map(|(_, name, _)| name.as_str()).collect();
        names.push(name);
        let span = cycle[0].2;
        let diagnostic = Diagnostic::error(code::EXTENDS_CYCLE, messages::extends_cycle(&names.join(" -> ")), &file_of(self.reader, span), span)
            .with_path(format!("services.{}.extends", cycle[0].1))
            .with_help(messages::EXTENDS_CYCLE_HELP);
        self.reader.diagnostics.push(diagnostic);
    }

    /// Returns the service that `extends` of service `name` names: its name,
    /// its file and the services of that file. Reports a missing `service`,
    /// a missing file or an undefined service and returns `None`.
    #[inline(never)]
    fn target<'s>(&mut self, file: &Path, services: &'s Node, name: &str, extends: &Node) -> Option<(String, PathBuf, std::borrow::Cow<'s, Node>)> {
        let path = format!("services.{name}.extends");
        let (target_name, target_file) = match &extends.value {
            Value::Mapping(_) => (extends.get("service").and_then(Node::scalar_text), extends.get("file").and_then(Node::scalar_text)),
            _ => (extends.scalar_text(), None),
        };
        let Some(target_name) = target_name else {
            let message = messages::missing_key(&path, "service");
            let diagnostic = Diagnostic::error(code::MISSING_KEY, message, &file_of(self.reader, extends.span), extends.span).with_path(path);
            self.reader.diagnostics.push(diagnostic);
            return None;
        };
        let folder = if file == self.root.0 { self.root.1.clone() } else { file.parent().map(Path::to_path_buf).unwrap_or_default() };
        // Borrowed for the same file: cloning every service map per `extends`
        // would make a file with many of them quadratic.
        let (target_file, target_services): (PathBuf, std::borrow::Cow<'_, Node>) = match target_file {
            Some(written) => {
                let target_file = absolute(&folder, &written);
                let file_node = extends.get("file").unwrap_or(extends);
                if !readable(self.reader, std::slice::from_ref(&target_file), file_node, &format!("{path}.file")) {
                    return None;
                }
                let root = self.remote_root(&target_file)?;
                let services = root.get("services").cloned().unwrap_or_else(|| Node::new(Value::Null, Span::default()));
                (target_file, std::borrow::Cow::Owned(services))
            }
            None => (file.to_path_buf(), std::borrow::Cow::Borrowed(services)),
        };
        if target_services.get(&target_name).is_none() {
            let message = messages::extends_undefined(name, &target_name, &target_file.display().to_string());
            let diagnostic = Diagnostic::error(code::EXTENDS_UNDEFINED, message, &file_of(self.reader, extends.span), extends.span)
                .with_path(path)
                .with_help(messages::EXTENDS_UNDEFINED_HELP);
            self.reader.diagnostics.push(diagnostic);
            return None;
        }
        Some((target_name, target_file, target_services))
    }

    /// Merges service `name` of `file` (its `node`, with `extends`) over its
    /// resolved `base` from `target_file`, and checks the keys of `extends`.
    #[inline(never)]
    fn merge_base(&mut self, file: &Path, name: &str, node: &Node, extends: &Node, mut base: Node, target_file: &Path) -> Node {
        if target_file != file {
            let target_folder = target_file.parent().map(Path::to_path_buf).unwrap_or_default();
            absolutize_service(&mut base, &target_folder);
        }
        // The service loses `extends` here, before the loader parses services.
        let path = format!("services.{name}.extends");
        for unknown in spec_walk::unknown_keys(EXTENDS, extends, &path) {
            self.reader.diagnostics.push(unknown.diagnostic(&file_of(self.reader, unknown.span)));
        }
        let mut overlay = node.clone();
        take_key(&mut overlay, "extends");
        merge::merge_service(base, overlay, name)
    }

    /// Marks `name` and the services that its chain reaches in the same file
    /// as failed, without recursion, so that the part of an overlong chain
    /// below the limit does not report the same chain again.
    #[inline(never)]
    fn fail_rest_of_chain(&mut self, file: &Path, services: &Node, name: &str) {
        let mut current = name.to_owned();
        while self.failed.insert((file.to_path_buf(), current.clone())) {
            let Some(extends) = services.get(&current).and_then(|service| service.get("extends")) else { return };
            let target = match &extends.value {
                Value::Mapping(_) if extends.get("file").is_some() => return,
                Value::Mapping(_) => extends.get("service").and_then(Node::scalar_text),
                _ => extends.scalar_text(),
            };
            let Some(target) = target else { return };
            current = target;
        }
    }

    /// Reports that the chain through service `name`, whose `extends` is at
    /// `span`, follows more than [`MAX_EXTENDS_DEPTH`] `extends`.
    #[inline(never)]
    fn report_too_deep(&mut self, stack: &[(PathBuf, String, Span)], name: &str, span: Span) {
        let start = stack.first().map_or(name, |(_, start, _)| start.as_str());
        let diagnostic = Diagnostic::error(code::EXTENDS_DEPTH_LIMIT, messages::extends_depth_limit(start, MAX_EXTENDS_DEPTH), &file_of(self.reader, span), span)
            .with_path(format!("services.{name}.extends"))
            .with_help(messages::EXTENDS_DEPTH_LIMIT_HELP);
        self.reader.diagnostics.push(diagnostic);
    }

    /// Returns the interpolated tree of a file that `extends.file` names, reading it once.
    fn remote_root(&mut self, file: &Path) -> Option<Node> {
        if let Some(root) = self.reader.remote_roots.get(file) {
            return Some(root.clone());
        }
        let mut root = self.reader.read_root(file, self.environment)?;
        let folder = file.parent().map(Path::to_path_buf).unwrap_or_default();
        resolve_includes(self.reader, &mut root, &folder);
        self.reader.remote_roots.insert(file.to_path_buf(), root.clone());
        Some(root)
    }
}

/// Reports each of `files` that does not exist at `node`, the value that
/// names it, rather than at the start of the missing file.
fn readable(reader: &mut Reader<'_>, files: &[PathBuf], node: &Node, path: &str) -> bool {
    let mut all = true;
    for file in files.iter().filter(|file| !file.is_file()) {
        let message = messages::file_unreadable(&file.display().to_string(), "no such file");
        let diagnostic = Diagnostic::error(code::FILE_UNREADABLE, message, &file_of(reader, node.span), node.span).with_path(path);
        reader.diagnostics.push(diagnostic);
        all = false;
    }
    all
}

/// Makes the relative paths of every service of `root`, and the files of its
/// secrets and configs, absolute against `folder`.
fn absolutize(root: &mut Node, folder: &Path) {
    if let Some(Node { value: Value::Mapping(services), .. }) = root_services_mut(root) {
        for (_, service) in services {
            absolutize_service(service, folder);
        }
    }
    let Value::Mapping(entries) = &mut root.value else { return };
    for (key, section) in entries {
        if !matches!(key.as_str(), Some("secrets" | "configs")) {
            continue;
        }
        if let Value::Mapping(definitions) = &mut section.value {
            for (_, definition) in definitions {
                set_path(definition, "file", folder);
            }
        }
    }
}

/// Makes a service's bind-mount sources, build context and env files
/// absolute against `folder`.
fn absolutize_service(service: &mut Node, folder: &Path) {
    let Value::Mapping(entries) = &mut service.value else { return };
    for (key, value) in entries {
        match key.as_str() {
            Some("volumes") => {
                let Value::Sequence(items) = &mut value.value else { continue };
                for item in items {
                    let is_bind = item.get("type").and_then(Node::as_str) == Some("bind");
                    match &mut item.value {
                        Value::String(text) if text.starts_with('.') => {
                            let (source, rest) = text.split_once(':').unwrap_or((text.as_str(), ""));
                            let source = absolute(folder, source).display().to_string();
                            *text = if rest.is_empty() { source } else { format!("{source}:{rest}") };
                        }
                        Value::Mapping(_) if is_bind => {
                            set_path(item, "source", folder);
                        }
                        _ => {}
                    }
                }
            }
            Some("build") => match &mut value.value {
                Value::String(text) if !is_remote(text) => *text = absolute(folder, text).display().to_string(),
                Value::Mapping(_) => set_path(value, "context", folder),
                _ => {}
            },
            Some("env_file") => match &mut value.value {
                Value::String(text) => *text = absolute(folder, text).display().to_string(),
                Value::Sequence(items) => {
                    for item in items {
                        match &mut item.value {
                            Value::String(text) => *text = absolute(folder, text).display().to_string(),
                            Value::Mapping(_) => set_path(item, "path", folder),
                            _ => {}
                        }
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }
}

fn set_path(node: &mut Node, key: &str, folder: &Path) {
    let Value::Mapping(entries) = &mut node.value else { return };
    for (name, value) in entries {
        if name.as_str() == Some(key) {
            if let Value::String(text) = &mut value.value {
                if !is_remote(text) && !text.starts_with('~') {
                    *text = absolute(folder, text).display().to_string();
                }
            }
        }
    }
}

/// Tells whether a build context is a URL (`https://...`, `git@...`) rather than a path.
fn is_remote(text: &str) -> bool {
    text.contains("://") || text.starts_with("git@")
}

/// Joins `written` to `folder` when relative and removes `.` and `..` parts.
fn absolute(folder: &Path, written: &str) -> PathBuf {
    let joined = folder.join(written);
    let joined = std::path::absolute(&joined).unwrap_or(joined);
    let mut normalized = PathBuf::new();
    for component in joined.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                normalized.pop();
            }
            other => normalized.push(other.as_os_str()),
        }
    }
    normalized
}

/// Removes `key` from a mapping and returns its value.
fn take_key(node: &mut Node, key: &str) -> Option<Node> {
    let Value::Mapping(entries) = &mut node.value else { return None };
    let position = entries.iter().position(|(name, _)| name.as_str() == Some(key))?;
    Some(entries.remove(position).1)
}

fn file_of(reader: &Reader<'_>, span: Span) -> PathBuf {
    reader.files.get(span.file as usize).or(reader.files.first()).cloned().unwrap_or_default()
}
