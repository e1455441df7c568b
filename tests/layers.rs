//! The crate's dependencies run one way. Every file under `src/` is a module; each `crate::…`
//! path it names (in `use` lines and in code, `$crate::` in macros included, test modules left
//! out) is an import of the module that path leads to. Two rules, each failure naming the files:
//!
//! - no cycle among modules (a file importing itself through others);
//! - no import from a lower layer to a higher one, in this order (lowest first; a layer may
//!   import its own modules and any below it):
//!
//! `problem`/`request_id` (the error type) ← `domain` ← `config`/`db`/`pagination` ← `store` ←
//! `auth`/`state` ← `audit`/`audit_batch`/`seal` ← `webhooks`/`mail` ← `views`/`fhir` ← `api`/`extract`/`http` ←
//! `middleware` ← `routes`/`openapi` ← `denials`/`idempotency` (they read the route table) ←
//! `app` ← `cli`/`main`/`lib`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first: the top-level modules of each.
const LAYERS: &[&[&str]] = &[
    &["problem", "request_id"],
    &["domain"],
    &["config", "db", "pagination"],
    &["store"],
    &["auth", "state"],
    &["audit", "audit_batch", "seal"],
    &["webhooks", "mail"],
    &["views", "fhir"],
    &["api", "extract", "http"],
    &["middleware"],
    &["routes", "openapi"],
    &["denials", "idempotency"],
    &["app"],
    &["cli", "main", "lib"],
];

fn layer_of(module: &str) -> Option<usize> {
    let top = module.split("::").next().unwrap_or_default();
    LAYERS.iter().position(|layer| layer.contains(&top))
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/auth/actor.rs` → `auth::actor`; `src/auth/mod.rs` → `auth`; `src/lib.rs` → `lib`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("under src").with_extension("");
    let parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).filter(|p| *p != "mod").collect();
    parts.join("::")
}

/// The code of a file without its test module(s) and comments: everything from the first
/// `#[cfg(test)]` line on is left out, and `//` comments.
fn code_of(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let code = match line.find("//") {
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        };
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// The `crate::a::b::c` paths the code names (`crate::{a, b::c}` groups expanded one level).
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while let Some(at) = code[i..].find("crate::") {
        let start = i + at;
        i = start + "crate::".len();
        // `crate::` must not be the tail of a longer name (`mycrate::`).
        if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
            continue;
        }
        if code[i..].starts_with('{') {
            let end = code[i..].find('}').map_or(code.len(), |e| i + e);
            for item in code[i + 1..end].split(',') {
                let item = item.trim();
                if !item.is_empty() {
                    out.push(path_head(item));
                }
            }
            continue;
        }
        out.push(path_head(&code[i..]));
    }
    out.into_iter().filter(|p| !p.is_empty()).collect()
}

/// The leading `a::b::c` of a path (lower-case segments: modules, not the item).
fn path_head(text: &str) -> String {
    let mut segments = Vec::new();
    let mut rest = text;
    loop {
        let len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        let seg = &rest[..len];
        if seg.is_empty() || !seg.starts_with(|c: char| c.is_ascii_lowercase()) {
            break;
        }
        segments.push(seg.to_string());
        rest = &rest[len..];
        match rest.strip_prefix("::") {
            Some(r) => rest = r,
            None => break,
        }
    }
    segments.join("::")
}

/// Every module and the modules it imports (the longest known module each path leads to).
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let modules: BTreeMap<String, PathBuf> = all.iter().map(|f| (module_of(&src, f), f.clone())).collect();
    let mut edges = BTreeMap::new();
    for (module, file) in &modules {
        let code = code_of(&std::fs::read_to_string(file).expect("read"));
        let mut targets = BTreeSet::new();
        for path in crate_paths(&code) {
            let mut candidate = path.as_str();
            loop {
                if modules.contains_key(candidate) {
                    if candidate != module {
                        targets.insert(candidate.to_string());
                    }
                    break;
                }
                match candidate.rfind("::") {
                    Some(i) => candidate = &candidate[..i],
                    None => break,
                }
            }
        }
        edges.insert(module.clone(), targets);
    }
    edges
}

/// A module and its parent (`auth::actor` and `auth`) are one unit for cycles: a parent's
/// `mod` lines and re-exports are how Rust names its children, not an import.
fn related(a: &str, b: &str) -> bool {
    a.starts_with(&format!("{b}::")) || b.starts_with(&format!("{a}::"))
}

/// The strongly connected components of more than one module (Tarjan's algorithm).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        let edges = s.edges;
        for w in edges.get(v).into_iter().flatten() {
            let w = w.as_str();
            if related(v, w) {
                continue;
            }
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[w].min(s.low[v]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.index[w].min(s.low[v]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.out.push(component);
            }
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out
}

fn file_of(module: &str) -> String {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let plain = src.join(format!("{}.rs", module.replace("::", "/")));
    if plain.exists() {
        format!("src/{}.rs", module.replace("::", "/"))
    } else {
        format!("src/{}/mod.rs", module.replace("::", "/"))
    }
}

#[test]
fn every_module_has_a_layer() {
    let missing: Vec<String> = graph().keys().filter(|m| layer_of(m).is_none()).map(|m| file_of(m)).collect();
    assert!(missing.is_empty(), "files of no layer (add their module to LAYERS): {missing:?}");
}

#[test]
fn no_module_imports_itself_through_others() {
    let found = cycles(&graph());
    let named: Vec<String> =
        found.iter().map(|c| c.iter().map(|m| file_of(m)).collect::<Vec<_>>().join(" <-> ")).collect();
    assert!(named.is_empty(), "{} import cycles:\n{}", named.len(), named.join("\n"));
}

#[test]
fn imports_run_down_the_layers() {
    let mut upward = Vec::new();
    for (module, targets) in graph() {
        let Some(from) = layer_of(&module) else { continue };
        for target in targets {
            if let Some(to) = layer_of(&target) {
                if to > from {
                    upward.push(format!(
                        "{} imports {} ({} above {})",
                        file_of(&module),
                        file_of(&target),
                        target,
                        module
                    ));
                }
            }
        }
    }
    assert!(upward.is_empty(), "{} imports run up the layers:\n{}", upward.len(), upward.join("\n"));
}

/// The test's own reading of a file, on a made-up one: an upward import and a cycle are found.
#[test]
fn the_reader_finds_paths_groups_and_macros() {
    let code = code_of(
        "use crate::auth::{Actor, Staff};\nuse crate::{db::now, problem};\n$crate::extract::rule(x);\n\
         // crate::views::not_this\nlet a = mycrate::x;\n#[cfg(test)]\nuse crate::api::never;",
    );
    let paths = crate_paths(&code);
    assert_eq!(paths, ["auth", "db::now", "problem", "extract::rule"]);
    let mut edges = BTreeMap::new();
    edges.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    edges.insert("b".to_string(), BTreeSet::from(["c".to_string()]));
    edges.insert("c".to_string(), BTreeSet::from(["a".to_string()]));
    edges.insert("a::x".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(cycles(&edges), vec![vec!["a".to_string(), "b".to_string(), "c".to_string()]]);
}
