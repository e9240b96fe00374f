//! A generic actor: `#[actor]` on a struct with type parameters and bounds.

use std::fmt::Debug;
use std::time::Duration;

use otp::actor;

mod common;
use common::within;

const LIMIT: Duration = Duration::from_secs(20);

/// A last-in first-out store of any cloneable item.
#[actor]
#[derive(Debug)]
pub struct Store<T: Clone + Send + 'static> {
    items: Vec<T>,
}

#[actor(debug)]
impl<T: Clone + Send + Debug + 'static> Store<T> {
    #[cast]
    pub fn push(&mut self, item: T) {
        self.items.push(item);
    }

    #[call]
    pub fn pop(&mut self) -> Option<T> {
        self.items.pop()
    }

    #[call]
    pub fn all(&self) -> Vec<T> {
        self.items.clone()
    }
}

/// A parameter that no handler mentions still compiles (the message enum keeps
/// it used with a hidden variant).
#[actor]
pub struct Tagged<Tag: Send + 'static> {
    count: u32,
    _tag: std::marker::PhantomData<fn() -> Tag>,
}

#[actor]
impl<Tag: Send + 'static> Tagged<Tag> {
    #[call]
    pub fn bump(&mut self) -> u32 {
        self.count += 1;
        self.count
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generic_actor_works_for_each_type() {
    within(LIMIT, async {
        let numbers: StoreRef<u32> = Store { items: vec![1] }.start().await.unwrap();
        numbers.push(2);
        assert_eq!(numbers.pop().await, Ok(Some(2)));
        assert_eq!(numbers.all().await, Ok(vec![1]));

        let words = Store::<String> { items: vec![] }.start().await.unwrap();
        words.push("a".to_string());
        assert_eq!(words.all().await, Ok(vec!["a".to_string()]));
        assert_eq!(
            otp::sys::get_state(words.pid(), LIMIT).await.unwrap(),
            "Store { items: [\"a\"] }"
        );

        struct Marker;
        let tagged = Tagged::<Marker> {
            count: 0,
            _tag: std::marker::PhantomData,
        }
        .start()
        .await
        .unwrap();
        assert_eq!(tagged.bump().await, Ok(1));
        assert_eq!(tagged.bump().await, Ok(2));
    })
    .await;
}
