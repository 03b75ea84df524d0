//! The reference counter's time on adversarial bodies against prose of the
//! same size (2 MB each): it judges every PUT, so no body may make it
//! quadratic. `cargo bench -p report-sandbox`; compare the ratios, which
//! come from one run.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use report_sandbox::oracle;

const SIZE: usize = 2_000_000;

/// `unit` repeated to `SIZE` bytes.
fn repeated(unit: &str) -> String {
    unit.repeat(SIZE / unit.len())
}

fn bodies() -> Vec<(&'static str, String)> {
    vec![
        ("prose", indicator_corpus::realistic(SIZE, 42)),
        ("a.a.a…", repeated("a.")),
        ("a-a-a…", repeated("a-")),
        ("a.a.a…@", format!("{}@x", repeated("a."))),
        ("1.1.1…", repeated("1.")),
        ("a.a.a…_", repeated("a._")),
    ]
}

fn reference_counter(c: &mut Criterion) {
    let mut group = c.benchmark_group("oracle::count, 2 MB");
    group.sample_size(10);
    for (name, body) in bodies() {
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function(name, |b| b.iter(|| oracle::count(&body)));
    }
    group.finish();
}

criterion_group!(benches, reference_counter);
criterion_main!(benches);
