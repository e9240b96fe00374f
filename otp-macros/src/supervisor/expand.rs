//! Emitting the tree: a chain of `otp::supervisor` builder calls, exactly what
//! one would write by hand.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::valid::{ChildSpec, Shutdown, Start, Supervisor};

/// `otp::supervisor::new(strategy).intensity(..)...add(child)...`
pub(crate) fn supervisor(tree: &Supervisor, root: &TokenStream) -> TokenStream {
    let sup = quote!(#root::supervisor);
    let strategy = match &tree.strategy {
        Some(word) => quote!(#sup::Strategy::#word),
        None => quote!(#sup::Strategy::OneForOne),
    };
    let intensity = tree.intensity.as_ref().map(|e| quote!(.intensity(#e)));
    let period = tree.period.as_ref().map(|e| quote!(.period(#e)));
    let auto = tree
        .auto_shutdown
        .as_ref()
        .map(|w| quote!(.auto_shutdown(#sup::AutoShutdown::#w)));
    let name = tree.name.as_ref().map(|e| quote!(.named(#e)));
    let children = tree.children.iter().map(|c| child(c, root));
    quote! {
        #sup::new(#strategy)
            #intensity
            #period
            #auto
            #name
            #(.add(#children))*
    }
}

fn child(child: &ChildSpec, root: &TokenStream) -> TokenStream {
    let sup = quote!(#root::supervisor);
    let id = &child.id;
    let spec = match &child.start {
        Start::Supervisor(tree) => {
            let builder = supervisor(tree, root);
            let name = child.name.as_ref().map(|e| quote!(.named(#e)));
            quote!((#builder #name).child_spec(#id))
        }
        Start::Worker(expr) => {
            // Spanned at the user's expression, so that a `start` that is not a
            // child (an actor, a supervisor or a factory builder) is reported
            // there, once.
            let at = crate::krate::respan(root, expr.span());
            let name = match &child.name {
                Some(e) => quote!(::std::option::Option::Some(#e)),
                None => quote!(::std::option::Option::None),
            };
            quote_spanned!(expr.span()=> #at::supervisor::ChildSpec::of(#id, #name, move || #expr))
        }
    };
    let restart = child
        .restart
        .as_ref()
        .map(|w| quote!(.restart(#sup::Restart::#w)));
    let shutdown = child.shutdown.as_ref().map(|s| match s {
        Shutdown::Word(w) => quote!(.shutdown(#sup::Shutdown::#w)),
        Shutdown::Timeout(w, e) => quote!(.shutdown(#sup::Shutdown::#w(#e))),
    });
    let significant = child.significant.as_ref().map(|e| quote!(.significant(#e)));
    let _ = &child.id_token;
    quote!(#spec #restart #shutdown #significant)
}
