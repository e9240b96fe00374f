//! The rules an actor must follow, each with a message that says what to write.
//!
//! Validation turns the parsed [`ActorImpl`] into the [`Actor`] model that
//! [`super::expand`] emits; every error points at the user's own token.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Attribute, Ident, ItemImpl, ReturnType, Type, Visibility};

use super::ast::{self, ActorImpl, Handler, Receiver};
use super::attr::{Options, Role};
use crate::krate::{self, Paths};

/// A validated actor, ready to expand.
pub(crate) struct Actor {
    pub(crate) name: Ident,
    pub(crate) item: ItemImpl,
    pub(crate) options: Options,
    /// Where the runtime is.
    pub(crate) paths: Paths,
    /// Calls and casts, in the order written: one message variant and one
    /// handle method each.
    pub(crate) messages: Vec<Message>,
    pub(crate) infos: Vec<Info>,
    pub(crate) init: Option<Init>,
    pub(crate) terminate: Option<Terminate>,
}

/// A call or a cast.
pub(crate) struct Message {
    pub(crate) method: Ident,
    pub(crate) variant: Ident,
    pub(crate) vis: Visibility,
    pub(crate) docs: Vec<Attribute>,
    pub(crate) is_async: bool,
    pub(crate) args: Vec<(Ident, Type)>,
    pub(crate) kind: MessageKind,
    /// Where to report a return type the handler cannot have.
    pub(crate) output_span: Span,
}

/// What a message expects back.
pub(crate) enum MessageKind {
    /// No reply; the handler returns `()`, a `Flow` or a `Result`.
    Cast,
    /// A reply of type `reply`; `stops` when the handler returns
    /// `ReplyAndStop<reply>`.
    Call { reply: Box<Type>, stops: bool },
}

/// Where an `#[info]` handler's messages come from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Source {
    /// `Down`: monitors the actor set up.
    Down,
    /// `ExitMessage`: trapped exits (the actor then traps exits).
    Exit,
    /// `Unexpected`: anything its selector does not otherwise cover.
    Unexpected,
}

/// An `#[info]` handler.
pub(crate) struct Info {
    pub(crate) method: Ident,
    pub(crate) variant: Ident,
    pub(crate) docs: Vec<Attribute>,
    pub(crate) is_async: bool,
    pub(crate) source: Source,
    pub(crate) ty: Type,
    pub(crate) output_span: Span,
}

/// The `#[init]` function.
pub(crate) struct Init {
    pub(crate) method: Ident,
    pub(crate) is_async: bool,
    pub(crate) args: Vec<(Ident, Type)>,
    /// Returns `Result<Self, E>` rather than `Self`.
    pub(crate) fallible: bool,
}

/// The `#[terminate]` hook.
pub(crate) struct Terminate {
    pub(crate) method: Ident,
    pub(crate) receiver: Receiver,
    pub(crate) takes_reason: bool,
}

/// Names of the methods every handle has.
const RESERVED: &[&str] = &["new", "named", "pid", "subject", "with_timeout"];

/// Collects errors so that one compile shows them all.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    fn at(&mut self, tokens: impl quote::ToTokens, message: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    fn at_span(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// `#[actor]` on a struct: named fields (or none), no generics.
pub(crate) fn check_struct(item: &syn::ItemStruct) -> syn::Result<()> {
    let mut errors = Errors::default();
    if let syn::Fields::Unnamed(fields) = &item.fields {
        errors.at(
            fields,
            format!(
                "#[actor] needs a struct with named fields (they are the actor's state), \
                 not a tuple struct: write `struct {} {{ value: ... }}`",
                item.ident
            ),
        );
    }
    check_generics(&item.generics, &mut errors);
    errors.finish()
}

/// Type (and const) parameters work; a lifetime cannot, since the state lives in
/// its own process.
fn check_generics(generics: &syn::Generics, errors: &mut Errors) {
    for lifetime in generics.lifetimes() {
        errors.at(
            lifetime,
            format!(
                "an actor cannot borrow: its state lives in its own process for as long \
                 as it runs, so it needs owned data. Remove `{}` and use owned types \
                 (`String`, `Vec<T>`, `Arc<T>`)",
                lifetime.lifetime
            ),
        );
    }
}

/// The rules for the impl block. Returns the actor made of every handler that
/// passed (none if the impl block names no actor), and the errors: on an error,
/// the rest is still generated, so that uses of the actor elsewhere do not fail
/// too and the user sees only what is wrong.
pub(crate) fn check_impl(
    actor: ActorImpl,
    options: Options,
) -> (Option<Actor>, Option<syn::Error>) {
    let mut errors = Errors::default();
    for error in &actor.errors {
        errors.push(error.clone());
    }
    let item = &actor.item;
    if let Some((_, path, _)) = &item.trait_ {
        errors.at(
            path,
            "#[actor] goes on the actor's own impl block (`impl Counter { ... }`), \
             not on a trait impl",
        );
    }
    check_generics(&item.generics, &mut errors);
    let Some(name) = actor.name.clone() else {
        errors.at(
            &item.self_ty,
            "#[actor] needs the actor's plain type name here, as in `impl Counter { ... }`",
        );
        return (None, errors.0);
    };

    let mut messages = Vec::new();
    let mut infos: Vec<Info> = Vec::new();
    let mut init: Option<Init> = None;
    let mut terminate: Option<Terminate> = None;
    // Handler names and variant names seen so far, for duplicates.
    let mut seen: Vec<(String, Ident)> = Vec::new();

    for handler in &actor.handlers {
        if handler.roles.len() > 1 {
            let (second, attr) = &handler.roles[1];
            errors.at(
                attr,
                format!(
                    "`{}` is already marked {}: a method has one role; remove {} \
                     (or write a second method)",
                    handler.ident,
                    handler.roles[0].0.marker(),
                    second.marker()
                ),
            );
            continue;
        }
        if let Some(param) = handler.generics.params.first() {
            errors.at(
                param,
                format!(
                    "handler `{}` cannot be generic: its arguments become fields of the \
                     message enum, which needs concrete types. Use a concrete type \
                     (or a `Box<dyn Trait>`)",
                    handler.ident
                ),
            );
            continue;
        }
        let role = handler.role();
        match role {
            Role::Call | Role::Cast | Role::Info => {
                if !check_receiver(handler, &mut errors) {
                    continue;
                }
                let method = handler.ident.to_string();
                let taken = RESERVED.contains(&method.as_str())
                    || method
                        .strip_suffix("_blocking")
                        .is_some_and(|call| actor.handlers.iter().any(|h| h.ident == call));
                if taken {
                    errors.at(
                        &handler.ident,
                        format!(
                            "`{method}` is a method `#[actor]` generates on `{name}Ref` \
                             (`new`, `named`, `pid`, `subject`, `with_timeout`, and \
                             `<call>_blocking` for each call): rename this handler"
                        ),
                    );
                    continue;
                }
                let variant = ast::pascal_case(&handler.ident);
                if let Some((first, _)) = seen.iter().find(|(_, v)| *v == variant) {
                    let message = if handler.ident == first {
                        format!(
                            "two handlers are named `{}`: each handler becomes a message \
                             variant `{name}Msg::{variant}` and a method of `{name}Ref`, so \
                             names must be unique. Rename one of them",
                            handler.ident
                        )
                    } else {
                        format!(
                            "handlers `{first}` and `{}` would both become the message \
                             variant `{name}Msg::{variant}`. Rename one of them",
                            handler.ident
                        )
                    };
                    errors.at(&handler.ident, message);
                    continue;
                }
                seen.push((handler.ident.to_string(), variant.clone()));
                if role == Role::Info {
                    if let Some(info) = check_info(handler, variant, &infos, &mut errors) {
                        infos.push(info);
                    }
                    continue;
                }
                let Some(args) = check_args(handler, role, &mut errors) else {
                    continue;
                };
                let kind = if role == Role::Call {
                    match call_reply(handler) {
                        Some(kind) => kind,
                        None => {
                            errors.at(
                                &handler.ident,
                                format!(
                                    "#[call] handler `{}` has no return type, so there is \
                                     no reply to send: add `-> ReplyType`, or mark it \
                                     #[cast] if the caller needs no reply",
                                    handler.ident
                                ),
                            );
                            continue;
                        }
                    }
                } else {
                    MessageKind::Cast
                };
                messages.push(Message {
                    method: handler.ident.clone(),
                    variant,
                    vis: handler.vis.clone(),
                    docs: handler.docs.clone(),
                    is_async: handler.is_async,
                    args,
                    kind,
                    output_span: output_span(handler),
                });
            }
            Role::Init => {
                if init.is_some() {
                    errors.at(
                        &handler.ident,
                        "an actor has one #[init]: remove this marker or merge the two \
                         functions",
                    );
                    continue;
                }
                if handler.receiver != Receiver::None {
                    errors.at_span(
                        handler.receiver_span,
                        format!(
                            "#[init] builds the state, so it takes no `self`: write \
                             `fn {}(args...) -> Result<Self, Error>` (or `-> Self`)",
                            handler.ident
                        ),
                    );
                    continue;
                }
                let Some(args) = check_args(handler, role, &mut errors) else {
                    continue;
                };
                let fallible = match &handler.output {
                    ReturnType::Type(_, ty) => {
                        let is_self = |ty: &Type| {
                            ast::last_segment(ty)
                                .is_some_and(|s| s.ident == "Self" || s.ident == name)
                        };
                        if is_self(ty) {
                            false
                        } else if ast::last_segment(ty).is_some_and(|s| s.ident == "Result")
                            && ast::type_argument(ty, 0).is_some_and(is_self)
                        {
                            true
                        } else {
                            errors.at(
                                ty,
                                "#[init] returns the state: write `-> Self`, or \
                                 `-> Result<Self, E>` (E: Display) when it may fail",
                            );
                            continue;
                        }
                    }
                    ReturnType::Default => {
                        errors.at(
                            &handler.ident,
                            format!(
                                "#[init] `{}` must return the state: add `-> Self`, or \
                                 `-> Result<Self, E>` (E: Display) when it may fail",
                                handler.ident
                            ),
                        );
                        continue;
                    }
                };
                init = Some(Init {
                    method: handler.ident.clone(),
                    is_async: handler.is_async,
                    args,
                    fallible,
                });
            }
            Role::Terminate => {
                if terminate.is_some() {
                    errors.at(
                        &handler.ident,
                        "an actor has one #[terminate]: remove this marker",
                    );
                    continue;
                }
                if handler.receiver == Receiver::None {
                    errors.at(
                        &handler.ident,
                        format!(
                            "#[terminate] gets the final state: write \
                             `fn {}(&mut self, reason: &ExitReason)`",
                            handler.ident
                        ),
                    );
                    continue;
                }
                if handler.is_async {
                    errors.at(
                        &handler.ident,
                        "#[terminate] cannot be async (the actor is stopping): remove `async`",
                    );
                    continue;
                }
                let takes_reason = match handler.args.as_slice() {
                    [] => false,
                    [arg] if matches!(&*arg.ty, Type::Reference(r) if ast::last_segment(&r.elem).is_some_and(|s| s.ident == "ExitReason")) => {
                        true
                    }
                    [arg, ..] => {
                        errors.at(
                            &arg.ty,
                            "#[terminate] takes at most the reason: write \
                             `reason: &ExitReason` (or no argument)",
                        );
                        continue;
                    }
                };
                terminate = Some(Terminate {
                    method: handler.ident.clone(),
                    receiver: handler.receiver,
                    takes_reason,
                });
            }
        }
    }

    if messages.is_empty() && infos.is_empty() && errors.0.is_none() {
        errors.at(
            &item.self_ty,
            "this actor has no handlers: mark methods with #[call] (a request with a reply) \
             or #[cast] (a message without one), e.g. `#[cast] fn add(&mut self, n: u64)`",
        );
    }
    let paths = krate::paths(options.krate.as_ref());
    let actor = Actor {
        name,
        item: actor.item,
        options,
        paths,
        messages,
        infos,
        init,
        terminate,
    };
    (Some(actor), errors.0)
}

/// The return type's span, or the name's when there is none.
fn output_span(handler: &Handler) -> Span {
    match &handler.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => handler.ident.span(),
    }
}

/// Calls, casts and infos take `&self` or `&mut self`.
fn check_receiver(handler: &Handler, errors: &mut Errors) -> bool {
    let marker = handler.role().marker();
    match handler.receiver {
        Receiver::Ref | Receiver::Mut => true,
        Receiver::Value => {
            errors.at_span(
                handler.receiver_span,
                format!(
                    "{marker} handler `{}` takes `self` by value, which would consume the \
                     actor's state: write `&mut self` (or `&self`)",
                    handler.ident
                ),
            );
            false
        }
        Receiver::None => {
            errors.at(
                &handler.ident,
                format!(
                    "{marker} handler `{}` has no `self`: a handler works on the actor's \
                     state, so write `fn {}(&mut self, ...)` (or `&self`)",
                    handler.ident, handler.ident
                ),
            );
            false
        }
    }
}

/// Arguments must be plain names; a call's cannot be named `reply`.
fn check_args(handler: &Handler, role: Role, errors: &mut Errors) -> Option<Vec<(Ident, Type)>> {
    let mut args = Vec::new();
    let mut ok = true;
    for arg in &handler.args {
        match &arg.name {
            Some(name) if role == Role::Call && name == "reply" => {
                errors.at(
                    name,
                    "`reply` is the name of the reply subject in a call's message: \
                     rename this argument",
                );
                ok = false;
            }
            Some(name) if role == Role::Init && name == "name" => {
                errors.at(
                    name,
                    "`name` is the name argument of the generated `start_named`: \
                     rename this argument",
                );
                ok = false;
            }
            Some(name) if not_send(&arg.ty).is_some() => {
                let (token, instead) = not_send(&arg.ty).expect("checked");
                errors.at(
                    &arg.ty,
                    format!(
                        "`{name}` cannot travel in a message: the message goes to the \
                         actor's process, which may run on another thread, so its fields \
                         must be `Send`, and `{token}` is not. Use `{instead}` instead"
                    ),
                );
                ok = false;
            }
            Some(name) => args.push((name.clone(), (*arg.ty).clone())),
            None => {
                errors.at(
                    &arg.pat,
                    "handler arguments become message fields, so each needs a plain name: \
                     write `name: Type` and destructure in the body",
                );
                ok = false;
            }
        }
    }
    ok.then_some(args)
}

/// A type that is never `Send`, as written in `ty` (`Rc`, a raw pointer), and
/// what to use instead. Other non-`Send` types are reported by rustc.
fn not_send(ty: &Type) -> Option<(&'static str, &'static str)> {
    if matches!(ty, Type::Ptr(_)) {
        return Some(("a raw pointer", "an owned value or an `Arc`"));
    }
    fn walk(tokens: proc_macro2::TokenStream) -> bool {
        tokens.into_iter().any(|token| match token {
            proc_macro2::TokenTree::Ident(ident) => ident == "Rc",
            proc_macro2::TokenTree::Group(group) => walk(group.stream()),
            _ => false,
        })
    }
    walk(quote::quote!(#ty)).then_some(("Rc", "Arc"))
}

/// A call's reply type, if it has one.
fn call_reply(handler: &Handler) -> Option<MessageKind> {
    let ReturnType::Type(_, ty) = &handler.output else {
        return None;
    };
    if let Type::Tuple(tuple) = &**ty {
        if tuple.elems.is_empty() {
            return None;
        }
    }
    if ast::last_segment(ty).is_some_and(|s| s.ident == "ReplyAndStop") {
        if let Some(reply) = ast::type_argument(ty, 0) {
            return Some(MessageKind::Call {
                reply: Box::new(reply.clone()),
                stops: true,
            });
        }
    }
    Some(MessageKind::Call {
        reply: ty.clone(),
        stops: false,
    })
}

/// An `#[info]` handler takes one `Down`, `ExitMessage` or `Unexpected`.
fn check_info(
    handler: &Handler,
    variant: Ident,
    infos: &[Info],
    errors: &mut Errors,
) -> Option<Info> {
    const SOURCES: &str = "`down: Down` (monitors), `exit: ExitMessage` (trapped exits) \
                           or `other: Unexpected` (anything else)";
    let [arg] = handler.args.as_slice() else {
        errors.at(
            &handler.ident,
            format!(
                "#[info] handler `{}` takes exactly one message: {SOURCES}",
                handler.ident
            ),
        );
        return None;
    };
    let source = match ast::last_segment(&arg.ty)
        .map(|s| s.ident.to_string())
        .as_deref()
    {
        Some("Down") => Source::Down,
        Some("ExitMessage") => Source::Exit,
        Some("Unexpected") => Source::Unexpected,
        _ => {
            errors.at(
                &arg.ty,
                format!(
                    "#[info] handlers receive {SOURCES}. For messages of your own, \
                     add a #[cast] handler instead"
                ),
            );
            return None;
        }
    };
    if let Some(other) = infos.iter().find(|i| i.source == source) {
        errors.at(
            &arg.ty,
            format!(
                "`{}` already handles this kind of message: one #[info] handler per kind",
                other.method
            ),
        );
        return None;
    }
    Some(Info {
        method: handler.ident.clone(),
        variant,
        docs: handler.docs.clone(),
        is_async: handler.is_async,
        source,
        ty: (*arg.ty).clone(),
        output_span: output_span(handler),
    })
}
