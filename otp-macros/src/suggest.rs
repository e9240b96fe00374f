//! "Did you mean ...?": the closest known word to a misspelt one.

/// The candidate closest to `word` by edit distance, if it is close enough to be
/// a plausible typo (at most a third of the word's length, and at least one).
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|candidate| {
            (
                distance(&word.to_lowercase(), &candidate.to_lowercase()),
                *candidate,
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, candidate)| candidate)
}

/// A sentence that lists the accepted words and, when one is close, suggests it.
pub(crate) fn expected(what: &str, word: &str, candidates: &[&str]) -> String {
    let list = candidates
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ");
    match closest(word, candidates) {
        Some(best) => {
            format!("unknown {what} `{word}`: did you mean `{best}`? (expected one of {list})")
        }
        None => format!("unknown {what} `{word}`: expected one of {list}"),
    }
}

/// Edit distance over chars where swapping two neighbours counts as one edit
/// (optimal string alignment), since `debgu` for `debug` is one slip.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j]: distance between a[..i] and b[..j].
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("", ""), 0);
        assert_eq!(distance("abc", "abc"), 0);
        assert_eq!(distance("abc", "abd"), 1);
        assert_eq!(distance("abc", "ab"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("debgu", "debug"), 1);
    }

    #[test]
    fn close_words_are_suggested_and_far_ones_are_not() {
        let strategies = ["OneForOne", "OneForAll", "RestForOne"];
        assert_eq!(closest("OneForOen", &strategies), Some("OneForOne"));
        // Erlang's spelling leads to the Rust one.
        assert_eq!(closest("one_for_all", &strategies), Some("OneForAll"));
        assert_eq!(closest("oneforall", &strategies), Some("OneForAll"));
        assert_eq!(closest("Banana", &strategies), None);
        assert_eq!(closest("debgu", &["debug"]), Some("debug"));
    }

    #[test]
    fn the_message_lists_what_is_accepted() {
        let message = expected("strategy", "OneForOen", &["OneForOne", "OneForAll"]);
        assert_eq!(
            message,
            "unknown strategy `OneForOen`: did you mean `OneForOne`? (expected one of `OneForOne`, `OneForAll`)"
        );
    }
}
