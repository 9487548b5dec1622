//! Work on all cores: the spec files are parsed, and the Rust files built and printed, as
//! independent jobs. Results come back in the order of the jobs, whatever order they finish
//! in, so output never depends on scheduling.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` of every job, on all cores, in the order of `jobs`. Workers take the next job as they
/// finish one, so a few large files do not hold up the rest. A panic in any worker is
/// returned (its payload) once every worker has stopped.
pub fn map<T: Sync, R: Send>(
    jobs: &[T],
    f: impl Fn(&T) -> R + Sync,
) -> std::thread::Result<Vec<R>> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len());
    let next = AtomicUsize::new(0);
    let (f, next) = (&f, &next);
    let joined: Vec<std::thread::Result<Vec<(usize, R)>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(move || {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(job) = jobs.get(i) else { break out };
                        out.push((i, f(job)));
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join()).collect()
    });
    let mut done = Vec::with_capacity(jobs.len());
    for part in joined {
        done.extend(part?);
    }
    done.sort_by_key(|(i, _)| *i);
    Ok(done.into_iter().map(|(_, r)| r).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_the_order_of_the_jobs() {
        let jobs: Vec<u64> = (0..100).collect();
        let out = super::map(&jobs, |n| n * 2).unwrap();
        assert_eq!(out, (0..100).map(|n| n * 2).collect::<Vec<_>>());
        assert!(super::map(&[] as &[u8], |_| ()).unwrap().is_empty());
    }

    #[test]
    fn a_panicking_job_is_reported_not_lost() {
        let jobs = [1, 2, 3];
        let out = super::map(&jobs, |&n| {
            assert!(n != 2, "job 2 fails");
            n
        });
        assert!(out.is_err());
    }
}
