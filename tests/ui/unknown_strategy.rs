use otp::supervisor;

fn main() {
    let _tree = supervisor! {
        strategy: OneForOen,
        children: [],
    };
}
