//! Minimisation: a failing case made as short as it goes while it still fails the same way
//! (the same [`super::judge::signature`]), by delta debugging: drop runs of words (halves,
//! quarters, ... single words), then shorten each word by dropping runs of its bytes, then
//! the batch file's lines and bytes. Each try is a full run of the case, so the number of
//! tries is bounded.

use std::collections::HashMap;

use super::case::Case;

/// Tries per case at most.
const MAX_TRIES: usize = 400;

/// Drop runs of `items` (whole halves, then quarters, ... then single items) while `keep`
/// still holds; returns the smallest list found.
fn ddmin<T: Clone>(
    mut items: Vec<T>,
    tries: &mut usize,
    keep: &mut dyn FnMut(&[T]) -> bool,
) -> Vec<T> {
    let mut chunk = items.len().div_ceil(2).max(1);
    loop {
        let mut i = 0;
        let mut removed_any = false;
        while i < items.len() {
            if *tries >= MAX_TRIES {
                return items;
            }
            let end = (i + chunk).min(items.len());
            let mut candidate = items.clone();
            candidate.drain(i..end);
            *tries += 1;
            if keep(&candidate) {
                items = candidate;
                removed_any = true;
            } else {
                i += chunk;
            }
        }
        if chunk == 1 && !removed_any {
            return items;
        }
        if !removed_any {
            chunk = chunk.div_ceil(2);
        }
    }
}

/// `case` minimised while `fails(case)` stays true (results are cached by line).
pub fn shrink(case: &Case, fails: &mut dyn FnMut(&Case) -> bool) -> Case {
    let mut cache: HashMap<String, bool> = HashMap::new();
    let mut check = |c: &Case| -> bool {
        let key = c.line();
        if let Some(&v) = cache.get(&key) {
            return v;
        }
        let v = fails(c);
        cache.insert(key, v);
        v
    };
    let mut tries = 0;
    let mut best = case.clone();
    // Words.
    let args = ddmin(best.args.clone(), &mut tries, &mut |a| {
        check(&Case {
            args: a.to_vec(),
            ..best.clone()
        })
    });
    best.args = args;
    // Bytes of each word.
    for w in 0..best.args.len() {
        let bytes = best.args[w].clone();
        let shorter = ddmin(bytes, &mut tries, &mut |b| {
            let mut c = best.clone();
            c.args[w] = b.to_vec();
            check(&c)
        });
        best.args[w] = shorter;
    }
    // The batch file: lines, then bytes.
    if let Some(file) = best.batch.clone() {
        let lines: Vec<Vec<u8>> = file
            .split_inclusive(|&b| b == b'\n')
            .map(<[u8]>::to_vec)
            .collect();
        let lines = ddmin(lines, &mut tries, &mut |l| {
            check(&Case {
                batch: Some(l.concat()),
                ..best.clone()
            })
        });
        best.batch = Some(lines.concat());
        let bytes = best.batch.clone().unwrap_or_default();
        let bytes = ddmin(bytes, &mut tries, &mut |b| {
            check(&Case {
                batch: Some(b.to_vec()),
                ..best.clone()
            })
        });
        best.batch = Some(bytes);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzz::tables::ToolId;

    #[test]
    fn shrinks_to_the_words_and_bytes_that_matter() {
        let c = Case {
            tool: ToolId::Lsns,
            args: vec![
                b"-n".to_vec(),
                b"-Q".to_vec(),
                b"NSFS >= 0 and true".to_vec(),
                b"-J".to_vec(),
            ],
            batch: None,
        };
        let small = shrink(&c, &mut |c| {
            c.args.iter().any(|a| a == b"-Q")
                && c.args.iter().any(|a| a.windows(2).any(|w| w == b">="))
        });
        assert_eq!(small.args, vec![b"-Q".to_vec(), b">=".to_vec()]);
    }
}
