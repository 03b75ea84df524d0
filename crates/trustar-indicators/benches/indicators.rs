//! `cargo bench -p threat-reports`: indicator counting over the
//! deterministic corpus.
//!
//! - `realistic/*`: report-like prose with about one indicator per 200
//!   bytes, at 64 KiB, 1 MiB and 2 MiB (TruSTAR's size limit).
//! - `parallel/*`: `count` and `count_parallel` on two threads, 4 MiB.
//! - `adversarial/*`: runs of dots, hex, digits, brackets, dotted numbers
//!   and labels, … at 256 KiB and 1 MiB — linear, and no slower than a
//!   small multiple of prose.
//! - `baseline/*`: `split_whitespace().count()` over the same texts, the
//!   cost of merely reading them, so that figures can be read as ratios
//!   measured in the same run on the same (noisy) machine.

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use indicator_corpus as corpus;
use trustar_indicators::{count, count_parallel, extract};

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

fn realistic(c: &mut Criterion) {
    let mut group = c.benchmark_group("realistic");
    group.measurement_time(Duration::from_secs(4));
    for size in [64 * KIB, MIB, 2 * MIB] {
        let text = corpus::realistic(size, 42);
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("count", size), &text, |b, t| {
            b.iter(|| count(black_box(t)))
        });
        group.bench_with_input(BenchmarkId::new("baseline", size), &text, |b, t| {
            b.iter(|| black_box(t).split_whitespace().count())
        });
    }
    let text = corpus::realistic(MIB, 42);
    group.throughput(Throughput::Bytes(MIB as u64));
    group.bench_with_input(BenchmarkId::new("extract", MIB), &text, |b, t| {
        b.iter(|| extract(black_box(t)))
    });
    group.finish();
}

/// `count_parallel` on two threads against `count`, on 4 MiB (the size
/// `bench-peers` compares with the Python tools at).
fn parallel(c: &mut Criterion) {
    let mut group = c.benchmark_group("parallel");
    group.measurement_time(Duration::from_secs(4));
    let text = corpus::realistic(4 * MIB, 42);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_with_input(BenchmarkId::new("count", 4 * MIB), &text, |b, t| {
        b.iter(|| count(black_box(t)))
    });
    let two = NonZeroUsize::new(2).expect("2 is not zero");
    group.bench_with_input(
        BenchmarkId::new("count_parallel_2", 4 * MIB),
        &text,
        |b, t| b.iter(|| count_parallel(black_box(t), two)),
    );
    group.finish();
}

/// Each adversarial shape at 256 KiB and 1 MiB: linear time shows as a
/// time ratio near 4 between the two.
fn adversarial(c: &mut Criterion) {
    let mut group = c.benchmark_group("adversarial");
    group.measurement_time(Duration::from_secs(2));
    group.warm_up_time(Duration::from_millis(500));
    for size in [256 * KIB, MIB] {
        for (name, text) in corpus::adversarial(size) {
            group.throughput(Throughput::Bytes(text.len() as u64));
            group.bench_with_input(BenchmarkId::new(name, size), &text, |b, t| {
                b.iter(|| count(black_box(t)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, realistic, parallel, adversarial);
criterion_main!(benches);
