use otp::actor;

#[actor]
enum Light {
    Red,
    Green,
}

fn main() {}
