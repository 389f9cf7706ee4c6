//! The one parallel map of the core: natively the items run on rayon's threads; in the browser
//! (wasm32, one thread per worker) one after another, in order. Either way the results come back
//! in item order, so whatever the caller sums over them is summed in the same order and gives
//! the same bits on both targets.
//!
//! ```
//! let squares = bedside::par::map_init(4, || (), |_, i| i * i);
//! assert_eq!(squares, vec![0, 1, 4, 9]);
//! let mut ticks = 0;
//! let r = bedside::par::try_map(3, |i, tick| { tick(())?; Ok(i + 1) }, &mut |()| {
//!     ticks += 1;
//!     Ok(())
//! });
//! assert_eq!((r.unwrap(), ticks), (vec![1, 2, 3], 3));
//! ```

use crate::error::Result;

/// Whether the items of [`map_init`] and [`try_map`] run at the same time (natively) or one
/// after another (wasm32). A caller whose progress is told differently in the two cases (after a
/// batch of items, or as each item goes) reads it; nothing else may depend on it.
pub const PARALLEL: bool = cfg!(not(target_arch = "wasm32"));

/// How many items run at the same time: rayon's threads natively, 1 in wasm32.
pub fn threads() -> usize {
    #[cfg(not(target_arch = "wasm32"))]
    let n = rayon::current_num_threads().max(1);
    #[cfg(target_arch = "wasm32")]
    let n = 1;
    n
}

/// `f(state, i)` for every `i` in `0..n`, the results in order of `i`. `state` is scratch that
/// `init` makes: natively one per rayon job (so each thread has its own), in wasm32 one for all
/// items. `f` must not let a result depend on what an earlier item left in the scratch.
pub fn map_init<S, R: Send>(
    n: usize,
    init: impl Fn() -> S + Sync + Send,
    f: impl Fn(&mut S, usize) -> R + Sync + Send,
) -> Vec<R> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        (0..n).into_par_iter().map_init(init, f).collect()
    }
    #[cfg(target_arch = "wasm32")]
    {
        let mut state = init();
        (0..n).map(|i| f(&mut state, i)).collect()
    }
}

/// `f(i, tick)` for every `i` in `0..n`: the results in order of `i`, or the first error in
/// that order. `f` tells its progress with `tick(a)`; an error from `tick` stops it.
///
/// - wasm32: the items run in order, each `tick` reaching `progress` as it happens, and the
///   first error stops the others (none of them runs).
/// - Natively: every item runs on rayon's threads; each item's ticks are kept and told to
///   `progress` afterwards, in item order, for the items before the first error and only when
///   the item succeeded.
pub fn try_map<R: Send, A: Send>(
    n: usize,
    f: impl Fn(usize, &mut dyn FnMut(A) -> Result<()>) -> Result<R> + Sync + Send,
    progress: &mut dyn FnMut(A) -> Result<()>,
) -> Result<Vec<R>> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        let ran: Vec<(Result<R>, Vec<A>)> = (0..n)
            .into_par_iter()
            .map(|i| {
                let mut ticks = Vec::new();
                let r = f(i, &mut |a| {
                    ticks.push(a);
                    Ok(())
                });
                (r, ticks)
            })
            .collect();
        let mut out = Vec::with_capacity(n);
        for (r, ticks) in ran {
            let r = r?;
            for a in ticks {
                progress(a)?;
            }
            out.push(r);
        }
        Ok(out)
    }
    #[cfg(target_arch = "wasm32")]
    {
        (0..n).map(|i| f(i, &mut *progress)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn results_and_ticks_in_item_order_and_the_first_error_in_that_order() {
        let mut seen = Vec::new();
        let out = try_map(
            5,
            |i, tick| {
                tick(i * 10)?;
                tick(i * 10 + 1)?;
                Ok(i)
            },
            &mut |a| {
                seen.push(a);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(out, vec![0, 1, 2, 3, 4]);
        assert_eq!(seen, vec![0, 1, 10, 11, 20, 21, 30, 31, 40, 41]);
        let e = try_map(
            6,
            |i, _| {
                if i == 2 || i == 4 {
                    Err(Error::Data(format!("item {i}")))
                } else {
                    Ok(i)
                }
            },
            &mut |()| Ok(()),
        )
        .unwrap_err();
        assert_eq!(e, Error::Data("item 2".into()));
        // An error from the progress stops too.
        let e = try_map(3, |i, tick| tick(i).map(|_| i), &mut |a: usize| {
            if a == 1 {
                Err(Error::Cancelled)
            } else {
                Ok(())
            }
        })
        .unwrap_err();
        assert_eq!(e, Error::Cancelled);
    }

    #[test]
    fn map_init_keeps_item_order() {
        let v = map_init(1000, Vec::<usize>::new, |scratch, i| {
            scratch.clear();
            scratch.push(i);
            scratch[0] * 2
        });
        assert_eq!(v, (0..1000).map(|i| i * 2).collect::<Vec<_>>());
        assert!(threads() >= 1);
    }
}
