//! Prints a synthetic formulary: `cargo run --example synth > big.formulary`.
fn main() {
    print!(
        "{}",
        formulary::synth::formulary(formulary::synth::Size::LARGE)
    );
}
