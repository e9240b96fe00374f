use otp::supervisor;

fn main() {
    let _tree = supervisor! {
        children: [worker { restart: Transient }],
    };
}
