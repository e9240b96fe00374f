use otp::actor;

#[actor]
struct Store<T> {
    items: Vec<T>,
}

fn main() {}
