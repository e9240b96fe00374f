//! The actor as the macro sees it: the struct and the handlers of its impl block.
//!
//! Parsing only records what is written; [`super::valid`] decides whether it is
//! acceptable, so that every rule and its message live in one place.

use proc_macro2::Span;
use syn::{
    Attribute, FnArg, Generics, Ident, ImplItem, ImplItemFn, ItemImpl, Pat, ReturnType, Type,
    Visibility,
};

use super::attr::{self, Role};

/// The impl block under `#[actor]`.
pub(crate) struct ActorImpl {
    /// The impl block, with the handler markers removed (it is emitted as is).
    pub(crate) item: ItemImpl,
    /// The actor's type name (`Counter` in `impl Counter`), if it is a plain name.
    pub(crate) name: Option<Ident>,
    /// Every method that carries at least one marker.
    pub(crate) handlers: Vec<Handler>,
    /// Markers written wrongly (reported by validation with the others).
    pub(crate) errors: Vec<syn::Error>,
}

/// How a handler takes the state.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Receiver {
    /// No `self` at all.
    None,
    /// `&self`.
    Ref,
    /// `&mut self`.
    Mut,
    /// `self` or `mut self`.
    Value,
}

/// One argument of a handler.
pub(crate) struct Arg {
    /// The argument's name, when its pattern is a plain name.
    pub(crate) name: Option<Ident>,
    /// The pattern as written (for spans).
    pub(crate) pat: Box<Pat>,
    /// Its type.
    pub(crate) ty: Box<Type>,
}

/// A marked method.
pub(crate) struct Handler {
    /// The markers on it, with their attributes (normally exactly one).
    pub(crate) roles: Vec<(Role, Attribute)>,
    /// The method's name.
    pub(crate) ident: Ident,
    /// Its visibility (the handle's method gets the same).
    pub(crate) vis: Visibility,
    /// Its docs, copied onto the message variant and the handle's method.
    pub(crate) docs: Vec<Attribute>,
    /// `async fn`.
    pub(crate) is_async: bool,
    /// How it takes the state, and the `self` token's span.
    pub(crate) receiver: Receiver,
    pub(crate) receiver_span: Span,
    /// The arguments after `self`.
    pub(crate) args: Vec<Arg>,
    /// What it returns.
    pub(crate) output: ReturnType,
    /// Its own generics (`fn f<T>`), which handlers cannot have.
    pub(crate) generics: Generics,
}

impl Handler {
    /// The one role of a validated handler.
    pub(crate) fn role(&self) -> Role {
        self.roles[0].0
    }
}

/// Records the impl block's handlers, removing their markers from it.
pub(crate) fn parse_impl(mut item: ItemImpl) -> ActorImpl {
    let name = match &*item.self_ty {
        // `Counter` or `Store<T>`: one segment, its arguments being the impl's.
        Type::Path(path) if path.qself.is_none() && path.path.segments.len() == 1 => {
            path.path.segments.first().map(|s| s.ident.clone())
        }
        _ => None,
    };
    let mut handlers = Vec::new();
    let mut errors = Vec::new();
    for impl_item in &mut item.items {
        if let ImplItem::Fn(method) = impl_item {
            let roles = attr::take_roles(&mut method.attrs, &mut errors);
            if !roles.is_empty() {
                handlers.push(parse_handler(method, roles));
            }
        }
    }
    ActorImpl {
        item,
        name,
        handlers,
        errors,
    }
}

fn parse_handler(method: &ImplItemFn, roles: Vec<(Role, Attribute)>) -> Handler {
    let sig = &method.sig;
    let mut receiver = Receiver::None;
    let mut receiver_span = sig.ident.span();
    let mut args = Vec::new();
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(r) => {
                receiver_span = r.self_token.span;
                receiver = match (&r.reference, r.mutability) {
                    (Some(_), Some(_)) => Receiver::Mut,
                    (Some(_), None) => Receiver::Ref,
                    (None, _) => Receiver::Value,
                };
                // `self: Box<Self>` and friends are by value too.
                if r.colon_token.is_some() && r.reference.is_none() {
                    receiver = match &*r.ty {
                        Type::Reference(t) if t.mutability.is_some() => Receiver::Mut,
                        Type::Reference(_) => Receiver::Ref,
                        _ => Receiver::Value,
                    };
                }
            }
            FnArg::Typed(typed) => {
                let name = match &*typed.pat {
                    Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                        Some(p.ident.clone())
                    }
                    _ => None,
                };
                args.push(Arg {
                    name,
                    pat: typed.pat.clone(),
                    ty: typed.ty.clone(),
                });
            }
        }
    }
    Handler {
        roles,
        ident: sig.ident.clone(),
        vis: method.vis.clone(),
        docs: attr::docs(&method.attrs),
        is_async: sig.asyncness.is_some(),
        receiver,
        receiver_span,
        args,
        output: sig.output.clone(),
        generics: sig.generics.clone(),
    }
}

/// The last segment's name of a path type (`Result` in `std::result::Result<T, E>`).
pub(crate) fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last(),
        Type::Paren(inner) => last_segment(&inner.elem),
        Type::Group(inner) => last_segment(&inner.elem),
        _ => None,
    }
}

/// The `N`th generic type argument of a path type's last segment.
pub(crate) fn type_argument(ty: &Type, n: usize) -> Option<&Type> {
    match &last_segment(ty)?.arguments {
        syn::PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .filter_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .nth(n),
        _ => None,
    }
}

/// `some_name` → `SomeName`: a handler's message variant.
pub(crate) fn pascal_case(ident: &Ident) -> Ident {
    let raw = ident.to_string();
    let raw = raw.strip_prefix("r#").unwrap_or(&raw);
    let mut out = String::with_capacity(raw.len());
    let mut upper = true;
    for c in raw.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    if out.is_empty() {
        out.push_str("Message");
    }
    Ident::new(&out, ident.span())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn pascal_case_joins_words() {
        let case = |s: &str| pascal_case(&Ident::new(s, Span::call_site())).to_string();
        assert_eq!(case("get"), "Get");
        assert_eq!(case("push_front"), "PushFront");
        assert_eq!(case("_private"), "Private");
        assert_eq!(case("a__b"), "AB");
        assert_eq!(case("getX"), "GetX");
    }

    #[test]
    fn handlers_are_recorded_with_their_receivers() {
        let item: ItemImpl = syn::parse2(quote! {
            impl Counter {
                #[call] fn get(&self) -> u64 { 0 }
                #[cast] async fn add(&mut self, n: u64) {}
                #[cast] fn eat(self) {}
                fn helper(&self) {}
            }
        })
        .unwrap();
        let actor = parse_impl(item);
        assert_eq!(actor.name.unwrap(), "Counter");
        let receivers: Vec<_> = actor.handlers.iter().map(|h| h.receiver).collect();
        assert_eq!(receivers, [Receiver::Ref, Receiver::Mut, Receiver::Value]);
        assert!(actor.handlers[1].is_async);
        assert_eq!(actor.handlers[1].args[0].name.as_ref().unwrap(), "n");
        // The markers are gone from the emitted impl block.
        let item = &actor.item;
        let emitted = quote!(#item).to_string();
        assert!(!emitted.contains("call"), "{emitted}");
    }

    #[test]
    fn type_arguments_are_found() {
        let ty: Type = syn::parse2(quote!(std::result::Result<u8, String>)).unwrap();
        assert_eq!(last_segment(&ty).unwrap().ident, "Result");
        let second = type_argument(&ty, 1).unwrap();
        assert_eq!(quote!(#second).to_string(), "String");
    }
}
