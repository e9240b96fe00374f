use otp::actor;

#[actor]
struct Counter(u64);

fn main() {}
