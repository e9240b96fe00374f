use otp::supervisor;

fn main() {
    let _tree = supervisor! {
        children: [
            answer { start: 42u32 },
        ],
    };
}
