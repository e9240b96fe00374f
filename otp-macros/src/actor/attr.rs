//! Parsing attributes: the options of `#[actor(...)]` and the handler markers
//! (`#[call]`, `#[cast]`, `#[info]`, `#[init]`, `#[terminate]`).

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, Token};

use crate::suggest;

/// The options written in `#[actor(...)]` on the impl block.
#[derive(Default)]
pub(crate) struct Options {
    /// `debug`: the state and the messages are described with `Debug` in `sys`
    /// replies, traces and crash reports (the builder's `debug_state`).
    pub(crate) debug: bool,
    /// `trap_exits`: the actor traps exits, so that a supervisor's shutdown runs
    /// its `#[terminate]` (the builder's `trap_exits`).
    pub(crate) trap_exits: bool,
    /// `crate = path`: where the `otp` facade is, when the macro cannot find it
    /// in `Cargo.toml` (re-exported by another crate, for one).
    pub(crate) krate: Option<syn::Path>,
}

/// Every option `#[actor(...)]` accepts.
pub(crate) const OPTIONS: &[&str] = &["debug", "trap_exits", "crate"];

impl Parse for Options {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut options = Options::default();
        let mut seen: Vec<Ident> = Vec::new();
        while !input.is_empty() {
            let key: Ident = input.call(syn::ext::IdentExt::parse_any)?;
            if seen.contains(&key) {
                return Err(syn::Error::new_spanned(
                    &key,
                    format!("the option `{key}` is given twice: write it once"),
                ));
            }
            match key.to_string().as_str() {
                "debug" => options.debug = true,
                "trap_exits" => options.trap_exits = true,
                "crate" => {
                    if !input.peek(Token![=]) {
                        return Err(syn::Error::new_spanned(
                            &key,
                            "`crate` names the path of the `otp` crate: write \
                             `crate = path`, as in `#[actor(crate = ::my_otp)]`",
                        ));
                    }
                    input.parse::<Token![=]>()?;
                    let path = input.call(syn::Path::parse_mod_style).map_err(|error| {
                        syn::Error::new(
                            error.span(),
                            "`crate = ` takes a path to the `otp` crate, as in \
                             `crate = ::my_otp` or `crate = crate::otp`",
                        )
                    })?;
                    options.krate = Some(path);
                }
                other => {
                    return Err(syn::Error::new_spanned(
                        &key,
                        suggest::expected("#[actor] option", other, OPTIONS),
                    ));
                }
            }
            if input.peek(Token![=]) && key != "crate" {
                return Err(syn::Error::new_spanned(
                    &key,
                    format!("the option `{key}` takes no value: write `{key}` alone"),
                ));
            }
            seen.push(key);
            if !input.is_empty() {
                input.parse::<Token![,]>().map_err(|error| {
                    syn::Error::new(
                        error.span(),
                        "separate the options with commas, as in `#[actor(debug, trap_exits)]`",
                    )
                })?;
            }
        }
        Ok(options)
    }
}

/// What a method of the impl block is to the actor.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Role {
    /// `#[call]`: a request with a reply.
    Call,
    /// `#[cast]`: a message without a reply.
    Cast,
    /// `#[info]`: a monitor's DOWN, a trapped exit or an unexpected message.
    Info,
    /// `#[init]`: builds the state in the actor's process; may fail.
    Init,
    /// `#[terminate]`: runs with the reason when the actor stops.
    Terminate,
}

impl Role {
    fn from_ident(ident: &Ident) -> Option<Role> {
        Some(match ident.to_string().as_str() {
            "call" => Role::Call,
            "cast" => Role::Cast,
            "info" => Role::Info,
            "init" => Role::Init,
            "terminate" => Role::Terminate,
            _ => return None,
        })
    }

    /// The marker as written, for messages.
    pub(crate) fn marker(self) -> &'static str {
        match self {
            Role::Call => "#[call]",
            Role::Cast => "#[cast]",
            Role::Info => "#[info]",
            Role::Init => "#[init]",
            Role::Terminate => "#[terminate]",
        }
    }
}

/// Takes the handler markers out of a method's attributes, leaving the others
/// (docs, `#[allow]`, ...) in place. Returns each marker with the attribute it
/// came from (for spans). A marker written with arguments is reported in
/// `errors` and still counts, so that the rest of the actor is generated.
pub(crate) fn take_roles(
    attrs: &mut Vec<Attribute>,
    errors: &mut Vec<syn::Error>,
) -> Vec<(Role, Attribute)> {
    let mut roles = Vec::new();
    let mut kept = Vec::with_capacity(attrs.len());
    for attr in attrs.drain(..) {
        let role = attr.path().get_ident().and_then(Role::from_ident);
        match role {
            Some(role) => {
                if !matches!(attr.meta, syn::Meta::Path(_)) {
                    errors.push(syn::Error::new_spanned(
                        &attr,
                        format!(
                            "{} takes no arguments: write `{}` alone",
                            role.marker(),
                            role.marker()
                        ),
                    ));
                }
                roles.push((role, attr));
            }
            None => kept.push(attr),
        }
    }
    *attrs = kept;
    roles
}

/// The `///` doc attributes of an item, to copy onto what is generated from it.
pub(crate) fn docs(attrs: &[Attribute]) -> Vec<Attribute> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .cloned()
        .collect()
}

/// Parses `#[actor(...)]`'s arguments.
pub(crate) fn parse_options(args: TokenStream) -> syn::Result<Options> {
    syn::parse2(args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn options_parse_and_typos_are_named() {
        assert!(!parse_options(quote!()).unwrap().debug);
        assert!(parse_options(quote!(debug)).unwrap().debug);
        let error = parse_options(quote!(debgu)).err().unwrap();
        assert!(
            error.to_string().contains("did you mean `debug`"),
            "{error}"
        );
        let error = parse_options(quote!(debug, debug)).err().unwrap();
        assert!(error.to_string().contains("given twice"), "{error}");
    }

    #[test]
    fn roles_are_taken_out_and_other_attributes_stay() {
        let method: syn::ImplItemFn = syn::parse2(quote! {
            /// Adds.
            #[call]
            #[allow(unused)]
            fn add(&mut self) -> u64 { 0 }
        })
        .unwrap();
        let mut attrs = method.attrs;
        let mut errors = Vec::new();
        let roles = take_roles(&mut attrs, &mut errors);
        assert!(errors.is_empty());
        assert_eq!(roles.len(), 1);
        assert_eq!(roles[0].0, Role::Call);
        assert_eq!(attrs.len(), 2);
        assert_eq!(docs(&attrs).len(), 1);
    }
}
