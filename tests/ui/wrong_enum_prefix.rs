// A restart type written with another enum's prefix.
use otp::supervisor;

fn main() {
    let _tree = supervisor! {
        strategy: OneForOne,
        children: [
            worker { start: otp::actor::new(0u32), restart: Strategy::Permanent },
        ],
    };
}
