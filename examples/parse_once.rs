//! Parses (and with an argument, compiles) a synthetic 5,000-drug formulary
//! once, for instruction counts: `perf stat -e instructions`.
fn main() {
    let text = formulary::synth::formulary(formulary::synth::Size::LARGE);
    let p = formulary::parse_str("big.formulary", &text);
    if std::env::args().nth(1).is_some() {
        let c = formulary::compile(p);
        assert!(!c.has_errors());
    }
}
