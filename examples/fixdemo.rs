fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let opts = kubeharden::fix::FixOptions {
        unsafe_fixes: true,
        ..Default::default()
    };
    let r = kubeharden::fix::fix(&text, &opts);
    print!("{}", r.text);
    eprintln!(
        "applied {} skipped {:?} rounds {}",
        r.applied.len(),
        r.skipped,
        r.rounds.len()
    );
}
