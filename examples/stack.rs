//! A stack actor in the builder style, with an initialiser and a typed name.
//!
//! `cargo run --example stack`

use std::time::Duration;

use otp::actor::{self, Initialised, Next};
use otp::process::{self, Name, Subject};

#[derive(Debug)]
enum Stack<T> {
    Push(T),
    Pop(Subject<Option<T>>),
    Len(Subject<usize>),
}

fn handle<T: Send + 'static>(mut items: Vec<T>, message: Stack<T>) -> Next<Vec<T>, Stack<T>> {
    match message {
        Stack::Push(item) => items.push(item),
        Stack::Pop(reply) => reply.send(items.pop()),
        Stack::Len(reply) => reply.send(items.len()),
    }
    Next::Continue(items)
}

fn main() {
    otp::runtime::block_on(async {
        let name = Name::<Stack<String>>::new("stack");
        actor::new_with_initialiser(Duration::from_secs(1), |_subject| async {
            println!("the stack initialises in its own process");
            Ok(Initialised::new(Vec::with_capacity(16)))
        })
        .on_message(handle)
        .named(name.clone())
        .start()
        .await
        .expect("the stack starts");

        // Reach it by name from anywhere.
        let stack = name.subject();
        for word in ["one", "two", "three"] {
            stack.send(Stack::Push(word.to_string()));
        }
        let timeout = Duration::from_secs(1);
        println!(
            "{} items",
            process::call(&stack, timeout, Stack::Len).await.unwrap()
        );
        while let Ok(Some(top)) = process::call(&stack, timeout, Stack::Pop).await {
            println!("popped {top}");
        }
        println!("{} is {:?}", name.label(), process::whereis(&name));
    })
    .unwrap();
}
