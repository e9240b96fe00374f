use otp::{actor, supervisor};

#[actor]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[call]
    fn get(&self) -> u64 {
        self.count
    }
}

fn main() {
    let _tree = supervisor! {
        children: [
            counter { start: Counter { count: 0 }, restrat: Transient },
        ],
    };
}
