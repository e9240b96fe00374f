//! The tree as written: `key: value` fields, children as `id { key: value, ... }`.
//!
//! Parsing keeps every key with its token so that [`super::valid`] can point at
//! a misspelt one.

use syn::parse::{Parse, ParseStream};
use syn::{Expr, Ident, LitStr, Token, braced, bracketed};

/// `supervisor! { field, ... }`.
pub(crate) struct Tree {
    pub(crate) fields: Vec<Field>,
}

/// One `key: value` of a supervisor.
pub(crate) struct Field {
    pub(crate) key: Ident,
    pub(crate) value: Value,
}

/// A value: a word (`OneForOne`), a list of children, a nested tree, or an
/// expression.
pub(crate) enum Value {
    /// `children: [ ... ]`.
    Children(Vec<Child>),
    /// `start: supervisor! { ... }`.
    Tree(Box<Tree>, Ident),
    /// `Timeout(expr)`.
    Call(Ident, Box<Expr>),
    /// Anything else: a word is an `Expr::Path` of one segment.
    Expr(Box<Expr>),
}

/// `id { key: value, ... }`.
pub(crate) struct Child {
    pub(crate) id: ChildId,
    pub(crate) fields: Vec<Field>,
}

/// A child's id: a name or a string.
pub(crate) enum ChildId {
    Ident(Ident),
    Str(LitStr),
}

impl ChildId {
    pub(crate) fn value(&self) -> String {
        match self {
            ChildId::Ident(i) => i.to_string(),
            ChildId::Str(s) => s.value(),
        }
    }
}

impl quote::ToTokens for ChildId {
    fn to_tokens(&self, tokens: &mut proc_macro2::TokenStream) {
        match self {
            ChildId::Ident(i) => i.to_tokens(tokens),
            ChildId::Str(s) => s.to_tokens(tokens),
        }
    }
}

impl Parse for Tree {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        Ok(Tree {
            fields: fields(input)?,
        })
    }
}

fn fields(input: ParseStream) -> syn::Result<Vec<Field>> {
    let mut fields = Vec::new();
    while !input.is_empty() {
        let key: Ident = input.call(syn::ext::IdentExt::parse_any)?;
        input.parse::<Token![:]>()?;
        let value = if key == "children" && input.peek(syn::token::Bracket) {
            let content;
            bracketed!(content in input);
            let mut children = Vec::new();
            while !content.is_empty() {
                children.push(content.parse()?);
                if !content.is_empty() {
                    content.parse::<Token![,]>()?;
                }
            }
            Value::Children(children)
        } else if input.peek(Ident) && input.peek2(Token![!]) && input.peek3(syn::token::Brace) {
            let fork = input.fork();
            let word: Ident = fork.parse()?;
            if word == "supervisor" {
                let word: Ident = input.parse()?;
                input.parse::<Token![!]>()?;
                let content;
                braced!(content in input);
                Value::Tree(Box::new(content.parse()?), word)
            } else {
                Value::Expr(Box::new(input.parse()?))
            }
        } else if input.peek(Ident) && input.peek2(syn::token::Paren) {
            let fork = input.fork();
            let word: Ident = fork.parse()?;
            if word == "Timeout" {
                let word: Ident = input.parse()?;
                let content;
                syn::parenthesized!(content in input);
                Value::Call(word, Box::new(content.parse()?))
            } else {
                Value::Expr(Box::new(input.parse()?))
            }
        } else {
            Value::Expr(Box::new(input.parse()?))
        };
        fields.push(Field { key, value });
        if !input.is_empty() {
            input.parse::<Token![,]>()?;
        }
    }
    Ok(fields)
}

impl Parse for Child {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let id = if input.peek(LitStr) {
            ChildId::Str(input.parse()?)
        } else if input.peek(Ident) {
            ChildId::Ident(input.call(syn::ext::IdentExt::parse_any)?)
        } else {
            return Err(input.error(
                "expected a child: `id { start: ..., restart: Permanent, ... }`, \
                 where `id` is a name or a string",
            ));
        };
        if !input.peek(syn::token::Brace) {
            return Err(input.error(format!(
                "expected `{{` after the child id: write `{} {{ start: ... }}`",
                id.value()
            )));
        }
        let content;
        braced!(content in input);
        Ok(Child {
            id,
            fields: fields(&content)?,
        })
    }
}

/// The word of a one-segment path expression (`OneForOne`), if that is what it is.
pub(crate) fn word(value: &Value) -> Option<&Ident> {
    match value {
        Value::Expr(expr) => match &**expr {
            Expr::Path(path) if path.qself.is_none() && path.attrs.is_empty() => {
                path.path.get_ident()
            }
            _ => None,
        },
        _ => None,
    }
}

/// The variant a value names: `OneForAll`, or `Strategy::OneForAll` (any path
/// whose last two segments are `kind::Word`). Another path is reported in
/// `errors`, saying to write the word alone.
pub(crate) fn word_of<'a>(
    value: &'a Value,
    kind: &str,
    errors: &mut super::valid::Errors,
) -> Option<&'a Ident> {
    if let Some(word) = word(value) {
        return Some(word);
    }
    let Value::Expr(expr) = value else {
        return None;
    };
    let Expr::Path(path) = &**expr else {
        return None;
    };
    if path.qself.is_some() || !path.attrs.is_empty() {
        return None;
    }
    let segments: Vec<_> = path.path.segments.iter().collect();
    let [.., prefix, last] = segments.as_slice() else {
        return None;
    };
    if prefix.ident == kind && prefix.arguments.is_empty() && last.arguments.is_empty() {
        return Some(&last.ident);
    }
    let written = quote::quote!(#path).to_string().replace(' ', "");
    errors.at(
        path,
        format!(
            "`{written}` is not a `{kind}`: write `{}` alone (or `{kind}::{}`)",
            last.ident, last.ident
        ),
    );
    None
}

/// `Timeout(d)` written as a path call (`Shutdown::Timeout(d)`), as the word
/// `Timeout` and its duration.
pub(crate) fn timeout_call(
    expr: &Expr,
    errors: &mut super::valid::Errors,
) -> Option<(Ident, Expr)> {
    let Expr::Call(call) = expr else {
        return None;
    };
    let [duration] = call.args.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let func = Value::Expr(call.func.clone());
    let word = word_of(&func, "Shutdown", errors)?;
    (word == "Timeout").then(|| (word.clone(), duration.clone()))
}

/// The path a `crate: path` field names.
pub(crate) fn crate_path(value: &Value) -> Option<syn::Path> {
    match value {
        Value::Expr(expr) => match &**expr {
            Expr::Path(path) if path.qself.is_none() => Some(path.path.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// The `crate: path` of a tree, read before validation (which needs it only to
/// expand, and an invalid tree still expands to a placeholder).
pub(crate) fn tree_crate(tree: &Tree) -> Option<syn::Path> {
    tree.fields
        .iter()
        .find(|field| field.key == "crate")
        .and_then(|field| crate_path(&field.value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn a_tree_parses_with_children_and_a_nested_tree() {
        let tree: Tree = syn::parse2(quote! {
            strategy: OneForAll,
            intensity: 3,
            children: [
                counter { start: Counter { count: 0 }, shutdown: Timeout(Duration::from_secs(1)) },
                "inner" { start: supervisor! { children: [] } },
            ],
        })
        .unwrap();
        assert_eq!(tree.fields.len(), 3);
        assert_eq!(word(&tree.fields[0].value).unwrap(), "OneForAll");
        let Value::Children(children) = &tree.fields[2].value else {
            panic!("children")
        };
        assert_eq!(children[0].id.value(), "counter");
        assert!(matches!(children[0].fields[1].value, Value::Call(..)));
        assert_eq!(children[1].id.value(), "inner");
        assert!(matches!(children[1].fields[0].value, Value::Tree(..)));
    }
}
