//! `#[actor]`: parse ([`ast`], [`attr`]) → validate ([`valid`]) → expand ([`expand`]).
//!
//! The attribute goes on the struct and on its impl block. The struct's expansion
//! leaves the struct as it is and defines a small `macro_rules!` that carries the
//! struct's visibility; the impl block's expansion validates the handlers, then
//! calls that macro, which hands the impl block back to [`expand_impl`] together
//! with the visibility. So generated items get the struct's visibility, and the
//! impl block must come after the struct in the same module (as it usually does);
//! otherwise rustc says it "cannot find macro
//! `__Counter_needs_actor_on_its_struct_above_this_impl`".

mod ast;
mod attr;
mod expand;
mod valid;

use crate::krate;

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::{Item, ItemImpl, Visibility};

/// `#[actor]` or `#[actor(options)]` on a struct or an impl block.
pub(crate) fn actor(args: TokenStream, input: TokenStream) -> syn::Result<TokenStream> {
    let item: Item = syn::parse2(input)?;
    match item {
        Item::Struct(item) => Ok(on_struct(args, item)),
        Item::Impl(item) => Ok(on_impl(args, item)),
        Item::Enum(item) => Err(syn::Error::new_spanned(
            item.enum_token,
            format!(
                "#[actor] goes on a struct with named fields (they are the actor's state), \
                 not on an enum: wrap it, as in `struct {} {{ state: MyEnum }}`",
                item.ident
            ),
        )),
        other => Err(syn::Error::new_spanned(
            other,
            "#[actor] goes on a struct (the actor's state) and on its impl block \
             (the handlers)",
        )),
    }
}

/// The struct: kept as it is, plus the carrier macro and a check that the impl
/// block is marked too. Errors are reported beside them, never instead.
fn on_struct(args: TokenStream, item: syn::ItemStruct) -> TokenStream {
    let mut errors = Vec::new();
    let krate = match attr::parse_options(args.clone()) {
        Ok(options) if !options.debug && !options.trap_exits => options.krate,
        Ok(options) => {
            errors.push(syn::Error::new_spanned(
                &args,
                "options go on the impl block's attribute (`#[actor(debug)] impl ...`); \
                 on the struct write `#[actor]` alone",
            ));
            options.krate
        }
        Err(error) => {
            errors.push(error);
            None
        }
    };
    if let Err(error) = valid::check_struct(&item) {
        errors.push(error);
    }
    let carrier = carrier_ident(&item.ident);
    let vis = &item.vis;
    // Without `#[actor]` on the impl block, the markers there are not attributes
    // rustc knows; this says what is missing, at the struct's name. (Generic
    // actors are left out: the impl's bounds may differ from the struct's.)
    let check = (item.generics.params.is_empty() && errors.is_empty()).then(|| {
        let root = krate::paths(krate.as_ref()).root;
        let name = &item.ident;
        let assert = quote_spanned!(name.span()=> #root::__private::has_actor_impl::<#name>());
        quote! {
            const _: () = {
                #[allow(dead_code)]
                fn __otp_check_actor_impl() {
                    #assert;
                }
            };
        }
    });
    let errors = errors.into_iter().map(syn::Error::into_compile_error);
    quote! {
        #(#errors)*
        #item
        #check
        #[doc(hidden)]
        #[allow(unused_macros)]
        macro_rules! #carrier {
            ([$($expand:tt)*] $($tokens:tt)*) => {
                $($expand)*! { (#vis) $($tokens)* }
            };
        }
    }
}

/// The impl block: validated here, so that errors show even if the struct is
/// not annotated; then handed, through the struct's carrier, to [`expand_impl`].
/// On an error the carrier is still called (`quiet`), so that the enum, the
/// handle and the start functions exist (made of the handlers that are right)
/// and the user sees this error, not a cascade of missing items elsewhere.
fn on_impl(args: TokenStream, item: ItemImpl) -> TokenStream {
    let parsed = ast::parse_impl(item.clone());
    let stripped = parsed.item.clone();
    let (options, option_error) = match attr::parse_options(args.clone()) {
        Ok(options) => (options, None),
        Err(error) => (attr::Options::default(), Some(error)),
    };
    let (actor, error) = valid::check_impl(parsed, options);
    let errors: Vec<_> = option_error.into_iter().chain(error).collect();
    let quiet = (!errors.is_empty()).then(|| quote!(quiet));
    let errors = errors.into_iter().map(syn::Error::into_compile_error);
    match actor {
        Some(actor) => {
            let carrier = carrier_ident(&actor.name);
            let expand = &actor.paths.actor_impl;
            quote! {
                #(#errors)*
                #carrier! { [#expand] [#quiet] [#args] #item }
            }
        }
        None => quote! {
            #(#errors)*
            #stripped
        },
    }
}

/// The name of the macro that carries a struct's visibility to its impl block.
/// When it cannot be found, rustc's "cannot find macro" names it, so the name
/// says what is missing.
fn carrier_ident(name: &syn::Ident) -> syn::Ident {
    format_ident!(
        "__{}_needs_actor_on_its_struct_above_this_impl",
        name,
        span = name.span()
    )
}

/// What the carrier passes to [`expand_impl`]: `(vis) [quiet] [options] impl ...`.
struct Carried {
    vis: Visibility,
    /// The impl block's errors were reported already: expand what is right.
    quiet: bool,
    options: TokenStream,
    item: ItemImpl,
}

impl Parse for Carried {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let vis_tokens;
        syn::parenthesized!(vis_tokens in input);
        let vis = vis_tokens.parse()?;
        let quiet;
        syn::bracketed!(quiet in input);
        let quiet = !quiet.parse::<TokenStream>()?.is_empty();
        let options;
        syn::bracketed!(options in input);
        let options = options.parse()?;
        let item = input.parse()?;
        Ok(Carried {
            vis,
            quiet,
            options,
            item,
        })
    }
}

/// The second step of an impl block: expand it with the struct's visibility.
pub(crate) fn expand_impl(input: TokenStream) -> syn::Result<TokenStream> {
    let carried: Carried = syn::parse2(input)?;
    let options = match attr::parse_options(carried.options) {
        Ok(options) => options,
        Err(_) if carried.quiet => attr::Options::default(),
        Err(error) => return Err(error),
    };
    let (actor, errors) = valid::check_impl(ast::parse_impl(carried.item), options);
    let errors = errors
        .filter(|_| !carried.quiet)
        .map(syn::Error::into_compile_error);
    let expansion = actor.map(|actor| expand::actor(&actor, &carried.vis));
    Ok(quote!(#errors #expansion))
}
