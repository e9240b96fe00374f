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

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::{Item, ItemImpl, Visibility};

/// `#[actor]` or `#[actor(options)]` on a struct or an impl block.
pub(crate) fn actor(args: TokenStream, input: TokenStream) -> syn::Result<TokenStream> {
    let item: Item = syn::parse2(input)?;
    match item {
        Item::Struct(item) => {
            if !args.is_empty() {
                return Err(syn::Error::new_spanned(
                    args,
                    "options go on the impl block's attribute (`#[actor(debug)] impl ...`); \
                     on the struct write `#[actor]` alone",
                ));
            }
            valid::check_struct(&item)?;
            let carrier = carrier_ident(&item.ident);
            let vis = &item.vis;
            Ok(quote! {
                #item
                #[doc(hidden)]
                #[allow(unused_macros)]
                macro_rules! #carrier {
                    ($($tokens:tt)*) => {
                        ::otp::__private::actor_impl! { (#vis) $($tokens)* }
                    };
                }
            })
        }
        Item::Impl(item) => {
            // Validate now, so that errors show even if the struct is not annotated.
            let parsed = ast::parse_impl(item.clone())?;
            // On an error, the impl block is still emitted (without the markers),
            // so that the user sees this error rather than a cascade of missing
            // methods.
            let stripped = parsed.item.clone();
            let checked = attr::parse_options(args.clone())
                .and_then(|options| valid::check_impl(parsed, options));
            match checked {
                Ok(actor) => {
                    let carrier = carrier_ident(&actor.name);
                    Ok(quote! {
                        #carrier! { [#args] #item }
                    })
                }
                Err(error) => {
                    let error = error.into_compile_error();
                    Ok(quote! {
                        #error
                        #stripped
                    })
                }
            }
        }
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

/// What the carrier passes to [`expand_impl`]: `(vis) [options] impl ...`.
struct Carried {
    vis: Visibility,
    options: TokenStream,
    item: ItemImpl,
}

impl Parse for Carried {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let vis_tokens;
        syn::parenthesized!(vis_tokens in input);
        let vis = vis_tokens.parse()?;
        let options;
        syn::bracketed!(options in input);
        let options = options.parse()?;
        let item = input.parse()?;
        Ok(Carried { vis, options, item })
    }
}

/// The second step of an impl block: expand it with the struct's visibility.
pub(crate) fn expand_impl(input: TokenStream) -> syn::Result<TokenStream> {
    let carried: Carried = syn::parse2(input)?;
    let options = attr::parse_options(carried.options)?;
    let actor = valid::check_impl(ast::parse_impl(carried.item)?, options)?;
    let _ = Span::call_site();
    Ok(expand::actor(&actor, &carried.vis))
}
