//! Checks one prescription many times, for profiling:
//! `cargo run --release --example check_loop -- FORMULARY RX N`.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(rx_path)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: check_loop FORMULARY RX [N]");
        std::process::exit(1);
    };
    let n: usize = args
        .get(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let parsed = formulary::load(
        std::path::Path::new(path),
        &mut formulary::io::FsReader,
        &formulary::LoadOptions::default(),
    )
    .expect("readable");
    let f = formulary::compile(parsed).formulary.expect("compiles");
    let rx = formulary::Prescription::from_str(&std::fs::read_to_string(rx_path).expect("rx"))
        .expect("valid");
    let t = std::time::Instant::now();
    let mut paid = 0;
    for _ in 0..n {
        paid += formulary::check(&f, std::hint::black_box(&rx)).is_paid() as usize;
    }
    println!("{:?} per check ({paid} paid)", t.elapsed() / n as u32);
}
