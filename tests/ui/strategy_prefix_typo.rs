// `Strategy::` in front of a strategy is accepted; a misspelt one is still named.
use otp::supervisor;

fn main() {
    let _tree = supervisor! {
        strategy: Strategy::OneForAl,
        children: [],
    };
}
