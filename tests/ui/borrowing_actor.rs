use otp::actor;

#[actor]
struct View<'a> {
    text: &'a str,
}

fn main() {}
