//! The rules of a `supervisor!` tree, each error pointing at the user's token.

use proc_macro2::Span;
use syn::{Expr, Ident};

use super::ast::{self, Child, ChildId, Field, Tree, Value};
use crate::suggest;

/// The keys a supervisor accepts.
pub(crate) const SUPERVISOR_KEYS: &[&str] = &[
    "strategy",
    "intensity",
    "period",
    "auto_shutdown",
    "name",
    "children",
    "crate",
];
/// The keys a child accepts.
pub(crate) const CHILD_KEYS: &[&str] = &["start", "restart", "shutdown", "significant", "name"];
/// The strategies.
pub(crate) const STRATEGIES: &[&str] = &["OneForOne", "OneForAll", "RestForOne"];
/// The restart types.
pub(crate) const RESTARTS: &[&str] = &["Permanent", "Transient", "Temporary"];
/// The shutdowns.
pub(crate) const SHUTDOWNS: &[&str] = &["BrutalKill", "Infinity", "Timeout(duration)"];
/// The auto shutdowns.
pub(crate) const AUTO_SHUTDOWNS: &[&str] = &["Never", "AnySignificant", "AllSignificant"];

/// A validated supervisor.
pub(crate) struct Supervisor {
    /// `crate: path`: where the `otp` crate is, when the macro cannot find it.
    pub(crate) krate: Option<syn::Path>,
    pub(crate) strategy: Option<Ident>,
    pub(crate) intensity: Option<Expr>,
    pub(crate) period: Option<Expr>,
    pub(crate) auto_shutdown: Option<Ident>,
    pub(crate) name: Option<Expr>,
    pub(crate) children: Vec<ChildSpec>,
}

/// A validated child.
pub(crate) struct ChildSpec {
    pub(crate) id: String,
    pub(crate) id_token: ChildId,
    pub(crate) start: Start,
    pub(crate) restart: Option<Ident>,
    pub(crate) shutdown: Option<Shutdown>,
    pub(crate) significant: Option<Expr>,
    pub(crate) name: Option<Expr>,
}

/// What a child starts.
pub(crate) enum Start {
    /// Anything that is a `supervisor::Child`: an actor's state or builder, a
    /// supervisor builder, a factory builder.
    Worker(Expr),
    /// A nested `supervisor!`.
    Supervisor(Box<Supervisor>),
}

/// A child's shutdown.
pub(crate) enum Shutdown {
    /// `BrutalKill` or `Infinity`.
    Word(Ident),
    /// `Timeout(expr)`.
    Timeout(Ident, Expr),
}

#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    /// How many errors so far.
    pub(crate) fn len(&self) -> usize {
        self.0
            .as_ref()
            .map_or(0, |all| all.clone().into_iter().count())
    }

    pub(crate) fn at(&mut self, tokens: impl quote::ToTokens, message: impl std::fmt::Display) {
        let error = syn::Error::new_spanned(tokens, message);
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }
}

/// Validates a whole tree.
pub(crate) fn check(tree: Tree) -> syn::Result<Supervisor> {
    let mut errors = Errors::default();
    let supervisor = check_tree(tree, None, &mut errors);
    match errors.0 {
        Some(error) => Err(error),
        None => Ok(supervisor.expect("a tree without errors is complete")),
    }
}

/// `at` is the token of a nested `supervisor!` (for "missing children"), or
/// none at the top, where the whole invocation is pointed at.
fn check_tree(tree: Tree, at: Option<&Ident>, errors: &mut Errors) -> Option<Supervisor> {
    let mut supervisor = Supervisor {
        krate: None,
        strategy: None,
        intensity: None,
        period: None,
        auto_shutdown: None,
        name: None,
        children: Vec::new(),
    };
    let mut seen: Vec<Ident> = Vec::new();
    let mut has_children = false;
    for Field { key, value } in tree.fields {
        if let Some(first) = seen.iter().find(|s| **s == key) {
            errors.at(&key, format!("`{first}` is given twice: write it once"));
            continue;
        }
        seen.push(key.clone());
        match key.to_string().as_str() {
            "strategy" => {
                supervisor.strategy =
                    one_of(&key, &value, "strategy", "Strategy", STRATEGIES, errors)
            }
            "auto_shutdown" => {
                supervisor.auto_shutdown = one_of(
                    &key,
                    &value,
                    "auto_shutdown",
                    "AutoShutdown",
                    AUTO_SHUTDOWNS,
                    errors,
                )
            }
            "crate" => match ast::crate_path(&value) {
                Some(path) => supervisor.krate = Some(path),
                None => errors.at(
                    &key,
                    "`crate` takes the path of the `otp` crate, as in `crate: ::my_otp`",
                ),
            },
            "intensity" => supervisor.intensity = expr(&key, value, errors),
            "period" => supervisor.period = expr(&key, value, errors),
            "name" => supervisor.name = expr(&key, value, errors),
            "children" => {
                has_children = true;
                match value {
                    Value::Children(children) => {
                        supervisor.children = check_children(children, errors)
                    }
                    _ => errors.at(
                        &key,
                        "`children` is a list in brackets: \
                         `children: [id { start: ... }, ...]`",
                    ),
                }
            }
            other => errors.at(
                &key,
                suggest::expected("supervisor option", other, SUPERVISOR_KEYS),
            ),
        }
    }
    if !has_children {
        let message = "a supervisor needs its children: add \
                       `children: [id { start: ... }, ...]` (an empty list `[]` is allowed)";
        match at {
            Some(token) => errors.at(token, message),
            None => {
                let error = syn::Error::new(Span::call_site(), message);
                match &mut errors.0 {
                    Some(all) => all.combine(error),
                    None => errors.0 = Some(error),
                }
            }
        }
    }
    Some(supervisor)
}

fn check_children(children: Vec<Child>, errors: &mut Errors) -> Vec<ChildSpec> {
    let mut checked: Vec<ChildSpec> = Vec::new();
    for child in children {
        let id = child.id.value();
        if checked.iter().any(|c| c.id == id) {
            errors.at(
                &child.id,
                format!(
                    "two children have the id `{id}`: ids must be unique among siblings \
                     (the supervisor refers to children by id). Rename one"
                ),
            );
            continue;
        }
        let mut start = None;
        let mut restart = None;
        let mut shutdown = None;
        let mut significant = None;
        let mut name = None;
        let mut seen: Vec<Ident> = Vec::new();
        for Field { key, value } in child.fields {
            if seen.contains(&key) {
                errors.at(&key, format!("`{key}` is given twice: write it once"));
                continue;
            }
            seen.push(key.clone());
            match key.to_string().as_str() {
                "start" => {
                    start = match value {
                        Value::Tree(tree, word) => check_tree(*tree, Some(&word), errors)
                            .map(|s| Start::Supervisor(Box::new(s))),
                        other => expr(&key, other, errors).map(Start::Worker),
                    }
                }
                "restart" => {
                    restart = one_of(&key, &value, "restart type", "Restart", RESTARTS, errors)
                }
                "shutdown" => {
                    shutdown = match value {
                        Value::Call(word, duration) => Some(Shutdown::Timeout(word, *duration)),
                        Value::Expr(expr) if matches!(*expr, Expr::Call(_)) => {
                            match ast::timeout_call(&expr, errors) {
                                Some((word, duration)) => Some(Shutdown::Timeout(word, duration)),
                                None => {
                                    errors.at(
                                        &expr,
                                        "a shutdown is `BrutalKill`, `Infinity` or \
                                         `Timeout(duration)`",
                                    );
                                    None
                                }
                            }
                        }
                        other => match ast::word_of(&other, "Shutdown", errors) {
                            Some(w) if w == "BrutalKill" || w == "Infinity" => {
                                Some(Shutdown::Word(w.clone()))
                            }
                            Some(w) => {
                                errors.at(
                                    w,
                                    suggest::expected("shutdown", &w.to_string(), SHUTDOWNS),
                                );
                                None
                            }
                            None => {
                                errors.at(
                                    &key,
                                    "a shutdown is `BrutalKill`, `Infinity` or \
                                     `Timeout(duration)`",
                                );
                                None
                            }
                        },
                    }
                }
                "significant" => significant = expr(&key, value, errors),
                "name" => name = expr(&key, value, errors),
                other => errors.at(&key, suggest::expected("child option", other, CHILD_KEYS)),
            }
        }
        let Some(start) = start else {
            if !seen.iter().any(|k| k == "start") {
                errors.at(
                    &child.id,
                    format!(
                        "child `{id}` has no `start`: write `start: MyActor {{ ... }}` (an \
                         #[actor] state), `start: MyActor::builder(...)`, \
                         `start: supervisor! {{ ... }}`, or a supervisor or factory builder"
                    ),
                );
            }
            continue;
        };
        checked.push(ChildSpec {
            id,
            id_token: child.id,
            start,
            restart,
            shutdown,
            significant,
            name,
        });
    }
    checked
}

/// A value that must be one of `words`, the variants of the enum `kind`
/// (written alone, or as `kind::Word`).
fn one_of(
    key: &Ident,
    value: &Value,
    what: &str,
    kind: &str,
    words: &[&str],
    errors: &mut Errors,
) -> Option<Ident> {
    let before = errors.len();
    match ast::word_of(value, kind, errors) {
        Some(word) if words.contains(&word.to_string().as_str()) => Some(word.clone()),
        Some(word) => {
            errors.at(word, suggest::expected(what, &word.to_string(), words));
            None
        }
        None if errors.len() > before => None,
        None => {
            let list = words
                .iter()
                .map(|w| format!("`{w}`"))
                .collect::<Vec<_>>()
                .join(", ");
            errors.at(key, format!("`{key}` is one of {list}"));
            None
        }
    }
}

/// A value that must be an expression.
fn expr(key: &Ident, value: Value, errors: &mut Errors) -> Option<Expr> {
    match value {
        Value::Expr(expr) => Some(*expr),
        Value::Call(word, _) => {
            errors.at(&word, format!("`{word}(...)` only applies to `shutdown`"));
            None
        }
        Value::Tree(_, word) => {
            errors.at(
                word,
                format!("a nested `supervisor!` goes in a child's `start`, not in `{key}`"),
            );
            None
        }
        Value::Children(_) => {
            errors.at(key, format!("`{key}` does not take a list"));
            None
        }
    }
}
