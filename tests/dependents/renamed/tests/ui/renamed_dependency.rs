//! `#[actor]` and `supervisor!` with the facade renamed to `my_otp` and no
//! `crate = ...`: compiled and run.
use my_otp::process::Name;
use my_otp::{actor, supervisor};

#[actor]
pub struct Greeter {
    greeting: String,
}

#[actor]
impl Greeter {
    #[call]
    pub fn greet(&self, who: String) -> String {
        format!("{}, {who}", self.greeting)
    }
}

fn main() {
    my_otp::runtime::block_on(async {
        let name = Name::new("greeter");
        let tree = supervisor! {
            strategy: OneForOne,
            children: [
                greeter { start: Greeter { greeting: "hello".into() }, name: name.clone() },
            ],
        }
        .start()
        .await
        .unwrap();
        let greeter = GreeterRef::named(&name);
        // A call has a timeout of its own, so this cannot hang.
        let greeting = greeter.greet("world".into()).await;
        assert_eq!(greeting.as_deref(), Ok("hello, world"));
        tree.data.stop().await.unwrap();
    })
    .unwrap();
}

