use otp::supervisor;

fn main() {
    let _tree = supervisor! {
        strategy: OneForAll,
        intensity: 3,
    };
}
